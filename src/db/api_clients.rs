//! The `api_clients` table: client systems of the integration API, each with a
//! hashed bearer token and, optionally, a webhook address.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

#[derive(Clone, Debug)]
pub struct Client {
    pub id: i64,
    pub name: String,
    pub webhook_url: Option<String>,
    /// What the webhook secret is derived from (with the installation key).
    pub secret_salt: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, name, webhook_url, secret_salt, created_at, revoked_at";

fn from_row(r: &Row) -> Result<Client> {
    Ok(Client {
        id: r.get(0)?,
        name: r.get(1)?,
        webhook_url: r.get(2)?,
        secret_salt: r.get(3)?,
        created_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

pub struct NewClient<'a> {
    pub name: &'a str,
    pub token_hash: &'a [u8],
    pub webhook_url: Option<&'a str>,
    pub secret_salt: &'a str,
}

/// Adds a client; None when an active client already has the name.
pub fn insert(conn: &Connection, c: &NewClient, now: i64) -> Result<Option<i64>> {
    let inserted = conn.execute(
        "INSERT INTO api_clients (name, token_hash, webhook_url, secret_salt, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![c.name, c.token_hash, c.webhook_url, c.secret_salt, now],
    );
    match inserted {
        Ok(_) => Ok(Some(conn.last_insert_rowid())),
        Err(e) if super::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every client, revoked ones too, by name.
pub fn list(conn: &Connection) -> Result<Vec<Client>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM api_clients ORDER BY name, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    rows.collect()
}

/// Revokes the active client `name`: its token stops working and no more
/// events are queued for it. False: no such active client.
pub fn revoke(conn: &Connection, name: &str, now: i64) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE api_clients SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name, now],
    )?;
    Ok(changed == 1)
}

/// The active client whose token has this hash. The lookup is by the hash of a
/// 256-bit token, so its timing says nothing about the token.
pub fn by_token_hash(conn: &Connection, hash: &[u8]) -> Result<Option<Client>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM api_clients WHERE token_hash = ?1 AND revoked_at IS NULL"
    ))?
    .query_row([hash], from_row)
    .optional()
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Client>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_clients WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// The active clients with a webhook address: the receivers of every event.
pub fn with_webhook(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM api_clients WHERE webhook_url IS NOT NULL AND revoked_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}
