//! Facts about this installation kept in the database: the secret key for CSRF
//! tokens and code hashes (made once, on first start), kept sealed with the
//! key-encryption key from outside the database, and which key sealed it.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::staff;
use crate::domain::secret::SealingKey;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

const INSTALLATION_KEY: &str = "installation key";
pub const TOTP_SECRET: &str = "totp secret";

/// Why the installation key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the secret key file is not the key that sealed this database's secrets \
         (the file's key is {file}, the database's is {database}); use the right file, \
         or restore the database that belongs to it"
    )]
    WrongKey { file: String, database: String },
    #[error("the database's sealed installation key or an authenticator secret is damaged")]
    Damaged,
    #[error(transparent)]
    Sql(#[from] r2d2_sqlite::rusqlite::Error),
}

fn get(tx: &Connection, name: &str) -> Result<Option<Vec<u8>>> {
    tx.query_row(
        "SELECT value FROM installation WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
    .optional()
}

fn put(tx: &Transaction, name: &str, value: &[u8]) -> Result<()> {
    tx.execute(
        "INSERT INTO installation (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )?;
    Ok(())
}

/// The id of the key that sealed this database's secrets, if any did.
pub fn sealed_by(tx: &Connection) -> Result<Option<String>> {
    Ok(get(tx, "sealed_by")?.map(|v| String::from_utf8_lossy(&v).into_owned()))
}

/// Returns the installation key, opened with `kek`. On first use it is made from
/// `fresh`; a database from before sealing has its plain key and the staff
/// authenticator secrets sealed now, in this transaction.
pub fn key(
    tx: &Transaction,
    kek: &SealingKey,
    fresh: [u8; 32],
) -> std::result::Result<Vec<u8>, KeyError> {
    if let Some(database) = sealed_by(tx)? {
        if database != kek.id() {
            return Err(KeyError::WrongKey {
                file: kek.id().to_string(),
                database,
            });
        }
        let sealed = get(tx, "sealed_key")?.ok_or(KeyError::Damaged)?;
        return kek.open(INSTALLATION_KEY, &sealed).ok_or(KeyError::Damaged);
    }
    let key = match get(tx, "key")? {
        Some(plain) => {
            // What the plain values leave behind is zeroed, not just freed.
            tx.pragma_update(None, "secure_delete", true)?;
            plain
        }
        None => fresh.to_vec(),
    };
    for (id, secret) in staff::secrets(tx)? {
        staff::set_secret(tx, id, &kek.seal(TOTP_SECRET, &secret))?;
    }
    put(tx, "sealed_key", &kek.seal(INSTALLATION_KEY, &key))?;
    tx.execute("DELETE FROM installation WHERE name = 'key'", [])?;
    put(tx, "sealed_by", kek.id().as_bytes())?;
    Ok(key)
}

/// Seals the installation key and every authenticator secret again with `new`
/// (`kansli rotate-key`), in the caller's transaction.
pub fn reseal(
    tx: &Transaction,
    old: &SealingKey,
    new: &SealingKey,
) -> std::result::Result<usize, KeyError> {
    let key = self::key(tx, old, crate::domain::secret::random_key())?;
    let mut resealed = 0;
    for (id, sealed) in staff::secrets(tx)? {
        let plain = old.open(TOTP_SECRET, &sealed).ok_or(KeyError::Damaged)?;
        staff::set_secret(tx, id, &new.seal(TOTP_SECRET, &plain))?;
        resealed += 1;
    }
    put(tx, "sealed_key", &new.seal(INSTALLATION_KEY, &key))?;
    put(tx, "sealed_by", new.id().as_bytes())?;
    Ok(resealed)
}

impl From<KeyError> for crate::error::AppError {
    fn from(e: KeyError) -> Self {
        crate::error::AppError::Unexpected(e.into())
    }
}
