use crate::helpers::*;
use kansli::domain::rules::MINUTE;

fn link_in(text: &str) -> String {
    let start = text.find("/password/reset?token=").expect("a reset link");
    let token: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    token
}

async fn request_reset(app: &TestApp, email: &str) -> reqwest::Response {
    app.submit("/password/forgot", "/password/forgot", &[("email", email)])
        .await
}

#[tokio::test]
async fn a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing() {
    let app = spawn_app().await;
    let res = request_reset(&app, "nobody@example.se").await;
    assert_redirect(&res, "/password/forgot?sent=1");
    assert!(app.messages().await.is_empty());
}

#[tokio::test]
async fn the_reset_link_sets_a_new_password_ends_all_sessions_and_does_not_log_in() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.enable_two_step("0701234567").await;
    let elsewhere = app.new_browser();
    assert_redirect(
        &request_reset(&elsewhere, "a@example.se").await,
        "/password/forgot?sent=1",
    );
    let mail = app.messages_to("a@example.se").await.remove(0);
    let link = link_in(&mail.text);
    assert!(
        mail.text
            .contains(&format!("{}/password/reset?token=", app.address)),
        "link built from the base URL"
    );

    let new_password = "a brand new passphrase for kansli";
    let token = link.split("token=").nth(1).unwrap().to_string();
    let res = elsewhere
        .submit(
            &link,
            "/password/reset",
            &[
                ("token", &token),
                ("password", new_password),
                ("password_repeat", new_password),
            ],
        )
        .await;
    assert_redirect(&res, "/password/reset?done=1");
    assert_redirect(&elsewhere.get("/account").await, "/login");
    assert_redirect(&app.get("/account").await, "/login");
    assert_eq!(
        app.messages_to("a@example.se").await[0].subject,
        "Ditt lösenord har ändrats"
    );

    // Single use.
    let html = elsewhere.get_html(&link).await;
    assert_eq!(first_text(&html, "h1"), "Länken fungerar inte");
    // Two-step is still asked.
    assert_redirect(
        &elsewhere.login("a@example.se", new_password).await,
        "/login/sms",
    );
}

#[tokio::test]
async fn a_reset_link_expires_after_thirty_minutes() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    request_reset(&app, "a@example.se").await;
    let link = link_in(&app.messages_to("a@example.se").await[0].text);
    app.clock.advance(29 * MINUTE + 59);
    assert!(!select_text(&app.get_html(&link).await, "form[action='/password/reset']").is_empty());
    app.clock.advance(2);
    assert_eq!(
        first_text(&app.get_html(&link).await, "h1"),
        "Länken fungerar inte"
    );
}

#[tokio::test]
async fn a_weak_new_password_is_refused_and_the_link_still_works() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    request_reset(&app, "a@example.se").await;
    let link = link_in(&app.messages_to("a@example.se").await[0].text);
    let token = link.split("token=").nth(1).unwrap().to_string();
    let res = app
        .submit(
            &link,
            "/password/reset",
            &[
                ("token", &token),
                ("password", "password1234"),
                ("password_repeat", "password1234"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(first_text(&html_of(res).await, "#password-error").contains("svårare att gissa"));
    assert!(!select_text(&app.get_html(&link).await, "form[action='/password/reset']").is_empty());
}

#[tokio::test]
async fn a_forged_token_is_refused() {
    let app = spawn_app().await;
    let html = app
        .get_html(&format!("/password/reset?token={}", "x".repeat(43)))
        .await;
    assert_eq!(first_text(&html, "h1"), "Länken fungerar inte");
    let html = app.get_html("/password/reset?token=<script>").await;
    assert_eq!(first_text(&html, "h1"), "Länken fungerar inte");
}

#[tokio::test]
async fn asking_for_a_reset_takes_as_long_for_an_unknown_address_as_for_a_known_one() {
    use kansli::domain::rules::HOUR;
    let app = spawn_app().await;
    app.create_account("known@example.se").await;
    let timed = |email: String| {
        let app = &app;
        async move {
            let started = std::time::Instant::now();
            let res = request_reset(app, &email).await;
            let took = started.elapsed();
            assert_redirect(&res, "/password/forgot?sent=1");
            took
        }
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for round in 0..3 {
        // Ten requests an hour per address are allowed: five of each, then an hour on.
        for i in 0..5 {
            known.push(timed("known@example.se".to_string()).await);
            unknown.push(timed(format!("nobody{round}{i}@example.se")).await);
        }
        app.clock.advance(HOUR);
    }
    let median = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let (k, u) = (median(&mut known), median(&mut unknown));
    let ratio = k / u;
    assert!(
        (0.9..1.11).contains(&ratio),
        "known {k:.4}s, unknown {u:.4}s: ratio {ratio:.2}"
    );
    assert_eq!(
        audit_rows(&app, "password_reset_requested").await.len(),
        30,
        "every request is audited, known or not"
    );
}
