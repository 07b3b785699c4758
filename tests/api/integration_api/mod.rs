//! The integration API: client systems' tokens from the command line, the case
//! endpoints, the OpenAPI document, and signed webhooks delivered through the outbox.
mod cases;
mod clients;
mod openapi;
mod webhooks;

use crate::helpers::*;
use kansli::domain::api::{ClientName, WebhookUrl};
use serde_json::Value;

/// A client system added as `kansli api add` would: its token and webhook secret.
pub fn add_client(app: &TestApp, name: &str, webhook: Option<&str>) -> (String, Option<String>) {
    let webhook = webhook.map(|w| WebhookUrl::parse(w).unwrap());
    let added = kansli::flows::api::clients::add(
        &app.state.pool,
        &app.state.keyring,
        &ClientName::parse(name).unwrap(),
        webhook.as_ref(),
        app.clock.now(),
    )
    .unwrap()
    .expect("a new client");
    (added.token.expose().to_string(), added.webhook_secret)
}

pub async fn api_get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub async fn api_post(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The one number `sql` gives.
pub async fn count(app: &TestApp, sql: &'static str) -> i64 {
    kansli::db::read(&app.state.pool, move |c| c.query_row(sql, [], |r| r.get(0)))
        .await
        .unwrap()
}

pub async fn json_of(res: reqwest::Response) -> Value {
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/json",
        "{:?}",
        res.status()
    );
    res.json().await.unwrap()
}

/// An RFC 9457 problem document with this status; its body.
pub async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    for member in ["type", "title", "detail"] {
        assert!(body[member].is_string(), "{member} in {body}");
    }
    body
}

/// An app whose applicant a@example.se has a paid visit-visa application with a
/// passport photo; its verification number.
pub async fn case_with_document() -> (TestApp, String) {
    let (app, reference) = complete().await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    let done = pay_fully(&app, &reference, APPROVED).await;
    assert!(done.ends_with("/submitted"), "{done}");
    let number = first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    );
    (app, number)
}

/// The value after `label` on a line of the command's output.
pub fn printed(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {out}"))
        .trim()
        .to_string()
}
