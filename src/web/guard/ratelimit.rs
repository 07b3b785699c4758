//! Limits in fixed windows, per address or per logged-in owner, kept in memory
//! (one process serves the portal). One table per kind of request; each remembers
//! its windows in the order they opened, so sweeping costs only the windows that
//! have ended, and a table never holds more than [`MAX_ENTRIES`] keys (the oldest
//! window goes first).
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use crate::db::drafts::Owner;
use crate::domain::client_addr::limit_key;
use crate::error::AppError;

/// Keys remembered per kind (about 100 bytes each).
pub const MAX_ENTRIES: usize = 100_000;

/// Whom a window counts: a client address (an IPv6 one by its /64), or the
/// account or questionnaire respondent a session is logged in as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Addr(IpAddr),
    Owner(Owner),
    /// A client system of the integration API (its id).
    Client(i64),
}

#[derive(Default)]
struct Table {
    /// (window start, requests counted in it)
    windows: HashMap<Key, (i64, u32)>,
    /// Windows in the order they opened: (start, key). A window restarted
    /// later leaves a stale entry here, recognised by its start.
    opened: VecDeque<(i64, Key)>,
}

impl Table {
    /// Forgets the windows that ended by `now`, and the oldest beyond the bound.
    fn sweep(&mut self, window: i64, now: i64) {
        while let Some(&(start, key)) = self.opened.front() {
            let ended = now - start >= window;
            if !ended && self.windows.len() < MAX_ENTRIES {
                break;
            }
            self.opened.pop_front();
            if self.windows.get(&key).is_some_and(|(s, _)| *s == start) {
                self.windows.remove(&key);
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
        limit: (u32, i64),
        ip: IpAddr,
        now: i64,
    ) -> Result<(), AppError> {
        self.count(kind, limit, Key::Addr(limit_key(ip)), now)
    }

    /// Counts one request of `kind` by `owner`, wherever it comes from; refuses as
    /// [`check`](Self::check) does.
    pub fn check_owner(
        &self,
        kind: &'static str,
        limit: (u32, i64),
        owner: Owner,
        now: i64,
    ) -> Result<(), AppError> {
        self.count(kind, limit, Key::Owner(owner), now)
    }

    /// Counts one request of `kind` by the API client system `client`.
    pub fn check_client(
        &self,
        kind: &'static str,
        limit: (u32, i64),
        client: i64,
        now: i64,
    ) -> Result<(), AppError> {
        self.count(kind, limit, Key::Client(client), now)
    }

    fn count(
        &self,
        kind: &'static str,
        (limit, window): (u32, i64),
        key: Key,
        now: i64,
    ) -> Result<(), AppError> {
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
            tracing::warn!(kind, key = ?key, "rate limit reached");
            return Err(AppError::TooManyRequests { retry_after: wait });
        }
        Ok(())
    }

    /// How many keys the table of `kind` remembers.
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
    fn an_owner_has_its_own_window_wherever_it_comes_from() {
        use crate::domain::AccountId;
        let l = RateLimiter::default();
        let ana = Owner::Account(AccountId(1));
        l.check_owner("upload", (2, 60), ana, 0).unwrap();
        l.check_owner("upload", (2, 60), ana, 1).unwrap();
        assert!(l.check_owner("upload", (2, 60), ana, 2).is_err());
        l.check_owner("upload", (2, 60), Owner::Account(AccountId(2)), 2)
            .unwrap();
        l.check_owner("upload", (2, 60), Owner::Respondent(1), 2)
            .unwrap();
        l.check("upload", (2, 60), "10.0.0.1".parse().unwrap(), 2)
            .unwrap();
        l.check_owner("upload", (2, 60), ana, 60).unwrap();
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
