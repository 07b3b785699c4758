//! Logging in with the e-ID simulator: start an order, act in its test app, finish.
use super::*;

/// Starts an order with `method` from the login page; returns the order's page.
pub async fn start_eid(app: &TestApp, method: &str) -> reqwest::Response {
    app.submit("/login", "/login/eid/start", &[("method", method)])
        .await
}

/// Starts a BankID order from `page` (whose form says where to go afterwards),
/// identifies as `pin` and finishes.
pub async fn bankid_login_from(app: &TestApp, page: &str, pin: &str) -> reqwest::Response {
    let next = form_value(&app.get_html(page).await, "/login/eid/start", "next");
    let res = app
        .submit(
            page,
            "/login/eid/start",
            &[("method", "bankid"), ("next", &next)],
        )
        .await;
    assert_redirect(&res, "/login/eid");
    let token = autostart_token(app).await;
    in_app(app, "bankid", &token, "identify", pin).await;
    app.clock.advance(2);
    finish(app).await
}

/// The person as the test app's form picks them: BankID lists three people, and
/// any other number is typed in (with a name) under "another number".
fn listed<'a>(provider: &str, person: &'a str) -> &'a str {
    const BANKID: [&str; 3] = ["199001011239", "198512244560", "197706157893"];
    if provider == "bankid" && !BANKID.contains(&person) {
        "other"
    } else {
        person
    }
}

/// What the tester does in the test app: open the order by `code`, then press `action` as `person`.
pub async fn in_app(
    app: &TestApp,
    provider: &str,
    code: &str,
    action: &str,
    person: &str,
) -> reqwest::Response {
    let tester = app.new_browser();
    let path = format!("/sim/{provider}/app");
    let res = tester.submit(&path, &path, &[("code", code)]).await;
    assert_eq!(res.status(), 200, "the app opens the order");
    let page = html_of(res).await;
    let order_ref = value_of(&page, "input[name=order_ref]").unwrap();
    let csrf = form_value(&page, &format!("{path}/decide"), "csrf");
    tester
        .post_raw(
            &format!("{path}/decide"),
            &[
                ("csrf", &csrf),
                ("order_ref", &order_ref),
                ("action", action),
                ("person", listed(provider, person)),
                ("other_pin", person),
                ("other_name", "Test Testsson"),
            ],
            Default::default(),
        )
        .await
}

/// The launch link's start token, as the order page gives it to the test app.
pub async fn autostart_token(app: &TestApp) -> String {
    let page = app.get_html("/login/eid").await;
    let href = select_attr(&page, ".dev-note a", "href");
    href.split("autostarttoken=").nth(1).unwrap().to_string()
}

pub fn select_attr(html: &scraper::Html, selector: &str, attr: &str) -> String {
    let s = scraper::Selector::parse(selector).unwrap();
    html.select(&s)
        .next()
        .and_then(|e| e.value().attr(attr))
        .unwrap_or_default()
        .to_string()
}

/// Identifies the browser with BankID on this device as `pin` and finishes the login.
pub async fn bankid_login(app: &TestApp, pin: &str) -> reqwest::Response {
    assert_redirect(&start_eid(app, "bankid").await, "/login/eid");
    let token = autostart_token(app).await;
    in_app(app, "bankid", &token, "identify", pin).await;
    app.clock.advance(2);
    finish(app).await
}

/// "I have identified myself" (posted also where the page shows no such button).
pub async fn finish(app: &TestApp) -> reqwest::Response {
    let csrf = form_value(&app.get_html("/login").await, "/login", "csrf");
    app.post_raw("/login/eid", &[("csrf", &csrf)], Default::default())
        .await
}
