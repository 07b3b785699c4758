//! Messages: composed in `messages`, queued in the outbox by the transaction
//! that causes them, delivered here with retries (SMTP, SMS provider, or
//! nowhere but the dev mailbox in development).
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};

use crate::clock::Clock;
use crate::db::outbox::{self, Channel, Outbox, Queued};
use crate::db::Pool;
use crate::domain::rules::{outbox_backoff, OUTBOX_MAX_ATTEMPTS};
use crate::error::AppError;
use crate::settings::Settings;

pub mod emails;
pub mod messages;
mod sms;
mod smtp;

/// How many messages one delivery round takes.
const BATCH: i64 = 50;

#[derive(Clone)]
pub struct Delivery {
    inner: Arc<Inner>,
}

struct Inner {
    mailer: Option<smtp::Mailer>,
    sms: Option<sms::SmsClient>,
    /// Without the dev mailbox nobody reads a sent body again, so it is erased.
    keep_bodies: bool,
    wake: Notify,
    /// One delivery round at a time, so no message is sent twice.
    round: Mutex<()>,
    /// When the worker last showed it was alive (clock seconds; 0: not started).
    /// Set at each wake and after each message, so a slow batch still counts.
    heartbeat: AtomicI64,
    /// Set at shutdown: the message being sent is finished, no other is begun.
    stopping: AtomicBool,
    /// Webhooks to client systems, once the installation key is known (a
    /// command without a server leaves them queued for the server's worker).
    /// They have a round and a worker loop of their own: a slow or dead receiver
    /// never holds up a login code or any other message.
    webhooks: std::sync::OnceLock<crate::outbound::webhooks::Sender>,
    webhook_wake: Notify,
    webhook_round: Mutex<()>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

impl Delivery {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        Ok(Delivery {
            inner: Arc::new(Inner {
                mailer: settings.smtp.as_ref().map(smtp::Mailer::new).transpose()?,
                sms: settings.sms.as_ref().map(sms::SmsClient::new).transpose()?,
                keep_bodies: settings.dev_mailbox(),
                wake: Notify::new(),
                round: Mutex::new(()),
                heartbeat: AtomicI64::new(0),
                stopping: AtomicBool::new(false),
                webhooks: std::sync::OnceLock::new(),
                webhook_wake: Notify::new(),
                webhook_round: Mutex::new(()),
            }),
        })
    }

    /// Lets the worker deliver webhooks too, signing them with secrets derived
    /// from `keyring` (the installation key).
    pub fn sign_webhooks_with(
        &self,
        keyring: crate::domain::secret::Keyring,
        clock: Clock,
    ) -> anyhow::Result<()> {
        let sender = crate::outbound::webhooks::Sender::new(keyring, clock)?;
        // Set once at start; a second call keeps the first.
        let _ = self.inner.webhooks.set(sender);
        Ok(())
    }

    /// Tells the worker that something was queued.
    fn wake(&self) {
        self.inner.wake.notify_one();
        self.inner.webhook_wake.notify_one();
    }

    /// A write that may queue messages in the outbox (the one way to get an
    /// [`Outbox`]); once it has committed, the worker is woken to send them.
    pub async fn write_and_send<T, E, F>(&self, pool: &Pool, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + From<crate::db::SqlError> + Send + 'static,
        F: FnOnce(&Outbox) -> Result<T, E> + Send + 'static,
    {
        let value = crate::db::write(pool, move |tx| f(&Outbox::within(tx))).await?;
        self.wake();
        Ok(value)
    }

    /// Sends every due message, then every due webhook, once; failures are
    /// retried later with backoff.
    pub async fn deliver_due(&self, pool: &Pool, now: i64) -> Result<Report, AppError> {
        let mut report = self.round(pool, now, &|| {}).await?;
        self.webhook_round(pool, now, &mut report).await?;
        Ok(report)
    }

    /// Sends every due webhook once, adding to `report`.
    async fn webhook_round(
        &self,
        pool: &Pool,
        now: i64,
        report: &mut Report,
    ) -> Result<(), AppError> {
        if let Some(webhooks) = self.inner.webhooks.get() {
            let _round = self.inner.webhook_round.lock().await;
            let stopping = || self.is_stopping();
            webhooks
                .deliver_due(pool, now, report, &|| {}, &stopping)
                .await?;
        }
        Ok(())
    }

    /// [`Self::deliver_due`], calling `after_each` when a message's attempt is over.
    async fn round(
        &self,
        pool: &Pool,
        now: i64,
        after_each: &(dyn Fn() + Sync),
    ) -> Result<Report, AppError> {
        let _round = self.inner.round.lock().await;
        let due = crate::db::read(pool, move |c| outbox::due(c, now, BATCH)).await?;
        let mut report = Report::default();
        for message in due {
            if self.is_stopping() {
                break;
            }
            let result = self.send(&message).await;
            after_each();
            let id = message.id;
            let scrub = !self.inner.keep_bodies;
            match result {
                Ok(()) => {
                    crate::db::write(pool, move |tx| outbox::mark_sent(tx, id, now, scrub)).await?;
                    report.sent += 1;
                }
                Err(error) => {
                    let attempts = message.attempts + 1;
                    let retry_at =
                        (attempts < OUTBOX_MAX_ATTEMPTS).then(|| now + outbox_backoff(attempts));
                    tracing::warn!(
                        id,
                        channel = message.channel.as_str(),
                        attempts,
                        error = format!("{error:#}"),
                        "message not delivered"
                    );
                    let error = format!("{error:#}");
                    crate::db::write(pool, move |tx| {
                        outbox::mark_attempt_failed(tx, id, &error, retry_at, scrub)
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
        if report != Report::default() {
            tracing::info!(
                sent = report.sent,
                retrying = report.retrying,
                failed = report.failed,
                "outbox delivery"
            );
        }
        Ok(report)
    }

    async fn send(&self, m: &Queued) -> anyhow::Result<()> {
        match m.channel {
            Channel::Email => match &self.inner.mailer {
                Some(mailer) => mailer.send(m).await.map(drop),
                None => Ok(()), // development: the dev mailbox is the destination
            },
            Channel::Sms => match &self.inner.sms {
                Some(client) => client.send(m).await.map(drop),
                None => Ok(()),
            },
        }
    }

    /// Sends `message` at once through the configured transport, bypassing the
    /// outbox (`kansli send-test-email`, `send-test-sms`); gives the server's or
    /// provider's answer. Without a transport there is nothing to test.
    pub async fn send_test(&self, message: &crate::db::outbox::Outgoing) -> anyhow::Result<String> {
        let queued = Queued {
            id: 0,
            channel: message.channel,
            recipient: message.recipient.clone(),
            subject: message.subject.clone(),
            text: message.text.clone(),
            html: message.html.clone(),
            status: "queued".into(),
            attempts: 0,
            last_error: None,
            created_at: 0,
        };
        match message.channel {
            Channel::Email => match &self.inner.mailer {
                Some(mailer) => mailer.send(&queued).await,
                None => anyhow::bail!("no SMTP server is configured (KANSLI_SMTP_HOST): in development email goes only to the dev mailbox"),
            },
            Channel::Sms => match &self.inner.sms {
                Some(client) => client.send(&queued).await,
                None => anyhow::bail!("no SMS provider is configured (KANSLI_SMS_URL): in development texts go only to the dev mailbox"),
            },
        }
    }

    fn is_stopping(&self) -> bool {
        self.inner.stopping.load(Ordering::SeqCst)
    }

    /// Stops delivery for shutdown: waits while the message being sent is
    /// finished and marked (so a restart does not send it again), then begins no
    /// other. The worker ends; later rounds (a scheduled job's) send nothing.
    pub async fn stop(&self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.wake();
        // A round holds this lock from its first message to its last mark.
        let _no_round = self.inner.round.lock().await;
        self.inner.heartbeat.store(0, Ordering::Relaxed);
    }

    /// When the worker last showed it was alive, if it has started.
    pub fn heartbeat(&self) -> Option<i64> {
        match self.inner.heartbeat.load(Ordering::Relaxed) {
            0 => None,
            at => Some(at),
        }
    }

    fn beat(&self, now: i64) {
        self.inner.heartbeat.store(now, Ordering::Relaxed);
    }

    /// Delivers at start (what was queued before a restart), whenever woken, and
    /// at least every 30 seconds.
    pub fn spawn_worker(&self, pool: Pool, clock: Clock) {
        // Alive from here: a probe right after start must not find it missing.
        self.beat(clock.now());
        let (pool_for_webhooks, clock_for_webhooks) = (pool.clone(), clock.clone());
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let beat = || this.beat(clock.now());
                if let Err(e) = this.round(&pool, clock.now(), &beat).await {
                    tracing::error!(error = ?e, "outbox worker");
                }
                let _ =
                    tokio::time::timeout(Duration::from_secs(30), this.inner.wake.notified()).await;
                if this.is_stopping() {
                    return;
                }
                beat();
            }
        });
        let this = self.clone();
        let (pool, clock) = (pool_for_webhooks, clock_for_webhooks);
        tokio::spawn(async move {
            loop {
                let mut report = Report::default();
                if let Err(e) = this.webhook_round(&pool, clock.now(), &mut report).await {
                    tracing::error!(error = ?e, "webhook worker");
                }
                let _ = tokio::time::timeout(
                    Duration::from_secs(30),
                    this.inner.webhook_wake.notified(),
                )
                .await;
                if this.is_stopping() {
                    return;
                }
            }
        });
    }
}
