use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use kansli::settings::{SmsSettings, SmtpSecurity, SmtpSettings};

use crate::helpers::*;

/// A form the SMS provider received: its fields in order.
type Form = Vec<(String, String)>;

/// What the SMS provider saw: the Authorization header and the form fields.
type ProviderCall = (Option<String>, Vec<(String, String)>);

fn smtp(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::Plain,
        username: None,
        password: None,
        from: "Kansli <noreply@kansli.example>".into(),
    }
}

#[tokio::test]
async fn emails_go_out_over_smtp_with_a_text_and_an_html_part() {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let app = spawn_app_with(|s| s.smtp = Some(smtp(port))).await;
    app.get("/lang/en?back=/").await;
    app.start_account("smtp@example.se").await;
    kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
        .await
        .unwrap();
    let received = sink.received.lock().unwrap().clone();
    let status = app.messages_to("smtp@example.se").await.remove(0);
    assert_eq!(
        received.len(),
        1,
        "sent exactly once ({:?})",
        status.last_error
    );
    let mail = &received[0];
    assert!(mail.contains("To: smtp@example.se"));
    assert!(mail.contains("Subject: Your code to confirm your account"));
    assert!(mail.contains("multipart/alternative"));
    assert!(mail.contains("Content-Type: text/plain"));
    assert!(mail.contains("Content-Type: text/html"));
    let code = app.code_for("smtp@example.se").await;
    assert!(mail.contains(&code));
    let status = &app.messages_to("smtp@example.se").await[0].status;
    assert_eq!(status, "sent");
}

#[tokio::test]
async fn smtp_credentials_are_never_sent_over_an_unencrypted_connection() {
    let sink = SmtpSink::start_with_auth().await;
    let port = sink.port;
    let app = spawn_app_with(|s| {
        let mut settings = smtp(port);
        settings.username = Some("kansli".into());
        settings.password = Some("smtp secret".into());
        s.smtp = Some(settings);
    })
    .await;
    app.start_account("auth@example.se").await;
    kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
        .await
        .unwrap();
    assert!(
        sink.logins.lock().unwrap().is_empty(),
        "the password stayed home"
    );
    assert!(sink.received.lock().unwrap().is_empty());
    let message = app.messages_to("auth@example.se").await.remove(0);
    assert_eq!(
        message.status, "queued",
        "kept for a retry once the settings are fixed"
    );
    let error = message.last_error.unwrap();
    assert!(error.contains("authentication mechanism"), "{error}");
    assert!(!error.contains("smtp secret"));
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_retried_with_backoff_and_the_error_recorded() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(|s| s.smtp = Some(smtp(closed))).await;
    app.start_account("retry@example.se").await;
    // The background worker may have made the first attempt already; either way it failed once.
    kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
        .await
        .unwrap();
    let message = app.messages_to("retry@example.se").await.remove(0);
    assert_eq!(message.status, "queued");
    assert_eq!(message.attempts, 1);
    assert!(message.last_error.as_deref().unwrap().contains("SMTP"));
    // Nothing is due again until the backoff has passed.
    let again = kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
        .await
        .unwrap();
    assert_eq!(again.retrying + again.sent, 0);
    for _ in 0..10 {
        app.clock.advance(5 * 3600);
        kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
            .await
            .unwrap();
    }
    let message = app.messages_to("retry@example.se").await.remove(0);
    assert_eq!(message.status, "failed");
    assert_eq!(message.attempts, kansli::domain::rules::OUTBOX_MAX_ATTEMPTS);
}

#[tokio::test]
async fn sms_go_to_the_provider_api_over_http_from_migr() {
    let received: Arc<Mutex<Vec<ProviderCall>>> = Arc::default();
    let store = received.clone();
    let provider = HttpServer::new(move || {
        let store = store.clone();
        App::new().route(
            "/a1/sms",
            web::post().to(
                move |req: actix_web::HttpRequest, form: web::Form<Vec<(String, String)>>| {
                    let store = store.clone();
                    async move {
                        let auth = req
                            .headers()
                            .get("authorization")
                            .map(|v| v.to_str().unwrap().to_string());
                        store.lock().unwrap().push((auth, form.into_inner()));
                        HttpResponse::Ok().body("{}")
                    }
                },
            ),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = provider.addrs()[0].port();
    tokio::spawn(provider.run());

    let app = spawn_app_with(|s| {
        s.sms = Some(SmsSettings {
            url: format!("http://127.0.0.1:{port}/a1/sms"),
            username: Some("api-user".into()),
            password: Some("api-secret".into()),
            sender: "MIGR".into(),
        })
    })
    .await;
    app.create_account("a@example.se").await;
    app.submit_phone("+46", "0701234567", false).await;
    kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
        .await
        .unwrap();
    let calls = received.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let (auth, form) = &calls[0];
    assert!(auth.as_deref().unwrap().starts_with("Basic "));
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field("from"), "MIGR");
    assert_eq!(field("to"), "+46701234567");
    assert!(field("message").contains(&app.code_for("+46701234567").await));
}

#[tokio::test]
async fn sent_bodies_are_erased_when_no_dev_mailbox_will_show_them() {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let app = spawn_app_with(|s| {
        s.smtp = Some(smtp(port));
        s.dev_mailbox = Some(false);
    })
    .await;
    app.start_account("erase@example.se").await;
    kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
        .await
        .unwrap();
    let message = app.messages_to("erase@example.se").await.remove(0);
    assert_eq!(message.status, "sent");
    assert_eq!(message.text, "");
    assert!(message.html.is_none());
    assert_eq!(sink.received.lock().unwrap().len(), 1);
}

/// An app in production's way (no dev mailbox) whose SMTP server refuses every connection.
async fn refused_smtp() -> TestApp {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    spawn_app_with(|s| {
        s.smtp = Some(smtp(closed));
        s.dev_mailbox = Some(false);
    })
    .await
}

/// Every attempt the worker makes, so what is queued fails for good.
async fn fail_for_good(app: &TestApp) {
    for _ in 0..=kansli::domain::rules::OUTBOX_MAX_ATTEMPTS {
        kansli::jobs::deliver_outbox(&app.state.delivery, &app.state.pool, app.clock.now())
            .await
            .unwrap();
        app.clock.advance(5 * 3600);
    }
}

#[tokio::test]
async fn failed_bodies_are_erased_when_no_dev_mailbox_will_show_them() {
    let app = refused_smtp().await;
    app.start_account("lost@example.se").await;
    fail_for_good(&app).await;
    let message = app.messages_to("lost@example.se").await.remove(0);
    assert_eq!(message.status, "failed");
    assert_eq!(message.text, "", "the code went with the failure");
    assert!(message.html.is_none());
    assert!(message.last_error.is_some(), "why it failed is kept");
}

/// Issue 19: support resends what failed, so a failed message keeps its body
/// unless it holds a code or a link that works as one.
#[tokio::test]
async fn a_failed_message_keeps_its_body_unless_it_holds_a_code() {
    use kansli::outbound::notify::messages;
    let app = refused_smtp().await;
    let t = kansli::i18n::Texts::new(kansli::domain::Lang::En);
    let code = kansli::domain::secret::OneTimeCode::generate();
    let notice = messages::two_step_off(t, "notice@example.se");
    let secret = messages::confirm_code(t, "code@example.se", &code);
    let now = app.clock.now();
    app.state
        .delivery
        .write_and_send(&app.state.pool, move |tx| {
            kansli::db::outbox::enqueue(tx, &notice, now)?;
            kansli::db::outbox::enqueue(tx, &secret, now)
        })
        .await
        .unwrap();
    fail_for_good(&app).await;
    let notice = app.messages_to("notice@example.se").await.remove(0);
    assert_eq!(notice.status, "failed");
    assert!(!notice.text.is_empty(), "kept for a resend");
    let secret = app.messages_to("code@example.se").await.remove(0);
    assert_eq!(secret.status, "failed");
    assert_eq!(secret.text, "", "the code went with the failure");
}

/// `kansli ARGS` with `env`, off the test's runtime (the servers it talks to run on it).
async fn kansli_off_runtime(
    env: Vec<(&'static str, String)>,
    args: &'static [&'static str],
) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"));
        command
            .args(args)
            .env("KANSLI_DATA_DIR", dir.path())
            .env_remove("KANSLI_CONFIG")
            .current_dir(dir.path());
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn send_test_email_goes_through_smtp_and_prints_the_servers_answer() {
    let sink = SmtpSink::start().await;
    let env = vec![
        ("KANSLI_SMTP_HOST", "127.0.0.1".to_string()),
        ("KANSLI_SMTP_PORT", sink.port.to_string()),
        ("KANSLI_SMTP_SECURITY", "plain".to_string()),
        ("KANSLI_SMTP_FROM", "noreply@kansli.example".to_string()),
    ];
    let said = succeeded(kansli_off_runtime(env, &["send-test-email", "ops@example.se"]).await);
    assert!(
        said.contains("sent to ops@example.se") && said.contains("250"),
        "{said}"
    );
    let received = sink.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert!(received[0].contains("To: ops@example.se"));

    // Without an SMTP server there is nothing to test, and the command says so.
    let err = refused(kansli_off_runtime(Vec::new(), &["send-test-email", "ops@example.se"]).await);
    assert!(err.contains("no SMTP server is configured"), "{err}");
}

#[tokio::test]
async fn send_test_sms_goes_through_the_provider_and_prints_its_answer() {
    let received: Arc<Mutex<Vec<Form>>> = Arc::default();
    let store = received.clone();
    let provider = HttpServer::new(move || {
        let store = store.clone();
        App::new().route(
            "/send",
            web::post().to(move |form: web::Form<Vec<(String, String)>>| {
                let store = store.clone();
                async move {
                    store.lock().unwrap().push(form.into_inner());
                    HttpResponse::Ok().body(r#"{"id":"s1"}"#)
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = provider.addrs()[0].port();
    tokio::spawn(provider.run());
    let env = vec![("KANSLI_SMS_URL", format!("http://127.0.0.1:{port}/send"))];
    let said = succeeded(kansli_off_runtime(env, &["send-test-sms", "070-123 45 67"]).await);
    assert!(
        said.contains("sent to +46701234567") && said.contains(r#"200 OK {"id":"s1"}"#),
        "{said}"
    );
    let calls = received.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].contains(&("to".to_string(), "+46701234567".to_string())));
}
