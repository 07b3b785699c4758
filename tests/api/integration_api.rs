//! The integration API: client systems' tokens from the command line, the case
//! endpoints, the OpenAPI document, and signed webhooks delivered through the outbox.
use crate::helpers::*;
use kansli::domain::api::{ClientName, WebhookUrl};
use kansli::domain::rules::MINUTE;
use kansli::domain::staff::Role;
use serde_json::Value;

/// A client system added as `kansli api add` would: its token and webhook secret.
fn add_client(app: &TestApp, name: &str, webhook: Option<&str>) -> (String, Option<String>) {
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

async fn api_get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn api_post(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The one number `sql` gives.
async fn count(app: &TestApp, sql: &'static str) -> i64 {
    kansli::db::read(&app.state.pool, move |c| c.query_row(sql, [], |r| r.get(0)))
        .await
        .unwrap()
}

async fn json_of(res: reqwest::Response) -> Value {
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/json",
        "{:?}",
        res.status()
    );
    res.json().await.unwrap()
}

/// An RFC 9457 problem document with this status; its body.
async fn problem(res: reqwest::Response, status: u16) -> Value {
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
async fn case_with_document() -> (TestApp, String) {
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
fn printed(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {out}"))
        .trim()
        .to_string()
}

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
async fn the_case_list_filters_and_pages_by_cursor() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let first = submitted(&app, "a@example.se", "visit-visa").await;
    app.clock.advance(MINUTE);
    let second = submitted(&app, "a@example.se", "visit-visa").await;
    app.clock.advance(MINUTE);
    let third = submitted(&app, "a@example.se", "studies").await;
    let (token, _) = add_client(&app, "cms", None);

    let page = json_of(api_get(&app, &token, "/api/v1/cases?limit=2").await).await;
    let numbers = |page: &Value| -> Vec<String> {
        page["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["verification_number"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(numbers(&page), [third.clone(), second.clone()]);
    assert_eq!(page["cases"][0]["type"]["id"], "studies");
    assert_eq!(page["cases"][0]["status"], "received");
    assert_eq!(page["cases"][0]["href"], format!("/api/v1/cases/{third}"));
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let next = json_of(
        api_get(
            &app,
            &token,
            &format!("/api/v1/cases?limit=2&cursor={cursor}"),
        )
        .await,
    )
    .await;
    assert_eq!(numbers(&next), std::slice::from_ref(&first));
    assert!(next["next_cursor"].is_null());

    let visas = json_of(api_get(&app, &token, "/api/v1/cases?type=visit-visa").await).await;
    assert_eq!(numbers(&visas), [second, first]);
    let none = json_of(api_get(&app, &token, "/api/v1/cases?status=in_progress").await).await;
    assert!(numbers(&none).is_empty());
    let today = json_of(
        api_get(
            &app,
            &token,
            "/api/v1/cases?submitted_from=2026-11-21&submitted_until=2026-11-21",
        )
        .await,
    )
    .await;
    assert_eq!(numbers(&today).len(), 3);
    let later =
        json_of(api_get(&app, &token, "/api/v1/cases?submitted_from=2026-11-22").await).await;
    assert!(numbers(&later).is_empty());

    for bad in [
        "status=<b>",
        "type=nothing",
        "submitted_from=21/11/2026",
        "cursor=%3C%3E%26",
        "limit=0",
        "limit=101",
    ] {
        let body = problem(
            api_get(&app, &token, &format!("/api/v1/cases?{bad}")).await,
            400,
        )
        .await;
        assert_eq!(
            body["type"], "urn:kansli:problem:invalid-parameter",
            "{bad}"
        );
    }
}

#[tokio::test]
async fn a_case_has_its_answers_with_labels_and_its_documents_as_links() {
    let (app, number) = case_with_document().await;
    let (token, _) = add_client(&app, "cms", None);
    let case = json_of(api_get(&app, &token, &format!("/api/v1/cases/{number}")).await).await;
    assert_eq!(case["verification_number"], number);
    assert_eq!(case["type"]["name"]["en"], "Visa for visits");
    let answer = |field: &str| -> Value {
        case["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["field"] == field)
            .cloned()
            .unwrap_or_else(|| panic!("no {field} in {case}"))
    };
    let purpose = answer("purpose");
    assert_eq!(purpose["value"], "family_visit");
    assert!(purpose["label"]["sv"].is_string() && purpose["label"]["en"].is_string());
    assert!(
        purpose["option"]["en"].as_str().unwrap().len() > 3,
        "{purpose}"
    );
    assert_eq!(answer("arrival")["value"], "2027-01-10");
    assert_eq!(case["history"][0]["status"], "received");

    let doc = &case["documents"][0];
    assert_eq!(doc["field"], "passport_photo_page");
    let href = doc["href"].as_str().unwrap();
    assert_eq!(
        href,
        format!(
            "/api/v1/cases/{number}/documents/{}",
            doc["id"].as_str().unwrap()
        )
    );
    let res = api_get(&app, &token, href).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert!(res.bytes().await.unwrap().starts_with(&[0xff, 0xd8]));

    // A document id only under its own case; a number no case has.
    let other = submitted(&app, "a@example.se", "visit-visa").await;
    let elsewhere = format!(
        "/api/v1/cases/{other}/documents/{}",
        doc["id"].as_str().unwrap()
    );
    problem(api_get(&app, &token, &elsewhere).await, 404).await;
    problem(api_get(&app, &token, "/api/v1/cases/00000000").await, 404).await;
    problem(api_get(&app, &token, "/api/v1/cases/%3Cb%3E").await, 404).await;

    let actions: Vec<(String, String)> = kansli::db::read(&app.state.pool, |c| {
        let mut s = c.prepare(
            "SELECT action, actor FROM audit_log WHERE actor_kind = 'api_client' ORDER BY id",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })
    .await
    .unwrap();
    assert!(
        actions.contains(&("api_case_viewed".into(), "cms".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("api_document_viewed".into(), "cms".into())),
        "{actions:?}"
    );
}

#[tokio::test]
async fn status_changes_follow_the_staff_machine_with_a_note() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let number = submitted(&app, "a@example.se", "visit-visa").await;
    let (token, _) = add_client(&app, "cms", None);
    let status = format!("/api/v1/cases/{number}/status");
    let change = |to: &str, note: &str| serde_json::json!({ "status": to, "note": note });

    let body = problem(
        api_post(&app, &token, &status, &change("approved", "")).await,
        409,
    )
    .await;
    assert_eq!(body["type"], "urn:kansli:problem:transition-not-allowed");
    assert_eq!(body["allowed"], serde_json::json!(["in_progress"]));
    let moved = json_of(api_post(&app, &token, &status, &change("in_progress", "")).await).await;
    assert_eq!(moved["status"], "in_progress");
    let body = problem(
        api_post(&app, &token, &status, &change("supplement_requested", " ")).await,
        422,
    )
    .await;
    assert_eq!(body["type"], "urn:kansli:problem:invalid-note");
    let note = "Send a clearer passport photo <b>&\"'";
    json_of(api_post(&app, &token, &status, &change("supplement_requested", note)).await).await;
    problem(
        api_post(&app, &token, &status, &change("nonsense", "")).await,
        400,
    )
    .await;
    let res = app
        .client
        .post(app.url(&status))
        .bearer_auth(&token)
        .body("not json")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    problem(
        api_post(
            &app,
            &token,
            "/api/v1/cases/00000000/status",
            &change("in_progress", ""),
        )
        .await,
        404,
    )
    .await;

    let case = json_of(api_get(&app, &token, &format!("/api/v1/cases/{number}")).await).await;
    let last = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "supplement_requested");
    assert_eq!(last["note"], note);
    assert_eq!(last["by"], "api:cms");
    // The applicant hears of it as from a caseworker, and My Page shows the note's status.
    assert!(app.messages_to("ana@example.com").await.len() >= 2);
    let audited = count(
        &app,
        "SELECT count(*) FROM audit_log WHERE action = 'case_status_changed' AND actor_kind = 'api_client'",
    )
    .await;
    assert_eq!(audited, 2);
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

/// A documented or routed path with its parameters blanked, so `{verification}`
/// and `{verification_number}` compare equal.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => inside = true,
            '}' => {
                inside = false;
                out.push_str("{}");
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// The API's routes as src/web/mod.rs registers them: (method, shape of the path).
fn registered_api_routes() -> std::collections::BTreeSet<(String, String)> {
    let source = include_str!("../../src/web/mod.rs");
    let scope = &source[source.find("scope(\"/api\")").expect("the /api scope")..];
    let scope = &scope[..scope
        .find("default_service(web::to(api::no_route))")
        .unwrap()];
    let mut routes = std::collections::BTreeSet::new();
    let mut path = None;
    for line in scope.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("resource(\"") {
            path = Some(format!("/api{}", &rest[..rest.find('"').unwrap()]));
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            if line.starts_with(&format!(".route({method}()")) {
                routes.insert((method.to_string(), shape(path.as_ref().unwrap())));
            }
        }
    }
    routes
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes_that_exist() {
    let (app, number) = case_with_document().await;
    let (token, _) = add_client(&app, "cms", None);
    let res = app.get("/api/openapi.json").await;
    let doc = json_of(res).await;
    assert_eq!(doc["openapi"], "3.1.0");

    let case = json_of(api_get(&app, &token, &format!("/api/v1/cases/{number}")).await).await;
    let document = case["documents"][0]["id"].as_str().unwrap().to_string();
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            documented.insert((method.clone(), shape(path)));
            let url = path
                .replace("{verification_number}", &number)
                .replace("{document_id}", &document);
            let res = match method.as_str() {
                "get" => api_get(&app, &token, &url).await,
                "post" => {
                    let body = serde_json::json!({ "status": "in_progress" });
                    api_post(&app, &token, &url, &body).await
                }
                other => panic!("{other} is not tried"),
            };
            assert!(
                ![404, 405].contains(&res.status().as_u16()),
                "{method} {url}: {}",
                res.status()
            );
        }
    }
    documented.insert(("get".into(), "/api/openapi.json".into()));
    let registered = registered_api_routes();
    assert!(registered.len() >= 5, "{registered:?}");
    assert_eq!(registered, documented, "routes and the document differ");
    // Every reference points at something the document has.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = &reference[..reference.find('"').unwrap()];
        assert!(
            doc.pointer(&format!("/{pointer}")).is_some(),
            "{pointer} is not in the document"
        );
    }
}

/// A client system's webhook endpoint on loopback: it records every request's
/// signature header and body, and answers 500 to the first `failures` of them.
struct Receiver {
    url: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
    server: actix_web::dev::ServerHandle,
}

#[derive(Clone)]
struct Shared {
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
    failures: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

async fn receive(
    req: actix_web::HttpRequest,
    body: actix_web::web::Bytes,
    shared: actix_web::web::Data<Shared>,
) -> actix_web::HttpResponse {
    use std::sync::atomic::Ordering;
    let signature = req
        .headers()
        .get("kansli-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = String::from_utf8(body.to_vec()).unwrap();
    shared.seen.lock().unwrap().push((signature, body));
    let failing = shared
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        actix_web::HttpResponse::InternalServerError().finish()
    } else {
        actix_web::HttpResponse::Ok().finish()
    }
}

impl Receiver {
    async fn start(failures: usize) -> Receiver {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let shared = Shared {
            seen: seen.clone(),
            failures: std::sync::Arc::new(failures.into()),
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(actix_web::web::Data::new(shared.clone()))
                .route("/hooks", actix_web::web::post().to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            seen,
            server: handle,
        }
    }

    fn seen(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }
}

/// Checks a `Kansli-Signature` as a receiver would (HMAC-SHA256 of "t.body"
/// with the secret, compared in constant time); gives its timestamp.
fn verified_timestamp(secret: &str, signature: &str, body: &str) -> i64 {
    use hmac::{Hmac, Mac};
    let (t, v1) = signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
        .unwrap_or_else(|| panic!("signature {signature:?}"));
    let expected: Vec<u8> = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v1[i..i + 2], 16).unwrap())
        .collect();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&expected)
        .expect("the signature checks out");
    t.parse().unwrap()
}

/// The events the receiver got, each after checking its signature, and their types.
fn signed_events(receiver: &Receiver, secret: &str) -> (Vec<Value>, Vec<String>) {
    let events: Vec<Value> = receiver
        .seen()
        .iter()
        .map(|(signature, body)| {
            verified_timestamp(secret, signature, body);
            serde_json::from_str(body).unwrap()
        })
        .collect();
    let kinds = events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    (events, kinds)
}

async fn deliver(app: &TestApp) {
    app.state
        .delivery
        .deliver_due(&app.state.pool, app.clock.now())
        .await
        .unwrap();
}

/// The deliveries' (status, attempts), oldest first.
async fn deliveries(app: &TestApp) -> Vec<(String, i64)> {
    kansli::db::read(&app.state.pool, |c| {
        let mut s = c.prepare("SELECT status, attempts FROM webhook_deliveries ORDER BY id")?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_webhook_is_signed_and_retried_with_backoff_until_the_receiver_takes_it() {
    use kansli::domain::rules::outbox_backoff;
    let app = spawn_app().await;
    let receiver = Receiver::start(2).await;
    let (_, secret) = add_client(&app, "cms", Some(&receiver.url));
    let secret = secret.unwrap();
    add_client(&app, "reader", None);
    // (Its login moves the clock on.)
    let admin = staff(&app, "admin@agency.se", Role::Admin).await;
    app.create_account("a@example.se").await;
    let number = submitted(&app, "a@example.se", "visit-visa").await;

    let first = app.clock.now();
    deliver(&app).await;
    assert_eq!(receiver.seen().len(), 1);
    assert_eq!(deliveries(&app).await, [("queued".to_string(), 1)]);
    let page = admin.get_html("/staff/webhooks").await;
    assert_eq!(first_text(&page, "tr[data-status=queued] td.attempts"), "1");
    assert!(first_text(&page, "tr[data-status=queued] td.error").contains("500"));
    // Not before its time: the pause grows after each failure.
    app.clock.advance(outbox_backoff(1) - 1);
    deliver(&app).await;
    assert_eq!(receiver.seen().len(), 1);
    app.clock.advance(1);
    deliver(&app).await;
    assert_eq!(receiver.seen().len(), 2);
    app.clock.advance(outbox_backoff(2));
    deliver(&app).await;
    assert_eq!(deliveries(&app).await, [("sent".to_string(), 3)]);
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);

    let sent_at = [
        first,
        first + outbox_backoff(1),
        first + outbox_backoff(1) + outbox_backoff(2),
    ];
    for ((signature, body), at) in seen.iter().zip(sent_at) {
        assert_eq!(verified_timestamp(&secret, signature, body), at);
        assert_eq!(body, &seen[0].1, "each attempt sends the same event");
    }
    let event: Value = serde_json::from_str(&seen[0].1).unwrap();
    assert_eq!(event["type"], "case_submitted");
    assert_eq!(event["case"]["verification_number"], number);
    assert_eq!(event["case"]["status"], "received");
    // Signed with another secret, the body does not check out.
    let other =
        std::panic::catch_unwind(|| verified_timestamp("not-the-secret", &seen[0].0, &seen[0].1));
    assert!(other.is_err());

    let page = admin.get_html("/staff/webhooks").await;
    assert_eq!(
        first_text(&page, "tr[data-status=sent] td.status"),
        "Levererad"
    );
    assert_eq!(first_text(&page, "tr[data-status=sent] td.attempts"), "3");
    receiver.server.stop(true).await;
}

#[tokio::test]
async fn status_changes_reach_every_active_webhook_and_only_those() {
    let app = spawn_app().await;
    let first = Receiver::start(0).await;
    let second = Receiver::start(0).await;
    // Added from the command line: the secret it prints is the one the server signs with.
    let out = succeeded(kansli_cli(
        &app,
        &["api", "add", "cms", "--webhook", &first.url],
    ));
    let (token, secret) = (
        printed(&out, "token:"),
        Some(printed(&out, "webhook secret:")),
    );
    add_client(&app, "archive", Some(&second.url));
    app.create_account("a@example.se").await;
    let number = submitted(&app, "a@example.se", "visit-visa").await;
    deliver(&app).await;
    // A system whose events wait for a retry when it is revoked.
    let pending = Receiver::start(5).await;
    add_client(&app, "pending", Some(&pending.url));
    succeeded(kansli_cli(&app, &["api", "revoke", "archive"]));

    let status = format!("/api/v1/cases/{number}/status");
    let body = serde_json::json!({ "status": "in_progress" });
    assert_eq!(api_post(&app, &token, &status, &body).await.status(), 200);
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let page = format!("/staff/cases/{number}");
    let res = cw
        .submit(
            &page,
            &format!("{page}/status"),
            &[("to", "approved"), ("message", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    deliver(&app).await;

    let (events, kinds) = signed_events(&first, secret.as_deref().unwrap());
    assert_eq!(
        kinds,
        [
            "case_submitted",
            "case_status_changed",
            "case_status_changed"
        ]
    );
    assert_eq!(events[1]["case"]["from"], "received");
    assert_eq!(events[1]["case"]["status"], "in_progress");
    assert_eq!(events[2]["case"]["status"], "approved");
    assert_ne!(events[1]["id"], events[2]["id"]);
    assert_eq!(second.seen().len(), 1, "a revoked client hears no more");
    let waiting = pending.seen().len();
    assert_eq!(waiting, 2, "each status change's first attempt failed");
    succeeded(kansli_cli(&app, &["api", "revoke", "pending"]));
    app.clock.advance(kansli::domain::rules::HOUR * 5);
    deliver(&app).await;
    assert_eq!(pending.seen().len(), waiting, "nothing more after revoking");
    let admin = staff(&app, "admin@agency.se", Role::Admin).await;
    let page = admin.get_html("/staff/webhooks").await;
    assert_eq!(
        first_text(&page, "tr[data-status=failed] td.error"),
        "client revoked"
    );
    pending.server.stop(true).await;
    first.server.stop(true).await;
    second.server.stop(true).await;
}

#[test]
fn the_readme_signature_check_accepts_kanslis_signature_and_nothing_else() {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## Integration API").unwrap()..];
    let start = section.find("```python\n").unwrap() + "```python\n".len();
    let snippet = &section[start..start + section[start..].find("```").unwrap()];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let body = r#"{"type":"case_submitted","case":{"verification_number":"<>&\"'"}}"#;
    let signed = kansli::domain::api::webhook_signature("s3cret", now, body);
    let old = kansli::domain::api::webhook_signature("s3cret", now - 3600, body);
    let script = format!(
        "{snippet}\nimport sys\nbody = sys.stdin.buffer.read()\n\
         print(from_kansli(body, {signed:?}, 's3cret'), from_kansli(body + b' ', {signed:?}, 's3cret'), \
         from_kansli(body, {signed:?}, 'other'), from_kansli(body, {old:?}, 's3cret'))\n"
    );
    let mut python = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs the README's example");
    use std::io::Write;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = python.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "True False False False",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The person in Sweden answers the questionnaire by the emailed link, page by page.
async fn answer_questionnaire(app: &TestApp) {
    let invite = app.messages_to(SPONSOR_EMAIL).await.remove(0);
    let at = invite.text.find("/questionnaire/link?token=").unwrap();
    let link: String = invite.text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let sponsor = app.new_browser();
    let token = link.split_once("token=").unwrap().1;
    let res = sponsor
        .submit(&link, "/questionnaire/link", &[("token", token)])
        .await;
    let draft = res.headers()["location"].to_str().unwrap().to_string();
    let pages: [(&str, &[(&str, &str)]); 3] = [
        (
            "about_you",
            &[
                ("phone", "+46701112233"),
                ("occupation", "Nurse"),
                ("supports_self", "yes"),
            ],
        ),
        (
            "relationship",
            &[
                ("met_on", "2018-06-01"),
                ("how_met", "At a course <in> Lund"),
                ("met_in_person", "yes"),
                ("common_language", "English"),
            ],
        ),
        ("home", &[("housing", "rental"), ("rooms", "3")]),
    ];
    for (page, fields) in pages {
        let path = format!("{draft}/pages/{page}");
        let revision = form_value(&sponsor.get_html(&path).await, &path, "revision");
        let mut all = vec![("revision", revision.as_str()), ("action", "next")];
        all.extend_from_slice(fields);
        assert_eq!(
            sponsor.submit(&path, &path, &all).await.status(),
            303,
            "{page}"
        );
    }
    let (review, approve) = (format!("{draft}/review"), format!("{draft}/approve"));
    let revision = form_value(&sponsor.get_html(&review).await, &approve, "revision");
    let fields = [("revision", revision.as_str()), ("confirm", "yes")];
    let res = sponsor.submit(&review, &approve, &fields).await;
    assert_redirect(&res, "/questionnaire?answered=1");
}

#[tokio::test]
async fn an_answered_questionnaire_is_an_event_and_part_of_the_case() {
    let app = spawn_app().await;
    let receiver = Receiver::start(0).await;
    let (token, secret) = add_client(&app, "cms", Some(&receiver.url));
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "spouse-partner").await;
    answer_questionnaire(&app).await;
    deliver(&app).await;

    let (events, kinds) = signed_events(&receiver, secret.as_deref().unwrap());
    assert_eq!(kinds, ["case_submitted", "questionnaire_answered"]);
    assert_eq!(events[1]["case"]["verification_number"], number);
    assert_eq!(events[1]["case"]["type"], "spouse-partner");
    assert_eq!(events[1]["case"]["status"], "received");

    let case = json_of(api_get(&app, &token, &format!("/api/v1/cases/{number}")).await).await;
    let questionnaire = &case["questionnaire"];
    assert!(questionnaire["answered_at"].is_string(), "{questionnaire}");
    let answers = questionnaire["answers"].as_array().unwrap();
    assert!(answers
        .iter()
        .any(|a| a["field"] == "how_met" && a["value"] == "At a course <in> Lund"));
    receiver.server.stop(true).await;
}
