//! `kansli demo`: the real binary fills a fresh data directory; then the portal
//! serves it, and the logins it printed work as a presenter would use them.
use kansli::clock::Clock;
use kansli::domain::case::CaseStatus;
use kansli::domain::totp::TotpSecret;

use crate::helpers::*;

/// The value printed after `label` on the line naming `email`.
fn printed(out: &str, email: &str, label: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.contains(&format!("email: {email} ")))
        .unwrap_or_else(|| panic!("no line for {email} in:\n{out}"));
    let from = line
        .find(label)
        .unwrap_or_else(|| panic!("no {label} on {line:?}"))
        + label.len();
    line[from..].split_whitespace().next().unwrap().to_string()
}

/// The emails of the printed logins of one kind ("applicant" or a staff role).
fn printed_emails(out: &str, kind: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.trim_start().starts_with(kind))
        .map(|l| {
            l.split("email: ")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A fresh data directory filled by `kansli demo`, the real `kansli serve` on it,
/// and a browser talking to that server.
struct Demo {
    out: String,
    browser: TestApp,
    dir: tempfile::TempDir,
    _server: Served,
}

async fn demo_served() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeded(kansli_cli_in(dir.path(), &["demo"]));
    let server = serve_process(dir.path(), "");
    // The in-process app only lends its browser helpers; every request goes to the binary.
    let browser = spawn_app()
        .await
        .at(format!("http://127.0.0.1:{}", server.port));
    Demo {
        out,
        browser,
        dir,
        _server: server,
    }
}

/// The answers of a query of one column, read beside the running server.
fn column<T: r2d2_sqlite::rusqlite::types::FromSql>(dir: &std::path::Path, sql: &str) -> Vec<T> {
    let conn = r2d2_sqlite::rusqlite::Connection::open(dir.join("kansli.db")).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// The code of the newest message to `recipient` in the dev mailbox.
async fn mailbox_code(browser: &TestApp, recipient: &str) -> String {
    let html = browser.get_html("/dev/mailbox").await;
    first_text(
        &html,
        &format!(r#"li.message[data-recipient="{recipient}"] .code"#),
    )
}

#[tokio::test]
async fn demo_applicants_log_in_with_the_printed_passwords_and_find_drafts_and_cases() {
    let demo = demo_served().await;
    let (out, app) = (&demo.out, &demo.browser);
    let applicants = printed_emails(out, "applicant");
    assert!(applicants.len() >= 2, "{out}");
    let mut two_step_seen = false;
    let mut password_only_seen = false;
    for email in &applicants {
        let browser = app.new_browser();
        let password = printed(out, email, "password: ");
        let res = browser.login(email, &password).await;
        let location = res.headers()["location"].to_str().unwrap().to_string();
        if location == "/login/sms" {
            // The code goes to the printed number, shown in the dev mailbox.
            let phone = printed(out, email, "SMS to ");
            let code = mailbox_code(&browser, &phone).await;
            let res = browser
                .submit("/login/sms", "/login/sms", &[("code", &code)])
                .await;
            assert_redirect(&res, "/account");
            two_step_seen = true;
        } else {
            assert_redirect(&res, "/account");
            password_only_seen = true;
        }
        let my_page = browser.get_html("/account").await;
        assert!(
            !select_text(&my_page, "table.drafts tbody tr").is_empty(),
            "{email} has drafts"
        );
        assert!(
            !select_text(&my_page, "li.case .verification-number").is_empty(),
            "{email} has cases"
        );
    }
    assert!(two_step_seen && password_only_seen, "{out}");
    // Drafts stopped on different pages: each continues elsewhere.
    let pages: std::collections::BTreeSet<i64> = column(
        demo.dir.path(),
        "SELECT COUNT(*) FROM draft_pages p JOIN drafts d ON d.id = p.draft_id
         WHERE p.done = 1 AND d.approved_at IS NULL AND d.account_id IS NOT NULL
         GROUP BY p.draft_id",
    )
    .into_iter()
    .collect();
    assert!(pages.len() >= 2, "drafts on several pages: {pages:?}");
}

#[tokio::test]
async fn demo_staff_log_in_with_the_printed_secrets_and_the_caseworker_finds_every_status() {
    let demo = demo_served().await;
    let (out, app) = (&demo.out, &demo.browser);
    let set_up: Vec<i64> = column(
        demo.dir.path(),
        "SELECT COUNT(*) FROM staff WHERE setup_at IS NOT NULL",
    );
    assert_eq!(set_up, [3], "set up through their links");
    for role in ["caseworker", "support", "admin"] {
        let emails = printed_emails(out, role);
        assert_eq!(emails.len(), 1, "one {role}: {out}");
        let email = &emails[0];
        let secret = printed(out, email, "authenticator secret: ");
        let bytes = totp_rs::Secret::Encoded(secret).to_bytes().unwrap();
        let code = TotpSecret::from_stored(bytes).code_at(Clock::system().now());
        let browser = app.new_browser();
        let res = browser
            .submit(
                "/staff/login",
                "/staff/login",
                &[
                    ("email", email.as_str()),
                    ("password", &printed(out, email, "password: ")),
                    ("code", &code),
                ],
            )
            .await;
        assert_redirect(&res, "/staff");
        if role != "caseworker" {
            continue;
        }
        for status in CaseStatus::ALL {
            let list = browser
                .get_html(&format!("/staff/cases?status={}", status.as_str()))
                .await;
            let numbers = select_text(&list, "table.cases a.verification-number");
            assert!(!numbers.is_empty(), "a case {}", status.as_str());
            let case = browser
                .get_html(&format!("/staff/cases/{}", numbers[0]))
                .await;
            assert!(
                !select_text(&case, "ol.timeline li").is_empty(),
                "a timeline"
            );
        }
    }
    let questionnaires: Vec<bool> = column(
        demo.dir.path(),
        "SELECT answered_at IS NOT NULL FROM questionnaires",
    );
    assert!(questionnaires.contains(&true), "one answered");
    assert!(questionnaires.contains(&false), "one waiting");
}

/// Rows of every table the demo fills.
fn counts(dir: &std::path::Path) -> Vec<(&'static str, i64)> {
    [
        "accounts",
        "staff",
        "drafts",
        "draft_answers",
        "documents",
        "payments",
        "cases",
        "case_events",
        "questionnaires",
        "outbox",
        "audit_log",
    ]
    .into_iter()
    .map(|table| {
        (
            table,
            column(dir, &format!("SELECT COUNT(*) FROM {table}"))[0],
        )
    })
    .collect()
}

#[test]
fn running_demo_twice_prints_the_same_logins_and_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = succeeded(kansli_cli_in(dir.path(), &["demo"]));
    let before = counts(dir.path());
    assert!(before.iter().all(|(_, n)| *n > 0), "{before:?}");
    let second = succeeded(kansli_cli_in(dir.path(), &["demo"]));
    assert_eq!(counts(dir.path()), before);
    let logins = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.contains("email: "))
            .map(str::to_string)
            .collect()
    };
    assert!(!logins(&first).is_empty());
    assert_eq!(logins(&second), logins(&first));
    assert!(second.contains("already"), "{second}");
}

#[test]
fn demo_is_refused_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = kansli_in_production(d, &d.join("secret.key"), &["demo"]);
    let said = refused(out);
    assert!(said.contains("development mode only"), "{said}");
    assert!(!d.join("kansli.db").exists(), "nothing was made");
}
