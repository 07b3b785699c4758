//! Every SQL statement lives under this module, one file per table group.
//! Database work runs on the blocking pool; writes are `BEGIN IMMEDIATE`.
use std::path::Path;
use std::time::Duration;

use r2d2_sqlite::rusqlite::{self, Connection, Transaction, TransactionBehavior};
use r2d2_sqlite::SqliteConnectionManager;

use crate::error::AppError;

pub mod accounts;
pub mod cases;
pub mod codes;
pub mod documents;
pub mod drafts;
pub mod installation;
pub mod migrate;
pub mod mock_acquirer;
pub mod outbox;
pub mod payments;
pub mod register;
pub mod sessions;

pub use rusqlite::Error as SqlError;

pub type Pool = r2d2::Pool<SqliteConnectionManager>;

/// Opens (creating if needed) the database file and applies the schema.
pub fn open(path: &Path) -> anyhow::Result<Pool> {
    use anyhow::Context;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    }
    let manager = SqliteConnectionManager::file(path).with_init(configure);
    let pool = r2d2::Pool::builder()
        .max_size(8)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .with_context(|| format!("cannot open database {}", path.display()))?;
    let mut conn = pool.get()?;
    migrate::apply(&mut conn)?;
    Ok(pool)
}

/// The pragmas every pooled connection gets: an acknowledged write is on disk.
fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(Duration::from_millis(5000))?;
    Ok(())
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
        Ok::<_, anyhow::Error>(f(&conn)?)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?
    .map_err(AppError::Unexpected)
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

/// Whether an error is a UNIQUE constraint failure (a race the schema settled).
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}
