//! Approving an application by signing it with BankID: starting the order from
//! the review page, and what follows once it completes (see `flows::signing`).
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{owned_or_login, place_path};
use crate::db::drafts::Owner;
use crate::domain::secret::Token;
use crate::domain::session::Method;
use crate::error::AppError;
use crate::flows::apply;
use crate::flows::signing::{self, Refusal};
use crate::paths;
use crate::web::guard::access::{count, Logins};
use crate::web::guard::middleware::{eid_order_key as order_key, EID_COOKIE};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, redirect, redirect_with_cookie};
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct SignForm {
    #[serde(default)]
    revision: String,
    #[serde(default)]
    method: String,
}

/// "Sign with BankID": starts the signing order and goes to its page.
pub async fn sign(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
    Posted(input): Posted<SignForm>,
) -> Result<HttpResponse, AppError> {
    let (current, form) = owned_or_login(&state, &ctx, reference.into_inner()).await?;
    // Applications are signed by their applicants; a questionnaire is not.
    if !matches!(current.owner, Owner::Account(_)) {
        return Err(AppError::NotFound);
    }
    let method = Method::parse(&input.method).ok_or(AppError::NotFound)?;
    // Each order is a call to the service, limited as logins are.
    count::<Logins>(&req, &state)?;
    if let Some(old) = order_key(&req, &state) {
        state.eid.cancel(&old).await;
    }
    let reference = current.draft.reference.clone();
    let token = Token::generate();
    let started = signing::start(
        &state,
        token.hash(),
        method,
        &client_ip(&req).to_string(),
        &current,
        form,
        input.revision.parse().unwrap_or(-1),
        ctx.session.as_ref(),
        ctx.lang(),
    )
    .await;
    Ok(match started {
        Ok(()) => redirect_with_cookie(&state, paths::LOGIN_EID, EID_COOKIE, &token),
        Err(Refusal::AlreadyApproved) => redirect(&paths::review_locked(&reference)),
        Err(Refusal::NotReady) => {
            redirect(&place_path(&current, &apply::current_place(&current, form)))
        }
        Err(Refusal::NoPin) => redirect(&paths::review_not_signed(&reference, "no_pin")),
        Err(Refusal::NotTheApplicant) => redirect(&paths::review_not_signed(&reference, "other")),
        Err(Refusal::Unavailable(crate::outbound::eid::EidError::AlreadyInProgress)) => {
            redirect(&paths::review_not_signed(&reference, "in_progress"))
        }
        Err(Refusal::Unavailable(_)) => {
            redirect(&paths::review_not_signed(&reference, "unavailable"))
        }
    })
}

/// The message the review page shows after `?unsigned=`.
pub fn refusal_message(why: &str) -> &'static str {
    match why {
        "changed" => "sign.refused.changed",
        "other" => "sign.refused.other",
        "no_pin" => "sign.refused.no_pin",
        // BankID's own message: an order for this person is already in progress.
        "in_progress" => "eid.rfa4",
        _ => "sign.refused.unavailable",
    }
}
