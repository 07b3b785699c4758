//! Pages that change nothing: start, help, language switch, assets, dev mailbox.
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::Lang;
use crate::error::AppError;
use crate::flows::records;
use crate::paths;
use crate::web::guard::access::logged_in;
use crate::web::guard::middleware::remember_language;
use crate::web::guard::Ctx;
use crate::web::respond::{html, redirect};
use crate::web::views;
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct HomeQuery {
    logged_out: Option<String>,
}

pub async fn home(ctx: Ctx, state: web::Data<WebState>, q: web::Query<HomeQuery>) -> HttpResponse {
    html(views::home::start(
        &ctx,
        &state.forms,
        q.logged_out.is_some(),
    ))
}

pub async fn help_login(ctx: Ctx, state: web::Data<WebState>) -> HttpResponse {
    let professional = views::eid::ProfessionalHelp::of(&state.settings);
    html(views::help::how_to_log_in(&ctx, &professional))
}

pub async fn help_support(ctx: Ctx) -> HttpResponse {
    html(views::help::technical_support(&ctx))
}

pub async fn terms(ctx: Ctx) -> HttpResponse {
    html(views::help::terms(&ctx))
}

pub async fn contact(ctx: Ctx, state: web::Data<WebState>) -> HttpResponse {
    html(views::about::contact(&ctx, &state.settings.contact))
}

pub async fn accessibility(ctx: Ctx) -> HttpResponse {
    html(views::about::accessibility(&ctx))
}

pub async fn privacy(ctx: Ctx, state: web::Data<WebState>) -> HttpResponse {
    html(views::about::privacy(
        &ctx,
        &state.forms,
        state.settings.retention(),
    ))
}

pub async fn cookies(ctx: Ctx, state: web::Data<WebState>) -> HttpResponse {
    use crate::web::guard::middleware::{CSRF_COOKIE, EID_COOKIE, LANG_COOKIE, SESSION_COOKIE};
    let names =
        [SESSION_COOKIE, CSRF_COOKIE, LANG_COOKIE, EID_COOKIE].map(|c| state.cookie_name(c));
    html(views::about::cookies(&ctx, names))
}

pub async fn forgot_username(ctx: Ctx) -> HttpResponse {
    html(views::help::forgot_username(&ctx))
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// Remembers the language for a year and returns to the page the person was on.
pub async fn switch_language(
    state: web::Data<WebState>,
    code: web::Path<String>,
    q: web::Query<Back>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let back = crate::web::respond::local_path(q.back.as_deref()).unwrap_or(paths::HOME);
    remember_language(&state, lang, redirect(back))
}

pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let asset = views::assets::get(&name).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(asset.body))
}

#[derive(Deserialize)]
pub struct PingQuery {
    /// The page the person is on, when it is an application's page.
    page: Option<String>,
}

/// The idle warning's "Stay logged in": any request keeps a session alive, and
/// on an application's page its 30 minutes start again too, so staying logged
/// in means the page can still be sent. 401 once the session has ended.
pub async fn ping(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<PingQuery>,
) -> Result<HttpResponse, AppError> {
    if ctx.session.is_none() {
        return Ok(HttpResponse::Unauthorized().finish());
    }
    let on_page = q.page.as_deref().and_then(paths::parse_draft_page);
    if let (Some(account), Some((reference, page))) = (logged_in(&ctx), on_page) {
        crate::flows::apply::keep_page_open(&state, account, reference, page).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Every email and SMS, newest first. Exists only while the dev mailbox is on.
pub async fn mailbox(ctx: Ctx, state: web::Data<WebState>) -> Result<HttpResponse, AppError> {
    if !state.settings.dev_mailbox() {
        return Err(AppError::NotFound);
    }
    let messages = records::latest_messages(&state, 200).await?;
    Ok(html(views::mailbox::mailbox(&ctx, &messages)))
}
