//! The `audit_log` table: who did what to whom, when and from where.
use r2d2_sqlite::rusqlite::{params, Connection};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

/// Who acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    Staff,
    Applicant,
    /// Someone not logged in (a failed login names the address tried).
    Anonymous,
    System,
    /// A municipality's or region's staff member, by professional e-ID.
    Partner,
    /// A client system of the integration API, by its name.
    ApiClient,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::Applicant => "applicant",
            ActorKind::Anonymous => "anonymous",
            ActorKind::System => "system",
            ActorKind::Partner => "partner",
            ActorKind::ApiClient => "api_client",
        }
    }
}

/// One entry. `detail` holds plain facts only, never a secret.
pub struct Entry<'a> {
    pub actor_kind: ActorKind,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(actor_kind: ActorKind, actor: &'a str, action: &'a str) -> Self {
        Entry {
            actor_kind,
            actor,
            action,
            target: None,
            ip: None,
            detail: None,
        }
    }

    pub fn target(mut self, target: &'a str) -> Self {
        self.target = Some(target);
        self
    }

    pub fn ip(mut self, ip: &'a str) -> Self {
        self.ip = Some(ip);
        self
    }

    pub fn detail(mut self, detail: &'a str) -> Self {
        self.detail = Some(detail);
        self
    }

    pub fn record(&self, conn: &Connection, now: i64) -> Result<()> {
        conn.execute(
            "INSERT INTO audit_log (at, actor_kind, actor, action, target, ip, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![now, self.actor_kind.as_str(), self.actor, self.action, self.target, self.ip, self.detail],
        )?;
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub at: i64,
    pub actor_kind: String,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// A page of entries, newest first, optionally only one action and/or entries
/// whose actor or target contains `who`. Returns one more than `limit` when there is a next page.
pub fn page(
    conn: &Connection,
    action: Option<&str>,
    who: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Logged>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor_kind, actor, action, target, ip, detail FROM audit_log
         WHERE (?1 IS NULL OR action = ?1)
           AND (?2 IS NULL OR instr(lower(actor), lower(?2)) > 0 OR instr(lower(COALESCE(target, '')), lower(?2)) > 0)
         ORDER BY at DESC, id DESC LIMIT ?3 OFFSET ?4",
    )?;
    let rows = stmt.query_map(params![action, who, limit + 1, offset], |r| {
        Ok(Logged {
            at: r.get(0)?,
            actor_kind: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            ip: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// Deletes up to `limit` entries made before `before`, oldest first (the
/// retention of the cleanup job).
pub fn purge(conn: &Connection, before: i64, limit: i64) -> Result<usize> {
    conn.execute(
        "DELETE FROM audit_log WHERE id IN
            (SELECT id FROM audit_log WHERE at < ?1 ORDER BY at LIMIT ?2)",
        params![before, limit],
    )
}
