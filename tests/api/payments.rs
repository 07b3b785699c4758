//! Paying the fee through the built-in mock acquirer (over real HTTP, as a
//! provider), submission with a verification number, receipts and My Page.
use crate::helpers::*;
use kansli::domain::rules::{DAY, MINUTE};
use kansli::domain::verification::VerificationNumber;
use kansli::fakes::mock_acquirer::card::TEST_CARDS;

const CHALLENGE: &str = "4000 0025 0000 3155";
const CHALLENGE_THEN_DECLINED: &str = "4000 0084 0000 1629";
const DECLINED: &str = "4000 0000 0000 0002";
const EXPIRED_CARD: &str = "4000 0000 0000 0069";
const WRONG_CVC: &str = "4000 0000 0000 0127";
const PROCESSING_ERROR: &str = "4000 0000 0000 0119";
const ISSUER_UNREACHABLE: &str = "4000 0000 0000 3220";

/// An approved visit-visa application, ready to pay.
async fn approved() -> (TestApp, String) {
    let (app, reference) = complete().await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    (app, reference)
}

/// Answers the bank's 3-D Secure page with `code` or cancels (None).
async fn answer_challenge(app: &TestApp, challenge: &str, code: Option<&str>) -> String {
    let res = match code {
        Some(code) => {
            app.submit(
                challenge,
                challenge,
                &[("code", code), ("action", "approve")],
            )
            .await
        }
        None => {
            app.submit(challenge, challenge, &[("action", "cancel")])
                .await
        }
    };
    location(app, &res)
}

/// The code the test bank shows on its page.
async fn shown_code(app: &TestApp, challenge: &str) -> String {
    first_text(&app.get_html(challenge).await, "strong.code")
}

async fn failure_message(app: &TestApp, reference: &str) -> String {
    first_text(&app.get_html(&pay_page(reference)).await, ".notice-warning")
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    kansli::db::read(&app.state.pool, move |c| c.query_row(sql, [], |r| r.get(0)))
        .await
        .unwrap()
}

#[tokio::test]
async fn every_test_card_ends_as_designed_and_failures_can_be_retried_until_one_succeeds() {
    let (app, reference) = approved().await;
    let submitted = format!("/applications/{reference}/submitted");
    let back_to_pay = pay_page(&reference);

    // Cards that end at once, each with its own message in the person's language.
    for (card, message) in [
        (DECLINED, "Din bank nekade betalningen. Kontakta din bank"),
        (EXPIRED_CARD, "Kortet har gått ut"),
        // Three digits, or four for American Express.
        (
            WRONG_CVC,
            "Säkerhetskoden (CVC) var fel. Kontrollera koden, tre siffror på kortets baksida eller fyra på framsidan för American Express,",
        ),
        (
            PROCESSING_ERROR,
            "Något gick fel när betalningen behandlades",
        ),
        (ISSUER_UNREACHABLE, "Det gick inte att nå din bank"),
    ] {
        let card_page = press_pay(&app, &reference).await;
        let back = pay_with(&app, &card_page, card).await;
        assert_eq!(come_back(&app, &back).await, back_to_pay, "{card}");
        let shown = failure_message(&app, &reference).await;
        assert!(shown.contains(message), "{card}: {shown}");
    }

    // 3-D Secure passed, then declined by the bank.
    let card_page = press_pay(&app, &reference).await;
    let challenge = pay_with(&app, &card_page, CHALLENGE_THEN_DECLINED).await;
    assert!(challenge.starts_with("/mock-acquirer/3ds/"), "{challenge}");
    let code = shown_code(&app, &challenge).await;
    let back = answer_challenge(&app, &challenge, Some(&code)).await;
    assert_eq!(come_back(&app, &back).await, back_to_pay);
    assert!(failure_message(&app, &reference).await.contains("nekade"));

    // A wrong code fails; so does cancelling at the bank.
    let card_page = press_pay(&app, &reference).await;
    let challenge = pay_with(&app, &card_page, CHALLENGE).await;
    let code = shown_code(&app, &challenge).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // Three tries: the first two wrong codes ask again, saying how many are left.
    for left in ["2", "1"] {
        let res = app
            .submit(
                &challenge,
                &challenge,
                &[("code", wrong), ("action", "approve")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let error = first_text(&html_of(res).await, "#code-error");
        assert!(
            error.contains(&format!("Koden var fel. Du har {left} försök kvar.")),
            "{error}"
        );
    }
    let back = answer_challenge(&app, &challenge, Some(wrong)).await;
    come_back(&app, &back).await;
    assert!(failure_message(&app, &reference)
        .await
        .contains("kunde inte bekräfta att det var du"));
    let card_page = press_pay(&app, &reference).await;
    let challenge = pay_with(&app, &card_page, CHALLENGE).await;
    let back = answer_challenge(&app, &challenge, None).await;
    come_back(&app, &back).await;
    assert!(failure_message(&app, &reference)
        .await
        .contains("Du avbröt betalningen"));

    // Cancelling on the card form.
    let card_page = press_pay(&app, &reference).await;
    let res = app
        .submit(&card_page, &format!("{card_page}/cancel"), &[])
        .await;
    come_back(&app, &location(&app, &res)).await;
    assert!(failure_message(&app, &reference)
        .await
        .contains("Du avbröt betalningen"));

    // The right code, with reloads in the middle: the bank's page again, the
    // portal's return too early, and "Pay" pressed again in another tab.
    let card_page = press_pay(&app, &reference).await;
    let challenge = pay_with(&app, &card_page, CHALLENGE).await;
    let code = shown_code(&app, &challenge).await;
    assert_eq!(
        shown_code(&app, &challenge).await,
        code,
        "a reload shows the same step"
    );
    assert_eq!(
        press_pay(&app, &reference).await,
        card_page,
        "the same attempt continues"
    );
    assert_eq!(location(&app, &app.get(&card_page).await), challenge);
    let attempt: String = kansli::db::read(&app.state.pool, |c| {
        c.query_row(
            "SELECT reference FROM payments ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
    })
    .await
    .unwrap();
    assert_eq!(
        come_back(&app, &format!("/payments/{attempt}/return")).await,
        format!("{back_to_pay}?pending=1")
    );
    let back = answer_challenge(&app, &challenge, Some(&code)).await;
    assert_eq!(come_back(&app, &back).await, submitted);
    assert_eq!(
        come_back(&app, &back).await,
        submitted,
        "a reload changes nothing"
    );

    // After success there is no new attempt.
    assert_redirect(&app.get(&back_to_pay).await, &submitted);
    let res = app
        .post_raw(
            &format!("/applications/{reference}/pay"),
            &[("csrf", &app.csrf("/account", "/logout").await)],
            Default::default(),
        )
        .await;
    assert_redirect(&res, &submitted);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM payments WHERE state = 'success'"
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT count(*) FROM payments").await, 10);
    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, 1);

    // Nothing but brand and last four digits of any card was kept.
    let mut stored = std::fs::read(app.dir.path().join("kansli.db")).unwrap();
    if let Ok(wal) = std::fs::read(app.dir.path().join("kansli.db-wal")) {
        stored.extend(wal);
    }
    for (number, _) in TEST_CARDS {
        assert!(
            !stored.windows(number.len()).any(|w| w == number.as_bytes()),
            "card number {number} found in the database"
        );
    }
}

/// The status of the first message to `to` with this subject, once it is not queued.
async fn delivered(app: &TestApp, to: &str, subject: &str) -> String {
    loop {
        let status = app
            .messages_to(to)
            .await
            .into_iter()
            .find(|m| m.subject == subject)
            .map(|m| m.status);
        match status {
            Some(s) if s != "queued" => return s,
            _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}

#[tokio::test]
async fn the_confirmation_email_of_a_paid_application_leaves_at_once() {
    let (app, reference) = approved().await;
    pay_fully(&app, &reference, APPROVED).await;
    // Committing the submission wakes the delivery worker: the email does not
    // wait for the worker's 30-second sweep.
    let status = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        delivered(&app, "ana@example.com", "Din ansökan är inskickad"),
    )
    .await
    .expect("the confirmation email left within a second");
    assert_eq!(status, "sent");
}

#[tokio::test]
async fn the_approved_card_submits_with_a_box_an_email_and_a_case_on_my_page() {
    let (app, reference) = approved().await;
    let submitted = pay_fully(&app, &reference, APPROVED).await;
    assert_eq!(submitted, format!("/applications/{reference}/submitted"));

    let html = app.get_html(&submitted).await;
    assert_eq!(
        first_text(&html, ".panel-confirmation h1"),
        "Din ansökan är betald och inskickad"
    );
    let number = first_text(&html, ".verification-number");
    let parsed = VerificationNumber::parse(&number).expect("a valid verification number");
    assert_eq!(parsed.as_str(), number);

    // To the address the application gave.
    let mail = app
        .message_titled("ana@example.com", "Din ansökan är inskickad")
        .await;
    let html_part = mail.html.as_deref().unwrap();
    for part in [mail.text.as_str(), html_part] {
        assert!(part.contains(&number), "{part}");
        assert!(part.contains("Visum för besök"), "{part}");
        assert!(part.contains("2026-11-21"), "{part}");
        assert!(part.contains("1\u{a0}000 kr"), "{part}");
        for private in ["Öberg", "AB1234567", "Storgatan", "0000"] {
            assert!(!part.contains(private), "{private} in the email: {part}");
        }
    }
    // It links to My Page, where the case can be followed.
    let my_page = format!("{}/account", app.state.settings.public_url());
    assert!(
        mail.text.contains(&format!("\n{my_page}\n")),
        "{}",
        mail.text
    );
    let link = format!("a[href='{my_page}']");
    let html_part = scraper::Html::parse_document(html_part);
    assert_eq!(first_text(&html_part, &link), "Gå till Mina sidor");

    let my_page = app.get_html("/account").await;
    assert_eq!(first_text(&my_page, ".case .verification-number"), number);
    assert!(first_text(&my_page, ".case .status-tag").contains("Mottagen"));
    assert_eq!(href_of(&my_page, ".case h3 a"), format!("/cases/{number}"));
    assert!(
        select_text(&my_page, "table.drafts td").is_empty(),
        "no longer a draft"
    );
}

#[tokio::test]
async fn fifty_concurrent_returns_give_one_success_one_case_and_one_email() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    let back = pay_with(&app, &card_page, APPROVED).await;
    let returns = (0..50).map(|_| app.get(&back));
    let answers = futures_util::future::join_all(returns).await;
    for res in &answers {
        assert_eq!(
            location(&app, res),
            format!("/applications/{reference}/submitted")
        );
    }
    assert_submitted_once(&app).await;
}

/// One successful payment, one case with its first status, one confirmation email.
async fn assert_submitted_once(app: &TestApp) {
    assert_eq!(
        count(app, "SELECT count(*) FROM payments WHERE state = 'success'").await,
        1
    );
    assert_eq!(count(app, "SELECT count(*) FROM cases").await, 1);
    assert_eq!(count(app, "SELECT count(*) FROM case_events").await, 1);
    let confirmations = app
        .messages()
        .await
        .into_iter()
        .filter(|m| m.subject == "Din ansökan är inskickad")
        .count();
    assert_eq!(confirmations, 1);
}

#[tokio::test]
async fn a_payment_older_than_ninety_minutes_cannot_complete() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    // The person stays active in the portal (its idle limit is 30 minutes).
    for _ in 0..3 {
        app.clock.advance(30 * MINUTE - 1);
        assert_eq!(app.get("/account").await.status(), 200);
    }
    app.clock.advance(2);
    assert_eq!(
        app.get(&card_page).await.status(),
        200,
        "still open at 89:59"
    );
    app.clock.advance(1);
    let res = app
        .submit(
            &pay_page(&reference),
            &format!("/applications/{reference}/pay"),
            &[],
        )
        .await;
    let fresh = location(&app, &res);
    assert_ne!(fresh, card_page, "an expired attempt is not continued");

    // The old page cannot take a card any more.
    let html = app.get_html(&card_page).await;
    assert_eq!(
        first_text(&html, "h1"),
        "Den här betalningen kan inte fortsätta"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM payments WHERE outcome = 'expired'"
        )
        .await,
        1
    );
    // The fresh attempt works.
    let back = pay_with(&app, &fresh, APPROVED).await;
    assert!(come_back(&app, &back).await.ends_with("/submitted"));
}

#[tokio::test]
async fn a_tampered_amount_changes_nothing() {
    let (app, reference) = approved().await;
    let action = format!("/applications/{reference}/pay");
    let res = app
        .submit(&pay_page(&reference), &action, &[("amount", "1")])
        .await;
    let card_page = location(&app, &res);
    let res = app
        .submit(
            &card_page,
            &card_page,
            &[
                ("number", APPROVED),
                ("expiry", "12/29"),
                ("cvc", "123"),
                ("name", "Ana"),
                ("amount", "1"),
            ],
        )
        .await;
    come_back(&app, &location(&app, &res)).await;
    assert_eq!(
        count(&app, "SELECT amount FROM payments WHERE state = 'success'").await,
        100_000,
        "the visit visa's fee, 1 000 kr in öre"
    );
    assert_eq!(
        count(&app, "SELECT amount FROM mock_acquirer_payments").await,
        100_000
    );
}

#[tokio::test]
async fn the_card_form_explains_each_problem_beside_its_field_and_forgets_the_cvc() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    let html = app.get_html(&card_page).await;
    let listed = select_text(&html, ".test-cards td.card-number");
    assert_eq!(
        listed.len(),
        TEST_CARDS.len(),
        "test cards listed on the form"
    );
    let res = app
        .submit(
            &card_page,
            &card_page,
            &[
                ("number", "4000 0000 0000 0003"),
                ("expiry", "10/26"),
                ("cvc", "12<"),
                ("name", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = html_of(res).await;
    assert!(first_text(&html, "#number-error").contains("Kortnumret stämmer inte"));
    assert!(first_text(&html, "#expiry-error").contains("Kortet har gått ut"));
    assert!(first_text(&html, "#cvc-error").contains("Skriv säkerhetskoden"));
    assert!(first_text(&html, "#name-error").contains("Skriv namnet på kortet"));
    assert_eq!(value_of(&html, "#number").unwrap(), "4000 0000 0000 0003");
    assert_eq!(
        value_of(&html, "#cvc").unwrap(),
        "",
        "the CVC is never shown again"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM payments WHERE state = 'started'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn my_page_shows_more_with_two_step_verification() {
    let (app, reference) = approved().await;
    pay_fully(&app, &reference, APPROVED).await;
    let my_page = app.get_html("/account").await;
    let number = first_text(&my_page, ".case .verification-number");
    assert!(first_text(&my_page, ".notice-info").contains("tvåstegsverifiering"));
    assert!(select_text(&my_page, "table.receipts td").is_empty());
    let case = app.get_html(&format!("/cases/{number}")).await;
    assert!(first_text(&case, ".status-tag").contains("Mottagen"));
    assert!(select_text(&case, "ol.timeline li")[0].contains("Mottagen"));
    assert!(
        select_text(&case, ".link-list a").is_empty(),
        "no answers or receipt links"
    );
    let review = app
        .get_html(&format!("/applications/{reference}/review"))
        .await;
    assert!(
        select_text(&review, ".review-page").is_empty(),
        "no answers"
    );
    let payment: String = kansli::db::read(&app.state.pool, |c| {
        c.query_row("SELECT reference FROM payments", [], |r| r.get(0))
    })
    .await
    .unwrap();
    let receipt = app.get_html(&format!("/receipts/{payment}")).await;
    assert!(select_text(&receipt, "dl.summary-list dd").is_empty());

    app.enable_two_step("0701234567").await;
    app.logout().await;
    assert_redirect(&app.login("a@example.se", PASSWORD).await, "/login/sms");
    let code = app.code_for("+46701234567").await;
    app.submit("/login/sms", "/login/sms", &[("code", &code)])
        .await;
    let my_page = app.get_html("/account").await;
    assert_eq!(select_text(&my_page, "table.receipts tbody tr").len(), 1);
    let case = app.get_html(&format!("/cases/{number}")).await;
    assert_eq!(select_text(&case, ".link-list a").len(), 2);
    let review = app
        .get_html(&format!("/applications/{reference}/review"))
        .await;
    assert_eq!(select_text(&review, ".review-page").len(), 4);
    let receipt = app.get_html(&format!("/receipts/{payment}")).await;
    let facts = select_text(&receipt, "dl.summary-list dd");
    assert!(facts.contains(&number), "{facts:?}");
    assert!(facts.contains(&"1\u{a0}000 kr".to_string()), "{facts:?}");
    assert!(
        facts
            .iter()
            .any(|f| f.contains("Visa") && f.ends_with("0000")),
        "{facts:?}"
    );
}

#[tokio::test]
async fn another_persons_case_receipt_and_documents_answer_404() {
    let (app, reference) = approved().await;
    pay_fully(&app, &reference, APPROVED).await;
    let number = first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    );
    let (payment, document): (String, String) = kansli::db::read(&app.state.pool, |c| {
        c.query_row(
            "SELECT (SELECT reference FROM payments), (SELECT reference FROM documents)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    })
    .await
    .unwrap();
    let other = app.new_browser();
    other.create_account("b@example.se").await;
    for path in [
        format!("/cases/{number}"),
        format!("/receipts/{payment}"),
        format!("/documents/{document}/file"),
        format!("/payments/{payment}/return"),
    ] {
        assert_eq!(other.get(&path).await.status(), 404, "{path}");
    }
    // An application's own address is answered as a deleted one is.
    let path = format!("/applications/{reference}/submitted");
    assert_eq!(other.get(&path).await.status(), 410, "{path}");
}

/// Keeps the person's session alive while `minutes` pass.
async fn stay_active(app: &TestApp, minutes: i64) {
    let mut left = minutes * MINUTE;
    while left > 0 {
        let step = left.min(29 * MINUTE);
        app.clock.advance(step);
        left -= step;
        assert_eq!(app.get("/account").await.status(), 200);
    }
}

async fn exec(app: &TestApp, sql: &'static str) {
    kansli::db::write(&app.state.pool, move |tx| tx.execute_batch(sql))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_person_who_paid_and_never_came_back_is_not_charged_twice() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    // Paid at the provider; the browser closed before the return.
    let back = pay_with(&app, &card_page, APPROVED).await;
    assert!(back.starts_with("/payments/"), "{back}");
    stay_active(&app, 91).await;

    // "Pay" again: the portal asks the provider, finds the success and submits.
    let res = app
        .submit(
            &pay_page(&reference),
            &format!("/applications/{reference}/pay"),
            &[],
        )
        .await;
    assert_eq!(
        location(&app, &res),
        format!("/applications/{reference}/submitted")
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM mock_acquirer_payments").await,
        1,
        "no second charge was started"
    );
    assert_submitted_once(&app).await;
}

#[tokio::test]
async fn an_attempt_the_provider_still_processes_is_continued_not_replaced() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    assert_eq!(app.get(&card_page).await.status(), 200);
    // A provider whose own window is longer than the portal's 90 minutes.
    exec(
        &app,
        "UPDATE mock_acquirer_payments SET created_at = created_at + 7200",
    )
    .await;
    stay_active(&app, 95).await;
    assert_eq!(press_pay(&app, &reference).await, card_page);
    assert_eq!(
        count(&app, "SELECT count(*) FROM payments").await,
        1,
        "no second attempt while the provider has one in progress"
    );
    let back = pay_with(&app, &card_page, APPROVED).await;
    assert!(come_back(&app, &back).await.ends_with("/submitted"));
}

#[tokio::test]
async fn the_reconcile_job_submits_an_application_whose_person_never_came_back() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    pay_with(&app, &card_page, APPROVED).await;
    let report = kansli::jobs::reconcile_payments(&app.state, app.clock.now())
        .await
        .unwrap();
    assert_eq!(report, 0, "a fresh attempt is left to the person's return");
    app.clock.advance(16 * MINUTE);
    let report = kansli::jobs::reconcile_payments(&app.state, app.clock.now())
        .await
        .unwrap();
    assert_eq!(report, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM cases").await, 1);
    let html = app.get_html("/account").await;
    assert!(first_text(&html, ".case .status-tag").contains("Mottagen"));
}

#[tokio::test]
async fn a_second_success_for_a_paid_application_is_refunded_and_logged() {
    let (app, reference) = approved().await;
    let first_page = press_pay(&app, &reference).await;
    let first_back = pay_with(&app, &first_page, APPROVED).await;
    // The provider answered wrongly about the first attempt, so a second was made.
    exec(
        &app,
        "UPDATE payments SET state = 'error', outcome = 'processing_error' WHERE attempt = 1",
    )
    .await;
    let submitted = pay_fully(&app, &reference, APPROVED).await;
    assert!(submitted.ends_with("/submitted"), "{submitted}");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM mock_acquirer_payments WHERE state = 'success'"
        )
        .await,
        2,
        "charged twice at the provider"
    );

    // The first attempt's success arrives late.
    exec(
        &app,
        "UPDATE payments SET state = 'started', outcome = NULL WHERE attempt = 1",
    )
    .await;
    assert_eq!(come_back(&app, &first_back).await, submitted);
    assert_eq!(
        count(&app, "SELECT sum(refunded) FROM mock_acquirer_payments").await,
        100_000,
        "the second charge went back to the card"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM payments WHERE outcome = 'duplicate' AND refunded_at IS NOT NULL"
        )
        .await,
        1
    );
    let logged = audit_rows(&app, "payment_refunded").await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(
        logged[0].2.as_deref().unwrap_or("").contains("100000"),
        "{logged:?}"
    );
    let html = app.get_html(&submitted).await;
    assert!(
        first_text(&html, ".notice-info").contains("har återbetalats till ditt kort"),
        "the person is told"
    );
}

#[tokio::test]
async fn the_mock_acquirer_refunds_only_what_was_paid_and_a_retry_refunds_nothing_more() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    let id = card_page.rsplit('/').next().unwrap().to_string();
    let key = kansli::fakes::mock_acquirer::api_key(&app.web);
    let refund = |amount: i64| {
        app.client
            .post(app.url(&format!("/mock-acquirer/api/payments/{id}/refunds")))
            .bearer_auth(&key)
            .header("Idempotency-Key", "r1")
            .json(&serde_json::json!({ "amount": amount }))
            .send()
    };
    assert_eq!(refund(100_000).await.unwrap().status(), 409, "not paid yet");
    pay_with(&app, &card_page, APPROVED).await;
    assert_eq!(
        refund(100_001).await.unwrap().status(),
        409,
        "more than paid"
    );
    for _ in 0..2 {
        let res = refund(100_000).await.unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["refunded"], 100_000);
    }
    assert_eq!(
        count(&app, "SELECT refunded FROM mock_acquirer_payments").await,
        100_000
    );
    let anonymous = app
        .client
        .post(app.url(&format!("/mock-acquirer/api/payments/{id}/refunds")))
        .json(&serde_json::json!({ "amount": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn an_approved_application_says_until_when_it_can_be_paid_and_then_is_gone() {
    let (app, reference) = approved().await;
    let approved_at = app.clock.now();
    let last_day = kansli::domain::date::Date::in_sweden(approved_at + 30 * DAY - 1).to_string();
    let html = app.get_html(&pay_page(&reference)).await;
    assert!(
        first_text(&html, ".pay-by").contains(&format!("Betala senast {last_day}.")),
        "{}",
        first_text(&html, ".pay-by")
    );
    app.clock.set(approved_at + 30 * DAY);
    app.login("a@example.se", PASSWORD).await;
    assert_eq!(app.get(&pay_page(&reference)).await.status(), 410);
    assert_eq!(
        kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn an_approved_application_with_a_payment_in_progress_is_not_deleted() {
    let (app, reference) = approved().await;
    let approved_at = app.clock.now();
    let card_page = press_pay(&app, &reference).await;
    assert_eq!(app.get(&card_page).await.status(), 200);
    app.clock.set(approved_at + 31 * DAY);
    assert_eq!(
        kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
            .await
            .unwrap(),
        0,
        "the provider may still report it paid"
    );
}

#[tokio::test]
async fn case_messages_go_to_the_address_given_in_the_application() {
    let (app, reference) = approved().await;
    pay_fully(&app, &reference, APPROVED).await;
    // The confirmation goes to the application's address.
    let confirmation = app
        .message_titled("ana@example.com", "Din ansökan är inskickad")
        .await;
    let number = first_text(
        &app.get_html(&format!("/applications/{reference}/submitted"))
            .await,
        ".verification-number",
    );
    assert!(confirmation.text.contains(&number));
    let to_account: Vec<_> = app
        .messages_to("a@example.se")
        .await
        .into_iter()
        .filter(|m| m.subject.contains("inskickad") || m.subject.contains("ärende"))
        .collect();
    assert_eq!(to_account.len(), 1, "the account's address is told once");
    assert!(
        to_account[0].text.contains("a•••@example.com"),
        "{}",
        to_account[0].text
    );
    assert!(to_account[0].text.contains(&number));

    // A caseworker's status change is news for the application's address too.
    let cw = staff(
        &app,
        "cw@agency.se",
        kansli::domain::staff::Role::Caseworker,
    )
    .await;
    let res = change_status(&cw, &number, "in_progress", "").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let news = app.messages_to("ana@example.com").await;
    assert!(
        news.iter()
            .any(|m| m.subject == "Nyheter i ditt ärende" && m.text.contains(&number)),
        "{news:?}"
    );
    assert_eq!(
        app.messages_to("a@example.se")
            .await
            .into_iter()
            .filter(|m| m.subject.contains("inskickad") || m.subject.contains("ärende"))
            .count(),
        1,
        "nothing more to the account's address"
    );
}

#[tokio::test]
async fn no_new_attempt_is_made_while_the_provider_cannot_be_asked() {
    // The provider: another Kansli's mock acquirer, reached over HTTP.
    let provider = spawn_app().await;
    let key = kansli::fakes::mock_acquirer::api_key(&provider.web);
    let url = provider.url("/mock-acquirer/api");
    let app = spawn_app_with(move |s| {
        s.payment = Some(kansli::settings::PaymentSettings {
            url,
            api_key: key.into(),
            page_origin: None,
        })
    })
    .await;
    app.create_account("a@example.se").await;
    let (app, reference) = complete_in(app).await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    let pay = format!("/applications/{reference}/pay");
    let res = app.submit(&pay_page(&reference), &pay, &[]).await;
    let card_page = res.headers()["location"].to_str().unwrap().to_string();
    assert!(card_page.starts_with(&provider.address), "{card_page}");

    // The provider goes away; the portal's 90 minutes pass.
    provider.stop().await;
    stay_active(&app, 91).await;
    let res = app.submit(&pay_page(&reference), &pay, &[]).await;
    assert_eq!(res.status(), 500, "the person is told something went wrong");
    assert_eq!(
        count(&app, "SELECT count(*) FROM payments").await,
        1,
        "no second attempt while the first one's outcome is unknown"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM payments WHERE state = 'started'"
        )
        .await,
        1,
        "nor is the first given up"
    );
}

#[tokio::test]
async fn amounts_read_one_way_in_each_language_on_the_chooser_the_pay_page_and_the_email() {
    let fees = |html: &scraper::Html| select_text(html, ".card ul.facts li").join(" | ");
    let (app, reference) = approved().await;
    let chooser = app.get_html("/applications/new").await;
    assert!(
        fees(&chooser).contains("Avgift: 1\u{a0}000 kr"),
        "{}",
        fees(&chooser)
    );
    let pay = app.get_html(&pay_page(&reference)).await;
    assert_eq!(first_text(&pay, "dd.amount"), "1\u{a0}000 kr");

    // A person who chose English before creating the account.
    let app = spawn_app().await;
    app.get("/lang/en?back=/").await;
    app.create_account("a@example.se").await;
    let chooser = app.get_html("/applications/new").await;
    assert!(
        fees(&chooser).contains("Fee: SEK 1,000"),
        "{}",
        fees(&chooser)
    );
    assert!(
        fees(&chooser).contains("Fee: SEK 2,200"),
        "{}",
        fees(&chooser)
    );
    let (app, reference) = complete_in(app).await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    let pay = app.get_html(&pay_page(&reference)).await;
    assert_eq!(first_text(&pay, "dd.amount"), "SEK 1,000");
    pay_fully(&app, &reference, APPROVED).await;
    let mail = app
        .message_titled("ana@example.com", "Your application has been submitted")
        .await;
    assert!(
        mail.text.contains("Amount paid: SEK 1,000."),
        "{}",
        mail.text
    );
}

#[tokio::test]
async fn a_submitted_application_shows_its_verification_number_and_date() {
    let app = logged_in().await;
    app.enable_two_step("0701234567").await;
    let (app, reference) = complete_in(app).await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    pay_fully(&app, &reference, APPROVED).await;
    let number = first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    );
    let html = app.get_html(&review(&reference)).await;
    assert_eq!(first_text(&html, "h1"), "Din inskickade ansökan");
    let facts = select_text(&html, ".print-facts dd");
    assert!(facts.contains(&number), "{facts:?}");
    assert!(facts.contains(&"2026-11-21".to_string()), "{facts:?}");
    assert!(select_text(&html, ".notice a[href$='/approved']").is_empty());
}

#[tokio::test]
async fn the_receipt_names_payee_payer_time_reference_vat_number_and_card() {
    let app = spawn_app_with(|s| {
        s.contact.organisation_name = "Myndigheten <&\"'>".into();
        s.contact.organisation_number = "202100-2163".into();
    })
    .await;
    app.create_account("a@example.se").await;
    app.enable_two_step("0701234567").await;
    let (app, reference) = complete_in(app).await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    pay_fully(&app, &reference, APPROVED).await;
    let (payment, paid_at): (String, i64) = kansli::db::read(&app.state.pool, |c| {
        c.query_row("SELECT reference, finished_at FROM payments", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    })
    .await
    .unwrap();
    let number = first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    );
    let receipt = app.get_html(&format!("/receipts/{payment}")).await;
    let payee = fact(&receipt, "Betalningsmottagare");
    assert!(payee.contains("Myndigheten <&\"'>"), "{payee}");
    assert!(payee.contains("202100-2163"), "{payee}");
    assert_eq!(fact(&receipt, "Betalare"), "Ana Öberg");
    let when = format!(
        "{} {}",
        kansli::domain::date::Date::in_sweden(paid_at),
        kansli::domain::date::time_in_sweden(paid_at)
    );
    assert_eq!(fact(&receipt, "Betalningstidpunkt"), when);
    assert_eq!(fact(&receipt, "Betalningsreferens"), payment);
    assert_eq!(fact(&receipt, "Betalt belopp"), "1\u{a0}000 kr");
    assert!(fact(&receipt, "Moms").contains("ingen moms"));
    assert_eq!(fact(&receipt, "Kontrollnummer"), number);
    assert_eq!(fact(&receipt, "Kort"), "Visa •••• 0000");
}

#[tokio::test]
async fn a_spouse_application_says_the_person_in_sweden_has_been_emailed_a_questionnaire() {
    let app = logged_in().await;
    let spouse = approved_with(&app, "a@example.se", "spouse-partner", &[]).await;
    let done = pay_fully(&app, &spouse, APPROVED).await;
    let next = |html: &scraper::Html| select_text(html, "main p").join(" ");
    let html = app.get_html(&done).await;
    assert!(
        next(&html).contains("Vi har mejlat en enkät till personen i Sverige"),
        "{}",
        next(&html)
    );
    app.get("/lang/en?back=/").await;
    let html = app.get_html(&done).await;
    assert!(
        next(&html).contains("We have emailed a questionnaire to the person in Sweden"),
        "{}",
        next(&html)
    );
    // A visa has no questionnaire and says nothing of one.
    let (app, visa) = approved().await;
    let html = app.get_html(&pay_fully(&app, &visa, APPROVED).await).await;
    assert!(!next(&html).contains("enkät"), "{}", next(&html));
}

#[tokio::test]
async fn the_payment_description_follows_the_page_language() {
    // Started in Swedish, paid in English.
    let (app, reference) = approved().await;
    app.get("/lang/en?back=/").await;
    let card_page = press_pay(&app, &reference).await;
    let html = app.get_html(&card_page).await;
    let merchant = select_text(&html, "dd").join(" ");
    assert!(merchant.contains("Visa for visits"), "{merchant}");
}

/// A hosted payment page is the provider's, not the portal's: its own name and
/// look, and nothing of the portal's header, menu or login state.
#[tokio::test]
async fn the_mock_acquirers_pages_look_like_a_separate_provider() {
    let (app, reference) = approved().await;
    let card_page = press_pay(&app, &reference).await;
    let card = app.get_html(&card_page).await;
    let challenge = pay_with(&app, &card_page, CHALLENGE).await;
    let bank = app.get_html(&challenge).await;
    for (path, page) in [(&card_page, card), (&challenge, bank)] {
        let html = page.html();
        assert!(
            select_text(&page, ".site-header").is_empty(),
            "{path}: no portal header"
        );
        for portal in ["/account", "/logout", "/login", "/help/"] {
            assert!(
                !html.contains(&format!("href=\"{portal}"))
                    && !html.contains(&format!("action=\"{portal}")),
                "{path}: nothing of the portal ({portal})"
            );
        }
        assert!(!html.contains("a@example.se"), "{path}: no login state");
        assert!(
            first_text(&page, ".provider-brand").contains("Testkort"),
            "{path}: the provider's own name"
        );
        assert!(first_text(&page, "title").contains("Testkort"), "{path}");
        let own_look = scraper::Selector::parse("body.provider").unwrap();
        assert!(
            page.select(&own_look).next().is_some(),
            "{path}: its own look"
        );
    }
}
