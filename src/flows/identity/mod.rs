//! The account flows: each public function is one step a person takes, done in
//! one transaction together with the messages it causes. Handlers call these.
use r2d2_sqlite::rusqlite::Connection;

use crate::db::codes::{self, CodeCheck, Purpose};
use crate::db::outbox::{self, Outbox, Outgoing};
use crate::db::sessions::{self, NewSession};
use crate::db::SqlError;
use crate::domain::rules::CODE_RESEND_INTERVAL;
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
use crate::domain::session::{Assurance, Method, Stage};
use crate::domain::AccountId;
use crate::state::AppState;

pub mod credentials;
pub mod devices;
pub mod eid;
pub mod login;
pub mod reset;
pub mod sign_up;
pub mod staff;
pub mod two_step;

/// The target of a `confirm_change` code that turns two-step verification off.
const CONFIRM_TWO_STEP_OFF: &str = "two_step_off";
/// The target prefix of a `confirm_change` code that lets a new email address be
/// asked for (the address follows).
const CONFIRM_EMAIL: &str = "email:";

/// What entering a code led to.
pub enum CodeOutcome {
    /// Right code; the session moved on and has a new id.
    Accepted(Token),
    Wrong {
        tries_left: i64,
    },
    Expired,
    /// Too many wrong tries or no live code: a new one is needed.
    Void,
    /// Too many wrong codes today: only support can help.
    Capped,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Resend {
    Sent,
    TooSoon,
}

impl AppState {
    pub(crate) fn code_hash(&self, purpose: Purpose, code: &OneTimeCode) -> Vec<u8> {
        self.keyring.code_hash(purpose.as_str(), code)
    }
}

/// Issues a code and queues the message carrying it, unless one for the same
/// target was sent within the resend interval (a code for another target, say
/// another new address, goes out at once and voids the earlier one).
fn issue_code_throttled(
    tx: &Outbox,
    account: AccountId,
    purpose: Purpose,
    code_hash: &[u8],
    target: Option<&str>,
    message: &Outgoing,
    now: i64,
) -> Result<Resend, SqlError> {
    let recent = codes::last_issued_at(tx, account, purpose)?
        .is_some_and(|at| now - at < CODE_RESEND_INTERVAL);
    if recent && codes::pending_target(tx, account, purpose)?.as_deref() == target {
        return Ok(Resend::TooSoon);
    }
    codes::issue(tx, account, purpose, code_hash, target, now)?;
    outbox::enqueue(tx, message, now)?;
    Ok(Resend::Sent)
}

/// Moves a session to its next login step under a new id.
fn advance(
    tx: &Connection,
    old: &SessionView,
    stage: Stage,
    method: Method,
    assurance: Assurance,
    now: i64,
) -> Result<Token, SqlError> {
    let token = Token::generate();
    sessions::rotate(tx, old, &token.hash(), stage, method, assurance, now)?;
    Ok(token)
}

/// Gives a session a new id at the same stage, after the person passed a check of
/// their password again: that is a login step too.
fn renew(tx: &Connection, session: &SessionView, now: i64) -> Result<Token, SqlError> {
    advance(
        tx,
        session,
        session.stage,
        session.method,
        session.assurance,
        now,
    )
}

/// Starts a fresh session, ending `replacing` (the browser's previous one) if any.
fn start_session(
    tx: &Connection,
    replacing: Option<&[u8]>,
    account: Option<AccountId>,
    stage: Stage,
    method: Method,
    assurance: Assurance,
    now: i64,
) -> Result<Token, SqlError> {
    fresh_session(
        tx,
        replacing,
        &NewSession {
            id_hash: &[],
            account,
            questionnaire: None,
            stage,
            method,
            assurance,
            started_at: now,
            person: None,
        },
        now,
    )
}

/// The person in Sweden's session for one questionnaire (its id), replacing the
/// browser's previous session if any.
pub(crate) fn start_questionnaire_session(
    tx: &Connection,
    replacing: Option<&[u8]>,
    questionnaire: i64,
    now: i64,
) -> Result<Token, SqlError> {
    fresh_session(
        tx,
        replacing,
        &NewSession {
            id_hash: &[],
            account: None,
            questionnaire: Some(questionnaire),
            stage: Stage::Authenticated,
            method: Method::Questionnaire,
            assurance: Assurance::Basic,
            started_at: now,
            person: None,
        },
        now,
    )
}

/// Inserts `session` under a new random id (its `id_hash` is replaced).
fn fresh_session(
    tx: &Connection,
    replacing: Option<&[u8]>,
    session: &NewSession,
    now: i64,
) -> Result<Token, SqlError> {
    if let Some(old) = replacing {
        sessions::delete(tx, old)?;
    }
    let token = Token::generate();
    let hash = token.hash();
    sessions::insert(
        tx,
        &NewSession {
            id_hash: &hash,
            ..*session
        },
        now,
    )?;
    Ok(token)
}

/// Asks a logged-in person for their password again (turning two-step off, changing
/// the password or, after a while, the email address). A wrong one counts as a failed
/// login, and the account's growing delay and lock apply here as at the login page,
/// so a session left open cannot be used to guess the password. Returns the account
/// when the password is right.
async fn check_password(
    state: &AppState,
    account: AccountId,
    password: &secrecy::SecretString,
    ip: &str,
) -> Result<Option<crate::db::accounts::Account>, crate::error::AppError> {
    use crate::db::{self, accounts};
    let now = state.now();
    let stored = db::read(&state.pool, move |c| accounts::by_id(c, account)).await?;
    let Verified { right, waiting } =
        verify_password(state, stored.as_ref(), password, now).await?;
    let Some(a) = stored else {
        return Ok(None);
    };
    if !right && !waiting {
        let (email, ip) = (a.email.clone(), ip.to_string());
        db::write(&state.pool, move |tx| {
            failed_step(
                tx,
                account,
                &email,
                &ip,
                "wrong password at a settings check",
                now,
            )
        })
        .await?;
    }
    Ok(right.then_some(a))
}

/// How the account is protected has changed (two-step, phone, email address): its
/// sessions end but `keep` (the one making the change, if any) and its unused reset
/// links stop working, so what was let in before must log in again.
pub(crate) fn protection_changed(
    tx: &Connection,
    account: AccountId,
    keep: Option<&[u8]>,
    now: i64,
) -> Result<(), SqlError> {
    sessions::delete_for_account(tx, account, keep)?;
    codes::reset::use_all(tx, account, now)?;
    Ok(())
}

/// What checking a password against an account found.
struct Verified {
    /// The password is the account's, and the account is not waiting out a delay.
    right: bool,
    /// The account is locked or inside the growing delay earned by failed steps.
    waiting: bool,
}

/// Checks `password` against the account's hash, or against the dummy hash when
/// there is no account or it is waiting, so every path costs one argon2 verification
/// and timing tells nothing.
async fn verify_password(
    state: &AppState,
    account: Option<&crate::db::accounts::Account>,
    password: &secrecy::SecretString,
    now: i64,
) -> Result<Verified, crate::error::AppError> {
    use crate::domain::rules::login_blocked;
    let waiting = account.is_some_and(|a| login_blocked(a.failed_logins, a.last_failed_at, now));
    let stored = account
        .filter(|_| !waiting)
        .map(|a| a.password_hash.clone());
    let right = state.hasher.verify(password, stored).await? && !waiting;
    Ok(Verified { right, waiting })
}

/// Counts a failed login step of `account` and records it in the audit log, with
/// the lock when this failure is the one that locks the account.
fn failed_step(
    tx: &Connection,
    account: AccountId,
    email: &str,
    ip: &str,
    detail: &str,
    now: i64,
) -> Result<(), SqlError> {
    use crate::db::accounts;
    use crate::db::audit::{ActorKind, Entry};
    let count = accounts::record_failed_login(tx, account, now)?;
    Entry::new(ActorKind::Applicant, email, "applicant_login_failed")
        .ip(ip)
        .detail(detail)
        .record(tx, now)?;
    if count == crate::domain::rules::LOGIN_LOCK_AFTER {
        Entry::new(ActorKind::Applicant, email, "applicant_locked")
            .ip(ip)
            .record(tx, now)?;
    }
    Ok(())
}

/// The target of an accepted code, or the outcome a person sees for any other check.
fn accepted(check: CodeCheck) -> Result<Option<String>, CodeOutcome> {
    match check {
        CodeCheck::Accepted { target } => Ok(target),
        CodeCheck::Wrong { tries_left } => Err(CodeOutcome::Wrong { tries_left }),
        CodeCheck::Expired => Err(CodeOutcome::Expired),
        CodeCheck::Void => Err(CodeOutcome::Void),
        CodeCheck::Capped => Err(CodeOutcome::Capped),
    }
}

/// Maps a stored code check to the outcome a person sees, running `on_accept` for the right code.
fn code_outcome(
    check: CodeCheck,
    on_accept: impl FnOnce(Option<String>) -> Result<Token, SqlError>,
) -> Result<CodeOutcome, SqlError> {
    Ok(match check {
        CodeCheck::Accepted { target } => CodeOutcome::Accepted(on_accept(target)?),
        CodeCheck::Wrong { tries_left } => CodeOutcome::Wrong { tries_left },
        CodeCheck::Expired => CodeOutcome::Expired,
        CodeCheck::Void => CodeOutcome::Void,
        CodeCheck::Capped => CodeOutcome::Capped,
    })
}
