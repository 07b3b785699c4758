use crate::helpers::*;

#[tokio::test]
async fn start_page_is_swedish_by_default_and_english_when_the_browser_prefers_it() {
    let app = spawn_app().await;
    let html = app.get_html("/").await;
    assert_eq!(first_text(&html, "h1"), "Ansök om tillstånd på webben");
    let sel = scraper::Selector::parse("html").unwrap();
    assert_eq!(
        html.select(&sel).next().unwrap().value().attr("lang"),
        Some("sv")
    );

    let res = app
        .client
        .get(app.url("/"))
        .header("Accept-Language", "en-GB,en;q=0.9,sv;q=0.5")
        .send()
        .await
        .unwrap();
    let html = html_of(res).await;
    assert_eq!(first_text(&html, "h1"), "Apply for a permit online");
    assert!(
        select_text(&html, "a[href='/account/create']").contains(&"Create new account".to_string())
    );
}

#[tokio::test]
async fn the_language_switch_is_remembered_and_returns_to_the_same_page() {
    let app = spawn_app().await;
    let res = app.get("/lang/en?back=/help/login").await;
    assert_redirect(&res, "/help/login");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("kansli_lang=en") && cookie.contains("Max-Age"),
        "{cookie}"
    );
    let html = app.get_html("/help/login").await;
    assert_eq!(first_text(&html, "h1"), "How to log in");
    assert_eq!(first_text(&html, "a[hreflang='sv']"), "På svenska");
}

#[tokio::test]
async fn the_language_switch_never_redirects_off_site() {
    let app = spawn_app().await;
    for back in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let res = app.get(&format!("/lang/sv?back={back}")).await;
        assert_redirect(&res, "/");
    }
    assert_eq!(app.get("/lang/de").await.status(), 404);
}

#[tokio::test]
async fn help_pages_and_the_forgotten_username_page_explain_in_both_languages() {
    let app = spawn_app().await;
    let html = app.get_html("/help/support").await;
    assert_eq!(first_text(&html, "h1"), "Teknisk support");
    assert!(select_text(&html, "h2").contains(&"Inget sms med koden?".to_string()));
    let html = app.get_html("/username/forgot").await;
    assert!(first_text(&html, "main").contains("Av säkerhetsskäl"));
    app.get("/lang/en?back=/").await;
    let html = app.get_html("/username/forgot").await;
    assert!(first_text(&html, "main").contains("For security reasons"));
    assert!(!select_text(&html, "a[href='/account/create']").is_empty());
}

#[tokio::test]
async fn unknown_pages_get_a_404_page_in_the_persons_language() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/no/such/page"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = html_of(res).await;
    assert_eq!(first_text(&html, "h1"), "Page not found");
}

#[tokio::test]
async fn assets_are_served_with_long_caching_and_pages_are_never_cached() {
    let app = spawn_app().await;
    let html = app.get_html("/").await;
    let sel = scraper::Selector::parse("link[rel=stylesheet]").unwrap();
    let href = html
        .select(&sel)
        .next()
        .unwrap()
        .value()
        .attr("href")
        .unwrap()
        .to_string();
    let res = app.get(&href).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let res = app.get("/").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn the_dev_mailbox_lists_messages_newest_first_with_the_code_visible() {
    let app = spawn_app().await;
    app.create_account("first@example.se").await;
    let browser = app.new_browser();
    browser.start_account("second@example.se").await;
    let html = app.get_html("/dev/mailbox").await;
    let recipients = select_text(&html, ".message .recipient");
    assert_eq!(
        recipients.first().map(String::as_str),
        Some("second@example.se")
    );
    let code = browser.code_for("second@example.se").await;
    assert_eq!(first_text(&html, ".message .code"), code);
}

#[tokio::test]
async fn the_dev_mailbox_does_not_exist_when_turned_off() {
    let app = spawn_app_with(|s| s.dev_mailbox = Some(false)).await;
    assert_eq!(app.get("/dev/mailbox").await.status(), 404);
}
