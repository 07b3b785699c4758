//! My Page of a person identified by e-identification without an account, and
//! linking that identity to an account.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::email::Email;
use crate::domain::secret::OneTimeCode;
use crate::error::AppError;
use crate::flows::identity::eid::{self, display_pin, LinkStart};
use crate::flows::identity::CodeOutcome;
use crate::flows::records;
use crate::paths;
use crate::web::forms::CodeForm;
use crate::web::guard::access::{count, Applicant, Codes, Logins, Person};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, invalid, redirect, redirect_with_session};
use crate::web::views::components::FormErrors;
use crate::web::views::eid::{self as view, PersonPage};
use crate::web::web_state::WebState;

/// My Page of a person identified without an account: the cases whose applicant
/// has their personal identity number.
pub async fn overview(
    ctx: &Ctx,
    state: &WebState,
    email: &str,
    code_sent: bool,
    errors: &FormErrors,
) -> Result<HttpResponse, AppError> {
    let s = ctx.person().ok_or(AppError::NotFound)?;
    let pin = s.pin.clone().unwrap_or_default();
    let (cases, receipts) = records::of_applicant(state, pin).await?;
    let page = view::person_page(
        ctx,
        &PersonPage {
            name: s.person_name.as_deref().unwrap_or_default(),
            pin: &display_pin(s.pin.as_deref().unwrap_or_default()),
            cases: &cases,
            receipts: &super::receipt_rows(state, ctx.lang(), receipts),
            forms: &state.forms,
            code_sent,
            email,
        },
        errors,
    );
    Ok(if errors.is_empty() {
        html(page)
    } else {
        invalid(page)
    })
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Links an account by logging in to it (password; the SMS code follows when the
/// account has two-step verification). Limited per address like the login page.
pub async fn start_link(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<LinkForm>,
    Person(session): Person,
) -> Result<HttpResponse, AppError> {
    count::<Logins>(&req, &state)?;
    let outcome = eid::start_link(
        &state,
        &session,
        Email::parse(&form.email).ok(),
        form.password.into(),
        ctx.lang(),
        client_ip(&req).to_string(),
    )
    .await?;
    let key = match outcome {
        LinkStart::Linked(token) => {
            return Ok(redirect_with_session(&state, paths::ACCOUNT_LINKED, &token))
        }
        LinkStart::NeedsSms => return Ok(redirect(paths::ACCOUNT_LINK_SMS)),
        LinkStart::Failed => "error.login.failed",
        LinkStart::AlreadyLinked => "eid.link.already",
    };
    let mut errors = FormErrors::default();
    errors.add("email", ctx.t(key));
    overview(&ctx, &state, &form.email, false, &errors).await
}

pub async fn finish_link(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<CodeForm>,
    Person(session): Person,
) -> Result<HttpResponse, AppError> {
    count::<Codes>(&req, &state)?;
    let code = OneTimeCode::parse(&form.code);
    let ip = client_ip(&req).to_string();
    let key = match eid::finish_link(&state, &session, code, ip).await? {
        CodeOutcome::Accepted(token) => {
            return Ok(redirect_with_session(&state, paths::ACCOUNT_LINKED, &token))
        }
        CodeOutcome::Wrong { .. } => "error.code.wrong",
        CodeOutcome::Expired => "error.code.expired",
        CodeOutcome::Void => "error.code.void",
        CodeOutcome::Capped => "error.code.capped",
    };
    let mut errors = FormErrors::default();
    errors.add("code", ctx.t(key));
    overview(&ctx, &state, "", true, &errors).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// Removes the account's link to e-identification (My Page, under Settings), with
/// the password: a session left open is not enough.
pub async fn unlink(
    req: HttpRequest,
    state: web::Data<WebState>,
    Posted(form): Posted<PasswordForm>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    count::<Logins>(&req, &state)?;
    let ip = client_ip(&req).to_string();
    Ok(
        if eid::unlink(&state, &session, form.password.into(), ip).await? {
            redirect(paths::ACCOUNT_UNLINKED)
        } else {
            redirect(paths::ACCOUNT_UNLINK_REFUSED)
        },
    )
}
