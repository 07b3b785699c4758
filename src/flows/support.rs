//! What the support desk does for a caller whose identity it has checked by voice:
//! find the account, read a summary (never answers, documents or the password),
//! change the phone number, correct the email address, close the account, and
//! resend the confirmation email or the questionnaire link. Every operation takes
//! the [`Support`] permission and is written to the audit log.
use r2d2_sqlite::rusqlite::Connection;

use crate::db::audit::{ActorKind, Entry};
use crate::db::codes::{self, CodeCheck, Purpose};
use crate::db::questionnaires::{self, Questionnaire};
use crate::db::{self, accounts, cases, drafts, outbox};
use crate::domain::email::Email;
use crate::domain::phone::{mask, Phone};
use crate::domain::secret::OneTimeCode;
use crate::domain::staff::Support;
use crate::domain::verification::VerificationNumber;
use crate::domain::AccountId;
use crate::error::AppError;
use crate::flows::identity::protection_changed;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::state::AppState;

/// Longest note support can write with an operation.
pub const NOTE_MAX_CHARS: usize = 500;

/// What support sees of an account.
pub struct Summary {
    pub id: AccountId,
    pub email: String,
    /// What support's page shows: the whole address only when the search was
    /// for it (the caller stated it), otherwise hidden (`a•••@e•••.se`).
    pub email_shown: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub two_step: bool,
    /// All but the last two digits hidden.
    pub phone_masked: Option<String>,
    /// The whole number, only after support verified the caller (`reveal_phone`).
    pub phone_revealed: Option<String>,
    pub drafts: Vec<drafts::Listed>,
    pub cases: Vec<cases::Listed>,
    /// The questionnaires of the account's cases.
    pub questionnaires: Vec<Questionnaire>,
    /// A phone change waiting for the caller's codes: the new number, masked.
    pub pending_phone: Option<String>,
    /// An email correction waiting for the code sent to the new address.
    pub pending_email: Option<String>,
    /// The newest messages to the account, with their delivery.
    pub messages: Vec<outbox::Delivered>,
}

impl Summary {
    /// The summary for a caller who stated the account's address.
    fn stated(self) -> Summary {
        Summary {
            email_shown: self.email.clone(),
            ..self
        }
    }
}

/// What a search is for, told apart by its shape.
enum Query {
    Email(String),
    Verification(VerificationNumber),
    Phone(Phone),
}

fn classify(input: &str) -> Option<Query> {
    let input = input.trim();
    if input.contains('@') {
        return Email::parse(input)
            .ok()
            .map(|e| Query::Email(e.as_str().to_string()));
    }
    if let Ok(number) = VerificationNumber::parse(input) {
        return Some(Query::Verification(number));
    }
    // As callers say them: Swedish numbers nationally (070-…), others with +.
    Phone::parse(Some("SE"), input).ok().map(Query::Phone)
}

/// Finds the account an email address, phone number or verification number
/// belongs to, and records the lookup.
pub async fn find(
    state: &AppState,
    who: &Support,
    input: &str,
    ip: String,
) -> Result<Option<Summary>, AppError> {
    let Some(query) = classify(input) else {
        return Ok(None);
    };
    let (actor, now) = (who.member().email.clone(), state.now());
    let searched = input.trim().to_string();
    db::write(
        &state.pool,
        move |tx| -> Result<Option<Summary>, AppError> {
            let id = match &query {
                Query::Email(e) => accounts::by_email(tx, e)?.map(|a| a.id),
                Query::Phone(p) => accounts::by_phone(tx, p.as_str())?,
                Query::Verification(v) => {
                    cases::by_verification(tx, v.as_str())?.and_then(|c| c.account_id)
                }
            };
            Entry::new(ActorKind::Staff, &actor, "support_lookup")
                .target(&searched)
                .ip(&ip)
                .detail(if id.is_some() { "found" } else { "not found" })
                .record(tx, now)?;
            let stated = matches!(query, Query::Email(_));
            let found = id
                .map(|id| summary(tx, id, false, now))
                .transpose()?
                .flatten();
            Ok(found.map(|s| if stated { s.stated() } else { s }))
        },
    )
    .await
}

/// The summary of account `id` as support opens it. The opening is audited, found
/// or not: ids are sequential, so a walk through them shows in the log.
pub async fn open_account(
    state: &AppState,
    who: &Support,
    id: AccountId,
    ip: String,
) -> Result<Option<Summary>, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    db::write(
        &state.pool,
        move |tx| -> Result<Option<Summary>, AppError> {
            let found = summary(tx, id, false, now)?;
            let account = format!("account {}", id.0);
            let entry = Entry::new(ActorKind::Staff, &actor, "support_account_viewed").ip(&ip);
            match &found {
                Some(s) => entry.target(&s.email).detail(&account),
                None => entry.target(&account).detail("not found"),
            }
            .record(tx, now)?;
            Ok(found)
        },
    )
    .await
}

/// The summary of account `id` (after an operation, to show the page again).
pub async fn summary_of(
    state: &AppState,
    _who: &Support,
    id: AccountId,
) -> Result<Option<Summary>, AppError> {
    let now = state.now();
    db::read(&state.pool, move |c| summary(c, id, false, now)).await
}

/// The summary; with `reveal`, the whole phone number too (after verification).
fn summary(
    c: &Connection,
    id: AccountId,
    reveal: bool,
    now: i64,
) -> r2d2_sqlite::rusqlite::Result<Option<Summary>> {
    let Some(a) = accounts::by_id(c, id)? else {
        return Ok(None);
    };
    let shown = crate::domain::email::Email::parse(&a.email)
        .map(|e| e.hidden())
        .unwrap_or_default();
    let messages = crate::flows::support_messages::of_account(c, &a, &shown)?;
    Ok(Some(Summary {
        messages,
        id,
        email_shown: shown,
        email: a.email,
        created_at: a.created_at,
        confirmed_at: a.confirmed_at,
        two_step: a.two_step,
        phone_masked: a.phone.as_deref().map(mask),
        phone_revealed: a.phone.filter(|_| reveal),
        drafts: drafts::unsubmitted(c, id, now)?,
        cases: cases::for_account(c, id)?,
        questionnaires: questionnaires::for_account(c, id)?,
        pending_phone: codes::pending_target(c, id, Purpose::SupportPhone)?
            .as_deref()
            .map(mask),
        pending_email: codes::pending_target(c, id, Purpose::SupportEmail)?
            .and_then(|t| t.split_once(' ').map(|(address, _)| address.to_string())),
    }))
}

/// What support confirms before changing an account: the caller's identity was
/// verified by voice, and a note says how and why.
pub struct Verified(String);

#[derive(Debug, PartialEq, Eq)]
pub enum NotVerified {
    /// The "identity verified" box was not ticked.
    NotTicked,
    NoteMissing,
    NoteTooLong,
}

impl NotVerified {
    pub fn key(&self) -> &'static str {
        match self {
            NotVerified::NotTicked => "error.support.not_verified",
            NotVerified::NoteMissing => "error.support.note_missing",
            NotVerified::NoteTooLong => "error.support.note_too_long",
        }
    }
}

impl Verified {
    pub fn parse(ticked: bool, note: &str) -> Result<Verified, NotVerified> {
        let note = note.trim();
        if !ticked {
            Err(NotVerified::NotTicked)
        } else if note.is_empty() {
            Err(NotVerified::NoteMissing)
        } else if note.chars().count() > NOTE_MAX_CHARS {
            Err(NotVerified::NoteTooLong)
        } else {
            Ok(Verified(note.to_string()))
        }
    }
}

/// The summary with the whole phone number, once support has verified the caller
/// by voice; the reveal is recorded with the note. None: no such account.
pub async fn reveal_phone(
    state: &AppState,
    who: &Support,
    id: AccountId,
    verified: Verified,
    ip: String,
) -> Result<Option<Summary>, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    db::write(
        &state.pool,
        move |tx| -> Result<Option<Summary>, AppError> {
            let Some(s) = summary(tx, id, true, now)? else {
                return Ok(None);
            };
            Entry::new(ActorKind::Staff, &actor, "support_phone_revealed")
                .target(&s.email)
                .ip(&ip)
                .detail(&verified.0)
                .record(tx, now)?;
            Ok(Some(s))
        },
    )
    .await
}

#[derive(Debug, PartialEq, Eq)]
pub enum Changed {
    /// The codes are sent; the change waits for the caller to read them out.
    Pending,
    Done,
    /// The phone number or email address belongs to another account.
    InUse,
    /// A code read out was wrong (or is no longer valid): nothing changed.
    WrongCode,
    NoAccount,
}

/// Starts changing the number used for two-step verification, as the reference
/// page asks the caller to have at hand: a code goes by SMS to the new phone and
/// one to the account's email address, and nothing changes until the caller reads
/// both out ([`confirm_phone_change`]). The verification note waits with the codes
/// for the audit entry.
#[tracing::instrument(skip_all)]
pub async fn change_phone(
    state: &AppState,
    who: &Support,
    id: AccountId,
    phone: Phone,
    verified: Verified,
    ip: String,
) -> Result<Changed, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    let (sms_code, mail_code) = (OneTimeCode::generate(), OneTimeCode::generate());
    let sms_hash = state.code_hash(Purpose::SupportPhone, &sms_code);
    let mail_hash = state.code_hash(Purpose::SupportMail, &mail_code);
    state
        .write_and_send(move |tx| -> Result<Changed, AppError> {
            let Some(a) = accounts::by_id(tx, id)? else {
                return Ok(Changed::NoAccount);
            };
            if accounts::phone_taken(tx, phone.as_str(), id)? {
                return Ok(Changed::InUse);
            }
            let t = Texts::new(a.lang);
            codes::issue(
                tx,
                id,
                Purpose::SupportPhone,
                &sms_hash,
                Some(phone.as_str()),
                now,
            )?;
            codes::issue(
                tx,
                id,
                Purpose::SupportMail,
                &mail_hash,
                Some(&verified.0),
                now,
            )?;
            outbox::enqueue(tx, &messages::sms_code(t, phone.as_str(), &sms_code), now)?;
            outbox::enqueue(tx, &messages::support_code(t, &a.email, &mail_code), now)?;
            Entry::new(ActorKind::Staff, &actor, "support_phone_change_started")
                .target(&a.email)
                .ip(&ip)
                .detail(&verified.0)
                .record(tx, now)?;
            Ok(Changed::Pending)
        })
        .await
}

/// The codes the caller read out. When both are right the number changes: the old
/// number (if any) and the new one each get an SMS, the account's email a message,
/// every session of the person ends and unused reset links stop working.
#[tracing::instrument(skip_all)]
pub async fn confirm_phone_change(
    state: &AppState,
    who: &Support,
    id: AccountId,
    codes_read: (Option<OneTimeCode>, Option<OneTimeCode>),
    ip: String,
) -> Result<Changed, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    let sms = codes_read
        .0
        .map(|c| state.code_hash(Purpose::SupportPhone, &c));
    let mail = codes_read
        .1
        .map(|c| state.code_hash(Purpose::SupportMail, &c));
    state
        .write_and_send(move |tx| -> Result<Changed, AppError> {
            let Some(a) = accounts::by_id(tx, id)? else {
                return Ok(Changed::NoAccount);
            };
            let checked = codes::check_pair(
                tx,
                id,
                (Purpose::SupportPhone, sms.as_deref()),
                (Purpose::SupportMail, mail.as_deref()),
                now,
            )?;
            let (
                CodeCheck::Accepted {
                    target: Some(phone),
                },
                CodeCheck::Accepted { target: note },
            ) = checked
            else {
                return Ok(Changed::WrongCode);
            };
            if accounts::phone_taken(tx, &phone, id)? {
                return Ok(Changed::InUse);
            }
            accounts::set_phone(tx, id, &phone)?;
            protection_changed(tx, id, None, now)?;
            let t = Texts::new(a.lang);
            if let Some(old) = a.phone.as_deref().filter(|old| *old != phone) {
                outbox::enqueue(
                    tx,
                    &messages::phone_changed_sms(t, old, "sms.phone_changed.removed"),
                    now,
                )?;
            }
            outbox::enqueue(
                tx,
                &messages::phone_changed_sms(t, &phone, "sms.phone_changed.added"),
                now,
            )?;
            outbox::enqueue(
                tx,
                &messages::phone_changed(t, &a.email, &mask(&phone)),
                now,
            )?;
            Entry::new(ActorKind::Staff, &actor, "support_phone_changed")
                .target(&a.email)
                .ip(&ip)
                .detail(note.as_deref().unwrap_or_default())
                .record(tx, now)?;
            Ok(Changed::Done)
        })
        .await
}

/// Starts correcting a mistyped email address: a code goes to the new address,
/// and nothing changes until the caller reads it out ([`confirm_email_correction`]).
#[tracing::instrument(skip_all)]
pub async fn correct_email(
    state: &AppState,
    who: &Support,
    id: AccountId,
    email: Email,
    verified: Verified,
    ip: String,
) -> Result<Changed, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::SupportEmail, &code);
    state
        .write_and_send(move |tx| -> Result<Changed, AppError> {
            let Some(a) = accounts::by_id(tx, id)? else {
                return Ok(Changed::NoAccount);
            };
            if accounts::by_email(tx, email.as_str())?.is_some_and(|other| other.id != id) {
                return Ok(Changed::InUse);
            }
            // The address (never with a space) and the note, for the audit entry at the end.
            let target = format!("{} {}", email.as_str(), verified.0);
            codes::issue(
                tx,
                id,
                Purpose::SupportEmail,
                &code_hash,
                Some(&target),
                now,
            )?;
            let t = Texts::new(a.lang);
            outbox::enqueue(tx, &messages::support_code(t, email.as_str(), &code), now)?;
            Entry::new(ActorKind::Staff, &actor, "support_email_correction_started")
                .target(email.as_str())
                .ip(&ip)
                .detail(&verified.0)
                .record(tx, now)?;
            Ok(Changed::Pending)
        })
        .await
}

/// The code the caller read out from the new address: when right, the new address
/// becomes the username, the old one is told, every session ends and unused reset
/// links stop working.
#[tracing::instrument(skip_all)]
pub async fn confirm_email_correction(
    state: &AppState,
    who: &Support,
    id: AccountId,
    code: Option<OneTimeCode>,
    ip: String,
) -> Result<Changed, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    let submitted = code.map(|c| state.code_hash(Purpose::SupportEmail, &c));
    state
        .write_and_send(move |tx| -> Result<Changed, AppError> {
            let Some(a) = accounts::by_id(tx, id)? else {
                return Ok(Changed::NoAccount);
            };
            let check = codes::check(tx, id, Purpose::SupportEmail, submitted.as_deref(), now)?;
            let CodeCheck::Accepted {
                target: Some(target),
            } = check
            else {
                return Ok(Changed::WrongCode);
            };
            let (email, note) = target.split_once(' ').unwrap_or((target.as_str(), ""));
            if accounts::by_email(tx, email)?.is_some_and(|other| other.id != id) {
                return Ok(Changed::InUse);
            }
            accounts::set_email(tx, id, email)?;
            protection_changed(tx, id, None, now)?;
            let masked = Email::parse(email).map(|e| e.masked()).unwrap_or_default();
            let t = Texts::new(a.lang);
            outbox::enqueue(tx, &messages::email_changed(t, &a.email, &masked), now)?;
            let detail = format!("{note} (was {})", a.email);
            Entry::new(ActorKind::Staff, &actor, "support_email_corrected")
                .target(email)
                .ip(&ip)
                .detail(&detail)
                .record(tx, now)?;
            Ok(Changed::Done)
        })
        .await
}

/// Closes the account at the person's request: sessions end, unfinished
/// applications and their documents are deleted, submitted applications stay with
/// the agency (detached from the account, with the personal data on the case), and
/// the person gets an email.
#[tracing::instrument(skip_all)]
pub async fn close_account(
    state: &AppState,
    who: &Support,
    id: AccountId,
    verified: Verified,
    ip: String,
) -> Result<bool, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    state
        .write_and_send(move |tx| -> Result<bool, AppError> {
            let Some(a) = accounts::by_id(tx, id)? else {
                return Ok(false);
            };
            drafts::detach_submitted(tx, id)?;
            outbox::enqueue(
                tx,
                &messages::account_closed(Texts::new(a.lang), &a.email),
                now,
            )?;
            // Cascades to sessions, codes, reset links and unsubmitted drafts with their documents.
            accounts::delete(tx, id)?;
            Entry::new(ActorKind::Staff, &actor, "support_account_closed")
                .target(&a.email)
                .ip(&ip)
                .detail(&verified.0)
                .record(tx, now)?;
            Ok(true)
        })
        .await
}

/// Sends a new confirmation code to an account whose address is not yet confirmed.
pub async fn resend_confirmation(
    state: &AppState,
    who: &Support,
    id: AccountId,
    ip: String,
) -> Result<bool, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    let code = OneTimeCode::generate();
    let code_hash = state.code_hash(Purpose::ConfirmEmail, &code);
    state
        .write_and_send(move |tx| -> Result<bool, AppError> {
            let Some(a) = accounts::by_id(tx, id)?.filter(|a| a.confirmed_at.is_none()) else {
                return Ok(false);
            };
            codes::issue(tx, id, Purpose::ConfirmEmail, &code_hash, None, now)?;
            outbox::enqueue(
                tx,
                &messages::confirm_code(Texts::new(a.lang), &a.email, &code),
                now,
            )?;
            Entry::new(ActorKind::Staff, &actor, "support_confirmation_resent")
                .target(&a.email)
                .ip(&ip)
                .record(tx, now)?;
            Ok(true)
        })
        .await
}

/// Sends the questionnaire of case `verification` again with a new link (the old
/// one stops working), to a corrected address when one is given.
pub async fn resend_questionnaire(
    state: &AppState,
    who: &Support,
    verification: String,
    email: Option<Email>,
    ip: String,
) -> Result<bool, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    let (keyring, base) = (state.keyring.clone(), state.settings.public_url());
    state
        .write_and_send(move |tx| -> Result<bool, AppError> {
            let Some(case) = cases::by_verification(tx, &verification)? else {
                return Ok(false);
            };
            let Some(q) =
                questionnaires::for_case(tx, case.id)?.filter(|q| q.answered_at.is_none())
            else {
                return Ok(false);
            };
            let to = email
                .as_ref()
                .map_or(q.email.clone(), |e| e.as_str().to_string());
            crate::flows::questionnaire::send_new_link(tx, &keyring, &q, &to, &base, now)?;
            let detail = if to != q.email {
                format!("address corrected (was {})", q.email)
            } else {
                "same address".into()
            };
            Entry::new(ActorKind::Staff, &actor, "support_questionnaire_resent")
                .target(&verification)
                .ip(&ip)
                .detail(&detail)
                .record(tx, now)?;
            Ok(true)
        })
        .await
}

/// The account a case belongs to (None once the account is closed).
pub async fn account_of_case(
    state: &AppState,
    _who: &Support,
    verification: String,
) -> Result<Option<AccountId>, AppError> {
    db::read(&state.pool, move |c| {
        Ok(cases::by_verification(c, &verification)?.and_then(|c| c.account_id))
    })
    .await
}
