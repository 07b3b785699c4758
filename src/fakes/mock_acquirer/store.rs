//! The built-in mock acquirer's book (`mock_acquirer_payments`): what a real
//! provider would keep on its side. No card number and no CVC.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::payment::{Outcome, PaymentState};
use crate::domain::Lang;
use crate::fakes::mock_acquirer::card::Scenario;

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct MockPayment {
    pub id: String,
    pub amount: i64,
    pub description: String,
    pub return_url: String,
    pub lang: Lang,
    pub state: PaymentState,
    pub outcome: Option<Outcome>,
    pub scenario: Option<Scenario>,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub created_at: i64,
    /// How much has gone back to the card, in öre.
    pub refunded: i64,
}

const COLUMNS: &str =
    "id, amount, description, return_url, lang, state, outcome, scenario, brand, last4, created_at, refunded";

fn from_row(r: &Row) -> Result<MockPayment> {
    Ok(MockPayment {
        id: r.get(0)?,
        amount: r.get(1)?,
        description: r.get(2)?,
        return_url: r.get(3)?,
        lang: Lang::parse(&r.get::<_, String>(4)?).unwrap_or(Lang::Sv),
        state: PaymentState::parse(&r.get::<_, String>(5)?).unwrap_or(PaymentState::Error),
        outcome: r
            .get::<_, Option<String>>(6)?
            .and_then(|o| Outcome::parse(&o)),
        scenario: r
            .get::<_, Option<String>>(7)?
            .and_then(|s| Scenario::parse(&s)),
        brand: r.get(8)?,
        last4: r.get(9)?,
        created_at: r.get(10)?,
        refunded: r.get(11)?,
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<MockPayment>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM mock_acquirer_payments WHERE id = ?1"
    ))?
    .query_row([id], from_row)
    .optional()
}

pub fn by_idempotency_key(conn: &Connection, key: &str) -> Result<Option<MockPayment>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM mock_acquirer_payments WHERE idempotency_key = ?1"
    ))?
    .query_row([key], from_row)
    .optional()
}

pub struct NewMockPayment<'a> {
    pub id: &'a str,
    pub idempotency_key: &'a str,
    pub amount: i64,
    pub description: &'a str,
    pub return_url: &'a str,
    pub lang: Lang,
}

pub fn insert(conn: &Connection, p: &NewMockPayment, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO mock_acquirer_payments (id, idempotency_key, amount, description, return_url, lang, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'created', ?7, ?7)",
        params![p.id, p.idempotency_key, p.amount, p.description, p.return_url, p.lang.code(), now],
    )?;
    Ok(())
}

/// Moves a payment on, if it is still in `from`; true if it moved.
pub struct Step<'a> {
    pub state: PaymentState,
    pub outcome: Option<Outcome>,
    pub scenario: Option<Scenario>,
    pub card: Option<(&'a str, &'a str)>,
}

pub fn step(
    conn: &Connection,
    id: &str,
    from: &[PaymentState],
    to: &Step,
    now: i64,
) -> Result<bool> {
    let current = get(conn, id)?;
    let Some(current) = current.filter(|c| from.contains(&c.state)) else {
        return Ok(false);
    };
    conn.execute(
        "UPDATE mock_acquirer_payments
         SET state = ?2, outcome = ?3, scenario = COALESCE(?4, scenario),
             brand = COALESCE(?5, brand), last4 = COALESCE(?6, last4), updated_at = ?7
         WHERE id = ?1 AND state = ?8",
        params![
            id,
            to.state.as_str(),
            to.outcome.map(Outcome::as_str),
            to.scenario.map(Scenario::as_str),
            to.card.map(|c| c.0),
            to.card.map(|c| c.1),
            now,
            current.state.as_str()
        ],
    )
    .map(|n| n == 1)
}

/// Counts a wrong 3-D Secure code on a payment waiting for one; returns the
/// wrong codes given so far.
pub fn miss(conn: &Connection, id: &str, now: i64) -> Result<i64> {
    conn.query_row(
        "UPDATE mock_acquirer_payments SET challenge_misses = challenge_misses + 1, updated_at = ?2
         WHERE id = ?1 RETURNING challenge_misses",
        params![id, now],
        |r| r.get(0),
    )
}

/// Gives `amount` more of a successful payment back; false if that would refund
/// more than was paid or the payment did not succeed.
pub fn refund(conn: &Connection, id: &str, amount: i64, now: i64) -> Result<bool> {
    conn.execute(
        "UPDATE mock_acquirer_payments SET refunded = refunded + ?2, updated_at = ?3
         WHERE id = ?1 AND state = 'success' AND ?2 > 0 AND refunded + ?2 <= amount",
        params![id, amount, now],
    )
    .map(|n| n == 1)
}
