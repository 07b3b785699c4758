//! Client systems: their tokens from the command line, and what a request without one gets.
use super::*;
use crate::helpers::*;
use kansli::domain::staff::Role;

#[tokio::test]
async fn api_clients_are_added_listed_and_revoked_from_the_command_line() {
    let app = spawn_app().await;
    let out = succeeded(kansli_cli(
        &app,
        &[
            "api",
            "add",
            "case-system",
            "--webhook",
            "https://cms.example/hooks",
        ],
    ));
    let token = printed(&out, "token:");
    let secret = printed(&out, "webhook secret:");
    assert_eq!(token.len(), 43, "{out}");
    assert!(secret.len() >= 43, "{out}");
    let out = succeeded(kansli_cli(&app, &["api", "add", "reader"]));
    assert!(!out.contains("webhook secret"), "{out}");

    // The token is kept only as a hash.
    let stored: Vec<Vec<u8>> = kansli::db::read(&app.state.pool, |c| {
        let mut s = c.prepare("SELECT token_hash FROM api_clients")?;
        let rows = s.query_map([], |r| r.get(0))?;
        rows.collect()
    })
    .await
    .unwrap();
    assert!(stored
        .iter()
        .all(|h| h.len() == 32 && h != token.as_bytes()));

    let err = refused(kansli_cli(&app, &["api", "add", "case-system"]));
    assert!(err.contains("already exists"), "{err}");
    let err = refused(kansli_cli(&app, &["api", "add", "<Bad>"]));
    assert!(err.contains("not a client name"), "{err}");
    let err = refused(kansli_cli(
        &app,
        &["api", "add", "x", "--webhook", "ftp://x"],
    ));
    assert!(err.contains("not an http or https address"), "{err}");

    let list = succeeded(kansli_cli(&app, &["api", "list"]));
    let line = list.lines().find(|l| l.starts_with("case-system")).unwrap();
    assert!(
        line.contains("active") && line.contains("https://cms.example/hooks"),
        "{list}"
    );
    succeeded(kansli_cli(&app, &["api", "revoke", "case-system"]));
    let list = succeeded(kansli_cli(&app, &["api", "list"]));
    let line = list.lines().find(|l| l.starts_with("case-system")).unwrap();
    assert!(line.contains("revoked"), "{list}");
    let err = refused(kansli_cli(&app, &["api", "revoke", "case-system"]));
    assert!(err.contains("no active API client"), "{err}");
    // A revoked name can be given to a new client.
    succeeded(kansli_cli(&app, &["api", "add", "case-system"]));
}

#[test]
fn production_takes_only_https_webhook_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let (d, key) = (dir.path(), dir.path().join("secret.key"));
    std::fs::write(&key, kansli::domain::secret::SealingKey::generate().1).unwrap();
    let plain = ["api", "add", "cms", "--webhook", "http://cms.example/hooks"];
    let err = refused(kansli_in_production(d, &key, &plain));
    assert!(err.contains("must be https"), "{err}");
    let tls = [
        "api",
        "add",
        "cms",
        "--webhook",
        "https://cms.example/hooks",
    ];
    let out = succeeded(kansli_in_production(d, &key, &tls));
    assert!(out.contains("webhook secret:"), "{out}");
}

#[tokio::test]
async fn api_calls_without_a_valid_token_get_a_401_problem_and_cookies_count_for_nothing() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let number = submitted(&app, "a@example.se", "visit-visa").await;
    let (token, _) = add_client(&app, "cms", None);
    let case = format!("/api/v1/cases/{number}");
    assert_eq!(api_get(&app, &token, &case).await.status(), 200);

    let res = app.client.get(app.url(&case)).send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    problem(res, 401).await;
    let wrong = "A".repeat(43);
    problem(api_get(&app, &wrong, &case).await, 401).await;
    problem(api_get(&app, "<>&\"'", &case).await, 401).await;
    // A caseworker's logged-in browser has no say on the API.
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    assert_eq!(cw.get("/staff/cases").await.status(), 200);
    problem(cw.get(&case).await, 401).await;
    let res = cw
        .client
        .post(cw.url(&format!("{case}/status")))
        .json(&serde_json::json!({"status": "in_progress"}))
        .send()
        .await
        .unwrap();
    problem(res, 401).await;

    succeeded(kansli_cli(&app, &["api", "revoke", "cms"]));
    problem(api_get(&app, &token, &case).await, 401).await;
    // Unknown addresses and methods under /api answer as problems too.
    problem(api_get(&app, &token, "/api/v1/nothing").await, 404).await;
    let res = app
        .client
        .delete(app.url(&case))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(res, 405).await;
    let refused = count(
        &app,
        "SELECT count(*) FROM audit_log WHERE action = 'api_token_refused'",
    )
    .await;
    assert!(refused >= 5, "{refused}");
}

#[tokio::test]
async fn each_client_has_its_own_rate_limit() {
    let app = spawn_app().await;
    let (busy, _) = add_client(&app, "busy", None);
    let (calm, _) = add_client(&app, "calm", None);
    let (limit, window) = kansli::domain::rules::CLIENT_LIMIT_API;
    for _ in 0..limit {
        assert_eq!(
            api_get(&app, &busy, "/api/v1/cases?limit=1").await.status(),
            200
        );
    }
    let res = api_get(&app, &busy, "/api/v1/cases?limit=1").await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, 429).await;
    assert_eq!(api_get(&app, &calm, "/api/v1/cases").await.status(), 200);
    app.clock.advance(window);
    assert_eq!(api_get(&app, &busy, "/api/v1/cases").await.status(), 200);
}

#[tokio::test]
async fn every_refused_call_of_a_client_is_audited_with_what_it_asked() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let number = submitted(&app, "a@example.se", "visit-visa").await;
    let (token, _) = add_client(&app, "cms", None);
    let status = format!("/api/v1/cases/{number}/status");
    // A step the state machine does not take, a case that is not there, bad input.
    let res = api_post(
        &app,
        &token,
        &status,
        &serde_json::json!({"status": "closed"}),
    )
    .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    let refused_status = res.status().as_u16();
    problem(
        api_get(&app, &token, "/api/v1/cases/12345678-90").await,
        404,
    )
    .await;
    problem(api_get(&app, &token, "/api/v1/cases?limit=0").await, 400).await;
    let rows: Vec<(String, Option<String>)> = audit_rows(&app, "api_call_refused")
        .await
        .into_iter()
        .map(|(actor, _, detail)| (actor, detail))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "cms".to_string(),
                Some(format!("POST {status} -> {refused_status}"))
            ),
            (
                "cms".to_string(),
                Some("GET /api/v1/cases/12345678-90 -> 404".to_string())
            ),
            (
                "cms".to_string(),
                Some("GET /api/v1/cases -> 400".to_string())
            ),
        ]
    );
    // An accepted call is audited by its own flow, not as refused.
    assert_eq!(
        api_get(&app, &token, &format!("/api/v1/cases/{number}"))
            .await
            .status(),
        200
    );
    assert_eq!(audit_rows(&app, "api_call_refused").await.len(), 3);
}
