//! Logging in by e-identification, and linking an account to the identified
//! person. BankID, Mobile BankID and Telia give the substantial assurance level:
//! the account linked to the personal identity number is used, or else a
//! person-only session sees the cases whose applicant has that number. Professional
//! e-ID admits staff of a configured municipality or region to the partner page.

use super::{fresh_session, issue_code_throttled, CodeOutcome, Resend};
use crate::db::audit::{ActorKind, Entry};
use crate::db::codes::{self, Purpose};
use crate::db::sessions::{NewSession, Person};
use crate::db::{self, accounts};
use crate::domain::email::Email;
use crate::domain::secret::{OneTimeCode, Token};
use crate::domain::session::SessionView;
use crate::domain::session::{Assurance, Method, Stage};
use crate::domain::AccountId;
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

/// A person-only session asks to link the account with this email address: a code
/// goes to the address if it has a confirmed account not yet linked to anyone.
/// The answer is the same either way, so the form tells no one which addresses
/// have accounts.
#[tracing::instrument(skip_all)]
pub async fn start_link(
    state: &AppState,
    session: &SessionView,
    email: Email,
) -> Result<Resend, AppError> {
    let pin = session.pin.clone().ok_or(AppError::NotFound)?;
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::LinkPin, &code);
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<Resend, AppError> {
            let Some(a) = accounts::by_email(tx, email.as_str())? else {
                return Ok(Resend::Sent);
            };
            if a.confirmed_at.is_none() || a.pin.is_some() {
                return Ok(Resend::Sent);
            }
            let message = messages::link_code(Texts::new(a.lang), &a.email, &code);
            Ok(issue_code_throttled(
                tx,
                a.id,
                Purpose::LinkPin,
                &code_hash,
                Some(&pin),
                &message,
                now,
            )?)
        })
        .await
}

/// The emailed code: when right, the account gets the person's number and the
/// session becomes the account's (a new id, same method and assurance).
#[tracing::instrument(skip_all)]
pub async fn finish_link(
    state: &AppState,
    session: &SessionView,
    code: Option<OneTimeCode>,
) -> Result<CodeOutcome, AppError> {
    let pin = session.pin.clone().ok_or(AppError::NotFound)?;
    let submitted = code.map(|c| state.code_hash(Purpose::LinkPin, &c));
    let now = state.now();
    let session = session.clone();
    db::write(&state.pool, move |tx| -> Result<CodeOutcome, AppError> {
        // A number linked meanwhile (another browser) cannot be linked again.
        let taken = accounts::by_pin(tx, &pin)?.is_some();
        let account = codes::link_target_account(tx, &pin)?;
        let Some(account) = account.filter(|_| !taken) else {
            return Ok(CodeOutcome::Void);
        };
        let check = codes::check(tx, account, Purpose::LinkPin, submitted.as_deref(), now)?;
        let outcome = super::code_outcome(check, |_| {
            accounts::set_pin(tx, account, &pin)?;
            fresh_session(
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
                        pin: &pin,
                        name: session.person_name.as_deref().unwrap_or_default(),
                        organisation: None,
                    }),
                },
                now,
            )
        })?;
        if let CodeOutcome::Accepted(_) = outcome {
            let email = accounts::by_id(tx, account)?
                .map(|a| a.email)
                .unwrap_or_default();
            Entry::new(ActorKind::Applicant, &email, "applicant_linked_eid")
                .detail(session.method.as_str())
                .record(tx, now)?;
        }
        Ok(outcome)
    })
    .await
}
