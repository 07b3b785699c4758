//! Account settings: a new email address (with a code sent to it) and a new password.
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;

use crate::domain::email::Email;
use crate::domain::password::NewPassword;
use crate::domain::phone::mask;
use crate::error::AppError;
use crate::flows::identity::credentials::{self, EmailStart, EmailVerify};
use crate::paths;
use crate::web::forms::{
    after_code, code_error, parse_code, password_problem, CodeForm, VerifyFlags,
};
use crate::web::guard::access::{count, Applicant, Codes, Logins};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, invalid, redirect, redirect_with_session};
use crate::web::views::components::FormErrors;
use crate::web::views::credentials as view;
use crate::web::web_state::WebState;

pub async fn email_form(ctx: Ctx, _: Applicant) -> HttpResponse {
    html(view::email_form(&ctx, &FormErrors::default(), ""))
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn start_email(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<EmailForm>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    // The password is checked: a login attempt.
    count::<Logins>(&req, &state)?;
    let show = |errors: &FormErrors| invalid(view::email_form(&ctx, errors, &form.email));
    let mut errors = FormErrors::default();
    let email = match Email::parse(&form.email) {
        Ok(e) if session.email.as_deref() == Some(e.as_str()) => {
            errors.add("email", ctx.t("error.email.same"));
            None
        }
        Ok(e) => Some(e),
        Err(problem) => {
            errors.add("email", ctx.t(problem.key()));
            None
        }
    };
    if form.password.is_empty() {
        errors.add("password", ctx.t("error.password.missing"));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(show(&errors));
    };
    let (outcome, token) = credentials::start_email_change(
        &state,
        &session,
        email,
        SecretString::from(form.password.clone()),
        ctx.lang(),
        client_ip(&req).to_string(),
    )
    .await?;
    let location = match outcome {
        EmailStart::Sent => paths::ACCOUNT_EMAIL_VERIFY,
        EmailStart::TooSoon => paths::ACCOUNT_EMAIL_VERIFY_WAIT,
        EmailStart::NeedsPhone => paths::ACCOUNT_EMAIL_PHONE,
        EmailStart::WrongPassword => {
            errors.add("password", ctx.t("error.password.wrong"));
            return Ok(show(&errors));
        }
    };
    Ok(match token {
        Some(token) => redirect_with_session(&state, location, &token),
        None => redirect(location),
    })
}

/// With two-step verification: the code sent to the current phone before a new address.
pub async fn phone_step_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    let Some(masked) = credentials::pending_phone_step(&state, &session).await? else {
        return Ok(redirect(paths::ACCOUNT_EMAIL));
    };
    Ok(html(view::email_phone_step(
        &ctx,
        &FormErrors::default(),
        &masked,
    )))
}

pub async fn phone_step(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<CodeForm>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    count::<Codes>(&req, &state)?;
    let masked = session.phone.as_deref().map(mask).unwrap_or_default();
    let code = match parse_code(&ctx, &form.code) {
        Ok(code) => code,
        Err(errors) => return Ok(invalid(view::email_phone_step(&ctx, &errors, &masked))),
    };
    let ip = client_ip(&req).to_string();
    let outcome =
        credentials::confirm_phone_for_email(&state, &session, Some(code), ctx.lang(), ip).await?;
    Ok(after_code(
        &state,
        &ctx,
        outcome,
        paths::ACCOUNT_EMAIL_VERIFY,
        |errors| view::email_phone_step(&ctx, errors, &masked),
    ))
}

pub async fn verify_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<VerifyFlags>,
    Applicant { account, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    let Some(address) = credentials::pending_address(&state, account).await? else {
        return Ok(redirect(paths::ACCOUNT_EMAIL));
    };
    Ok(html(view::email_verify(
        &ctx,
        &FormErrors::default(),
        &address,
        q.notice(),
    )))
}

pub async fn verify(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<CodeForm>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    count::<Codes>(&req, &state)?;
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let address = credentials::pending_address(&state, account)
        .await?
        .unwrap_or_default();
    let code = match parse_code(&ctx, &form.code) {
        Ok(code) => code,
        Err(errors) => return Ok(invalid(view::email_verify(&ctx, &errors, &address, None))),
    };
    let mut errors = FormErrors::default();
    match credentials::verify_email_change(&state, &session, code).await? {
        EmailVerify::Changed => return Ok(redirect(paths::ACCOUNT_EMAIL_CHANGED)),
        EmailVerify::Taken => errors.add("code", ctx.t("error.email.taken")),
        EmailVerify::Code(outcome) => errors.add("code", code_error(&ctx, &outcome)),
    }
    Ok(invalid(view::email_verify(&ctx, &errors, &address, None)))
}

pub async fn password_form(ctx: Ctx, _: Applicant) -> HttpResponse {
    html(view::password_form(&ctx, &FormErrors::default()))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

pub async fn change_password(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<PasswordForm>,
    Applicant { session, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    count::<Logins>(&req, &state)?;
    let mut errors = FormErrors::default();
    if form.current.is_empty() {
        errors.add("current", ctx.t("error.password.missing"));
    }
    let new = NewPassword::parse_for_address(
        &SecretString::from(form.password),
        &SecretString::from(form.password_repeat),
        session.email.as_deref().unwrap_or_default(),
    )
    .map_err(|p| {
        let (field, message) = password_problem(&ctx, &p);
        errors.add(field, message);
    })
    .ok();
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Ok(invalid(view::password_form(&ctx, &errors)));
    };
    match credentials::change_password(
        &state,
        &session,
        form.current.into(),
        new,
        client_ip(&req).to_string(),
    )
    .await?
    {
        Some(token) => Ok(redirect_with_session(
            &state,
            paths::ACCOUNT_PASSWORD_CHANGED,
            &token,
        )),
        None => {
            errors.add("current", ctx.t("error.password.wrong"));
            Ok(invalid(view::password_form(&ctx, &errors)))
        }
    }
}
