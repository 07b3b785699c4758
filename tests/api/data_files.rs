//! Issue 16 item 10: the data directory and the database are private to the
//! service's user whatever umask it starts with, and `kansli migrate` takes the
//! data directory's lock as the server does.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::helpers::*;

/// The permission bits, in octal as `ls` and `chmod` show them.
fn mode(path: &Path) -> String {
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    format!("{:o}", mode & 0o777)
}

#[test]
fn the_data_directory_and_database_are_private_whatever_the_umask() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("srv").join("data");
    let _server = serve_process(&data, "umask 022");
    for dir in [parent.path().join("srv"), data.clone()] {
        assert_eq!(mode(&dir), "700", "{}", dir.display());
    }
    // While the server runs its write-ahead log and shared memory files exist too.
    for name in ["kansli.db", "kansli.db-wal", "kansli.db-shm", "kansli.lock"] {
        assert_eq!(mode(&data.join(name)), "600", "{name}");
    }
}

#[test]
fn kansli_migrate_makes_a_private_database_and_waits_for_no_server() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022\nexec \"$0\" migrate")
        .arg(env!("CARGO_BIN_EXE_kansli"))
        .env("KANSLI_DATA_DIR", &data)
        .env_remove("KANSLI_CONFIG")
        .current_dir(parent.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(mode(&data), "700");
    assert_eq!(mode(&data.join("kansli.db")), "600");

    let _server = serve_process(&data, "");
    let out = kansli_cli_in(&data, &["migrate"]);
    assert!(!out.status.success(), "refused while the server runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server is running"), "{err}");
}
