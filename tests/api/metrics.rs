//! Prometheus metrics on their own address: named series exist, and change
//! with what the portal does.
use crate::helpers::*;

async fn scrape(port: u16) -> String {
    let res = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    res.text().await.unwrap()
}

/// The value of the series named exactly `series` (name and labels), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

#[tokio::test]
async fn metrics_are_served_on_their_own_address_and_follow_what_happens() {
    let app = spawn_app_with(|s| s.metrics_listen = Some("127.0.0.1:0".into())).await;
    let port = app.metrics_port.expect("metrics address");
    let before = scrape(port).await;
    for name in [
        "kansli_sessions_live",
        "kansli_drafts",
        "kansli_database_size_bytes",
        "kansli_outbox_oldest_queued_age_seconds",
        "kansli_logins_total",
        "kansli_failed_logins_total",
        "kansli_password_hashing",
        "kansli_accounts_locked",
        "kansli_password_hashing_shed_total",
    ] {
        assert!(value(&before, name).is_some(), "{name} in\n{before}");
    }
    assert!(value(&before, "kansli_database_size_bytes").unwrap() > 0.0);
    let help = r#"kansli_http_requests_total{method="GET",route="/help/login",status="200"}"#;
    assert_eq!(value(&before, help), None);

    app.get("/help/login").await;
    app.get("/help/login").await;
    app.create_account("metrics@example.se").await;
    app.logout().await;
    app.login("metrics@example.se", "<>&\"' not the password")
        .await;

    let after = scrape(port).await;
    assert_eq!(value(&after, help), Some(2.0), "{after}");
    let histogram =
        r#"kansli_http_request_duration_seconds_count{method="GET",route="/help/login"}"#;
    assert_eq!(value(&after, histogram), Some(2.0), "{after}");
    // A pattern, never the path as asked.
    assert!(after.contains(r#"route="/account/confirm""#), "{after}");
    assert_eq!(value(&after, "kansli_failed_logins_total"), Some(1.0));
    assert_eq!(
        value(&after, r#"kansli_outbox_messages{status="sent"}"#),
        Some(1.0),
        "the confirmation code email: {after}"
    );
    assert!(value(&after, "kansli_database_size_bytes").unwrap() > 0.0);

    // Never on the public address.
    assert_eq!(app.get("/metrics").await.status(), 404);
}

#[tokio::test]
async fn logins_and_live_sessions_are_counted() {
    let app = spawn_app_with(|s| s.metrics_listen = Some("127.0.0.1:0".into())).await;
    let port = app.metrics_port.unwrap();
    app.create_account("counted@example.se").await;
    app.logout().await;
    let before = scrape(port).await;
    assert_eq!(
        value(&before, "kansli_sessions_live"),
        Some(0.0),
        "{before}"
    );
    app.login("counted@example.se", PASSWORD).await;
    let after = scrape(port).await;
    assert_eq!(value(&after, "kansli_logins_total"), Some(1.0), "{after}");
    assert_eq!(value(&after, "kansli_sessions_live"), Some(1.0), "{after}");
    // Idle past the limit: no longer live, by the manual clock.
    app.clock.advance(kansli::domain::rules::SESSION_IDLE);
    let idle = scrape(port).await;
    assert_eq!(value(&idle, "kansli_sessions_live"), Some(0.0), "{idle}");
}

#[test]
fn the_binary_serves_metrics_on_the_metrics_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Running::start(dir.path(), &[("KANSLI_METRICS_LISTEN", "127.0.0.1:0")]);
    let line = served.wait_for(|l| l.contains("metrics served on port"));
    let port: u16 = line.rsplit("port ").next().unwrap().trim().parse().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let text = runtime.block_on(async {
        reqwest::get(served.url("/terms")).await.unwrap();
        scrape(port).await
    });
    let terms = r#"kansli_http_requests_total{method="GET",route="/terms",status="200"}"#;
    assert_eq!(value(&text, terms), Some(1.0), "{text}");
    served.terminate();
    assert_eq!(served.wait_exit(), Some(0));
}
