//! Account settings: a new email address, proved by a code sent to it, and a new password.
use secrecy::SecretString;

use super::{check_password, issue_code_throttled, renew, CodeOutcome, Resend};
use crate::db::codes::{self, reset as reset_links, CodeCheck, Purpose};
use crate::db::{self, accounts, outbox, sessions};
use crate::domain::email::Email;
use crate::domain::password::NewPassword;
use crate::domain::rules::recently_authenticated;
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
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
    /// The password was needed again and was wrong (or missing).
    WrongPassword,
}

/// Whether changing the email address needs the password again in this session.
pub fn needs_password(session: &SessionView, now: i64) -> bool {
    !recently_authenticated(session.last_step_at, now)
}

/// Sends a code to the new address. An address that already has a (confirmed) account
/// gets a message saying so instead, and the person here sees the same next page, so the
/// form tells no one which addresses have accounts. When the last login step is more
/// than a few minutes old, the password is checked first and the session, having passed
/// a login step, gets a new id (returned).
#[tracing::instrument(skip_all)]
pub async fn start_email_change(
    state: &AppState,
    session: &SessionView,
    new: Email,
    password: Option<SecretString>,
    lang: Lang,
    ip: String,
) -> Result<(EmailStart, Option<Token>), AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let reauthenticate = needs_password(session, state.now());
    if reauthenticate {
        let right = match &password {
            Some(p) => check_password(state, account, p, &ip).await?.is_some(),
            None => false,
        };
        if !right {
            return Ok((EmailStart::WrongPassword, None));
        }
    }
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::ChangeEmail, &code);
    let now = state.now();
    let session = session.clone();
    state
        .write_and_send(move |tx| -> Result<_, AppError> {
            let token = if reauthenticate {
                Some(renew(tx, &session, now)?)
            } else {
                None
            };
            let holder = accounts::by_email(tx, new.as_str())?;
            let message = match holder {
                Some(h) if h.id != account && h.confirmed_at.is_some() => {
                    messages::address_in_use(Texts::new(h.lang), new.as_str())
                }
                _ => messages::change_email_code(Texts::new(lang), new.as_str(), &code),
            };
            let sent = issue_code_throttled(
                tx,
                account,
                Purpose::ChangeEmail,
                &code_hash,
                Some(new.as_str()),
                &message,
                now,
            )?;
            let outcome = match sent {
                Resend::Sent => EmailStart::Sent,
                Resend::TooSoon => EmailStart::TooSoon,
            };
            Ok((outcome, token))
        })
        .await
}

/// The address a code was last sent to, while that code is unused.
pub async fn pending_address(
    state: &AppState,
    account: crate::domain::AccountId,
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
    state
        .write_and_send(move |tx| -> Result<EmailVerify, AppError> {
            let check = codes::check(tx, account, Purpose::ChangeEmail, Some(&submitted), now)?;
            let new = match check {
                CodeCheck::Accepted { target: Some(new) } => new,
                CodeCheck::Accepted { target: None } | CodeCheck::Void => {
                    return Ok(EmailVerify::Code(CodeOutcome::Void))
                }
                CodeCheck::Wrong { tries_left } => {
                    return Ok(EmailVerify::Code(CodeOutcome::Wrong { tries_left }))
                }
                CodeCheck::Expired => return Ok(EmailVerify::Code(CodeOutcome::Expired)),
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
