//! What flows need: the pool, the clock, keys, the hasher, message delivery, the
//! application types, and the payment and e-identification services. Built once at
//! start; the web edge wraps it in its own `WebState`.
use std::sync::Arc;

use crate::clock::Clock;
use crate::db::outbox::Outbox;
use crate::db::Pool;
use crate::domain::secret::Keyring;
use crate::error::AppError;
use crate::hashing::PasswordHasher;
use crate::outbound::notify::Delivery;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: Pool,
    pub clock: Clock,
    pub keyring: Keyring,
    pub hasher: PasswordHasher,
    pub delivery: Delivery,
    /// The application types, checked at start.
    pub forms: Arc<crate::domain::forms::Forms>,
    /// The card payment provider: the built-in mock acquirer unless one is configured.
    pub gateway: Arc<dyn crate::outbound::payment::PaymentGateway>,
    /// E-identification: the services offered and the orders in progress.
    pub eid: Arc<crate::outbound::eid::orders::Eid>,
    /// The key-encryption key (from `secret_key_file`): opens the staff
    /// authenticator secrets.
    pub sealing: Arc<crate::domain::secret::SealingKey>,
    /// Photos being decoded, at most one per core: a photo near the pixel limit
    /// takes over 100 MB while it is decoded, so the number at once bounds memory.
    pub decoding: Arc<tokio::sync::Semaphore>,
    /// What the process counts for Prometheus.
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// A write that may queue messages in the outbox; once it has committed, the
    /// delivery worker is woken to send them ([`Delivery::write_and_send`]).
    pub async fn write_and_send<T, E, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + From<crate::db::SqlError> + Send + 'static,
        F: FnOnce(&Outbox) -> Result<T, E> + Send + 'static,
    {
        self.delivery.write_and_send(&self.pool, f).await
    }
}
