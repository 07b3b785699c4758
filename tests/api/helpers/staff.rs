//! Staff as the agency has them: set up with an authenticator, logged in, and
//! what they record; submitted cases for them to work on.
use kansli::domain::rules::{login_delay, DAY};
use kansli::domain::staff::Role;
use kansli::domain::totp::{TotpSecret, STEP};

use super::*;

pub const STAFF_PASSWORD: &str = "a long staff passphrase for the desk";

/// Creates a staff account as `kansli staff add` does; returns the setup path and the app secret.
pub async fn add_staff(app: &TestApp, email: &str, role: Role) -> (String, TotpSecret) {
    let link = kansli::flows::identity::staff::add(
        &app.state.pool,
        &app.state.sealing,
        &app.address,
        email,
        role,
        app.clock.now(),
    )
    .expect("staff added");
    let path = link
        .strip_prefix(&app.address)
        .expect("link to this site")
        .to_string();
    let key = email.to_string();
    let stored = kansli::db::read(&app.state.pool, move |c| {
        kansli::db::staff::by_email(c, &key)
    })
    .await
    .unwrap()
    .expect("stored");
    let secret = app
        .state
        .sealing
        .open(kansli::db::installation::TOTP_SECRET, &stored.totp_secret)
        .expect("sealed with the installation's key");
    (path, TotpSecret::from_stored(secret))
}

pub async fn submit_setup(app: &TestApp, path: &str, code: &str) -> reqwest::Response {
    app.submit(
        path,
        path,
        &[
            ("password", STAFF_PASSWORD),
            ("password_repeat", STAFF_PASSWORD),
            ("code", code),
        ],
    )
    .await
}

pub async fn set_up(app: &TestApp, email: &str, role: Role) -> TotpSecret {
    let (path, secret) = add_staff(app, email, role).await;
    let code = secret.code_at(app.clock.now());
    let res = submit_setup(app, &path, &code).await;
    assert_redirect(&res, "/staff/login?setup=1");
    secret
}

pub async fn staff_login(app: &TestApp, email: &str, code: &str) -> reqwest::Response {
    app.submit(
        "/staff/login",
        "/staff/login",
        &[
            ("email", email),
            ("password", STAFF_PASSWORD),
            ("code", code),
        ],
    )
    .await
}

/// A staff login with a wrong password; nothing else about it is right either.
pub async fn wrong_staff_login(app: &TestApp, email: &str) -> reqwest::Response {
    app.submit(
        "/staff/login",
        "/staff/login",
        &[
            ("email", email),
            ("password", "<wrong>&\"'"),
            ("code", "000000"),
        ],
    )
    .await
}

/// `times` wrong staff logins from no failures, each after the wait the previous one
/// earned, so that every one counts. The clock stays at the last: the account waits.
pub async fn fail_staff_logins(app: &TestApp, email: &str, times: i64) {
    for n in 0..times {
        app.clock.advance(login_delay(n));
        assert_eq!(wrong_staff_login(app, email).await.status(), 422);
    }
}

/// The staff member as stored.
pub async fn staff_member(app: &TestApp, email: &str) -> kansli::db::staff::Staff {
    let key = email.to_string();
    kansli::db::read(&app.state.pool, move |c| {
        kansli::db::staff::by_email(c, &key)
    })
    .await
    .unwrap()
    .expect("a staff member")
}

/// Runs the `kansli` binary on the app's database, as an administrator would.
pub fn kansli_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    kansli_cli_in(app.dir.path(), args)
}

/// Runs the `kansli` binary on the data directory `dir`, with no server needed.
pub fn kansli_cli_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .args(args)
        .env("KANSLI_DATA_DIR", dir)
        .env_remove("KANSLI_CONFIG")
        .current_dir(dir)
        .output()
        .expect("kansli runs")
}

/// Runs the `kansli` binary on `dir` in production mode, with every setting
/// production asks for and the secret key file `key_file`.
pub fn kansli_in_production(
    dir: &std::path::Path,
    key_file: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .args(args)
        .env("KANSLI_DATA_DIR", dir)
        .env("KANSLI_SECRET_KEY_FILE", key_file)
        .env("KANSLI_MODE", "production")
        .env("KANSLI_BASE_URL", "https://e.example")
        .env("KANSLI_SMTP_HOST", "localhost")
        .env("KANSLI_SMTP_FROM", "noreply@e.example")
        .env("KANSLI_SMS_URL", "https://sms.example/send")
        .env("KANSLI_PAYMENT_URL", "https://pay.example/api")
        .env("KANSLI_PAYMENT_KEY", "k")
        .envs(super::PRODUCTION_CONTACT)
        .env_remove("KANSLI_CONFIG")
        .current_dir(dir)
        .output()
        .expect("kansli runs")
}

/// The command's standard output, after checking it succeeded.
pub fn succeeded(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The command's error message, after checking it failed.
pub fn refused(out: std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

pub const SPONSOR_EMAIL: &str = "erik@example.se";

pub const SPONSOR_PIN: &str = "198112189876";

/// The answers of an application of `form`, as its pages would have saved them.
pub fn answers(form: &str) -> Vec<(&'static str, &'static str)> {
    let mut a = vec![
        ("family_name", "Öberg <b>&\"'"),
        ("given_names", "Ana"),
        ("date_of_birth", "1990-05-17"),
        ("citizenship", "UA"),
        ("email", "ana@example.com"),
        ("passport_number", "AB1234567"),
        ("passport_expiry", "2030-01-01"),
    ];
    if form == "citizenship" {
        // Anna Andersson of the e-identification simulator's test people.
        a.push(("personal_identity_number", "199001011239"));
    }
    if form == "spouse-partner" {
        a.extend([
            ("sponsor_name", "Erik Svensson"),
            ("sponsor_pin", SPONSOR_PIN),
            ("sponsor_email", SPONSOR_EMAIL),
            ("relationship", "cohabiting"),
            ("relationship_since", "2019-01-01"),
            ("lived_together", "no"),
            ("children_together", "no"),
        ]);
    }
    a
}

/// An approved application of `form` for the browser's logged-in account (its
/// answers written as its pages would have), paid for through the real payment
/// flow. Returns the case's verification number.
pub async fn submitted(app: &TestApp, email: &str, form: &'static str) -> String {
    let reference = approved_with(app, email, form, &[]).await;
    let done = pay_fully(app, &reference, APPROVED).await;
    assert!(done.ends_with("/submitted"), "{done}");
    first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    )
}

/// An approved, unpaid application of `form` for the account `email`, with the
/// usual [`answers`] and `more` (stored values, as the pages would have saved
/// them). Returns the draft's reference.
pub async fn approved_with(
    app: &TestApp,
    email: &str,
    form: &'static str,
    more: &[(&'static str, &'static str)],
) -> String {
    written(app, email, form, more, true).await
}

/// An application of `form` with every page complete, not yet approved: on its
/// review page. Returns the draft's reference.
pub async fn ready_to_approve(
    app: &TestApp,
    email: &str,
    form: &'static str,
    more: &[(&'static str, &'static str)],
) -> String {
    written(app, email, form, more, false).await
}

async fn written(
    app: &TestApp,
    email: &str,
    form: &'static str,
    more: &[(&'static str, &'static str)],
    approved: bool,
) -> String {
    let email = email.to_string();
    let mut all = answers(form);
    all.extend_from_slice(more);
    let pages: Vec<String> = app
        .state
        .forms
        .get(form)
        .unwrap()
        .pages
        .iter()
        .map(|p| p.id.clone())
        .collect();
    kansli::db::write(&app.state.pool, move |tx| {
        let account = kansli::db::accounts::by_email(tx, &email)?.unwrap().id;
        let reference = kansli::domain::secret::public_reference();
        let draft = kansli::db::drafts::insert(
            tx,
            &kansli::db::drafts::NewDraft {
                reference: &reference,
                account: Some(account),
                form_id: form,
                lang: kansli::domain::Lang::Sv,
                expires_at: START + 30 * DAY,
            },
            START,
        )?;
        for (field, value) in all {
            tx.execute(
                "INSERT INTO draft_answers (draft_id, field_id, value) VALUES (?1, ?2, ?3)",
                (draft, field, value),
            )?;
        }
        for page in pages {
            tx.execute(
                "INSERT INTO draft_pages (draft_id, page_id, opened_at, done) VALUES (?1, ?2, ?3, 1)",
                (draft, page, START),
            )?;
        }
        if approved {
            tx.execute(
                "UPDATE drafts SET approved_at = ?2 WHERE id = ?1",
                (draft, START),
            )?;
        }
        Ok::<_, kansli::error::AppError>(reference)
    })
    .await
    .unwrap()
}

/// A browser logged in as a staff member with `role`.
pub async fn staff(app: &TestApp, email: &str, role: Role) -> TestApp {
    let browser = app.new_browser();
    let secret = set_up(&browser, email, role).await;
    app.clock.advance(STEP);
    let res = staff_login(&browser, email, &secret.code_at(app.clock.now())).await;
    assert_redirect(&res, "/staff");
    browser
}

/// The id of the account with this email address.
pub async fn account_id(app: &TestApp, email: &'static str) -> i64 {
    kansli::db::read(&app.state.pool, move |c| {
        c.query_row("SELECT id FROM accounts WHERE email = ?1", [email], |r| {
            r.get(0)
        })
    })
    .await
    .unwrap()
}

pub async fn audit_rows(
    app: &TestApp,
    action: &'static str,
) -> Vec<(String, Option<String>, Option<String>)> {
    kansli::db::read(&app.state.pool, move |c| {
        let mut stmt =
            c.prepare("SELECT actor, target, detail FROM audit_log WHERE action = ?1 ORDER BY id")?;
        let rows = stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    })
    .await
    .unwrap()
}

/// Posts the status form (also where the page shows none, as a stale tab or a crafted request would).
pub async fn change_status(
    cw: &TestApp,
    number: &str,
    to: &str,
    message: &str,
) -> reqwest::Response {
    let csrf = form_value(&cw.get_html("/staff").await, "/staff/logout", "csrf");
    let action = format!("/staff/cases/{number}/status");
    cw.post_raw(
        &action,
        &[("csrf", &csrf), ("to", to), ("message", message)],
        Default::default(),
    )
    .await
}

/// A fresh app with Ana's submitted visit-visa case (her browser is `app`) and a
/// caseworker logged in. Returns the app, the case's verification number and the caseworker.
pub async fn case_for_a_caseworker() -> (TestApp, String, TestApp) {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "visit-visa").await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    (app, number, cw)
}
