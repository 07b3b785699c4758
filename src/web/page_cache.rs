//! Rendered pages kept for the session that asked for them, served again while
//! everything they were rendered from is unchanged.
//!
//! An entry belongs to one session (the hash of its id, so it can never be shown to
//! another) and carries the inputs it was rendered from; a lookup with any input
//! different misses. For My Page the inputs include the account's `revision`, which
//! the database's own triggers move on with every change to what the page lists
//! (schema step 10), whoever makes it: a handler, a job, the command line.
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use actix_web::web::Bytes;

use crate::domain::session::SessionView;
use crate::domain::session::{Assurance, Method};
use crate::domain::Lang;
use crate::web::guard::Ctx;
use crate::web::views::components::Notice;

/// At most this much is kept (pages, their keys and [`ENTRY_COST`] each); past it
/// the pages used longest ago go first. Enough for the last few hundred people's My
/// Page (about 5 KB each, 15 KB with 20 cases): a page is kept for a person moving
/// around the portal, not for one who left. It was 32 MiB, emptied when full, and a
/// soak's RSS rose with it for as long as it ran: pages of sessions long gone
/// stayed (issue 21).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// What an entry holds besides its page and key, counted as this much: its inputs
/// (the address with its query, e-mail, phone: a few hundred bytes at most) and its
/// place in the map. So however small the pages, the entries are bounded too.
const ENTRY_COST: usize = 512;

/// When full, pages used longest ago go until this much is held (one sweep makes
/// room for many pages, not one).
const AFTER_SWEEP: usize = MAX_BYTES / 4 * 3;

/// Everything My Page is rendered from besides its session's id (which the cache
/// is keyed by, and from which the page's CSRF token is derived).
#[derive(PartialEq, Debug)]
pub struct MyPageInputs {
    account: Option<i64>,
    revision: i64,
    lang: Lang,
    /// With its query: the language switch links back to it.
    path: String,
    notice: Notice,
    email: Option<String>,
    phone: Option<String>,
    linked_pin: Option<String>,
    method: Method,
    assurance: Assurance,
}

impl MyPageInputs {
    pub fn new(ctx: &Ctx, session: &SessionView, notice: Notice) -> Self {
        MyPageInputs {
            account: session.account_id.map(|a| a.0),
            revision: session.revision,
            lang: ctx.lang(),
            path: ctx.path.clone(),
            notice,
            email: session.email.clone(),
            phone: session.phone.clone(),
            linked_pin: session.account_pin.clone(),
            method: session.method,
            assurance: session.assurance,
        }
    }

    pub fn revision(&self) -> i64 {
        self.revision
    }
}

pub struct PageCache<I> {
    inner: Mutex<Inner<I>>,
}

struct Inner<I> {
    entries: HashMap<Vec<u8>, Entry<I>>,
    /// The sum of the entries' [`Entry::cost`].
    bytes: usize,
    /// Counts lookups and puts: an entry's `used` is the count at its last.
    clock: u64,
}

struct Entry<I> {
    inputs: I,
    page: Bytes,
    used: u64,
}

impl<I> Entry<I> {
    fn cost(&self, key: &[u8]) -> usize {
        cost(key, &self.page)
    }
}

fn cost(key: &[u8], page: &[u8]) -> usize {
    key.len() + page.len() + ENTRY_COST
}

impl<I: PartialEq> Default for PageCache<I> {
    fn default() -> Self {
        PageCache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                bytes: 0,
                clock: 0,
            }),
        }
    }
}

impl<I: PartialEq> PageCache<I> {
    /// The page this session was shown from exactly these inputs, if kept.
    pub fn get(&self, session: &[u8], inputs: &I) -> Option<Bytes> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        match inner.entries.get_mut(session) {
            Some(entry) if entry.inputs == *inputs => {
                entry.used = now;
                Some(entry.page.clone())
            }
            _ => None,
        }
    }

    /// Keeps a page rendered from `inputs`, replacing what the session had.
    pub fn put(&self, session: &[u8], inputs: I, page: Bytes) {
        let mut inner = self.lock();
        inner.remove(session);
        let needed = cost(session, &page);
        if needed > MAX_BYTES {
            return;
        }
        if inner.bytes + needed > MAX_BYTES {
            inner.sweep(AFTER_SWEEP.saturating_sub(needed));
        }
        inner.clock += 1;
        inner.bytes += needed;
        let used = inner.clock;
        inner
            .entries
            .insert(session.to_vec(), Entry { inputs, page, used });
    }

    /// Forgets the session's page (at logout: nothing of it stays in memory).
    pub fn forget(&self, session: &[u8]) {
        self.lock().remove(session);
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<I>> {
        // Nothing that can panic runs between a change to the map and the change to
        // `bytes` that goes with it, so a poisoned lock is still safe to use.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<I> Inner<I> {
    fn remove(&mut self, session: &[u8]) {
        if let Some(old) = self.entries.remove(session) {
            self.bytes -= old.cost(session);
        }
    }

    /// Lets go of the pages used longest ago until at most `keep` bytes are held.
    fn sweep(&mut self, keep: usize) {
        let mut by_use: Vec<(u64, usize)> = self
            .entries
            .iter()
            .map(|(key, e)| (e.used, e.cost(key)))
            .collect();
        by_use.sort_unstable();
        let mut last_gone = None;
        for (used, cost) in by_use {
            if self.bytes <= keep {
                break;
            }
            self.bytes -= cost;
            last_gone = Some(used);
        }
        // Every entry's `used` differs, so this drops exactly those counted above.
        if let Some(last) = last_gone {
            self.entries.retain(|_, e| e.used > last);
        }
    }
}

/// Where a [`Template`] is rendered with this in place of a CSRF token, the
/// visitor's own token goes. (Letters and hyphens only: no escaping changes it.)
pub const CSRF_MARK: &str = "kansli-csrf-token-goes-here";

/// A page that is the same for every visitor but for the CSRF token its forms
/// carry: rendered once with [`CSRF_MARK`] for the token, filled in per request.
pub struct Template {
    parts: Vec<String>,
}

impl Template {
    pub fn new(page: &str) -> Template {
        Template {
            parts: page.split(CSRF_MARK).map(str::to_string).collect(),
        }
    }

    /// The page with `token` in every form.
    pub fn fill(&self, token: &str) -> Bytes {
        let len = self.parts.iter().map(String::len).sum::<usize>()
            + token.len() * (self.parts.len() - 1);
        let mut page = String::with_capacity(len);
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                page.push_str(token);
            }
            page.push_str(part);
        }
        page.into()
    }
}

/// One value per language, made the first time it is asked for.
pub struct PerLanguage<T>([OnceLock<T>; 2]);

impl<T> Default for PerLanguage<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PerLanguage<T> {
    pub const fn new() -> Self {
        PerLanguage([OnceLock::new(), OnceLock::new()])
    }

    pub fn get_or_init(&self, lang: Lang, make: impl FnOnce() -> T) -> &T {
        self.0[match lang {
            Lang::Sv => 0,
            Lang::En => 1,
        }]
        .get_or_init(make)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_served_again_only_to_its_session_with_the_same_inputs() {
        let cache = PageCache::<(i64, &str)>::default();
        cache.put(b"session-a", (7, "sv"), Bytes::from_static(b"<p>a</p>"));
        assert_eq!(
            cache.get(b"session-a", &(7, "sv")).as_deref(),
            Some(&b"<p>a</p>"[..])
        );
        assert!(
            cache.get(b"session-a", &(8, "sv")).is_none(),
            "revision moved on"
        );
        assert!(
            cache.get(b"session-a", &(7, "en")).is_none(),
            "other language"
        );
        assert!(
            cache.get(b"session-b", &(7, "sv")).is_none(),
            "other session"
        );
        cache.put(b"session-a", (8, "sv"), Bytes::from_static(b"<p>new</p>"));
        assert!(cache.get(b"session-a", &(7, "sv")).is_none(), "replaced");
        assert_eq!(cache.len(), 1);
        cache.forget(b"session-a");
        assert!(cache.is_empty());
    }

    #[test]
    fn a_template_puts_the_token_in_every_place_marked() {
        let page = format!("<form>{CSRF_MARK}</form><p>x</p><form>{CSRF_MARK}</form>");
        let template = Template::new(&page);
        assert_eq!(
            template.fill("T0k3n").as_ref(),
            b"<form>T0k3n</form><p>x</p><form>T0k3n</form>"
        );
        assert_eq!(
            Template::new("<p>no forms</p>").fill("T").as_ref(),
            b"<p>no forms</p>"
        );
    }

    #[test]
    fn a_full_cache_lets_go_of_the_pages_used_longest_ago() {
        // People come and go; the one who keeps returning to My Page keeps her page.
        let cache = PageCache::<u8>::default();
        let page = Bytes::from(vec![b'x'; 15 * 1024]);
        cache.put(b"returning", 0, page.clone());
        let mut swept = false;
        for person in 0..10_000u32 {
            let before = cache.len();
            cache.put(&person.to_be_bytes(), 0, page.clone());
            assert!(
                cache.get(b"returning", &0).is_some(),
                "after {person} others"
            );
            let inner = cache.lock();
            assert!(
                inner.bytes <= MAX_BYTES,
                "{} bytes after {person}",
                inner.bytes
            );
            let counted: usize = inner.entries.iter().map(|(k, e)| e.cost(k)).sum();
            assert_eq!(inner.bytes, counted);
            if inner.entries.len() <= before {
                // One sweep makes room for many pages, not for this one alone.
                assert!(
                    inner.bytes <= AFTER_SWEEP,
                    "{} bytes after a sweep",
                    inner.bytes
                );
                swept = true;
            }
        }
        assert!(swept);
        assert!(
            cache.get(&9_999u32.to_be_bytes(), &0).is_some(),
            "the newest"
        );
        assert!(cache.get(&0u32.to_be_bytes(), &0).is_none(), "the oldest");
    }

    #[test]
    fn the_cache_never_holds_more_than_its_limit() {
        let cache = PageCache::<u8>::default();
        let page = Bytes::from(vec![b'x'; MAX_BYTES / 3 + 1]);
        for i in 0..10u8 {
            cache.put(&[i], 0, page.clone());
            let inner = cache.lock();
            assert!(inner.bytes <= MAX_BYTES);
            assert_eq!(
                inner.bytes,
                inner.entries.iter().map(|(k, e)| e.cost(k)).sum::<usize>()
            );
        }
        assert!(cache.get(&[9], &0).is_some(), "the newest page is kept");
        cache.put(&[0], 0, Bytes::from(vec![b'x'; MAX_BYTES + 1]));
        assert!(
            cache.get(&[0], &0).is_none(),
            "a page over the limit is not kept"
        );
    }
}
