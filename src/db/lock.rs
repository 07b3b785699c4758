//! The lock a server holds on its data directory, so that `kansli restore` never
//! swaps the database under a running server, and two servers never share one.
use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// An exclusive advisory lock (flock) on `kansli.lock` beside the database, held
/// while this value lives. The operating system lets go of it when the process
/// ends, however it ends, so a crash leaves no stale lock. The file itself stays.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "a kansli server is running on {} (it holds {}), or a restore is under way; stop it first",
        database.display(),
        lock.display()
    )]
    Held { database: PathBuf, lock: PathBuf },
    #[error("cannot lock {}: {source}", lock.display())]
    Io { lock: PathBuf, source: io::Error },
}

impl DatabaseLock {
    /// Takes the lock of the database at `database`, or says who holds it.
    pub fn take(database: &Path) -> Result<Self, LockError> {
        let lock = lock_path(database);
        let io_error = |source| LockError::Io {
            lock: lock.clone(),
            source,
        };
        if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
            super::create_private_dir(dir).map_err(io_error)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&lock)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held {
                database: database.to_path_buf(),
                lock,
            }),
            Err(TryLockError::Error(e)) => Err(io_error(e)),
        }
    }
}

/// `data/kansli.db` → `data/kansli.lock`.
pub fn lock_path(database: &Path) -> PathBuf {
    database.with_extension("lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_the_lock_goes_with_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("data").join("kansli.db");
        let held = DatabaseLock::take(&database).unwrap();
        let err = DatabaseLock::take(&database).unwrap_err();
        assert!(err.to_string().contains("server is running"), "{err}");
        drop(held);
        DatabaseLock::take(&database).unwrap();
    }
}
