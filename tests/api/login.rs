use crate::helpers::*;
use kansli::domain::rules::{LOGIN_LOCK_AFTER, MINUTE};

const GENERIC: &str = "E-postadressen eller lösenordet är fel";

async fn login_error(app: &TestApp, email: &str, password: &str) -> String {
    let res = app.login(email, password).await;
    assert_eq!(res.status(), 422, "login of {email} should fail");
    first_text(&html_of(res).await, "#email-error")
}

#[tokio::test]
async fn every_login_failure_gets_the_same_message() {
    let app = spawn_app().await;
    app.create_account("known@example.se").await;
    app.logout().await;
    app.new_browser()
        .start_account("unconfirmed@example.se")
        .await;
    let unknown = login_error(&app, "nobody@example.se", PASSWORD).await;
    let wrong = login_error(&app, "known@example.se", "not the right password").await;
    let unconfirmed = login_error(&app, "unconfirmed@example.se", PASSWORD).await;
    let malformed = login_error(&app, "not an address", PASSWORD).await;
    assert!(unknown.starts_with(GENERIC));
    assert_eq!(unknown, wrong);
    assert_eq!(unknown, unconfirmed);
    assert_eq!(unknown, malformed);
}

#[tokio::test]
async fn login_with_password_only_gives_basic_access_and_a_notice_about_two_step() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.logout().await;
    assert_redirect(&app.login("a@example.se", PASSWORD).await, "/account");
    let html = app.get_html("/account").await;
    assert!(first_text(&html, ".notice-info").contains("tvåstegsverifiering"));
    assert_eq!(first_text(&html, ".who"), "a@example.se");
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_a_planted_id_is_never_adopted() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.logout().await;
    let planted = "A".repeat(43);
    app.cookies.add_cookie_str(
        &format!("kansli_session={planted}; Path=/"),
        &app.address.parse().unwrap(),
    );
    assert_redirect(&app.login("a@example.se", PASSWORD).await, "/account");
    let issued = app.session_cookie().unwrap();
    assert_ne!(issued, planted);
    let attacker = app.new_browser();
    attacker.cookies.add_cookie_str(
        &format!("kansli_session={planted}; Path=/"),
        &app.address.parse().unwrap(),
    );
    assert_redirect(&attacker.get("/account").await, "/login");
}

#[tokio::test]
async fn a_session_survives_29_59_idle_but_not_30_01() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.clock.advance(29 * MINUTE + 59);
    assert_eq!(app.get("/account").await.status(), 200);
    app.clock.advance(29 * MINUTE + 59);
    assert_eq!(
        app.get("/account").await.status(),
        200,
        "every request counts as activity"
    );
    app.clock.advance(30 * MINUTE + 1);
    assert_redirect(&app.get("/account").await, "/login");
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours_whatever_the_activity() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    for _ in 0..24 {
        app.clock.advance(29 * MINUTE);
        app.get("/session/ping").await;
    }
    assert_eq!(app.get("/account").await.status(), 200);
    app.clock.advance(25 * MINUTE);
    assert_redirect(&app.get("/account").await, "/login");
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let id = app.session_cookie().unwrap();
    app.logout().await;
    let replay = app.new_browser();
    replay.cookies.add_cookie_str(
        &format!("kansli_session={id}; Path=/"),
        &app.address.parse().unwrap(),
    );
    assert_redirect(&replay.get("/account").await, "/login");
    let html = app.get_html("/?logged_out=1").await;
    assert!(first_text(&html, ".notice-success").contains("utloggad"));
}

#[tokio::test]
async fn failures_grow_a_delay_and_the_account_locks_at_100_even_after_a_restart() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.logout().await;
    for _ in 0..5 {
        login_error(&app, "a@example.se", "wrong password here").await;
    }
    // Inside the delay even the right password is refused.
    login_error(&app, "a@example.se", PASSWORD).await;
    app.clock.advance(2);
    assert_redirect(&app.login("a@example.se", PASSWORD).await, "/account");
    app.logout().await;

    for _ in 0..LOGIN_LOCK_AFTER {
        app.clock.advance(16 * MINUTE); // past the longest delay and the per-IP window
        login_error(&app, "a@example.se", "wrong password here").await;
    }
    app.clock.advance(60 * MINUTE);
    login_error(&app, "a@example.se", PASSWORD).await;

    app.stop().await;
    let restarted = spawn_app_in(app.dir.clone(), app.clock.clone(), |_| {}).await;
    restarted.clock.advance(24 * 60 * MINUTE);
    login_error(&restarted, "a@example.se", PASSWORD).await;
}

#[tokio::test]
async fn too_many_logins_from_one_address_get_a_429_page_in_the_persons_language() {
    let app = spawn_app().await;
    app.get("/lang/en?back=/").await;
    let token = app.csrf("/login", "/login").await;
    let mut last = None;
    for _ in 0..31 {
        last = Some(
            app.post_raw(
                "/login",
                &[
                    ("csrf", &token),
                    ("email", "x@example.se"),
                    ("password", "whatever password"),
                ],
                Default::default(),
            )
            .await,
        );
    }
    let res = last.unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(first_text(&html_of(res).await, "h1"), "Too many attempts");
    app.clock.advance(10 * MINUTE);
    assert_eq!(
        app.login("x@example.se", "whatever password")
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn the_login_page_offers_reset_username_help_and_account_creation() {
    let app = spawn_app().await;
    let html = app.get_html("/login").await;
    for href in ["/password/forgot", "/username/forgot", "/account/create"] {
        assert!(
            !select_text(&html, &format!("a[href='{href}']")).is_empty(),
            "{href}"
        );
    }
    assert_eq!(first_text(&html, "label[for=email]"), "E-postadress");
    let sel = scraper::Selector::parse("#password").unwrap();
    assert_eq!(
        html.select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("autocomplete"),
        Some("current-password")
    );
}

#[tokio::test]
async fn the_login_page_rendered_once_carries_each_visitors_own_token_in_every_form() {
    let app = spawn_app().await;
    let pages: Vec<(String, String)> = {
        let mut pages = Vec::new();
        for browser in [app.new_browser(), app.new_browser()] {
            let page = browser.get("/login").await.text().await.unwrap();
            let html = scraper::Html::parse_document(&page);
            pages.push((page, form_value(&html, "/login", "csrf")));
        }
        pages
    };
    let [(first, token_a), (second, token_b)] = <[_; 2]>::try_from(pages).unwrap();
    assert_ne!(token_a, token_b);
    assert!(!first.contains(kansli::web::page_cache::CSRF_MARK));
    let forms = scraper::Selector::parse("form input[name=csrf]").unwrap();
    let html = scraper::Html::parse_document(&second);
    let tokens: Vec<_> = html
        .select(&forms)
        .map(|i| i.value().attr("value").unwrap())
        .collect();
    assert_eq!(
        tokens.len(),
        5,
        "four e-identification choices and the password form"
    );
    assert!(tokens.iter().all(|t| *t == token_b));
    assert_eq!(
        second.replace(&token_b, &token_a),
        first,
        "otherwise the same page"
    );

    // The token of the kept page is the visitor's: logging in with it works.
    app.create_account("ana@example.se").await;
    app.logout().await;
    assert_redirect(&app.login("ana@example.se", PASSWORD).await, "/account");

    // A page with a query, and the other language, are their own.
    let next = app.new_browser().get_html("/login?next=/account").await;
    assert_eq!(form_value(&next, "/login", "next"), "/account");
    let english = app.new_browser();
    english.get("/lang/en?back=/login").await;
    assert_eq!(
        first_text(&english.get_html("/login").await, "h1"),
        "Log in"
    );
}

#[tokio::test]
async fn code_posts_turned_away_before_their_step_do_not_use_up_the_code_limit() {
    let app = spawn_app().await;
    let token = app.csrf("/login", "/login").await;
    // Without a session waiting for a code, these are turned away before any code is
    // tried, so they must not count: 40 is past the limit of 30 codes an hour.
    for _ in 0..40 {
        let res = app
            .post_raw(
                "/login/sms",
                &[("csrf", &token), ("code", "123456")],
                Default::default(),
            )
            .await;
        assert_redirect(&res, "/login?again=1");
    }
    // A real code step from the same address is still served.
    app.create_account("a@example.se").await;
    let res = app
        .submit(
            "/account/email",
            "/account/email",
            &[("email", "b@example.se")],
        )
        .await;
    assert_ne!(res.status(), 429);
}
