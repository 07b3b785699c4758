//! The counts an operator watches (Prometheus gauges), read when scraped. Each
//! is one cheap query: a count by an indexed column or over a small table.
use r2d2_sqlite::rusqlite::{params, Connection, Result};

use crate::domain::rules::{SESSION_ABSOLUTE, SESSION_IDLE};
use crate::metrics::Counts;

fn grouped(conn: &Connection, sql: &str) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn counts(conn: &Connection, now: i64) -> Result<Counts> {
    let oldest: Option<i64> = conn.query_row(
        "SELECT min(created_at) FROM outbox WHERE status = 'queued'",
        [],
        |r| r.get(0),
    )?;
    let page_count: i64 = conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
    Ok(Counts {
        outbox: grouped(conn, "SELECT status, count(*) FROM outbox GROUP BY status")?,
        oldest_queued_age: oldest.map_or(0, |at| (now - at).max(0)),
        sessions_live: conn.query_row(
            "SELECT count(*) FROM sessions
             WHERE stage = 'authenticated' AND last_seen_at > ?1 AND created_at > ?2",
            params![now - SESSION_IDLE, now - SESSION_ABSOLUTE],
            |r| r.get(0),
        )?,
        drafts: conn.query_row(
            "SELECT count(*) FROM drafts WHERE approved_at IS NULL",
            [],
            |r| r.get(0),
        )?,
        cases: grouped(conn, "SELECT status, count(*) FROM cases GROUP BY status")?,
        payments: grouped(conn, "SELECT state, count(*) FROM payments GROUP BY state")?,
        database_bytes: page_count * page_size,
        accounts_locked: conn.query_row(
            "SELECT count(*) FROM accounts WHERE failed_logins >= ?1",
            [crate::domain::rules::LOGIN_LOCK_AFTER],
            |r| r.get(0),
        )?,
        // Not the database's: the caller fills in the process's own.
        ..Counts::default()
    })
}
