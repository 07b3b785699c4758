//! The `codes` table: one-time codes sent by email or SMS, stored as keyed hashes.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

use crate::domain::secret::constant_time_eq;
use crate::domain::AccountId;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    ConfirmEmail,
    EnrolPhone,
    LoginSms,
    /// A code sent to a new email address; the address is the code's target.
    ChangeEmail,
    /// A code sent to the phone of an account with two-step verification, to link
    /// it to an e-identified person's personal identity number (the target).
    LinkPin,
    /// A code to the current phone confirming a change to how the account is
    /// protected; the target says which change.
    ConfirmChange,
    /// Support's change of phone number: a code to the new phone (the target)...
    SupportPhone,
    /// ...and one to the account's email address.
    SupportMail,
    /// Support's correction of the email address: a code to the new address (the target).
    SupportEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::ConfirmEmail => "confirm_email",
            Purpose::EnrolPhone => "enrol_phone",
            Purpose::LoginSms => "login_sms",
            Purpose::ChangeEmail => "change_email",
            Purpose::LinkPin => "link_pin",
            Purpose::ConfirmChange => "confirm_change",
            Purpose::SupportPhone => "support_phone",
            Purpose::SupportMail => "support_mail",
            Purpose::SupportEmail => "support_email",
        }
    }

    /// (seconds valid, wrong tries allowed)
    pub fn limits(self) -> (i64, i64) {
        use crate::domain::rules::*;
        match self {
            Purpose::ConfirmEmail | Purpose::ChangeEmail => (EMAIL_CODE_VALID, EMAIL_CODE_TRIES),
            Purpose::EnrolPhone | Purpose::LoginSms | Purpose::LinkPin | Purpose::ConfirmChange => {
                (SMS_CODE_VALID, SMS_CODE_TRIES)
            }
            // Read out to support during the call.
            Purpose::SupportPhone | Purpose::SupportMail | Purpose::SupportEmail => {
                (SMS_CODE_VALID, EMAIL_CODE_TRIES)
            }
        }
    }
}

/// The account the latest unused link code for this personal identity number went to.
pub fn link_target_account(conn: &Connection, pin: &str) -> Result<Option<AccountId>> {
    conn.query_row(
        "SELECT account_id FROM codes WHERE purpose = 'link_pin' AND target = ?1
         AND used_at IS NULL ORDER BY id DESC LIMIT 1",
        [pin],
        |r| Ok(AccountId(r.get(0)?)),
    )
    .optional()
}

/// (id, code_hash, target, expires_at, attempts, used_at)
type StoredCode = (i64, Vec<u8>, Option<String>, i64, i64, Option<i64>);

#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right code; it is now used. Carries the code's target (the phone number being enrolled).
    Accepted {
        target: Option<String>,
    },
    Wrong {
        tries_left: i64,
    },
    Expired,
    /// Too many wrong tries, already used, or never sent: a new code is needed.
    Void,
    /// Too many wrong codes for this account and purpose today (across new codes).
    Capped,
}

/// Issues a new code, voiding any earlier unused one of the same purpose.
pub fn issue(
    conn: &Connection,
    account: AccountId,
    purpose: Purpose,
    code_hash: &[u8],
    target: Option<&str>,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE codes SET used_at = ?3 WHERE account_id = ?1 AND purpose = ?2 AND used_at IS NULL",
        params![account.0, purpose.as_str(), now],
    )?;
    let (valid, _) = purpose.limits();
    conn.execute(
        "INSERT INTO codes (account_id, purpose, code_hash, target, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![account.0, purpose.as_str(), code_hash, target, now, now + valid],
    )?;
    Ok(())
}

/// How many codes of this purpose the account was sent since `since`.
pub fn count_since(
    conn: &Connection,
    account: AccountId,
    purpose: Purpose,
    since: i64,
) -> Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM codes WHERE account_id = ?1 AND purpose = ?2 AND created_at >= ?3",
        params![account.0, purpose.as_str(), since],
        |r| r.get(0),
    )
}

/// When the latest code of this purpose was sent, for throttling "send a new code".
pub fn last_issued_at(
    conn: &Connection,
    account: AccountId,
    purpose: Purpose,
) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT MAX(created_at) FROM codes WHERE account_id = ?1 AND purpose = ?2",
        params![account.0, purpose.as_str()],
        |r| r.get(0),
    )
}

/// Checks a submitted code (already hashed with the installation key) against the latest one.
pub fn check(
    conn: &Connection,
    account: AccountId,
    purpose: Purpose,
    submitted_hash: Option<&[u8]>,
    now: i64,
) -> Result<CodeCheck> {
    let (check, id) = judge(conn, account, purpose, submitted_hash, now)?;
    if let (CodeCheck::Accepted { .. }, Some(id)) = (&check, id) {
        spend(conn, id, now)?;
    }
    Ok(check)
}

/// Checks two codes that confirm one change together (one to a phone, one to an
/// address): both are used only when both are right, so a wrong one never spends
/// the other. Each wrong one counts against its own code.
pub fn check_pair(
    conn: &Connection,
    account: AccountId,
    first: (Purpose, Option<&[u8]>),
    second: (Purpose, Option<&[u8]>),
    now: i64,
) -> Result<(CodeCheck, CodeCheck)> {
    let (a, a_id) = judge(conn, account, first.0, first.1, now)?;
    let (b, b_id) = judge(conn, account, second.0, second.1, now)?;
    if let (CodeCheck::Accepted { .. }, CodeCheck::Accepted { .. }) = (&a, &b) {
        for id in [a_id, b_id].into_iter().flatten() {
            spend(conn, id, now)?;
        }
    }
    Ok((a, b))
}

/// Judges a submitted code against the latest one without using it up; a wrong one
/// counts as a try. Returns the code's id when it was right.
fn judge(
    conn: &Connection,
    account: AccountId,
    purpose: Purpose,
    submitted_hash: Option<&[u8]>,
    now: i64,
) -> Result<(CodeCheck, Option<i64>)> {
    let (_, max_tries) = purpose.limits();
    let latest: Option<StoredCode> = conn
        .query_row(
            "SELECT id, code_hash, target, expires_at, attempts, used_at FROM codes
             WHERE account_id = ?1 AND purpose = ?2 ORDER BY id DESC LIMIT 1",
            params![account.0, purpose.as_str()],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((id, stored, target, expires_at, attempts, used_at)) = latest else {
        return Ok((CodeCheck::Void, None));
    };
    let wrong_today: i64 = conn.query_row(
        "SELECT COALESCE(SUM(attempts), 0) FROM codes
         WHERE account_id = ?1 AND purpose = ?2 AND created_at > ?3",
        params![account.0, purpose.as_str(), now - crate::domain::rules::DAY],
        |r| r.get(0),
    )?;
    if wrong_today >= crate::domain::rules::CODE_WRONG_PER_DAY {
        return Ok((CodeCheck::Capped, None));
    }
    if used_at.is_some() || attempts >= max_tries {
        return Ok((CodeCheck::Void, None));
    }
    if now >= expires_at {
        return Ok((CodeCheck::Expired, None));
    }
    if submitted_hash.is_some_and(|h| constant_time_eq(h, &stored)) {
        return Ok((CodeCheck::Accepted { target }, Some(id)));
    }
    conn.execute(
        "UPDATE codes SET attempts = attempts + 1 WHERE id = ?1",
        [id],
    )?;
    let tries_left = max_tries - attempts - 1;
    Ok((
        if tries_left <= 0 {
            CodeCheck::Void
        } else {
            CodeCheck::Wrong { tries_left }
        },
        None,
    ))
}

fn spend(conn: &Connection, id: i64, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE codes SET used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// The target of the latest unused code of this purpose (the number being enrolled).
pub fn pending_target(
    conn: &Connection,
    account: AccountId,
    purpose: Purpose,
) -> Result<Option<String>> {
    conn.query_row(
        "SELECT target FROM codes WHERE account_id = ?1 AND purpose = ?2 AND used_at IS NULL ORDER BY id DESC LIMIT 1",
        params![account.0, purpose.as_str()],
        |r| r.get(0),
    )
    .optional()
    .map(Option::flatten)
}

/// Deletes codes that expired before `cutoff`.
pub fn purge(conn: &Connection, cutoff: i64, limit: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM codes WHERE id IN (SELECT id FROM codes WHERE expires_at < ?1 LIMIT ?2)",
        params![cutoff, limit],
    )
}

pub mod reset {
    //! The `reset_tokens` table: password-reset links, stored as SHA-256 of the token.
    use super::*;

    pub fn insert(
        conn: &Connection,
        token_hash: &[u8],
        account: AccountId,
        now: i64,
    ) -> Result<()> {
        conn.execute(
            "INSERT INTO reset_tokens (token_hash, account_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, account.0, now, now + crate::domain::rules::RESET_TOKEN_VALID],
        )?;
        Ok(())
    }

    /// The account a live, unused token belongs to.
    pub fn find_live(conn: &Connection, token_hash: &[u8], now: i64) -> Result<Option<AccountId>> {
        conn.query_row(
            "SELECT account_id FROM reset_tokens WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
            params![token_hash, now],
            |r| Ok(AccountId(r.get(0)?)),
        )
        .optional()
    }

    /// Marks the token and every other open token of the account used.
    pub fn use_all(conn: &Connection, account: AccountId, now: i64) -> Result<()> {
        conn.execute(
            "UPDATE reset_tokens SET used_at = ?2 WHERE account_id = ?1 AND used_at IS NULL",
            params![account.0, now],
        )?;
        Ok(())
    }

    pub fn purge(conn: &Connection, cutoff: i64, limit: i64) -> Result<usize> {
        conn.execute(
            "DELETE FROM reset_tokens WHERE token_hash IN (SELECT token_hash FROM reset_tokens WHERE expires_at < ?1 LIMIT ?2)",
            params![cutoff, limit],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (Connection, AccountId) {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        let id =
            crate::db::accounts::insert(&conn, "a@example.se", "h", crate::domain::Lang::Sv, 0)
                .unwrap();
        (conn, id)
    }

    #[test]
    fn right_code_is_accepted_once() {
        let (conn, id) = db();
        issue(&conn, id, Purpose::ConfirmEmail, b"right", None, 0).unwrap();
        assert_eq!(
            check(&conn, id, Purpose::ConfirmEmail, Some(b"right"), 10).unwrap(),
            CodeCheck::Accepted { target: None }
        );
        assert_eq!(
            check(&conn, id, Purpose::ConfirmEmail, Some(b"right"), 11).unwrap(),
            CodeCheck::Void
        );
    }

    #[test]
    fn fifth_wrong_try_voids_the_email_code() {
        let (conn, id) = db();
        issue(&conn, id, Purpose::ConfirmEmail, b"right", None, 0).unwrap();
        for left in (1..5).rev() {
            assert_eq!(
                check(&conn, id, Purpose::ConfirmEmail, Some(b"wrong"), 1).unwrap(),
                CodeCheck::Wrong { tries_left: left }
            );
        }
        assert_eq!(
            check(&conn, id, Purpose::ConfirmEmail, Some(b"wrong"), 1).unwrap(),
            CodeCheck::Void
        );
        assert_eq!(
            check(&conn, id, Purpose::ConfirmEmail, Some(b"right"), 1).unwrap(),
            CodeCheck::Void
        );
    }

    #[test]
    fn sms_code_expires_after_ten_minutes_and_a_new_code_voids_the_old() {
        let (conn, id) = db();
        issue(&conn, id, Purpose::LoginSms, b"one", None, 0).unwrap();
        assert_eq!(
            check(&conn, id, Purpose::LoginSms, Some(b"one"), 600).unwrap(),
            CodeCheck::Expired
        );
        issue(&conn, id, Purpose::LoginSms, b"two", None, 700).unwrap();
        assert_eq!(
            check(&conn, id, Purpose::LoginSms, Some(b"one"), 701).unwrap(),
            CodeCheck::Wrong { tries_left: 2 }
        );
        assert!(matches!(
            check(&conn, id, Purpose::LoginSms, Some(b"two"), 702).unwrap(),
            CodeCheck::Accepted { .. }
        ));
    }
}
