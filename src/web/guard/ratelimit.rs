//! Per-IP limits in fixed windows, kept in memory (one process serves the portal).
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use crate::error::AppError;

/// Entries kept before old windows are swept.
const MAX_ENTRIES: usize = 100_000;

/// (window start, requests counted in it)
type Window = (i64, u32);

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<(&'static str, IpAddr), Window>>,
}

impl RateLimiter {
    /// Counts one request of `kind` from `ip`; refuses past `limit` within `window` seconds.
    pub fn check(
        &self,
        kind: &'static str,
        (limit, window): (u32, i64),
        ip: IpAddr,
        now: i64,
    ) -> Result<(), AppError> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_ENTRIES {
            buckets.retain(|_, (start, _)| now - *start < window);
        }
        let entry = buckets.entry((kind, ip)).or_insert((now, 0));
        if now - entry.0 >= window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > limit {
            tracing::warn!(kind, %ip, "rate limit reached");
            return Err(AppError::TooManyRequests);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_kind_and_ip_and_window() {
        let l = RateLimiter::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            l.check("login", (3, 60), a, 0).unwrap();
        }
        assert!(l.check("login", (3, 60), a, 59).is_err());
        l.check("login", (3, 60), b, 59).unwrap();
        l.check("reset", (3, 60), a, 59).unwrap();
        l.check("login", (3, 60), a, 60).unwrap();
    }
}
