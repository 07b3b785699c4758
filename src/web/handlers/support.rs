//! The support desk's pages (role support): search, an account's summary, and
//! the changes support makes after verifying the caller.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::email::Email;
use crate::domain::phone::Phone;
use crate::domain::secret::OneTimeCode;
use crate::domain::staff::Support;
use crate::domain::AccountId;
use crate::error::AppError;
use crate::flows::support::{self as desk, Changed, Summary, Verified};
use crate::flows::support_messages;
use crate::paths;
use crate::web::guard::staff::StaffCtx;
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, invalid, redirect, Checked};
use crate::web::views::components::Message;
use crate::web::views::components::{FormErrors, Notice};
use crate::web::views::support::{self as view, SupportPage};
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    closed: Option<String>,
}

pub async fn search(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    q: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let query = q.q.trim();
    let found = if query.is_empty() {
        None
    } else {
        desk::find(&state, &who, query, client_ip(&req).to_string()).await?
    };
    Ok(html(view::support(
        &ctx,
        &SupportPage {
            query,
            found: found.as_ref(),
            searched: !query.is_empty(),
            forms: &state.forms,
        },
        &FormErrors::default(),
        q.closed
            .as_ref()
            .map(|_| Message::success("staff.support.closed")),
    )))
}

#[derive(Deserialize)]
pub struct DoneFlags {
    done: Option<String>,
    pending: Option<String>,
}

/// An account's summary, after an operation (with what was done).
pub async fn account(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    q: web::Query<DoneFlags>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    let summary = desk::open_account(&state, &who, id, client_ip(&req).to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    let notice = match q.done.as_deref() {
        Some("phone") => Some(Message::success("staff.support.phone_changed")),
        Some("email") => Some(Message::success("staff.support.email_corrected")),
        Some("confirmation") => Some(Message::success("staff.support.confirmation_sent")),
        Some("questionnaire") => Some(Message::success("staff.support.questionnaire_sent")),
        Some("message") => Some(Message::success("staff.support.message_resent")),
        _ => match q.pending.as_deref() {
            Some("phone") => Some(Message::info("staff.support.phone_pending")),
            Some("email") => Some(Message::info("staff.support.email_pending")),
            _ => None,
        },
    };
    Ok(show(
        &ctx,
        &state,
        &summary,
        &FormErrors::default(),
        notice,
        false,
    ))
}

fn show(
    ctx: &Ctx,
    state: &WebState,
    s: &Summary,
    errors: &FormErrors,
    n: Notice,
    failed: bool,
) -> HttpResponse {
    let page = view::support(
        ctx,
        &SupportPage {
            query: &s.email,
            found: Some(s),
            searched: true,
            forms: &state.forms,
        },
        errors,
        n,
    );
    if failed {
        invalid(page)
    } else {
        html(page)
    }
}

/// Shows the summary again with the form's problems (nothing was changed).
async fn refused(
    ctx: &Ctx,
    state: &WebState,
    who: &Support,
    id: AccountId,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let summary = desk::summary_of(state, who, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(show(ctx, state, &summary, &errors, None, true))
}

fn after(id: AccountId, done: &str) -> HttpResponse {
    redirect(&paths::staff_support_done(id.0, done))
}

fn checked(
    ctx: &Ctx,
    errors: &mut FormErrors,
    prefix: &str,
    ticked: &Option<String>,
    note: &str,
) -> Option<Verified> {
    Verified::parse(ticked.as_deref() == Some("yes"), note)
        .map_err(|problem| {
            let field = match problem {
                desk::NotVerified::NotTicked => format!("{prefix}_verified"),
                _ => format!("{prefix}_note"),
            };
            errors.add(field, ctx.t(problem.key()));
        })
        .ok()
}

/// For an operation that needs only the verification: the verification, or the
/// summary again with its problems.
async fn tick_only(
    ctx: &Ctx,
    state: &WebState,
    who: &Support,
    id: AccountId,
    prefix: &str,
    form: &TickForm,
) -> Result<Checked<Verified>, AppError> {
    let mut errors = FormErrors::default();
    match checked(ctx, &mut errors, prefix, &form.verified, &form.note) {
        Some(v) => Ok(Checked::Go(v)),
        None => refused(ctx, state, who, id, errors)
            .await
            .map(Checked::Answer),
    }
}

/// Shows the whole phone number once the caller is verified (the page is not
/// redirected to, so the number is not kept in any address).
pub async fn reveal_phone(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    Posted(form): Posted<TickForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    let verified = match tick_only(&ctx, &state, &who, id, "reveal", &form).await? {
        Checked::Go(v) => v,
        Checked::Answer(page) => return Ok(page),
    };
    let summary = desk::reveal_phone(&state, &who, id, verified, client_ip(&req).to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(show(
        &ctx,
        &state,
        &summary,
        &FormErrors::default(),
        None,
        false,
    ))
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
    phone_verified: Option<String>,
    #[serde(default)]
    phone_note: String,
}

pub async fn change_phone(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    Posted(form): Posted<PhoneForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    // A caller's new number for two-step: it must take text messages; Swedish
    // numbers may be written nationally.
    let phone = Phone::parse_mobile(Some("SE"), &form.phone).map_err(|p| p.key());
    let (phone, verified) = match value_and_verification(
        &ctx,
        "phone",
        phone,
        &form.phone_verified,
        &form.phone_note,
    ) {
        Ok(both) => both,
        Err(errors) => return refused(&ctx, &state, &who, id, errors).await,
    };
    let changed = desk::change_phone(
        &state,
        &who,
        id,
        phone,
        verified,
        client_ip(&req).to_string(),
    )
    .await?;
    let field = ("phone", "error.support.phone_in_use");
    answer(&ctx, &state, &who, id, changed, field).await
}

/// A new value for `field` (or the catalog key of its problem) with the caller's
/// verification; or the problems of both, shown at once.
fn value_and_verification<T>(
    ctx: &Ctx,
    field: &str,
    value: Result<T, &'static str>,
    verified: &Option<String>,
    note: &str,
) -> Result<(T, Verified), FormErrors> {
    let mut errors = FormErrors::default();
    let value = value.map_err(|key| errors.add(field, ctx.t(key))).ok();
    let verified = checked(ctx, &mut errors, field, verified, note);
    value.zip(verified).ok_or(errors)
}

/// The page after a change of the phone number or the email address (`field`):
/// done, or the form again when the new value belongs to another account.
async fn answer(
    ctx: &Ctx,
    state: &WebState,
    who: &Support,
    id: AccountId,
    changed: Changed,
    (field, in_use): (&str, &str),
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::default();
    match changed {
        Changed::Done => return Ok(after(id, field)),
        Changed::Pending => return Ok(redirect(&paths::staff_support_pending(id.0, field))),
        Changed::InUse => errors.add(field, ctx.t(in_use)),
        Changed::WrongCode => {
            let code_field = if field == "phone" {
                "phone_code"
            } else {
                "address_code"
            };
            errors.add(code_field, ctx.t("error.support.code_wrong"))
        }
        Changed::NoAccount => return Err(AppError::NotFound),
    }
    refused(ctx, state, who, id, errors).await
}

#[derive(Deserialize)]
pub struct CodesForm {
    #[serde(default)]
    phone_code: String,
    #[serde(default)]
    email_code: String,
    #[serde(default)]
    address_code: String,
}

/// The codes the caller reads out from the new phone and from the account's email.
pub async fn confirm_phone(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    Posted(form): Posted<CodesForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    let read = (
        OneTimeCode::parse(&form.phone_code),
        OneTimeCode::parse(&form.email_code),
    );
    let ip = client_ip(&req).to_string();
    let changed = desk::confirm_phone_change(&state, &who, id, read, ip).await?;
    let field = ("phone", "error.support.phone_in_use");
    answer(&ctx, &state, &who, id, changed, field).await
}

/// The code the caller reads out from the corrected address.
pub async fn confirm_email(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    Posted(form): Posted<CodesForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    let code = OneTimeCode::parse(&form.address_code);
    let ip = client_ip(&req).to_string();
    let changed = desk::confirm_email_correction(&state, &who, id, code, ip).await?;
    let field = ("email", "error.support.email_in_use");
    answer(&ctx, &state, &who, id, changed, field).await
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    email_verified: Option<String>,
    #[serde(default)]
    email_note: String,
}

pub async fn correct_email(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    Posted(form): Posted<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    let email = Email::parse(&form.email).map_err(|p| p.key());
    let (email, verified) = match value_and_verification(
        &ctx,
        "email",
        email,
        &form.email_verified,
        &form.email_note,
    ) {
        Ok(both) => both,
        Err(errors) => return refused(&ctx, &state, &who, id, errors).await,
    };
    let changed = desk::correct_email(
        &state,
        &who,
        id,
        email,
        verified,
        client_ip(&req).to_string(),
    )
    .await?;
    let field = ("email", "error.support.email_in_use");
    answer(&ctx, &state, &who, id, changed, field).await
}

/// A form with only the verification tick and note (reveal, close); its field
/// names carry the form's prefix so ids stay unique on the page.
#[derive(Deserialize)]
pub struct TickForm {
    #[serde(alias = "reveal_verified", alias = "close_verified")]
    verified: Option<String>,
    #[serde(default, alias = "reveal_note", alias = "close_note")]
    note: String,
    /// Closing: the second page's "Yes, close the account".
    confirmed: Option<String>,
}

pub async fn close(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    Posted(form): Posted<TickForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    let verified = match tick_only(&ctx, &state, &who, id, "close", &form).await? {
        Checked::Go(v) => v,
        Checked::Answer(page) => return Ok(page),
    };
    // Nothing is deleted before support has seen what will be, on a second page.
    if form.confirmed.as_deref() != Some("yes") {
        let summary = desk::summary_of(&state, &who, id)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(html(view::close_confirm(
            &ctx,
            &summary,
            &state.forms,
            &form.note,
        )));
    }
    if !desk::close_account(&state, &who, id, verified, client_ip(&req).to_string()).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect(paths::STAFF_SUPPORT_CLOSED))
}

pub async fn resend_confirmation(
    req: HttpRequest,
    state: web::Data<WebState>,
    staff: StaffCtx,
    id: web::Path<i64>,
    _form: Posted<crate::web::forms::Empty>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let id = AccountId(id.into_inner());
    desk::resend_confirmation(&state, &who, id, client_ip(&req).to_string()).await?;
    Ok(after(id, "confirmation"))
}

/// Queues a message that failed for good again.
pub async fn resend_message(
    req: HttpRequest,
    state: web::Data<WebState>,
    staff: StaffCtx,
    ids: web::Path<(i64, i64)>,
    _form: Posted<crate::web::forms::Empty>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let (id, message) = ids.into_inner();
    let id = AccountId(id);
    if !support_messages::resend(&state, &who, id, message, client_ip(&req).to_string()).await? {
        return Err(AppError::NotFound);
    }
    Ok(after(id, "message"))
}

#[derive(Deserialize)]
pub struct QuestionnaireForm {
    #[serde(default)]
    questionnaire_email: String,
}

/// Sends the questionnaire link again, to a corrected address if one was typed.
pub async fn resend_questionnaire(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    staff: StaffCtx,
    verification: web::Path<String>,
    Posted(form): Posted<QuestionnaireForm>,
) -> Result<HttpResponse, AppError> {
    let who = staff.permit::<Support>().await?;
    let verification = verification.into_inner();
    let account = desk::account_of_case(&state, &who, verification.clone()).await?;
    let email = match Email::parse(&form.questionnaire_email) {
        Ok(e) => e,
        Err(p) => {
            let mut errors = FormErrors::default();
            errors.add("questionnaire_email", ctx.t(p.key()));
            let id = account.ok_or(AppError::NotFound)?;
            return refused(&ctx, &state, &who, id, errors).await;
        }
    };
    if !desk::resend_questionnaire(
        &state,
        &who,
        verification,
        Some(email),
        client_ip(&req).to_string(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(match account {
        Some(id) => after(id, "questionnaire"),
        None => redirect(paths::STAFF_SUPPORT),
    })
}
