//! My Page of a person identified by e-identification without an account, and
//! linking that identity to an account.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::email::Email;
use crate::domain::secret::OneTimeCode;
use crate::error::AppError;
use crate::flows::identity::eid::{self, display_pin};
use crate::flows::identity::{CodeOutcome, Resend};
use crate::flows::records;
use crate::paths;
use crate::web::forms::CodeForm;
use crate::web::guard::access::{count, Codes, Person};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{html, invalid, redirect, redirect_with_session};
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
}

pub async fn start_link(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<LinkForm>,
    Person(session): Person,
) -> Result<HttpResponse, AppError> {
    count::<Codes>(&req, &state)?;
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(p) => {
            let mut errors = FormErrors::default();
            errors.add("email", ctx.t(p.key()));
            return overview(&ctx, &state, &form.email, false, &errors).await;
        }
    };
    // Sent or too soon: the same page, and the code already sent still works.
    let (Resend::Sent | Resend::TooSoon) = eid::start_link(&state, &session, email).await?;
    Ok(redirect(paths::ACCOUNT_LINK_SENT))
}

pub async fn finish_link(
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<CodeForm>,
    Person(session): Person,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::default();
    let key = match eid::finish_link(&state, &session, OneTimeCode::parse(&form.code)).await? {
        CodeOutcome::Accepted(token) => {
            return Ok(redirect_with_session(&state, paths::ACCOUNT_LINKED, &token))
        }
        CodeOutcome::Wrong { .. } => "error.code.wrong",
        CodeOutcome::Expired => "error.code.expired",
        CodeOutcome::Void => "error.code.void",
    };
    errors.add("code", ctx.t(key));
    overview(&ctx, &state, "", true, &errors).await
}
