//! The integration API for client systems (case-management systems): cases as
//! JSON, their documents, status changes through the staff pages' status
//! machine, and the OpenAPI document. Errors are problem details ([`Problem`]).
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::db::api_reads::Filter;
use crate::domain::case::{CaseStatus, Refused, MESSAGE_MAX_CHARS};
use crate::domain::date::Date;
use crate::domain::verification::VerificationNumber;
use crate::flows::api::cases::{self as api_cases, Call, PAGE_DEFAULT, PAGE_MAX};
use crate::flows::casework::{self as work, Moved};
use crate::web::web_state::WebState;

pub mod caller;
pub mod json;
pub mod problem;

pub use caller::audit_refused;
use caller::Caller;
use problem::Problem;

fn json_response(value: &serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/json")
        .body(value.to_string())
}

/// The OpenAPI 3.1 description of the routes below (checked against them by a test).
const OPENAPI: &str = include_str!("openapi.json");

/// `GET /api/openapi.json`: needs no token, as documentation.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI)
}

/// Any address under /api that is not one of its routes.
pub async fn no_route() -> Result<HttpResponse, Problem> {
    Err(Problem::not_found(
        "No such address in the API; see /api/openapi.json.",
    ))
}

/// A route of the API asked with a method it does not take.
pub async fn wrong_method() -> Result<HttpResponse, Problem> {
    Err(Problem::method_not_allowed())
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    #[serde(rename = "type")]
    form: Option<String>,
    submitted_from: Option<String>,
    submitted_until: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// A day (YYYY-MM-DD, in Sweden) of a list filter.
fn day(value: Option<&str>, name: &str) -> Result<Option<Date>, Problem> {
    value
        .map(|v| {
            Date::parse_iso(v.trim())
                .ok_or_else(|| Problem::invalid(format!("{name} is not a date (YYYY-MM-DD).")))
        })
        .transpose()
}

impl ListQuery {
    fn filter(&self, state: &WebState) -> Result<Filter, Problem> {
        let status = match self.status.as_deref() {
            Some(s) => Some(CaseStatus::parse(s.trim()).ok_or_else(|| {
                Problem::invalid(format!("status must be one of {}.", statuses()))
            })?),
            None => None,
        };
        let form_id = match self.form.as_deref() {
            Some(f) if state.forms.get(f.trim()).is_some() => Some(f.trim().to_string()),
            Some(_) => return Err(Problem::invalid("type is not a case type.".into())),
            None => None,
        };
        Ok(Filter {
            status,
            form_id,
            from: day(self.submitted_from.as_deref(), "submitted_from")?.map(Date::start_in_sweden),
            // "Until" takes in the whole day.
            until: day(self.submitted_until.as_deref(), "submitted_until")?
                .map(|d| d.next().start_in_sweden()),
        })
    }

    fn limit(&self) -> Result<i64, Problem> {
        match self.limit.as_deref() {
            None => Ok(PAGE_DEFAULT),
            Some(l) => l
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=PAGE_MAX).contains(n))
                .ok_or_else(|| Problem::invalid(format!("limit must be 1 to {PAGE_MAX}."))),
        }
    }
}

fn statuses() -> String {
    CaseStatus::ALL.map(CaseStatus::as_str).join(", ")
}

/// `GET /api/v1/cases`: newest first, a page at a time.
pub async fn list_cases(
    caller: Caller,
    state: web::Data<WebState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let filter = q.filter(&state)?;
    let limit = q.limit()?;
    let after = match q.cursor.as_deref() {
        Some(c) => Some(
            json::parse_cursor(c)
                .ok_or_else(|| Problem::invalid("cursor is not one this API gave.".into()))?,
        ),
        None => None,
    };
    let call = Call::new(&caller.client, caller.ip);
    let page = api_cases::list(&state, call, filter, after, limit).await?;
    let cases: Vec<_> = page
        .cases
        .iter()
        .map(|c| json::listed(&state.forms, c))
        .collect();
    Ok(json_response(&serde_json::json!({
        "cases": cases,
        "next_cursor": page.next.map(json::cursor),
    })))
}

fn number(raw: &str) -> Result<VerificationNumber, Problem> {
    VerificationNumber::parse(raw)
        .map_err(|_| Problem::not_found("No case has this verification number."))
}

/// `GET /api/v1/cases/{verification_number}`
pub async fn case(
    caller: Caller,
    state: web::Data<WebState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let number = number(&path)?;
    let call = Call::new(&caller.client, caller.ip);
    let file = api_cases::case_file(&state, call, number.as_str().to_string())
        .await?
        .ok_or_else(|| Problem::not_found("No case has this verification number."))?;
    Ok(json_response(&json::case(&state.forms, &file)))
}

/// `GET /api/v1/cases/{verification_number}/documents/{id}`: the file itself.
pub async fn document(
    caller: Caller,
    state: web::Data<WebState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let (raw, reference) = path.into_inner();
    let number = number(&raw)?;
    let call = Call::new(&caller.client, caller.ip);
    let doc = api_cases::document(&state, call, number.as_str().to_string(), reference)
        .await?
        .ok_or_else(|| Problem::not_found("The case has no document with this id."))?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        doc.filename.replace(
            |c: char| !c.is_ascii_graphic() || c == '"' || c == '\\',
            "_"
        )
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, doc.mime))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .body(doc.bytes))
}

#[derive(Deserialize)]
struct StatusChange {
    status: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/cases/{verification_number}/status` with `{"status", "note"}`:
/// the same machine, note rules and email to the applicant as the staff pages.
pub async fn change_status(
    caller: Caller,
    state: web::Data<WebState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    let number = number(&path)?;
    let change: StatusChange = serde_json::from_slice(&body).map_err(|e| {
        Problem::invalid(format!(
            "The body must be JSON: {{\"status\": \"...\", \"note\": \"...\"}} ({e})."
        ))
    })?;
    let Some(to) = CaseStatus::parse(change.status.trim()) else {
        return Err(Problem::invalid(format!(
            "status must be one of {}.",
            statuses()
        )));
    };
    let moved = work::change_status(
        &state,
        &caller.client,
        number.as_str().to_string(),
        to,
        change.note,
        caller.ip,
    )
    .await?
    .ok_or_else(|| Problem::not_found("No case has this verification number."))?;
    let refused = |from: &str, allowed: &'static [CaseStatus]| {
        Problem::transition(
            format!("The case is {from}; it cannot move to {}.", to.as_str()),
            allowed.iter().map(|s| s.as_str()).collect(),
        )
    };
    match moved {
        Moved::Done => Ok(json_response(&serde_json::json!({
            "verification_number": number.as_str(),
            "status": to.as_str(),
        }))),
        Moved::Refused(Refused::MessageMissing) => Err(Problem::note(format!(
            "A move to {} needs a note to the applicant.",
            to.as_str()
        ))),
        Moved::Refused(Refused::MessageTooLong) => Err(Problem::note(format!(
            "The note is longer than {MESSAGE_MAX_CHARS} characters."
        ))),
        Moved::Refused(Refused::NotAllowed) | Moved::Raced => {
            let file = api_cases::current_status(&state, number.as_str().to_string()).await?;
            let from = file.unwrap_or(CaseStatus::Closed);
            Err(refused(from.as_str(), from.next_steps()))
        }
    }
}
