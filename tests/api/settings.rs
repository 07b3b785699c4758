//! Account settings: changing the email address and the password.
use crate::helpers::*;
use kansli::domain::rules::MINUTE;

const NEW_PASSWORD: &str = "cloudberries over a quiet northern lake";

async fn logged_in(email: &str) -> TestApp {
    let app = spawn_app().await;
    app.create_account(email).await;
    app
}

async fn change_password(app: &TestApp, current: &str, new: &str) -> reqwest::Response {
    app.submit(
        "/account/password",
        "/account/password",
        &[
            ("current", current),
            ("password", new),
            ("password_repeat", new),
        ],
    )
    .await
}

async fn enter_email_code(app: &TestApp, code: &str) -> reqwest::Response {
    app.submit(
        "/account/email/verify",
        "/account/email/verify",
        &[("code", code)],
    )
    .await
}

async fn ask_for_address(app: &TestApp, email: &str, password: Option<&str>) -> reqwest::Response {
    let mut fields = vec![("email", email)];
    if let Some(p) = password {
        fields.push(("password", p));
    }
    app.submit("/account/email", "/account/email", &fields)
        .await
}

#[tokio::test]
async fn a_new_email_address_is_used_once_the_code_sent_to_it_is_entered() {
    let app = logged_in("old@example.se").await;
    assert_redirect(
        &ask_for_address(&app, "New.Address@Example.se", Some(PASSWORD)).await,
        "/account/email/verify",
    );
    let page = app.get_html("/account/email/verify").await;
    assert!(first_text(&page, "main p").contains("new.address@example.se"));
    let code = app.code_for("new.address@example.se").await;
    assert!(
        app.messages_to("old@example.se").await.len() == 1,
        "nothing goes to the old address before the change"
    );

    let wrong = if code == "999999" { "888888" } else { "999999" };
    let res = enter_email_code(&app, wrong).await;
    assert_eq!(res.status(), 422);
    assert!(first_text(&html_of(res).await, "#code-error").contains('4'));

    let res = enter_email_code(&app, &code).await;
    assert_redirect(&res, "/account?email=changed");
    let page = app.get_html("/account?email=changed").await;
    assert!(first_text(&page, ".summary-list").contains("new.address@example.se"));
    assert_eq!(select_text(&page, ".notice-success").len(), 1);

    let told = &app.messages_to("old@example.se").await[0];
    assert_eq!(told.subject, "E-postadressen för ditt konto har ändrats");
    assert!(told.text.contains("n•••@example.se"));
    assert!(
        !told.text.contains("new.address"),
        "the old address sees only a masked new one"
    );

    app.logout().await;
    assert_eq!(app.login("old@example.se", PASSWORD).await.status(), 422);
    assert_redirect(
        &app.login("new.address@example.se", PASSWORD).await,
        "/account",
    );
}

#[tokio::test]
async fn a_corrected_address_within_the_minute_gets_its_own_code() {
    let app = logged_in("old@example.se").await;
    ask_for_address(&app, "typo@exmaple.se", Some(PASSWORD)).await;
    app.clock.advance(10);
    assert_redirect(
        &ask_for_address(&app, "right@example.se", Some(PASSWORD)).await,
        "/account/email/verify",
    );
    let page = app.get_html("/account/email/verify").await;
    assert!(
        first_text(&page, "main p").contains("right@example.se"),
        "the page names the address just typed"
    );
    let code = app.code_for("right@example.se").await;
    assert_redirect(
        &enter_email_code(&app, &code).await,
        "/account?email=changed",
    );
}

#[tokio::test]
async fn changing_the_email_address_always_needs_the_password() {
    // Right after logging in too: a session someone else took over cannot change it.
    let app = logged_in("old@example.se").await;
    let form = app.get_html("/account/email").await;
    assert_eq!(select_text(&form, "label[for=password]").len(), 1);

    let res = ask_for_address(&app, "new@example.se", None).await;
    assert_eq!(res.status(), 422);
    assert!(!first_text(&html_of(res).await, "#password-error").is_empty());
    let res = ask_for_address(&app, "new@example.se", Some("not the password")).await;
    assert_eq!(res.status(), 422);
    let page = html_of(res).await;
    assert!(first_text(&page, "#password-error").contains("fel"));
    assert_eq!(
        value_of(&page, "#email").as_deref(),
        Some("new@example.se"),
        "the typed address is kept"
    );
    assert!(app.messages_to("new@example.se").await.is_empty());

    let before = app.session_cookie();
    let res = ask_for_address(&app, "new@example.se", Some(PASSWORD)).await;
    assert_redirect(&res, "/account/email/verify");
    assert_ne!(
        app.session_cookie(),
        before,
        "passing the password again is a login step: new session id"
    );
    assert_eq!(app.messages_to("new@example.se").await.len(), 1);
}

#[tokio::test]
async fn with_two_step_a_new_address_also_needs_the_code_sent_to_the_current_phone() {
    let app = logged_in("old@example.se").await;
    app.enable_two_step("0701234567").await;
    let res = ask_for_address(&app, "new@example.se", Some(PASSWORD)).await;
    assert_redirect(&res, "/account/email/phone");
    assert!(
        app.messages_to("new@example.se").await.is_empty(),
        "not yet"
    );
    let res = app
        .submit(
            "/account/email/phone",
            "/account/email/phone",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(app.messages_to("new@example.se").await.is_empty());
    let sms = app.code_for("+46701234567").await;
    let res = app
        .submit(
            "/account/email/phone",
            "/account/email/phone",
            &[("code", &sms)],
        )
        .await;
    assert_redirect(&res, "/account/email/verify");
    let code = app.code_for("new@example.se").await;
    assert_redirect(
        &enter_email_code(&app, &code).await,
        "/account?email=changed",
    );
}

#[tokio::test]
async fn an_address_with_an_account_gets_a_notice_not_a_code_and_cannot_be_taken() {
    let app = logged_in("first@example.se").await;
    let other = app.new_browser();
    other.create_account("second@example.se").await;

    assert_redirect(
        &ask_for_address(&app, "second@example.se", Some(PASSWORD)).await,
        "/account/email/verify",
    );
    let to_second = app.messages_to("second@example.se").await;
    assert_eq!(
        to_second[0].subject,
        "Någon försökte använda din e-postadress"
    );
    assert!(
        !to_second[0]
            .text
            .split(|c: char| !c.is_ascii_digit())
            .any(|w| w.len() == 6),
        "no code in the notice"
    );
    for _ in 0..5 {
        enter_email_code(&app, "123456").await;
    }
    let page = app.get_html("/account").await;
    assert!(first_text(&page, ".summary-list").contains("first@example.se"));
}

#[tokio::test]
async fn an_unconfirmed_account_does_not_block_the_address() {
    let app = logged_in("first@example.se").await;
    let squatter = app.new_browser();
    squatter.start_account("wanted@example.se").await;

    ask_for_address(&app, "wanted@example.se", Some(PASSWORD)).await;
    let code = app.code_for("wanted@example.se").await;
    let res = enter_email_code(&app, &code).await;
    assert_redirect(&res, "/account?email=changed");
    assert_redirect(&squatter.get("/account/confirm").await, "/login");
}

#[tokio::test]
async fn the_same_or_a_malformed_address_is_refused_with_a_message() {
    let app = logged_in("me@example.se").await;
    for (input, words) in [("ME@example.se", "redan"), ("<me>&\"'@x", "format")] {
        let res = ask_for_address(&app, input, Some(PASSWORD)).await;
        assert_eq!(res.status(), 422);
        let page = html_of(res).await;
        assert!(first_text(&page, "#email-error").contains(words), "{input}");
        assert_eq!(value_of(&page, "#email").as_deref(), Some(input));
    }
    assert_redirect(&app.get("/account/email/verify").await, "/account/email");
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_tells_the_owner() {
    let app = logged_in("me@example.se").await;
    let laptop = app.new_browser();
    assert_redirect(&laptop.login("me@example.se", PASSWORD).await, "/account");

    let res = change_password(&app, "wrong password", NEW_PASSWORD).await;
    assert_eq!(res.status(), 422);
    assert!(first_text(&html_of(res).await, "#current-error").contains("fel"));
    let res = change_password(&app, PASSWORD, "short").await;
    assert_eq!(res.status(), 422);
    assert!(!first_text(&html_of(res).await, "#password-error").is_empty());
    assert_eq!(
        laptop.get("/account").await.status(),
        200,
        "nothing changed yet"
    );

    let before = app.session_cookie();
    let res = change_password(&app, PASSWORD, NEW_PASSWORD).await;
    assert_redirect(&res, "/account?password=changed");
    assert_ne!(app.session_cookie(), before);
    assert_eq!(
        app.get("/account").await.status(),
        200,
        "this session goes on"
    );
    assert_redirect(&laptop.get("/account").await, "/login");
    let mail = &app.messages_to("me@example.se").await[0];
    assert_eq!(mail.subject, "Ditt lösenord har ändrats");
    assert!(!mail.text.contains(NEW_PASSWORD));

    app.logout().await;
    assert_eq!(app.login("me@example.se", PASSWORD).await.status(), 422);
    assert_redirect(&app.login("me@example.se", NEW_PASSWORD).await, "/account");
}

#[tokio::test]
async fn wrong_current_passwords_count_as_failed_logins() {
    let app = logged_in("me@example.se").await;
    for _ in 0..5 {
        change_password(&app, "guess", NEW_PASSWORD).await;
    }
    // The account's growing delay now applies: even the right password is refused at once.
    let res = change_password(&app, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), 422);
    app.clock.advance(MINUTE);
    let res = change_password(&app, PASSWORD, NEW_PASSWORD).await;
    assert_redirect(&res, "/account?password=changed");
}

#[tokio::test]
async fn settings_pages_need_a_login() {
    let app = spawn_app().await;
    for path in [
        "/account/email",
        "/account/email/verify",
        "/account/password",
    ] {
        assert_redirect(&app.get(path).await, "/login");
    }
}
