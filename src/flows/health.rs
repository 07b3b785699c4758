//! Whether this process can serve (what the readiness probe asks), and the
//! database's counts for the metrics.
use crate::db::migrate;
use crate::domain::rules::DELIVERY_WORKER_SILENCE;
use crate::error::AppError;
use crate::metrics::Counts;
use crate::state::AppState;

/// Why the process cannot serve, in words for an operator's monitor.
#[derive(Debug, PartialEq, Eq)]
pub enum NotReady {
    /// The database did not answer a query.
    Database,
    /// The database's schema is not the one this binary writes.
    Schema { found: i64, expected: i64 },
    /// The delivery worker has not started, or has not shown a sign of life
    /// within [`DELIVERY_WORKER_SILENCE`].
    DeliveryWorker,
}

impl NotReady {
    pub fn reason(&self) -> String {
        match self {
            NotReady::Database => "database does not answer".into(),
            NotReady::Schema { found, expected } => {
                format!("database schema is version {found}, expected {expected}")
            }
            NotReady::DeliveryWorker => "delivery worker is not running".into(),
        }
    }
}

/// Asks the database a query, compares its schema version and looks at the
/// delivery worker's heartbeat.
pub async fn readiness(state: &AppState) -> Result<(), NotReady> {
    let found = crate::db::quick_read(&state.pool, migrate::schema_version)
        .await
        .map_err(|e| {
            tracing::warn!(error = ?e, "readiness: the database does not answer");
            NotReady::Database
        })?;
    let expected = migrate::version();
    if found != expected {
        return Err(NotReady::Schema { found, expected });
    }
    match state.delivery.heartbeat() {
        Some(at) if state.now() - at <= DELIVERY_WORKER_SILENCE => Ok(()),
        _ => Err(NotReady::DeliveryWorker),
    }
}

/// The database's counts now (outbox, sessions, drafts, cases, payments, size).
pub async fn counts(state: &AppState) -> Result<Counts, AppError> {
    let now = state.now();
    let counts = crate::db::read(&state.pool, move |c| crate::db::stats::counts(c, now)).await?;
    Ok(Counts {
        password_hashing: state.hasher.in_use() as i64,
        password_hashing_shed: state.hasher.shed() as u64,
        ..counts
    })
}
