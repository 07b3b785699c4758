//! Issue 19, commands: `kansli backup`, run as its own process beside the server.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kansli::db::migrate;
use r2d2_sqlite::rusqlite::{Connection, OpenFlags};

use crate::helpers::*;

/// Adds the audit row `n` (audit rows stand for any write the portal makes).
fn write_row(conn: &Connection, n: i64) {
    conn.execute(
        "INSERT INTO audit_log (id, at, actor_kind, actor, action) VALUES (?1, ?1, 'system', 'writer <>&\"''', 'test')",
        [n],
    )
    .unwrap();
}

fn rows(conn: &Connection) -> (i64, i64) {
    conn.query_row(
        "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM audit_log WHERE action = 'test'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// A copy opened the way an operator would: read only, checked, its schema version read.
fn open_copy(path: &Path) -> Connection {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    conn
}

fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn backup_copies_the_live_database_while_the_server_writes() {
    let app = spawn_app().await;
    let conn = app.state.pool.get().unwrap();
    for n in 1..=200 {
        write_row(&conn, n);
    }
    drop(conn);
    // A writer that keeps committing, one row per transaction, during the backup.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = std::thread::spawn({
        let (pool, stop) = (app.state.pool.clone(), stop.clone());
        move || {
            let conn = pool.get().unwrap();
            let mut n = 201;
            while !stop.load(Ordering::Relaxed) {
                write_row(&conn, n);
                n += 1;
            }
        }
    });
    let target = tempfile::tempdir().unwrap();
    let path = target.path().join("kansli-backup.db");

    // With no umask at all, as a careless shell might have.
    let out = std::process::Command::new("sh")
        .args(["-c", "umask 000 && exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_kansli"))
        .args(["backup", path.to_str().unwrap()])
        .env("KANSLI_DATA_DIR", app.dir.path())
        .env_remove("KANSLI_CONFIG")
        .current_dir(app.dir.path())
        .output()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();

    let copy = open_copy(&path);
    let (count, last) = rows(&copy);
    assert!(count >= 200, "every row written before the backup: {count}");
    assert_eq!(count, last, "one moment's rows, none missing in between");
    assert_eq!(user_version(&copy), migrate::version());
    drop(copy);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(
        printed.contains(&format!("schema version {}", migrate::version()))
            && printed.contains(&size.to_string())
            && printed.contains("integrity"),
        "{printed}"
    );
    let beside: Vec<_> = std::fs::read_dir(target.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["kansli-backup.db"], "no journal left beside it");
}

#[tokio::test]
async fn backup_never_overwrites_a_file() {
    let app = spawn_app().await;
    let target = tempfile::tempdir().unwrap();
    let path = target.path().join("taken.db");
    std::fs::write(&path, "someone's file").unwrap();

    let out = kansli_cli(&app, &["backup", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "someone's file");
}
