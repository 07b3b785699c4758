use crate::helpers::*;
use kansli::domain::rules::{DAY, MINUTE};
use kansli::domain::staff::Role;

/// The cleanup job as the scheduler runs it, at the test clock's time.
async fn cleanup(app: &TestApp) -> kansli::jobs::Cleanup {
    kansli::jobs::cleanup(
        &app.state.pool,
        app.clock.now(),
        app.state.settings.retention(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn unconfirmed_accounts_are_deleted_after_seven_days_and_confirmed_ones_kept() {
    let app = spawn_app().await;
    app.create_account("kept@example.se").await;
    app.new_browser().start_account("gone@example.se").await;
    app.clock.advance(7 * DAY - 1);
    let report = cleanup(&app).await;
    assert_eq!(report.unconfirmed_accounts, 0);
    app.clock.advance(2);
    let report = cleanup(&app).await;
    assert_eq!(report.unconfirmed_accounts, 1);
    let again = cleanup(&app).await;
    assert_eq!(again, kansli::jobs::Cleanup::default(), "idempotent");
    assert_redirect(
        &app.new_browser().login("kept@example.se", PASSWORD).await,
        "/account",
    );
    // The address is free again.
    let res = app.new_browser().start_account("gone@example.se").await;
    assert_redirect(&res, "/account/confirm");
}

#[tokio::test]
async fn expired_sessions_and_codes_are_purged() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let count = |app: &TestApp| {
        let pool = app.state.pool.clone();
        async move {
            kansli::db::read(&pool, |c| {
                c.query_row(
                    "SELECT (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM codes)",
                    [],
                    |r| r.get::<_, i64>(0),
                )
            })
            .await
            .unwrap()
        }
    };
    assert!(count(&app).await >= 2);
    app.clock.advance(30 * MINUTE);
    let report = cleanup(&app).await;
    assert_eq!(report.sessions, 1);
    app.clock.advance(DAY + 1);
    let report = cleanup(&app).await;
    assert_eq!(report.codes, 1);
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn the_binary_migrates_and_refuses_bad_settings_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .arg("migrate")
        .env("KANSLI_DATA_DIR", dir.path())
        .env("KANSLI_CONFIG", dir.path().join("absent.toml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a named config file that is missing is an error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("absent.toml"));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .arg("migrate")
        .env("KANSLI_DATA_DIR", dir.path())
        .env_remove("KANSLI_CONFIG")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!(
        "schema version {}",
        kansli::db::migrate::version()
    )));
    assert!(dir.path().join("kansli.db").exists());

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .env("KANSLI_DATA_DIR", dir.path())
        .env("KANSLI_MODE", "production")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    for missing in [
        "production mode requires base_url",
        "SMTP settings",
        "an SMS provider",
        "a card payment provider",
    ] {
        assert!(
            said.contains(missing),
            "every missing setting at once: {said}"
        );
    }

    let conn = rusqlite_conn(&dir.path().join("kansli.db"));
    conn.pragma_update(None, "user_version", 99).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .arg("migrate")
        .env("KANSLI_DATA_DIR", dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer than this kansli"));
}

fn rusqlite_conn(path: &std::path::Path) -> r2d2_sqlite::rusqlite::Connection {
    r2d2_sqlite::rusqlite::Connection::open(path).unwrap()
}

#[tokio::test]
async fn every_pooled_connection_is_wal_synchronous_full_with_foreign_keys_and_a_busy_timeout() {
    let app = spawn_app().await;
    // Hold several connections at once so more than one pooled connection is checked.
    let pool = app.state.pool.clone();
    let conns: Vec<_> = (0..4).map(|_| pool.get().unwrap()).collect();
    for conn in &conns {
        let pragma = |name: &str| {
            conn.pragma_query_value(None, name, |r| {
                r.get::<_, r2d2_sqlite::rusqlite::types::Value>(0)
            })
            .unwrap()
        };
        use r2d2_sqlite::rusqlite::types::Value;
        assert_eq!(pragma("journal_mode"), Value::Text("wal".into()));
        assert_eq!(pragma("synchronous"), Value::Integer(2), "FULL");
        assert_eq!(pragma("foreign_keys"), Value::Integer(1));
        assert_eq!(pragma("busy_timeout"), Value::Integer(5000));
    }
    assert!(app.dir.path().join("kansli.db").exists(), "a real file");
}

#[tokio::test]
async fn outbox_messages_older_than_the_retention_are_purged() {
    let app = spawn_app_with(|s| s.outbox_retention_days = 30).await;
    app.start_account("old@example.se").await;
    app.clock.advance(29 * DAY);
    app.new_browser().start_account("new@example.se").await;
    assert_eq!(cleanup(&app).await.outbox, 0);
    app.clock.advance(DAY + 1);
    assert_eq!(cleanup(&app).await.outbox, 1);
    let left: Vec<_> = app
        .messages()
        .await
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    assert_eq!(left, ["new@example.se"], "only the older message went");
    app.clock.advance(30 * DAY);
    assert_eq!(cleanup(&app).await.outbox, 1);
    assert!(app.messages().await.is_empty());
}

#[tokio::test]
async fn the_audit_log_is_kept_for_its_retention_and_no_longer() {
    let app = spawn_app_with(|s| s.audit_retention_days = 730).await;
    let count = |app: &TestApp| {
        let conn = app.state.pool.get().unwrap();
        conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    // Failed logins are logged.
    app.login("old@example.se", "not the password").await;
    let first = count(&app);
    assert!(first > 0, "a failed login is logged");
    app.clock.advance(700 * DAY);
    app.new_browser()
        .login("new@example.se", "not the password")
        .await;
    let both = count(&app);
    assert!(both > first);
    app.clock.advance(30 * DAY);
    assert_eq!(cleanup(&app).await.audit, 0, "730 days are not yet past");
    app.clock.advance(1);
    assert_eq!(cleanup(&app).await.audit as i64, first);
    assert_eq!(count(&app), both - first, "only the older entries went");
}

/// Stores a document for the case with this verification number, as an upload would.
async fn attach(app: &TestApp, number: &str) {
    let number = number.to_string();
    kansli::db::write(&app.state.pool, move |tx| {
        let case = kansli::db::cases::by_verification(tx, &number)?.unwrap();
        let reference = kansli::domain::secret::public_reference();
        let doc = kansli::db::documents::NewDocument {
            reference: &reference,
            draft: case.draft_id,
            field: "passport",
            filename: "pass <&>.jpg",
            mime: "image/jpeg",
            bytes: &[1, 2, 3],
            thumbnail: &[1],
        };
        kansli::db::documents::replace(tx, &doc, 0)
    })
    .await
    .unwrap();
}

async fn documents(app: &TestApp) -> i64 {
    kansli::db::read(&app.state.pool, |c| {
        c.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))
    })
    .await
    .unwrap()
}

/// Issue 19: with `closed_case_document_retention_days` set, a decided case's
/// documents go that long after the decision; a case still open keeps them.
#[tokio::test]
async fn decided_cases_documents_are_deleted_after_their_retention() {
    let app = spawn_app_with(|s| s.closed_case_document_retention_days = Some(90)).await;
    app.create_account("ana@example.se").await;
    let decided = submitted(&app, "ana@example.se", "visit-visa").await;
    let other = app.new_browser();
    other.create_account("bo@example.se").await;
    let open = submitted(&other, "bo@example.se", "visit-visa").await;
    attach(&app, &decided).await;
    attach(&app, &open).await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    for (number, to) in [
        (&decided, "in_progress"),
        (&decided, "rejected"),
        (&open, "in_progress"),
    ] {
        assert_eq!(change_status(&cw, number, to, "").await.status(), 303);
    }

    app.clock.advance(90 * DAY - 1);
    assert_eq!(
        cleanup(&app).await.case_documents,
        0,
        "90 days not yet past"
    );
    app.clock.advance(2);
    assert_eq!(cleanup(&app).await.case_documents, 1);
    assert_eq!(documents(&app).await, 1, "the open case keeps its document");
    assert_eq!(cleanup(&app).await.case_documents, 0, "idempotent");

    let cw = staff(&app, "cw2@agency.se", Role::Caseworker).await;
    let page = cw.get_html(&format!("/staff/cases/{decided}")).await;
    assert!(!first_text(&page, ".documents-deleted").is_empty());
    let page = cw.get_html(&format!("/staff/cases/{open}")).await;
    assert!(select_text(&page, ".documents-deleted").is_empty());
}

#[tokio::test]
async fn decided_cases_keep_their_documents_by_default() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let decided = submitted(&app, "ana@example.se", "visit-visa").await;
    attach(&app, &decided).await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    change_status(&cw, &decided, "in_progress", "").await;
    change_status(&cw, &decided, "approved", "").await;
    app.clock.advance(3650 * DAY);
    assert_eq!(cleanup(&app).await.case_documents, 0);
    assert_eq!(documents(&app).await, 1);
}
