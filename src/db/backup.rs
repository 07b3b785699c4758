//! Copies of the database: `kansli backup` (a consistent copy of the live file
//! while the server runs), the copy taken before a schema upgrade, and the checks
//! a copy passes before it is trusted.
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

/// The copies taken before a schema upgrade: where they go, how many are kept,
/// and the time that names the next one.
#[derive(Clone, Debug)]
pub struct UpgradeBackups {
    dir: PathBuf,
    keep: usize,
    now: i64,
}

impl UpgradeBackups {
    /// As configured: `backups/` in the data directory, the last `backups_kept`.
    pub fn configured(settings: &crate::settings::Settings, now: i64) -> Self {
        Self {
            dir: settings.backups_dir(),
            keep: settings.backups_kept,
            now,
        }
    }

    /// No copy: for databases made moments ago (tests, benchmarks).
    pub fn none() -> Self {
        Self {
            dir: PathBuf::new(),
            keep: 0,
            now: 0,
        }
    }
}

/// Copies the database at `database`, at schema version `found`, before it is
/// upgraded, as `kansli-<unix time>-v<found>.db`; then removes all but the newest
/// `keep` such copies. Files named otherwise are the operator's and stay.
pub(super) fn before_upgrade(
    database: &Path,
    found: i64,
    backups: &UpgradeBackups,
) -> anyhow::Result<()> {
    use anyhow::Context;
    if backups.keep == 0 {
        return Ok(());
    }
    super::create_private_dir(&backups.dir)
        .with_context(|| format!("cannot create {}", backups.dir.display()))?;
    let target = backups
        .dir
        .join(format!("kansli-{}-v{found}.db", backups.now));
    copy(database, &target).context(
        "cannot copy the database before upgrading it (backups_kept = 0 upgrades without a copy)",
    )?;
    tracing::info!(
        copy = %target.display(),
        from = found,
        to = migrate::version(),
        "copied the database before upgrading its schema"
    );
    // A copy that cannot be removed costs disk space, not data: the upgrade goes on.
    if let Err(e) = prune(&backups.dir, backups.keep) {
        tracing::warn!(dir = %backups.dir.display(), "cannot remove older copies: {e}");
    }
    Ok(())
}

/// Removes all but the newest `keep` copies made by [`before_upgrade`], newest by
/// the time in their names (file times change when files are copied around).
fn prune(dir: &Path, keep: usize) -> io::Result<()> {
    let mut copies = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(at) = upgrade_copy_time(&name) {
            copies.push((at, name));
        }
    }
    copies.sort_unstable_by(|a, b| b.cmp(a));
    for (_, name) in copies.into_iter().skip(keep) {
        std::fs::remove_file(dir.join(&name))?;
        tracing::info!(copy = %name, "removed an older copy of the database");
    }
    Ok(())
}

/// `kansli-1795248000-v10.db` → 1795248000; None for any other name.
fn upgrade_copy_time(name: &str) -> Option<i64> {
    let rest = name.strip_prefix("kansli-")?.strip_suffix(".db")?;
    let (at, version) = rest.split_once("-v")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(at) && digits(version))
        .then(|| at.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_upgrade_copies_are_read_as_copies() {
        assert_eq!(
            upgrade_copy_time("kansli-1795248000-v10.db"),
            Some(1795248000)
        );
        for other in [
            "kansli.db",
            "mine.db",
            "kansli-1795248000-v10.db-wal",
            "kansli--v10.db",
            "kansli-17x-v10.db",
            "kansli-1795248000-v.db",
        ] {
            assert_eq!(upgrade_copy_time(other), None, "{other}");
        }
    }
}
