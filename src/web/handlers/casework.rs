//! The caseworkers' pages (role caseworker): the case list, one case, a status
//! change, and the documents of a submitted application.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::db::case_list::Filter;
use crate::domain::case::{CaseStatus, Refused};
use crate::domain::case_search::{Assigned, Sort, Term};
use crate::domain::date::Date;
use crate::domain::staff::Caseworker;
use crate::domain::staff::StaffId;
use crate::domain::verification::VerificationNumber;
use crate::error::AppError;
use crate::flows::casework::{self as work, Assignee, Handover, Moved};
use crate::flows::records;
use crate::paths;
use crate::web::guard::access::form_of;
use crate::web::guard::staff::StaffCtx;
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, html_status, redirect};
use crate::web::views::casework::{self as view, CaseList, CasePage, ListFilters};
use crate::web::views::components::Message;
use crate::web::views::components::{FormErrors, Notice};
use crate::web::web_state::WebState;

/// The list's search and filters as the query string has them; empty is any.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    /// "mine", "nobody", "anyone" or a caseworker's id; missing is "anyone",
    /// except on the bare list, which opens on the caseworker's own cases.
    assigned: Option<String>,
    #[serde(default)]
    sort: String,
    page: Option<i64>,
}

/// A date typed in a filter (a day in Sweden): empty is no limit; anything else
/// must be a date.
fn day(input: &str, field: &str, ctx: &Ctx, errors: &mut FormErrors) -> Option<Date> {
    let input = input.trim();
    if input.is_empty() {
        return None;
    }
    match Date::parse_typed(input) {
        Some(d) => Some(d),
        None => {
            errors.add(field, ctx.t("error.form.not_a_date"));
            None
        }
    }
}

/// The filter the query asks for, with a message per field it could not read,
/// and the filters as they are kept in the form and the links.
fn filter_of(
    req: &HttpRequest,
    ctx: &Ctx,
    state: &WebState,
    who: &Caseworker,
    q: &ListQuery,
    errors: &mut FormErrors,
) -> (Filter, ListFilters) {
    let assigned = match q.assigned.as_deref().map(str::trim) {
        None if req.query_string().is_empty() => "mine",
        None => "anyone",
        Some(a) => a,
    };
    let term = Term::parse(&q.q, Date::in_sweden(state.now())).unwrap_or_else(|problem| {
        errors.add("q", ctx.t(problem.key()));
        None
    });
    let filter = Filter {
        term,
        status: CaseStatus::parse(q.status.trim()),
        form_id: Some(q.form.trim().to_string()).filter(|f| state.forms.get(f).is_some()),
        from: day(&q.from, "from", ctx, errors).map(Date::start_in_sweden),
        // "Until" includes the whole day (23 to 25 hours long).
        until: day(&q.until, "until", ctx, errors).map(|d| d.next().start_in_sweden()),
        assigned: match assigned {
            "mine" => Assigned::To(who.member().id),
            "nobody" => Assigned::Nobody,
            other => other
                .parse()
                .map_or(Assigned::Anyone, |id| Assigned::To(StaffId(id))),
        },
        sort: Sort::parse(q.sort.trim()).unwrap_or_default(),
    };
    let kept = ListFilters {
        q: q.q.trim().to_string(),
        status: q.status.trim().to_string(),
        form: q.form.trim().to_string(),
        from: q.from.trim().to_string(),
        until: q.until.trim().to_string(),
        assigned: assigned.to_string(),
        sort: filter.sort.as_str().to_string(),
    };
    (filter, kept)
}

pub async fn list(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Caseworker>().await?;
    list_page(&req, &ctx, &state, &who, &q).await
}

/// The list under the query's filters, or with a message per filter it could not read.
async fn list_page(
    req: &HttpRequest,
    ctx: &Ctx,
    state: &WebState,
    who: &Caseworker,
    q: &ListQuery,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::default();
    let (filter, filters) = filter_of(req, ctx, state, who, q, &mut errors);
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let listing = work::list(state, who, filter, page).await?;
    let markup = view::list(
        ctx,
        &CaseList {
            listing: &listing,
            filters: &filters,
            page,
            forms: &state.forms,
        },
        &errors,
    );
    Ok(if errors.is_empty() {
        html(markup)
    } else {
        crate::web::respond::invalid(markup)
    })
}

/// The list as filtered, as a spreadsheet to download.
pub async fn export(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Caseworker>().await?;
    let mut errors = FormErrors::default();
    let (filter, _) = filter_of(&req, &ctx, &state, &who, &q, &mut errors);
    if !errors.is_empty() {
        // The list page says what is wrong with the filter.
        return list_page(&req, &ctx, &state, &who, &q).await;
    }
    let rows = work::export(&state, &who, filter, client_ip(&req).to_string()).await?;
    let name = format!("cases-{}.csv", Date::in_sweden(state.now()));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(view::spreadsheet(&ctx, &rows, &state.forms)))
}

#[derive(Deserialize)]
pub struct CaseFlags {
    changed: Option<String>,
    assigned: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    number: web::Path<String>,
    q: web::Query<CaseFlags>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Caseworker>().await?;
    let notice = match (&q.changed, &q.assigned) {
        (Some(_), _) => Some(Message::success("staff.cases.changed")),
        (_, Some(_)) => Some(Message::success("staff.cases.assigned_done")),
        _ => None,
    };
    render(
        &ctx,
        &state,
        Opener::of(&who, &req),
        &number,
        "",
        "",
        &FormErrors::default(),
        notice,
    )
    .await
}

/// The caseworker opening a case file, and from where (for the audit log).
struct Opener<'a> {
    who: &'a Caseworker,
    ip: String,
}

impl<'a> Opener<'a> {
    fn of(who: &'a Caseworker, req: &HttpRequest) -> Self {
        Opener {
            who,
            ip: client_ip(req).to_string(),
        }
    }
}

/// The case file, with the status form as typed (and its problems).
#[allow(clippy::too_many_arguments)]
async fn render(
    ctx: &Ctx,
    state: &WebState,
    opener: Opener<'_>,
    number: &str,
    to: &str,
    message: &str,
    errors: &FormErrors,
    n: Notice,
) -> Result<HttpResponse, AppError> {
    let number = VerificationNumber::parse(number).map_err(|_| AppError::NotFound)?;
    let me = opener.who.member().id;
    let file = work::case_file(state, opener.who, number.as_str().to_string(), opener.ip)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = form_of(state, &file.case.form_id)?;
    let questionnaire_form = file
        .questionnaire
        .as_ref()
        .and_then(|(q, _)| form_of(state, &q.form_id).ok());
    let page = view::case(
        ctx,
        &CasePage {
            file: &file,
            form,
            questionnaire_form,
            to,
            message,
            signed_hash: crate::domain::forms::answers::summary_hash(&form.id, &file.answers),

            me,
        },
        errors,
        n,
    );
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html_status(status, page))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    message: String,
}

pub async fn change_status(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    number: web::Path<String>,
    Posted(form): Posted<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Caseworker>().await?;
    let number = VerificationNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let refused = |r: Refused, errors: &mut FormErrors| {
        let field = if r == Refused::NotAllowed {
            "to"
        } else {
            "message"
        };
        errors.add(field, ctx.t(r.key()));
    };
    let moved = match CaseStatus::parse(form.to.trim()) {
        Some(to) => work::change_status(
            &state,
            &who,
            number.as_str().to_string(),
            to,
            form.message.clone(),
            client_ip(&req).to_string(),
        )
        .await?
        .ok_or(AppError::NotFound)?,
        None => Moved::Refused(Refused::NotAllowed),
    };
    match moved {
        Moved::Done => return Ok(redirect(&paths::staff_case_changed(number.as_str()))),
        Moved::Refused(r) => refused(r, &mut errors),
        Moved::Raced => errors.add("to", ctx.t("error.case.raced")),
    }
    render(
        &ctx,
        &state,
        Opener::of(&who, &req),
        number.as_str(),
        form.to.trim(),
        &form.message,
        &errors,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct AssignForm {
    /// Who had the case when the page was shown (a staff id; empty for nobody).
    #[serde(default)]
    seen: String,
    /// "me", "nobody" or a colleague's staff id.
    #[serde(default)]
    to: String,
}

/// Takes the case, hands it to a colleague, or leaves it with nobody.
pub async fn assign(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    number: web::Path<String>,
    Posted(form): Posted<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Caseworker>().await?;
    let number = VerificationNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let seen = form.seen.trim().parse().ok().map(StaffId);
    let to = match form.to.trim() {
        "me" => Some(Assignee::Me),
        "nobody" => Some(Assignee::Nobody),
        id => id.parse().ok().map(|id| Assignee::Colleague(StaffId(id))),
    };
    let outcome = match to {
        Some(to) => work::assign(
            &state,
            &who,
            number.as_str().to_string(),
            seen,
            to,
            client_ip(&req).to_string(),
        )
        .await?
        .ok_or(AppError::NotFound)?,
        None => Handover::NoSuchCaseworker,
    };
    let mut errors = FormErrors::default();
    match outcome {
        Handover::Done => return Ok(redirect(&paths::staff_case_assigned(number.as_str()))),
        Handover::NoSuchCaseworker => {
            errors.add("colleague", ctx.t("error.case.no_such_caseworker"))
        }
        Handover::Raced => errors.add("colleague", ctx.t("error.case.assign_raced")),
    }
    let opener = Opener::of(&who, &req);
    render(&ctx, &state, opener, number.as_str(), "", "", &errors, None).await
}

/// The whole case as a ZIP archive to keep or print.
pub async fn archive(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    number: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Caseworker>().await?;
    let number = VerificationNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let ip = client_ip(&req).to_string();
    let archive = work::archive(&state, &who, number.as_str().to_string(), ip)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = form_of(&state, &archive.file.case.form_id)?;
    let questionnaire = archive
        .file
        .questionnaire
        .as_ref()
        .and_then(|(q, _)| form_of(&state, &q.form_id).ok());
    let bytes = crate::web::views::case_archive::zip(&ctx, &archive, form, questionnaire)
        .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"case-{}.zip\"", number.as_str()),
        ))
        .body(bytes))
}

#[derive(Deserialize)]
pub struct DocumentQuery {
    thumbnail: Option<String>,
}

/// A document of a submitted application, for the caseworker reading the case.
pub async fn document(
    req: HttpRequest,
    state: web::Data<WebState>,
    staff: StaffCtx,
    reference: web::Path<String>,
    q: web::Query<DocumentQuery>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Caseworker>().await?;
    let (reference, thumbnail) = (reference.into_inner(), q.thumbnail.is_some());
    let ip = client_ip(&req).to_string();
    let doc = records::case_document(&state, &who, reference, thumbnail, ip)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, doc.mime))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("Content-Disposition", "inline"))
        .body(doc.bytes))
}
