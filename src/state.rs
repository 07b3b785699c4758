//! What every handler can reach: one value built at start and passed as app data.
use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::secret::Keyring;
use crate::notify::Delivery;
use crate::security::hashing::PasswordHasher;
use crate::security::ratelimit::RateLimiter;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: Pool,
    pub clock: Clock,
    pub keyring: Keyring,
    pub hasher: PasswordHasher,
    pub limiter: Arc<RateLimiter>,
    pub delivery: Delivery,
    /// The application types, checked at start.
    pub forms: Arc<Vec<crate::domain::forms::FormDef>>,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// A cookie's name: with the `__Host-` prefix in production (Secure, path /, no domain).
    pub fn cookie_name(&self, base: &'static str) -> &'static str {
        match (self.settings.is_production(), base) {
            (true, "kansli_session") => "__Host-kansli_session",
            (true, "kansli_csrf") => "__Host-kansli_csrf",
            (true, "kansli_lang") => "__Host-kansli_lang",
            _ => base,
        }
    }
}
