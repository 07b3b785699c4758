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

/// The names in `dir` that start with `prefix`.
fn named(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// A data directory with a database holding audit rows 1..=`count`, and no server.
fn stopped_install(count: i64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    succeeded(kansli_cli_in(dir.path(), &["migrate"]));
    let conn = Connection::open(dir.path().join("kansli.db")).unwrap();
    for n in 1..=count {
        write_row(&conn, n);
    }
    dir
}

/// A backup file of a database holding audit rows 1..=`count`.
fn backup_of(count: i64, into: &Path) -> std::path::PathBuf {
    let source = stopped_install(count);
    let path = into.join(format!("rows-{count}.db"));
    succeeded(kansli_cli_in(
        source.path(),
        &["backup", path.to_str().unwrap()],
    ));
    path
}

#[tokio::test]
async fn restore_is_refused_while_a_server_runs_on_the_database() {
    let app = spawn_app().await;
    let files = tempfile::tempdir().unwrap();
    let backup = backup_of(3, files.path());

    let err = refused(kansli_cli(&app, &["restore", backup.to_str().unwrap()]));
    assert!(err.contains("server is running"), "{err}");
    assert!(named(app.dir.path(), "kansli.db.replaced").is_empty());
    let conn = app.state.pool.get().unwrap();
    assert_eq!(rows(&conn), (0, 0), "the served database is untouched");
}

#[test]
fn restore_refuses_a_damaged_file_and_keeps_the_database() {
    let data = stopped_install(2);
    let files = tempfile::tempdir().unwrap();
    let backup = backup_of(50, files.path());
    // Pages 3 to 5 overwritten, as a failing disk might.
    let mut bytes = std::fs::read(&backup).unwrap();
    bytes[2 * 4096..5 * 4096].fill(0x5a);
    let damaged = files.path().join("damaged.db");
    std::fs::write(&damaged, bytes).unwrap();
    let text = files.path().join("notes.db");
    std::fs::write(&text, "not a database <>&\"'").unwrap();

    for file in [&damaged, &text] {
        let err = refused(kansli_cli_in(
            data.path(),
            &["restore", file.to_str().unwrap()],
        ));
        assert!(err.contains("fails the integrity check"), "{err}");
    }
    let err = refused(kansli_cli_in(
        data.path(),
        &["restore", "/nowhere/kansli.db"],
    ));
    assert!(err.contains("/nowhere/kansli.db"), "{err}");
    assert!(named(data.path(), "kansli.db.").is_empty());
    let conn = Connection::open(data.path().join("kansli.db")).unwrap();
    assert_eq!(rows(&conn), (2, 2));
}

#[test]
fn restore_refuses_a_newer_schema_and_upgrades_an_older_one() {
    let data = stopped_install(2);
    let files = tempfile::tempdir().unwrap();
    let newer = backup_of(7, files.path());
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", migrate::version() + 1)
        .unwrap();
    let err = refused(kansli_cli_in(
        data.path(),
        &["restore", newer.to_str().unwrap()],
    ));
    assert!(err.contains("newer than this kansli"), "{err}");
    assert!(named(data.path(), "kansli.db.").is_empty());

    let older = files.path().join("older.db");
    let mut conn = Connection::open(&older).unwrap();
    migrate::apply_up_to(&mut conn, migrate::version() - 1).unwrap();
    write_row(&conn, 1);
    drop(conn);
    let printed = succeeded(kansli_cli_in(
        data.path(),
        &["restore", older.to_str().unwrap()],
    ));
    assert!(printed.contains("schema version"), "{printed}");
    let conn = open_copy(&data.path().join("kansli.db"));
    assert_eq!(
        user_version(&conn),
        migrate::version(),
        "pending steps applied"
    );
    assert_eq!(rows(&conn), (1, 1));
}

#[test]
fn restore_is_refused_while_another_process_has_the_database_open() {
    let data = stopped_install(4);
    let files = tempfile::tempdir().unwrap();
    let backup = backup_of(1, files.path());
    // A command such as `kansli staff list` holds no server lock, but has the file open.
    let open = Connection::open(data.path().join("kansli.db")).unwrap();
    open.pragma_update(None, "journal_mode", "WAL").unwrap();
    write_row(&open, 5);

    let err = refused(kansli_cli_in(
        data.path(),
        &["restore", backup.to_str().unwrap()],
    ));
    assert!(err.contains("still open in another process"), "{err}");
    assert!(named(data.path(), "kansli.db.").is_empty());
    assert_eq!(rows(&open), (5, 5));
    drop(open);
    succeeded(kansli_cli_in(
        data.path(),
        &["restore", backup.to_str().unwrap()],
    ));
}

#[tokio::test]
async fn restore_replaces_the_database_keeps_the_old_one_and_the_server_starts_on_it() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let server = serve_process(dir.path(), "");
    let database = dir.path().join("kansli.db");
    let conn = Connection::open(&database).unwrap();
    for n in 1..=5 {
        write_row(&conn, n);
    }
    let files = tempfile::tempdir().unwrap();
    let backup = files.path().join("five.db");
    succeeded(kansli_cli_in(
        dir.path(),
        &["backup", backup.to_str().unwrap()],
    ));
    for n in 6..=10 {
        write_row(&conn, n);
    }
    drop(conn);
    let err = refused(kansli_cli_in(
        dir.path(),
        &["restore", backup.to_str().unwrap()],
    ));
    assert!(err.contains("server is running"), "{err}");
    // Killed, not stopped: its last writes may still be in the write-ahead log.
    drop(server);

    let printed = succeeded(kansli_cli_in(
        dir.path(),
        &["restore", backup.to_str().unwrap()],
    ));
    let replaced = named(dir.path(), "kansli.db.replaced-");
    let kept: Vec<_> = replaced.iter().filter(|n| !n.ends_with("-wal")).collect();
    assert_eq!(kept.len(), 1, "{replaced:?}");
    assert!(printed.contains(kept[0].as_str()), "{printed}");
    let old = Connection::open(dir.path().join(kept[0])).unwrap();
    assert_eq!(rows(&old), (10, 10), "the replaced database, whole");
    drop(old);
    let mode = std::fs::metadata(&database).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert!(
        named(dir.path(), "kansli.db-").is_empty(),
        "no -wal or -shm of the old database beside the new one"
    );

    let app = spawn_app_in(dir, kansli::clock::Clock::manual(START), |_| {}).await;
    let conn = app.state.pool.get().unwrap();
    assert_eq!(rows(&conn), (5, 5), "the server serves the restored data");
    assert_eq!(app.get("/").await.status(), 200);
}
