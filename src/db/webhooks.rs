//! The `webhook_deliveries` table: events for client systems' webhooks, queued
//! in the transaction that causes them (through the [`Outbox`], so the delivery
//! worker is woken) and sent by the outbox's worker with its retries.
use r2d2_sqlite::rusqlite::{params, Connection, Row};

use super::outbox::{Outbox, Status};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

/// Queues `body` (a JSON event of kind `event`) for every active client with a
/// webhook address.
pub fn enqueue(outbox: &Outbox, event: &str, body: &str, now: i64) -> Result<()> {
    outbox.execute(
        "INSERT INTO webhook_deliveries (client_id, event, body, next_attempt_at, created_at)
         SELECT id, ?1, ?2, ?3, ?3 FROM api_clients
         WHERE webhook_url IS NOT NULL AND revoked_at IS NULL",
        params![event, body, now],
    )?;
    Ok(())
}

/// A delivery due to be tried, with where it goes.
#[derive(Clone, Debug)]
pub struct Due {
    pub id: i64,
    pub url: String,
    pub secret_salt: String,
    pub body: String,
    pub attempts: i64,
}

/// Deliveries whose time has come, oldest first.
pub fn due(conn: &Connection, now: i64, limit: i64) -> Result<Vec<Due>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.id, c.webhook_url, c.secret_salt, w.body, w.attempts
         FROM webhook_deliveries w JOIN api_clients c ON c.id = w.client_id
         WHERE w.status = 'queued' AND w.next_attempt_at <= ?1 AND c.webhook_url IS NOT NULL
           AND c.revoked_at IS NULL
         ORDER BY w.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit], |r| {
        Ok(Due {
            id: r.get(0)?,
            url: r.get(1)?,
            secret_salt: r.get(2)?,
            body: r.get(3)?,
            attempts: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Deletes up to `limit` deliveries queued before `before`, whatever their status
/// (oldest first: ids follow the order they were queued).
pub fn purge(conn: &Connection, before: i64, limit: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM webhook_deliveries WHERE id IN
            (SELECT id FROM webhook_deliveries WHERE created_at < ?1 ORDER BY id LIMIT ?2)",
        params![before, limit],
    )
}

pub fn mark_sent(conn: &Connection, id: i64, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE webhook_deliveries SET status = 'sent', sent_at = ?2, attempts = attempts + 1,
            last_error = NULL WHERE id = ?1 AND status = 'queued'",
        params![id, now],
    )?;
    Ok(())
}

/// Records a failed attempt; retried at `retry_at`, or failed for good when None.
pub fn mark_attempt_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<()> {
    conn.execute(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?2,
            status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'queued' END,
            next_attempt_at = COALESCE(?3, next_attempt_at)
         WHERE id = ?1 AND status = 'queued'",
        params![id, error, retry_at],
    )?;
    Ok(())
}

/// Fails the queued deliveries of the clients named `name` (just revoked): the
/// system no longer receives events, and the page says why they stopped.
pub fn cancel_for(conn: &Connection, name: &str) -> Result<usize> {
    conn.execute(
        "UPDATE webhook_deliveries SET status = 'failed', last_error = 'client revoked'
         WHERE status = 'queued' AND client_id IN (SELECT id FROM api_clients WHERE name = ?1)",
        [name],
    )
}

/// A delivery as administrators see it.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i64,
    pub client: String,
    pub event: String,
    pub status: Status,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
}

impl Delivery {
    pub fn status_str(&self) -> &'static str {
        match self.status {
            Status::Queued => "queued",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }
}

fn delivery(r: &Row) -> Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        client: r.get(1)?,
        event: r.get(2)?,
        status: Status::from_column(r.get_ref(3)?.as_str()?),
        attempts: r.get(4)?,
        last_error: r.get(5)?,
        created_at: r.get(6)?,
        next_attempt_at: r.get(7)?,
        sent_at: r.get(8)?,
    })
}

/// The newest deliveries, newest first.
pub fn latest(conn: &Connection, limit: i64) -> Result<Vec<Delivery>> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.id, c.name, w.event, w.status, w.attempts, w.last_error, w.created_at,
                w.next_attempt_at, w.sent_at
         FROM webhook_deliveries w JOIN api_clients c ON c.id = w.client_id
         ORDER BY w.id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], delivery)?;
    rows.collect()
}
