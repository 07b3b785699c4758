//! Two-step verification by SMS: enrol a number (verified by a code), or turn it off.
use secrecy::SecretString;

use super::{advance, issue_code_throttled, CodeOutcome, Resend};
use crate::db::audit::{ActorKind, Entry};
use crate::db::codes::{self, CodeCheck, Purpose};
use crate::db::{self, accounts, outbox};
use crate::domain::phone::Phone;
use crate::domain::secret::OneTimeCode;
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
}

pub enum Verify {
    Code(CodeOutcome),
    PhoneTaken,
}

/// Sends an enrolment code to the number. Whether another account has it is not
/// said here, only to whoever holds the phone and types its code (see [`verify`]).
#[tracing::instrument(skip_all)]
pub async fn start(
    state: &AppState,
    account: AccountId,
    phone: Phone,
    lang: Lang,
) -> Result<Start, AppError> {
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

/// The right code turns two-step verification on, raises the session's assurance, and tells the owner.
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
            Ok(
                match codes::check(tx, account, Purpose::EnrolPhone, submitted.as_deref(), now)? {
                    CodeCheck::Accepted {
                        target: Some(phone),
                    } => {
                        if accounts::phone_taken(tx, &phone, account)? {
                            // For support's log: who tried to enrol a number in use.
                            let a = accounts::by_id(tx, account)?.ok_or(AppError::NotFound)?;
                            Entry::new(ActorKind::Applicant, &a.email, "applicant_phone_taken")
                                .ip(&ip)
                                .target(&crate::domain::phone::mask(&phone))
                                .record(tx, now)?;
                            return Ok(Verify::PhoneTaken);
                        }
                        accounts::enable_two_step(tx, account, &phone)?;
                        let a = accounts::by_id(tx, account)?.ok_or(AppError::NotFound)?;
                        let masked = crate::domain::phone::mask(&phone);
                        outbox::enqueue(
                            tx,
                            &messages::two_step_on(Texts::new(a.lang), &a.email, &masked),
                            now,
                        )?;
                        Entry::new(ActorKind::Applicant, &a.email, "applicant_two_step_on")
                            .ip(&ip)
                            .record(tx, now)?;
                        Verify::Code(CodeOutcome::Accepted(advance(
                            tx,
                            &session,
                            Stage::Authenticated,
                            Method::PasswordSms,
                            Assurance::Substantial,
                            now,
                        )?))
                    }
                    CodeCheck::Accepted { target: None } | CodeCheck::Void => {
                        Verify::Code(CodeOutcome::Void)
                    }
                    CodeCheck::Wrong { tries_left } => {
                        Verify::Code(CodeOutcome::Wrong { tries_left })
                    }
                    CodeCheck::Expired => Verify::Code(CodeOutcome::Expired),
                },
            )
        })
        .await
}

/// Turns two-step verification off if the password is right. Returns whether it was.
#[tracing::instrument(skip_all)]
pub async fn turn_off(
    state: &AppState,
    account: AccountId,
    password: SecretString,
    ip: String,
) -> Result<bool, AppError> {
    let Some(a) = super::check_password(state, account, &password, &ip).await? else {
        return Ok(false);
    };
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<(), AppError> {
            accounts::disable_two_step(tx, account)?;
            outbox::enqueue(
                tx,
                &messages::two_step_off(Texts::new(a.lang), &a.email),
                now,
            )?;
            Entry::new(ActorKind::Applicant, &a.email, "applicant_two_step_off")
                .ip(&ip)
                .record(tx, now)?;
            Ok(())
        })
        .await?;
    Ok(true)
}
