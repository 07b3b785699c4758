//! The `sessions` table. Rows are found by the SHA-256 of the cookie's id.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

use super::Pool;
use crate::db::codes::CodeCheck;
use crate::domain::rules::{SESSION_ABSOLUTE, SESSION_IDLE, SIGN_UP_HOLD};
use crate::domain::session::SessionView;
use crate::domain::session::{is_live, Assurance, Method, Stage};
use crate::domain::AccountId;
use crate::error::AppError;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

pub struct NewSession<'a> {
    pub id_hash: &'a [u8],
    pub account: Option<AccountId>,
    /// The questionnaire a person in Sweden opened (method Questionnaire).
    pub questionnaire: Option<i64>,
    pub stage: Stage,
    pub method: Method,
    pub assurance: Assurance,
    /// When the login began; the absolute limit counts from here across id rotations.
    pub started_at: i64,
    /// Who e-identification identified (personal identity number, name, organisation id).
    pub person: Option<Person<'a>>,
}

#[derive(Clone, Copy)]
pub struct Person<'a> {
    pub pin: &'a str,
    pub name: &'a str,
    pub organisation: Option<&'a str>,
}

pub fn insert(conn: &Connection, s: &NewSession, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO sessions (id_hash, account_id, questionnaire_id, stage, method, assurance, created_at, last_seen_at, last_step_at, pin, person_name, organisation)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)",
        params![s.id_hash, s.account.map(|a| a.0), s.questionnaire, s.stage.as_str(), s.method.as_str(), s.assurance.as_str(), s.started_at, now,
            s.person.map(|p| p.pin), s.person.map(|p| p.name), s.person.and_then(|p| p.organisation)],
    )?;
    Ok(())
}

/// Where a request came from, as the session list shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub ip: String,
    /// The browser's User-Agent, cut to [`USER_AGENT_MAX`] characters.
    pub user_agent: String,
}

/// The longest User-Agent kept.
pub const USER_AGENT_MAX: usize = 200;

impl Seen {
    pub fn new(ip: String, user_agent: &str) -> Self {
        Seen {
            ip,
            user_agent: user_agent.chars().take(USER_AGENT_MAX).collect(),
        }
    }
}

type Loaded = (SessionView, i64, Option<Seen>);

fn load(conn: &Connection, id_hash: &[u8]) -> Result<Option<Loaded>> {
    conn.prepare_cached(
        "SELECT s.account_id, a.email, s.stage, s.method, s.assurance, COALESCE(a.two_step, 0),
                s.created_at, s.last_step_at, s.last_seen_at, CASE WHEN a.two_step THEN a.phone END,
                s.questionnaire_id, s.pin, s.person_name, s.organisation, COALESCE(a.revision, 0), a.pin,
                s.ip, s.user_agent, s.typed_email
         FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ?1",
    )?
    .query_row([id_hash], |r| {
        let view = SessionView {
            id_hash: id_hash.to_vec(),
            account_id: r.get::<_, Option<i64>>(0)?.map(AccountId),
            email: r.get(1)?,
            stage: Stage::parse(&r.get::<_, String>(2)?).unwrap_or(Stage::PendingEmail),
            method: Method::parse(&r.get::<_, String>(3)?).unwrap_or(Method::Password),
            assurance: Assurance::parse(&r.get::<_, String>(4)?).unwrap_or(Assurance::None),
            two_step: r.get(5)?,
            phone: r.get(9)?,
            created_at: r.get(6)?,
            last_step_at: r.get(7)?,
            questionnaire: r.get(10)?,
            pin: r.get(11)?,
            person_name: r.get(12)?,
            organisation: r.get(13)?,
            revision: r.get(14)?,
            account_pin: r.get(15)?,
            typed_email: r.get(18)?,
        };
        let seen = match (r.get::<_, Option<String>>(16)?, r.get::<_, Option<String>>(17)?) {
            (Some(ip), Some(user_agent)) => Some(Seen { ip, user_agent }),
            _ => None,
        };
        Ok((view, r.get(8)?, seen))
    })
    .optional()
}

/// The live session with this id, its last-seen time (and where the request came
/// from) moved to `now`; an expired one is deleted. Reads first and writes only when
/// the second has changed (or the origin was never recorded), so a burst of
/// requests costs one write.
pub async fn load_and_touch(
    pool: &Pool,
    id_hash: Vec<u8>,
    now: i64,
    seen: Seen,
) -> std::result::Result<Option<SessionView>, AppError> {
    let key = id_hash.clone();
    let Some((view, last_seen, stored)) = super::quick_read(pool, move |c| load(c, &key)).await?
    else {
        return Ok(None);
    };
    if !is_live(view.created_at, last_seen, now) {
        super::write(pool, move |tx| delete(tx, &id_hash)).await?;
        return Ok(None);
    }
    // At most one write a second however the origin changes (a client alternating
    // User-Agents cannot make every request a write), and the first one at once.
    if last_seen < now || stored.is_none() {
        super::write(pool, move |tx| {
            tx.execute(
                "UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?2), ip = ?3, user_agent = ?4
                 WHERE id_hash = ?1",
                params![id_hash, now, seen.ip, seen.user_agent],
            )
        })
        .await?;
    }
    Ok(Some(view))
}

/// One of an account's live sessions, as My Page lists it.
pub struct Listed {
    /// The first 16 hex digits of the id's hash: names the session in the form
    /// that ends it, and tells nothing that could be used to take it over.
    pub handle: String,
    pub method: Method,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub seen: Seen,
    pub current: bool,
}

/// The account's logged-in sessions, the most recently used first.
pub fn list_for_account(
    conn: &Connection,
    account: AccountId,
    current: &[u8],
    now: i64,
) -> Result<Vec<Listed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id_hash, method, created_at, last_seen_at, COALESCE(ip, ''), COALESCE(user_agent, '')
         FROM sessions WHERE account_id = ?1 AND stage = 'authenticated'
         ORDER BY last_seen_at DESC, created_at DESC",
    )?;
    let rows = stmt.query_map([account.0], |r| {
        let id: Vec<u8> = r.get(0)?;
        Ok(Listed {
            handle: handle_of(&id),
            current: id == current,
            method: Method::parse(&r.get::<_, String>(1)?).unwrap_or(Method::Password),
            created_at: r.get(2)?,
            last_seen_at: r.get(3)?,
            seen: Seen {
                ip: r.get(4)?,
                user_agent: r.get(5)?,
            },
        })
    })?;
    let mut listed = rows.collect::<Result<Vec<_>>>()?;
    listed.retain(|s| is_live(s.created_at, s.last_seen_at, now));
    Ok(listed)
}

fn handle_of(id_hash: &[u8]) -> String {
    id_hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Ends the account's session named by `handle` (never `keep`). Returns whether one ended.
pub fn delete_by_handle(
    conn: &Connection,
    account: AccountId,
    handle: &str,
    keep: &[u8],
) -> Result<bool> {
    if handle.len() != 16 || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let n = conn.execute(
        "DELETE FROM sessions WHERE account_id = ?1 AND id_hash <> ?3
         AND lower(hex(substr(id_hash, 1, 8))) = lower(?2)",
        params![account.0, handle, keep],
    )?;
    Ok(n > 0)
}

pub fn delete(conn: &Connection, id_hash: &[u8]) -> Result<()> {
    conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
    Ok(())
}

/// Ends every session of the account, except `keep` (the one making the change).
pub fn delete_for_account(
    conn: &Connection,
    account: AccountId,
    keep: Option<&[u8]>,
) -> Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE account_id = ?1 AND (?2 IS NULL OR id_hash <> ?2)",
        params![account.0, keep],
    )
}

/// A sign-up that sent no code answers a code the way a real one would: wrong until
/// its tries are used up, expired after the code's lifetime, capped after a day's
/// worth of wrong codes for the address (counted per address, as a real account's
/// are, so signing up again does not start the day over). Starts with
/// [`start_decoy`].
pub fn decoy_check(conn: &Connection, id_hash: &[u8], now: i64) -> Result<CodeCheck> {
    use crate::domain::rules::{CODE_WRONG_PER_DAY, DAY, EMAIL_CODE_TRIES, EMAIL_CODE_VALID};
    let row: Option<(Option<i64>, i64, Option<Vec<u8>>)> = conn
        .query_row(
            "SELECT decoy_sent_at, decoy_tries, decoy_address FROM sessions WHERE id_hash = ?1",
            [id_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((Some(sent_at), tries, Some(address))) = row else {
        return Ok(CodeCheck::Void);
    };
    let wrong: i64 = conn
        .query_row(
            "SELECT wrong FROM sign_up_decoys WHERE address_hash = ?1 AND since > ?2",
            params![address, now - DAY],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if wrong >= CODE_WRONG_PER_DAY {
        return Ok(CodeCheck::Capped);
    }
    if tries >= EMAIL_CODE_TRIES {
        return Ok(CodeCheck::Void);
    }
    if now >= sent_at + EMAIL_CODE_VALID {
        return Ok(CodeCheck::Expired);
    }
    conn.execute(
        "UPDATE sessions SET decoy_tries = decoy_tries + 1 WHERE id_hash = ?1",
        [id_hash],
    )?;
    conn.execute(
        "INSERT INTO sign_up_decoys (address_hash, since, wrong) VALUES (?1, ?2, 1)
         ON CONFLICT (address_hash) DO UPDATE SET
             wrong = CASE WHEN since > ?2 - ?3 THEN wrong + 1 ELSE 1 END,
             since = CASE WHEN since > ?2 - ?3 THEN since ELSE ?2 END",
        params![address, now, DAY],
    )?;
    let tries_left = EMAIL_CODE_TRIES - tries - 1;
    Ok(if tries_left <= 0 {
        CodeCheck::Void
    } else {
        CodeCheck::Wrong { tries_left }
    })
}

/// Keeps the address a sign-up typed with its session.
pub fn set_typed_email(conn: &Connection, id_hash: &[u8], email: &str) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET typed_email = ?2 WHERE id_hash = ?1",
        params![id_hash, email],
    )?;
    Ok(())
}

/// Marks a sign-up of `address` (a keyed hash) that sent no code as having "sent"
/// one now (at the start and at every "send a new code" past the resend interval);
/// the tries start over.
pub fn start_decoy(conn: &Connection, id_hash: &[u8], address: &[u8], now: i64) -> Result<()> {
    conn.execute(
        "UPDATE sessions SET decoy_sent_at = ?2, decoy_tries = 0, decoy_address = ?3
         WHERE id_hash = ?1",
        params![id_hash, now, address],
    )?;
    Ok(())
}

/// Forgets the per-address counts older than a day.
pub fn purge_decoys(conn: &Connection, now: i64, limit: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM sign_up_decoys WHERE address_hash IN
         (SELECT address_hash FROM sign_up_decoys WHERE since <= ?1 LIMIT ?2)",
        params![now - crate::domain::rules::DAY, limit],
    )
}

/// The address hash of a sign-up that sent no code.
pub fn decoy_address(conn: &Connection, id_hash: &[u8]) -> Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT decoy_address FROM sessions WHERE id_hash = ?1",
        [id_hash],
        |r| r.get(0),
    )
    .optional()
    .map(Option::flatten)
}

/// When a sign-up that sent no code last "sent" one.
pub fn decoy_sent_at(conn: &Connection, id_hash: &[u8]) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT decoy_sent_at FROM sessions WHERE id_hash = ?1",
        [id_hash],
        |r| r.get(0),
    )
    .optional()
    .map(Option::flatten)
}

/// Ends the account's sessions that were started by e-identification (its link to a
/// personal identity number has just been removed).
pub fn delete_eid_for_account(conn: &Connection, account: AccountId) -> Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE account_id = ?1
         AND method IN ('bankid', 'mobile_bankid', 'telia')",
        [account.0],
    )
}

/// Replaces a session with a new id (every login step), carrying its start time.
pub fn rotate(
    conn: &Connection,
    old: &SessionView,
    new_hash: &[u8],
    stage: Stage,
    method: Method,
    assurance: Assurance,
    now: i64,
) -> Result<()> {
    delete(conn, &old.id_hash)?;
    insert(
        conn,
        &NewSession {
            id_hash: new_hash,
            account: old.account_id,
            questionnaire: old.questionnaire,
            stage,
            method,
            assurance,
            started_at: old.created_at,
            person: old.pin.as_deref().map(|pin| Person {
                pin,
                name: old.person_name.as_deref().unwrap_or_default(),
                organisation: old.organisation.as_deref(),
            }),
        },
        now,
    )
}

/// Deletes up to `limit` sessions past their idle or absolute limit.
pub fn purge(conn: &Connection, now: i64, limit: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE id_hash IN (
            SELECT id_hash FROM sessions WHERE last_seen_at <= ?1 OR created_at <= ?2 LIMIT ?3)",
        params![now - SESSION_IDLE, now - SESSION_ABSOLUTE, limit],
    )
}

/// Whether a live session other than `except` (the browser asking) is waiting for
/// the emailed code of this (unconfirmed) account: a sign-up of its address is
/// under way in another browser, begun within [`SIGN_UP_HOLD`].
pub fn sign_up_waiting(
    conn: &Connection,
    account: AccountId,
    except: Option<&[u8]>,
    now: i64,
) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sessions WHERE account_id = ?1 AND stage = 'pending_email'
            AND last_seen_at > ?2 AND created_at > ?3 AND (?4 IS NULL OR id_hash <> ?4))",
        params![account.0, now - SESSION_IDLE, now - SIGN_UP_HOLD, except],
        |r| r.get(0),
    )
}

pub fn count_for_account(conn: &Connection, account: AccountId) -> Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM sessions WHERE account_id = ?1",
        [account.0],
        |r| r.get(0),
    )
}
