//! Logging in by e-identification, and linking an account to the identified
//! person. BankID, Mobile BankID and Telia give the substantial assurance level:
//! the account linked to the personal identity number is used, or else a
//! person-only session sees the cases whose applicant has that number. Professional
//! e-ID admits staff of a configured municipality or region to the partner page.

use secrecy::SecretString;

use super::{
    failed_step, fresh_session, issue_code_throttled, verify_password, CodeOutcome, Verified,
};
use crate::db::audit::{ActorKind, Entry};
use crate::db::codes::{self, Purpose};
use crate::db::outbox::{self, Outbox};
use crate::db::sessions::{self, NewSession, Person};
use crate::db::{self, accounts, SqlError};
use crate::domain::email::Email;
use crate::domain::rules::login_blocked;
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
use crate::domain::session::{Assurance, Method, Stage};
use crate::domain::AccountId;
use crate::domain::Lang;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::eid::Identity;
use crate::outbound::notify::messages;
use crate::state::AppState;

pub enum EidLogin {
    /// The account linked to the number.
    Account(Token),
    /// No account has the number: a person-only session.
    Person(Token),
    /// Professional e-ID of an organisation on the list.
    Partner(Token),
    /// Professional e-ID, but the organisation is not on the list.
    UnknownOrganisation,
}

/// A personal identity number as people write it: YYYYMMDD-NNNN.
pub fn display_pin(pin: &str) -> String {
    if pin.len() == 12 {
        format!("{}-{}", &pin[..8], &pin[8..])
    } else {
        pin.to_string()
    }
}

/// Starts the session for whoever the provider identified, replacing the
/// browser's previous session. Recorded in the audit log.
#[tracing::instrument(skip_all)]
pub async fn login(
    state: &AppState,
    method: Method,
    who: Identity,
    replacing: Option<Vec<u8>>,
    ip: String,
) -> Result<EidLogin, AppError> {
    let now = state.now();
    let organisation = who
        .organisation
        .as_ref()
        .filter(|o| state.eid.organisations.iter().any(|known| known.id == o.id))
        .map(|o| o.id.clone());
    db::write(&state.pool, move |tx| -> Result<EidLogin, AppError> {
        let actor = display_pin(&who.pin);
        let person = Person {
            pin: &who.pin,
            name: &who.name,
            organisation: organisation.as_deref(),
        };
        let session = |account: Option<AccountId>| NewSession {
            id_hash: &[],
            account,
            questionnaire: None,
            stage: Stage::Authenticated,
            method,
            assurance: Assurance::Substantial,
            started_at: now,
            person: Some(person),
        };
        if method == Method::Professional {
            let Some(org) = &organisation else {
                Entry::new(ActorKind::Anonymous, &actor, "partner_login_failed")
                    .ip(&ip)
                    .detail(&format!(
                        "organisation not on the list: {}",
                        who.organisation
                            .as_ref()
                            .map(|o| o.id.as_str())
                            .unwrap_or("none")
                    ))
                    .record(tx, now)?;
                return Ok(EidLogin::UnknownOrganisation);
            };
            let token = fresh_session(tx, replacing.as_deref(), &session(None), now)?;
            Entry::new(ActorKind::Partner, &actor, "partner_login")
                .target(org)
                .ip(&ip)
                .record(tx, now)?;
            return Ok(EidLogin::Partner(token));
        }
        let account = accounts::by_pin(tx, &who.pin)?;
        let token = fresh_session(
            tx,
            replacing.as_deref(),
            &session(account.as_ref().map(|a| a.id)),
            now,
        )?;
        let actor = account.as_ref().map_or(actor, |a| a.email.clone());
        Entry::new(ActorKind::Applicant, &actor, "applicant_login")
            .ip(&ip)
            .detail(method.as_str())
            .record(tx, now)?;
        Ok(match account {
            Some(_) => EidLogin::Account(token),
            None => EidLogin::Person(token),
        })
    })
    .await
}

/// What asking to link an account led to.
pub enum LinkStart {
    /// Unknown address, wrong password, unconfirmed, locked or waiting: as at the login page.
    Failed,
    /// The password was right, but the account or the number is linked already.
    AlreadyLinked,
    /// The account has two-step verification: a code went to its phone.
    NeedsSms,
    /// Linked: the session is now the account's (a new id).
    Linked(Token),
}

/// A person-only session links an account by logging in to it: its password, and
/// when two-step verification is on, the code sent to its phone ([`finish_link`]).
/// Wrong passwords count as failed logins of the account, under its delay and lock.
#[tracing::instrument(skip_all)]
pub async fn start_link(
    state: &AppState,
    session: &SessionView,
    email: Option<Email>,
    password: SecretString,
    lang: Lang,
    ip: String,
) -> Result<LinkStart, AppError> {
    let pin = session.pin.clone().ok_or(AppError::NotFound)?;
    let now = state.now();
    let account = match &email {
        Some(e) => {
            let e = e.as_str().to_string();
            db::read(&state.pool, move |c| accounts::by_email(c, &e)).await?
        }
        None => None,
    };
    let Verified { right, waiting } =
        verify_password(state, account.as_ref(), &password, now).await?;
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::LinkPin, &code);
    let session = session.clone();
    state
        .write_and_send(move |tx| -> Result<LinkStart, AppError> {
            let Some(a) = account
                .clone()
                .filter(|a| right && a.confirmed_at.is_some())
            else {
                let tried = email.map(|e| e.as_str().to_string()).unwrap_or_default();
                let detail = if waiting {
                    "waiting or locked"
                } else {
                    "wrong password or unknown address"
                };
                Entry::new(
                    ActorKind::Anonymous,
                    &display_pin(&pin),
                    "applicant_link_failed",
                )
                .target(&tried)
                .ip(&ip)
                .detail(detail)
                .record(tx, now)?;
                if let Some(a) = account.as_ref().filter(|_| !waiting && !right) {
                    failed_step(
                        tx,
                        a.id,
                        &a.email,
                        &ip,
                        "wrong password at e-ID linking",
                        now,
                    )?;
                }
                return Ok(LinkStart::Failed);
            };
            // Read again in this transaction: two-step or a link may have come meanwhile.
            let a = accounts::by_id(tx, a.id)?.ok_or(AppError::NotFound)?;
            if a.pin.is_some() || accounts::by_pin(tx, &pin)?.is_some() {
                return Ok(LinkStart::AlreadyLinked);
            }
            match a.phone.as_deref().filter(|_| a.two_step) {
                Some(phone) => {
                    // Sent at most once a minute; the code sent before stays good.
                    let message = messages::sms_code(Texts::new(lang), phone, &code);
                    issue_code_throttled(
                        tx,
                        a.id,
                        Purpose::LinkPin,
                        &code_hash,
                        Some(&pin),
                        &message,
                        now,
                    )?;
                    Ok(LinkStart::NeedsSms)
                }
                None => Ok(LinkStart::Linked(link(tx, a.id, &pin, &session, &ip, now)?)),
            }
        })
        .await
}

/// The SMS code of an account with two-step verification: when right, the account
/// is linked. Wrong codes count as failed logins of the account.
#[tracing::instrument(skip_all)]
pub async fn finish_link(
    state: &AppState,
    session: &SessionView,
    code: Option<OneTimeCode>,
    ip: String,
) -> Result<CodeOutcome, AppError> {
    let pin = session.pin.clone().ok_or(AppError::NotFound)?;
    let submitted = code.map(|c| state.code_hash(Purpose::LinkPin, &c));
    let now = state.now();
    let session = session.clone();
    state
        .write_and_send(move |tx| -> Result<CodeOutcome, AppError> {
            // A number linked meanwhile (another browser) cannot be linked again.
            let taken = accounts::by_pin(tx, &pin)?.is_some();
            let account = codes::link_target_account(tx, &pin)?
                .filter(|_| !taken)
                .map(|id| accounts::by_id(tx, id))
                .transpose()?
                .flatten();
            let Some(a) = account else {
                return Ok(CodeOutcome::Void);
            };
            if login_blocked(a.failed_logins, a.last_failed_at, now) {
                return Ok(CodeOutcome::Void);
            }
            let check = codes::check(tx, a.id, Purpose::LinkPin, submitted.as_deref(), now)?;
            let outcome = super::code_outcome(check, |_| link(tx, a.id, &pin, &session, &ip, now))?;
            // Only a live code typed wrong counts: a post with no code waiting does not.
            if let CodeOutcome::Wrong { .. } = outcome {
                failed_step(
                    tx,
                    a.id,
                    &a.email,
                    &ip,
                    "wrong SMS code at e-ID linking",
                    now,
                )?;
            }
            Ok(outcome)
        })
        .await
}

/// Links `account` to the person's number: the session becomes the account's (a new
/// id, same method and assurance), the owner is told by email, and the audit log records it.
fn link(
    tx: &Outbox,
    account: AccountId,
    pin: &str,
    session: &SessionView,
    ip: &str,
    now: i64,
) -> Result<Token, SqlError> {
    accounts::set_pin(tx, account, pin)?;
    accounts::clear_failed_logins(tx, account)?;
    let token = fresh_session(
        tx,
        Some(&session.id_hash),
        &NewSession {
            id_hash: &[],
            account: Some(account),
            questionnaire: None,
            stage: Stage::Authenticated,
            method: session.method,
            assurance: Assurance::Substantial,
            started_at: session.created_at,
            person: Some(Person {
                pin,
                name: session.person_name.as_deref().unwrap_or_default(),
                organisation: None,
            }),
        },
        now,
    )?;
    if let Some(a) = accounts::by_id(tx, account)? {
        outbox::enqueue(
            tx,
            &messages::eid_linked(Texts::new(a.lang), &a.email, &display_pin(pin)),
            now,
        )?;
        Entry::new(ActorKind::Applicant, &a.email, "applicant_linked_eid")
            .ip(ip)
            .detail(session.method.as_str())
            .record(tx, now)?;
    }
    Ok(token)
}

/// Removes the account's link to a personal identity number when the password is
/// right (returns whether it was): sessions started by e-identification end (this
/// one too, if it was one), and the owner is told.
#[tracing::instrument(skip_all)]
pub async fn unlink(
    state: &AppState,
    session: &SessionView,
    password: SecretString,
    ip: String,
) -> Result<bool, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    if super::check_password(state, account, &password, &ip)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<bool, AppError> {
            let Some(pin) = accounts::clear_pin(tx, account)? else {
                return Ok(true);
            };
            sessions::delete_eid_for_account(tx, account)?;
            let a = accounts::by_id(tx, account)?.ok_or(AppError::NotFound)?;
            outbox::enqueue(
                tx,
                &messages::eid_unlinked(Texts::new(a.lang), &a.email, &display_pin(&pin)),
                now,
            )?;
            Entry::new(ActorKind::Applicant, &a.email, "applicant_unlinked_eid")
                .ip(&ip)
                .record(tx, now)?;
            Ok(true)
        })
        .await
}
