//! The `cases` and `case_events` tables: submitted applications and their statuses.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::case::{CaseStatus, EventKind, Transition};
use crate::domain::verification::VerificationNumber;
use crate::domain::AccountId;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct Case {
    pub id: i64,
    pub verification: String,
    pub draft_id: i64,
    pub draft_reference: String,
    pub payment_reference: String,
    pub form_id: String,
    pub status: CaseStatus,
    pub submitted_at: i64,
    pub updated_at: i64,
    /// None once the account has been closed: the case stays with the agency.
    pub account_id: Option<AccountId>,
    pub applicant_name: String,
    /// When the cleanup job deleted the case's documents under their retention.
    pub documents_deleted_at: Option<i64>,
}

const COLUMNS: &str = "c.id, c.verification, c.draft_id, d.reference, p.reference, c.form_id, c.status, c.submitted_at, c.updated_at, c.account_id, c.applicant_name, c.documents_deleted_at";
const FROM: &str =
    "cases c JOIN drafts d ON d.id = c.draft_id JOIN payments p ON p.id = c.payment_id";

fn from_row(r: &Row) -> Result<Case> {
    Ok(Case {
        id: r.get(0)?,
        verification: r.get(1)?,
        draft_id: r.get(2)?,
        draft_reference: r.get(3)?,
        payment_reference: r.get(4)?,
        form_id: r.get(5)?,
        status: CaseStatus::parse(&r.get::<_, String>(6)?).unwrap_or(CaseStatus::Received),
        submitted_at: r.get(7)?,
        updated_at: r.get(8)?,
        account_id: r.get::<_, Option<i64>>(9)?.map(AccountId),
        applicant_name: r.get(10)?,
        documents_deleted_at: r.get(11)?,
    })
}

pub struct NewCase<'a> {
    pub draft_id: i64,
    pub account: AccountId,
    pub payment_id: i64,
    pub form_id: &'a str,
    /// Who the application is about, as its answers name them.
    pub applicant_name: &'a str,
    /// The applicant's personal identity number (12 digits), when the form asked for it.
    pub applicant_pin: Option<&'a str>,
    /// The applicant's email address as the application gave it ("" if none).
    pub applicant_email: &'a str,
}

/// Creates the case with a fresh verification number (drawn again if one is taken)
/// and its first status, Received. Returns the case's id and number.
pub fn insert(conn: &Connection, c: &NewCase, now: i64) -> Result<(i64, VerificationNumber)> {
    let mut tries = 0;
    loop {
        let number = VerificationNumber::generate();
        let inserted = conn.execute(
            "INSERT INTO cases (verification, draft_id, account_id, payment_id, form_id, status, submitted_at, updated_at, applicant_name, applicant_pin, applicant_email)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10)",
            params![
                number.as_str(),
                c.draft_id,
                c.account.0,
                c.payment_id,
                c.form_id,
                CaseStatus::Received.as_str(),
                now,
                c.applicant_name,
                c.applicant_pin,
                c.applicant_email
            ],
        );
        match inserted {
            Ok(_) => {
                let case = conn.last_insert_rowid();
                record(
                    conn,
                    &NewEvent {
                        case,
                        kind: EventKind::Status,
                        status: CaseStatus::Received,
                        from: None,
                        message: None,
                        actor: "applicant",
                    },
                    now,
                )?;
                return Ok((case, number));
            }
            // A number already in use: 10⁸ numbers make this rare, and a new draw settles it.
            Err(e)
                if super::is_unique_violation(&e)
                    && tries < 20
                    && !taken_by_draft(conn, c.draft_id)? =>
            {
                tries += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn taken_by_draft(conn: &Connection, draft: i64) -> Result<bool> {
    conn.prepare_cached("SELECT 1 FROM cases WHERE draft_id = ?1")?
        .exists([draft])
}

/// A line for a case's timeline.
pub struct NewEvent<'a> {
    pub case: i64,
    pub kind: EventKind,
    /// The case's status after the event.
    pub status: CaseStatus,
    pub from: Option<CaseStatus>,
    pub message: Option<&'a str>,
    /// "applicant", "system", or the staff member's email address.
    pub actor: &'a str,
}

pub fn record(conn: &Connection, e: &NewEvent, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO case_events (case_id, kind, status, from_status, message, at, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.case,
        e.kind.as_str(),
        e.status.as_str(),
        e.from.map(CaseStatus::as_str),
        e.message,
        now,
        e.actor
    ])?;
    Ok(())
}

/// Moves the case along `t` if it still has `t.from()`: false when someone moved
/// it first (then nothing changed).
pub fn change_status(
    conn: &Connection,
    case: i64,
    t: &Transition,
    actor: &str,
    now: i64,
) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE cases SET status = ?1, updated_at = ?2 WHERE id = ?3 AND status = ?4",
        params![t.to().as_str(), now, case, t.from().as_str()],
    )?;
    if changed == 1 {
        record(
            conn,
            &NewEvent {
                case,
                kind: EventKind::Status,
                status: t.to(),
                from: Some(t.from()),
                message: t.message(),
                actor,
            },
            now,
        )?;
    }
    Ok(changed == 1)
}

/// A case as My Page lists it.
pub struct Listed {
    pub verification: String,
    pub form_id: String,
    pub status: CaseStatus,
    pub submitted_at: i64,
}

const FOR_ACCOUNT: &str = "SELECT verification, form_id, status, submitted_at FROM cases
     WHERE account_id = ?1 ORDER BY submitted_at DESC, id DESC";

/// The account's cases, newest first (My Page): from the index that holds each
/// column listed, so the list costs no look-up in the table, no join and no sort.
pub fn for_account(conn: &Connection, account: AccountId) -> Result<Vec<Listed>> {
    let mut stmt = conn.prepare_cached(FOR_ACCOUNT)?;
    let rows = stmt.query_map([account.0], listed)?;
    rows.collect()
}

fn listed(r: &r2d2_sqlite::rusqlite::Row) -> Result<Listed> {
    Ok(Listed {
        verification: r.get(0)?,
        form_id: r.get(1)?,
        status: CaseStatus::parse(r.get_ref(2)?.as_str()?).unwrap_or(CaseStatus::Received),
        submitted_at: r.get(3)?,
    })
}

/// The cases whose applicant has this personal identity number (12 digits), newest first.
pub fn for_pin(conn: &Connection, pin: &str) -> Result<Vec<Listed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT verification, form_id, status, submitted_at FROM cases
         WHERE applicant_pin = ?1 ORDER BY submitted_at DESC, id DESC",
    )?;
    let rows = stmt.query_map([pin], listed)?;
    rows.collect()
}

pub fn for_draft(conn: &Connection, draft: i64) -> Result<Option<Case>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.draft_id = ?1"
    ))?
    .query_row([draft], from_row)
    .optional()
}

/// A case by its verification number, if it is `account`'s.
pub fn owned(conn: &Connection, verification: &str, account: AccountId) -> Result<Option<Case>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.verification = ?1 AND c.account_id = ?2"
    ))?
    .query_row(params![verification, account.0], from_row)
    .optional()
}

/// The case, if its applicant has this personal identity number (12 digits).
pub fn of_applicant(conn: &Connection, verification: &str, pin: &str) -> Result<Option<Case>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.verification = ?1 AND c.applicant_pin = ?2"
    ))?
    .query_row(params![verification, pin], from_row)
    .optional()
}

/// A line of a case's timeline.
#[derive(Clone, Debug)]
pub struct Event {
    pub kind: EventKind,
    pub status: CaseStatus,
    pub from: Option<CaseStatus>,
    pub message: Option<String>,
    pub at: i64,
    pub actor: String,
}

/// Everything that has happened to the case, oldest first.
/// The application (draft) a case was submitted from.
pub fn draft_of(conn: &Connection, case: i64) -> Result<i64> {
    conn.query_row("SELECT draft_id FROM cases WHERE id = ?1", [case], |r| {
        r.get(0)
    })
}

pub fn history(conn: &Connection, case: i64) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, status, from_status, message, at, actor FROM case_events
         WHERE case_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([case], |r| {
        Ok(Event {
            kind: EventKind::parse(r.get_ref(0)?.as_str()?).unwrap_or(EventKind::Status),
            status: CaseStatus::parse(r.get_ref(1)?.as_str()?).unwrap_or(CaseStatus::Received),
            from: r.get_ref(2)?.as_str_or_null()?.and_then(CaseStatus::parse),
            message: r.get(3)?,
            at: r.get(4)?,
            actor: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// Any case by its verification number (staff).
pub fn by_verification(conn: &Connection, verification: &str) -> Result<Option<Case>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.verification = ?1"
    ))?
    .query_row([verification], from_row)
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{drafts, payments};
    use crate::domain::Lang;

    #[test]
    fn my_pages_case_list_is_read_from_its_index_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {FOR_ACCOUNT}"))
            .unwrap()
            .query_map([1], |r| r.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("\n");
        // No look-up of each row in the table, and no sort.
        assert!(plan.contains("USING COVERING INDEX"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    /// An approved draft with a payment, ready to become a case.
    fn paid_draft(conn: &Connection, account: AccountId, n: usize) -> (i64, i64) {
        let reference = format!("draft{n}");
        let draft = drafts::insert(
            conn,
            &drafts::NewDraft {
                reference: &reference,
                account: Some(account),
                form_id: "visit-visa",
                lang: Lang::Sv,
                expires_at: 100,
            },
            0,
        )
        .unwrap();
        let payment = payments::insert(
            conn,
            &payments::NewPayment {
                reference: &format!("pay{n}"),
                draft_id: draft,
                attempt: 1,
                idempotency_key: &format!("key{n}"),
                amount: 100_000,
            },
            0,
        )
        .unwrap();
        (draft, payment)
    }

    #[test]
    fn many_submissions_get_distinct_valid_numbers_and_one_case_per_application() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        let account = crate::db::accounts::insert(&conn, "a@example.se", "h", Lang::Sv, 0).unwrap();
        let tx = conn.transaction().unwrap();
        let mut numbers = std::collections::HashSet::new();
        for n in 0..3000 {
            let (draft_id, payment_id) = paid_draft(&tx, account, n);
            let case = NewCase {
                draft_id,
                account,
                payment_id,
                form_id: "visit-visa",
                applicant_name: "Ada Lovelace",
                applicant_pin: None,
                applicant_email: "",
            };
            let (_, number) = insert(&tx, &case, 1).unwrap();
            assert_eq!(
                VerificationNumber::parse(number.as_str()),
                Ok(number.clone())
            );
            assert!(numbers.insert(number), "a number was given twice");
            assert!(
                insert(&tx, &case, 2).is_err(),
                "a second case for one application"
            );
        }
        let cases: i64 = tx
            .query_row("SELECT count(DISTINCT verification) FROM cases", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(cases, 3000);
        let history: i64 = tx
            .query_row("SELECT count(*) FROM case_events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(history, 3000, "each case starts with one Received event");
    }
}
