//! Scheduled work. Each job is a plain async function of the pool and the time,
//! registered with tokio-cron-scheduler; tests call them directly with a moved clock.
use anyhow::Context;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::db::{self, accounts, codes, sessions, Pool};
use std::sync::Arc;

use crate::domain::case::CaseStatus;
use crate::domain::forms::Forms;
use crate::domain::rules::{DAY, UNCONFIRMED_ACCOUNT_LIFETIME};
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::{messages, Delivery, Report};
use crate::paths;
use crate::settings::Retention;
use crate::state::AppState;

/// Rows deleted per transaction, so no cleanup holds the write lock for long.
pub const BATCH: i64 = 500;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleanup {
    pub sessions: usize,
    pub codes: usize,
    pub reset_tokens: usize,
    pub unconfirmed_accounts: usize,
    pub sign_up_decoys: usize,
    /// Outbox messages past their retention.
    pub outbox: usize,
    /// Webhook deliveries past the outbox's retention.
    pub webhooks: usize,
    /// Audit log entries past their retention.
    pub audit: usize,
    /// Decided or closed cases whose documents went after their retention.
    pub case_documents: usize,
}

/// Deletes the rows of `delete` in batches, each its own transaction, until none are left.
async fn in_batches<F>(pool: &Pool, delete: F) -> Result<usize, AppError>
where
    F: Fn(&r2d2_sqlite::rusqlite::Connection) -> r2d2_sqlite::rusqlite::Result<usize>
        + Clone
        + Send
        + 'static,
{
    let mut total = 0;
    loop {
        let delete = delete.clone();
        let n = db::write(pool, move |tx| delete(tx)).await?;
        total += n;
        if (n as i64) < BATCH {
            return Ok(total);
        }
    }
}

/// Expired sessions, codes and reset links; accounts never confirmed within 7 days;
/// outbox messages, audit log entries and (when set) decided cases' documents
/// older than their retention.
pub async fn cleanup(pool: &Pool, now: i64, keep: Retention) -> Result<Cleanup, AppError> {
    let report = Cleanup {
        sessions: in_batches(pool, move |c| sessions::purge(c, now, BATCH)).await?,
        // Kept a day past expiry so the throttle on "send a new code" can still see them.
        codes: in_batches(pool, move |c| codes::purge(c, now - DAY, BATCH)).await?,
        reset_tokens: in_batches(pool, move |c| codes::reset::purge(c, now - DAY, BATCH)).await?,
        unconfirmed_accounts: in_batches(pool, move |c| {
            accounts::delete_unconfirmed(c, now - UNCONFIRMED_ACCOUNT_LIFETIME, BATCH)
        })
        .await?,
        sign_up_decoys: in_batches(pool, move |c| sessions::purge_decoys(c, now, BATCH)).await?,
        outbox: in_batches(pool, move |c| {
            db::outbox::purge(c, now - keep.outbox, BATCH)
        })
        .await?,
        webhooks: in_batches(pool, move |c| {
            db::webhooks::purge(c, now - keep.outbox, BATCH)
        })
        .await?,
        audit: in_batches(pool, move |c| db::audit::purge(c, now - keep.audit, BATCH)).await?,
        case_documents: match keep.closed_case_documents {
            Some(kept) => {
                let decided = CaseStatus::DECIDED.map(CaseStatus::as_str);
                in_batches(pool, move |c| {
                    db::documents::purge_decided(c, decided, now - kept, now, BATCH)
                })
                .await?
            }
            None => 0,
        },
    };
    if report != Cleanup::default() {
        tracing::info!(?report, "cleanup");
    }
    Ok(report)
}

/// Deletes drafts whose deletion time has come, with their answers and documents,
/// in short batches (each its own transaction). Returns how many went.
pub async fn expire_drafts(pool: &Pool, now: i64) -> Result<usize, AppError> {
    let deleted = in_batches(pool, move |c| db::drafts::delete_expired(c, now, BATCH)).await?;
    if deleted > 0 {
        tracing::info!(deleted, "expired drafts deleted");
    }
    Ok(deleted)
}

/// Emails each owner once, three days before their draft's deletion.
pub async fn remind_drafts(
    delivery: &Delivery,
    pool: &Pool,
    forms: &Arc<Forms>,
    base_url: &str,
    now: i64,
) -> Result<usize, AppError> {
    let forms = forms.clone();
    let base = base_url.to_string();
    let sent = delivery
        .write_and_send(pool, move |tx| -> Result<usize, AppError> {
            let due = db::drafts::due_reminders(tx, now, BATCH)?;
            for (draft, email) in &due {
                let title = forms.title(&draft.form_id, draft.lang);
                let url = format!("{base}{}", paths::draft(&draft.reference));
                let date = crate::domain::date::Date::in_sweden(draft.expires_at).to_string();
                db::outbox::enqueue(
                    tx,
                    &messages::draft_reminder(Texts::new(draft.lang), email, title, &url, &date),
                    now,
                )?;
                db::drafts::mark_reminded(tx, draft.id, now)?;
            }
            Ok(due.len())
        })
        .await?;
    if sent > 0 {
        tracing::info!(sent, "draft deletion reminders queued");
    }
    Ok(sent)
}

/// Settles payment attempts nobody came back from by asking the provider, and
/// retries failed refunds. Returns how many attempts ended.
pub async fn reconcile_payments(state: &AppState, now: i64) -> Result<usize, AppError> {
    let ended = crate::flows::payment::reconcile(state, now).await?;
    if ended > 0 {
        tracing::info!(ended, "payments settled with the provider");
    }
    Ok(ended)
}

/// Sends what is due in the outbox (the worker also does this whenever something is queued).
pub async fn deliver_outbox(
    delivery: &Delivery,
    pool: &Pool,
    now: i64,
) -> Result<Report, AppError> {
    delivery.deliver_due(pool, now).await
}

/// Registers each job whose schedule is not blank, and starts the scheduler.
pub async fn start(state: AppState) -> anyhow::Result<JobScheduler> {
    let scheduler = JobScheduler::new().await?;
    let schedule = state.settings.schedule.clone();
    add(
        &scheduler,
        &state,
        "cleanup",
        &schedule.cleanup,
        |s| async move {
            let retention = s.settings.retention();
            if let Err(e) = cleanup(&s.pool, s.now(), retention).await {
                tracing::error!(error = ?e, "cleanup job");
            }
        },
    )
    .await?;
    add(
        &scheduler,
        &state,
        "outbox",
        &schedule.outbox,
        |s| async move {
            if let Err(e) = deliver_outbox(&s.delivery, &s.pool, s.now()).await {
                tracing::error!(error = ?e, "outbox job");
            }
        },
    )
    .await?;
    add(
        &scheduler,
        &state,
        "drafts",
        &schedule.drafts,
        |s| async move {
            let now = s.now();
            if let Err(e) = expire_drafts(&s.pool, now).await {
                tracing::error!(error = ?e, "draft expiry job");
            }
            if let Err(e) = remind_drafts(
                &s.delivery,
                &s.pool,
                &s.forms,
                &s.settings.public_url(),
                now,
            )
            .await
            {
                tracing::error!(error = ?e, "draft reminder job");
            }
            // Questionnaire reminders run with the draft reminders: the same kind of work.
            let base = s.settings.public_url();
            if let Err(e) =
                crate::flows::questionnaire::remind(&s.delivery, &s.pool, &s.keyring, &base, now)
                    .await
            {
                tracing::error!(error = ?e, "questionnaire reminder job");
            }
        },
    )
    .await?;
    add(
        &scheduler,
        &state,
        "payments",
        &schedule.payments,
        |s| async move {
            if let Err(e) = reconcile_payments(&s, s.now()).await {
                tracing::error!(error = ?e, "payment reconciliation job");
            }
        },
    )
    .await?;
    scheduler.start().await?;
    Ok(scheduler)
}

/// Runs `run` on the cron expression `expr` (setting `schedule.NAME`); blank turns it off.
async fn add<F, Fut>(
    scheduler: &JobScheduler,
    state: &AppState,
    name: &str,
    expr: &str,
    run: F,
) -> anyhow::Result<()>
where
    F: Fn(AppState) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    if expr.trim().is_empty() {
        return Ok(());
    }
    let (state, run) = (state.clone(), std::sync::Arc::new(run));
    let job_name = name.to_string();
    let job = Job::new_async(expr, move |_, _| {
        let (state, run, name) = (state.clone(), run.clone(), job_name.clone());
        Box::pin(async move {
            let started = std::time::Instant::now();
            let metrics = state.metrics.clone();
            run(state).await;
            metrics.job_run(&name, started.elapsed().as_secs_f64());
        })
    })
    .with_context(|| format!("schedule.{name} = {expr:?} is not a valid cron expression"))?;
    scheduler.add(job).await?;
    Ok(())
}
