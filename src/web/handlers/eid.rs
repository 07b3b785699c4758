//! Logging in by e-identification: starting an order, the page that follows it
//! (with its small JSON endpoint for the script), finishing and cancelling; the
//! person-only My Page and linking it to an account; the partner page.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::db::drafts::Owner;
use crate::domain::secret::Token;
use crate::domain::session::Method;
use crate::error::AppError;
use crate::flows::apply;
use crate::flows::identity::eid::{self, EidLogin};
use crate::flows::signing::{self, Signed};
use crate::outbound::eid::orders::Finished;
use crate::outbound::eid::orders::{Attempt, Progress};
use crate::outbound::eid::{error_message, Provider};
use crate::paths;
use crate::web::guard::access::{count, form_of, logged_in, Logins};
use crate::web::guard::middleware::{eid_order_key as order_key, removal_cookie, EID_COOKIE};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{
    client_ip, html, invalid, local_path, redirect, redirect_with_cookie, redirect_with_session,
};
use crate::web::views::eid::{self as view, OrderView, ProfessionalHelp};
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    method: String,
    /// Where to go once identified (a local path), e.g. back to the questionnaire.
    next: Option<String>,
}

pub async fn start(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<StartForm>,
) -> Result<HttpResponse, AppError> {
    let method = Method::parse(&form.method)
        .filter(|m| Provider::of(*m).is_some_and(|p| state.eid.offers(p)))
        .ok_or(AppError::NotFound)?;
    let ip = client_ip(&req);
    count::<Logins>(&req, &state)?;
    if let Some(old) = order_key(&req, &state) {
        state.eid.cancel(&old).await;
    }
    let token = Token::generate();
    match state
        .eid
        .start(
            token.hash(),
            method,
            &ip.to_string(),
            local_path(form.next.as_deref()).map(str::to_string),
            state.now(),
        )
        .await
    {
        Ok(()) => Ok(redirect_with_cookie(
            &state,
            paths::LOGIN_EID,
            EID_COOKIE,
            &token,
        )),
        Err(e) => Ok(crate::web::respond::html_status(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            view::start_failed(
                &ctx,
                method,
                error_message(&e),
                &ProfessionalHelp::of(&state.settings),
            ),
        )),
    }
}

/// What the page shows of the order now.
fn order_view(state: &WebState, a: &Attempt) -> Result<OrderView, AppError> {
    let now = state.now();
    let provider = Provider::of(a.method).ok_or(AppError::NotFound)?;
    let simulated = state.eid.test_app.is_some();
    let qr = (a.method == Method::MobileBankId).then(|| a.qr(now));
    let test_app = state.eid.test_app.as_deref().map(|prefix| match a.method {
        Method::MobileBankId => format!("{prefix}/{}/app", provider.as_str()),
        _ => format!(
            "{prefix}/{}/app?autostarttoken={}",
            provider.as_str(),
            a.order.auto_start_token
        ),
    });
    Ok(OrderView {
        qr_svg: qr.as_deref().map(qr_svg).transpose()?,
        qr_content: qr.filter(|_| simulated),
        launch: matches!(a.method, Method::BankId).then(|| {
            format!(
                "bankid:///?autostarttoken={}&redirect=null",
                a.order.auto_start_token
            )
        }),
        test_app,
        professional: ProfessionalHelp::of(&state.settings),
    })
}

/// The QR code as inline SVG markup. The markup holds only the code's modules
/// (rectangles and one path of coordinates) made by the qrcode crate; the content
/// itself never appears in it, so it is safe to put into the page unescaped.
fn qr_svg(content: &str) -> Result<String, AppError> {
    let svg = qrcode::QrCode::new(content.as_bytes())
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("qr code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // Inline in HTML: without the XML declaration.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |at| svg[at..].to_string()))
}

/// The order's page: the QR code or launch link and BankID's message; it refreshes
/// itself (a script, or without one a meta refresh).
pub async fn page(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
) -> Result<HttpResponse, AppError> {
    let key = order_key(&req, &state).ok_or(AppError::Login)?;
    let (attempt, progress) = state
        .eid
        .progress(&key, state.now())
        .await
        .ok_or(AppError::Login)?;
    let v = order_view(&state, &attempt)?;
    Ok(html(view::order_page(&ctx, &attempt, &progress, &v)))
}

#[derive(Serialize)]
struct Status {
    state: &'static str,
    message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    qr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qr_content: Option<String>,
}

/// The script's view of the order, every second.
pub async fn status(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
) -> Result<HttpResponse, AppError> {
    let progress = match order_key(&req, &state) {
        Some(key) => state.eid.progress(&key, state.now()).await,
        None => None,
    };
    let Some((attempt, progress)) = progress else {
        return Ok(HttpResponse::NotFound().json(Status {
            state: "failed",
            message: ctx.t("eid.rfa22"),
            qr: None,
            qr_content: None,
        }));
    };
    let (kind, key) = match &progress {
        Progress::Pending(k) => ("pending", *k),
        Progress::Failed(k) => ("failed", *k),
        Progress::Complete(_) if attempt.signing.is_some() => ("complete", "sign.complete"),
        Progress::Complete(_) => ("complete", "eid.identified"),
    };
    let v = if kind == "pending" {
        order_view(&state, &attempt)?
    } else {
        OrderView {
            qr_svg: None,
            qr_content: None,
            launch: None,
            test_app: None,
            professional: ProfessionalHelp::of(&state.settings),
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(Status {
            state: kind,
            message: ctx.t(key),
            qr: v.qr_svg,
            qr_content: v.qr_content,
        }))
}

/// "I have identified myself" (or the script, once complete): logs the person in.
pub async fn finish(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    _form: Posted<crate::web::forms::Empty>,
) -> Result<HttpResponse, AppError> {
    let key = order_key(&req, &state).ok_or(AppError::Login)?;
    let (attempt, progress) = state
        .eid
        .progress(&key, state.now())
        .await
        .ok_or(AppError::Login)?;
    let Progress::Complete(_) = progress else {
        let v = order_view(&state, &attempt)?;
        return Ok(html(view::order_page(&ctx, &attempt, &progress, &v)));
    };
    if let Some(signing) = &attempt.signing {
        let mut res = signed(&ctx, &state, &key, &signing.reference).await?;
        let _ = res.add_cookie(&removal_cookie(&state, EID_COOKIE));
        return Ok(res);
    }
    let finished = state.eid.take_finished(&key).ok_or(AppError::Login)?;
    let (method, who) = (finished.method, finished.who);
    let then = finished.then.unwrap_or_else(|| paths::ACCOUNT.to_string());
    let replacing = ctx.session.as_ref().map(|s| s.id_hash.clone());
    let done = |location: &str, token: &Token| {
        let mut res = redirect_with_session(&state, location, token);
        let _ = res.add_cookie(&removal_cookie(&state, EID_COOKIE));
        res
    };
    Ok(
        match eid::login(&state, method, who, replacing, client_ip(&req).to_string()).await? {
            EidLogin::Account(token) | EidLogin::Person(token) => done(&then, &token),
            EidLogin::Partner(token) => done(paths::PARTNER, &token),
            EidLogin::UnknownOrganisation => invalid(view::start_failed(
                &ctx,
                Method::Professional,
                "eid.professional_unknown",
                &ProfessionalHelp::of(&state.settings),
            )),
        },
    )
}

pub async fn cancel(
    req: HttpRequest,
    state: web::Data<WebState>,
    _form: Posted<crate::web::forms::Empty>,
) -> Result<HttpResponse, AppError> {
    // A signature given up goes back to the application; a login to the login page.
    let mut back = paths::LOGIN.to_string();
    if let Some(key) = order_key(&req, &state) {
        if let Some(signing) = state.eid.attempt(&key).and_then(|a| a.signing) {
            back = paths::review(&signing.reference);
        }
        state.eid.cancel(&key).await;
    }
    let mut res = redirect(&back);
    let _ = res.add_cookie(&removal_cookie(&state, EID_COOKIE));
    Ok(res)
}

/// A completed signing order: on to the fee, or back to the review saying why
/// the application is not approved (see `flows::signing`).
///
/// The application is loaded first, so the order is taken (and ends) only by
/// its owner, logged in; anyone else leaves it to expire.
async fn signed(
    ctx: &Ctx,
    state: &WebState,
    key: &[u8],
    reference: &str,
) -> Result<HttpResponse, AppError> {
    let reference = reference.to_string();
    let owner = logged_in(ctx).map(Owner::Account).ok_or(AppError::Login)?;
    let current = apply::load(state, reference.clone(), owner)
        .await?
        .ok_or(AppError::DraftGone)?;
    let form = form_of(state, &current.draft.form_id)?;
    let finished: Finished = state.eid.take_finished(key).ok_or(AppError::Login)?;
    Ok(
        match signing::finish(state, &current, form, finished).await? {
            Signed::Approved => redirect(&paths::approved(&reference)),
            Signed::AlreadyApproved => redirect(&paths::review_locked(&reference)),
            Signed::Changed => redirect(&paths::review_not_signed(&reference, "changed")),
            Signed::NotTheApplicant => redirect(&paths::review_not_signed(&reference, "other")),
        },
    )
}
