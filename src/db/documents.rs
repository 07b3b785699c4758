//! The `documents` table.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

use super::Reader;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

pub struct NewDocument<'a> {
    pub reference: &'a str,
    pub draft: i64,
    pub field: &'a str,
    pub filename: &'a str,
    pub mime: &'a str,
    pub bytes: &'a [u8],
    pub thumbnail: &'a [u8],
}

/// (count, bytes) of the draft's documents other than the one in `except_field`.
pub fn usage(conn: &Connection, draft: i64, except_field: &str) -> Result<(i64, i64)> {
    conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM documents WHERE draft_id = ?1 AND field_id <> ?2",
        params![draft, except_field],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Stores a document for a field, replacing the field's earlier one.
pub fn replace(conn: &Connection, d: &NewDocument, now: i64) -> Result<()> {
    remove(conn, d.draft, d.field)?;
    conn.execute(
        "INSERT INTO documents (reference, draft_id, field_id, filename, mime, bytes, thumbnail, size, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![d.reference, d.draft, d.field, d.filename, d.mime, d.bytes, d.thumbnail, d.bytes.len() as i64, now],
    )?;
    Ok(())
}

/// Deletes the document of a draft's field, if it has one.
pub fn remove(conn: &Connection, draft: i64, field: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM documents WHERE draft_id = ?1 AND field_id = ?2",
        params![draft, field],
    )?;
    Ok(())
}

pub struct StoredDocument {
    pub filename: String,
    pub mime: String,
    pub bytes: Vec<u8>,
    /// Part of a submitted application: shown only with two-step verification.
    pub submitted: bool,
}

/// A document, or its thumbnail, if `reader` may read it: it belongs to the
/// account's draft, or to the draft of a case whose applicant is the reader.
pub fn owned(
    conn: &Connection,
    reference: &str,
    reader: &Reader,
    thumbnail: bool,
) -> Result<Option<StoredDocument>> {
    let columns = if thumbnail {
        "d.filename, 'image/jpeg', d.thumbnail"
    } else {
        "d.filename, d.mime, d.bytes"
    };
    let (condition, who) = match reader {
        Reader::Account(a) => ("r.account_id = ?2", a.0.to_string()),
        Reader::Applicant(pin) => (
            "EXISTS (SELECT 1 FROM cases c WHERE c.draft_id = r.id AND c.applicant_pin = ?2)",
            pin.clone(),
        ),
    };
    let sql = format!(
        "SELECT {columns}, r.submitted_at IS NOT NULL FROM documents d JOIN drafts r ON r.id = d.draft_id
         WHERE d.reference = ?1 AND {condition}"
    );
    conn.query_row(&sql, params![reference, who], |r| {
        Ok(StoredDocument {
            filename: r.get(0)?,
            mime: r.get(1)?,
            bytes: r.get(2)?,
            submitted: r.get(3)?,
        })
    })
    .optional()
}

/// A document as the pages list it: which question it answers and its file name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attached {
    /// The id of the field (question) the document belongs to.
    pub field: String,
    /// The document's public reference (its URLs).
    pub reference: String,
    /// The file name as the person uploaded it (cleaned).
    pub name: String,
}

/// A draft's documents, for its pages.
pub fn names_by_field(conn: &Connection, draft: i64) -> Result<Vec<Attached>> {
    let mut stmt = conn.prepare_cached(
        "SELECT field_id, reference, filename FROM documents WHERE draft_id = ?1",
    )?;
    let rows = stmt.query_map([draft], |r| {
        Ok(Attached {
            field: r.get(0)?,
            reference: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// A document, or its thumbnail, of a submitted application (staff: caseworkers).
pub fn of_case(
    conn: &Connection,
    reference: &str,
    thumbnail: bool,
) -> Result<Option<StoredDocument>> {
    let sql = if thumbnail {
        "SELECT d.filename, 'image/jpeg', d.thumbnail FROM documents d JOIN cases c ON c.draft_id = d.draft_id
         WHERE d.reference = ?1"
    } else {
        "SELECT d.filename, d.mime, d.bytes FROM documents d JOIN cases c ON c.draft_id = d.draft_id
         WHERE d.reference = ?1"
    };
    conn.query_row(sql, [reference], submitted_document)
        .optional()
}

/// A document of a submitted application from a row of (filename, mime, bytes).
pub(super) fn submitted_document(r: &r2d2_sqlite::rusqlite::Row) -> Result<StoredDocument> {
    Ok(StoredDocument {
        filename: r.get(0)?,
        mime: r.get(1)?,
        bytes: r.get(2)?,
        submitted: true,
    })
}

/// Deletes the documents (with their thumbnails) of up to `limit` cases whose
/// status is one of `decided` and last changed before `before`, and marks those
/// cases so their pages can say why the documents are gone. Returns how many
/// cases lost their documents.
pub fn purge_decided(
    conn: &Connection,
    decided: [&str; 3],
    before: i64,
    now: i64,
    limit: i64,
) -> Result<usize> {
    let marked = conn.execute(
        "UPDATE cases SET documents_deleted_at = ?1 WHERE id IN
            (SELECT c.id FROM cases c
             WHERE c.status IN (?2, ?3, ?4) AND c.updated_at < ?5
               AND EXISTS (SELECT 1 FROM documents d WHERE d.draft_id = c.draft_id)
             ORDER BY c.id LIMIT ?6)",
        params![now, decided[0], decided[1], decided[2], before, limit],
    )?;
    conn.execute(
        "DELETE FROM documents WHERE draft_id IN
            (SELECT draft_id FROM cases WHERE documents_deleted_at = ?1)",
        [now],
    )?;
    Ok(marked)
}
