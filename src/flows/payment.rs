//! Paying an approved application's fee and submitting it. The amount comes from
//! the application type, never from the browser. The outcome comes from asking the
//! provider, never from the browser's return alone. Success and submission are one
//! transaction: the payment, the submitted draft, the case with its verification
//! number and the confirmation email all happen, or none does.

use crate::db::audit::{self, ActorKind};
use crate::db::drafts::Draft;
use crate::db::payments::{self, NewPayment, Payment};
use crate::db::{self, accounts, cases, drafts, outbox};
use crate::domain::date::Date;
use crate::domain::forms::FormDef;
use crate::domain::money;
use crate::domain::payment::{expired, Outcome, PaymentState};
use crate::domain::secret::public_reference;
use crate::domain::{AccountId, Lang};
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::outbound::payment::Report;
use crate::paths;
use crate::state::AppState;

/// Where the payment page leads.
pub enum Start {
    /// To the provider's card page.
    Provider(String),
    /// The application is paid for already.
    AlreadyPaid,
}

/// What the attempts of a draft allow when "Pay" is pressed.
enum Attempt {
    /// Paid for already.
    Paid,
    /// This attempt is the one to pay with.
    Open(Payment),
    /// Past the portal's 90 minutes at the provider: only the provider knows
    /// whether the person paid.
    AskProvider(Payment),
}

/// The payment attempt to continue, or a new one: a double click, a second tab or
/// a retry of the request all continue the same unfinished attempt. An old one is
/// never given up without asking the provider: a person who paid and did not come
/// back is submitted, not charged again, and while the provider still has an
/// attempt in progress no second one is made. A new attempt is described to the
/// provider in `lang`, the language of the page the person paid from.
#[tracing::instrument(skip_all)]
pub async fn start(
    state: &AppState,
    draft: &Draft,
    form: &FormDef,
    lang: Lang,
) -> Result<Start, AppError> {
    let account = draft
        .account_id
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("a draft without an account")))?;
    // Each round settles the attempt it asked about, so the second round opens a new one.
    for _ in 0..3 {
        let payment = match next_attempt(state, draft.id, form.fee_ore()).await? {
            Attempt::Paid => return Ok(Start::AlreadyPaid),
            Attempt::Open(payment) => payment,
            Attempt::AskProvider(payment) => match finish(state, &payment, account, form).await? {
                Finish::Submitted => return Ok(Start::AlreadyPaid),
                Finish::Unsuccessful(_) => continue,
                Finish::Pending => payment,
            },
        };
        return open(state, form, payment, lang).await;
    }
    Err(AppError::Unexpected(anyhow::anyhow!(
        "payment attempts kept changing"
    )))
}

async fn next_attempt(state: &AppState, draft_id: i64, amount: i64) -> Result<Attempt, AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| -> Result<Attempt, AppError> {
        let attempts = payments::for_draft(tx, draft_id)?;
        if attempts.iter().any(|p| p.state == PaymentState::Success) {
            return Ok(Attempt::Paid);
        }
        for p in attempts.iter().filter(|p| !p.state.is_final()) {
            if !expired(p.created_at, now) {
                return Ok(Attempt::Open(p.clone()));
            }
            if p.gateway_id.is_some() {
                return Ok(Attempt::AskProvider(p.clone()));
            }
            // The provider never answered its creation, so the person never saw its page.
            payments::settle(
                tx,
                p.id,
                PaymentState::Error,
                Some(Outcome::Expired),
                None,
                now,
            )?;
        }
        let next = attempts.first().map_or(1, |p| p.attempt + 1);
        let reference = public_reference();
        let id = payments::insert(
            tx,
            &NewPayment {
                reference: &reference,
                draft_id,
                attempt: next,
                idempotency_key: &public_reference(),
                amount,
            },
            now,
        )?;
        let created = payments::by_id(tx, id)?
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("new payment missing")))?;
        Ok(Attempt::Open(created))
    })
    .await
}

/// The provider's page for an attempt, created at the provider first if needed.
async fn open(
    state: &AppState,
    form: &FormDef,
    payment: Payment,
    lang: Lang,
) -> Result<Start, AppError> {
    if let Some(next_url) = payment.next_url {
        return Ok(Start::Provider(next_url));
    }
    let request = crate::outbound::payment::NewPayment {
        amount: payment.amount,
        reference: payment.reference.clone(),
        description: form.title.get(lang).to_string(),
        return_url: format!(
            "{}{}",
            state.settings.public_url(),
            paths::payment_return(&payment.reference)
        ),
        language: lang.code().to_string(),
    };
    let created = state
        .gateway
        .create(&request, &payment.idempotency_key)
        .await
        .map_err(AppError::Unexpected)?;
    let (id, next_url) = (payment.id, created.next_url.clone());
    db::write(&state.pool, move |tx| {
        payments::started(tx, id, &created.payment_id, &created.next_url)
    })
    .await?;
    Ok(Start::Provider(next_url))
}

/// What the return from the provider came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Finish {
    /// Paid and submitted (now or before).
    Submitted,
    /// This attempt did not succeed; a new one may be made.
    Unsuccessful(Outcome),
    /// The provider has not finished it yet.
    Pending,
}

/// Asks the provider how the payment went and settles it. Any number of calls,
/// concurrent or not, give one success, one case and one email.
#[tracing::instrument(skip_all)]
pub async fn finish(
    state: &AppState,
    payment: &Payment,
    account: AccountId,
    form: &FormDef,
) -> Result<Finish, AppError> {
    if let Some(done) = settled(payment) {
        return Ok(done);
    }
    let Some(gateway_id) = &payment.gateway_id else {
        return Ok(Finish::Pending);
    };
    let report = state
        .gateway
        .report(gateway_id)
        .await
        .map_err(AppError::Unexpected)?;
    let now = state.now();
    let reported = report.state();
    if reported != PaymentState::Success {
        return settle_unsuccessful(state, payment, &report, now).await;
    }
    if report.amount != payment.amount {
        tracing::error!(
            payment = payment.reference,
            "provider reported another amount"
        );
        let (id, outcome) = (payment.id, Outcome::Mismatch);
        db::write(&state.pool, move |tx| {
            payments::settle(tx, id, outcome.state(), Some(outcome), None, now)
        })
        .await?;
        refund(state, payment).await;
        return Ok(Finish::Unsuccessful(outcome));
    }
    let finished = submit(state, payment, account, form, &report, now).await?;
    if finished == Finish::Unsuccessful(Outcome::Duplicate) {
        refund(state, payment).await;
        return Ok(Finish::Submitted);
    }
    Ok(finished)
}

/// Gives a charge the portal refused back to the card, as much of it as the
/// provider says is left, and records it in the audit log support reads. A
/// refund that fails is logged and tried again by [`reconcile`]; it never fails
/// the person's request.
async fn refund(state: &AppState, payment: &Payment) {
    let Some(gateway_id) = &payment.gateway_id else {
        return;
    };
    let key = format!("{}-refund", payment.idempotency_key);
    // Some(amount): the whole charge is back on the card, `amount` of it now.
    // None: the provider does not (yet) report the charge as taken; asked again later.
    let answer = async {
        let report = state.gateway.report(gateway_id).await?;
        let left = report.amount - report.refunded;
        if report.state() != PaymentState::Success {
            return Ok(None);
        }
        if left > 0 {
            state.gateway.refund(gateway_id, left, &key).await?;
        }
        anyhow::Ok(Some(left.max(0)))
    }
    .await;
    match &answer {
        Err(e) => tracing::error!(payment = payment.reference, error = ?e, "refund failed"),
        Ok(None) => tracing::warn!(payment = payment.reference, "refund: not reported taken"),
        Ok(Some(_)) => {}
    }
    let (id, now, reference) = (payment.id, state.now(), payment.reference.clone());
    let recorded = db::write(&state.pool, move |tx| -> Result<(), AppError> {
        let (action, detail) = match answer {
            Ok(None) => return Ok(()),
            Ok(Some(amount)) => {
                if !payments::refunded(tx, id, now)? {
                    return Ok(());
                }
                let detail = if amount > 0 {
                    format!("amount={amount}")
                } else {
                    "already refunded at the provider".to_string()
                };
                ("payment_refunded", detail)
            }
            Err(e) => ("payment_refund_failed", format!("{e:#}")),
        };
        audit::Entry::new(ActorKind::System, "payments", action)
            .target(&reference)
            .detail(&detail)
            .record(tx, now)?;
        Ok(())
    })
    .await;
    if let Err(e) = recorded {
        tracing::error!(payment = payment.reference, error = ?e, "refund not recorded");
    }
}

/// Settles a payment the provider reports as not successful: failed, cancelled,
/// in error or expired at the provider.
async fn settle_unsuccessful(
    state: &AppState,
    payment: &Payment,
    report: &Report,
    now: i64,
) -> Result<Finish, AppError> {
    let reported = report.state();
    let id = payment.id;
    if !reported.is_final() {
        // In progress at the provider, whatever the portal's clock says: it may
        // still be paid, so it is neither given up nor replaced.
        return Ok(Finish::Pending);
    }
    let outcome = report.outcome();
    let settled = db::write(&state.pool, move |tx| -> Result<_, AppError> {
        payments::settle(tx, id, outcome.state(), Some(outcome), None, now)?;
        Ok(payments::by_id(tx, id)?)
    })
    .await?;
    Ok(settled
        .as_ref()
        .and_then(self::settled)
        .unwrap_or(Finish::Pending))
}

/// Settles a successful payment and submits its application in the same
/// transaction: a case with its verification number, the questionnaire for the
/// person in Sweden, and the confirmation email.
async fn submit(
    state: &AppState,
    payment: &Payment,
    account: AccountId,
    form: &FormDef,
    report: &Report,
    now: i64,
) -> Result<Finish, AppError> {
    let (id, draft_id) = (payment.id, payment.draft_id);
    let brand = report.card_brand.clone().unwrap_or_default();
    let last4: String = report.last4.clone().unwrap_or_default();
    let form_id = form.id.clone();
    let title = form.title.clone();
    let amount = payment.amount;
    let questionnaire = form.questionnaire.clone();
    let (keyring, base_url) = (state.keyring.clone(), state.settings.public_url());
    state
        .write_and_send(move |tx| -> Result<Finish, AppError> {
            let card = Some((brand.as_str(), last4.as_str()));
            let changed = match payments::settle(tx, id, PaymentState::Success, None, card, now) {
                Ok(changed) => changed,
                // Another attempt for this application succeeded first: this one cannot.
                Err(e) if db::is_unique_violation(&e) => {
                    tracing::warn!("a second successful payment for one application: refunding");
                    let outcome = Outcome::Duplicate;
                    payments::settle(tx, id, outcome.state(), Some(outcome), None, now)?;
                    return Ok(Finish::Unsuccessful(outcome));
                }
                Err(e) => return Err(e.into()),
            };
            if !changed {
                let current = payments::by_id(tx, id)?;
                return Ok(current
                    .as_ref()
                    .and_then(settled)
                    .unwrap_or(Finish::Pending));
            }
            if !drafts::mark_submitted(tx, draft_id, now)? {
                return Err(AppError::Unexpected(anyhow::anyhow!(
                    "paid draft was not approved or already submitted"
                )));
            }
            let answers = drafts::answers(tx, draft_id)?;
            let (case, number) = cases::insert(
                tx,
                &cases::NewCase {
                    draft_id,
                    account,
                    payment_id: id,
                    form_id: &form_id,
                    applicant_name: &crate::domain::forms::answers::applicant_name(&answers),
                    applicant_pin: crate::domain::forms::answers::applicant_pin(&answers)
                        .as_deref(),
                    applicant_email: &crate::domain::forms::answers::applicant_email(&answers)
                        .unwrap_or_default(),
                },
                now,
            )?;
            crate::flows::api::events::queue(
                tx,
                &crate::flows::api::events::CaseEvent {
                    kind: crate::flows::api::events::Kind::Submitted,
                    verification: number.as_str(),
                    form_id: &form_id,
                    status: crate::domain::case::CaseStatus::Received,
                    from: None,
                },
                now,
            )?;
            let person = accounts::by_id(tx, account)?.ok_or_else(|| {
                AppError::Unexpected(anyhow::anyhow!("account of a payment missing"))
            })?;
            if let Some(link) = &questionnaire {
                crate::flows::questionnaire::create_for_case(
                    tx,
                    &keyring,
                    link,
                    &answers,
                    case,
                    person.lang,
                    &base_url,
                    now,
                )?;
            }
            let t = Texts::new(person.lang);
            // The agency writes about the application to the address it gave.
            let write_to = crate::domain::forms::answers::applicant_email(&answers)
                .unwrap_or_else(|| person.email.clone());
            if write_to != person.email {
                let masked = crate::domain::email::Email::parse(&write_to)
                    .map(|e| e.masked())
                    .unwrap_or_default();
                outbox::enqueue(
                    tx,
                    &messages::written_elsewhere(t, &person.email, number.as_str(), &masked),
                    now,
                )?;
            }
            outbox::enqueue(
                tx,
                &messages::submitted(
                    t,
                    &write_to,
                    &messages::Submission {
                        verification: number.as_str(),
                        form_title: title.get(person.lang),
                        date: &Date::in_sweden(now).to_string(),
                        amount: &money::amount(amount, person.lang),
                        my_page: &format!("{base_url}{}", crate::paths::ACCOUNT),
                    },
                ),
                now,
            )?;
            Ok(Finish::Submitted)
        })
        .await
}

/// What a payment that already ended came to.
fn settled(p: &Payment) -> Option<Finish> {
    match p.state {
        PaymentState::Success => Some(Finish::Submitted),
        s if s.is_final() => Some(Finish::Unsuccessful(
            p.outcome.unwrap_or(Outcome::ProcessingError),
        )),
        _ => None,
    }
}

/// Attempts still unfinished this long after they started are asked about in
/// the background: a person who paid and closed the browser is submitted.
pub const RECONCILE_AFTER: i64 = 15 * 60;

/// Refused charges are refunded again for this long if the first try failed.
pub const REFUND_RETRIES_FOR: i64 = 7 * 24 * 3600;

/// Asks the provider about attempts nobody came back from, settling each as its
/// return would, and retries refunds that failed. Returns how many attempts ended.
pub async fn reconcile(state: &AppState, now: i64) -> Result<usize, AppError> {
    let due = db::read(&state.pool, move |c| {
        payments::unfinished_before(c, now - RECONCILE_AFTER, 100)
    })
    .await?;
    let mut ended = 0;
    for (payment, account, form_id) in due {
        let Some(form) = state.forms.get(&form_id) else {
            continue;
        };
        match finish(state, &payment, account, form).await {
            Ok(Finish::Pending) => {}
            Ok(_) => ended += 1,
            Err(e) => tracing::warn!(payment = payment.reference, error = ?e, "reconcile"),
        }
    }
    let refunds = db::read(&state.pool, move |c| {
        payments::awaiting_refund(c, now - REFUND_RETRIES_FOR, 100)
    })
    .await?;
    for payment in refunds {
        refund(state, &payment).await;
    }
    Ok(ended)
}
