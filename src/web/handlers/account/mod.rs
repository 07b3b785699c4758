//! Creating an account, confirming it with the emailed code, and the account page.
pub mod devices;
pub mod person;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;

use crate::db::payments::Receipt;
use crate::domain::date::Date;
use crate::domain::email::Email;
use crate::domain::money;
use crate::domain::password::NewPassword;
use crate::domain::phone::mask;
use crate::domain::session::{Assurance, Stage};
use crate::domain::Lang;
use crate::error::AppError;
use crate::flows::identity::eid::display_pin;
use crate::flows::identity::{sign_up, CodeOutcome, Resend};
use crate::flows::records;
use crate::paths;
use crate::web::forms::{code_error, parse_code, password_problem, CodeForm};
use crate::web::guard::access::{count, Applicant, Codes, Creations};
use crate::web::guard::{Ctx, Posted};
use crate::web::page_cache::MyPageInputs;
use crate::web::respond::{html, html_bytes, invalid, redirect, redirect_with_session};
use crate::web::views::account as view;
use crate::web::views::components::Message;
use crate::web::views::components::{FormErrors, Notice};
use crate::web::views::my_page::{self, CaseRow, DraftRow, Overview, ReceiptRow};
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

/// Notices that a redirect asks for with a query flag.
#[derive(Deserialize, Default)]
pub struct Flags {
    sent: Option<String>,
    wait: Option<String>,
    twostep: Option<String>,
    saved: Option<String>,
    email: Option<String>,
    password: Option<String>,
    /// A code to link an account was sent (person-only e-identification session).
    link: Option<String>,
    linked: Option<String>,
    unlinked: Option<String>,
    /// Removing the link was refused: the password was wrong.
    unlink: Option<String>,
}

impl Flags {
    pub fn notice(&self) -> Notice {
        if self.sent.is_some() {
            Some(Message::success("code.sent_again"))
        } else if self.wait.is_some() {
            Some(Message::warning("code.wait"))
        } else if self.saved.is_some() {
            Some(Message::success("apply.saved"))
        } else if self.email.is_some() {
            Some(Message::success("account.email.now_changed"))
        } else if self.password.is_some() {
            Some(Message::success("account.password.now_changed"))
        } else if self.linked.is_some() {
            Some(Message::success("eid.link.done"))
        } else if self.unlinked.is_some() {
            Some(Message::success("eid.link.removed"))
        } else if self.unlink.is_some() {
            Some(Message::warning("eid.link.remove_refused"))
        } else {
            match self.twostep.as_deref() {
                Some("on") => Some(Message::success("account.two_step.now_on")),
                Some("off") => Some(Message::success("account.two_step.now_off")),
                _ => None,
            }
        }
    }
}

pub async fn create_form(ctx: Ctx) -> HttpResponse {
    html(view::create_form(&ctx, &FormErrors::default(), ""))
}

pub async fn create(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<CreateForm>,
) -> Result<HttpResponse, AppError> {
    count::<Creations>(&req, &state)?;
    let mut errors = FormErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.add("email", ctx.t(e.key())))
        .ok();
    let address = email.as_ref().map(Email::as_str).unwrap_or_default();
    let password: SecretString = form.password.into();
    let repeat: SecretString = form.password_repeat.into();
    let new_password = NewPassword::parse_for_address(&password, &repeat, address)
        .map_err(|p| {
            let (field, message) = password_problem(&ctx, &p);
            errors.add(field, message);
        })
        .ok();
    let (Some(email), Some(new_password)) = (email, new_password) else {
        return Ok(invalid(view::create_form(&ctx, &errors, &form.email)));
    };
    let replacing = ctx.session.as_ref().map(|s| s.id_hash.clone());
    let token = sign_up::create(&state, email, new_password, ctx.lang(), replacing).await?;
    Ok(redirect_with_session(
        &state,
        paths::ACCOUNT_CONFIRM,
        &token,
    ))
}

pub async fn confirm_form(ctx: Ctx, q: web::Query<Flags>) -> HttpResponse {
    if ctx.pending(Stage::PendingEmail).is_none() {
        return redirect(paths::LOGIN);
    }
    html(view::confirm_form(&ctx, &FormErrors::default(), q.notice()))
}

/// "Wrong address? Start again": drops the pending sign-up, back to the form.
pub async fn start_again(
    ctx: Ctx,
    state: web::Data<WebState>,
    _form: Posted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let Some(session) = ctx.pending(Stage::PendingEmail).cloned() else {
        return Ok(redirect(paths::ACCOUNT_CREATE));
    };
    sign_up::start_again(&state, session).await?;
    let mut res = redirect(paths::ACCOUNT_CREATE);
    res.add_cookie(&crate::web::guard::middleware::removal_cookie(
        &state,
        crate::web::guard::middleware::SESSION_COOKIE,
    ))
    .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(res)
}

pub async fn confirm(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let session = ctx
        .pending(Stage::PendingEmail)
        .cloned()
        .ok_or(AppError::Login)?;
    count::<Codes>(&req, &state)?;
    let code = match parse_code(&ctx, &form.code) {
        Ok(code) => code,
        Err(errors) => return Ok(invalid(view::confirm_form(&ctx, &errors, None))),
    };
    match sign_up::confirm(&state, session, Some(code)).await? {
        CodeOutcome::Accepted(token) => Ok(redirect_with_session(
            &state,
            paths::ACCOUNT_CREATED,
            &token,
        )),
        other => {
            let mut errors = FormErrors::default();
            errors.add("code", code_error(&ctx, &other));
            Ok(invalid(view::confirm_form(&ctx, &errors, None)))
        }
    }
}

pub async fn resend(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    _form: Posted<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let session = ctx
        .pending(Stage::PendingEmail)
        .cloned()
        .ok_or(AppError::Login)?;
    count::<Codes>(&req, &state)?;
    Ok(match sign_up::resend(&state, session, ctx.lang()).await? {
        Resend::Sent => redirect(paths::ACCOUNT_CONFIRM_SENT),
        Resend::TooSoon => redirect(paths::ACCOUNT_CONFIRM_WAIT),
    })
}

pub async fn created(ctx: Ctx, _: Applicant) -> HttpResponse {
    html(view::created(&ctx))
}

/// My Page: the unfinished applications and the account settings. Everything but
/// the draft list came with the session.
pub async fn overview(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<Flags>,
) -> Result<HttpResponse, AppError> {
    let Some(session) = ctx.account() else {
        if ctx.person().is_some() {
            return person::overview(&ctx, &state, "", q.link.is_some(), &FormErrors::default())
                .await;
        }
        if ctx.partner().is_some() {
            return Ok(redirect(paths::PARTNER));
        }
        return Ok(redirect(paths::LOGIN));
    };
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let inputs = MyPageInputs::new(&ctx, session, q.notice());
    let kept = state.my_page.get(&session.id_hash, &inputs);
    state.metrics.page_cache("my_page", kept.is_some());
    if let Some(page) = kept {
        return Ok(html_bytes(StatusCode::OK, page));
    }
    let more = session.assurance >= Assurance::Substantial;
    let records::MyPage {
        revision,
        drafts,
        cases,
        receipts,
    } = records::my_page(&state, account, more).await?;
    let lang = ctx.lang();
    let title = |form_id: &str| state.forms.title(form_id, lang).to_string();
    let overview = Overview {
        email: session.email.as_deref().unwrap_or_default(),
        masked_phone: session.phone.as_deref().map(mask),
        // The whole number only at the substantial level (two-step or e-ID).
        linked_pin: session.account_pin.as_deref().map(|pin| {
            let shown = display_pin(pin);
            if more {
                shown
            } else {
                format!("{}-****", &shown[..shown.len().min(8)])
            }
        }),
        assurance: session.assurance,
        drafts: drafts
            .into_iter()
            .map(|d| DraftRow {
                title: title(&d.form_id),
                started: Date::in_sweden(d.created_at).to_string(),
                deleted_on: Date::in_sweden(d.expires_at).to_string(),
                href: if d.approved_at.is_some() {
                    paths::approved(&d.reference)
                } else {
                    paths::draft(&d.reference)
                },
                awaiting_payment: d.approved_at.is_some(),
            })
            .collect(),
        cases: cases
            .iter()
            .map(|c| CaseRow {
                title: state.forms.title(&c.form_id, lang),
                submitted: Date::in_sweden(c.submitted_at),
                verification: &c.verification,
                status: c.status,
            })
            .collect(),
        receipts: receipt_rows(&state, lang, receipts),
    };
    let page = web::Bytes::from(my_page::overview(&ctx, &overview, q.notice()).into_string());
    // Kept only when read at the revision the session saw, so what is kept is
    // exactly what these inputs show.
    if revision == Some(inputs.revision()) {
        state.my_page.put(&session.id_hash, inputs, page.clone());
    }
    Ok(html_bytes(StatusCode::OK, page))
}

/// Receipts as My Page lists them.
pub(super) fn receipt_rows(
    state: &WebState,
    lang: Lang,
    receipts: Vec<Receipt>,
) -> Vec<ReceiptRow> {
    receipts
        .into_iter()
        .map(|r| ReceiptRow {
            title: state.forms.title(&r.form_id, lang).to_string(),
            paid: Date::in_sweden(r.paid_at).to_string(),
            amount: money::amount(r.amount, lang),
            href: paths::receipt(&r.payment_reference),
            verification: r.verification,
        })
        .collect()
}
