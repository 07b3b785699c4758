//! What every handler can reach: one value built at start and passed as app data.
use std::sync::Arc;

use r2d2_sqlite::rusqlite::Transaction;

use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::secret::Keyring;
use crate::error::AppError;
use crate::hashing::PasswordHasher;
use crate::outbound::notify::Delivery;
use crate::settings::Settings;
use crate::web::guard::middleware::CookieName;
use crate::web::guard::ratelimit::RateLimiter;

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
    /// The card payment provider: the built-in mock acquirer unless one is configured.
    pub gateway: Arc<dyn crate::outbound::payment::PaymentGateway>,
    /// E-identification: the services offered and the orders in progress.
    pub eid: Arc<crate::outbound::eid::orders::Eid>,
    /// My Page as last rendered for each session, while nothing it shows has changed.
    pub my_page: Arc<crate::web::page_cache::PageCache<crate::web::page_cache::MyPageInputs>>,
    /// The login page as every visitor without a session first sees it.
    pub login_page: Arc<crate::web::page_cache::PerLanguage<crate::web::page_cache::Template>>,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// A write that may queue messages in the outbox ([`crate::db::write`]); once it
    /// has committed, the delivery worker is woken to send them.
    pub async fn write_and_send<T, E, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + From<crate::db::SqlError> + Send + 'static,
        F: FnOnce(&Transaction) -> Result<T, E> + Send + 'static,
    {
        let value = crate::db::write(&self.pool, f).await?;
        self.delivery.wake();
        Ok(value)
    }

    /// A cookie's name in this mode.
    pub fn cookie_name(&self, name: CookieName) -> &'static str {
        if self.settings.is_production() {
            name.host_only
        } else {
            name.plain
        }
    }
}
