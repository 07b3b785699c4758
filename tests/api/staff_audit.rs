//! Issue 16 item 13: what staff read is audited (an account's summary, a case file,
//! a document), and so is every role check that refuses a staff member; names that
//! reorder or hide text are refused when typed.
use kansli::domain::staff::Role;

use crate::helpers::*;

/// (actor, target, ip, detail) of the entries of `action`, oldest first.
type Audited = (String, Option<String>, Option<String>, Option<String>);

async fn audited(app: &TestApp, action: &'static str) -> Vec<Audited> {
    kansli::db::read(&app.state.pool, move |c| {
        let mut stmt = c.prepare(
            "SELECT actor, target, ip, detail FROM audit_log WHERE action = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([action], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect()
    })
    .await
    .unwrap()
}

fn entry(actor: &str, target: &str, detail: Option<&str>) -> Audited {
    (
        actor.into(),
        Some(target.into()),
        Some("127.0.0.1".into()),
        detail.map(str::to_string),
    )
}

#[tokio::test]
async fn support_opening_an_account_summary_is_audited_and_so_is_a_missing_id() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let id: i64 = kansli::db::read(&app.state.pool, |c| {
        c.query_row("SELECT id FROM accounts", [], |r| r.get(0))
    })
    .await
    .unwrap();
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    assert_eq!(
        desk.get(&format!("/staff/support/{id}")).await.status(),
        200
    );
    let missing = id + 1;
    assert_eq!(
        desk.get(&format!("/staff/support/{missing}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        audited(&app, "support_account_viewed").await,
        [
            entry(
                "desk@agency.se",
                "ana@example.se",
                Some(&format!("account {id}"))
            ),
            entry(
                "desk@agency.se",
                &format!("account {missing}"),
                Some("not found")
            ),
        ]
    );
}

#[tokio::test]
async fn caseworkers_opening_a_case_file_or_a_document_is_audited() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "visit-visa").await;
    let photo = kansli::domain::documents::samples::jpeg(40, 30);
    let reference = kansli::domain::secret::public_reference();
    let (key, bytes) = (reference.clone(), photo.clone());
    kansli::db::write(&app.state.pool, move |tx| {
        let draft: i64 = tx.query_row("SELECT draft_id FROM cases", [], |r| r.get(0))?;
        let document = kansli::db::documents::NewDocument {
            reference: &key,
            draft,
            field: "passport_photo_page",
            filename: "pass.jpg",
            mime: "image/jpeg",
            bytes: &bytes,
            thumbnail: &bytes,
        };
        kansli::db::documents::replace(tx, &document, START)
    })
    .await
    .unwrap();
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    assert_eq!(
        cw.get(&format!("/staff/cases/{number}")).await.status(),
        200
    );
    let res = cw.get(&format!("/staff/documents/{reference}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap(), photo);
    assert_eq!(
        cw.get("/staff/documents/no-such-document").await.status(),
        404
    );
    assert_eq!(
        audited(&app, "case_viewed").await,
        [entry("cw@agency.se", &number, None)]
    );
    assert_eq!(
        audited(&app, "case_document_viewed").await,
        [
            entry("cw@agency.se", &reference, None),
            entry("cw@agency.se", "no-such-document", Some("not found")),
        ]
    );
}

#[tokio::test]
async fn a_staff_member_refused_by_a_role_check_is_audited() {
    let app = spawn_app().await;
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    let admin = staff(&app, "admin@agency.se", Role::Admin).await;
    assert_eq!(desk.get("/staff/cases?status=received").await.status(), 403);
    assert_eq!(desk.get("/staff/audit").await.status(), 403);
    assert_eq!(admin.get("/staff/support/1").await.status(), 403);
    assert_eq!(
        audited(&app, "staff_refused").await,
        [
            // The path only: a query can hold a search for a personal identity number.
            entry("desk@agency.se", "/staff/cases", Some("caseworker")),
            entry("desk@agency.se", "/staff/audit", Some("admin")),
            entry("admin@agency.se", "/staff/support/1", Some("support")),
        ]
    );
}

#[tokio::test]
async fn names_that_reorder_or_hide_text_are_refused_in_both_languages() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    for (name, lang, message) in [
        (
            "Ana\u{202E}gpj.exe",
            "sv",
            "Förnamn: Ta bort de osynliga tecknen",
        ),
        (
            "An\u{200B}a",
            "en",
            "Given names: Remove the invisible characters",
        ),
        ("\u{2067}Ana\u{2069}", "en", "Given names: Remove"),
        ("\u{FEFF}Ana", "en", "Given names: Remove"),
    ] {
        app.get(&format!("/lang/{lang}?back=/")).await;
        let mut fields = APPLICANT.to_vec();
        fields.retain(|(k, _)| *k != "given_names");
        fields.push(("given_names", name));
        let res = post_page(&app, &reference, "applicant", &fields, "next").await;
        assert_eq!(res.status(), 422, "{name:?}");
        let html = html_of(res).await;
        let error = first_text(&html, "#given_names-error");
        assert!(error.starts_with(message), "{name:?}: {error}");
    }
    // A name in any script, with its accents, is fine.
    let mut fields = APPLICANT.to_vec();
    fields.retain(|(k, _)| *k != "given_names");
    fields.push(("given_names", "Ана-Марія Ñúñez"));
    let res = post_page(&app, &reference, "applicant", &fields, "next").await;
    assert_redirect(&res, &page(&reference, "passport"));
}
