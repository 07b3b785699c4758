//! Staff accounts: created on the command line, finished through a one-time setup
//! link (password and authenticator app), logged in with both. Every login, failed
//! login, lock and setup, and every change from the command line, is written to the
//! audit log.
use r2d2_sqlite::rusqlite::Connection;
use secrecy::SecretString;

use crate::db::audit::{ActorKind, Entry};
use crate::db::installation::TOTP_SECRET;
use crate::db::staff::{self, sessions, setup_links, Staff};
use crate::db::{self, Pool};
use crate::domain::email::Email;
use crate::domain::password::NewPassword;
use crate::domain::rules::{staff_locked_until, STAFF_SETUP_LINK_VALID};
use crate::domain::secret::SealingKey;
use crate::domain::secret::Token;
use crate::domain::staff::{Role, StaffId, StaffMember};
use crate::domain::totp::TotpSecret;
use crate::error::AppError;
use crate::state::AppState;

/// The issuer name authenticator apps show next to the code.
pub const ISSUER: &str = "Kansli";

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("{0} is not an email address")]
    Email(String),
    #[error("{0} already has a staff account that has been set up")]
    Exists(String),
    #[error(transparent)]
    Other(#[from] AppError),
}

/// Creates a staff account (or renews the setup link of one never set up) and returns
/// the setup link, valid for 24 hours. Runs on the command line, off any async runtime.
pub fn add(
    pool: &Pool,
    kek: &SealingKey,
    base_url: &str,
    email: &str,
    role: Role,
    now: i64,
) -> Result<String, AddError> {
    let email = Email::parse(email).map_err(|_| AddError::Email(email.to_string()))?;
    let token = Token::generate();
    let token_hash = token.hash();
    let mut conn = pool.get().map_err(|e| AppError::Unexpected(e.into()))?;
    // Read inside the write: two commands adding one address at once then renew
    // each other's link instead of the second failing on the unique address.
    db::write_with(&mut conn, |tx| -> Result<Result<(), AddError>, AppError> {
        // The key must be the one that sealed this database's secrets (and seals
        // them first if nothing has yet), or the new secret would open for no one.
        crate::db::installation::key(tx, kek, crate::domain::secret::random_key())?;
        let existing = staff::by_email(tx, email.as_str())?;
        if let Some(s) = existing.as_ref().filter(|s| s.setup_at.is_some()) {
            return Ok(Err(AddError::Exists(s.email.clone())));
        }
        // A link issued again brings a fresh secret: the old link's QR code enrols no one.
        let secret = kek.seal(TOTP_SECRET, TotpSecret::generate().as_bytes());
        let id = match existing {
            Some(s) => {
                staff::renew_secret(tx, s.id, &secret)?;
                s.id
            }
            None => staff::insert(tx, email.as_str(), role, &secret, now)?,
        };
        setup_links::insert(tx, &token_hash, id, now, now + STAFF_SETUP_LINK_VALID)?;
        Entry::new(ActorKind::System, "kansli staff add", "staff_added")
            .target(email.as_str())
            .detail(role.as_str())
            .record(tx, now)?;
        Ok(Ok(()))
    })??;
    Ok(format!(
        "{base_url}{}",
        crate::paths::staff_setup(token.expose())
    ))
}

/// Every staff account, for `kansli staff list`.
pub fn list(pool: &Pool) -> Result<Vec<Staff>, AppError> {
    let conn = pool.get().map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(staff::list(&conn)?)
}

/// Where a staff member stands, as `kansli staff list` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Barred by an admin until enabled again.
    Disabled,
    /// Waiting out the delay their failed logins earned.
    Locked {
        until: i64,
    },
    WaitingForSetup,
    Active,
}

pub fn standing(member: &Staff, now: i64) -> Standing {
    match staff_locked_until(member.failed_logins, member.last_failed_at) {
        _ if member.disabled_at.is_some() => Standing::Disabled,
        Some(until) if now < until => Standing::Locked { until },
        _ if member.setup_at.is_none() => Standing::WaitingForSetup,
        _ => Standing::Active,
    }
}

/// Lifts a staff member's lock before its delay is over. Returns false for an unknown address.
pub fn unlock(pool: &Pool, email: &str, now: i64) -> Result<bool, AppError> {
    let mut conn = pool.get().map_err(|e| AppError::Unexpected(e.into()))?;
    db::write_with(&mut conn, |tx| -> Result<bool, AppError> {
        let done = staff::unlock(tx, email)?;
        if done {
            Entry::new(ActorKind::System, "kansli staff unlock", "staff_unlocked")
                .target(email)
                .record(tx, now)?;
        }
        Ok(done)
    })
}

/// Lets a disabled staff member log in again. Returns false for an unknown address.
pub fn enable(pool: &Pool, email: &str, now: i64) -> Result<bool, AppError> {
    let mut conn = pool.get().map_err(|e| AppError::Unexpected(e.into()))?;
    db::write_with(&mut conn, |tx| -> Result<bool, AppError> {
        let done = staff::enable(tx, email)?;
        if done {
            Entry::new(ActorKind::System, "kansli staff enable", "staff_enabled")
                .target(email)
                .record(tx, now)?;
        }
        Ok(done)
    })
}

/// Gives a staff member another role; it applies to their sessions at once.
/// Returns the role they had, or `None` for an unknown address.
pub fn set_role(pool: &Pool, email: &str, role: Role, now: i64) -> Result<Option<Role>, AppError> {
    let mut conn = pool.get().map_err(|e| AppError::Unexpected(e.into()))?;
    db::write_with(&mut conn, |tx| -> Result<Option<Role>, AppError> {
        let Some(member) = staff::by_email(tx, email)? else {
            return Ok(None);
        };
        staff::set_role(tx, member.id, role)?;
        let change = format!("{} → {}", member.role.as_str(), role.as_str());
        Entry::new(ActorKind::System, "kansli staff role", "staff_role_changed")
            .target(&member.email)
            .detail(&change)
            .record(tx, now)?;
        Ok(Some(member.role))
    })
}

/// Disables a staff account and ends its sessions. Returns false for an unknown address.
pub fn disable(pool: &Pool, email: &str, now: i64) -> Result<bool, AppError> {
    let mut conn = pool.get().map_err(|e| AppError::Unexpected(e.into()))?;
    db::write_with(&mut conn, |tx| -> Result<bool, AppError> {
        let done = staff::disable(tx, email, now)?;
        if done {
            Entry::new(ActorKind::System, "kansli staff disable", "staff_disabled")
                .target(email)
                .record(tx, now)?;
        }
        Ok(done)
    })
}

/// The staff member a setup link is for, while it is good, with the
/// authenticator secret opened for the QR code.
pub async fn setup_for(state: &AppState, token: &Token) -> Result<Option<Staff>, AppError> {
    let hash = token.hash();
    let now = state.now();
    let member = db::read(&state.pool, move |c| setup_links::find_live(c, &hash, now)).await?;
    member.map(|m| opened(state, m)).transpose()
}

/// The member with the authenticator secret opened with the key-encryption key
/// (it is stored sealed); it lives only in memory.
fn opened(state: &AppState, mut member: Staff) -> Result<Staff, AppError> {
    member.totp_secret = state
        .sealing
        .open(TOTP_SECRET, &member.totp_secret)
        .ok_or_else(|| {
            AppError::Unexpected(anyhow::anyhow!(
                "the authenticator secret of staff {} does not open with the secret key",
                member.id.0
            ))
        })?;
    Ok(member)
}

pub enum Setup {
    Done,
    /// The authenticator code did not match: the app is not enrolled yet.
    WrongCode,
    /// Used, expired, or never issued.
    LinkGone,
}

/// Sets the password once the authenticator app shows that it holds the secret.
#[tracing::instrument(skip_all)]
/// `member` is the one [`setup_for`] found; the link is checked again as the password is set.
pub async fn complete_setup(
    state: &AppState,
    token: &Token,
    member: Staff,
    password: NewPassword,
    code: &str,
    ip: String,
) -> Result<Setup, AppError> {
    let now = state.now();
    let Some(step) = TotpSecret::from_stored(member.totp_secret.clone()).check(code, now, 0) else {
        return Ok(Setup::WrongCode);
    };
    let hash = state.hasher.hash(password.expose()).await?;
    let token_hash = token.hash();
    db::write(&state.pool, move |tx| -> Result<Setup, AppError> {
        if setup_links::find_live(tx, &token_hash, now)?.is_none() {
            return Ok(Setup::LinkGone);
        }
        staff::complete_setup(tx, member.id, &hash, step, now)?;
        setup_links::spend(tx, &token_hash, now)?;
        Entry::new(ActorKind::Staff, &member.email, "staff_setup")
            .ip(&ip)
            .record(tx, now)?;
        Ok(Setup::Done)
    })
    .await
}

/// The login: password and authenticator code together. Unknown address, wrong
/// password, wrong or reused code, disabled or locked: all fail alike, and every path
/// costs one argon2 verification. Returns the new session's token.
#[tracing::instrument(skip_all)]
pub async fn login(
    state: &AppState,
    email: &str,
    password: SecretString,
    code: &str,
    ip: String,
) -> Result<Option<Token>, AppError> {
    let now = state.now();
    let typed = Email::parse(email)
        .map(|e| e.as_str().to_string())
        .unwrap_or_default();
    let key = typed.clone();
    let member = db::read(&state.pool, move |c| staff::by_email(c, &key))
        .await?
        .map(|m| opened(state, m))
        .transpose()?;
    let usable = member.as_ref().filter(|s| may_try(s, now));
    let right = state
        .hasher
        .verify(&password, usable.and_then(|s| s.password_hash.clone()))
        .await?;
    let step = usable.filter(|_| right).and_then(|s| {
        TotpSecret::from_stored(s.totp_secret.clone()).check(code, now, s.totp_last_step)
    });
    let id = member.as_ref().map(|s| s.id);
    let token = Token::generate();
    let token_hash = token.hash();
    let ok = db::write(&state.pool, move |tx| -> Result<bool, AppError> {
        let passed = match (id, step) {
            (Some(id), Some(step)) => staff::spend_totp_step(tx, id, step)?,
            _ => false,
        };
        match id {
            Some(id) if passed => {
                staff::clear_failed_logins(tx, id)?;
                sessions::insert(tx, &token_hash, id, now)?;
                Entry::new(ActorKind::Staff, &typed, "staff_login")
                    .ip(&ip)
                    .record(tx, now)?;
            }
            _ => {
                let refused = match id {
                    Some(id) => !count_failure(tx, id, &ip, now)?,
                    None => false,
                };
                let mut failed =
                    Entry::new(ActorKind::Anonymous, &typed, "staff_login_failed").ip(&ip);
                if refused {
                    failed = failed.detail("refused unheard: disabled or locked");
                }
                failed.record(tx, now)?;
            }
        }
        Ok(passed)
    })
    .await?;
    Ok(ok.then_some(token))
}

/// Whether a member's password and code are checked at all at `now`.
fn may_try(member: &Staff, now: i64) -> bool {
    !matches!(
        standing(member, now),
        Standing::Disabled | Standing::Locked { .. }
    )
}

/// Counts a failed login of `id`, and audits the lock it brings once past the free
/// failures. An attempt refused unheard (disabled, or locked) is not counted: it
/// says nothing of the password, and counting it let a burst of requests lock an
/// account for good. The member is read again here, in the write, so an attempt
/// that raced the one that locked the account is refused too. Returns whether it counted.
fn count_failure(tx: &Connection, id: StaffId, ip: &str, now: i64) -> Result<bool, AppError> {
    let Some(member) = staff::by_id(tx, id)?.filter(|m| may_try(m, now)) else {
        return Ok(false);
    };
    let failures = staff::record_failed_login(tx, id, now)?;
    if let Some(until) = staff_locked_until(failures, Some(now)) {
        let detail = format!("for {} seconds after {failures} failed logins", until - now);
        Entry::new(ActorKind::System, "staff login", "staff_locked")
            .target(&member.email)
            .ip(ip)
            .detail(&detail)
            .record(tx, now)?;
    }
    Ok(true)
}

pub async fn logout(
    state: &AppState,
    id_hash: Vec<u8>,
    email: String,
    ip: String,
) -> Result<(), AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| -> Result<(), AppError> {
        sessions::delete(tx, &id_hash)?;
        Entry::new(ActorKind::Staff, &email, "staff_logout")
            .ip(&ip)
            .record(tx, now)?;
        Ok(())
    })
    .await
}

/// Records that `member` asked for `path`, which only `needed` reaches, and was
/// refused (the 403 itself is the caller's).
pub async fn refused(
    state: &AppState,
    member: &StaffMember,
    needed: Role,
    path: String,
    ip: String,
) -> Result<(), AppError> {
    let (actor, now) = (member.email.clone(), state.now());
    db::write(&state.pool, move |tx| {
        Entry::new(ActorKind::Staff, &actor, "staff_refused")
            .target(&path)
            .ip(&ip)
            .detail(needed.as_str())
            .record(tx, now)
    })
    .await
}
