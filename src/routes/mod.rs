//! HTTP handlers: extract, parse into domain types, one call, then render or
//! redirect (303 after every POST). No SQL and no HTML here.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::Markup;

use crate::domain::secret::Token;
use crate::security::middleware::{cookie, SESSION_COOKIE};
use crate::state::AppState;

mod account;
mod login;
mod pages;
mod reset;
mod two_step;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home))
        .route("/help/login", web::get().to(pages::help_login))
        .route("/help/support", web::get().to(pages::help_support))
        .route("/username/forgot", web::get().to(pages::forgot_username))
        .route("/lang/{code}", web::get().to(pages::switch_language))
        .route("/assets/{name}", web::get().to(pages::asset))
        .route("/session/ping", web::get().to(pages::ping))
        .route("/dev/mailbox", web::get().to(pages::mailbox))
        .route("/account", web::get().to(account::overview))
        .route("/account/create", web::get().to(account::create_form))
        .route("/account/create", web::post().to(account::create))
        .route("/account/confirm", web::get().to(account::confirm_form))
        .route("/account/confirm", web::post().to(account::confirm))
        .route("/account/confirm/resend", web::post().to(account::resend))
        .route("/account/created", web::get().to(account::created))
        .route("/account/two-step", web::get().to(two_step::phone_form))
        .route("/account/two-step", web::post().to(two_step::start))
        .route(
            "/account/two-step/verify",
            web::get().to(two_step::verify_form),
        )
        .route("/account/two-step/verify", web::post().to(two_step::verify))
        .route("/account/two-step/off", web::get().to(two_step::off_form))
        .route("/account/two-step/off", web::post().to(two_step::off))
        .route("/login", web::get().to(login::form))
        .route("/login", web::post().to(login::submit))
        .route("/login/sms", web::get().to(login::sms_form))
        .route("/login/sms", web::post().to(login::sms))
        .route("/login/sms/resend", web::post().to(login::resend))
        .route("/logout", web::post().to(login::logout))
        .route("/password/forgot", web::get().to(reset::forgot_form))
        .route("/password/forgot", web::post().to(reset::forgot))
        .route("/password/reset", web::get().to(reset::reset_form))
        .route("/password/reset", web::post().to(reset::reset));
}

pub fn html(markup: Markup) -> HttpResponse {
    html_status(StatusCode::OK, markup)
}

/// A page with a non-200 status (a form shown again with its errors is 422).
pub fn html_status(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// 303 See Other: the answer to every successful POST.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A redirect that also hands the browser its new session id.
pub fn redirect_with_session(state: &AppState, location: &str, token: &Token) -> HttpResponse {
    let mut res = redirect(location);
    // Adding a well-formed cookie cannot fail.
    let _ = res.add_cookie(&cookie(state, SESSION_COOKIE, token.expose().to_string()));
    res
}

/// The address rate limits count by.
pub fn client_ip(req: &HttpRequest) -> std::net::IpAddr {
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

/// The form re-rendered with its errors.
pub fn invalid(markup: Markup) -> HttpResponse {
    html_status(StatusCode::UNPROCESSABLE_ENTITY, markup)
}
