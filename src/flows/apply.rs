//! Filling in an application: each step a person takes, in one transaction with
//! the messages it causes. The server keeps the position, each page has 30
//! minutes, and a page posted from an older revision changes nothing.
use std::collections::BTreeSet;

use crate::db::drafts::{Draft, NewDraft, Owner};
use crate::db::{self, drafts, outbox, population};
use crate::domain::date::Date;
use crate::domain::forms::answers::{check_page, salvage_page, Answers, Problem};
use crate::domain::forms::navigation::Position;
use crate::domain::forms::{Field, FieldKind, FormDef, Page};
use crate::domain::population::RelativeCheck;
use crate::domain::rules::{draft_expires_at, PAGE_TIME};
use crate::domain::secret::public_reference;
use crate::domain::{AccountId, Lang};
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::paths;
use crate::state::AppState;

/// A draft with everything its pages need.
pub struct DraftState {
    pub draft: Draft,
    /// Who opened it: the applicant, or the person in Sweden answering a questionnaire.
    pub owner: Owner,
    pub answers: Answers,
    pub done: BTreeSet<String>,
    pub documents: Vec<crate::db::documents::Attached>,
    /// When each page was last opened (its 30 minutes run from there).
    pub opened: std::collections::BTreeMap<String, i64>,
}

impl DraftState {
    pub fn position<'a>(&'a self, form: &'a FormDef) -> Position<'a> {
        Position {
            form,
            answers: &self.answers,
            done: &self.done,
        }
    }
}

/// Where in an application the person goes: the handler spells the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A page, by its id.
    Page(String),
    /// The review page before approval.
    Review,
    /// Saved and left: back to My Page (or the questionnaire's start).
    Left(Owner),
}

/// Where the person should be now: the first incomplete page, or the review.
pub fn current_place(state: &DraftState, form: &FormDef) -> Place {
    match state.position(form).first_incomplete() {
        Some(page) => Place::Page(page.id.clone()),
        None => Place::Review,
    }
}

/// Starts a draft and emails the link to continue it with its deletion date.
#[tracing::instrument(skip_all)]
pub async fn start(
    state: &AppState,
    account: AccountId,
    form: &FormDef,
    lang: Lang,
) -> Result<String, AppError> {
    let reference = public_reference();
    let now = state.now();
    let expires_at = draft_expires_at(now, form.lifetime_days);
    let url = format!(
        "{}{}",
        state.settings.public_url(),
        paths::draft(&reference)
    );
    let title = form.title.get(lang).to_string();
    let form_id = form.id.clone();
    let r = reference.clone();
    state
        .write_and_send(move |tx| -> Result<(), AppError> {
            let email = db::accounts::by_id(tx, account)?
                .ok_or(AppError::NotFound)?
                .email;
            drafts::insert(
                tx,
                &NewDraft {
                    reference: &r,
                    account: Some(account),
                    form_id: &form_id,
                    lang,
                    expires_at,
                },
                now,
            )?;
            let deletion = Date::in_sweden(expires_at).to_string();
            outbox::enqueue(
                tx,
                &messages::draft_started(Texts::new(lang), &email, &title, &url, &deletion),
                now,
            )?;
            Ok(())
        })
        .await?;
    Ok(reference)
}

/// The owner's draft; anyone else's is not found.
pub async fn load(
    state: &AppState,
    reference: String,
    owner: Owner,
) -> Result<Option<DraftState>, AppError> {
    let now = state.now();
    db::read(&state.pool, move |c| {
        let Some(draft) = drafts::find_owned(c, &reference, owner)?.filter(|d| !d.is_gone(now))
        else {
            return Ok(None);
        };
        let answers = drafts::answers(c, draft.id)?;
        let done = drafts::done_pages(c, draft.id)?;
        let documents = db::documents::names_by_field(c, draft.id)?;
        let opened = drafts::opened_pages(c, draft.id)?;
        Ok(Some(DraftState {
            draft,
            owner,
            answers,
            done,
            documents,
            opened,
        }))
    })
    .await
}

/// "Stay logged in" on an application's page: its 30 minutes start again, if
/// they have not already run out (a page past its time stays so).
pub async fn keep_page_open(
    state: &AppState,
    account: crate::domain::AccountId,
    reference: &str,
    page: &str,
) -> Result<(), AppError> {
    let Some(current) = load(state, reference.to_string(), Owner::Account(account)).await? else {
        return Ok(());
    };
    let now = state.now();
    let open = current
        .opened
        .get(page)
        .is_some_and(|at| now - at <= PAGE_TIME);
    if !open || current.draft.approved_at.is_some() {
        return Ok(());
    }
    let (id, page) = (current.draft.id, page.to_string());
    db::write(&state.pool, move |tx| drafts::open_page(tx, id, &page, now)).await
}

/// Opening a page starts its 30 minutes and counts as activity.
pub async fn open_page(
    state: &AppState,
    draft: &Draft,
    form: &FormDef,
    page: &str,
) -> Result<(), AppError> {
    let (id, page, now) = (draft.id, page.to_string(), state.now());
    let expires_at = draft_expires_at(now, form.lifetime_days);
    db::write(&state.pool, move |tx| -> Result<(), AppError> {
        drafts::open_page(tx, id, &page, now)?;
        drafts::touch(tx, id, now, expires_at)?;
        Ok(())
    })
    .await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Next,
    Back,
    SaveAndLeave,
}

#[derive(Debug)]
pub enum PageOutcome {
    /// Saved; go here.
    Go(Place),
    /// "Next" refused: these fields have problems (catalog keys). The page's valid
    /// answers are saved; the page is not done.
    Invalid(Vec<(String, &'static str)>),
    /// "Back", "Save and leave" or an upload saved every valid answer but not
    /// these (catalog keys of their problems): the person is told which first.
    NotAllSaved(Vec<(String, &'static str)>),
    /// Not saved: the page's 30 minutes had passed. Its time starts again.
    TooLate,
    /// Not saved: posted from an older revision (browser back, another tab).
    Stale,
    /// Approved: nothing can change.
    Locked,
}

/// What [`admit`] lets through: the page, or the answer the person gets instead.
enum Admitted<'a> {
    Page(&'a crate::domain::forms::Page),
    Refused(PageOutcome),
}

/// What every post of a page passes first: the application is not approved, the page
/// was not sent from an older copy, it may be open, and its 30 minutes have not run
/// out (then nothing is saved and its time starts again). Gives the page, or the
/// answer the person gets instead.
async fn admit<'a>(
    state: &AppState,
    current: &DraftState,
    form: &'a FormDef,
    page_id: &str,
    revision: i64,
    now: i64,
) -> Result<Admitted<'a>, AppError> {
    if current.draft.approved_at.is_some() {
        return Ok(Admitted::Refused(PageOutcome::Locked));
    }
    if revision != current.draft.revision || !current.position(form).may_open(page_id) {
        return Ok(Admitted::Refused(PageOutcome::Stale));
    }
    let page = form
        .pages
        .iter()
        .find(|p| p.id == page_id)
        .ok_or(AppError::NotFound)?;
    if current
        .opened
        .get(page_id)
        .is_none_or(|at| now - at > PAGE_TIME)
    {
        let (draft_id, key) = (current.draft.id, page_id.to_string());
        db::write(&state.pool, move |tx| {
            drafts::open_page(tx, draft_id, &key, now)
        })
        .await?;
        return Ok(Admitted::Refused(PageOutcome::TooLate));
    }
    Ok(Admitted::Page(page))
}

/// Handles a posted page. `revision` is the one the page was shown with.
#[tracing::instrument(skip_all)]
pub async fn submit_page(
    state: &AppState,
    current: &DraftState,
    form: &FormDef,
    page_id: &str,
    action: Action,
    revision: i64,
    posted: Answers,
) -> Result<PageOutcome, AppError> {
    let now = state.now();
    let page = match admit(state, current, form, page_id, revision, now).await? {
        Admitted::Page(page) => page,
        Admitted::Refused(instead) => return Ok(instead),
    };
    let today = Date::in_sweden(now);
    let keys = |problems: Vec<(String, Problem)>| -> Vec<(String, &'static str)> {
        problems.into_iter().map(|(f, p)| (f, p.key())).collect()
    };
    // What is saved, whether the page is then done, and the answers typed but not
    // saved. A page whose answers all pass is done whichever button sent it; one
    // that does not is not done (even if it was), its valid answers are kept, and
    // the person is told which were not: "Next" names every problem, "Back" and
    // "Save and leave" the answers typed but not valid.
    // A field the person emptied loses the answer saved before, done or not.
    let (mut saved, mut done, problems, emptied) =
        match check_page(page, &posted, &current.answers, today) {
            Ok(clean) => (clean, true, Vec::new(), Vec::new()),
            Err(problems) => {
                let salvage = salvage_page(page, &posted, &current.answers, today);
                let told = match action {
                    Action::Next => problems,
                    Action::Back | Action::SaveAndLeave => salvage.refused,
                };
                (salvage.kept, false, keys(told), salvage.emptied)
            }
        };
    let relatives: Vec<(String, String, String)> = page
        .fields
        .iter()
        .filter(|f| done && f.kind == FieldKind::PersonalIdentityNumber)
        .filter_map(|f| {
            Some((
                f.id.clone(),
                f.permit_kind.clone()?,
                saved.get(&f.id)?.clone(),
            ))
        })
        .collect();
    let (draft_id, page_key) = (current.draft.id, page_id.to_string());
    let expires_at = draft_expires_at(now, form.lifetime_days);
    let fields: Vec<String> = page.fields.iter().map(|f| f.id.clone()).collect();
    /// What the page's transaction found.
    enum Written {
        /// Someone saved in between: the page posted was an older copy.
        Stale,
        TooLate,
        /// Saved, but these answers were not.
        Saved {
            values: Answers,
            hidden: Vec<String>,
            done: bool,
            problems: Vec<(String, &'static str)>,
        },
    }
    let written = db::write(&state.pool, move |tx| -> Result<Written, AppError> {
        // Checked again inside the transaction: two tabs cannot both save over one revision.
        if !still_open(tx, draft_id, revision, now)? {
            return Ok(Written::Stale);
        }
        if drafts::page_opened_at(tx, draft_id, &page_key)?.is_none_or(|at| now - at > PAGE_TIME) {
            drafts::open_page(tx, draft_id, &page_key, now)?;
            return Ok(Written::TooLate);
        }
        let mut problems = problems;
        for (field, required, pin) in &relatives {
            let found = population::permit_kind(tx, pin)?;
            if let Some(key) = RelativeCheck::of(required, found.as_deref()).key() {
                problems.push((field.clone(), key));
                saved.remove(field);
                done = false;
            }
        }
        // For a done page its answers become exactly what was checked: hidden or
        // emptied fields go. Otherwise the fields the person emptied go.
        let hidden: Vec<String> = if done {
            fields
                .into_iter()
                .filter(|f| !saved.contains_key(f))
                .collect()
        } else {
            emptied
        };
        let hidden_refs: Vec<&str> = hidden.iter().map(String::as_str).collect();
        drafts::save_answers(tx, draft_id, &saved, &hidden_refs, &page_key, done)?;
        drafts::touch(tx, draft_id, now, expires_at)?;
        Ok(Written::Saved {
            values: saved,
            hidden,
            done,
            problems,
        })
    })
    .await?;
    match written {
        Written::Stale => Ok(PageOutcome::Stale),
        Written::TooLate => Ok(PageOutcome::TooLate),
        Written::Saved { problems, .. } if !problems.is_empty() => Ok(match action {
            Action::Next => PageOutcome::Invalid(problems),
            Action::Back | Action::SaveAndLeave => PageOutcome::NotAllSaved(problems),
        }),
        Written::Saved {
            values,
            hidden,
            done,
            ..
        } => Ok(PageOutcome::Go(next_place(
            current,
            form,
            page_id,
            action,
            Saved {
                values,
                hidden,
                done,
            },
        ))),
    }
}

/// What a page's save changed in the draft.
struct Saved {
    values: Answers,
    hidden: Vec<String>,
    /// Whether the page now counts as done ("Next" with every answer valid).
    done: bool,
}

/// Where the person goes after a saved page, from the answers as they now stand
/// (no need to read them back).
fn next_place(
    current: &DraftState,
    form: &FormDef,
    page_id: &str,
    action: Action,
    saved: Saved,
) -> Place {
    let mut answers = current.answers.clone();
    for field in &saved.hidden {
        answers.remove(field);
    }
    answers.extend(saved.values);
    let mut done_pages = current.done.clone();
    if saved.done {
        done_pages.insert(page_id.to_string());
    }
    let position = Position {
        form,
        answers: &answers,
        done: &done_pages,
    };
    match action {
        Action::Next => match position.next_after(page_id) {
            Some(next) => Place::Page(next.id.clone()),
            None => Place::Review,
        },
        Action::Back => match position.previous_before(page_id) {
            Some(previous) => Place::Page(previous.id.clone()),
            None => Place::Page(page_id.to_string()),
        },
        Action::SaveAndLeave => Place::Left(current.owner),
    }
}

/// Inside a transaction: the draft is still there, unapproved, at `revision`
/// (two tabs cannot both save over one revision).
fn still_open(
    tx: &r2d2_sqlite::rusqlite::Connection,
    draft_id: i64,
    revision: i64,
    now: i64,
) -> Result<bool, AppError> {
    let fresh = drafts::find_by_id(tx, draft_id)?
        .filter(|d| !d.is_gone(now))
        .ok_or(AppError::DraftGone)?;
    Ok(fresh.revision == revision && fresh.approved_at.is_none())
}

/// A page posted through a button of one of its photos: which page and field,
/// the revision the page was shown with and the typed answers sent along.
pub struct DocumentPost<'a> {
    pub page_id: &'a str,
    pub field_id: &'a str,
    pub revision: i64,
    pub posted: Answers,
}

/// [`admit`], and the page's document field `field_id` (404 if it has none).
async fn admit_document<'a>(
    state: &AppState,
    current: &DraftState,
    form: &'a FormDef,
    post: &DocumentPost<'_>,
    now: i64,
) -> Result<Result<(&'a Page, &'a Field), PageOutcome>, AppError> {
    let page = match admit(state, current, form, post.page_id, post.revision, now).await? {
        Admitted::Page(page) => page,
        Admitted::Refused(instead) => return Ok(Err(instead)),
    };
    let field = page
        .fields
        .iter()
        .find(|f| f.id == post.field_id && f.kind == FieldKind::Document)
        .ok_or(AppError::NotFound)?;
    Ok(Ok((page, field)))
}

/// The typed answers posted with a photo's button that can be kept, and the
/// problems of those that cannot.
fn salvaged(
    page: &Page,
    posted: &Answers,
    current: &DraftState,
    today: Date,
) -> (Answers, Vec<(String, &'static str)>) {
    let salvage = salvage_page(page, posted, &current.answers, today);
    let refused = salvage
        .refused
        .into_iter()
        .map(|(f, p)| (f, p.key()))
        .collect();
    (salvage.kept, refused)
}

/// Stores a photo for a document field of a page, together with whatever typed
/// answers on the page are valid (so uploading loses nothing that was typed).
#[tracing::instrument(skip_all)]
pub async fn upload(
    state: &AppState,
    current: &DraftState,
    form: &FormDef,
    post: DocumentPost<'_>,
    file: (String, Vec<u8>),
) -> Result<PageOutcome, AppError> {
    use crate::domain::documents::{self as docs, Refusal};
    let now = state.now();
    let (page, field) = match admit_document(state, current, form, &post, now).await? {
        Ok(both) => both,
        Err(instead) => return Ok(instead),
    };
    let (page_id, revision, posted) = (post.page_id, post.revision, post.posted);
    let refused = |r: Refusal| PageOutcome::Invalid(vec![(field.id.clone(), r.key())]);
    let (filename, bytes) = file;
    // Untrusted images are decoded on the blocking pool, at most one per core (the
    // permit goes with the decoding, so a request given up on still holds it until
    // the work ends); a panic there refuses the file.
    let permit = state
        .decoding
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let processed = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        docs::process(&bytes)
    })
    .await
    .unwrap_or(Err(Refusal::Damaged));
    let processed = match processed {
        Ok(p) => p,
        Err(r) => return Ok(refused(r)),
    };
    let today = Date::in_sweden(now);
    let reference = public_reference();
    let (kept, not_kept) = salvaged(page, &posted, current, today);
    // With the new photo, is every answer of the page there and valid? Then the
    // page stays (or becomes) done.
    let mut with_photo = current.answers.clone();
    with_photo.insert(field.id.clone(), format!("doc:{reference}"));
    let complete = check_page(page, &posted, &with_photo, today).is_ok();
    let (draft_id, field_key, page_key) = (current.draft.id, field.id.clone(), page_id.to_string());
    let expires_at = draft_expires_at(now, form.lifetime_days);
    let filename = docs::clean_filename(&filename);
    /// What the upload's transaction found.
    enum Stored {
        Done,
        /// Someone saved in between: the page shown was stale.
        Stale,
        Refused(Refusal),
    }
    let outcome = db::write(&state.pool, move |tx| -> Result<Stored, AppError> {
        if !still_open(tx, draft_id, revision, now)? {
            return Ok(Stored::Stale);
        }
        let (count, size) = db::documents::usage(tx, draft_id, &field_key)?;
        if count + 1 > docs::MAX_PER_DRAFT
            || size + processed.bytes.len() as i64 > docs::MAX_BYTES_PER_DRAFT
        {
            return Ok(Stored::Refused(Refusal::TooMany));
        }
        let document = db::documents::NewDocument {
            reference: &reference,
            draft: draft_id,
            field: &field_key,
            filename: &filename,
            mime: processed.mime,
            bytes: &processed.bytes,
            thumbnail: &processed.thumbnail,
        };
        db::documents::replace(tx, &document, now)?;
        let mut values = kept;
        values.insert(field_key.clone(), format!("doc:{reference}"));
        drafts::open_page(tx, draft_id, &page_key, now)?;
        drafts::save_answers(tx, draft_id, &values, &[], &page_key, complete)?;
        drafts::touch(tx, draft_id, now, expires_at)?;
        Ok(Stored::Done)
    })
    .await?;
    Ok(match outcome {
        Stored::Done if not_kept.is_empty() => PageOutcome::Go(Place::Page(page_id.to_string())),
        Stored::Done => PageOutcome::NotAllSaved(not_kept),
        Stored::Stale => PageOutcome::Stale,
        Stored::Refused(r) => refused(r),
    })
}

/// Removes a page's photo, and its answer, before approval. Typed answers
/// posted with it are kept as an upload keeps them.
#[tracing::instrument(skip_all)]
pub async fn remove_document(
    state: &AppState,
    current: &DraftState,
    form: &FormDef,
    post: DocumentPost<'_>,
) -> Result<PageOutcome, AppError> {
    let now = state.now();
    let today = Date::in_sweden(now);
    let (page, field) = match admit_document(state, current, form, &post, now).await? {
        Ok(both) => both,
        Err(instead) => return Ok(instead),
    };
    let (page_id, revision, posted) = (post.page_id, post.revision, post.posted);
    let (kept, not_kept) = salvaged(page, &posted, current, today);
    let mut without = current.answers.clone();
    without.remove(&field.id);
    let complete = check_page(page, &posted, &without, today).is_ok();
    let (draft_id, field_key, page_key) = (current.draft.id, field.id.clone(), page_id.to_string());
    let expires_at = draft_expires_at(now, form.lifetime_days);
    let removed = db::write(&state.pool, move |tx| -> Result<bool, AppError> {
        if !still_open(tx, draft_id, revision, now)? {
            return Ok(false);
        }
        db::documents::remove(tx, draft_id, &field_key)?;
        drafts::save_answers(
            tx,
            draft_id,
            &kept,
            &[field_key.as_str()],
            &page_key,
            complete,
        )?;
        drafts::touch(tx, draft_id, now, expires_at)?;
        Ok(true)
    })
    .await?;
    Ok(match removed {
        false => PageOutcome::Stale,
        true if not_kept.is_empty() => PageOutcome::Go(Place::Page(page_id.to_string())),
        true => PageOutcome::NotAllSaved(not_kept),
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Approval {
    Approved,
    /// The confirmation box was not ticked.
    NotConfirmed,
    /// Pages are still incomplete, or the draft changed since the review was shown.
    NotReady,
    AlreadyApproved,
}

/// Approves the application after review. From then on the server refuses every change.
#[tracing::instrument(skip_all)]
pub async fn approve(
    state: &AppState,
    current: &DraftState,
    form: &FormDef,
    revision: i64,
    confirmed: bool,
) -> Result<Approval, AppError> {
    approve_with(state, current, form, revision, confirmed, None).await
}

/// Approves the application with a signature (see `flows::signing`), kept with it.
pub async fn approve_signed(
    state: &AppState,
    current: &DraftState,
    form: &FormDef,
    revision: i64,
    signature: db::signatures::Signature,
) -> Result<Approval, AppError> {
    approve_with(state, current, form, revision, true, Some(signature)).await
}

async fn approve_with(
    state: &AppState,
    current: &DraftState,
    form: &FormDef,
    revision: i64,
    confirmed: bool,
    signature: Option<db::signatures::Signature>,
) -> Result<Approval, AppError> {
    if current.draft.approved_at.is_some() {
        return Ok(Approval::AlreadyApproved);
    }
    if current.position(form).first_incomplete().is_some() || revision != current.draft.revision {
        return Ok(Approval::NotReady);
    }
    if !confirmed {
        return Ok(Approval::NotConfirmed);
    }
    let (id, now) = (current.draft.id, state.now());
    let questionnaire = match current.owner {
        Owner::Respondent(q) => Some(q),
        Owner::Account(_) | Owner::Applicant(_) => None,
    };
    let done = state
        .write_and_send(move |tx| -> Result<bool, AppError> {
            let approved = drafts::approve(tx, id, revision, now)?;
            if let (true, Some(signature)) = (approved, &signature) {
                db::signatures::insert(tx, id, signature)?;
            }
            // A questionnaire is answered the moment it is approved: the case
            // shows it, and the person in Sweden is told the answers arrived.
            if let (true, Some(q)) = (approved, questionnaire) {
                if db::questionnaires::mark_answered(tx, q, now)? {
                    if let Some(q) = db::questionnaires::by_id(tx, q)? {
                        let thanks = messages::questionnaire_answered(&q.email, &q.verification);
                        outbox::enqueue(tx, &thanks, now)?;
                        crate::flows::api::events::questionnaire_answered(tx, &q, now)?;
                    }
                }
            }
            Ok(approved)
        })
        .await?;
    Ok(if done {
        Approval::Approved
    } else {
        Approval::NotReady
    })
}
