//! Facts about this installation kept in the database, such as the secret
//! key for CSRF tokens and code hashes (made once, on first start).
use r2d2_sqlite::rusqlite::{params, OptionalExtension, Transaction};

/// Returns the installation key, creating it from `fresh` on first use.
pub fn key(tx: &Transaction, fresh: [u8; 32]) -> r2d2_sqlite::rusqlite::Result<Vec<u8>> {
    let existing: Option<Vec<u8>> = tx
        .query_row(
            "SELECT value FROM installation WHERE name = 'key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match existing {
        Some(key) => Ok(key),
        None => {
            tx.execute(
                "INSERT INTO installation (name, value) VALUES ('key', ?1)",
                params![fresh.to_vec()],
            )?;
            Ok(fresh.to_vec())
        }
    }
}
