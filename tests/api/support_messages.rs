//! The support desk's view of an account's messages: delivery status, and a
//! resend for a message that failed for good.
use crate::helpers::*;
use kansli::domain::staff::Role;

async fn deliver(app: &TestApp) {
    kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
        .await
        .unwrap();
}

/// Marks message `id` failed for good, as the worker does after its last attempt.
async fn fail(app: &TestApp, id: i64, error: &'static str) {
    kansli::db::write(&app.state.pool, move |tx| {
        kansli::db::outbox::mark_attempt_failed(tx, id, error, None, false)
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn support_sees_each_message_status_without_codes_and_resends_a_failed_one() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let code = app.code_for("ana@example.se").await;
    app.enable_two_step("+46701234567").await;
    let sms_code = app.code_for("+46701234567").await;
    // Delivered first, so the worker's round is over before the message fails.
    deliver(&app).await;
    let failed = app.messages_to("ana@example.se").await[0].clone();
    fail(&app, failed.id, "550 mailbox <ana@example.se> unavailable").await;
    let id = account_id(&app, "ana@example.se").await;
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    let summary = format!("/staff/support/{id}");

    let page = desk.get_html(&summary).await;
    let rows = select_text(&page, ".messages tbody tr");
    let all =
        app.messages_to("ana@example.se").await.len() + app.messages_to("+46701234567").await.len();
    assert_eq!(rows.len(), all, "email and SMS, each listed");
    assert!(rows[0].contains(&failed.subject), "newest first: {rows:?}");
    let main = first_text(&page, "main");
    assert!(
        !main.contains(&code) && !main.contains(&sms_code),
        "no code is shown"
    );
    assert!(
        !main.contains("ana@example.se"),
        "the hidden address stays hidden, in errors too"
    );
    let tried = app.messages_to("ana@example.se").await[0].attempts;
    assert_eq!(
        first_text(&page, ".messages tr.failed .attempts"),
        tried.to_string()
    );
    assert!(first_text(&page, ".messages tr.failed .last-error").contains("550 mailbox"));
    assert_eq!(
        select_text(&page, ".messages .resend").len(),
        1,
        "only the failed one"
    );

    let caseworker = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let resend = format!("{summary}/messages/{}/resend", failed.id);
    let token = form_value(
        &caseworker.get_html("/staff").await,
        "/staff/logout",
        "csrf",
    );
    let res = caseworker
        .post_raw(&resend, &[("csrf", &token)], Default::default())
        .await;
    assert_eq!(res.status(), 403, "support's action alone");

    let res = desk.submit(&summary, &resend, &[]).await;
    assert_redirect(&res, &format!("{summary}?done=message"));
    // Queued again with its attempts from zero; the worker, woken by the resend,
    // may already have sent it.
    let again = app.messages_to("ana@example.se").await[0].clone();
    assert_eq!(again.id, failed.id);
    assert!(
        matches!(
            (again.status.as_str(), again.attempts),
            ("queued", 0) | ("sent", 1)
        ),
        "resent: {again:?}"
    );
    assert_eq!(again.last_error, None);
    let audit = audit_rows(&app, "message_resent").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "desk@agency.se");
    assert_eq!(audit[0].1.as_deref(), Some("ana@example.se"));

    deliver(&app).await;
    let sent = app.messages_to("ana@example.se").await[0].clone();
    assert_eq!(sent.status, "sent", "the worker delivers it");
    let token = desk.csrf(&summary, &format!("{summary}/close")).await;
    let res = desk
        .post_raw(&resend, &[("csrf", &token)], Default::default())
        .await;
    assert_eq!(res.status(), 404, "only a failed message is resent");
}
