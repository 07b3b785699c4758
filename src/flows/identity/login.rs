//! Logging in: the password step, the SMS step, and logging out.
use r2d2_sqlite::rusqlite::Connection;
use secrecy::SecretString;

use super::{
    advance, code_outcome, failed_step, issue_code_throttled, start_session, verify_password,
    CodeOutcome, Resend, Verified,
};
use crate::db::accounts::Account;
use crate::db::audit::{ActorKind, Entry};
use crate::db::codes::{self, Purpose};
use crate::db::{self, accounts, outbox, sessions, SqlError};
use crate::domain::email::Email;
use crate::domain::rules::{login_blocked, PENDING_LOGIN, SMS_CODES_PER_LOGIN};
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
use crate::domain::session::{Assurance, Method, Stage};
use crate::domain::Lang;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::state::AppState;

pub enum LoginOutcome {
    /// Unknown address, wrong password, unconfirmed, locked or waiting: all look the same.
    Failed,
    /// The password was right and an SMS code is on its way.
    NeedsSms(Token),
    LoggedIn(Token),
}

/// The password step. Every path costs exactly one argon2 verification.
#[tracing::instrument(skip_all)]
pub async fn password(
    state: &AppState,
    email: Option<Email>,
    password: SecretString,
    lang: Lang,
    replacing: Option<Vec<u8>>,
    ip: String,
) -> Result<LoginOutcome, AppError> {
    let outcome = check_password(state, email, password, lang, replacing, ip).await?;
    match outcome {
        LoginOutcome::Failed => state.metrics.failed_login(),
        LoginOutcome::LoggedIn(_) => state.metrics.login(),
        LoginOutcome::NeedsSms(_) => {}
    }
    Ok(outcome)
}

async fn check_password(
    state: &AppState,
    email: Option<Email>,
    password: SecretString,
    lang: Lang,
    replacing: Option<Vec<u8>>,
    ip: String,
) -> Result<LoginOutcome, AppError> {
    state.hasher.refuse_if_full()?;
    let now = state.now();
    let tried = email
        .as_ref()
        .map(|e| e.as_str().to_string())
        .unwrap_or_default();
    let account = match email {
        Some(e) => db::read(&state.pool, move |c| accounts::by_email(c, e.as_str())).await?,
        None => None,
    };
    let Verified { right, waiting } =
        verify_password(state, account.as_ref(), &password, now).await?;
    let Some(account) = account else {
        let ip = ip.clone();
        db::write(&state.pool, move |tx| {
            Entry::new(ActorKind::Anonymous, &tried, "applicant_login_failed")
                .ip(&ip)
                .detail("unknown address")
                .record(tx, now)
        })
        .await?;
        return Ok(LoginOutcome::Failed);
    };
    if waiting || !right {
        let (email, ip) = (account.email.clone(), ip.clone());
        db::write(&state.pool, move |tx| -> Result<(), AppError> {
            if waiting {
                Entry::new(ActorKind::Applicant, &email, "applicant_login_failed")
                    .ip(&ip)
                    .detail("waiting or locked")
                    .record(tx, now)?;
            } else {
                failed_step(tx, account.id, &email, &ip, "wrong password", now)?;
            }
            Ok(())
        })
        .await?;
        return Ok(LoginOutcome::Failed);
    }
    if account.confirmed_at.is_none() {
        return Ok(LoginOutcome::Failed);
    }
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::LoginSms, &code);
    state
        .write_and_send(move |tx| -> Result<LoginOutcome, AppError> {
            // Failures are cleared when the login is complete: with two-step
            // verification that is the SMS step, so a stolen password cannot wipe
            // out the wrong codes counted there.
            accounts::set_lang(tx, account.id, lang)?;
            match account.phone.as_deref().filter(|_| account.two_step) {
                Some(phone) => {
                    codes::issue(tx, account.id, Purpose::LoginSms, &code_hash, None, now)?;
                    outbox::enqueue(tx, &messages::sms_code(Texts::new(lang), phone, &code), now)?;
                    let token = start_session(
                        tx,
                        replacing.as_deref(),
                        Some(account.id),
                        Stage::PendingSms,
                        Method::Password,
                        Assurance::None,
                        now,
                    )?;
                    Ok(LoginOutcome::NeedsSms(token))
                }
                None => {
                    accounts::clear_failed_logins(tx, account.id)?;
                    Entry::new(ActorKind::Applicant, &account.email, "applicant_login")
                        .ip(&ip)
                        .detail(Method::Password.as_str())
                        .record(tx, now)?;
                    let token = start_session(
                        tx,
                        replacing.as_deref(),
                        Some(account.id),
                        Stage::Authenticated,
                        Method::Password,
                        Assurance::Basic,
                        now,
                    )?;
                    Ok(LoginOutcome::LoggedIn(token))
                }
            }
        })
        .await
}

/// The SMS step. Wrong codes count as failed logins; a voided code ends the attempt.
#[tracing::instrument(skip_all)]
pub async fn sms(
    state: &AppState,
    session: SessionView,
    code: Option<OneTimeCode>,
    ip: String,
) -> Result<CodeOutcome, AppError> {
    let Some(account) = session.account_id else {
        return Ok(CodeOutcome::Void);
    };
    let email = session.email.clone().unwrap_or_default();
    let submitted = code.map(|c| state.code_hash(Purpose::LoginSms, &c));
    let now = state.now();
    let outcome = db::write(&state.pool, move |tx| -> Result<CodeOutcome, AppError> {
        let stored = accounts::by_id(tx, account)?;
        if end_if_over(tx, &session, stored.as_ref(), &email, &ip, now)? {
            return Ok(CodeOutcome::Void);
        }
        let check = codes::check(tx, account, Purpose::LoginSms, submitted.as_deref(), now)?;
        let outcome = code_outcome(check, |_| {
            accounts::clear_failed_logins(tx, account)?;
            advance(
                tx,
                &session,
                Stage::Authenticated,
                Method::PasswordSms,
                Assurance::Substantial,
                now,
            )
        })?;
        let entry = |action| Entry::new(ActorKind::Applicant, &email, action).ip(&ip);
        match outcome {
            CodeOutcome::Wrong { .. } => {
                failed_step(tx, account, &email, &ip, "wrong SMS code", now)?;
            }
            CodeOutcome::Void => {
                sessions::delete(tx, &session.id_hash)?;
                failed_step(tx, account, &email, &ip, "SMS code used up", now)?;
            }
            CodeOutcome::Accepted(_) => {
                entry("applicant_login")
                    .detail(Method::PasswordSms.as_str())
                    .record(tx, now)?;
            }
            CodeOutcome::Expired => {
                entry("applicant_login_failed")
                    .detail("SMS code expired")
                    .record(tx, now)?;
            }
            CodeOutcome::Capped => {
                sessions::delete(tx, &session.id_hash)?;
                entry("applicant_login_failed")
                    .detail("too many wrong SMS codes today")
                    .record(tx, now)?;
            }
        }
        Ok(outcome)
    })
    .await?;
    match outcome {
        CodeOutcome::Accepted(_) => state.metrics.login(),
        _ => state.metrics.failed_login(),
    }
    Ok(outcome)
}

/// The SMS step has the password step's limits: it ends 30 minutes after the
/// password was accepted, and waits out the growing delay (or the lock) that failed
/// steps earned. Either ends this login attempt: the session is deleted, the
/// attempt audited, and true returned. `account` is the session's account as the
/// caller read it (None: it is gone).
fn end_if_over(
    tx: &Connection,
    session: &SessionView,
    account: Option<&Account>,
    email: &str,
    ip: &str,
    now: i64,
) -> Result<bool, SqlError> {
    let expired = now - session.last_step_at >= PENDING_LOGIN;
    let blocked = account.is_none_or(|a| login_blocked(a.failed_logins, a.last_failed_at, now));
    if !expired && !blocked {
        return Ok(false);
    }
    sessions::delete(tx, &session.id_hash)?;
    Entry::new(ActorKind::Applicant, email, "applicant_login_failed")
        .ip(ip)
        .detail(if expired {
            "SMS step after 30 minutes"
        } else {
            "waiting or locked"
        })
        .record(tx, now)?;
    Ok(true)
}

/// "Send a new code" at the SMS step, within the step's limits ([`end_if_over`]).
pub async fn resend_sms(
    state: &AppState,
    session: SessionView,
    lang: Lang,
    ip: String,
) -> Result<Resend, AppError> {
    let Some(account) = session.account_id else {
        return Ok(Resend::TooSoon);
    };
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::LoginSms, &code);
    let now = state.now();
    let email = session.email.clone().unwrap_or_default();
    state
        .write_and_send(move |tx| -> Result<Resend, AppError> {
            // The attempt has ended: nothing is sent, and the code page leads to the login.
            let stored = accounts::by_id(tx, account)?;
            if end_if_over(tx, &session, stored.as_ref(), &email, &ip, now)? {
                return Ok(Resend::TooSoon);
            }
            let Some(phone) = stored.and_then(|a| a.phone) else {
                return Ok(Resend::TooSoon);
            };
            let sent = codes::count_since(tx, account, Purpose::LoginSms, session.created_at)?;
            if sent >= SMS_CODES_PER_LOGIN {
                sessions::delete(tx, &session.id_hash)?;
                Entry::new(ActorKind::Applicant, &email, "applicant_login_failed")
                    .ip(&ip)
                    .detail("no more SMS codes for this login")
                    .record(tx, now)?;
                return Ok(Resend::TooSoon);
            }
            let message = messages::sms_code(Texts::new(lang), &phone, &code);
            Ok(issue_code_throttled(
                tx,
                account,
                Purpose::LoginSms,
                &code_hash,
                None,
                &message,
                now,
            )?)
        })
        .await
}

pub async fn logout(state: &AppState, session: Option<SessionView>) -> Result<(), AppError> {
    if let Some(s) = session {
        db::write(&state.pool, move |tx| sessions::delete(tx, &s.id_hash)).await?;
    }
    Ok(())
}
