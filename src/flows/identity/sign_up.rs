//! Creating an account and confirming its email address with the emailed code.
use super::{advance, code_outcome, issue_code_throttled, start_session, CodeOutcome, Resend};
use crate::db::codes::{self, CodeCheck, Purpose};
use crate::db::{self, accounts, outbox, sessions};
use crate::domain::email::Email;
use crate::domain::password::NewPassword;
use crate::domain::rules::CODE_RESEND_INTERVAL;
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
use crate::domain::session::{Assurance, Method, Stage};
use crate::domain::Lang;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::state::AppState;

/// Creates the account and emails a code. The code confirms the sign-up of the
/// session made here, with this password, and no other.
///
/// An unconfirmed account is restarted (new password, new code, any older session
/// ended) only when no live session of another browser is waiting for its code (the
/// same browser signing up again is the same person). While one is, and for
/// an address with a confirmed account, nothing changes: the address's owner is
/// told that someone tried, and the person sees the same next page as for a new
/// account.
#[tracing::instrument(skip_all)]
pub async fn create(
    state: &AppState,
    email: Email,
    password: NewPassword,
    lang: Lang,
    replacing: Option<Vec<u8>>,
) -> Result<Token, AppError> {
    let hash = state.hasher.hash(password.expose()).await?;
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::ConfirmEmail, &code);
    let now = state.now();
    let base = state.settings.public_url();
    let address = decoy_address(state, &email);
    state
        .write_and_send(move |tx| -> Result<Token, AppError> {
            let account = match accounts::by_email(tx, email.as_str())? {
                None => Some(accounts::insert(tx, email.as_str(), &hash, lang, now)?),
                Some(a)
                    if a.confirmed_at.is_none()
                        && sessions::sign_up_waiting(tx, a.id, replacing.as_deref(), now)? =>
                {
                    // Someone's sign-up of this address is waiting for its code: it
                    // keeps its password and code, and nothing here says it exists.
                    outbox::enqueue(
                        tx,
                        &messages::sign_up_pending(Texts::new(a.lang), &a.email),
                        now,
                    )?;
                    None
                }
                Some(a) if a.confirmed_at.is_none() => {
                    sessions::delete_for_account(tx, a.id, None)?;
                    accounts::restart_unconfirmed(tx, a.id, &hash, lang, now)?;
                    Some(a.id)
                }
                Some(a) => {
                    outbox::enqueue(
                        tx,
                        &messages::account_exists(Texts::new(a.lang), &a.email, &base),
                        now,
                    )?;
                    None
                }
            };
            if let Some(id) = account {
                codes::issue(tx, id, Purpose::ConfirmEmail, &code_hash, None, now)?;
                outbox::enqueue(
                    tx,
                    &messages::confirm_code(Texts::new(lang), email.as_str(), &code),
                    now,
                )?;
            }
            let token = start_session(
                tx,
                replacing.as_deref(),
                account,
                Stage::PendingEmail,
                Method::Password,
                Assurance::None,
                now,
            )?;
            sessions::set_typed_email(tx, &token.hash(), email.as_str())?;
            if account.is_none() {
                // No code went out: the session answers as if one had (see `confirm`).
                sessions::start_decoy(tx, &token.hash(), &address, now)?;
            }
            Ok(token)
        })
        .await
}

/// "Wrong address? Start again": the sign-up of this session is dropped (its
/// unconfirmed account too, so the mistyped address holds nothing); one that
/// sent no code only ends its session, alike to the person.
#[tracing::instrument(skip_all)]
pub async fn start_again(state: &AppState, session: SessionView) -> Result<(), AppError> {
    db::write(&state.pool, move |tx| -> Result<(), AppError> {
        if let Some(account) = session.account_id {
            if accounts::by_id(tx, account)?.is_some_and(|a| a.confirmed_at.is_none()) {
                accounts::delete(tx, account)?;
            }
        }
        sessions::delete(tx, &session.id_hash)?;
        Ok(())
    })
    .await
}

/// Checks the emailed code; the right one confirms the account and logs the person in.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    state: &AppState,
    session: SessionView,
    code: Option<OneTimeCode>,
) -> Result<CodeOutcome, AppError> {
    let now = state.now();
    let Some(account) = session.account_id else {
        // No code was sent (the address has an account, or another browser's sign-up
        // of it is waiting), so none can be right; the answers count down as for a
        // real code, so they tell nothing.
        return db::write(&state.pool, move |tx| -> Result<CodeOutcome, AppError> {
            Ok(match sessions::decoy_check(tx, &session.id_hash, now)? {
                CodeCheck::Wrong { tries_left } => CodeOutcome::Wrong { tries_left },
                CodeCheck::Expired => CodeOutcome::Expired,
                CodeCheck::Capped => CodeOutcome::Capped,
                CodeCheck::Accepted { .. } | CodeCheck::Void => CodeOutcome::Void,
            })
        })
        .await;
    };
    let submitted = code.map(|c| state.code_hash(Purpose::ConfirmEmail, &c));
    db::write(&state.pool, move |tx| -> Result<CodeOutcome, AppError> {
        let check = codes::check(
            tx,
            account,
            Purpose::ConfirmEmail,
            submitted.as_deref(),
            now,
        )?;
        Ok(code_outcome(check, |_| {
            accounts::confirm(tx, account, now)?;
            advance(
                tx,
                &session,
                Stage::Authenticated,
                Method::Password,
                Assurance::Basic,
                now,
            )
        })?)
    })
    .await
}

/// "Send a new code", at most once per resend interval.
pub async fn resend(
    state: &AppState,
    session: SessionView,
    lang: Lang,
) -> Result<Resend, AppError> {
    let now = state.now();
    let Some(account) = session.account_id else {
        // No code goes out, but the answer follows the same interval as a real one.
        return db::write(&state.pool, move |tx| -> Result<Resend, AppError> {
            let last = sessions::decoy_sent_at(tx, &session.id_hash)?;
            if last.is_some_and(|at| now - at < CODE_RESEND_INTERVAL) {
                return Ok(Resend::TooSoon);
            }
            let address = sessions::decoy_address(tx, &session.id_hash)?.unwrap_or_default();
            sessions::start_decoy(tx, &session.id_hash, &address, now)?;
            Ok(Resend::Sent)
        })
        .await;
    };
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::ConfirmEmail, &code);
    state
        .write_and_send(move |tx| -> Result<Resend, AppError> {
            let Some(a) = accounts::by_id(tx, account)? else {
                return Ok(Resend::Sent);
            };
            let message = messages::confirm_code(Texts::new(lang), &a.email, &code);
            Ok(issue_code_throttled(
                tx,
                account,
                Purpose::ConfirmEmail,
                &code_hash,
                None,
                &message,
                now,
            )?)
        })
        .await
}

/// The keyed hash a sign-up that sent no code counts its address's wrong tries by.
fn decoy_address(state: &AppState, email: &Email) -> Vec<u8> {
    state
        .keyring
        .derived_token("sign_up_decoy", &email.as_str().to_lowercase())
        .hash()
}
