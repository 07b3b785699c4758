//! The one source of time. Production uses the system clock; tests use a
//! settable clock so time-dependent rules are tested without sleeping.
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// UTC unix seconds.
pub type Instant = i64;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock that stands still until moved with [`Clock::set`] or [`Clock::advance`].
    pub fn manual(start: Instant) -> Self {
        Self {
            manual: Some(Arc::new(AtomicI64::new(start))),
        }
    }

    pub fn now(&self) -> Instant {
        match &self.manual {
            Some(t) => t.load(Ordering::SeqCst),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default(),
        }
    }

    /// Moves a manual clock; does nothing to the system clock.
    pub fn advance(&self, seconds: i64) {
        if let Some(t) = &self.manual {
            t.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    pub fn set(&self, at: Instant) {
        if let Some(t) = &self.manual {
            t.store(at, Ordering::SeqCst);
        }
    }
}
