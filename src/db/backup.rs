//! Copies of the database: `kansli backup` (a consistent copy of the live file
//! while the server runs) and the checks a copy passes before it is trusted.
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use r2d2_sqlite::rusqlite::{self, Connection, OpenFlags};

use super::{migrate, BUSY_TIMEOUT};

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{0} already exists; kansli never writes over a file (choose a new name)")]
    Exists(PathBuf),
    #[error("no database at {0}")]
    Missing(PathBuf),
    #[error("{path} fails the integrity check: {problem}")]
    Damaged { path: PathBuf, problem: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {source}", path.display())]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// A copy that passed `PRAGMA integrity_check`: its schema version and size.
#[derive(Clone, Copy, Debug)]
pub struct Verified {
    pub schema_version: i64,
    pub bytes: u64,
}

/// Writes a consistent copy of the database at `source` into the new file
/// `target`, readable by its owner only, and checks it.
///
/// `VACUUM INTO` reads in one transaction, so the copy is the database at one
/// moment while the server goes on writing (a WAL reader never blocks the writer),
/// and it carries `user_version`, the schema version. The file is created here
/// first, with mode 0600 whatever the umask: SQLite would create it 0644.
pub fn copy(source: &Path, target: &Path) -> Result<Verified, CopyError> {
    let conn = open_existing(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let file = create_private(target)?;
    let written = write_into(&conn, &file, target).and_then(|()| verify(target));
    if written.is_err() {
        // The file is ours and half written: leave nothing that looks like a backup.
        let _ = std::fs::remove_file(target);
    }
    written
}

fn write_into(conn: &Connection, file: &File, target: &Path) -> Result<(), CopyError> {
    let io_error = |source| CopyError::Io {
        path: target.to_path_buf(),
        source,
    };
    let name = target.to_str().ok_or_else(|| {
        io_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path is not UTF-8",
        ))
    })?;
    conn.execute("VACUUM INTO ?1", [name])
        .map_err(|source| CopyError::Sql {
            path: target.to_path_buf(),
            source,
        })?;
    file.sync_all().map_err(io_error)?;
    sync_parent(target).map_err(io_error)
}

/// Checks the database file at `path` with `PRAGMA integrity_check` and reads its
/// schema version, without writing to it.
pub fn verify(path: &Path) -> Result<Verified, CopyError> {
    let conn = open_existing(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let damaged = |problem: String| CopyError::Damaged {
        path: path.to_path_buf(),
        problem,
    };
    // A file that is no database at all fails here too, with SQLite's own words.
    let problems = integrity_problems(&conn).map_err(|e| damaged(e.to_string()))?;
    if problems != ["ok"] {
        return Err(damaged(
            problems.into_iter().take(3).collect::<Vec<_>>().join("; "),
        ));
    }
    let schema_version = migrate::current_version(&conn).map_err(|e| damaged(e.to_string()))?;
    drop(conn);
    let bytes = std::fs::metadata(path)
        .map_err(|source| CopyError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    Ok(Verified {
        schema_version,
        bytes,
    })
}

fn integrity_problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Opens a database file that must already exist; never creates one.
/// Without `SQLITE_OPEN_URI`, so a file named `file:…` is a file.
pub(super) fn open_existing(path: &Path, flags: OpenFlags) -> Result<Connection, CopyError> {
    if !path.is_file() {
        return Err(CopyError::Missing(path.to_path_buf()));
    }
    let sql = |source| CopyError::Sql {
        path: path.to_path_buf(),
        source,
    };
    let conn =
        Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    Ok(conn)
}

/// Creates `path`, which must not exist, readable and writable by its owner only.
pub(super) fn create_private(path: &Path) -> Result<File, CopyError> {
    let io_error = |source| CopyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => CopyError::Exists(path.to_path_buf()),
            _ => io_error(e),
        })?;
    // The mode above is masked by the umask; this is not.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io_error)?;
    Ok(file)
}

/// Makes a new or renamed file's directory entry durable.
pub(super) fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => File::open(".")?.sync_all(),
    }
}
