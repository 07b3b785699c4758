//! Signed webhook events delivered through the outbox to receivers on loopback.
use super::*;
use crate::helpers::*;
use kansli::domain::staff::Role;
use serde_json::Value;

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

/// A round may take minutes (slow receivers, a batch of emails first); receivers
/// refuse a signature much older than their clock, so each event is signed with
/// the time it leaves, not the time its round was started for.
#[tokio::test]
async fn each_event_is_signed_when_it_is_sent() {
    let app = spawn_app().await;
    let receiver = Receiver::start(1).await;
    let (_, secret) = add_client(&app, "cms", Some(&receiver.url));
    let secret = secret.unwrap();
    app.create_account("a@example.se").await;
    submitted(&app, "a@example.se", "visit-visa").await;
    let now = app.clock.now();
    // Rounds started for a later time (as a long round's events leave later).
    for _ in 0..3 {
        app.state
            .delivery
            .deliver_due(&app.state.pool, now + 100_000)
            .await
            .unwrap();
    }
    let seen = receiver.seen();
    assert!(seen.len() >= 2, "failed once, then taken: {}", seen.len());
    for (signature, body) in &seen {
        assert_eq!(verified_timestamp(&secret, signature, body), now);
    }
    receiver.server.stop(true).await;
}

/// A receiver that is down is tried once a round: its other events wait for the
/// next round without an attempt spent, and nobody else's wait behind it.
#[tokio::test]
async fn a_failing_receiver_is_tried_once_a_round() {
    let app = spawn_app().await;
    let down = Receiver::start(1000).await;
    let up = Receiver::start(0).await;
    add_client(&app, "down", Some(&down.url));
    add_client(&app, "up", Some(&up.url));
    app.create_account("a@example.se").await;
    submitted(&app, "a@example.se", "visit-visa").await;
    submitted(&app, "a@example.se", "visit-visa").await;
    let now = app.clock.now();
    // Whatever is due now is tried (by this call or the worker), then one round
    // in which both of the down client's events are due.
    deliver(&app).await;
    let attempts = || async {
        kansli::db::read(&app.state.pool, |c| {
            c.query_row(
                "SELECT COALESCE(SUM(w.attempts), 0) FROM webhook_deliveries w
                 JOIN api_clients c ON c.id = w.client_id WHERE c.name = 'down'",
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .await
        .unwrap()
    };
    let (tried, spent) = (down.seen().len(), attempts().await);
    app.state
        .delivery
        .deliver_due(&app.state.pool, now + 100_000)
        .await
        .unwrap();
    assert_eq!(down.seen().len(), tried + 1, "tried once in the round");
    assert_eq!(
        attempts().await,
        spent + 1,
        "the other event spent no attempt"
    );
    assert_eq!(up.seen().len(), 2, "the other client's events went out");
    down.server.stop(true).await;
    up.server.stop(true).await;
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

    // The caseworker logs in first: a login moves the clock on, which would
    // bring the failed deliveries' retries due in the middle of the test.
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let status = format!("/api/v1/cases/{number}/status");
    let body = serde_json::json!({ "status": "in_progress" });
    assert_eq!(api_post(&app, &token, &status, &body).await.status(), 200);
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
    let readme = include_str!("../../../README.md");
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

/// Deliveries hold case numbers for client systems: they go with the outbox's
/// retention, like the messages they travel beside.
#[tokio::test]
async fn webhook_deliveries_are_kept_for_the_outbox_retention_and_no_longer() {
    use kansli::domain::rules::DAY;
    let app = spawn_app_with(|s| s.outbox_retention_days = 30).await;
    let receiver = Receiver::start(0).await;
    add_client(&app, "cms", Some(&receiver.url));
    app.create_account("a@example.se").await;
    submitted(&app, "a@example.se", "visit-visa").await;
    deliver(&app).await;
    let cleanup = || async {
        kansli::jobs::cleanup(
            &app.state.pool,
            app.clock.now(),
            app.state.settings.retention(),
        )
        .await
        .unwrap()
    };
    app.clock.advance(30 * DAY - 60);
    assert_eq!(cleanup().await.webhooks, 0);
    assert_eq!(deliveries(&app).await.len(), 1);
    app.clock.advance(61);
    assert_eq!(cleanup().await.webhooks, 1);
    assert!(deliveries(&app).await.is_empty());
    receiver.server.stop(true).await;
}
