//! Where the account is logged in: My Page's list of sessions, and logging out
//! any or all of the others.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::date::{time_in_sweden, Date};
use crate::error::AppError;
use crate::flows::identity::devices;
use crate::paths;
use crate::web::guard::access::Applicant;
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, redirect};
use crate::web::views::account::{self as view, SessionRow};
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct Ended {
    ended: Option<String>,
}

fn when(at: i64) -> String {
    format!("{} {}", Date::in_sweden(at), time_in_sweden(at))
}

pub async fn list(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<Ended>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    let rows: Vec<SessionRow> = devices::list(&state, &session)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            device: devices::device(&s.seen.user_agent),
            ip: s.seen.ip,
            started: when(s.created_at),
            last_active: when(s.last_seen_at),
            current: s.current,
            handle: s.handle,
        })
        .collect();
    Ok(html(view::sessions_page(&ctx, &rows, q.ended.is_some())))
}

#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    session: String,
}

pub async fn end(
    req: HttpRequest,
    state: web::Data<WebState>,
    Posted(form): Posted<EndForm>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req).to_string();
    if !devices::end(&state, &session, form.session, ip).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect(paths::ACCOUNT_SESSIONS_ENDED))
}

pub async fn end_others(
    req: HttpRequest,
    state: web::Data<WebState>,
    _form: Posted<crate::web::forms::Empty>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    devices::end_others(&state, &session, client_ip(&req).to_string()).await?;
    Ok(redirect(paths::ACCOUNT_SESSIONS_ENDED))
}
