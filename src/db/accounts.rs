//! The `accounts` table.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::{AccountId, Lang};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct Account {
    pub id: AccountId,
    pub email: String,
    pub password_hash: String,
    pub lang: Lang,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub phone: Option<String>,
    pub two_step: bool,
    pub failed_logins: i64,
    pub last_failed_at: Option<i64>,
    /// The personal identity number linked by e-identification (12 digits).
    pub pin: Option<String>,
}

const COLUMNS: &str = "id, email, password_hash, lang, created_at, confirmed_at, phone, two_step, failed_logins, last_failed_at, pin";

fn from_row(r: &Row) -> Result<Account> {
    Ok(Account {
        id: AccountId(r.get(0)?),
        email: r.get(1)?,
        password_hash: r.get(2)?,
        lang: Lang::parse(&r.get::<_, String>(3)?).unwrap_or(Lang::Sv),
        created_at: r.get(4)?,
        confirmed_at: r.get(5)?,
        phone: r.get(6)?,
        two_step: r.get(7)?,
        failed_logins: r.get(8)?,
        last_failed_at: r.get(9)?,
        pin: r.get(10)?,
    })
}

pub fn by_email(conn: &Connection, email: &str) -> Result<Option<Account>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM accounts WHERE email = ?1"),
        [email],
        from_row,
    )
    .optional()
}

/// The account linked to a personal identity number (12 digits).
pub fn by_pin(conn: &Connection, pin: &str) -> Result<Option<Account>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM accounts WHERE pin = ?1"),
        [pin],
        from_row,
    )
    .optional()
}

/// Links the account to a personal identity number, unless it has one already.
pub fn set_pin(conn: &Connection, id: AccountId, pin: &str) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET pin = ?2 WHERE id = ?1 AND pin IS NULL",
        params![id.0, pin],
    )?;
    Ok(())
}

/// Removes the account's link to a personal identity number; returns the number it had.
pub fn clear_pin(conn: &Connection, id: AccountId) -> Result<Option<String>> {
    let pin: Option<String> = conn
        .query_row("SELECT pin FROM accounts WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    if pin.is_some() {
        conn.execute("UPDATE accounts SET pin = NULL WHERE id = ?1", [id.0])?;
    }
    Ok(pin)
}

pub fn by_id(conn: &Connection, id: AccountId) -> Result<Option<Account>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()
}

/// The account's revision: moved on (by triggers) with every change to what My Page lists.
pub fn revision(conn: &Connection, id: AccountId) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT revision FROM accounts WHERE id = ?1")?
        .query_row([id.0], |r| r.get(0))
        .optional()
}

pub fn insert(
    conn: &Connection,
    email: &str,
    password_hash: &str,
    lang: Lang,
    now: i64,
) -> Result<AccountId> {
    conn.execute(
        "INSERT INTO accounts (email, password_hash, lang, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![email, password_hash, lang.code(), now],
    )?;
    Ok(AccountId(conn.last_insert_rowid()))
}

/// Someone registered again with an address that never confirmed: the new password wins,
/// since only whoever reads the mailbox can confirm.
pub fn restart_unconfirmed(
    conn: &Connection,
    id: AccountId,
    password_hash: &str,
    lang: Lang,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET password_hash = ?2, lang = ?3, created_at = ?4 WHERE id = ?1 AND confirmed_at IS NULL",
        params![id.0, password_hash, lang.code(), now],
    )?;
    Ok(())
}

pub fn confirm(conn: &Connection, id: AccountId, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET confirmed_at = ?2 WHERE id = ?1 AND confirmed_at IS NULL",
        params![id.0, now],
    )?;
    Ok(())
}

pub fn set_lang(conn: &Connection, id: AccountId, lang: Lang) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET lang = ?2 WHERE id = ?1",
        params![id.0, lang.code()],
    )?;
    Ok(())
}

/// Counts a failed login step; returns the new count (0 for no such account).
pub fn record_failed_login(conn: &Connection, id: AccountId, now: i64) -> Result<i64> {
    conn.query_row(
        "UPDATE accounts SET failed_logins = failed_logins + 1, last_failed_at = ?2 WHERE id = ?1
         RETURNING failed_logins",
        params![id.0, now],
        |r| r.get(0),
    )
    .optional()
    .map(Option::unwrap_or_default)
}

pub fn clear_failed_logins(conn: &Connection, id: AccountId) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET failed_logins = 0, last_failed_at = NULL WHERE id = ?1",
        [id.0],
    )?;
    Ok(())
}

/// Whether another account already has this number.
pub fn phone_taken(conn: &Connection, phone: &str, except: AccountId) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE phone = ?1 AND id <> ?2)",
        params![phone, except.0],
        |r| r.get(0),
    )
}

pub fn enable_two_step(conn: &Connection, id: AccountId, phone: &str) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET phone = ?2, two_step = 1 WHERE id = ?1",
        params![id.0, phone],
    )?;
    Ok(())
}

pub fn disable_two_step(conn: &Connection, id: AccountId) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET phone = NULL, two_step = 0 WHERE id = ?1",
        [id.0],
    )?;
    Ok(())
}

pub fn set_password(conn: &Connection, id: AccountId, password_hash: &str) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
        params![id.0, password_hash],
    )?;
    Ok(())
}

/// Changes the email address (the username).
pub fn set_email(conn: &Connection, id: AccountId, email: &str) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET email = ?2 WHERE id = ?1",
        params![id.0, email],
    )?;
    Ok(())
}

/// Deletes an account that never confirmed its address (it holds an address someone else has now proved is theirs).
pub fn delete_unconfirmed_holder(conn: &Connection, email: &str) -> Result<usize> {
    conn.execute(
        "DELETE FROM accounts WHERE email = ?1 AND confirmed_at IS NULL",
        [email],
    )
}

/// Deletes up to `limit` accounts created before `cutoff` that never confirmed.
pub fn delete_unconfirmed(conn: &Connection, cutoff: i64, limit: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM accounts WHERE id IN (
            SELECT id FROM accounts WHERE confirmed_at IS NULL AND created_at < ?1 LIMIT ?2)",
        params![cutoff, limit],
    )
}

/// The account that uses this (E.164) number for two-step verification.
pub fn by_phone(conn: &Connection, phone: &str) -> Result<Option<AccountId>> {
    conn.query_row("SELECT id FROM accounts WHERE phone = ?1", [phone], |r| {
        Ok(AccountId(r.get(0)?))
    })
    .optional()
}

/// A new number for two-step verification (support, after verifying the caller).
pub fn set_phone(conn: &Connection, id: AccountId, phone: &str) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET phone = ?2 WHERE id = ?1",
        params![id.0, phone],
    )?;
    Ok(())
}

/// Deletes the account with its sessions, codes, reset links and unsubmitted
/// drafts; submitted applications must have been detached first.
pub fn delete(conn: &Connection, id: AccountId) -> Result<()> {
    conn.execute("DELETE FROM accounts WHERE id = ?1", [id.0])?;
    Ok(())
}
