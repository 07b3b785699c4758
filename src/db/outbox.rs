//! The `outbox` table: every email and SMS, queued in the transaction that causes it.
use std::ops::Deref;

use r2d2_sqlite::rusqlite::{params, Connection, Row, Transaction};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    fn from_column(s: &str) -> Channel {
        if s == "sms" {
            Channel::Sms
        } else {
            Channel::Email
        }
    }
}

/// A write transaction that may queue messages. Only
/// `outbound::notify::Delivery::write_and_send` opens one, and it wakes the
/// delivery worker once the transaction has committed: a message can only be
/// queued where its wake cannot be forgotten. It is the transaction for every
/// other statement too.
pub struct Outbox<'t, 'c> {
    tx: &'t Transaction<'c>,
}

impl<'t, 'c> Outbox<'t, 'c> {
    /// For `Delivery::write_and_send` alone (the structure test checks it).
    pub(crate) fn within(tx: &'t Transaction<'c>) -> Self {
        Outbox { tx }
    }
}

impl<'c> Deref for Outbox<'_, 'c> {
    type Target = Transaction<'c>;

    fn deref(&self) -> &Transaction<'c> {
        self.tx
    }
}

/// A message ready to queue.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// The body holds a code or a link that works as one: it is erased when the
    /// message fails for good, so only other messages can be resent.
    pub holds_secret: bool,
}

impl Outgoing {
    pub fn holding_secret(self) -> Outgoing {
        Outgoing {
            holds_secret: true,
            ..self
        }
    }
}

#[derive(Clone, Debug)]
pub struct Queued {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, channel, recipient, subject, body_text, body_html, status, attempts, last_error, created_at";

fn from_row(r: &Row) -> Result<Queued> {
    Ok(Queued {
        id: r.get(0)?,
        channel: Channel::from_column(&r.get::<_, String>(1)?),
        recipient: r.get(2)?,
        subject: r.get(3)?,
        text: r.get(4)?,
        html: r.get(5)?,
        status: r.get(6)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        created_at: r.get(9)?,
    })
}

pub fn enqueue(outbox: &Outbox, m: &Outgoing, now: i64) -> Result<()> {
    outbox.tx.execute(
        "INSERT INTO outbox (channel, recipient, subject, body_text, body_html, next_attempt_at, created_at, holds_secret)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
        params![m.channel.as_str(), m.recipient, m.subject, m.text, m.html, now, m.holds_secret],
    )?;
    Ok(())
}

/// Queued messages whose time has come, oldest first.
pub fn due(conn: &Connection, now: i64, limit: i64) -> Result<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![now, limit], from_row)?;
    rows.collect()
}

/// Marks a message sent. With `scrub`, its bodies (which may hold a code) are erased.
pub fn mark_sent(conn: &Connection, id: i64, now: i64, scrub: bool) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL,
            body_text = CASE WHEN ?3 THEN '' ELSE body_text END,
            body_html = CASE WHEN ?3 THEN NULL ELSE body_html END
         WHERE id = ?1",
        params![id, now, scrub],
    )?;
    Ok(())
}

/// Records a failed attempt; the message is retried at `retry_at`, or marked failed
/// when that is None. With `scrub`, a message failed for good that holds a code
/// loses its bodies as a sent one does; other bodies stay for support to resend,
/// and the recipient and error stay for support to read.
pub fn mark_attempt_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
    scrub: bool,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
            status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'queued' END,
            next_attempt_at = COALESCE(?3, next_attempt_at),
            body_text = CASE WHEN ?3 IS NULL AND ?4 AND holds_secret THEN '' ELSE body_text END,
            body_html = CASE WHEN ?3 IS NULL AND ?4 AND holds_secret THEN NULL ELSE body_html END
         WHERE id = ?1",
        params![id, error, retry_at, scrub],
    )?;
    Ok(())
}

/// Deletes up to `limit` messages queued before `before`, whatever their status.
/// Ids follow the order messages were queued, so a batch finds the oldest first.
pub fn purge(conn: &Connection, before: i64, limit: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM outbox WHERE id IN
            (SELECT id FROM outbox WHERE created_at < ?1 ORDER BY id LIMIT ?2)",
        params![before, limit],
    )
}

/// The newest messages, for the dev mailbox.
pub fn latest(conn: &Connection, limit: i64) -> Result<Vec<Queued>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], from_row)?;
    rows.collect()
}

/// Where a message stands in its delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Queued,
    Sent,
    /// Every attempt failed; nothing more is tried unless support resends it.
    Failed,
}

impl Status {
    pub(crate) fn from_column(s: &str) -> Status {
        match s {
            "sent" => Status::Sent,
            "failed" => Status::Failed,
            _ => Status::Queued,
        }
    }
}

/// A message's delivery as support sees it: never its body, which may hold a code.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub status: Status,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The body was erased after its last attempt, so it cannot be sent again.
    pub erased: bool,
}

/// The messages to an account's email address and phone number, newest first.
pub fn to_recipients(
    conn: &Connection,
    email: &str,
    phone: Option<&str>,
    limit: i64,
) -> Result<Vec<Delivered>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, channel, recipient, subject, status, attempts, last_error, created_at,
                sent_at, body_text = ''
         FROM outbox WHERE recipient IN (?1, ?2) ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![email, phone, limit], |r| {
        Ok(Delivered {
            id: r.get(0)?,
            channel: Channel::from_column(&r.get::<_, String>(1)?),
            recipient: r.get(2)?,
            subject: r.get(3)?,
            status: Status::from_column(&r.get::<_, String>(4)?),
            attempts: r.get(5)?,
            last_error: r.get(6)?,
            created_at: r.get(7)?,
            sent_at: r.get(8)?,
            erased: r.get(9)?,
        })
    })?;
    rows.collect()
}

/// Queues failed message `id` again as if new, when it went to `email` or `phone`
/// and still has its body. False: no such failed message.
pub fn requeue_failed(
    conn: &Connection,
    id: i64,
    email: &str,
    phone: Option<&str>,
    now: i64,
) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE outbox SET status = 'queued', attempts = 0, last_error = NULL, next_attempt_at = ?4
         WHERE id = ?1 AND status = 'failed' AND body_text != '' AND recipient IN (?2, ?3)",
        params![id, email, phone, now],
    )?;
    Ok(changed == 1)
}
