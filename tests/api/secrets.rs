//! Secrets at rest: the installation key and the staff authenticator secrets are
//! sealed with a key kept outside the database (`secret_key_file`), so a copy of
//! the database alone reveals neither; `kansli rotate-key` replaces that key.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::helpers::*;
use kansli::db::installation::TOTP_SECRET;
use kansli::domain::secret::SealingKey;
use kansli::domain::staff::Role;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_backup_of_the_database_alone_reveals_no_authenticator_secret() {
    let app = spawn_app().await;
    let secret = set_up(&app, "cw@agency.se", Role::Caseworker).await;
    let copy = app.dir.path().join("copy.db");
    kansli::db::backup::copy(&app.state.settings.database_path(), &copy).unwrap();
    let bytes = std::fs::read(&copy).unwrap();
    assert!(
        !contains(&bytes, secret.as_bytes()),
        "the authenticator secret is in the backup"
    );
    let conn = r2d2_sqlite::rusqlite::Connection::open(&copy).unwrap();
    let plain_key: i64 = conn
        .query_row(
            "SELECT count(*) FROM installation WHERE name = 'key'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(plain_key, 0, "the installation key is kept only sealed");
}

fn kansli_with(dir: &Path, env: &[(&str, &Path)], args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"));
    command
        .args(args)
        .env("KANSLI_DATA_DIR", dir)
        .env_remove("KANSLI_CONFIG")
        .env_remove("KANSLI_SECRET_KEY_FILE")
        .current_dir(dir);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("kansli runs")
}

fn key_of(path: &Path) -> SealingKey {
    SealingKey::from_file(&std::fs::read(path).unwrap()).unwrap()
}

fn sealed_secrets(db: &Path) -> Vec<Vec<u8>> {
    let conn = r2d2_sqlite::rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT totp_secret FROM staff").unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn rotate_key_reseals_every_secret_and_keeps_the_old_key_for_older_backups() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for email in ["a@agency.se", "b@agency.se"] {
        succeeded(kansli_with(
            d,
            &[],
            &["staff", "add", email, "--role", "support"],
        ));
    }
    let key_file = d.join("secret.key");
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "made private in development");
    let old = key_of(&key_file);
    let api_key = succeeded(kansli_with(d, &[], &["mock-acquirer-key"]));
    let before = d.join("before.db");
    succeeded(kansli_with(d, &[], &["backup", before.to_str().unwrap()]));

    {
        let _server = kansli::db::lock::DatabaseLock::take(&d.join("kansli.db")).unwrap();
        let err = refused(kansli_with(d, &[], &["rotate-key"]));
        assert!(err.contains("stop it first"), "{err}");
    }
    let said = succeeded(kansli_with(d, &[], &["rotate-key"]));
    assert!(
        said.contains("sealed the installation key and 2 authenticator secrets"),
        "{said}"
    );
    let new = key_of(&key_file);
    assert_ne!(new.id(), old.id());
    assert!(said.contains(new.id()) && said.contains(old.id()), "{said}");
    let kept = d.join(format!("secret.key.{}.old", old.id()));
    assert_eq!(key_of(&kept).id(), old.id(), "the old key is kept");
    let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!d.join("secret.key.new").exists());

    for sealed in sealed_secrets(&d.join("kansli.db")) {
        assert!(new.open(TOTP_SECRET, &sealed).is_some());
        assert!(old.open(TOTP_SECRET, &sealed).is_none());
    }
    assert_eq!(
        succeeded(kansli_with(d, &[], &["mock-acquirer-key"])),
        api_key,
        "the installation key itself is unchanged"
    );

    // A backup from before the rotation needs the old key, and says so.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(&before, other.path().join("kansli.db")).unwrap();
    let with_new = [("KANSLI_SECRET_KEY_FILE", key_file.as_path())];
    let err = refused(kansli_with(other.path(), &with_new, &["mock-acquirer-key"]));
    assert!(
        err.contains("is not the key that sealed this database") && err.contains(old.id()),
        "{err}"
    );
    let with_old = [("KANSLI_SECRET_KEY_FILE", kept.as_path())];
    assert_eq!(
        succeeded(kansli_with(other.path(), &with_old, &["mock-acquirer-key"])),
        api_key
    );
}

#[test]
fn an_interrupted_rotation_is_completed_by_running_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeded(kansli_with(
        d,
        &[],
        &["staff", "add", "a@agency.se", "--role", "support"],
    ));
    let key_file = d.join("secret.key");
    let old = key_of(&key_file);
    // Stopped after the database took the new key, before the file was renamed.
    let (new, text) = SealingKey::generate();
    std::fs::write(d.join("secret.key.new"), text).unwrap();
    {
        let mut conn = r2d2_sqlite::rusqlite::Connection::open(d.join("kansli.db")).unwrap();
        let tx = conn.transaction().unwrap();
        kansli::db::installation::reseal(&tx, &old, &new).unwrap();
        tx.commit().unwrap();
    }
    let err = refused(kansli_with(d, &[], &["mock-acquirer-key"]));
    assert!(err.contains("is not the key that sealed"), "{err}");
    let said = succeeded(kansli_with(d, &[], &["rotate-key"]));
    assert!(said.contains("completed an interrupted rotation"), "{said}");
    assert_eq!(key_of(&key_file).id(), new.id());
    succeeded(kansli_with(d, &[], &["mock-acquirer-key"]));
}

#[test]
fn a_database_from_before_sealing_is_sealed_at_start_with_its_key_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeded(kansli_with(d, &[], &["migrate"]));
    let plain_key = [9u8; 32];
    let plain_secret = b"twenty bytes secret!".to_vec();
    {
        let conn = r2d2_sqlite::rusqlite::Connection::open(d.join("kansli.db")).unwrap();
        conn.execute_batch("DELETE FROM installation").unwrap();
        conn.execute(
            "INSERT INTO installation (name, value) VALUES ('key', ?1)",
            [plain_key.to_vec()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO staff (email, role, totp_secret, created_at) VALUES ('a@agency.se', 'support', ?1, 0)",
            [plain_secret.clone()],
        )
        .unwrap();
    }
    let api_key = succeeded(kansli_with(d, &[], &["mock-acquirer-key"]));
    assert_eq!(
        api_key.trim(),
        kansli::domain::secret::Keyring::new(plain_key.to_vec())
            .derived_secret(kansli::fakes::mock_acquirer::API_KEY_PURPOSE)
    );
    let kek = key_of(&d.join("secret.key"));
    let sealed = sealed_secrets(&d.join("kansli.db"));
    assert_eq!(kek.open(TOTP_SECRET, &sealed[0]), Some(plain_secret));
    for file in ["kansli.db", "kansli.db-wal"] {
        let bytes = std::fs::read(d.join(file)).unwrap_or_default();
        assert!(
            !contains(&bytes, &plain_key),
            "the plain key is gone from {file}"
        );
        assert!(
            !contains(&bytes, b"twenty bytes secret!"),
            "the plain secret is gone from {file}"
        );
    }
}

#[test]
fn production_never_makes_a_key_file_and_names_the_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("credentials").join("secret_key");
    let out = kansli_in_production(
        d,
        &missing,
        &["staff", "add", "a@agency.se", "--role", "support"],
    );
    let err = refused(out);
    assert!(
        err.contains(&format!(
            "secret key file {} cannot be read",
            missing.display()
        )),
        "{err}"
    );
    assert!(!missing.exists(), "production makes no key");
}

#[test]
fn a_command_with_another_or_a_missing_key_file_seals_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeded(kansli_with(
        d,
        &[],
        &["staff", "add", "a@agency.se", "--role", "support"],
    ));
    let id = key_of(&d.join("secret.key")).id().to_string();
    let before = sealed_secrets(&d.join("kansli.db"));

    // The key file left behind (e.g. `sudo kansli staff add` without the unit's settings).
    let elsewhere = d.join("moved.key");
    std::fs::rename(d.join("secret.key"), &elsewhere).unwrap();
    let err = refused(kansli_with(
        d,
        &[],
        &["staff", "add", "b@agency.se", "--role", "support"],
    ));
    assert!(err.contains(&format!("sealed with key {id}")), "{err}");
    assert!(!d.join("secret.key").exists(), "no new key was made");

    let other = d.join("other.key");
    std::fs::write(&other, SealingKey::generate().1).unwrap();
    let with_other = [("KANSLI_SECRET_KEY_FILE", other.as_path())];
    let err = refused(kansli_with(
        d,
        &with_other,
        &["staff", "add", "b@agency.se", "--role", "support"],
    ));
    assert!(err.contains("is not the key that sealed"), "{err}");
    assert_eq!(
        sealed_secrets(&d.join("kansli.db")),
        before,
        "nothing was added"
    );
}
