//! Every SQL statement lives under this module, one file per table group.
//! Database work runs on the blocking pool; writes are `BEGIN IMMEDIATE`. The one
//! exception is [`quick_read`], for the short indexed reads of a page view.
use std::path::Path;
use std::time::Duration;

use r2d2_sqlite::rusqlite::{self, Connection, Transaction, TransactionBehavior};
use r2d2_sqlite::SqliteConnectionManager;

use crate::error::AppError;

pub mod accounts;
pub mod api_clients;
pub mod api_reads;
pub mod audit;
pub mod backup;
pub mod case_list;
pub mod cases;
pub mod codes;
pub mod documents;
pub mod drafts;
pub mod installation;
pub mod lock;
pub mod migrate;
pub mod outbox;
pub mod payments;
pub mod population;
pub mod questionnaires;
pub mod restore;
pub mod sessions;
pub mod signatures;
pub mod staff;
pub mod stats;
pub mod webhooks;

pub use rusqlite::Error as SqlError;

/// Who may read a submitted application's records (documents, receipt): the
/// account it was made from, or a person identified by e-identification who is
/// its applicant (by personal identity number, 12 digits).
#[derive(Clone, Debug)]
pub enum Reader {
    Account(crate::domain::AccountId),
    Applicant(String),
}

pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// Opens (creating if needed) the database file and applies the schema. An
/// existing database below the current schema is first copied as `backups` says.
pub fn open(path: &Path, backups: &backup::UpgradeBackups) -> anyhow::Result<Pool> {
    use anyhow::Context;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    }
    create_private_file(path).with_context(|| format!("cannot create {}", path.display()))?;
    let manager = SqliteConnectionManager::file(path).with_init(configure);
    let pool = r2d2::Pool::builder()
        .max_size(8)
        // Connections are opened as requests first need them, not all eight before
        // the server may start; once open they stay (no idle timeout, no lifetime).
        .min_idle(Some(1))
        .idle_timeout(None)
        .max_lifetime(None)
        // A SQLite connection to a local file does not go stale; the check is a wasted query.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .with_context(|| format!("cannot open database {}", path.display()))?;
    let mut conn = pool.get()?;
    let found = migrate::current_version(&conn)?;
    if found > 0 && found < migrate::version() {
        backup::before_upgrade(path, found, backups)?;
    }
    migrate::apply(&mut conn)?;
    Ok(pool)
}

/// Creates `dir` and its missing parents for the service's user alone (0700
/// whatever the umask: the database holds personal data and keys). A directory
/// that exists keeps the mode its operator gave it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Creates the database file, readable and writable by its owner alone, before
/// SQLite does (SQLite would make it 0644 less the umask). SQLite gives the
/// `-wal` and `-shm` files it makes later the database file's mode.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// Copies the write-ahead log into the database and empties it; false when a
/// reader kept part of the log from being moved.
pub fn checkpoint_conn(conn: &Connection) -> rusqlite::Result<bool> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
}

/// The pragmas every pooled connection gets: an acknowledged write is on disk.
fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

/// Runs a short read (a few rows found by an index) on the calling async worker,
/// when an idle connection is at hand and SQLite answers without waiting for a lock;
/// otherwise on the blocking pool, as [`read`] does.
///
/// Why not always the blocking pool: a hop there and back costs two thread switches,
/// several times the read itself. A logged-in page made two (session, then page
/// data), and that capped My Page at a fifth of its performance budget. A WAL reader
/// never waits for the writer, and with the busy timeout at zero here the rare lock
/// (recovery, a checkpoint reset) sends the read to the blocking pool instead of
/// stalling this worker. `f` may therefore run twice; it must only read.
pub async fn quick_read<T, F>(pool: &Pool, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: Fn(&Connection) -> rusqlite::Result<T> + Send + 'static,
{
    if let Some(conn) = pool.try_get() {
        conn.busy_timeout(Duration::ZERO)
            .map_err(|e| AppError::Unexpected(e.into()))?;
        let result = snapshot(&conn, &f);
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| AppError::Unexpected(e.into()))?;
        match result {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    || e.code == rusqlite::ErrorCode::DatabaseLocked => {}
            other => return other.map_err(|e| AppError::Unexpected(e.into())),
        }
    }
    read(pool, f).await
}

/// Runs a read on the blocking pool.
pub async fn read<T, F>(pool: &Pool, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let conn = pool.get()?;
        Ok::<_, anyhow::Error>(snapshot(&conn, f)?)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?
    .map_err(AppError::Unexpected)
}

/// Runs the statements of a read in one transaction: they see one state of the
/// database, and SQLite takes and drops its file locks once rather than per statement.
fn snapshot<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    let result = f(conn);
    conn.prepare_cached(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?
        .execute([])?;
    result
}

/// Runs a write in one `BEGIN IMMEDIATE` transaction on the blocking pool.
/// The closure's error rolls the transaction back.
pub async fn write<T, E, F>(pool: &Pool, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    E: Into<AppError> + From<rusqlite::Error> + Send + 'static,
    F: FnOnce(&Transaction) -> Result<T, E> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || -> Result<T, AppError> {
        let mut conn = pool.get().map_err(|e| AppError::Unexpected(e.into()))?;
        write_with(&mut conn, f)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?
}

/// Writers queue here, one at a time, before `BEGIN IMMEDIATE`. SQLite allows one
/// writer anyway; waiting on this lock wakes the next writer the moment the last one
/// commits, where SQLite's busy handler would sleep for milliseconds between retries.
/// (One lock for the process: a Kansli process serves one database.)
static WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The synchronous core of [`write`], for jobs already on a blocking thread.
pub fn write_with<T, E, F>(conn: &mut Connection, f: F) -> Result<T, AppError>
where
    E: Into<AppError> + From<rusqlite::Error>,
    F: FnOnce(&Transaction) -> Result<T, E>,
{
    let _turn = WRITER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| E::from(e).into())?;
    let value = f(&tx).map_err(Into::into)?;
    tx.commit().map_err(|e| E::from(e).into())?;
    Ok(value)
}

/// Moves the write-ahead log into the database file and empties it, at shutdown:
/// the stopped server leaves one whole file for a copy or an inspection.
/// Returns false, without waiting, when another process's reader holds the log.
/// Litestream holds a read transaction for as long as it replicates and
/// checkpoints the log itself, so waiting the busy timeout for it would only add
/// five seconds to every stop of a replicated server.
pub fn checkpoint(pool: &Pool) -> anyhow::Result<bool> {
    let conn = pool.get()?;
    conn.busy_timeout(Duration::ZERO)?;
    let moved = match checkpoint_conn(&conn) {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            Ok(false)
        }
        other => other,
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(moved?)
}

/// Whether an error is a UNIQUE constraint failure (a race the schema settled).
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(c: &Connection) -> rusqlite::Result<i64> {
        c.query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))
    }

    #[tokio::test]
    async fn a_quick_read_with_no_idle_connection_waits_on_the_blocking_pool() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(&dir.path().join("k.db"), &backup::UpgradeBackups::none()).unwrap();
        assert_eq!(quick_read(&pool, count).await.unwrap(), 0, "inline");
        let held: Vec<_> = (0..pool.max_size()).map(|_| pool.get().unwrap()).collect();
        let waiting = tokio::spawn({
            let pool = pool.clone();
            async move { quick_read(&pool, count).await.unwrap() }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "no connection was free");
        drop(held);
        assert_eq!(waiting.await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_quick_read_sees_one_state_and_leaves_no_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(&dir.path().join("k.db"), &backup::UpgradeBackups::none()).unwrap();
        let err = quick_read(&pool, |c| {
            count(c)?;
            c.query_row("SELECT nothing FROM nowhere", [], |r| r.get::<_, i64>(0))
        })
        .await;
        assert!(err.is_err());
        for _ in 0..pool.max_size() {
            let conn = pool.get().unwrap();
            assert!(conn.is_autocommit(), "the failed read was rolled back");
        }
    }
}
