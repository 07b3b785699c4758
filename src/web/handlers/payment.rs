//! Paying the fee of an approved application, the return from the provider, the
//! paid-and-submitted page and receipts.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::db::drafts::Draft;
use crate::domain::date::Date;
use crate::domain::forms::FormDef;
use crate::domain::payment::Outcome;
use crate::error::AppError;
use crate::flows::payment::{self, Finish, Start};
use crate::flows::records;
use crate::paths;
use crate::web::guard::access::show_more;
use crate::web::guard::access::{form_of, logged_in};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{html, redirect, Checked};
use crate::web::views::payment::{self as view, PayView};
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct PayFlags {
    pending: Option<String>,
}

/// The logged-in person's draft and its type. These pages need neither its answers
/// nor its documents, so only the draft row is read. None when nobody is logged in;
/// 404 for anyone else's.
async fn owned_draft<'a>(
    state: &'a WebState,
    ctx: &Ctx,
    reference: String,
) -> Result<Option<(Draft, &'a FormDef)>, AppError> {
    let Some(account) = logged_in(ctx) else {
        return Ok(None);
    };
    let draft = records::own_draft(state, account, reference)
        .await?
        .ok_or(AppError::DraftGone)?;
    let form = form_of(state, &draft.form_id)?;
    Ok(Some((draft, form)))
}

/// The draft if it waits for its fee; otherwise where the person goes instead.
async fn payable<'a>(
    state: &'a WebState,
    ctx: &Ctx,
    reference: String,
) -> Result<Checked<(Draft, &'a FormDef)>, AppError> {
    let Some((draft, form)) = owned_draft(state, ctx, reference).await? else {
        return Ok(Checked::Answer(redirect(paths::LOGIN)));
    };
    if draft.approved_at.is_none() {
        return Ok(Checked::Answer(redirect(&paths::review(&draft.reference))));
    }
    if draft.submitted_at.is_some() {
        return Ok(Checked::Answer(redirect(&paths::submitted(
            &draft.reference,
        ))));
    }
    Ok(Checked::Go((draft, form)))
}

/// After approval: the fee, the last attempt's outcome, and the button to pay.
pub async fn pay_page(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
    q: web::Query<PayFlags>,
) -> Result<HttpResponse, AppError> {
    let (draft, form) = match payable(&state, &ctx, reference.into_inner()).await? {
        Checked::Go(found) => found,
        Checked::Answer(elsewhere) => return Ok(elsewhere),
    };
    let draft = &draft;
    let id = draft.id;
    let attempts = records::payments_of_draft(&state, id).await?;
    let last = attempts.first();
    Ok(html(view::pay(
        &ctx,
        &PayView {
            form,
            reference: &draft.reference,
            amount: form.fee_ore(),
            failed: last.and_then(|p| p.state.is_final().then_some(p.outcome).flatten()),
            pending: q.pending.is_some() || last.is_some_and(|p| !p.state.is_final()),
            // The last moment is one second before it is gone.
            pay_by: Date::in_sweden(
                crate::domain::rules::draft_gone_at(draft.expires_at, draft.approved_at) - 1,
            ),
        },
    )))
}

/// Starts (or continues) a payment and sends the person to the provider's page.
/// Nothing posted sets the amount: it comes from the application type.
pub async fn pay(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (draft, form) = match payable(&state, &ctx, reference.into_inner()).await? {
        Checked::Go(found) => found,
        Checked::Answer(elsewhere) => return Ok(elsewhere),
    };
    let draft = &draft;
    Ok(
        match payment::start(&state, draft, form, ctx.lang()).await? {
            Start::Provider(url) => redirect(&url),
            Start::AlreadyPaid => redirect(&paths::submitted(&draft.reference)),
        },
    )
}

/// The provider sends the person here; the outcome is asked of the provider.
pub async fn returned(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(account) = logged_in(&ctx) else {
        let next = crate::web::views::layout::encode_path(&paths::payment_return(&reference));
        return Ok(redirect(&paths::login_then(&next)));
    };
    let reference = reference.into_inner();
    let found = records::own_payment(&state, account, reference).await?;
    let (payment, draft) = found.ok_or(AppError::NotFound)?;
    let form = form_of(&state, &draft.form_id)?;
    Ok(
        match payment::finish(&state, &payment, account, form).await? {
            Finish::Submitted => redirect(&paths::submitted(&draft.reference)),
            Finish::Unsuccessful(_) => redirect(&paths::approved(&draft.reference)),
            Finish::Pending => redirect(&paths::approved_pending(&draft.reference)),
        },
    )
}

/// The box: paid for and submitted, with the verification number.
pub async fn submitted(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (draft, form) = owned_draft(&state, &ctx, reference.into_inner())
        .await?
        .ok_or(AppError::Login)?;
    let id = draft.id;
    let Some(case) = records::case_of_draft(&state, id).await? else {
        return Ok(redirect(&paths::approved(&draft.reference)));
    };
    let refunded: Vec<i64> = records::payments_of_draft(&state, id)
        .await?
        .iter()
        .filter(|p| p.refunded_at.is_some() && p.outcome == Some(Outcome::Duplicate))
        .map(|p| p.amount)
        .collect();
    Ok(html(view::submitted(
        &ctx,
        form,
        &case,
        &refunded,
        show_more(&ctx),
    )))
}

/// A printable receipt. Shown to a login with two-step verification and to the
/// applicant identified by e-identification; anyone else's receipt does not exist.
pub async fn receipt(
    ctx: Ctx,
    state: web::Data<WebState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let reader = crate::web::guard::access::reader(&ctx).ok_or(AppError::Login)?;
    let more = crate::web::guard::access::sees_more(&ctx, &reader);
    let reference = reference.into_inner();
    let receipt = records::receipt(&state, reader, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if !more {
        return Ok(html(view::needs_two_step(&ctx)));
    }
    let form = form_of(&state, &receipt.form_id)?;
    Ok(html(view::receipt(
        &ctx,
        form,
        &receipt,
        &state.settings.contact,
    )))
}
