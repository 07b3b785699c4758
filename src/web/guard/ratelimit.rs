//! Per-address limits in fixed windows, kept in memory (one process serves the
//! portal). One table per kind of request; each remembers its windows in the order
//! they opened, so sweeping costs only the windows that have ended, and a table
//! never holds more than [`MAX_ENTRIES`] addresses (the oldest window goes first).
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use crate::domain::client_addr::limit_key;
use crate::error::AppError;

/// Addresses remembered per kind (about 100 bytes each).
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
struct Table {
    /// (window start, requests counted in it)
    windows: HashMap<IpAddr, (i64, u32)>,
    /// Windows in the order they opened: (start, address). A window restarted
    /// later leaves a stale entry here, recognised by its start.
    opened: VecDeque<(i64, IpAddr)>,
}

impl Table {
    /// Forgets the windows that ended by `now`, and the oldest beyond the bound.
    fn sweep(&mut self, window: i64, now: i64) {
        while let Some(&(start, ip)) = self.opened.front() {
            let ended = now - start >= window;
            if !ended && self.windows.len() < MAX_ENTRIES {
                break;
            }
            self.opened.pop_front();
            if self.windows.get(&ip).is_some_and(|(s, _)| *s == start) {
                self.windows.remove(&ip);
            }
        }
    }
}

#[derive(Default)]
pub struct RateLimiter {
    tables: Mutex<HashMap<&'static str, Table>>,
}

impl RateLimiter {
    /// Counts one request of `kind` from `ip` (an IPv6 address by its /64); refuses
    /// past `limit` within `window` seconds, saying how long until the window ends.
    pub fn check(
        &self,
        kind: &'static str,
        (limit, window): (u32, i64),
        ip: IpAddr,
        now: i64,
    ) -> Result<(), AppError> {
        let key = limit_key(ip);
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let table = tables.entry(kind).or_default();
        table.sweep(window, now);
        let entry = table.windows.entry(key).or_insert((now, 0));
        if entry.1 == 0 || now - entry.0 >= window {
            *entry = (now, 0);
            table.opened.push_back((now, key));
        }
        entry.1 += 1;
        if entry.1 > limit {
            let wait = (entry.0 + window - now).max(1);
            tracing::warn!(kind, ip = %key, "rate limit reached");
            return Err(AppError::TooManyRequests { retry_after: wait });
        }
        Ok(())
    }

    /// How many addresses the table of `kind` remembers.
    pub fn remembered(&self, kind: &'static str) -> usize {
        let tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        tables.get(kind).map_or(0, |t| t.windows.len())
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

    #[test]
    fn the_refusal_says_how_long_to_wait() {
        let l = RateLimiter::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        l.check("login", (1, 600), a, 100).unwrap();
        match l.check("login", (1, 600), a, 250) {
            Err(AppError::TooManyRequests { retry_after }) => assert_eq!(retry_after, 450),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn one_ipv6_64_shares_a_window() {
        let l = RateLimiter::default();
        l.check("login", (1, 60), "2001:db8::1".parse().unwrap(), 0)
            .unwrap();
        assert!(l
            .check("login", (1, 60), "2001:db8::ffff".parse().unwrap(), 1)
            .is_err());
        l.check("login", (1, 60), "2001:db8:0:1::1".parse().unwrap(), 1)
            .unwrap();
    }

    #[test]
    fn memory_is_bounded_and_ended_windows_are_forgotten() {
        let l = RateLimiter::default();
        for i in 0..(MAX_ENTRIES as u32 + 10) {
            l.check("login", (5, 60), IpAddr::from(i.to_be_bytes()), 0)
                .unwrap();
        }
        assert!(l.remembered("login") <= MAX_ENTRIES);
        l.check("login", (5, 60), "10.0.0.1".parse().unwrap(), 61)
            .unwrap();
        assert_eq!(l.remembered("login"), 1, "every ended window was swept");
    }
}
