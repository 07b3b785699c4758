//! What caseworkers do: find cases, read one whole (answers, documents, payment,
//! the questionnaire, the timeline), and move it through the status machine.
//! Every operation takes the [`Caseworker`] permission, which only a role check makes
//! (a status change also takes a client system's, [`crate::domain::api::ApiClient`]).
use crate::db::audit::{ActorKind, Entry};
use crate::db::case_list::{self, Filter, Found};
use crate::db::cases::{self, Case, Event};
use crate::db::payments::Payment;
use crate::db::questionnaires::{self, Questionnaire};
use crate::db::{self, accounts, drafts, outbox, payments};
use crate::domain::case::{CaseStatus, Refused, Transition};
use crate::domain::forms::answers::Answers;
use crate::domain::payment::PaymentState;
use crate::domain::staff::{Caseworker, StaffId};
use crate::error::AppError;
use crate::flows::api::events::{CaseEvent, Kind};
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::state::AppState;

/// Cases on one page of the caseworkers' list.
pub const PAGE_SIZE: i64 = 25;

/// One page of the caseworkers' list and how many cases match in all.
pub struct Listing {
    pub rows: Vec<Found>,
    pub total: i64,
    /// Every caseworker, to narrow the list to one's cases.
    pub caseworkers: Vec<(StaffId, String)>,
}

impl Listing {
    /// The number of pages (at least one, if empty).
    pub fn pages(&self) -> i64 {
        ((self.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
    }
}

/// Page `page` (from 1) of the cases matching `filter`, and their total.
pub async fn list(
    state: &AppState,
    _who: &Caseworker,
    filter: Filter,
    page: i64,
) -> Result<Listing, AppError> {
    let offset = (page - 1) * PAGE_SIZE;
    db::read(&state.pool, move |c| {
        Ok(Listing {
            rows: case_list::search(c, &filter, offset, PAGE_SIZE)?,
            total: case_list::count(c, &filter)?,
            caseworkers: case_list::caseworkers(c)?,
        })
    })
    .await
}

/// Most cases one export holds; a bigger list must be narrowed first.
pub const EXPORT_MAX: i64 = 10_000;

/// Every case matching `filter` (at most [`EXPORT_MAX`]) for a spreadsheet,
/// recorded in the audit log with how many there were.
pub async fn export(
    state: &AppState,
    who: &Caseworker,
    filter: Filter,
    ip: String,
) -> Result<Vec<Found>, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    db::write(&state.pool, move |tx| -> Result<Vec<Found>, AppError> {
        let rows = case_list::search(tx, &filter, 0, EXPORT_MAX)?;
        // The filter is not recorded: a search can be a personal identity number.
        Entry::new(ActorKind::Staff, &actor, "cases_exported")
            .ip(&ip)
            .detail(&format!("{} cases", rows.len()))
            .record(tx, now)?;
        Ok(rows)
    })
    .await
}

/// A case with everything a caseworker reads.
pub struct CaseFile {
    pub case: Case,
    pub history: Vec<Event>,
    pub answers: Answers,
    /// (field, document reference, file name)
    pub documents: Vec<crate::db::documents::Attached>,
    pub payment: Option<Payment>,
    /// The questionnaire, and its answers once the person in Sweden has sent them.
    pub questionnaire: Option<(Questionnaire, Option<Answers>)>,
    /// The approval's signature, when the applicant signed with e-identification.
    pub signature: Option<db::signatures::Signature>,

    /// The caseworker who has the case (id, username), if anyone.
    pub assignee: Option<(StaffId, String)>,
    /// Every caseworker the case can be handed to.
    pub caseworkers: Vec<(StaffId, String)>,
}

/// The case file a caseworker opens; each opening is audited (a number that finds
/// no case too).
pub async fn case_file(
    state: &AppState,
    who: &Caseworker,
    verification: String,
    ip: String,
) -> Result<Option<CaseFile>, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    db::write(
        &state.pool,
        move |tx| -> Result<Option<CaseFile>, AppError> {
            let file = read_case_file(tx, &verification)?;
            let entry = Entry::new(ActorKind::Staff, &actor, "case_viewed")
                .target(&verification)
                .ip(&ip);
            match file {
                Some(_) => entry,
                None => entry.detail("not found"),
            }
            .record(tx, now)?;
            Ok(file)
        },
    )
    .await
}

/// A case file with its documents' bytes, for an archive of the case.
pub struct Archive {
    pub file: CaseFile,
    pub documents: Vec<(
        crate::db::documents::Attached,
        crate::db::documents::StoredDocument,
    )>,
}

/// The whole case to download; each download is audited.
pub async fn archive(
    state: &AppState,
    who: &Caseworker,
    verification: String,
    ip: String,
) -> Result<Option<Archive>, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    db::write(
        &state.pool,
        move |tx| -> Result<Option<Archive>, AppError> {
            let Some(file) = read_case_file(tx, &verification)? else {
                return Ok(None);
            };
            let mut documents = Vec::new();
            for attached in &file.documents {
                if let Some(stored) = db::documents::of_case(tx, &attached.reference, false)? {
                    documents.push((attached.clone(), stored));
                }
            }
            Entry::new(ActorKind::Staff, &actor, "case_exported")
                .target(&verification)
                .ip(&ip)
                .detail(&format!("{} documents", documents.len()))
                .record(tx, now)?;
            Ok(Some(Archive { file, documents }))
        },
    )
    .await
}

pub(crate) fn read_case_file(
    c: &r2d2_sqlite::rusqlite::Connection,
    verification: &str,
) -> r2d2_sqlite::rusqlite::Result<Option<CaseFile>> {
    let Some(case) = cases::by_verification(c, verification)? else {
        return Ok(None);
    };
    let questionnaire = match questionnaires::for_case(c, case.id)? {
        Some(q) => {
            let answers = match (q.answered_at, q.draft_id) {
                (Some(_), Some(d)) => Some(drafts::answers(c, d)?),
                _ => None,
            };
            Some((q, answers))
        }
        None => None,
    };
    Ok(Some(CaseFile {
        history: cases::history(c, case.id)?,
        answers: drafts::answers(c, case.draft_id)?,
        documents: db::documents::names_by_field(c, case.draft_id)?,
        payment: payments::for_draft(c, case.draft_id)?
            .into_iter()
            .find(|p| p.state == PaymentState::Success),
        questionnaire,
        signature: db::signatures::of_draft(c, case.draft_id)?,

        assignee: case_list::assignee(c, case.id)?,
        caseworkers: case_list::caseworkers(c)?,
        case,
    }))
}

/// Who moves a case through the machine: a caseworker on the staff pages, or a
/// client system through the integration API. Only those permissions make one.
pub struct Mover {
    kind: ActorKind,
    /// As the timeline and the audit log name them.
    name: String,
}

impl From<&Caseworker> for Mover {
    fn from(who: &Caseworker) -> Self {
        Mover {
            kind: ActorKind::Staff,
            name: who.member().email.clone(),
        }
    }
}

impl From<&crate::domain::api::ApiClient> for Mover {
    fn from(client: &crate::domain::api::ApiClient) -> Self {
        Mover {
            kind: ActorKind::ApiClient,
            name: format!("api:{}", client.name()),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Moved {
    Done,
    Refused(Refused),
    /// Someone changed the status first; nothing was changed.
    Raced,
}

/// Moves the case to `to` if the machine allows it from its current status, with
/// the caseworker's note to the applicant (if any), records who did it, and emails
/// the applicant (if the account still exists) which case has news and whether
/// there is a note: the note itself is read on My Page.
#[tracing::instrument(skip_all)]
pub async fn change_status(
    state: &AppState,
    who: impl Into<Mover>,
    verification: String,
    to: CaseStatus,
    message: String,
    ip: String,
) -> Result<Option<Moved>, AppError> {
    let (now, mover) = (state.now(), who.into());
    let actor = mover.name;
    let my_page = format!("{}{}", state.settings.public_url(), crate::paths::ACCOUNT);
    let forms = state.forms.clone();
    state
        .write_and_send(move |tx| -> Result<Option<Moved>, AppError> {
            let Some(case) = cases::by_verification(tx, &verification)? else {
                return Ok(None);
            };
            let transition = match Transition::new(case.status, to, &message) {
                Ok(t) => t,
                Err(refused) => return Ok(Some(Moved::Refused(refused))),
            };
            if !cases::change_status(tx, case.id, &transition, &actor, now)? {
                return Ok(Some(Moved::Raced));
            }
            let detail = format!(
                "{} -> {}",
                transition.from().as_str(),
                transition.to().as_str()
            );
            Entry::new(mover.kind, &actor, "case_status_changed")
                .target(&verification)
                .ip(&ip)
                .detail(&detail)
                .record(tx, now)?;
            crate::flows::api::events::queue(
                tx,
                &CaseEvent {
                    kind: Kind::StatusChanged,
                    verification: &verification,
                    form_id: &case.form_id,
                    status: transition.to(),
                    from: Some(transition.from()),
                },
                now,
            )?;
            if let Some(account) = case
                .account_id
                .map(|a| accounts::by_id(tx, a))
                .transpose()?
                .flatten()
            {
                let t = Texts::new(account.lang);
                // To the address the application gave, as the confirmation went.
                let write_to = crate::domain::forms::answers::applicant_email(&drafts::answers(
                    tx,
                    case.draft_id,
                )?)
                .unwrap_or(account.email);
                let news = messages::CaseNews {
                    verification: &verification,
                    form_title: forms.title(&case.form_id, account.lang),
                    has_note: transition.message().is_some(),
                    my_page: &my_page,
                };
                outbox::enqueue(tx, &messages::case_updated(t, &write_to, &news), now)?;
            }
            Ok(Some(Moved::Done))
        })
        .await
}

/// Whom a case is given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignee {
    /// The caseworker acting ("take the case").
    Me,
    Colleague(StaffId),
    Nobody,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Handover {
    Done,
    /// The colleague is not a caseworker with an account in use.
    NoSuchCaseworker,
    /// Someone changed who has the case first; nothing was changed.
    Raced,
}

/// Gives the case to `to` if it is still with `seen` (who the caseworker saw
/// had it), and records who gave it from whom to whom.
pub async fn assign(
    state: &AppState,
    who: &Caseworker,
    verification: String,
    seen: Option<StaffId>,
    to: Assignee,
    ip: String,
) -> Result<Option<Handover>, AppError> {
    let (now, me) = (state.now(), who.member().clone());
    db::write(
        &state.pool,
        move |tx| -> Result<Option<Handover>, AppError> {
            let Some(case) = cases::by_verification(tx, &verification)? else {
                return Ok(None);
            };
            let caseworkers = case_list::caseworkers(tx)?;
            let name_of = |id: StaffId| {
                caseworkers
                    .iter()
                    .find(|(s, _)| *s == id)
                    .map(|(_, e)| e.clone())
            };
            let target = match to {
                Assignee::Me => Some(me.id),
                Assignee::Colleague(id) => match name_of(id) {
                    Some(_) => Some(id),
                    None => return Ok(Some(Handover::NoSuchCaseworker)),
                },
                Assignee::Nobody => None,
            };
            let before = case_list::assignee(tx, case.id)?;
            if !case_list::assign(tx, case.id, seen, target)? {
                return Ok(Some(Handover::Raced));
            }
            let name = |a: Option<String>| a.unwrap_or_else(|| "nobody".to_string());
            let detail = format!(
                "{} -> {}",
                name(before.map(|(_, e)| e)),
                name(target.and_then(|t| if t == me.id {
                    Some(me.email.clone())
                } else {
                    name_of(t)
                }))
            );
            Entry::new(ActorKind::Staff, &me.email, "case_assigned")
                .target(&verification)
                .ip(&ip)
                .detail(&detail)
                .record(tx, now)?;
            Ok(Some(Handover::Done))
        },
    )
    .await
}
