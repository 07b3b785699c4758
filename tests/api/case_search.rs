//! The caseworkers' search: by verification number, name, personal identity
//! number or email address; filters, order, and paging with the total.
use crate::helpers::*;
use kansli::domain::staff::Role;
use kansli::domain::Lang;

/// `n` more cases of Bengt Nilsson, `bengt@example.org`, straight into the
/// tables (as many submissions would leave them), one a minute from now.
async fn many_cases(app: &TestApp, n: usize) {
    let account = account_id(app, "ana@example.se").await;
    let now = app.clock.now();
    kansli::db::write(&app.state.pool, move |tx| {
        for i in 0..n {
            let reference = format!("bulk{i}");
            let draft = kansli::db::drafts::insert(
                tx,
                &kansli::db::drafts::NewDraft {
                    reference: &reference,
                    account: Some(kansli::domain::AccountId(account)),
                    form_id: "work-permit",
                    lang: Lang::Sv,
                    expires_at: now,
                },
                now,
            )?;
            let payment = kansli::db::payments::insert(
                tx,
                &kansli::db::payments::NewPayment {
                    reference: &format!("bulkpay{i}"),
                    draft_id: draft,
                    attempt: 1,
                    idempotency_key: &format!("bulkkey{i}"),
                    amount: 100_000,
                },
                now,
            )?;
            kansli::db::cases::insert(
                tx,
                &kansli::db::cases::NewCase {
                    draft_id: draft,
                    account: kansli::domain::AccountId(account),
                    payment_id: payment,
                    form_id: "work-permit",
                    applicant_name: "Bengt Nilsson",
                    applicant_pin: None,
                    applicant_email: "bengt@example.org",
                },
                now + 60 * (i as i64 + 1),
            )?;
        }
        Ok::<_, kansli::error::AppError>(())
    })
    .await
    .unwrap();
}

async fn numbers(cw: &TestApp, query: &[(&str, &str)]) -> Vec<String> {
    let q = serde_urlencoded::to_string(query).unwrap();
    let list = cw.get_html(&format!("/staff/cases?{q}")).await;
    select_text(&list, "table.cases a.verification-number")
}

#[tokio::test]
async fn cases_are_found_by_number_name_personal_identity_number_and_email() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let visit = submitted(&app, "ana@example.se", "visit-visa").await;
    let citizenship = submitted(&app, "ana@example.se", "citizenship").await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;

    assert_eq!(numbers(&cw, &[("q", &visit)]).await, vec![visit.clone()]);
    let both = vec![citizenship.clone(), visit.clone()];
    for name in ["oberg", "ÖBERG", "ana öb", "Öberg, Ana"] {
        assert_eq!(numbers(&cw, &[("q", name)]).await, both, "{name}");
    }
    assert!(numbers(&cw, &[("q", "Anders")]).await.is_empty());
    for pin in ["19900101-1239", "900101-1239", "199001011239"] {
        assert_eq!(
            numbers(&cw, &[("q", pin)]).await,
            vec![citizenship.clone()],
            "{pin}"
        );
    }
    assert_eq!(numbers(&cw, &[("q", " ANA@example.com ")]).await, both);
    assert!(numbers(&cw, &[("q", "ana@example.se")]).await.is_empty());
    // Filters narrow a search.
    assert_eq!(
        numbers(&cw, &[("q", "ana"), ("form", "citizenship")]).await,
        vec![citizenship.clone()]
    );
    assert_eq!(
        numbers(&cw, &[("q", "ana"), ("status", "in_progress")]).await,
        Vec::<String>::new()
    );
    // A name changed later is found by its new words only.
    kansli::db::write(&app.state.pool, |tx| {
        tx.execute(
            "UPDATE cases SET applicant_name = 'Åsa Ek <b>' WHERE form_id = 'visit-visa'",
            [],
        )
    })
    .await
    .unwrap();
    assert_eq!(numbers(&cw, &[("q", "asa")]).await, vec![visit.clone()]);
    assert_eq!(
        numbers(&cw, &[("q", "öberg")]).await,
        vec![citizenship.clone()]
    );

    // What cannot be searched for says so beside the box.
    let res = cw.get("/staff/cases?q=ana%40").await;
    assert_eq!(res.status(), 422);
    let page = html_of(res).await;
    assert!(!first_text(&page, "#q-error").is_empty());
    assert_eq!(value_of(&page, "#q").as_deref(), Some("ana@"));
}

#[tokio::test]
async fn the_list_is_sorted_and_paged_with_its_total() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let first = submitted(&app, "ana@example.se", "visit-visa").await;
    many_cases(&app, 26).await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;

    let page1 = cw.get_html("/staff/cases?assigned=anyone").await;
    assert_eq!(first_text(&page1, ".total"), "Hittade ärenden: 27");
    assert_eq!(select_text(&page1, "table.cases tbody tr").len(), 25);
    assert_eq!(first_text(&page1, ".page-of"), "Sida 1 av 2");
    assert!(select_text(&page1, "a[rel=prev]").is_empty());
    let href = href_of(&page1, "a[rel=next]");
    assert!(href.contains("assigned=anyone"), "{href}");
    let page2 = cw.get_html(&href).await;
    let rest = select_text(&page2, "table.cases a.verification-number");
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1], first, "newest first: the first case is last");
    assert_eq!(first_text(&page2, ".page-of"), "Sida 2 av 2");
    assert!(select_text(&page2, "a[rel=next]").is_empty());

    let oldest = numbers(&cw, &[("assigned", "anyone"), ("sort", "oldest")]).await;
    assert_eq!(oldest[0], first);
    let by_name = cw.get_html("/staff/cases?assigned=anyone&sort=name").await;
    let names = select_text(&by_name, "table.cases td.applicant");
    assert!(names[0].starts_with("Ana"), "{names:?}");
    assert!(names[1].starts_with("Bengt"), "{names:?}");
    let bengt = cw.get_html("/staff/cases?q=bengt%40example.org").await;
    assert_eq!(first_text(&bengt, ".total"), "Hittade ärenden: 26");
}
