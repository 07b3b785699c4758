//! Account settings: a new email address, proved by a code sent to it, and a new password.
use secrecy::SecretString;

use super::CONFIRM_EMAIL;
use super::{accepted, check_password, issue_code_throttled, renew, CodeOutcome, Resend};
use crate::db::codes::{self, reset as reset_links, Purpose};
use crate::db::outbox::Outbox;
use crate::db::{self, accounts, outbox, sessions, SqlError};
use crate::domain::email::Email;
use crate::domain::password::NewPassword;
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
use crate::domain::AccountId;
use crate::domain::Lang;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::state::AppState;

/// What asking for a new email address led to.
pub enum EmailStart {
    /// A code is on its way to the new address.
    Sent,
    /// A code went to that address less than a minute ago.
    TooSoon,
    /// Two-step verification is on: a code went to the current phone first.
    NeedsPhone,
    /// The password was wrong (or missing).
    WrongPassword,
}

/// Asks for a new address, with the password (always: a session someone else has
/// taken over must not be enough). With two-step verification a code goes to the
/// current phone first ([`confirm_phone_for_email`]); otherwise the code goes to the
/// new address at once ([`send_email_code`]). Passing the password is a login step:
/// the session gets a new id (returned).
#[tracing::instrument(skip_all)]
pub async fn start_email_change(
    state: &AppState,
    session: &SessionView,
    new: Email,
    password: SecretString,
    lang: Lang,
    ip: String,
) -> Result<(EmailStart, Option<Token>), AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let Some(a) = check_password(state, account, &password, &ip).await? else {
        return Ok((EmailStart::WrongPassword, None));
    };
    let now = state.now();
    let session = session.clone();
    let phone = a.phone.filter(|_| a.two_step);
    let purpose = if phone.is_some() {
        Purpose::ConfirmChange
    } else {
        Purpose::ChangeEmail
    };
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(purpose, &code);
    state
        .write_and_send(move |tx| -> Result<_, AppError> {
            let token = renew(tx, &session, now)?;
            let outcome = match phone {
                Some(phone) => {
                    let message = messages::sms_code(Texts::new(lang), &phone, &code);
                    let target = format!("{CONFIRM_EMAIL}{}", new.as_str());
                    // Sent at most once a minute; the code sent before stays good.
                    issue_code_throttled(
                        tx,
                        account,
                        purpose,
                        &code_hash,
                        Some(&target),
                        &message,
                        now,
                    )?;
                    EmailStart::NeedsPhone
                }
                None => {
                    match send_email_code(tx, account, new.as_str(), &code_hash, &code, lang, now)?
                    {
                        Resend::Sent => EmailStart::Sent,
                        Resend::TooSoon => EmailStart::TooSoon,
                    }
                }
            };
            Ok((outcome, Some(token)))
        })
        .await
}

/// Sends the code to the new address. An address that already has a (confirmed)
/// account gets a message saying so instead, and the person here sees the same next
/// page, so the form tells no one which addresses have accounts.
fn send_email_code(
    tx: &Outbox,
    account: AccountId,
    new: &str,
    code_hash: &[u8],
    code: &OneTimeCode,
    lang: Lang,
    now: i64,
) -> Result<Resend, SqlError> {
    let holder = accounts::by_email(tx, new)?;
    let message = match holder {
        Some(h) if h.id != account && h.confirmed_at.is_some() => {
            messages::address_in_use(Texts::new(h.lang), new)
        }
        _ => messages::change_email_code(Texts::new(lang), new, code),
    };
    issue_code_throttled(
        tx,
        account,
        Purpose::ChangeEmail,
        code_hash,
        Some(new),
        &message,
        now,
    )
}

/// The number the code for a new address went to, masked, while that code is unused.
pub async fn pending_phone_step(
    state: &AppState,
    session: &SessionView,
) -> Result<Option<String>, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let pending = db::read(&state.pool, move |c| {
        codes::pending_target(c, account, Purpose::ConfirmChange)
    })
    .await?;
    Ok(pending
        .filter(|t| t.starts_with(CONFIRM_EMAIL))
        .and(session.phone.as_deref().map(crate::domain::phone::mask)))
}

/// The code sent to the current phone before a new address: when right, the code
/// goes to the new address. Wrong codes count as failed logins.
#[tracing::instrument(skip_all)]
pub async fn confirm_phone_for_email(
    state: &AppState,
    session: &SessionView,
    code: Option<OneTimeCode>,
    lang: Lang,
    ip: String,
) -> Result<CodeOutcome, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let submitted = code.map(|c| state.code_hash(Purpose::ConfirmChange, &c));
    let email_code = OneTimeCode::generate();
    let email_hash = state.code_hash(Purpose::ChangeEmail, &email_code);
    let now = state.now();
    let session = session.clone();
    state
        .write_and_send(move |tx| -> Result<CodeOutcome, AppError> {
            let check = codes::check(
                tx,
                account,
                Purpose::ConfirmChange,
                submitted.as_deref(),
                now,
            )?;
            let new = match accepted(check) {
                Ok(Some(t)) if t.starts_with(CONFIRM_EMAIL) => t[CONFIRM_EMAIL.len()..].to_string(),
                Ok(_) => return Ok(CodeOutcome::Void),
                Err(outcome) => {
                    if let CodeOutcome::Wrong { .. } = outcome {
                        let email = session.email.clone().unwrap_or_default();
                        let why = "wrong SMS code changing the email address";
                        super::failed_step(tx, account, &email, &ip, why, now)?;
                    }
                    return Ok(outcome);
                }
            };
            send_email_code(tx, account, &new, &email_hash, &email_code, lang, now)?;
            Ok(CodeOutcome::Accepted(renew(tx, &session, now)?))
        })
        .await
}

/// The address a code was last sent to, while that code is unused.
pub async fn pending_address(
    state: &AppState,
    account: AccountId,
) -> Result<Option<String>, AppError> {
    db::read(&state.pool, move |c| {
        codes::pending_target(c, account, Purpose::ChangeEmail)
    })
    .await
}

pub enum EmailVerify {
    Changed,
    /// The address got an account of its own meanwhile.
    Taken,
    /// A wrong, expired or spent code (never `Accepted`).
    Code(CodeOutcome),
}

/// The right code makes the new address the account's email and username; the old
/// address is told. An unconfirmed account holding the new address (never proved to be
/// its owner's) is removed, since this person has just proved the address is theirs.
#[tracing::instrument(skip_all)]
pub async fn verify_email_change(
    state: &AppState,
    session: &SessionView,
    code: OneTimeCode,
) -> Result<EmailVerify, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let submitted = state.code_hash(Purpose::ChangeEmail, &code);
    let now = state.now();
    let session = session.clone();
    state
        .write_and_send(move |tx| -> Result<EmailVerify, AppError> {
            let check = codes::check(tx, account, Purpose::ChangeEmail, Some(&submitted), now)?;
            let new = match accepted(check) {
                Ok(Some(new)) => new,
                Ok(None) => return Ok(EmailVerify::Code(CodeOutcome::Void)),
                Err(outcome) => return Ok(EmailVerify::Code(outcome)),
            };
            if let Some(holder) = accounts::by_email(tx, &new)? {
                if holder.id == account {
                    return Ok(EmailVerify::Changed);
                }
                if holder.confirmed_at.is_some() {
                    return Ok(EmailVerify::Taken);
                }
                accounts::delete_unconfirmed_holder(tx, &new)?;
            }
            let old = accounts::by_id(tx, account)?.ok_or(AppError::NotFound)?;
            accounts::set_email(tx, account, &new)?;
            super::protection_changed(tx, account, Some(&session.id_hash), now)?;
            let masked = Email::parse(&new).map(|e| e.masked()).unwrap_or_default();
            outbox::enqueue(
                tx,
                &messages::email_changed(Texts::new(old.lang), &old.email, &masked),
                now,
            )?;
            Ok(EmailVerify::Changed)
        })
        .await
}

/// Changes the password if the current one is right: every other session of the
/// account ends, unused reset links stop working, this session gets a new id
/// (returned) and the owner gets an email. `None` means the current password was wrong.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    state: &AppState,
    session: &SessionView,
    current: SecretString,
    new: NewPassword,
    ip: String,
) -> Result<Option<Token>, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let Some(a) = check_password(state, account, &current, &ip).await? else {
        return Ok(None);
    };
    let hash = state.hasher.hash(new.expose()).await?;
    let now = state.now();
    let session = session.clone();
    let token = state
        .write_and_send(move |tx| -> Result<Token, AppError> {
            accounts::set_password(tx, account, &hash)?;
            accounts::clear_failed_logins(tx, account)?;
            reset_links::use_all(tx, account, now)?;
            sessions::delete_for_account(tx, account, Some(&session.id_hash))?;
            outbox::enqueue(
                tx,
                &messages::password_changed_in_settings(Texts::new(a.lang), &a.email),
                now,
            )?;
            Ok(renew(tx, &session, now)?)
        })
        .await?;
    Ok(Some(token))
}
