//! The `draft_signatures` table: an application approved by signing it with
//! e-identification, and the proof the service gave.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

/// A signed approval, as stored with the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The e-identification method (`bankid`, `mobile_bankid`).
    pub method: String,
    /// 12 digits.
    pub personal_number: String,
    pub name: String,
    pub signed_at: i64,
    /// The text the person saw in the app and signed.
    pub visible_text: String,
    /// SHA-256 (hex) of the answers the text names.
    pub answers_hash: String,
    /// The service's signature (base64 XML) and OCSP response (base64).
    pub signature: String,
    pub ocsp_response: Option<String>,
}

pub fn insert(tx: &Connection, draft_id: i64, s: &Signature) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO draft_signatures (draft_id, method, personal_number, name, signed_at, visible_text, answers_hash, signature, ocsp_response)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        draft_id,
        s.method,
        s.personal_number,
        s.name,
        s.signed_at,
        s.visible_text,
        s.answers_hash,
        s.signature,
        s.ocsp_response
    ])?;
    Ok(())
}

pub fn of_draft(conn: &Connection, draft_id: i64) -> Result<Option<Signature>> {
    conn.prepare_cached(
        "SELECT method, personal_number, name, signed_at, visible_text, answers_hash, signature, ocsp_response
         FROM draft_signatures WHERE draft_id = ?1",
    )?
    .query_row([draft_id], |r| {
        Ok(Signature {
            method: r.get(0)?,
            personal_number: r.get(1)?,
            name: r.get(2)?,
            signed_at: r.get(3)?,
            visible_text: r.get(4)?,
            answers_hash: r.get(5)?,
            signature: r.get(6)?,
            ocsp_response: r.get(7)?,
        })
    })
    .optional()
}
