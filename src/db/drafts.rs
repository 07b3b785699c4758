//! The `drafts`, `draft_answers` and `draft_pages` tables.
use std::collections::BTreeSet;

use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::forms::answers::Answers;
use crate::domain::rules::DRAFT_REMINDER_BEFORE;
use crate::domain::{AccountId, Lang};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct Draft {
    pub id: i64,
    pub reference: String,
    /// None for a questionnaire (answered without an account) and for a submitted
    /// application whose account has been closed.
    pub account_id: Option<AccountId>,
    pub form_id: String,
    pub lang: Lang,
    pub created_at: i64,
    pub last_activity: i64,
    pub expires_at: i64,
    pub approved_at: Option<i64>,
    pub revision: i64,
    /// Paid for and submitted: a case exists.
    pub submitted_at: Option<i64>,
}

impl Draft {
    /// Past its deletion time (unfinished) or its time to be paid for
    /// (approved), so it can no longer be opened, even before the hourly job
    /// has deleted it.
    pub fn is_gone(&self, now: i64) -> bool {
        self.submitted_at.is_none()
            && now >= crate::domain::rules::draft_gone_at(self.expires_at, self.approved_at)
    }
}

const COLUMNS: &str = "id, reference, account_id, form_id, lang, created_at, last_activity, expires_at, approved_at, revision, submitted_at";

fn from_row(r: &Row) -> Result<Draft> {
    Ok(Draft {
        id: r.get(0)?,
        reference: r.get(1)?,
        account_id: r.get::<_, Option<i64>>(2)?.map(AccountId),
        form_id: r.get(3)?,
        lang: Lang::parse(&r.get::<_, String>(4)?).unwrap_or(Lang::Sv),
        created_at: r.get(5)?,
        last_activity: r.get(6)?,
        expires_at: r.get(7)?,
        approved_at: r.get(8)?,
        revision: r.get(9)?,
        submitted_at: r.get(10)?,
    })
}

pub struct NewDraft<'a> {
    pub reference: &'a str,
    pub account: Option<AccountId>,
    pub form_id: &'a str,
    pub lang: Lang,
    pub expires_at: i64,
}

pub fn insert(conn: &Connection, d: &NewDraft, now: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO drafts (reference, account_id, form_id, lang, created_at, last_activity, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        params![d.reference, d.account.map(|a| a.0), d.form_id, d.lang.code(), now, d.expires_at],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The draft with this reference if it belongs to `account`; anyone else's is None.
/// Who may open a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// An applicant's own application.
    Account(AccountId),
    /// The person in Sweden, through a session for this questionnaire (its id).
    Respondent(i64),
    /// The applicant identified by e-identification (the 12 digits of their
    /// personal identity number): their submitted applications, read only.
    Applicant([u8; 12]),
}

/// The draft `reference` if `owner` may open it.
pub fn find_owned(conn: &Connection, reference: &str, owner: Owner) -> Result<Option<Draft>> {
    use r2d2_sqlite::rusqlite::types::Value;
    let (sql, key) = match owner {
        Owner::Account(a) => ("account_id = ?2", Value::Integer(a.0)),
        Owner::Respondent(q) => (
            "account_id IS NULL AND id = (SELECT draft_id FROM questionnaires WHERE id = ?2)",
            Value::Integer(q),
        ),
        Owner::Applicant(pin) => (
            "id IN (SELECT draft_id FROM cases WHERE applicant_pin = ?2)",
            Value::Text(String::from_utf8_lossy(&pin).into_owned()),
        ),
    };
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM drafts WHERE reference = ?1 AND {sql}"
    ))?
    .query_row(params![reference, key], from_row)
    .optional()
}

pub fn find_by_id(conn: &Connection, id: i64) -> Result<Option<Draft>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM drafts WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// An unfinished application as My Page lists it.
pub struct Listed {
    pub reference: String,
    pub form_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub approved_at: Option<i64>,
}

/// The account's drafts not yet submitted and not gone at `now`, newest first.
pub fn unsubmitted(conn: &Connection, account: AccountId, now: i64) -> Result<Vec<Listed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT reference, form_id, created_at, expires_at, approved_at FROM drafts
         WHERE account_id = ?1 AND submitted_at IS NULL
           AND ((approved_at IS NULL AND expires_at > ?2) OR approved_at > ?2 - ?3)
         ORDER BY created_at DESC, id DESC",
    )?;
    let rows = stmt.query_map(
        params![
            account.0,
            now,
            crate::domain::rules::APPROVED_UNPAID_LIFETIME
        ],
        |r| {
            Ok(Listed {
                reference: r.get(0)?,
                form_id: r.get(1)?,
                created_at: r.get(2)?,
                expires_at: r.get(3)?,
                approved_at: r.get(4)?,
            })
        },
    )?;
    rows.collect()
}

pub fn answers(conn: &Connection, draft: i64) -> Result<Answers> {
    let mut stmt =
        conn.prepare_cached("SELECT field_id, value FROM draft_answers WHERE draft_id = ?1")?;
    let rows = stmt.query_map([draft], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn done_pages(conn: &Connection, draft: i64) -> Result<BTreeSet<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT page_id FROM draft_pages WHERE draft_id = ?1 AND done = 1")?;
    let rows = stmt.query_map([draft], |r| r.get(0))?;
    rows.collect()
}

/// When each page of the draft was last opened.
pub fn opened_pages(
    conn: &Connection,
    draft: i64,
) -> Result<std::collections::BTreeMap<String, i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT page_id, opened_at FROM draft_pages WHERE draft_id = ?1")?;
    let rows = stmt.query_map([draft], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn page_opened_at(conn: &Connection, draft: i64, page: &str) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT opened_at FROM draft_pages WHERE draft_id = ?1 AND page_id = ?2",
        params![draft, page],
        |r| r.get(0),
    )
    .optional()
}

/// Any activity moves the deletion date (and a new date deserves a new reminder).
pub fn touch(conn: &Connection, draft: i64, now: i64, expires_at: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE drafts SET last_activity = ?2, expires_at = ?3, reminded_at = NULL WHERE id = ?1",
    )?
    .execute(params![draft, now, expires_at])?;
    Ok(())
}

/// Starts a page's 30 minutes.
pub fn open_page(conn: &Connection, draft: i64, page: &str, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO draft_pages (draft_id, page_id, opened_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (draft_id, page_id) DO UPDATE SET opened_at = excluded.opened_at",
    )?
    .execute(params![draft, page, now])?;
    Ok(())
}

/// Saves answers (and drops those of fields now hidden), bumps the revision,
/// and marks the page complete when `done`, incomplete otherwise.
pub fn save_answers(
    conn: &Connection,
    draft: i64,
    values: &Answers,
    hidden: &[&str],
    page: &str,
    done: bool,
) -> Result<()> {
    let mut upsert = conn.prepare_cached(
        "INSERT INTO draft_answers (draft_id, field_id, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (draft_id, field_id) DO UPDATE SET value = excluded.value",
    )?;
    for (field, value) in values {
        upsert.execute(params![draft, field, value])?;
    }
    let mut remove =
        conn.prepare_cached("DELETE FROM draft_answers WHERE draft_id = ?1 AND field_id = ?2")?;
    for field in hidden {
        remove.execute(params![draft, field])?;
    }
    // A page saved without all its answers checked is not done, even if it was.
    conn.prepare_cached("UPDATE draft_pages SET done = ?3 WHERE draft_id = ?1 AND page_id = ?2")?
        .execute(params![draft, page, done])?;
    conn.prepare_cached("UPDATE drafts SET revision = revision + 1 WHERE id = ?1")?
        .execute([draft])?;
    Ok(())
}

/// Deletes up to `limit` drafts whose time has come: unfinished ones past their
/// deletion time, and approved ones never paid for (answers and pages go with them).
pub fn delete_expired(conn: &Connection, now: i64, limit: i64) -> Result<usize> {
    // Unfinished drafts past their time, by their partial index (`drafts_expiry`).
    let unfinished = conn.execute(
        "DELETE FROM drafts WHERE id IN (
            SELECT id FROM drafts WHERE approved_at IS NULL AND expires_at <= ?1 LIMIT ?2)",
        params![now, limit],
    )?;
    let left = limit - unfinished as i64;
    if left <= 0 {
        return Ok(unfinished);
    }
    // Approved ones never paid for, by `drafts_unpaid`; not while a payment is
    // in progress at the provider or succeeded.
    let unpaid = conn.execute(
        "DELETE FROM drafts WHERE id IN (
            SELECT d.id FROM drafts d
            WHERE d.submitted_at IS NULL AND d.approved_at IS NOT NULL AND d.approved_at <= ?1 - ?3
              AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.draft_id = d.id
                              AND p.state IN ('created', 'started', 'three_ds_required', 'success'))
            LIMIT ?2)",
        params![now, left, crate::domain::rules::APPROVED_UNPAID_LIFETIME],
    )?;
    Ok(unfinished + unpaid)
}

/// Drafts within three days of deletion that have had no reminder, with the owner's email.
pub fn due_reminders(conn: &Connection, now: i64, limit: i64) -> Result<Vec<(Draft, String)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {}, a.email FROM drafts d JOIN accounts a ON a.id = d.account_id
         WHERE d.approved_at IS NULL AND d.reminded_at IS NULL AND d.expires_at > ?1 AND d.expires_at - ?2 <= ?1
         ORDER BY d.expires_at LIMIT ?3",
        COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
    ))?;
    let rows = stmt.query_map(params![now, DRAFT_REMINDER_BEFORE, limit], |r| {
        Ok((from_row(r)?, r.get(COLUMNS.split(", ").count())?))
    })?;
    rows.collect()
}

pub fn mark_reminded(conn: &Connection, draft: i64, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE drafts SET reminded_at = ?2 WHERE id = ?1",
        params![draft, now],
    )?;
    Ok(())
}

/// Marks an approved draft as submitted; false if it already was.
pub fn mark_submitted(conn: &Connection, draft: i64, now: i64) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE drafts SET submitted_at = ?2 WHERE id = ?1 AND approved_at IS NOT NULL AND submitted_at IS NULL",
        params![draft, now],
    )?;
    Ok(changed == 1)
}

/// Approves a complete draft: from now on nothing in it can change. False if it was
/// approved already or changed since the review page was shown.
pub fn approve(conn: &Connection, draft: i64, revision: i64, now: i64) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE drafts SET approved_at = ?3, revision = revision + 1 WHERE id = ?1 AND revision = ?2 AND approved_at IS NULL",
        params![draft, revision, now],
    )?;
    Ok(changed == 1)
}

/// Detaches the account's submitted applications from it before the account is
/// closed: they stay with their cases.
pub fn detach_submitted(conn: &Connection, account: AccountId) -> Result<usize> {
    conn.execute(
        "UPDATE drafts SET account_id = NULL WHERE account_id = ?1 AND submitted_at IS NOT NULL",
        [account.0],
    )
}
