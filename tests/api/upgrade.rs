//! Issue 19, commands: the copy of the database taken before a schema upgrade.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use kansli::clock::Clock;
use kansli::db::migrate;
use kansli::domain::rules::DAY;
use r2d2_sqlite::rusqlite::{Connection, OpenFlags};

use crate::helpers::*;

/// A database at schema version `version` holding one account, in `dir`.
fn older_database(dir: &Path, version: i64) {
    let mut conn = Connection::open(dir.join("kansli.db")).unwrap();
    migrate::apply_up_to(&mut conn, version).unwrap();
    conn.execute(
        "INSERT INTO accounts (email, password_hash, lang, created_at) VALUES ('old@example.se', 'h', 'sv', 0)",
        [],
    )
    .unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_older_database_is_copied_before_its_upgrade_and_the_last_copies_kept() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let old = migrate::version() - 1;
    older_database(dir.path(), old);
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    for (days_ago, version) in [(30, 3), (20, 5), (10, 7)] {
        let name = format!("kansli-{}-v{version}.db", START - days_ago * DAY);
        std::fs::write(backups.join(name), "an earlier copy").unwrap();
    }
    std::fs::write(backups.join("mine.db"), "the operator's own").unwrap();

    let app = spawn_app_in(dir.clone(), Clock::manual(START), |s| s.backups_kept = 2).await;
    let copy = format!("kansli-{START}-v{old}.db");
    assert_eq!(
        names(&backups),
        [
            format!("kansli-{}-v7.db", START - 10 * DAY),
            copy.clone(),
            "mine.db".to_string()
        ],
        "the two newest copies, and files it did not make"
    );
    let conn =
        Connection::open_with_flags(backups.join(&copy), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let (check, version, accounts): (String, i64, i64) = conn
        .query_row(
            "SELECT (SELECT integrity_check FROM pragma_integrity_check),
                    (SELECT user_version FROM pragma_user_version),
                    (SELECT COUNT(*) FROM accounts WHERE email = 'old@example.se')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((check.as_str(), version, accounts), ("ok", old, 1));
    let mode = std::fs::metadata(backups.join(&copy))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let served = app.state.pool.get().unwrap();
    assert_eq!(
        migrate::current_version(&served).unwrap(),
        migrate::version()
    );
    drop(served);

    // Started again on a database that is up to date: no copy.
    app.stop().await;
    let again = spawn_app_in(dir.clone(), Clock::manual(START + DAY), |s| {
        s.backups_kept = 2
    })
    .await;
    assert_eq!(names(&backups).len(), 3);
    drop(again);

    // A new database has nothing to keep.
    let fresh = spawn_app().await;
    assert!(!fresh.dir.path().join("backups").exists());
}

#[test]
fn kansli_migrate_copies_an_older_database_first_as_many_times_as_configured() {
    let dir = tempfile::tempdir().unwrap();
    older_database(dir.path(), 2);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .arg("migrate")
        .env("KANSLI_DATA_DIR", dir.path())
        .env("KANSLI_BACKUPS_KEPT", "1")
        .env_remove("KANSLI_CONFIG")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copies = names(&dir.path().join("backups"));
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(copies[0].ends_with("-v2.db"), "{copies:?}");

    let off = tempfile::tempdir().unwrap();
    older_database(off.path(), 2);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kansli"))
        .arg("migrate")
        .env("KANSLI_DATA_DIR", off.path())
        .env("KANSLI_BACKUPS_KEPT", "0")
        .env_remove("KANSLI_CONFIG")
        .current_dir(off.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !off.path().join("backups").exists(),
        "0 turns the copies off"
    );
}
