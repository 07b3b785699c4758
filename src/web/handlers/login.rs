//! Logging in with password and, with two-step verification, the SMS code; logging out.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::email::Email;
use crate::domain::session::Stage;
use crate::error::AppError;
use crate::flows::identity::login::{self, LoginOutcome};
use crate::flows::identity::{CodeOutcome, Resend};
use crate::paths;
use crate::web::forms::Empty;
use crate::web::forms::{code_error, parse_code, CodeForm};
use crate::web::guard::access::{count, Codes, Logins};
use crate::web::guard::middleware::{eid_order_key, removal_cookie, EID_COOKIE, SESSION_COOKIE};
use crate::web::guard::{Ctx, Posted};
use crate::web::page_cache::{Template, CSRF_MARK};
use crate::web::respond::{
    client_ip, html, html_bytes, invalid, local_path, redirect, redirect_with_session,
};
use crate::web::views::components::FormErrors;
use crate::web::views::components::Message;
use crate::web::views::components::Notice;
use crate::web::views::login as view;
use crate::web::web_state::WebState;

#[derive(Deserialize, Default)]
pub struct LoginFlags {
    again: Option<String>,
    sent: Option<String>,
    wait: Option<String>,
    /// The session ended while the person was on a page.
    ended: Option<String>,
    /// Where to go after logging in (e.g. the draft of an emailed link).
    next: Option<String>,
}

/// `/login/sms` carrying `next` along.
fn sms_path(next: Option<&str>) -> String {
    match next {
        Some(n) => paths::login_sms_then(&crate::web::views::layout::encode_path(n)),
        None => paths::LOGIN_SMS.to_string(),
    }
}

impl LoginFlags {
    fn notice(&self) -> Notice {
        if self.ended.is_some() {
            Some(Message::warning("login.ended"))
        } else if self.again.is_some() {
            Some(Message::warning("login.again"))
        } else if self.sent.is_some() {
            Some(Message::success("code.sent_again"))
        } else if self.wait.is_some() {
            Some(Message::warning("code.wait"))
        } else {
            None
        }
    }
}

pub async fn form(ctx: Ctx, state: web::Data<WebState>, q: web::Query<LoginFlags>) -> HttpResponse {
    if ctx.account().is_some() || ctx.person().is_some() {
        return redirect(paths::ACCOUNT);
    }
    // The page as everyone without a session and without a query sees it (the most
    // asked-for page there is) is rendered once per language; only the token differs.
    if ctx.session.is_none() && ctx.path == paths::LOGIN {
        let page = state.login_page.get_or_init(ctx.lang(), || {
            let marked = ctx.with_csrf(CSRF_MARK);
            Template::new(&login_page(&marked, &state, &q).into_string())
        });
        return html_bytes(StatusCode::OK, page.fill(&ctx.csrf));
    }
    html(login_page(&ctx, &state, &q))
}

fn login_page(ctx: &Ctx, state: &WebState, q: &LoginFlags) -> maud::Markup {
    view::login_form(
        ctx,
        &FormErrors::default(),
        "",
        local_path(q.next.as_deref()),
        q.notice(),
        eid_choices(ctx, state),
    )
}

/// The e-identification services offered, for the login page.
fn eid_choices(ctx: &Ctx, state: &WebState) -> (maud::Markup, maud::Markup) {
    crate::web::views::eid::login_choices(ctx, |p| state.eid.offers(p))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<LoginForm>,
) -> Result<HttpResponse, AppError> {
    count::<Logins>(&req, &state)?;
    let replacing = ctx.session.as_ref().map(|s| s.id_hash.clone());
    let outcome = login::password(
        &state,
        Email::parse(&form.email).ok(),
        form.password.into(),
        ctx.lang(),
        replacing,
        client_ip(&req).to_string(),
    )
    .await?;
    let next = local_path(form.next.as_deref());
    Ok(match outcome {
        LoginOutcome::LoggedIn(token) => {
            redirect_with_session(&state, next.unwrap_or(paths::ACCOUNT), &token)
        }
        LoginOutcome::NeedsSms(token) => redirect_with_session(&state, &sms_path(next), &token),
        LoginOutcome::Failed => {
            let mut errors = FormErrors::default();
            errors.add("email", ctx.t("error.login.failed"));
            invalid(view::login_form(
                &ctx,
                &errors,
                &form.email,
                next,
                None,
                eid_choices(&ctx, &state),
            ))
        }
    })
}

#[derive(Deserialize)]
pub struct SmsForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

pub async fn sms_form(ctx: Ctx, q: web::Query<LoginFlags>) -> HttpResponse {
    if ctx.pending(Stage::PendingSms).is_none() {
        return redirect(paths::LOGIN);
    }
    html(view::sms_form(
        &ctx,
        &FormErrors::default(),
        local_path(q.next.as_deref()),
        q.notice(),
    ))
}

pub async fn sms(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<SmsForm>,
) -> Result<HttpResponse, AppError> {
    let Some(session) = ctx.pending(Stage::PendingSms).cloned() else {
        return Ok(redirect(paths::LOGIN_AGAIN));
    };
    count::<Codes>(&req, &state)?;
    let next = local_path(form.next.as_deref());
    let code = match parse_code(&ctx, &form.code) {
        Ok(code) => code,
        Err(errors) => return Ok(invalid(view::sms_form(&ctx, &errors, next, None))),
    };
    Ok(
        match login::sms(&state, session, Some(code), client_ip(&req).to_string()).await? {
            CodeOutcome::Accepted(token) => {
                redirect_with_session(&state, next.unwrap_or(paths::ACCOUNT), &token)
            }
            CodeOutcome::Void => redirect(paths::LOGIN_AGAIN),
            other => {
                let mut errors = FormErrors::default();
                errors.add("code", code_error(&ctx, &other));
                invalid(view::sms_form(&ctx, &errors, next, None))
            }
        },
    )
}

pub async fn resend(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    _form: Posted<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some(session) = ctx.pending(Stage::PendingSms).cloned() else {
        return Ok(redirect(paths::LOGIN_AGAIN));
    };
    count::<Codes>(&req, &state)?;
    Ok(
        match login::resend_sms(&state, session, ctx.lang(), client_ip(&req).to_string()).await? {
            Resend::Sent => redirect(paths::LOGIN_SMS_SENT),
            Resend::TooSoon => redirect(paths::LOGIN_SMS_WAIT),
        },
    )
}

pub async fn logout(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    _form: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    if let Some(session) = &ctx.session {
        state.my_page.forget(&session.id_hash);
    }
    // An e-identification or signing order in progress ends too: the next person
    // at a shared computer must not find it (or the text being signed).
    let order = eid_order_key(&req, &state);
    if let Some(key) = &order {
        state.eid.cancel(key).await;
    }
    let mut res = end_session(&state, ctx.session.clone(), paths::HOME_LOGGED_OUT).await?;
    if order.is_some() {
        let _ = res.add_cookie(&removal_cookie(&state, EID_COOKIE));
    }
    Ok(res)
}

/// "Cancel" on the SMS step: the half-done login ends, back to the login page.
pub async fn cancel_sms(
    ctx: Ctx,
    state: web::Data<WebState>,
    _form: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    end_session(
        &state,
        ctx.pending(Stage::PendingSms).cloned(),
        paths::LOGIN,
    )
    .await
}

/// Ends `session` (if any), forgets its cookie and goes to `to`.
async fn end_session(
    state: &WebState,
    session: Option<crate::domain::session::SessionView>,
    to: &str,
) -> Result<HttpResponse, AppError> {
    login::logout(state, session).await?;
    let mut res = redirect(to);
    res.add_cookie(&removal_cookie(state, SESSION_COOKIE))
        .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(res)
}
