//! The probes: `/health/live` and `/health/ready`, for load balancers and monitors.
use kansli::db::migrate;
use kansli::domain::rules::DELIVERY_WORKER_SILENCE;
use r2d2_sqlite::rusqlite::Connection;
use reqwest::header::SET_COOKIE;

use crate::helpers::*;

async fn probe(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    assert!(
        res.headers().get(SET_COOKIE).is_none(),
        "a probe sets no cookie: {:?}",
        res.headers()
    );
    assert_eq!(res.headers()["content-type"], "application/json");
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn live_answers_200_without_a_session_or_cookies() {
    let app = spawn_app().await;
    let (status, body) = probe(&app, "/health/live").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "live");
}

#[tokio::test]
async fn ready_answers_200_when_database_schema_and_worker_are_fine() {
    let app = spawn_app().await;
    let (status, body) = probe(&app, "/health/ready").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    assert!(body.get("reason").is_none());
}

#[tokio::test]
async fn ready_answers_503_when_the_delivery_worker_shows_no_sign_of_life() {
    let app = spawn_app().await;
    app.clock.advance(DELIVERY_WORKER_SILENCE - 1);
    assert_eq!(probe(&app, "/health/ready").await.0, 200);
    app.clock.advance(2);
    let (status, body) = probe(&app, "/health/ready").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["reason"], "delivery worker is not running");
    // Still alive, as far as the process goes.
    assert_eq!(probe(&app, "/health/live").await.0, 200);
}

#[tokio::test]
async fn ready_answers_503_when_the_schema_is_not_the_binarys() {
    let app = spawn_app().await;
    let conn = Connection::open(app.dir.path().join("kansli.db")).unwrap();
    conn.pragma_update(None, "user_version", migrate::version() + 1)
        .unwrap();
    let (status, body) = probe(&app, "/health/ready").await;
    assert_eq!(status, 503, "{body}");
    let expected = format!(
        "database schema is version {}, expected {}",
        migrate::version() + 1,
        migrate::version()
    );
    assert_eq!(body["reason"], expected.as_str());
}
