//! The `staff`, `staff_setup_links` and `staff_sessions` tables.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::rules::{SESSION_ABSOLUTE, SESSION_IDLE};
use crate::domain::staff::{Role, StaffId, StaffMember};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct Staff {
    pub id: StaffId,
    pub email: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub totp_secret: Vec<u8>,
    pub totp_last_step: i64,
    pub created_at: i64,
    pub setup_at: Option<i64>,
    pub disabled_at: Option<i64>,
    pub failed_logins: i64,
    pub last_failed_at: Option<i64>,
}

const COLUMNS: &str = "id, email, role, password_hash, totp_secret, totp_last_step, created_at, setup_at, disabled_at, failed_logins, last_failed_at";

fn from_row(r: &Row) -> Result<Staff> {
    Ok(Staff {
        id: StaffId(r.get(0)?),
        email: r.get(1)?,
        role: Role::parse(r.get_ref(2)?.as_str()?).unwrap_or(Role::Support),
        password_hash: r.get(3)?,
        totp_secret: r.get(4)?,
        totp_last_step: r.get(5)?,
        created_at: r.get(6)?,
        setup_at: r.get(7)?,
        disabled_at: r.get(8)?,
        failed_logins: r.get(9)?,
        last_failed_at: r.get(10)?,
    })
}

pub fn insert(
    conn: &Connection,
    email: &str,
    role: Role,
    secret: &[u8],
    now: i64,
) -> Result<StaffId> {
    conn.execute(
        "INSERT INTO staff (email, role, totp_secret, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![email, role.as_str(), secret, now],
    )?;
    Ok(StaffId(conn.last_insert_rowid()))
}

pub fn by_email(conn: &Connection, email: &str) -> Result<Option<Staff>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM staff WHERE email = ?1"),
        [email],
        from_row,
    )
    .optional()
}

pub fn by_id(conn: &Connection, id: StaffId) -> Result<Option<Staff>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM staff WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()
}

pub fn list(conn: &Connection) -> Result<Vec<Staff>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM staff ORDER BY email"))?;
    let rows = stmt.query_map([], from_row)?;
    rows.collect()
}

/// Every member's stored authenticator secret, to seal them again.
pub fn secrets(conn: &Connection) -> Result<Vec<(StaffId, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT id, totp_secret FROM staff ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((StaffId(r.get(0)?), r.get(1)?)))?;
    rows.collect()
}

pub fn set_secret(conn: &Connection, id: StaffId, secret: &[u8]) -> Result<()> {
    conn.execute(
        "UPDATE staff SET totp_secret = ?2 WHERE id = ?1",
        params![id.0, secret],
    )?;
    Ok(())
}

/// Gives a member who has not set up yet a new authenticator secret (a setup link
/// issued again: whoever saw the old link's QR code must not be able to enrol).
pub fn renew_secret(conn: &Connection, id: StaffId, secret: &[u8]) -> Result<()> {
    conn.execute(
        "UPDATE staff SET totp_secret = ?2, totp_last_step = 0 WHERE id = ?1 AND setup_at IS NULL",
        params![id.0, secret],
    )?;
    Ok(())
}

/// Sets the password chosen through the setup link; the app holds the secret.
pub fn complete_setup(
    conn: &Connection,
    id: StaffId,
    password_hash: &str,
    step: i64,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE staff SET password_hash = ?2, totp_last_step = ?3, setup_at = ?4, failed_logins = 0 WHERE id = ?1",
        params![id.0, password_hash, step, now],
    )?;
    Ok(())
}

/// Records the TOTP step just accepted; false if it (or a later one) was used already,
/// so two requests racing with one code cannot both pass.
pub fn spend_totp_step(conn: &Connection, id: StaffId, step: i64) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE staff SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2",
        params![id.0, step],
    )? == 1)
}

/// Counts a failed login; returns the consecutive failures now.
pub fn record_failed_login(conn: &Connection, id: StaffId, now: i64) -> Result<i64> {
    conn.query_row(
        "UPDATE staff SET failed_logins = failed_logins + 1, last_failed_at = ?2 WHERE id = ?1
         RETURNING failed_logins",
        params![id.0, now],
        |r| r.get(0),
    )
}

pub fn clear_failed_logins(conn: &Connection, id: StaffId) -> Result<()> {
    conn.execute("UPDATE staff SET failed_logins = 0 WHERE id = ?1", [id.0])?;
    Ok(())
}

/// Disables the staff member and ends their sessions. Returns false for an unknown address.
pub fn disable(conn: &Connection, email: &str, now: i64) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE staff SET disabled_at = COALESCE(disabled_at, ?2) WHERE email = ?1",
        params![email, now],
    )?;
    conn.execute(
        "DELETE FROM staff_sessions WHERE staff_id IN (SELECT id FROM staff WHERE email = ?1)",
        [email],
    )?;
    Ok(changed == 1)
}

/// Lifts the wait that failed logins earned. Returns false for an unknown address.
pub fn unlock(conn: &Connection, email: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE staff SET failed_logins = 0, last_failed_at = NULL WHERE email = ?1",
        [email],
    )? == 1)
}

/// Lets a disabled staff member log in again. Returns false for an unknown address.
pub fn enable(conn: &Connection, email: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE staff SET disabled_at = NULL WHERE email = ?1",
        [email],
    )? == 1)
}

/// Gives a staff member another role; their sessions read it with every request.
pub fn set_role(conn: &Connection, id: StaffId, role: Role) -> Result<()> {
    conn.execute(
        "UPDATE staff SET role = ?2 WHERE id = ?1",
        params![id.0, role.as_str()],
    )?;
    Ok(())
}

pub mod setup_links {
    use super::*;

    pub fn insert(
        conn: &Connection,
        token_hash: &[u8],
        staff: StaffId,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        conn.execute(
            "UPDATE staff_setup_links SET used_at = ?2 WHERE staff_id = ?1 AND used_at IS NULL",
            params![staff.0, now],
        )?;
        conn.execute(
            "INSERT INTO staff_setup_links (token_hash, staff_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, staff.0, now, expires_at],
        )?;
        Ok(())
    }

    /// The staff member a setup link belongs to, while it is unused and unexpired and
    /// they are neither disabled nor set up already (by another link).
    pub fn find_live(conn: &Connection, token_hash: &[u8], now: i64) -> Result<Option<Staff>> {
        conn.query_row(
            &format!(
                "SELECT {COLUMNS} FROM staff WHERE disabled_at IS NULL AND setup_at IS NULL AND id = (
                     SELECT staff_id FROM staff_setup_links
                     WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2)"
            ),
            params![token_hash, now],
            from_row,
        )
        .optional()
    }

    pub fn spend(conn: &Connection, token_hash: &[u8], now: i64) -> Result<()> {
        conn.execute(
            "UPDATE staff_setup_links SET used_at = ?2 WHERE token_hash = ?1",
            params![token_hash, now],
        )?;
        Ok(())
    }
}

pub mod sessions {
    use super::*;

    pub fn insert(conn: &Connection, id_hash: &[u8], staff: StaffId, now: i64) -> Result<()> {
        conn.execute(
            "INSERT INTO staff_sessions (id_hash, staff_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)",
            params![id_hash, staff.0, now],
        )?;
        Ok(())
    }

    /// The staff member of a live session (not disabled), and when it was last seen.
    pub fn load(conn: &Connection, id_hash: &[u8], now: i64) -> Result<Option<(StaffMember, i64)>> {
        conn.prepare_cached(
            "SELECT s.id, s.email, s.role, z.last_seen_at FROM staff_sessions z JOIN staff s ON s.id = z.staff_id
             WHERE z.id_hash = ?1 AND s.disabled_at IS NULL AND z.last_seen_at > ?2 AND z.created_at > ?3",
        )?
        .query_row(params![id_hash, now - SESSION_IDLE, now - SESSION_ABSOLUTE], |r| {
            Ok((
                StaffMember {
                    id: StaffId(r.get(0)?),
                    email: r.get(1)?,
                    role: Role::parse(r.get_ref(2)?.as_str()?).unwrap_or(Role::Support),
                },
                r.get(3)?,
            ))
        })
        .optional()
    }

    pub fn touch(conn: &Connection, id_hash: &[u8], now: i64) -> Result<()> {
        conn.execute(
            "UPDATE staff_sessions SET last_seen_at = MAX(last_seen_at, ?2) WHERE id_hash = ?1",
            params![id_hash, now],
        )?;
        Ok(())
    }

    pub fn delete(conn: &Connection, id_hash: &[u8]) -> Result<()> {
        conn.execute("DELETE FROM staff_sessions WHERE id_hash = ?1", [id_hash])?;
        Ok(())
    }
}
