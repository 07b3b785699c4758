//! The caseworkers' list of cases: search, filters, order, paging with the total,
//! and who has each case (assignment).
//!
//! The statement is put together from fixed pieces, one per filter in use, so
//! that SQLite sees each filter and picks its index (a `?N IS NULL OR …`
//! predicate would hide them and read every case); every value is bound.
use r2d2_sqlite::rusqlite::{params, types::ToSql, Connection, Row};

use crate::domain::case::CaseStatus;
use crate::domain::case_search::{Assigned, Sort, Term};
use crate::domain::staff::{Role, StaffId};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

/// What the caseworkers' list is narrowed to; None means any.
#[derive(Clone, Debug)]
pub struct Filter {
    pub term: Option<Term>,
    pub status: Option<CaseStatus>,
    pub form_id: Option<String>,
    /// Submitted at or after (unix seconds).
    pub from: Option<i64>,
    /// Submitted before (unix seconds).
    pub until: Option<i64>,
    pub assigned: Assigned,
    pub sort: Sort,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            term: None,
            status: None,
            form_id: None,
            from: None,
            until: None,
            assigned: Assigned::Anyone,
            sort: Sort::Newest,
        }
    }
}

/// A row of the caseworkers' list (and of its CSV export).
#[derive(Clone, Debug)]
pub struct Found {
    pub verification: String,
    pub form_id: String,
    pub status: CaseStatus,
    pub submitted_at: i64,
    pub updated_at: i64,
    pub applicant_name: String,
    pub applicant_email: String,
    /// The caseworker who has the case (their username), if anyone.
    pub assigned_to: Option<String>,
}

/// The WHERE clause of `f` and its values, in order.
fn conditions(f: &Filter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut clauses: Vec<&'static str> = vec!["1"];
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    match &f.term {
        Some(Term::Verification(v)) => {
            clauses.push("c.verification = ?");
            values.push(Box::new(v.as_str().to_string()));
        }
        Some(Term::Pin(p)) => {
            clauses.push("c.applicant_pin = ?");
            values.push(Box::new(p.as_str().to_string()));
        }
        Some(Term::Email(e)) => {
            clauses.push("c.applicant_email = ?");
            values.push(Box::new(e.clone()));
        }
        Some(Term::Name(q)) => {
            clauses.push("c.id IN (SELECT rowid FROM cases_names WHERE cases_names MATCH ?)");
            values.push(Box::new(q.clone()));
        }
        None => {}
    }
    if let Some(s) = f.status {
        clauses.push("c.status = ?");
        values.push(Box::new(s.as_str()));
    }
    if let Some(form) = &f.form_id {
        clauses.push("c.form_id = ?");
        values.push(Box::new(form.clone()));
    }
    if let Some(from) = f.from {
        clauses.push("c.submitted_at >= ?");
        values.push(Box::new(from));
    }
    if let Some(until) = f.until {
        clauses.push("c.submitted_at < ?");
        values.push(Box::new(until));
    }
    match f.assigned {
        Assigned::Anyone => {}
        Assigned::Nobody => clauses.push("c.assigned_to IS NULL"),
        Assigned::To(StaffId(id)) => {
            clauses.push("c.assigned_to = ?");
            values.push(Box::new(id));
        }
    }
    (clauses.join(" AND "), values)
}

fn order(sort: Sort) -> &'static str {
    match sort {
        Sort::Newest => "c.submitted_at DESC, c.id DESC",
        Sort::Oldest => "c.submitted_at, c.id",
        Sort::Updated => "c.updated_at DESC, c.id DESC",
        Sort::Name => "c.applicant_name COLLATE NOCASE, c.id",
    }
}

fn found(r: &Row) -> Result<Found> {
    Ok(Found {
        verification: r.get(0)?,
        form_id: r.get(1)?,
        status: CaseStatus::parse(r.get_ref(2)?.as_str()?).unwrap_or(CaseStatus::Received),
        submitted_at: r.get(3)?,
        updated_at: r.get(4)?,
        applicant_name: r.get(5)?,
        applicant_email: r.get(6)?,
        assigned_to: r.get(7)?,
    })
}

/// Up to `limit` cases matching `f` from `offset`, in `f.sort`'s order.
pub fn search(conn: &Connection, f: &Filter, offset: i64, limit: i64) -> Result<Vec<Found>> {
    let (clause, mut values) = conditions(f);
    let sql = [
        "SELECT c.verification, c.form_id, c.status, c.submitted_at, c.updated_at, c.applicant_name, c.applicant_email, s.email
         FROM cases c LEFT JOIN staff s ON s.id = c.assigned_to WHERE ",
        &clause,
        " ORDER BY ",
        order(f.sort),
        " LIMIT ? OFFSET ?",
    ]
    .concat();
    values.push(Box::new(limit));
    values.push(Box::new(offset));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        r2d2_sqlite::rusqlite::params_from_iter(values.iter()),
        found,
    )?;
    rows.collect()
}

/// How many cases match `f`.
pub fn count(conn: &Connection, f: &Filter) -> Result<i64> {
    let (clause, values) = conditions(f);
    let sql = ["SELECT count(*) FROM cases c WHERE ", &clause].concat();
    conn.prepare_cached(&sql)?.query_row(
        r2d2_sqlite::rusqlite::params_from_iter(values.iter()),
        |r| r.get(0),
    )
}

/// Gives the case to `to` (None: to nobody) if it is still with `seen`: false
/// when someone changed who has it first (then nothing changed).
pub fn assign(
    conn: &Connection,
    case: i64,
    seen: Option<StaffId>,
    to: Option<StaffId>,
) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE cases SET assigned_to = ?1 WHERE id = ?2 AND assigned_to IS ?3",
        params![to.map(|s| s.0), case, seen.map(|s| s.0)],
    )?;
    Ok(changed == 1)
}

/// Who has the case, if anyone.
pub fn assignee(conn: &Connection, case: i64) -> Result<Option<(StaffId, String)>> {
    conn.query_row(
        "SELECT s.id, s.email FROM cases c LEFT JOIN staff s ON s.id = c.assigned_to WHERE c.id = ?1",
        [case],
        |r| Ok(r.get::<_, Option<i64>>(0)?.map(StaffId).zip(r.get(1)?)),
    )
}

/// The caseworkers a case can be given to (their accounts in use), by username.
pub fn caseworkers(conn: &Connection) -> Result<Vec<(StaffId, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, email FROM staff WHERE role = ?1 AND disabled_at IS NULL AND setup_at IS NOT NULL ORDER BY email",
    )?;
    let rows = stmt.query_map([Role::Caseworker.as_str()], |r| {
        Ok((StaffId(r.get(0)?), r.get(1)?))
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::date::Date;

    /// SQLite's plan for the list's statement under `f`, one line per step.
    fn plan(conn: &Connection, f: &Filter) -> String {
        let (clause, values) = conditions(f);
        let sql = [
            "EXPLAIN QUERY PLAN SELECT c.id FROM cases c WHERE ",
            &clause,
            " ORDER BY ",
            order(f.sort),
        ]
        .concat();
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map(
                r2d2_sqlite::rusqlite::params_from_iter(values.iter()),
                |r| r.get::<_, String>(3),
            )
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn each_search_and_my_cases_go_through_an_index_not_every_case() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        let today = Date::new(2026, 11, 21).unwrap();
        let number = crate::domain::verification::VerificationNumber::generate();
        for (input, index) in [
            (number.as_str(), "sqlite_autoindex_cases"),
            ("19900101-1239", "cases_applicant_pin"),
            ("ana@example.com", "cases_applicant_email"),
            ("öberg ana", "cases_names"),
        ] {
            let f = Filter {
                term: Term::parse(input, today).unwrap(),
                ..Filter::default()
            };
            let plan = plan(&conn, &f);
            assert!(plan.contains(index), "{input}: {plan}");
            let reads_every_case = plan
                .lines()
                .any(|l| l == "SCAN c" || l.starts_with("SCAN c "));
            assert!(!reads_every_case, "{input}: {plan}");
        }
        let mine = Filter {
            assigned: Assigned::To(StaffId(1)),
            ..Filter::default()
        };
        let plan = plan(&conn, &mine);
        assert!(plan.contains("cases_assigned"), "{plan}");
    }
}
