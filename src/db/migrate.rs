//! Schema versions, tracked with `PRAGMA user_version`. Step 1 is `schema.sql`;
//! later steps are appended to [`STEPS`] and never edited once released.
use r2d2_sqlite::rusqlite::{Connection, TransactionBehavior};

/// Each entry moves the schema one version forward.
const STEPS: &[&str] = &[include_str!("../../schema.sql")];

/// The schema version this binary writes.
pub const VERSION: i64 = STEPS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database is at schema version {found}, newer than this kansli (version {VERSION}); \
         run a newer kansli or restore a backup"
    )]
    TooNew { found: i64 },
    #[error("schema step {step} failed: {source}")]
    Step {
        step: i64,
        source: r2d2_sqlite::rusqlite::Error,
    },
    #[error(transparent)]
    Sql(#[from] r2d2_sqlite::rusqlite::Error),
}

pub fn current_version(conn: &Connection) -> Result<i64, MigrateError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the schema up to [`VERSION`], each step in its own transaction.
pub fn apply(conn: &mut Connection) -> Result<i64, MigrateError> {
    let found = current_version(conn)?;
    if found > VERSION {
        return Err(MigrateError::TooNew { found });
    }
    for (index, sql) in STEPS.iter().enumerate().skip(found as usize) {
        let step = index as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|source| MigrateError::Step { step, source })?;
        tx.pragma_update(None, "user_version", step)?;
        tx.commit()?;
        tracing::info!(step, "applied schema step");
    }
    Ok(VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_gets_every_step_and_reapplying_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply(&mut conn).unwrap(), VERSION);
        assert_eq!(current_version(&conn).unwrap(), VERSION);
        assert_eq!(apply(&mut conn).unwrap(), VERSION);
    }

    #[test]
    fn newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let err = apply(&mut conn).unwrap_err();
        assert!(err.to_string().contains("newer than this kansli"), "{err}");
    }
}
