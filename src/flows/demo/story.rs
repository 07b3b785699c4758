//! The three weeks the demo tells: applications filled in page by page, approved,
//! paid for and moved through every status; a questionnaire answered and one
//! waiting; and unfinished applications stopped on different pages.
use super::cast::{self, Applicant, Sponsor, ANA, BEN, ERIK, MAJA};
use super::{applicant, DEMO_IP};
use crate::db::cases::Case;
use crate::db::drafts::Owner;
use crate::db::{self, questionnaires};
use crate::domain::case::CaseStatus::{self, *};
use crate::domain::documents::samples;
use crate::domain::forms::answers::{holds, Answers};
use crate::domain::forms::{FieldKind, FormDef};
use crate::domain::rules::{DAY, HOUR, MINUTE};
use crate::domain::staff::Caseworker;
use crate::domain::AccountId;
use crate::error::AppError;
use crate::flows::apply::{self, Action, Approval, PageOutcome, Place};
use crate::flows::casework::{change_status, Moved};
use crate::flows::payment::{self, Finish};
use crate::flows::{questionnaire, records};
use crate::state::AppState;

/// One submitted application of the story.
struct Told {
    who: &'static Applicant,
    sponsor: &'static Sponsor,
    form: &'static str,
    /// Days after the story's start it was submitted.
    day: i64,
    /// The caseworker's steps from Received.
    path: &'static [CaseStatus],
    /// Whether the person in Sweden answers the questionnaire (spouse-partner).
    answered: bool,
}

/// In the order they happen; together every status, and one questionnaire
/// answered and one waiting.
const CASES: [Told; 6] = [
    Told {
        who: &ANA,
        sponsor: &ERIK,
        form: "visit-visa",
        day: 0,
        path: &[InProgress, Approved, Closed],
        answered: false,
    },
    Told {
        who: &ANA,
        sponsor: &ERIK,
        form: "spouse-partner",
        day: 2,
        path: &[InProgress],
        answered: true,
    },
    Told {
        who: &BEN,
        sponsor: &MAJA,
        form: "visit-visa",
        day: 5,
        path: &[InProgress, Approved],
        answered: false,
    },
    Told {
        who: &BEN,
        sponsor: &MAJA,
        form: "visit-visa",
        day: 8,
        path: &[InProgress, Rejected],
        answered: false,
    },
    Told {
        who: &ANA,
        sponsor: &ERIK,
        form: "visit-visa",
        day: 12,
        path: &[InProgress, SupplementRequested],
        answered: false,
    },
    Told {
        who: &BEN,
        sponsor: &MAJA,
        form: "spouse-partner",
        day: 18,
        path: &[],
        answered: false,
    },
];

/// Unfinished applications, started yesterday: (who, form, pages done).
const DRAFTS: [(&Applicant, &str, usize); 2] = [(&ANA, "visit-visa", 2), (&BEN, "work-permit", 1)];

/// Tells the story from the clock's time (the start) up to `now`.
pub async fn tell(state: &AppState, caseworker: &Caseworker, now: i64) -> Result<(), AppError> {
    let start = state.now();
    let ana = applicant(state, &ANA).await?;
    let ben = applicant(state, &BEN).await?;
    let account = |who: &Applicant| if who.email == ANA.email { ana } else { ben };
    for told in &CASES {
        state.clock.set(start + told.day * DAY + 9 * HOUR);
        let answers = cast::answers(told.who, told.sponsor, now);
        let case = submitted(state, account(told.who), told.who, told.form, &answers).await?;
        if told.answered {
            state.clock.advance(DAY);
            answer_questionnaire(state, &case, &answers).await?;
        }
        move_case(state, caseworker, &case.verification, told.path).await?;
    }
    state.clock.set(now - DAY);
    for (who, form_id, pages) in DRAFTS {
        let form = form(state, form_id)?;
        let answers = cast::answers(who, &ERIK, now);
        let reference = apply::start(state, account(who), form, who.lang).await?;
        fill_pages(
            state,
            &reference,
            Owner::Account(account(who)),
            form,
            &answers,
            pages,
        )
        .await?;
        state.clock.advance(HOUR);
    }
    Ok(())
}

fn form<'a>(state: &'a AppState, id: &str) -> Result<&'a FormDef, AppError> {
    state
        .forms
        .get(id)
        .ok_or_else(|| unexpected(format!("no application type {id}")))
}

fn unexpected(what: String) -> AppError {
    AppError::Unexpected(anyhow::anyhow!(what))
}

/// An application of `form_id` filled in, approved and paid for: its case.
async fn submitted(
    state: &AppState,
    account: AccountId,
    who: &Applicant,
    form_id: &str,
    answers: &Answers,
) -> Result<Case, AppError> {
    let form = form(state, form_id)?;
    let reference = apply::start(state, account, form, who.lang).await?;
    let owner = Owner::Account(account);
    fill_pages(state, &reference, owner, form, answers, usize::MAX).await?;
    approve(state, &reference, owner, form).await?;
    state.clock.advance(5 * MINUTE);
    let draft = load(state, &reference, owner).await?.draft;
    payment::start(state, &draft, form, draft.lang).await?;
    let paying = records::payments_of_draft(state, draft.id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| unexpected(format!("no payment for {reference}")))?;
    match payment::finish(state, &paying, account, form).await? {
        Finish::Submitted => {}
        other => return Err(unexpected(format!("payment for {reference}: {other:?}"))),
    }
    records::case_of_draft(state, draft.id)
        .await?
        .ok_or_else(|| unexpected(format!("no case for {reference}")))
}

/// The person in Sweden answers the case's questionnaire by its link.
async fn answer_questionnaire(
    state: &AppState,
    case: &Case,
    answers: &Answers,
) -> Result<(), AppError> {
    let id = case.id;
    let q = db::read(&state.pool, move |c| questionnaires::for_case(c, id))
        .await?
        .ok_or_else(|| unexpected(format!("no questionnaire for {}", case.verification)))?;
    let form = form(state, &q.form_id)?;
    let reference = questionnaire::draft_of(state, &q, form).await?;
    let owner = Owner::Respondent(q.id);
    fill_pages(state, &reference, owner, form, answers, usize::MAX).await?;
    approve(state, &reference, owner, form).await
}

async fn load(
    state: &AppState,
    reference: &str,
    owner: Owner,
) -> Result<apply::DraftState, AppError> {
    apply::load(state, reference.to_string(), owner)
        .await?
        .ok_or_else(|| unexpected(format!("draft {reference} gone")))
}

async fn approve(
    state: &AppState,
    reference: &str,
    owner: Owner,
    form: &FormDef,
) -> Result<(), AppError> {
    let current = load(state, reference, owner).await?;
    match apply::approve(state, &current, form, current.draft.revision, true).await? {
        Approval::Approved => Ok(()),
        other => Err(unexpected(format!("approving {reference}: {other:?}"))),
    }
}

/// Fills in up to `pages` pages as a person does: opens the next page, uploads
/// a photo for each document it asks for, and presses Next.
async fn fill_pages(
    state: &AppState,
    reference: &str,
    owner: Owner,
    form: &FormDef,
    answers: &Answers,
    pages: usize,
) -> Result<(), AppError> {
    for _ in 0..pages {
        let current = load(state, reference, owner).await?;
        let Place::Page(page_id) = apply::current_place(&current, form) else {
            return Ok(());
        };
        apply::open_page(state, &current.draft, form, &page_id).await?;
        let page = form
            .pages
            .iter()
            .find(|p| p.id == page_id)
            .ok_or_else(|| unexpected(format!("no page {page_id}")))?;
        let posted: Answers = page
            .fields
            .iter()
            .filter_map(|f| Some((f.id.clone(), answers.get(&f.id)?.clone())))
            .collect();
        let mut known = current.answers.clone();
        known.extend(posted.clone());
        let documents = page
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Document && f.required)
            .filter(|f| holds(f.show_if.as_ref(), &known));
        for field in documents {
            let current = load(state, reference, owner).await?;
            let photo = (format!("{}.jpg", field.id), samples::jpeg(640, 440));
            let post = apply::DocumentPost {
                page_id: &page_id,
                field_id: &field.id,
                revision: current.draft.revision,
                posted: Answers::new(),
            };
            let outcome = apply::upload(state, &current, form, post, photo).await?;
            expect_saved(outcome, reference, &page_id)?;
        }
        let current = load(state, reference, owner).await?;
        let outcome = apply::submit_page(
            state,
            &current,
            form,
            &page_id,
            Action::Next,
            current.draft.revision,
            posted,
        )
        .await?;
        expect_saved(outcome, reference, &page_id)?;
        state.clock.advance(3 * MINUTE);
    }
    Ok(())
}

fn expect_saved(outcome: PageOutcome, reference: &str, page: &str) -> Result<(), AppError> {
    match outcome {
        PageOutcome::Go(_) => Ok(()),
        other => Err(unexpected(format!("{reference} page {page}: {other:?}"))),
    }
}

/// Moves a case along `path` as the caseworker would: two hours after it came
/// in, then a day apart.
async fn move_case(
    state: &AppState,
    caseworker: &Caseworker,
    verification: &str,
    path: &[CaseStatus],
) -> Result<(), AppError> {
    for (n, to) in path.iter().enumerate() {
        state
            .clock
            .advance(if n == 0 { 2 * HOUR } else { DAY + 3 * HOUR });
        let message = if to.needs_message() {
            "Please send a photo of your return ticket. / Skicka ett foto av din returbiljett."
        } else {
            ""
        };
        let moved = change_status(
            state,
            caseworker,
            verification.to_string(),
            *to,
            message.to_string(),
            DEMO_IP.to_string(),
        )
        .await?;
        if moved != Some(Moved::Done) {
            return Err(unexpected(format!(
                "case {verification} did not move to {}",
                to.as_str()
            )));
        }
    }
    Ok(())
}
