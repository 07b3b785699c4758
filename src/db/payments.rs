//! The `payments` table: one row per attempt to pay an application's fee.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use super::Reader;
use crate::domain::payment::{Outcome, PaymentState};
use crate::domain::AccountId;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct Payment {
    pub id: i64,
    pub reference: String,
    pub draft_id: i64,
    pub attempt: i64,
    pub idempotency_key: String,
    pub gateway_id: Option<String>,
    pub next_url: Option<String>,
    pub amount: i64,
    pub state: PaymentState,
    pub outcome: Option<Outcome>,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// When the provider confirmed a refund of a charge the portal did not accept.
    pub refunded_at: Option<i64>,
}

const COLUMNS: &str = "p.id, p.reference, p.draft_id, p.attempt, p.idempotency_key, p.gateway_id, p.next_url, p.amount, p.state, p.outcome, p.brand, p.last4, p.created_at, p.finished_at, p.refunded_at";

fn from_row(r: &Row) -> Result<Payment> {
    Ok(Payment {
        id: r.get(0)?,
        reference: r.get(1)?,
        draft_id: r.get(2)?,
        attempt: r.get(3)?,
        idempotency_key: r.get(4)?,
        gateway_id: r.get(5)?,
        next_url: r.get(6)?,
        amount: r.get(7)?,
        state: PaymentState::parse(&r.get::<_, String>(8)?).unwrap_or(PaymentState::Error),
        outcome: r
            .get::<_, Option<String>>(9)?
            .and_then(|o| Outcome::parse(&o)),
        brand: r.get(10)?,
        last4: r.get(11)?,
        created_at: r.get(12)?,
        finished_at: r.get(13)?,
        refunded_at: r.get(14)?,
    })
}

/// The attempts for a draft, newest first.
pub fn for_draft(conn: &Connection, draft: i64) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments p WHERE p.draft_id = ?1 ORDER BY p.attempt DESC"
    ))?;
    let rows = stmt.query_map([draft], from_row)?;
    rows.collect()
}

/// A payment by its public reference, if it is for one of `account`'s drafts.
pub fn owned(conn: &Connection, reference: &str, account: AccountId) -> Result<Option<Payment>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments p JOIN drafts d ON d.id = p.draft_id
         WHERE p.reference = ?1 AND d.account_id = ?2"
    ))?
    .query_row(params![reference, account.0], from_row)
    .optional()
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Payment>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM payments p WHERE p.id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

pub struct NewPayment<'a> {
    pub reference: &'a str,
    pub draft_id: i64,
    pub attempt: i64,
    pub idempotency_key: &'a str,
    pub amount: i64,
}

pub fn insert(conn: &Connection, p: &NewPayment, now: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO payments (reference, draft_id, attempt, idempotency_key, amount, state, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'created', ?6)",
        params![p.reference, p.draft_id, p.attempt, p.idempotency_key, p.amount, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records the provider's id and page once it has created the payment.
pub fn started(conn: &Connection, id: i64, gateway_id: &str, next_url: &str) -> Result<()> {
    conn.execute(
        "UPDATE payments SET gateway_id = ?2, next_url = ?3, state = 'started'
         WHERE id = ?1 AND state = 'created'",
        params![id, gateway_id, next_url],
    )?;
    Ok(())
}

/// Moves an unfinished payment to a state the provider reported; a finished one
/// never changes again. True if this call changed it.
pub fn settle(
    conn: &Connection,
    id: i64,
    state: PaymentState,
    outcome: Option<Outcome>,
    card: Option<(&str, &str)>,
    now: i64,
) -> Result<bool> {
    let finished = state.is_final().then_some(now);
    let changed = conn.execute(
        "UPDATE payments SET state = ?2, outcome = ?3, brand = ?4, last4 = ?5, finished_at = ?6
         WHERE id = ?1 AND state IN ('created', 'started', 'three_ds_required')",
        params![
            id,
            state.as_str(),
            outcome.map(Outcome::as_str),
            card.map(|c| c.0),
            card.map(|c| c.1),
            finished
        ],
    )?;
    Ok(changed == 1)
}

/// Unfinished attempts started at the provider before `before`, with the account
/// whose application they pay for: the ones to ask the provider about. A random
/// `limit` of them, so attempts the provider keeps failing on cannot starve the rest.
pub fn unfinished_before(
    conn: &Connection,
    before: i64,
    limit: i64,
) -> Result<Vec<(Payment, AccountId, String)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, d.account_id, d.form_id FROM payments p JOIN drafts d ON d.id = p.draft_id
         WHERE p.state IN ('started', 'three_ds_required') AND p.gateway_id IS NOT NULL
           AND p.created_at < ?1 AND d.account_id IS NOT NULL
         ORDER BY random() LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![before, limit], |r| {
        Ok((from_row(r)?, AccountId(r.get(15)?), r.get(16)?))
    })?;
    rows.collect()
}

/// Charges the portal refused (a second success, another amount) that have not
/// been refunded yet, finished after `since`.
pub fn awaiting_refund(conn: &Connection, since: i64, limit: i64) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments p
         WHERE p.outcome IN ('duplicate', 'mismatch') AND p.refunded_at IS NULL
           AND p.gateway_id IS NOT NULL AND p.finished_at >= ?1
         ORDER BY p.finished_at LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![since, limit], from_row)?;
    rows.collect()
}

/// Records that the provider confirmed the refund of a refused charge.
pub fn refunded(conn: &Connection, id: i64, now: i64) -> Result<bool> {
    conn.execute(
        "UPDATE payments SET refunded_at = ?2 WHERE id = ?1 AND refunded_at IS NULL",
        params![id, now],
    )
    .map(|n| n == 1)
}

/// A successful payment with what a receipt shows, for one of `account`'s cases.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub payment_reference: String,
    pub verification: String,
    pub form_id: String,
    pub amount: i64,
    pub paid_at: i64,
    pub brand: String,
    pub last4: String,
    /// The applicant the fee was paid for, as the case names them.
    pub payer: String,
}

const RECEIPT_COLUMNS: &str = "p.reference, c.verification, c.form_id, p.amount, p.finished_at, p.brand, p.last4, c.applicant_name";

fn receipt_from_row(r: &Row) -> Result<Receipt> {
    Ok(Receipt {
        payment_reference: r.get(0)?,
        verification: r.get(1)?,
        form_id: r.get(2)?,
        amount: r.get(3)?,
        paid_at: r.get(4)?,
        brand: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        last4: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        payer: r.get(7)?,
    })
}

pub fn receipt(conn: &Connection, reference: &str, reader: &Reader) -> Result<Option<Receipt>> {
    let (condition, who) = match reader {
        Reader::Account(a) => ("c.account_id = ?2", a.0.to_string()),
        Reader::Applicant(pin) => ("c.applicant_pin = ?2", pin.clone()),
    };
    conn.prepare_cached(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM payments p JOIN cases c ON c.payment_id = p.id
         WHERE p.reference = ?1 AND {condition}"
    ))?
    .query_row(params![reference, who], receipt_from_row)
    .optional()
}

/// The receipts of the cases whose applicant has this personal identity number.
pub fn receipts_of_applicant(conn: &Connection, pin: &str) -> Result<Vec<Receipt>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM payments p JOIN cases c ON c.payment_id = p.id
         WHERE c.applicant_pin = ?1 ORDER BY p.finished_at DESC, p.id DESC"
    ))?;
    let rows = stmt.query_map([pin], receipt_from_row)?;
    rows.collect()
}

pub fn receipts(conn: &Connection, account: AccountId) -> Result<Vec<Receipt>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECEIPT_COLUMNS} FROM payments p JOIN cases c ON c.payment_id = p.id
         WHERE c.account_id = ?1 ORDER BY p.finished_at DESC, p.id DESC"
    ))?;
    let rows = stmt.query_map([account.0], receipt_from_row)?;
    rows.collect()
}
