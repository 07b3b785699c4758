//! The `questionnaires` table: the questionnaire the person in Sweden answers for
//! a submitted application, how it is reached, and when it was sent, reminded of
//! and answered. Its answers live in an account-less draft (`draft_id`).
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use super::cases::{self, NewEvent};
use crate::domain::case::{CaseStatus, EventKind};
use crate::domain::Lang;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct Questionnaire {
    pub id: i64,
    pub case_id: i64,
    pub verification: String,
    /// The application's type (whose questionnaire this is).
    pub case_form_id: String,
    pub draft_id: Option<i64>,
    pub form_id: String,
    pub name: String,
    pub email: String,
    pub lang: Lang,
    pub sent_at: i64,
    pub reminded_at: Option<i64>,
    pub answered_at: Option<i64>,
}

const COLUMNS: &str = "q.id, q.case_id, c.verification, c.form_id, q.draft_id, q.form_id, q.name, q.email, q.lang, q.sent_at, q.reminded_at, q.answered_at";
const FROM: &str = "questionnaires q JOIN cases c ON c.id = q.case_id";

fn from_row(r: &Row) -> Result<Questionnaire> {
    Ok(Questionnaire {
        id: r.get(0)?,
        case_id: r.get(1)?,
        verification: r.get(2)?,
        case_form_id: r.get(3)?,
        draft_id: r.get(4)?,
        form_id: r.get(5)?,
        name: r.get(6)?,
        email: r.get(7)?,
        lang: Lang::parse(r.get_ref(8)?.as_str()?).unwrap_or(Lang::Sv),
        sent_at: r.get(9)?,
        reminded_at: r.get(10)?,
        answered_at: r.get(11)?,
    })
}

fn one(
    conn: &Connection,
    filter: &str,
    key: &dyn r2d2_sqlite::rusqlite::ToSql,
) -> Result<Option<Questionnaire>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM {FROM} WHERE {filter}"))?
        .query_row([key], from_row)
        .optional()
}

pub struct NewQuestionnaire<'a> {
    pub case_id: i64,
    pub form_id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    /// The person's personal identity number, normalised as the application stored it.
    pub pin: &'a str,
    pub lang: Lang,
    pub token_hash: &'a [u8],
}

/// Creates the questionnaire and puts "questionnaire sent" on the case's timeline.
pub fn insert(conn: &Connection, q: &NewQuestionnaire, now: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO questionnaires (case_id, form_id, name, email, pin, lang, token_hash, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            q.case_id,
            q.form_id,
            q.name,
            q.email,
            q.pin,
            q.lang.code(),
            q.token_hash,
            now
        ],
    )?;
    let id = conn.last_insert_rowid();
    event(conn, q.case_id, EventKind::QuestionnaireSent, now)?;
    Ok(id)
}

fn event(conn: &Connection, case: i64, kind: EventKind, now: i64) -> Result<()> {
    let status: String = conn.query_row("SELECT status FROM cases WHERE id = ?1", [case], |r| {
        r.get(0)
    })?;
    cases::record(
        conn,
        &NewEvent {
            case,
            kind,
            status: CaseStatus::parse(&status).unwrap_or(CaseStatus::Received),
            from: None,
            message: None,
            actor: "person_in_sweden",
        },
        now,
    )
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Questionnaire>> {
    one(conn, "q.id = ?1", &id)
}

/// The questionnaire the emailed link's token opens.
pub fn by_token(conn: &Connection, token_hash: &[u8]) -> Result<Option<Questionnaire>> {
    one(conn, "q.token_hash = ?1", &token_hash)
}

pub fn for_case(conn: &Connection, case: i64) -> Result<Option<Questionnaire>> {
    one(conn, "q.case_id = ?1", &case)
}

/// The questionnaires of an account's cases, newest case first.
pub fn for_account(
    conn: &Connection,
    account: crate::domain::AccountId,
) -> Result<Vec<Questionnaire>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.account_id = ?1 ORDER BY c.submitted_at DESC, c.id DESC"
    ))?;
    let rows = stmt.query_map([account.0], from_row)?;
    rows.collect()
}

/// The questionnaire of the case `verification` whose person in Sweden has `pin`.
pub fn by_case_and_pin(
    conn: &Connection,
    verification: &str,
    pin: &str,
) -> Result<Option<Questionnaire>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.verification = ?1 AND q.pin = ?2"
    ))?
    .query_row(params![verification, pin], from_row)
    .optional()
}

/// Gives the questionnaire its draft (on first opening, or after the old one expired).
pub fn attach_draft(conn: &Connection, id: i64, draft: i64) -> Result<()> {
    conn.execute(
        "UPDATE questionnaires SET draft_id = ?2 WHERE id = ?1",
        params![id, draft],
    )?;
    Ok(())
}

/// Records the questionnaire as answered (once) and puts it on the case's timeline.
pub fn mark_answered(conn: &Connection, id: i64, now: i64) -> Result<bool> {
    let case: Option<i64> = conn
        .query_row(
            "UPDATE questionnaires SET answered_at = ?2 WHERE id = ?1 AND answered_at IS NULL
             RETURNING case_id",
            params![id, now],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(case) = case {
        event(conn, case, EventKind::QuestionnaireAnswered, now)?;
    }
    Ok(case.is_some())
}

/// A new link (the old one stops working), to `email` when it was corrected.
pub fn renew_link(
    conn: &Connection,
    id: i64,
    token_hash: &[u8],
    email: &str,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE questionnaires SET token_hash = ?2, email = ?3, sent_at = ?4 WHERE id = ?1",
        params![id, token_hash, email, now],
    )?;
    Ok(())
}

/// Unanswered questionnaires sent at or before `sent_before` and not yet reminded of.
pub fn due_reminders(
    conn: &Connection,
    sent_before: i64,
    limit: i64,
) -> Result<Vec<Questionnaire>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE q.answered_at IS NULL AND q.reminded_at IS NULL AND q.sent_at <= ?1
         ORDER BY q.sent_at LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![sent_before, limit], from_row)?;
    rows.collect()
}

pub fn mark_reminded(conn: &Connection, id: i64, now: i64) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE questionnaires SET reminded_at = ?2 WHERE id = ?1 AND reminded_at IS NULL",
        params![id, now],
    )? == 1)
}
