//! Two-step verification by SMS: enrol a number (the password, then a code to the
//! number), or turn it off (the password, then a code to the current number). Once
//! on, the number is changed only by support. Either change ends the account's
//! other sessions, voids its reset links and tells the owner.
use secrecy::SecretString;

use super::protection_changed;
use super::CodeOutcome;
use super::{accepted, advance, check_password, failed_step, issue_code_throttled, renew};
use super::{Resend, CONFIRM_TWO_STEP_OFF};
use crate::db::audit::{ActorKind, Entry};
use crate::db::codes::{self, CodeCheck, Purpose};
use crate::db::{self, accounts, outbox, SqlError};
use crate::domain::phone::Phone;
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
use crate::domain::session::{Assurance, Method, Stage};
use crate::domain::{AccountId, Lang};
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::state::AppState;

#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    Sent,
    TooSoon,
    /// The password was wrong (or missing): nothing was sent.
    WrongPassword,
    /// Two-step verification is on: only support changes the number.
    AlreadyOn,
}

pub enum Verify {
    Code(CodeOutcome),
    PhoneTaken,
}

/// Sends an enrolment code to the number once the password is right. Whether another
/// account has the number is not said here, only to whoever holds the phone and
/// types its code (see [`verify`]).
#[tracing::instrument(skip_all)]
pub async fn start(
    state: &AppState,
    account: AccountId,
    phone: Phone,
    password: SecretString,
    lang: Lang,
    ip: String,
) -> Result<Start, AppError> {
    let on = db::read(&state.pool, move |c| accounts::by_id(c, account))
        .await?
        .is_some_and(|a| a.two_step);
    if on {
        return Ok(Start::AlreadyOn);
    }
    if check_password(state, account, &password, &ip)
        .await?
        .is_none()
    {
        return Ok(Start::WrongPassword);
    }
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::EnrolPhone, &code);
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<Start, AppError> {
            let message = messages::sms_code(Texts::new(lang), phone.as_str(), &code);
            Ok(
                match issue_code_throttled(
                    tx,
                    account,
                    Purpose::EnrolPhone,
                    &code_hash,
                    Some(phone.as_str()),
                    &message,
                    now,
                )? {
                    Resend::Sent => Start::Sent,
                    Resend::TooSoon => Start::TooSoon,
                },
            )
        })
        .await
}

/// The number being enrolled (the target of the latest enrolment code), masked for display.
pub async fn pending_number(
    state: &AppState,
    account: AccountId,
) -> Result<Option<String>, AppError> {
    db::read(&state.pool, move |c| {
        codes::pending_target(c, account, Purpose::EnrolPhone)
    })
    .await
}

/// The right code turns two-step verification on, raises the session's assurance,
/// ends the account's other sessions, voids its reset links and tells the owner.
#[tracing::instrument(skip_all)]
pub async fn verify(
    state: &AppState,
    session: SessionView,
    code: Option<OneTimeCode>,
    ip: String,
) -> Result<Verify, AppError> {
    let Some(account) = session.account_id else {
        return Ok(Verify::Code(CodeOutcome::Void));
    };
    let submitted = code.map(|c| state.code_hash(Purpose::EnrolPhone, &c));
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<Verify, AppError> {
            let check = codes::check(tx, account, Purpose::EnrolPhone, submitted.as_deref(), now)?;
            let phone = match accepted(check) {
                Ok(Some(phone)) => phone,
                Ok(None) => return Ok(Verify::Code(CodeOutcome::Void)),
                Err(outcome) => return Ok(Verify::Code(outcome)),
            };
            let a = accounts::by_id(tx, account)?.ok_or(AppError::NotFound)?;
            if accounts::phone_taken(tx, &phone, account)? {
                // For support's log: who tried to enrol a number in use.
                Entry::new(ActorKind::Applicant, &a.email, "applicant_phone_taken")
                    .ip(&ip)
                    .target(&crate::domain::phone::mask(&phone))
                    .record(tx, now)?;
                return Ok(Verify::PhoneTaken);
            }
            if a.two_step {
                // Turned on meanwhile (another tab): the number stays as it is.
                return Ok(Verify::Code(CodeOutcome::Void));
            }
            accounts::enable_two_step(tx, account, &phone)?;
            protection_changed(tx, account, Some(&session.id_hash), now)?;
            let masked = crate::domain::phone::mask(&phone);
            outbox::enqueue(
                tx,
                &messages::two_step_on(Texts::new(a.lang), &a.email, &masked),
                now,
            )?;
            Entry::new(ActorKind::Applicant, &a.email, "applicant_two_step_on")
                .ip(&ip)
                .record(tx, now)?;
            Ok(Verify::Code(CodeOutcome::Accepted(advance(
                tx,
                &session,
                Stage::Authenticated,
                Method::PasswordSms,
                Assurance::Substantial,
                now,
            )?)))
        })
        .await
}

/// Asking to turn two-step verification off: when the password is right, a code
/// goes to the current phone ([`confirm_off`] finishes).
#[tracing::instrument(skip_all)]
pub async fn turn_off(
    state: &AppState,
    account: AccountId,
    password: SecretString,
    lang: Lang,
    ip: String,
) -> Result<Start, AppError> {
    let Some(a) = check_password(state, account, &password, &ip).await? else {
        return Ok(Start::WrongPassword);
    };
    let Some(phone) = a.phone.filter(|_| a.two_step) else {
        return Ok(Start::TooSoon);
    };
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::ConfirmChange, &code);
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<Start, AppError> {
            let message = messages::sms_code(Texts::new(lang), &phone, &code);
            Ok(
                match issue_code_throttled(
                    tx,
                    account,
                    Purpose::ConfirmChange,
                    &code_hash,
                    Some(CONFIRM_TWO_STEP_OFF),
                    &message,
                    now,
                )? {
                    Resend::Sent => Start::Sent,
                    Resend::TooSoon => Start::TooSoon,
                },
            )
        })
        .await
}

/// The code sent to the current phone: when right, two-step verification is off,
/// the other sessions end, reset links are void, and the owner is told by email and
/// the old phone by SMS. Wrong codes count as failed logins. The session gets a new id.
#[tracing::instrument(skip_all)]
pub async fn confirm_off(
    state: &AppState,
    session: SessionView,
    code: Option<OneTimeCode>,
    ip: String,
) -> Result<CodeOutcome, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let submitted = code.map(|c| state.code_hash(Purpose::ConfirmChange, &c));
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<CodeOutcome, AppError> {
            let a = accounts::by_id(tx, account)?.ok_or(AppError::NotFound)?;
            let Some(phone) = a.phone.clone().filter(|_| a.two_step) else {
                return Ok(CodeOutcome::Void);
            };
            let check = codes::check(
                tx,
                account,
                Purpose::ConfirmChange,
                submitted.as_deref(),
                now,
            )?;
            let check = match check {
                CodeCheck::Accepted { target }
                    if target.as_deref() != Some(CONFIRM_TWO_STEP_OFF) =>
                {
                    CodeCheck::Void
                }
                other => other,
            };
            let outcome = super::code_outcome(check, |_| -> Result<Token, SqlError> {
                accounts::disable_two_step(tx, account)?;
                protection_changed(tx, account, Some(&session.id_hash), now)?;
                let t = Texts::new(a.lang);
                outbox::enqueue(tx, &messages::two_step_off(t, &a.email), now)?;
                outbox::enqueue(tx, &messages::two_step_off_sms(t, &phone), now)?;
                Entry::new(ActorKind::Applicant, &a.email, "applicant_two_step_off")
                    .ip(&ip)
                    .record(tx, now)?;
                renew(tx, &session, now)
            })?;
            // Only a live code typed wrong counts: a post with no code waiting does not.
            if let CodeOutcome::Wrong { .. } = outcome {
                failed_step(
                    tx,
                    account,
                    &a.email,
                    &ip,
                    "wrong SMS code turning two-step off",
                    now,
                )?;
            }
            Ok(outcome)
        })
        .await
}
