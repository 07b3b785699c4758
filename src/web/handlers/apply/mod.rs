//! Starting an application and filling in its pages.
pub mod documents;
pub mod signing;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::db::drafts::Owner;
use crate::domain::date::Date;
use crate::domain::forms::answers::Answers;
use crate::domain::forms::{FormDef, FormKind};
use crate::error::AppError;
use crate::flows::apply::{self, Action, DraftState, PageOutcome, Place};
use crate::flows::records;
use crate::paths;
use crate::web::guard::access::Applicant;
use crate::web::guard::access::{form_of, logged_in};
use crate::web::guard::middleware::remember_language;
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{html, html_status, redirect};
use crate::web::views::apply::{self as view, PageView};
use crate::web::views::components::Message;
use crate::web::views::components::{FormErrors, Notice};
use crate::web::views::layout::LANGUAGE_ACTION;
use crate::web::views::review::Signing as ReviewSigning;
use crate::web::web_state::WebState;

pub async fn choose(ctx: Ctx, state: web::Data<WebState>, _: Applicant) -> HttpResponse {
    html(view::choose(&ctx, &state.forms))
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    form: String,
}

pub async fn start(
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(input): Posted<StartForm>,
    Applicant { account, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    let form = form_of(&state, &input.form)?;
    if form.kind != FormKind::Application {
        return Err(AppError::NotFound);
    }
    let reference = apply::start(&state, account, form, ctx.lang()).await?;
    Ok(redirect(&paths::draft(&reference)))
}

/// Who the session may open drafts as: an applicant, or the person in Sweden
/// answering one questionnaire.
fn owner(ctx: &Ctx) -> Option<Owner> {
    logged_in(ctx)
        .map(Owner::Account)
        .or_else(|| ctx.respondent().map(Owner::Respondent))
        .or_else(|| {
            let pin = ctx.person()?.pin.as_deref()?;
            <[u8; 12]>::try_from(pin.as_bytes())
                .ok()
                .map(Owner::Applicant)
        })
}

/// The owner's draft and its type; None when nobody is logged in, 404 for anyone else's.
async fn owned<'a>(
    state: &'a WebState,
    ctx: &Ctx,
    reference: String,
) -> Result<Option<(DraftState, &'a FormDef)>, AppError> {
    let Some(owner) = owner(ctx) else {
        return Ok(None);
    };
    let draft = apply::load(state, reference, owner)
        .await?
        .ok_or(AppError::DraftGone)?;
    let form = form_of(state, &draft.draft.form_id)?;
    Ok(Some((draft, form)))
}

/// [`owned`], with no owner sent to the login.
async fn owned_or_login<'a>(
    state: &'a WebState,
    ctx: &Ctx,
    reference: String,
) -> Result<(DraftState, &'a FormDef), AppError> {
    owned(state, ctx, reference).await?.ok_or(AppError::Login)
}

/// The revision a posted page was shown with (-1 when missing: then it is stale).
fn take_revision(posted: &mut BTreeMap<String, String>) -> i64 {
    posted
        .remove("revision")
        .and_then(|r| r.parse().ok())
        .unwrap_or(-1)
}

/// The emailed link and My Page's "continue" land here: on to the right page.
pub async fn resume(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let reference = reference.into_inner();
    // The emailed link: after logging in, the person comes back here.
    let Some((draft, form)) = owned(&state, &ctx, reference.clone()).await? else {
        let next = crate::web::views::layout::encode_path(&paths::draft(&reference));
        return Ok(redirect(&paths::login_then(&next)));
    };
    Ok(redirect(&place_path(
        &draft,
        &apply::current_place(&draft, form),
    )))
}

#[derive(Deserialize)]
pub struct PageFlags {
    stale: Option<String>,
}

pub async fn show_page(
    ctx: Ctx,
    state: web::Data<WebState>,
    path: web::Path<(String, String)>,
    q: web::Query<PageFlags>,
) -> Result<HttpResponse, AppError> {
    let (reference, page_id) = path.into_inner();
    let (current, form) = owned(&state, &ctx, reference)
        .await?
        .ok_or(AppError::Login)?;
    if current.draft.approved_at.is_some() {
        return Ok(redirect(&paths::review_locked(&current.draft.reference)));
    }
    if !current.position(form).may_open(&page_id) {
        return Ok(redirect(&place_path(
            &current,
            &apply::current_place(&current, form),
        )));
    }
    apply::open_page(&state, &current.draft, form, &page_id).await?;
    let notice = q
        .stale
        .as_ref()
        .map(|_| Message::warning("apply.page.stale"));
    render_page(
        &ctx,
        &state,
        Shown::saved(&current, form, &page_id),
        &FormErrors::default(),
        notice,
        StatusCode::OK,
    )
}

/// A page as it is shown: of which draft, with which values, as of which revision.
struct Shown<'a> {
    current: &'a DraftState,
    form: &'a FormDef,
    page_id: &'a str,
    /// What was posted, or what is saved.
    values: &'a Answers,
    /// The revision the page is sent back with: the draft's, except when the page
    /// only changes language (then the one it was shown with, so an older copy
    /// stays an older copy).
    revision: i64,
    unsaved: Vec<&'a str>,
    /// For an older copy: the answers saved now (see [`PageView::saved_now`]).
    saved_now: Option<&'a Answers>,
}

impl<'a> Shown<'a> {
    fn saved(current: &'a DraftState, form: &'a FormDef, page_id: &'a str) -> Self {
        Shown::posted(current, form, page_id, &current.answers)
    }

    fn posted(
        current: &'a DraftState,
        form: &'a FormDef,
        page_id: &'a str,
        values: &'a Answers,
    ) -> Self {
        Shown {
            current,
            form,
            page_id,
            values,
            revision: current.draft.revision,
            unsaved: Vec::new(),
            saved_now: None,
        }
    }
}

fn render_page(
    ctx: &Ctx,
    state: &WebState,
    shown: Shown,
    errors: &FormErrors,
    n: Notice,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let Shown {
        current,
        form,
        page_id,
        values,
        revision,
        unsaved,
        saved_now,
    } = shown;
    let position = current.position(form);
    let page = form
        .pages
        .iter()
        .find(|p| p.id == page_id)
        .ok_or(AppError::NotFound)?;
    let view = PageView {
        form,
        page,
        reference: &current.draft.reference,
        step: position.step(page_id).ok_or(AppError::NotFound)?,
        deletion_date: Date::in_sweden(crate::domain::rules::draft_expires_at(
            state.now(),
            form.lifetime_days,
        ))
        .to_string(),
        revision,
        values,
        has_previous: position.previous_before(page_id).is_some(),
        documents: &current.documents,
        unsaved,
        saved_now,
    };
    Ok(html_status(status, view::page_form(ctx, &view, errors, n)))
}

pub async fn submit_page(
    ctx: Ctx,
    state: web::Data<WebState>,
    path: web::Path<(String, String)>,
    Posted(mut posted): Posted<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (reference, page_id) = path.into_inner();
    let (current, form) = owned_or_login(&state, &ctx, reference).await?;
    posted.remove("csrf");
    let revision = take_revision(&mut posted);
    let action = match posted.remove("action").as_deref() {
        Some("back") => Action::Back,
        Some("save") => Action::SaveAndLeave,
        Some(LANGUAGE_ACTION) => {
            let answers: Answers = posted.into_iter().collect();
            return in_other_language(&ctx, &state, &current, form, &page_id, revision, &answers)
                .await;
        }
        _ => Action::Next,
    };
    let answers: Answers = posted.into_iter().collect();
    let outcome = apply::submit_page(
        &state,
        &current,
        form,
        &page_id,
        action,
        revision,
        answers.clone(),
    )
    .await?;
    respond(&ctx, &state, &current, form, &page_id, &answers, outcome).await
}

/// The header's language switch on a page: the same page in the other language
/// with everything typed still in it (nothing is checked or saved), and the
/// language remembered.
async fn in_other_language(
    ctx: &Ctx,
    state: &WebState,
    current: &DraftState,
    form: &FormDef,
    page_id: &str,
    revision: i64,
    typed: &Answers,
) -> Result<HttpResponse, AppError> {
    let lang = ctx.lang().other();
    let elsewhere = |place: String| {
        let back = crate::web::views::layout::encode_path(&place);
        remember_language(
            state,
            lang,
            redirect(&paths::switch_language(lang.code(), &back)),
        )
    };
    if current.draft.approved_at.is_some() {
        return elsewhere(paths::review_locked(&current.draft.reference));
    }
    if !current.position(form).may_open(page_id) {
        let place = place_path(current, &apply::current_place(current, form));
        return elsewhere(format!("{place}?stale=1"));
    }
    // Shown again, the page has its 30 minutes again, as the countdown says.
    apply::open_page(state, &current.draft, form, page_id).await?;
    let page = render_page(
        &ctx.with_lang(lang),
        state,
        Shown {
            revision,
            ..Shown::posted(current, form, page_id, typed)
        },
        &FormErrors::default(),
        None,
        StatusCode::OK,
    )?;
    remember_language(state, lang, page)
}

/// What is saved now of `page_id`'s answers where it differs from what was sent
/// (compared as stored: `19900517` is the saved `1990-05-17`); empty where
/// something was sent and nothing is saved.
fn saved_where_different(
    state: &WebState,
    form: &FormDef,
    page_id: &str,
    sent: &Answers,
    saved: &Answers,
) -> Answers {
    let Some(page) = form.pages.iter().find(|p| p.id == page_id) else {
        return Answers::new();
    };
    let today = Date::in_sweden(state.now());
    let valid = crate::domain::forms::answers::salvage_page(page, sent, saved, today).kept;
    page.fields
        .iter()
        .filter(|f| f.kind != crate::domain::forms::FieldKind::Document)
        .filter_map(|f| {
            let typed = sent.get(&f.id).map(|v| v.trim()).filter(|v| !v.is_empty());
            let sent = valid.get(&f.id).map(String::as_str).or(typed);
            match (saved.get(&f.id), sent) {
                (Some(a), Some(b)) if a == b => None,
                (None, None) => None,
                (Some(a), _) => Some((f.id.clone(), a.clone())),
                (None, Some(_)) => Some((f.id.clone(), String::new())),
            }
        })
        .collect()
}

/// The answer to a posted page: on to the next place, or the page again with its
/// problems (as of the draft now, so sending it again is not refused as old).
pub(super) async fn respond(
    ctx: &Ctx,
    state: &WebState,
    current: &DraftState,
    form: &FormDef,
    page_id: &str,
    answers: &Answers,
    outcome: PageOutcome,
) -> Result<HttpResponse, AppError> {
    // The page is shown again: as the draft now stands, and with its 30 minutes
    // again (as the countdown on it says).
    let reload = || async {
        let now = apply::load(state, current.draft.reference.clone(), current.owner)
            .await?
            .ok_or(AppError::DraftGone)?;
        if now.draft.approved_at.is_none() && now.position(form).may_open(page_id) {
            apply::open_page(state, &now.draft, form, page_id).await?;
        }
        Ok::<_, AppError>(now)
    };
    let question = |field: &str| {
        form.field(field)
            .map(|f| f.label.get(ctx.lang()))
            .unwrap_or_default()
    };
    let errors_of = |problems: &[(String, &'static str)]| {
        let mut errors = FormErrors::default();
        for (field, key) in problems {
            // Each message names its question, so the summary at the top reads on its own.
            errors.add(
                field.clone(),
                ctx.tf(
                    "apply.problem",
                    &[("question", question(field)), ("problem", ctx.t(key))],
                ),
            );
        }
        errors
    };
    let again = |now: &DraftState, unsaved, errors: &FormErrors, n: Notice, status| {
        let shown = Shown {
            unsaved,
            ..Shown::posted(now, form, page_id, answers)
        };
        render_page(ctx, state, shown, errors, n, status)
    };
    let changed = |now: &DraftState| {
        let differs = saved_where_different(state, form, page_id, answers, &now.answers);
        let shown = Shown {
            saved_now: Some(&differs),
            ..Shown::posted(now, form, page_id, answers)
        };
        let n = Some(Message::warning("apply.page.changed"));
        render_page(
            ctx,
            state,
            shown,
            &FormErrors::default(),
            n,
            StatusCode::CONFLICT,
        )
    };
    let none = FormErrors::default();
    match outcome {
        PageOutcome::Go(to) => Ok(redirect(&place_path(current, &to))),
        PageOutcome::Locked => Ok(redirect(&paths::review_locked(&current.draft.reference))),
        PageOutcome::Stale => {
            let now = reload().await?;
            if now.draft.approved_at.is_some() {
                Ok(redirect(&paths::review_locked(&now.draft.reference)))
            } else if now.position(form).may_open(page_id) {
                // Changed in another tab (or sent again after the back button):
                // this page as it now stands, with what the person typed on it.
                changed(&now)
            } else {
                let place = apply::current_place(&now, form);
                Ok(redirect(&format!("{}?stale=1", place_path(&now, &place))))
            }
        }
        PageOutcome::TooLate => {
            let n = Some(Message::warning("apply.page.too_late"));
            again(
                &reload().await?,
                Vec::new(),
                &none,
                n,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        PageOutcome::Invalid(problems) => again(
            &reload().await?,
            Vec::new(),
            &errors_of(&problems),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        PageOutcome::NotAllSaved(problems) => again(
            &reload().await?,
            problems.iter().map(|(f, _)| question(f)).collect(),
            &errors_of(&problems),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

#[derive(Deserialize)]
pub struct ReviewFlags {
    locked: Option<String>,
    /// Why a signature did not approve the application.
    unsigned: Option<String>,
}

/// Every answer grouped by page, with Change links; also the print view.
pub async fn review(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
    q: web::Query<ReviewFlags>,
) -> Result<HttpResponse, AppError> {
    let (current, form) = owned(&state, &ctx, reference.into_inner())
        .await?
        .ok_or(AppError::Login)?;
    let sees_more = crate::web::guard::access::reader(&ctx)
        .is_some_and(|r| crate::web::guard::access::sees_more(&ctx, &r));
    if current.draft.submitted_at.is_some() && !sees_more {
        return Ok(html(crate::web::views::payment::needs_two_step(&ctx)));
    }
    if current.draft.approved_at.is_none() && current.position(form).first_incomplete().is_some() {
        return Ok(redirect(&place_path(
            &current,
            &apply::current_place(&current, form),
        )));
    }
    let notice = match (&q.locked, &q.unsigned) {
        (Some(_), _) => Some(Message::warning("review.locked_change")),
        (None, Some(why)) => Some(Message::warning(signing::refusal_message(why))),
        (None, None) => None,
    };
    render_review(
        &ctx,
        &state,
        &current,
        form,
        &FormErrors::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// The review page; once submitted, with the case's verification number and day.
async fn render_review(
    ctx: &Ctx,
    state: &WebState,
    current: &DraftState,
    form: &FormDef,
    errors: &FormErrors,
    n: Notice,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let submitted = match current.draft.submitted_at {
        Some(_) => records::case_of_draft(state, current.draft.id)
            .await?
            .map(|case| crate::web::views::review::Submitted {
                on: Date::in_sweden(case.submitted_at).to_string(),
                verification: case.verification,
            }),
        None => None,
    };
    let applicant = crate::domain::forms::answers::applicant_name(&current.answers);
    let view = crate::web::views::review::ReviewView {
        form,
        pages: current.position(form).pages(),
        answers: &current.answers,
        documents: &current.documents,
        reference: &current.draft.reference,
        applicant: if applicant.is_empty() {
            ctx.account()
                .and_then(|s| s.email.clone())
                .unwrap_or_default()
        } else {
            applicant
        },
        started: Date::in_sweden(current.draft.created_at).to_string(),
        printed: Date::in_sweden(state.now()).to_string(),
        revision: current.draft.revision,
        approved: current
            .draft
            .approved_at
            .map(|at| Date::in_sweden(at).to_string()),
        submitted,
        signing: signing_offer(ctx, state, current),
    };
    Ok(html_status(
        status,
        crate::web::views::review::review(ctx, &view, errors, n),
    ))
}

/// Whether the review page offers to sign the approval with BankID.
fn signing_offer(ctx: &Ctx, state: &WebState, current: &DraftState) -> ReviewSigning {
    use crate::flows::signing::{signer, Refusal};
    let applicant = matches!(current.owner, Owner::Account(_));
    if !applicant || !state.eid.offers(crate::outbound::eid::Provider::BankId) {
        return ReviewSigning::Not;
    }
    match signer(current, ctx.session.as_ref()) {
        Ok(_) => ReviewSigning::Offered,
        Err(Refusal::NotTheApplicant) => ReviewSigning::NotTheApplicant,
        Err(_) => ReviewSigning::Not,
    }
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    revision: String,
    confirm: Option<String>,
}

pub async fn approve(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
    Posted(input): Posted<ApproveForm>,
) -> Result<HttpResponse, AppError> {
    let (current, form) = owned(&state, &ctx, reference.into_inner())
        .await?
        .ok_or(AppError::Login)?;
    let revision = input.revision.parse().unwrap_or(-1);
    let confirmed = input.confirm.as_deref() == Some("yes");
    Ok(
        match apply::approve(&state, &current, form, revision, confirmed).await? {
            apply::Approval::Approved => match current.owner {
                Owner::Account(_) | Owner::Applicant(_) => {
                    redirect(&paths::approved(&current.draft.reference))
                }
                Owner::Respondent(_) => redirect(paths::QUESTIONNAIRE_ANSWERED),
            },
            apply::Approval::AlreadyApproved => {
                redirect(&paths::review_locked(&current.draft.reference))
            }
            apply::Approval::NotReady => {
                redirect(&place_path(&current, &apply::current_place(&current, form)))
            }
            apply::Approval::NotConfirmed => {
                let mut errors = FormErrors::default();
                errors.add("confirm", ctx.t("review.must_confirm"));
                return render_review(
                    &ctx,
                    &state,
                    &current,
                    form,
                    &errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    )
}

/// The path of a place in the application.
fn place_path(current: &DraftState, place: &Place) -> String {
    let reference = &current.draft.reference;
    match place {
        Place::Page(page) => paths::draft_page(reference, page),
        Place::Review => paths::review(reference),
        Place::Left(Owner::Account(_) | Owner::Applicant(_)) => paths::ACCOUNT_SAVED.to_string(),
        Place::Left(Owner::Respondent(_)) => paths::QUESTIONNAIRE_SAVED.to_string(),
    }
}
