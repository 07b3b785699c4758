//! The `sessions` table. Rows are found by the SHA-256 of the cookie's id.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

use super::Pool;
use crate::domain::rules::{SESSION_ABSOLUTE, SESSION_IDLE};
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

fn load(conn: &Connection, id_hash: &[u8]) -> Result<Option<(SessionView, i64)>> {
    conn.prepare_cached(
        "SELECT s.account_id, a.email, s.stage, s.method, s.assurance, COALESCE(a.two_step, 0),
                s.created_at, s.last_step_at, s.last_seen_at, CASE WHEN a.two_step THEN a.phone END,
                s.questionnaire_id, s.pin, s.person_name, s.organisation, COALESCE(a.revision, 0)
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
        };
        Ok((view, r.get(8)?))
    })
    .optional()
}

/// The live session with this id, its last-seen time moved to `now`; an expired one is deleted.
/// Reads first and writes only when the second has changed, so a burst of requests costs one write.
pub async fn load_and_touch(
    pool: &Pool,
    id_hash: Vec<u8>,
    now: i64,
) -> std::result::Result<Option<SessionView>, AppError> {
    let key = id_hash.clone();
    let Some((view, last_seen)) = super::quick_read(pool, move |c| load(c, &key)).await? else {
        return Ok(None);
    };
    if !is_live(view.created_at, last_seen, now) {
        super::write(pool, move |tx| delete(tx, &id_hash)).await?;
        return Ok(None);
    }
    if last_seen < now {
        super::write(pool, move |tx| {
            tx.execute(
                "UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?2) WHERE id_hash = ?1",
                params![id_hash, now],
            )
        })
        .await?;
    }
    Ok(Some(view))
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
/// under way in another browser.
pub fn sign_up_waiting(
    conn: &Connection,
    account: AccountId,
    except: Option<&[u8]>,
    now: i64,
) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sessions WHERE account_id = ?1 AND stage = 'pending_email'
            AND last_seen_at > ?2 AND created_at > ?3 AND (?4 IS NULL OR id_hash <> ?4))",
        params![
            account.0,
            now - SESSION_IDLE,
            now - SESSION_ABSOLUTE,
            except
        ],
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
