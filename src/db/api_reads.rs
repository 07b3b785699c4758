//! What the integration API reads that the staff pages do not: cases a page at
//! a time after a cursor (stable while cases arrive), and a document of one case.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

use super::documents::StoredDocument;
use crate::domain::case::CaseStatus;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

/// A case in the API's list.
#[derive(Clone, Debug)]
pub struct Listed {
    pub id: i64,
    pub verification: String,
    pub form_id: String,
    pub status: CaseStatus,
    pub submitted_at: i64,
    pub updated_at: i64,
}

/// Where a page of the list ends: the last case's submission time and id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub submitted_at: i64,
    pub id: i64,
}

/// What the API's case list is narrowed to; None means any.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<CaseStatus>,
    pub form_id: Option<String>,
    /// Submitted at or after (unix seconds).
    pub from: Option<i64>,
    /// Submitted before (unix seconds).
    pub until: Option<i64>,
}

/// Up to `limit + 1` cases matching `f`, newest first, after `after` (so the
/// caller knows whether there is a next page).
pub fn cases_after(
    conn: &Connection,
    f: &Filter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Listed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, verification, form_id, status, submitted_at, updated_at FROM cases
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR form_id = ?2)
           AND (?3 IS NULL OR submitted_at >= ?3) AND (?4 IS NULL OR submitted_at < ?4)
           AND (?5 IS NULL OR (submitted_at, id) < (?5, ?6))
         ORDER BY submitted_at DESC, id DESC LIMIT ?7",
    )?;
    let rows = stmt.query_map(
        params![
            f.status.map(CaseStatus::as_str),
            f.form_id,
            f.from,
            f.until,
            after.map(|c| c.submitted_at),
            after.map(|c| c.id),
            limit + 1
        ],
        |r| {
            Ok(Listed {
                id: r.get(0)?,
                verification: r.get(1)?,
                form_id: r.get(2)?,
                status: CaseStatus::parse(r.get_ref(3)?.as_str()?).unwrap_or(CaseStatus::Received),
                submitted_at: r.get(4)?,
                updated_at: r.get(5)?,
            })
        },
    )?;
    rows.collect()
}

/// The document `reference` of the case `verification`, if it is that case's.
pub fn document(
    conn: &Connection,
    verification: &str,
    reference: &str,
) -> Result<Option<StoredDocument>> {
    conn.prepare_cached(
        "SELECT d.filename, d.mime, d.bytes FROM documents d JOIN cases c ON c.draft_id = d.draft_id
         WHERE c.verification = ?1 AND d.reference = ?2",
    )?
    .query_row(
        params![verification, reference],
        super::documents::submitted_document,
    )
    .optional()
}
