//! An account's sessions: a change to how the account is protected ends the others
//! and voids reset links; My Page lists the sessions and ends any or all (ASVS 7.5.2).
use crate::helpers::*;

/// A second browser logged in to the account, and a reset link asked for elsewhere.
async fn elsewhere(app: &TestApp, email: &str) -> (TestApp, String) {
    let other = app.new_browser();
    assert_redirect(&other.login(email, PASSWORD).await, "/account");
    let stranger = app.new_browser();
    stranger
        .submit("/password/forgot", "/password/forgot", &[("email", email)])
        .await;
    let text = app.messages_to(email).await.remove(0).text;
    let start = text.find("/password/reset?token=").expect("a reset link");
    let link = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    (other, link)
}

async fn assert_ended(app: &TestApp, other: &TestApp, link: &str, what: &str) {
    assert_redirect(&other.get("/account").await, "/login");
    let page = app.new_browser().get_html(link).await;
    assert_eq!(first_text(&page, "h1"), "Länken fungerar inte", "{what}");
    assert_eq!(
        app.get("/account").await.status(),
        200,
        "{what}: this one stays"
    );
}

#[tokio::test]
async fn turning_two_step_on_ends_other_sessions_and_voids_reset_links() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let (other, link) = elsewhere(&app, "a@example.se").await;
    app.enable_two_step("0701234567").await;
    assert_ended(&app, &other, &link, "two-step on").await;
}

#[tokio::test]
async fn turning_two_step_off_ends_other_sessions_and_voids_reset_links() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.enable_two_step("0701234567").await;
    let other = app.new_browser();
    other.login("a@example.se", PASSWORD).await;
    let code = app.code_for("+46701234567").await;
    assert_redirect(
        &other
            .submit("/login/sms", "/login/sms", &[("code", &code)])
            .await,
        "/account",
    );
    let stranger = app.new_browser();
    stranger
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "a@example.se")],
        )
        .await;
    let text = app.messages_to("a@example.se").await.remove(0).text;
    let start = text.find("/password/reset?token=").expect("a reset link");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let res = app
        .submit(
            "/account/two-step/off",
            "/account/two-step/off",
            &[("password", PASSWORD)],
        )
        .await;
    assert_redirect(&res, "/account/two-step/off/verify");
    let code = app.code_for("+46701234567").await;
    let res = app
        .submit(
            "/account/two-step/off/verify",
            "/account/two-step/off/verify",
            &[("code", &code)],
        )
        .await;
    assert_redirect(&res, "/account?twostep=off");
    assert_ended(&app, &other, &link, "two-step off").await;
}

#[tokio::test]
async fn a_new_email_address_ends_other_sessions_and_voids_reset_links() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let (other, link) = elsewhere(&app, "a@example.se").await;
    let res = app
        .submit(
            "/account/email",
            "/account/email",
            &[("email", "b@example.se"), ("password", PASSWORD)],
        )
        .await;
    assert_redirect(&res, "/account/email/verify");
    let code = app.code_for("b@example.se").await;
    let res = app
        .submit(
            "/account/email/verify",
            "/account/email/verify",
            &[("code", &code)],
        )
        .await;
    assert_redirect(&res, "/account?email=changed");
    assert_ended(&app, &other, &link, "email changed").await;
}

#[tokio::test]
async fn my_page_lists_the_sessions_and_ends_one_or_all_others() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    // Each browser follows the login's redirect, as browsers do.
    let second = app.new_browser();
    second.login("a@example.se", PASSWORD).await;
    second.get("/account").await;
    let third = app.new_browser();
    third.login("a@example.se", PASSWORD).await;
    third.get("/account").await;
    // A person-only or another account's session is not listed.
    app.new_browser().create_account("b@example.se").await;

    let page = app.get_html("/account/sessions").await;
    let rows = select_text(&page, "tr.session");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(select_text(&page, "tr.session.this-device").len(), 1);
    assert!(rows.iter().all(|r| r.contains("127.0.0.1")), "{rows:?}");
    assert!(
        rows.iter().any(|r| r.contains("kansli-tests")),
        "the device: {rows:?}"
    );

    // End one: the second browser's (the first row that is not this device).
    let handles: Vec<String> = {
        let sel =
            scraper::Selector::parse("tr.session:not(.this-device) input[name=session]").unwrap();
        page.select(&sel)
            .map(|i| i.value().attr("value").unwrap().to_string())
            .collect()
    };
    assert_eq!(handles.len(), 2);
    let res = app
        .submit(
            "/account/sessions",
            "/account/sessions/end",
            &[("session", &handles[0])],
        )
        .await;
    assert_redirect(&res, "/account/sessions?ended=1");
    let still: Vec<bool> = vec![
        second.get("/account").await.status() == 200,
        third.get("/account").await.status() == 200,
    ];
    assert_eq!(still.iter().filter(|s| **s).count(), 1, "one ended");
    assert_eq!(
        select_text(&app.get_html("/account/sessions").await, "tr.session").len(),
        2
    );
    // A handle of another account's session ends nothing.
    let res = app
        .submit(
            "/account/sessions",
            "/account/sessions/end",
            &[("session", "00000000000000000000000000000000")],
        )
        .await;
    assert_eq!(res.status(), 404);

    let res = app
        .submit("/account/sessions", "/account/sessions/end-others", &[])
        .await;
    assert_redirect(&res, "/account/sessions?ended=1");
    assert_redirect(&second.get("/account").await, "/login");
    assert_redirect(&third.get("/account").await, "/login");
    assert_eq!(app.get("/account").await.status(), 200);
    assert_eq!(
        select_text(&app.get_html("/account/sessions").await, "tr.session").len(),
        1
    );
}
