//! `kansli restore`: puts a backup in place of the database while no server runs,
//! keeping the database it replaces beside it.
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use r2d2_sqlite::rusqlite::OpenFlags;

use super::backup::{self, CopyError};
use super::lock::{self, DatabaseLock, LockError};
use super::migrate;

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Locked(#[from] LockError),
    #[error(transparent)]
    Copy(#[from] CopyError),
    #[error("{} is not a Kansli database (schema version 0)", .0.display())]
    NotKansli(PathBuf),
    #[error(
        "{} is at schema version {found}, newer than this kansli (version {supported}); \
         restore it with a newer kansli",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{} is still open in another process (a kansli command?); let it finish first",
        .0.display()
    )]
    StillOpen(PathBuf),
    #[error("the restored database does not open: {0:#}")]
    Open(anyhow::Error),
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// The schema version of the backup, and of the database now (pending steps applied).
    pub from_version: i64,
    pub version: i64,
    /// Where the database it replaced was kept, if there was one.
    pub replaced: Option<PathBuf>,
}

/// Replaces the database at `database` with the backup at `source`.
///
/// In order: take the server's lock (refused while a server runs); check the
/// backup (integrity, not from a newer schema); copy it, checked again, into a new
/// 0600 file beside the database; move the old database aside as
/// `kansli.db.replaced-<now>` with its write-ahead log, so it stays whole; move the
/// copy in; apply pending schema steps. A failure before the swap leaves the
/// database as it was.
pub fn restore(source: &Path, database: &Path, now: i64) -> Result<Restored, RestoreError> {
    let _lock = DatabaseLock::take(database)?;
    let found = backup::verify(source)?;
    if found.schema_version == 0 {
        return Err(RestoreError::NotKansli(source.to_path_buf()));
    }
    if found.schema_version > migrate::version() {
        return Err(RestoreError::TooNew {
            path: source.to_path_buf(),
            found: found.schema_version,
            supported: migrate::version(),
        });
    }
    let incoming = with_suffix(database, ".restoring");
    // Left by a restore that died; the lock says none is running now.
    remove_if_there(&incoming)?;
    backup::copy(source, &incoming)?;
    let replaced = swap_in(&incoming, database, now).inspect_err(|_| {
        let _ = std::fs::remove_file(&incoming);
    })?;
    backup::sync_parent(database).map_err(|source| RestoreError::Io {
        path: database.to_path_buf(),
        source,
    })?;
    give_to_owner_of_data_dir(database);
    give_to_owner_of_data_dir(&lock::lock_path(database));
    let version = upgrade(database).map_err(RestoreError::Open)?;
    Ok(Restored {
        from_version: found.schema_version,
        version,
        replaced,
    })
}

/// Moves the database there was aside and `incoming` in its place.
fn swap_in(incoming: &Path, database: &Path, now: i64) -> Result<Option<PathBuf>, RestoreError> {
    let replaced = if database.exists() {
        Some(set_aside(database, now)?)
    } else {
        None
    };
    rename(incoming, database)?;
    Ok(replaced)
}

/// Applies pending schema steps on one connection and closes it, so that the log
/// is folded into the file before the command ends. (A pool opens connections on
/// threads of its own, which may still hold the file when the process exits.)
/// The backup itself is the copy from before this upgrade: no second one is taken.
fn upgrade(database: &Path) -> anyhow::Result<i64> {
    let mut conn = r2d2_sqlite::rusqlite::Connection::open(database)?;
    super::configure(&mut conn)?;
    let version = migrate::apply(&mut conn)?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(version)
}

/// Moves the database aside under a new name, with its write-ahead log: a copy
/// that had not yet been checkpointed into the file keeps its last writes that
/// way. The shared-memory index is rebuilt from the log by whoever opens it next,
/// so it is removed rather than kept.
fn set_aside(database: &Path, now: i64) -> Result<PathBuf, RestoreError> {
    let wal = with_suffix(database, "-wal");
    // The last connection to close folds the log into the file and deletes it. If
    // the log stays, another process has the database open, and moving the file
    // under it would let it write a fresh `kansli.db-wal` beside the restored
    // database, which SQLite would then replay into it. A damaged database does
    // not open; its log travels with it below.
    if let Ok(conn) = backup::open_existing(database, OpenFlags::SQLITE_OPEN_READ_WRITE) {
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        drop(conn);
        if wal.exists() {
            return Err(RestoreError::StillOpen(database.to_path_buf()));
        }
    }
    let mut kept = with_suffix(database, &format!(".replaced-{now}"));
    let mut n = 1;
    while kept.exists() || with_suffix(&kept, "-wal").exists() {
        n += 1;
        kept = with_suffix(database, &format!(".replaced-{now}-{n}"));
    }
    rename(database, &kept)?;
    if wal.exists() {
        rename(&wal, &with_suffix(&kept, "-wal"))?;
    }
    remove_if_there(&with_suffix(database, "-shm"))?;
    Ok(kept)
}

/// A restore run as root (the service runs as its own user) leaves files the
/// service can open: they go to whoever owns the data directory. Anyone else
/// already owns what they wrote there, so a failure here changes nothing.
fn give_to_owner_of_data_dir(path: &Path) {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return;
    };
    let (Ok(dir), Ok(file)) = (std::fs::metadata(dir), std::fs::metadata(path)) else {
        return;
    };
    if (dir.uid(), dir.gid()) != (file.uid(), file.gid()) {
        if let Err(e) = std::os::unix::fs::chown(path, Some(dir.uid()), Some(dir.gid())) {
            tracing::warn!(path = %path.display(), "cannot give the file to the data directory's owner: {e}");
        }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn rename(from: &Path, to: &Path) -> Result<(), RestoreError> {
    std::fs::rename(from, to).map_err(|source| RestoreError::Io {
        path: from.to_path_buf(),
        source,
    })
}

fn remove_if_there(path: &Path) -> Result<(), RestoreError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(RestoreError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}
