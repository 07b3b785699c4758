//! Turning two-step verification on (phone number, then the SMS code) and off.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::phone::{mask, Phone};
use crate::error::AppError;
use crate::flows::identity::two_step::{self, Start, Verify};
use crate::flows::identity::CodeOutcome;
use crate::paths;
use crate::web::forms::{after_code, code_error, parse_code, CodeForm, VerifyFlags};
use crate::web::guard::access::{count, Applicant, Codes, Logins};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::conflict;
use crate::web::respond::{client_ip, html, invalid, redirect, redirect_with_session};
use crate::web::views::account as view;
use crate::web::views::components::{countries_calling, FormErrors};
use crate::web::web_state::WebState;

const DEFAULT_COUNTRY: &str = "SE";

/// The number form, or with two-step verification on, how the number is changed (by support).
pub async fn phone_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    Applicant { session, .. }: Applicant,
) -> HttpResponse {
    if let Some(phone) = session.phone.as_deref() {
        return html(view::phone_locked(&ctx, &mask(phone)));
    }
    html(view::phone_form(
        &ctx,
        &FormErrors::default(),
        DEFAULT_COUNTRY,
        "",
        &state.settings.sms_unreliable_prefixes,
        false,
    ))
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    country: String,
    #[serde(default)]
    phone: String,
    acknowledged: Option<String>,
    #[serde(default)]
    password: String,
}

pub async fn start(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<PhoneForm>,
    Applicant { account, session }: Applicant,
) -> Result<HttpResponse, AppError> {
    // The password is checked: a login attempt.
    count::<Logins>(&req, &state)?;
    if let Some(phone) = session.phone.as_deref() {
        return Ok(conflict(view::phone_locked(&ctx, &mask(phone))));
    }
    let unreliable = &state.settings.sms_unreliable_prefixes;
    let show = |errors: &FormErrors| {
        invalid(view::phone_form(
            &ctx,
            errors,
            &form.country,
            &form.phone,
            unreliable,
            form.acknowledged.as_deref() == Some("yes"),
        ))
    };
    let phone = match Phone::parse_mobile(Some(&form.country), &form.phone) {
        Ok(phone) => phone,
        Err(problem) => {
            let mut errors = FormErrors::default();
            errors.add("phone", ctx.t(problem.key()));
            return Ok(show(&errors));
        }
    };
    // Some operators drop texts from an alphanumeric sender. The form says so before the
    // first "Send code"; a number from such a country needs the box ticked.
    if let Some(prefix) = phone.prefix_in(unreliable) {
        if form.acknowledged.as_deref() != Some("yes") {
            let mut errors = FormErrors::default();
            let country = countries_calling(&ctx, &[prefix]);
            errors.add(
                "acknowledged",
                ctx.tf("phone.unreliable.missing", &[("country", &country)]),
            );
            return Ok(show(&errors));
        }
    }
    if form.password.is_empty() {
        let mut errors = FormErrors::default();
        errors.add("password", ctx.t("error.password.missing"));
        return Ok(show(&errors));
    }
    let ip = client_ip(&req).to_string();
    let password = form.password.clone().into();
    Ok(
        match two_step::start(&state, account, phone, password, ctx.lang(), ip).await? {
            Start::Sent => redirect(paths::ACCOUNT_TWO_STEP_VERIFY),
            Start::TooSoon => redirect(paths::ACCOUNT_TWO_STEP_VERIFY_WAIT),
            Start::AlreadyOn => redirect(paths::ACCOUNT_TWO_STEP),
            Start::WrongPassword => {
                let mut errors = FormErrors::default();
                errors.add("password", ctx.t("error.password.wrong"));
                show(&errors)
            }
        },
    )
}

pub async fn verify_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<VerifyFlags>,
    Applicant { account, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    let Some(number) = two_step::pending_number(&state, account).await? else {
        return Ok(redirect(paths::ACCOUNT_TWO_STEP));
    };
    Ok(html(view::phone_verify(
        &ctx,
        &FormErrors::default(),
        &mask(&number),
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
    let masked = two_step::pending_number(&state, account)
        .await?
        .as_deref()
        .map(mask)
        .unwrap_or_default();
    let code = match parse_code(&ctx, &form.code) {
        Ok(code) => code,
        Err(errors) => return Ok(invalid(view::phone_verify(&ctx, &errors, &masked, None))),
    };
    let mut errors = FormErrors::default();
    match two_step::verify(&state, session, Some(code), client_ip(&req).to_string()).await? {
        Verify::Code(CodeOutcome::Accepted(token)) => {
            return Ok(redirect_with_session(
                &state,
                paths::ACCOUNT_TWOSTEP_ON,
                &token,
            ))
        }
        Verify::PhoneTaken => errors.add("code", ctx.t("error.phone.taken")),
        Verify::Code(other) => errors.add("code", code_error(&ctx, &other)),
    }
    Ok(invalid(view::phone_verify(&ctx, &errors, &masked, None)))
}

pub async fn off_form(ctx: Ctx, _: Applicant) -> HttpResponse {
    html(view::two_step_off(&ctx, &FormErrors::default()))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// The password; when right, a code goes to the current phone.
pub async fn off(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<PasswordForm>,
    Applicant { account, .. }: Applicant,
) -> Result<HttpResponse, AppError> {
    count::<Logins>(&req, &state)?;
    let ip = client_ip(&req).to_string();
    Ok(
        match two_step::turn_off(&state, account, form.password.into(), ctx.lang(), ip).await? {
            Start::Sent | Start::TooSoon | Start::AlreadyOn => {
                redirect(paths::ACCOUNT_TWO_STEP_OFF_VERIFY)
            }
            Start::WrongPassword => {
                let mut errors = FormErrors::default();
                errors.add("password", ctx.t("error.password.wrong"));
                invalid(view::two_step_off(&ctx, &errors))
            }
        },
    )
}

pub async fn off_verify_form(ctx: Ctx, Applicant { session, .. }: Applicant) -> HttpResponse {
    let Some(phone) = session.phone.as_deref() else {
        return redirect(paths::ACCOUNT);
    };
    html(view::two_step_off_verify(
        &ctx,
        &FormErrors::default(),
        &mask(phone),
    ))
}

/// The code sent to the current phone turns two-step verification off.
pub async fn off_verify(
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
        Err(errors) => return Ok(invalid(view::two_step_off_verify(&ctx, &errors, &masked))),
    };
    let ip = client_ip(&req).to_string();
    let outcome = two_step::confirm_off(&state, session, Some(code), ip).await?;
    Ok(after_code(
        &state,
        &ctx,
        outcome,
        paths::ACCOUNT_TWOSTEP_OFF,
        |errors| view::two_step_off_verify(&ctx, errors, &masked),
    ))
}
