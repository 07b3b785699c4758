//! Paying an approved application's fee and submitting it. The amount comes from
//! the application type, never from the browser. The outcome comes from asking the
//! provider, never from the browser's return alone. Success and submission are one
//! transaction: the payment, the submitted draft, the case with its verification
//! number and the confirmation email all happen, or none does.

use crate::db::drafts::Draft;
use crate::db::payments::{self, NewPayment, Payment};
use crate::db::{self, accounts, cases, drafts, outbox};
use crate::domain::date::Date;
use crate::domain::forms::FormDef;
use crate::domain::payment::{expired, format_sek, Outcome, PaymentState};
use crate::domain::secret::public_reference;
use crate::domain::AccountId;
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

/// The payment attempt to continue, or a new one: a double click, a second tab or
/// a retry of the request all continue the same unfinished attempt.
#[tracing::instrument(skip_all)]
pub async fn start(state: &AppState, draft: &Draft, form: &FormDef) -> Result<Start, AppError> {
    let (draft_id, amount, now) = (draft.id, form.fee_ore(), state.now());
    let attempt = db::write(
        &state.pool,
        move |tx| -> Result<Option<Payment>, AppError> {
            let attempts = payments::for_draft(tx, draft_id)?;
            if attempts.iter().any(|p| p.state == PaymentState::Success) {
                return Ok(None);
            }
            for p in attempts.iter().filter(|p| !p.state.is_final()) {
                if !expired(p.created_at, now) {
                    return Ok(Some(p.clone()));
                }
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
            Ok(payments::by_id(tx, id)?)
        },
    )
    .await?;
    let Some(payment) = attempt else {
        return Ok(Start::AlreadyPaid);
    };
    if let Some(next_url) = payment.next_url {
        return Ok(Start::Provider(next_url));
    }
    let request = crate::outbound::payment::NewPayment {
        amount: payment.amount,
        reference: payment.reference.clone(),
        description: form.title.get(draft.lang).to_string(),
        return_url: format!(
            "{}{}",
            state.settings.public_url(),
            paths::payment_return(&payment.reference)
        ),
        language: draft.lang.code().to_string(),
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
        return Ok(Finish::Unsuccessful(outcome));
    }
    submit(state, payment, account, form, &report, now).await
}

/// Settles a payment the provider reports as not successful: failed, cancelled or
/// in error, or still unfinished when its time has run out.
async fn settle_unsuccessful(
    state: &AppState,
    payment: &Payment,
    report: &Report,
    now: i64,
) -> Result<Finish, AppError> {
    let reported = report.state();
    let id = payment.id;
    if !reported.is_final() && !expired(payment.created_at, now) {
        return Ok(Finish::Pending);
    }
    let outcome = if reported.is_final() {
        report.outcome()
    } else {
        Outcome::Expired
    };
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
                    tracing::error!("a second successful payment for one application refused");
                    payments::settle(
                        tx,
                        id,
                        PaymentState::Error,
                        Some(Outcome::Mismatch),
                        None,
                        now,
                    )?;
                    return Ok(Finish::Unsuccessful(Outcome::Mismatch));
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
            outbox::enqueue(
                tx,
                &messages::submitted(
                    t,
                    &person.email,
                    &messages::Submission {
                        verification: number.as_str(),
                        form_title: title.get(person.lang),
                        date: &Date::from_unix(now).to_string(),
                        amount: &format_sek(amount),
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
