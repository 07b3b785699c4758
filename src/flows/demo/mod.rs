//! `kansli demo`: a database for a demo environment, made by the steps people
//! take in the portal (the same flows, so the same password hashes, sealed
//! authenticator secrets, verification numbers, timelines, emails and audit
//! entries), on a clock moved through the last three weeks so timelines read
//! as real ones. Development mode only: the CLI refuses it in production.
//!
//! The logins are printed so a presenter can log in at once, and printed again
//! by a second run, which adds nothing. Nothing secret is stored in clear for
//! that: the passwords are worked out again from the installation key (an HMAC,
//! which tells nothing of the key), and the authenticator secrets are opened
//! with the secret key file as the staff login opens them. Whoever can run this
//! command can read both files anyway, and the demo's accounts exist only in a
//! development database.
mod cast;
mod story;

use secrecy::SecretString;

use crate::db::{self, accounts, staff as staff_db};
use crate::domain::password::NewPassword;
use crate::domain::phone::Phone;
use crate::domain::rules::DAY;
use crate::domain::secret::Token;
use crate::domain::staff::{Role, StaffId, StaffMember};
use crate::domain::totp::TotpSecret;
use crate::domain::AccountId;
use crate::error::AppError;
use crate::flows::identity::staff::{self, Setup};
use crate::state::AppState;

use cast::{Applicant, APPLICANTS, STAFF};

/// Who can log in, and how.
pub struct Login {
    pub email: String,
    pub password: String,
    pub kind: LoginKind,
}

pub enum LoginKind {
    /// An applicant; with two-step verification, the number SMS codes go to.
    Applicant { sms_to: Option<String> },
    /// Staff, with the authenticator secret (base32) to type into an app.
    Staff { role: Role, secret: String },
}

pub struct Demo {
    pub logins: Vec<Login>,
    /// True when an earlier run had filled the database: nothing was added.
    pub already: bool,
}

/// Where the story starts: three weeks before now.
const STORY_DAYS: i64 = 21;

/// The address the audit log names for the demo's own steps.
const DEMO_IP: &str = "127.0.0.1";

/// Fills the database, unless an earlier run did; either way returns the logins.
/// `state` must run on a manual clock set to now: the story moves it back and
/// brings it to now again.
pub async fn fill(state: &AppState) -> Result<Demo, AppError> {
    let now = state.now();
    let already = finished(state).await?;
    if !already {
        if started(state).await? {
            return Err(AppError::Unexpected(anyhow::anyhow!(
                "an earlier `kansli demo` stopped part way; run it on an empty data directory"
            )));
        }
        state.clock.set(now - STORY_DAYS * DAY);
        let caseworker = set_up_staff(state, STAFF[0].0, STAFF[0].1).await?;
        set_up_staff(state, STAFF[1].0, STAFF[1].1).await?;
        let caseworker = StaffMember {
            id: caseworker,
            email: STAFF[0].0.to_string(),
            role: Role::Caseworker,
        }
        .as_caseworker()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("the caseworker's role")))?;
        story::tell(state, &caseworker, now).await?;
        state.clock.set(now);
        // Last: the marker of a finished demo.
        set_up_staff(state, STAFF[2].0, STAFF[2].1).await?;
    }
    Ok(Demo {
        logins: logins(state).await?,
        already,
    })
}

async fn finished(state: &AppState) -> Result<bool, AppError> {
    let admin = STAFF[2].0;
    Ok(db::read(&state.pool, move |c| staff_db::by_email(c, admin))
        .await?
        .is_some_and(|s| s.setup_at.is_some()))
}

async fn started(state: &AppState) -> Result<bool, AppError> {
    let first = APPLICANTS[0].email;
    let staff_first = STAFF[0].0;
    db::read(&state.pool, move |c| {
        Ok(
            accounts::by_email(c, first)?.is_some()
                || staff_db::by_email(c, staff_first)?.is_some(),
        )
    })
    .await
}

/// The demo password of `email`: the same on every run of this installation.
fn password(state: &AppState, email: &str) -> String {
    let token = state.keyring.derived_token("demo_password", email);
    token.expose()[..24].to_string()
}

fn new_password(state: &AppState, email: &str) -> Result<NewPassword, AppError> {
    let typed: SecretString = password(state, email).into();
    NewPassword::parse(&typed, &typed, &[email])
        .map_err(|p| AppError::Unexpected(anyhow::anyhow!("demo password refused: {p:?}")))
}

/// A confirmed applicant account, with two-step verification on if the cast says so.
async fn applicant(state: &AppState, who: &Applicant) -> Result<AccountId, AppError> {
    let hash = state
        .hasher
        .hash(new_password(state, who.email)?.expose())
        .await?;
    let phone = who
        .two_step
        .map(|number| Phone::parse(Some("SE"), number))
        .transpose()
        .map_err(|p| AppError::Unexpected(anyhow::anyhow!("demo phone refused: {p:?}")))?;
    let (email, lang, now) = (who.email, who.lang, state.now());
    db::write(&state.pool, move |tx| -> Result<AccountId, AppError> {
        let id = accounts::insert(tx, email, &hash, lang, now)?;
        accounts::confirm(tx, id, now)?;
        if let Some(phone) = &phone {
            accounts::enable_two_step(tx, id, phone.as_str())?;
        }
        Ok(id)
    })
    .await
}

/// A staff account as `kansli staff add` makes it, set up through its link as
/// the person would: the authenticator code of the step before now, so the
/// current step's code still logs in.
async fn set_up_staff(state: &AppState, email: &str, role: Role) -> Result<StaffId, AppError> {
    let now = state.now();
    let link = staff::add(
        &state.pool,
        &state.sealing,
        &state.settings.public_url(),
        email,
        role,
        now,
    )
    .map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?;
    let token = link
        .rsplit("token=")
        .next()
        .and_then(Token::from_client)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("a setup link without a token")))?;
    let member = staff::setup_for(state, &token)
        .await?
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("the setup link just made")))?;
    let id = member.id;
    let code = TotpSecret::from_stored(member.totp_secret.clone())
        .code_at(now - crate::domain::totp::STEP);
    let password = new_password(state, email)?;
    match staff::complete_setup(state, &token, member, password, &code, DEMO_IP.into()).await? {
        Setup::Done => Ok(id),
        Setup::WrongCode | Setup::LinkGone => Err(AppError::Unexpected(anyhow::anyhow!(
            "the setup of {email} was refused"
        ))),
    }
}

/// The logins, worked out again from the installation key and the database.
async fn logins(state: &AppState) -> Result<Vec<Login>, AppError> {
    let mut all = Vec::new();
    for who in APPLICANTS {
        let sms_to = who
            .two_step
            .and_then(|n| Phone::parse(Some("SE"), n).ok())
            .map(|p| p.as_str().to_string());
        all.push(Login {
            email: who.email.to_string(),
            password: password(state, who.email),
            kind: LoginKind::Applicant { sms_to },
        });
    }
    for (email, role) in STAFF {
        let member = db::read(&state.pool, move |c| staff_db::by_email(c, email))
            .await?
            .ok_or(AppError::NotFound)?;
        let secret = state
            .sealing
            .open(db::installation::TOTP_SECRET, &member.totp_secret)
            .ok_or_else(|| {
                AppError::Unexpected(anyhow::anyhow!(
                    "the authenticator secret of {email} does not open with the secret key"
                ))
            })?;
        all.push(Login {
            email: email.to_string(),
            password: password(state, email),
            kind: LoginKind::Staff {
                role,
                secret: TotpSecret::from_stored(secret).base32(),
            },
        });
    }
    Ok(all)
}
