//! A submitted application's own page on My Page.
use actix_web::{web, HttpResponse};

use crate::domain::verification::VerificationNumber;
use crate::error::AppError;
use crate::flows::records;
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
    let found = records::case(&state, reader, number.as_str().to_string()).await?;
    let (case, history) = found.ok_or(AppError::NotFound)?;
    let form = form_of(&state, &case.form_id)?;
    Ok(html(crate::web::views::cases::case_page(
        &ctx, form, &case, &history, more,
    )))
}
