//! Webhook deliveries to client systems over HTTP, signed with each client's
//! secret, run by the outbox's worker with the outbox's retries and backoff.
use std::time::Duration;

use anyhow::{bail, Context};

use crate::clock::Clock;
use crate::db::webhooks::{self, Due};
use crate::db::Pool;
use crate::domain::api::{webhook_secret, webhook_signature};
use crate::domain::rules::{outbox_backoff, OUTBOX_MAX_ATTEMPTS};
use crate::domain::secret::Keyring;
use crate::error::AppError;

use super::notify::Report;

/// How many deliveries one round takes.
const BATCH: i64 = 50;

pub struct Sender {
    http: reqwest::Client,
    keyring: Keyring,
    /// Each event is signed with the time it is sent: a round may take minutes,
    /// and receivers refuse a signature much older than their clock.
    clock: Clock,
}

impl Sender {
    pub fn new(keyring: Keyring, clock: Clock) -> anyhow::Result<Self> {
        Ok(Sender {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(15))
                // A redirect is an answer to fix at the receiver, not to follow.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Kansli-Webhooks/1")
                .build()?,
            keyring,
            clock,
        })
    }

    /// POSTs one event, signed now; any answer but 2xx is a failure.
    async fn send(&self, d: &Due) -> anyhow::Result<()> {
        let secret = webhook_secret(&self.keyring, &d.secret_salt);
        let now = self.clock.now();
        let response = self
            .http
            .post(&d.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Kansli-Signature", webhook_signature(&secret, now, &d.body))
            .body(d.body.clone())
            .send()
            .await
            // Without the address: it may hold credentials, and this text is logged.
            .map_err(|e| e.without_url())
            .context("webhook receiver unreachable")?;
        let status = response.status();
        if !status.is_success() {
            bail!("webhook receiver answered {status}");
        }
        Ok(())
    }

    /// Sends every due delivery once, adding to `report`; a failure is retried
    /// later with the outbox's backoff, and fails for good after as many attempts.
    pub async fn deliver_due(
        &self,
        pool: &Pool,
        now: i64,
        report: &mut Report,
        after_each: &(dyn Fn() + Sync),
        stopping: &(dyn Fn() -> bool + Sync),
    ) -> Result<(), AppError> {
        let due = crate::db::read(pool, move |c| webhooks::due(c, now, BATCH)).await?;
        // A receiver that failed is not tried again this round: its other events
        // wait for the next, and other clients' events are not held up behind it.
        let mut failing = std::collections::HashSet::new();
        for delivery in due {
            if stopping() {
                break;
            }
            if failing.contains(&delivery.url) {
                continue;
            }
            let result = self.send(&delivery).await;
            after_each();
            let id = delivery.id;
            match result {
                Ok(()) => {
                    crate::db::write(pool, move |tx| webhooks::mark_sent(tx, id, now)).await?;
                    report.sent += 1;
                }
                Err(error) => {
                    failing.insert(delivery.url.clone());
                    let attempts = delivery.attempts + 1;
                    let retry_at =
                        (attempts < OUTBOX_MAX_ATTEMPTS).then(|| now + outbox_backoff(attempts));
                    let error = format!("{error:#}");
                    tracing::warn!(id, attempts, error, "webhook not delivered");
                    crate::db::write(pool, move |tx| {
                        webhooks::mark_attempt_failed(tx, id, &error, retry_at)
                    })
                    .await?;
                    if retry_at.is_some() {
                        report.retrying += 1;
                    } else {
                        report.failed += 1;
                    }
                }
            }
        }
        Ok(())
    }
}
