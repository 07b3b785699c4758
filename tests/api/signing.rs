//! Approving an application by signing it with BankID: the RP API's `sign`
//! through the simulator over HTTP, only by the applicant, kept with the approval
//! and shown to the caseworker.
use crate::helpers::*;
use kansli::domain::staff::Role;

const ANNA: &str = "199001011239";
const ERIK: &str = "198512244560";
const EMAIL: &str = "ana@example.com";

fn sign_path(reference: &str) -> String {
    format!("/applications/{reference}/sign")
}

/// Presses "Sign with …" (`method`) on the review page.
async fn start_signing(app: &TestApp, reference: &str, method: &str) -> reqwest::Response {
    let page = app.get_html(&review(reference)).await;
    let revision = form_value(&page, &sign_path(reference), "revision");
    app.submit(
        &review(reference),
        &sign_path(reference),
        &[("method", method), ("revision", &revision)],
    )
    .await
}

/// Anna's citizenship application, every page complete, on its review page.
async fn citizenship_ready() -> (TestApp, String) {
    let app = spawn_app().await;
    app.create_account(EMAIL).await;
    let reference = ready_to_approve(&app, EMAIL, "citizenship", &[]).await;
    (app, reference)
}

/// Presses "Sign with BankID on this device"; gives the order's start token.
async fn signing_with_bankid(app: &TestApp, reference: &str) -> String {
    assert_redirect(&start_signing(app, reference, "bankid").await, "/login/eid");
    autostart_token(app).await
}

/// The stored signature of the draft `reference`: (pin, name, visible text, hash, signature, ocsp).
async fn stored(app: &TestApp, reference: &str) -> Option<kansli::db::signatures::Signature> {
    let reference = reference.to_string();
    kansli::db::read(&app.state.pool, move |c| {
        let id: i64 = c.query_row(
            "SELECT id FROM drafts WHERE reference = ?1",
            [&reference],
            |r| r.get(0),
        )?;
        kansli::db::signatures::of_draft(c, id)
    })
    .await
    .unwrap()
}

/// "I have signed" on the order's page (the page's script does it once complete).
async fn finish_signing(app: &TestApp) -> reqwest::Response {
    let csrf = form_value(&app.get_html("/login/eid").await, "/login/eid", "csrf");
    app.post_raw("/login/eid", &[("csrf", &csrf)], Default::default())
        .await
}

async fn approved_at(app: &TestApp, reference: &str) -> Option<i64> {
    let reference = reference.to_string();
    kansli::db::read(&app.state.pool, move |c| {
        c.query_row(
            "SELECT approved_at FROM drafts WHERE reference = ?1",
            [&reference],
            |r| r.get(0),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_application_is_approved_by_signing_with_bankid_and_the_caseworker_sees_the_signature() {
    let (app, reference) = citizenship_ready().await;
    let page = app.get_html(&review(&reference)).await;
    assert!(
        first_text(&page, ".sign-choice").contains("Signera med BankID"),
        "signing is offered beside the box"
    );
    assert!(!select_text(&page, "label[for=confirm]").is_empty());

    assert_redirect(
        &start_signing(&app, &reference, "bankid").await,
        "/login/eid",
    );
    let order = app.get_html("/login/eid").await;
    assert_eq!(first_text(&order, "h1"), "Signera med BankID");
    let signed_text = first_text(&order, ".sign-text blockquote");
    assert!(signed_text.contains("Medborgarskap"), "{signed_text}");
    assert!(signed_text.contains(&reference), "{signed_text}");

    // The app shows the very text the relying party sent.
    let token = autostart_token(&app).await;
    let tester = app.new_browser();
    let opened = tester
        .submit("/sim/bankid/app", "/sim/bankid/app", &[("code", &token)])
        .await;
    let opened = html_of(opened).await;
    assert_eq!(first_text(&opened, ".sim-sign-text"), signed_text);
    in_app(&app, "bankid", &token, "identify", ANNA).await;
    app.clock.advance(2);
    assert_redirect(
        &finish_signing(&app).await,
        &format!("/applications/{reference}/approved"),
    );

    let signature = stored(&app, &reference)
        .await
        .expect("kept with the approval");
    assert_eq!(signature.personal_number, ANNA);
    assert_eq!(signature.name, "Anna Andersson");
    assert_eq!(signature.method, "bankid");
    assert_eq!(signature.visible_text, signed_text);
    assert_eq!(signature.answers_hash.len(), 64);
    assert!(signed_text.contains(&signature.answers_hash));
    assert!(signature.ocsp_response.is_some());
    use base64::Engine;
    let xml = base64::engine::general_purpose::STANDARD
        .decode(&signature.signature)
        .unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(
        xml.contains(&base64::engine::general_purpose::STANDARD.encode(&signature.answers_hash)),
        "the hash is signed along with the text: {xml}"
    );
    assert!(approved_at(&app, &reference).await.is_some());

    // Paid for and submitted: the caseworker sees who signed, when and what.
    assert!(pay_fully(&app, &reference, APPROVED)
        .await
        .ends_with("/submitted"));
    let number = first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    );
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let case = cw.get_html(&format!("/staff/cases/{number}")).await;
    let by = first_text(&case, ".signature .signed-by");
    assert!(by.contains("Anna Andersson"), "{by}");
    assert!(by.contains("19900101-1239"), "{by}");
    assert!(by.contains("BankID"), "{by}");
    assert_eq!(first_text(&case, ".answers-hash"), signature.answers_hash);
    assert_eq!(first_text(&case, ".signature-text"), signed_text);
    assert!(!select_text(&case, ".signature-matches").is_empty());
}

#[tokio::test]
async fn only_the_applicant_can_sign_and_someone_else_is_told_so() {
    let (app, reference) = citizenship_ready().await;

    // The service is asked for Anna only: Erik cannot sign in the app.
    let token = signing_with_bankid(&app, &reference).await;
    let res = in_app(&app, "bankid", &token, "identify", ERIK).await;
    assert_eq!(res.status(), 422);
    app.clock.advance(2);
    assert_eq!(finish_signing(&app).await.status(), 200, "still waiting");
    assert_eq!(approved_at(&app, &reference).await, None);
    assert_eq!(stored(&app, &reference).await, None);

    // Someone known to be Erik (his BankID session, linked to the account) is told
    // at once, and may still approve by ticking the box.
    app.new_browser().create_account("erik@example.se").await;
    let erik = app.new_browser();
    assert_redirect(&bankid_login(&erik, ERIK).await, "/account");
    let res = erik
        .submit(
            "/account",
            "/account/link",
            &[("email", "erik@example.se"), ("password", PASSWORD)],
        )
        .await;
    assert_redirect(&res, "/account?linked=1");
    let his = ready_to_approve(&erik, "erik@example.se", "citizenship", &[]).await;
    let page = erik.get_html(&review(&his)).await;
    assert!(first_text(&page, ".sign-other").contains("Bara den sökande"));
    assert!(select_text(&page, ".sign-choice").is_empty());
    let csrf = form_value(&page, &format!("/applications/{his}/approve"), "csrf");
    let res = erik
        .post_raw(
            &sign_path(&his),
            &[("csrf", &csrf), ("method", "bankid"), ("revision", "0")],
            Default::default(),
        )
        .await;
    assert_redirect(&res, &format!("/applications/{his}/review?unsigned=other"));
    let told = erik
        .get_html(&format!("/applications/{his}/review?unsigned=other"))
        .await;
    assert!(first_text(&told, ".notice-warning").contains("Bara den sökande"));
    assert_eq!(approve(&erik, &his, true).await.status(), 303);
    assert!(approved_at(&app, &his).await.is_some());
}

#[tokio::test]
async fn answers_changed_while_signing_are_not_approved_by_that_signature() {
    let (app, reference) = citizenship_ready().await;
    let token = signing_with_bankid(&app, &reference).await;
    // Another tab saves a page meanwhile.
    let changed = reference.clone();
    kansli::db::write(&app.state.pool, move |tx| {
        tx.execute(
            "UPDATE draft_answers SET value = 'Anya' WHERE field_id = 'given_names'
             AND draft_id = (SELECT id FROM drafts WHERE reference = ?1)",
            [&changed],
        )?;
        tx.execute(
            "UPDATE drafts SET revision = revision + 1 WHERE reference = ?1",
            [&changed],
        )?;
        Ok::<_, kansli::error::AppError>(())
    })
    .await
    .unwrap();
    in_app(&app, "bankid", &token, "identify", ANNA).await;
    app.clock.advance(2);
    let back = format!("/applications/{reference}/review?unsigned=changed");
    assert_redirect(&finish_signing(&app).await, &back);
    assert_eq!(approved_at(&app, &reference).await, None);
    assert_eq!(stored(&app, &reference).await, None);
    let page = app.get_html(&back).await;
    assert!(first_text(&page, ".notice-warning").contains("ändrades efter att du signerade"));
}

#[tokio::test]
async fn an_application_without_a_swedish_number_is_approved_by_the_box_only() {
    let app = spawn_app().await;
    app.create_account(EMAIL).await;
    let reference = ready_to_approve(&app, EMAIL, "visit-visa", &[]).await;
    let page = app.get_html(&review(&reference)).await;
    assert!(select_text(&page, ".sign-choice").is_empty());
    let csrf = form_value(&page, &format!("/applications/{reference}/approve"), "csrf");
    let res = app
        .post_raw(
            &sign_path(&reference),
            &[
                ("csrf", &csrf),
                ("method", "mobile_bankid"),
                ("revision", "0"),
            ],
            Default::default(),
        )
        .await;
    assert_redirect(
        &res,
        &format!("/applications/{reference}/review?unsigned=no_pin"),
    );
}

#[tokio::test]
async fn giving_up_a_signature_goes_back_to_the_application() {
    let (app, reference) = citizenship_ready().await;
    assert_redirect(
        &start_signing(&app, &reference, "mobile_bankid").await,
        "/login/eid",
    );
    let order = app.get_html("/login/eid").await;
    assert!(!select_text(&order, "#eid-qr").is_empty(), "the QR code");
    let res = app.submit("/login/eid", "/login/eid/cancel", &[]).await;
    assert_redirect(&res, &review(&reference));
    assert_eq!(approved_at(&app, &reference).await, None);
}

#[tokio::test]
async fn a_second_signature_for_the_same_person_meanwhile_gets_bankids_message() {
    let (app, reference) = citizenship_ready().await;
    let other_tab = app.new_browser();
    assert_redirect(&other_tab.login(EMAIL, PASSWORD).await, "/account");
    assert_redirect(
        &start_signing(&app, &reference, "bankid").await,
        "/login/eid",
    );
    // The same person starts again on another device: BankID refuses (RFA4).
    let back = format!("/applications/{reference}/review?unsigned=in_progress");
    assert_redirect(
        &start_signing(&other_tab, &reference, "mobile_bankid").await,
        &back,
    );
    let page = other_tab.get_html(&back).await;
    assert!(first_text(&page, ".notice-warning").contains("redan påbörjad"));
}

/// On a shared computer the next person must not find the text the last one was
/// signing: logging out ends the browser's e-identification order.
#[tokio::test]
async fn logging_out_ends_a_signature_in_progress() {
    let (app, reference) = citizenship_ready().await;
    let token = signing_with_bankid(&app, &reference).await;
    let res = app.submit("/account", "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        set.iter()
            .any(|c| c.contains("kansli_eid=") && c.contains("Max-Age=0")),
        "the order's cookie is removed: {set:?}"
    );
    let res = app.get("/login/eid").await;
    assert_ne!(res.status(), 200, "no order page after logging out");
    // And the order is cancelled at the service: the app cannot open it.
    let tester = app.new_browser();
    let opened = tester
        .submit("/sim/bankid/app", "/sim/bankid/app", &[("code", &token)])
        .await;
    assert_eq!(opened.status(), 422, "the order is gone at the service");
}
