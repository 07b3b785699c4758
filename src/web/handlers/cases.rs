//! A submitted application's own page on My Page.
use actix_web::{web, HttpResponse};

use crate::db::{self, cases, Reader};
use crate::domain::verification::VerificationNumber;
use crate::error::AppError;
use crate::web::guard::access::{form_of, reader, sees_more};
use crate::web::guard::Ctx;
use crate::web::respond::html;
use crate::web::web_state::WebState;

/// The case, if it is the logged-in person's; anyone else's does not exist.
pub async fn show(
    ctx: Ctx,
    state: web::Data<WebState>,
    number: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    // A person identified by e-identification sees the cases of their personal identity number.
    let reader = reader(&ctx).ok_or(AppError::Login)?;
    let more = sees_more(&ctx, &reader);
    let number = VerificationNumber::parse(&number).map_err(|_| AppError::NotFound)?;
    let found = db::read(&state.pool, move |c| {
        let case = match &reader {
            Reader::Account(account) => cases::owned(c, number.as_str(), *account)?,
            Reader::Applicant(pin) => cases::of_applicant(c, number.as_str(), pin)?,
        };
        let Some(case) = case else {
            return Ok(None);
        };
        let mut history = cases::history(c, case.id)?;
        history.retain(|e| e.kind.for_applicant());
        Ok(Some((case, history)))
    })
    .await?;
    let (case, history) = found.ok_or(AppError::NotFound)?;
    let form = form_of(&state, &case.form_id)?;
    Ok(html(crate::web::views::cases::case_page(
        &ctx, form, &case, &history, more,
    )))
}
