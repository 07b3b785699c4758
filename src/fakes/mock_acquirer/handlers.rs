//! The built-in mock acquirer: its API (what the portal calls over HTTP) and its
//! hosted pages (what the person sees). Registered only while no real provider is set.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::date::Date;
use crate::domain::payment::PaymentState;
use crate::domain::secret::constant_time_eq;
use crate::error::AppError;
use crate::fakes::mock_acquirer::store::MockPayment;
use crate::fakes::mock_acquirer::views as view;
use crate::fakes::mock_acquirer::{self, CardForm, Next};
use crate::outbound::payment::{NewPayment, RefundRequest};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{html, html_status, redirect};
use crate::web::views::components::FormErrors;
use crate::web::web_state::WebState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    use web::{get, post, resource, scope};
    cfg.service(
        scope(mock_acquirer::PREFIX)
            .service(resource("/api/payments").route(post().to(api_create)))
            .service(resource("/api/payments/{id}").route(get().to(api_report)))
            .service(resource("/api/payments/{id}/refunds").route(post().to(api_refund)))
            .service(
                resource("/pay/{id}")
                    .route(get().to(card_form))
                    .route(post().to(card_submit)),
            )
            .service(resource("/pay/{id}/cancel").route(post().to(cancel)))
            .service(
                resource("/3ds/{id}")
                    .route(get().to(challenge_form))
                    .route(post().to(challenge_submit)),
            ),
    );
}

/// The API answers only the portal, which holds the shared key.
fn authorised(req: &HttpRequest, state: &WebState) -> bool {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|key| {
            constant_time_eq(key.as_bytes(), mock_acquirer::api_key(state).as_bytes())
        })
}

async fn api_create(
    req: HttpRequest,
    state: web::Data<WebState>,
    body: web::Json<NewPayment>,
) -> Result<HttpResponse, AppError> {
    if !authorised(&req, &state) {
        return Ok(HttpResponse::Unauthorized().finish());
    }
    let Some(key) = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 100)
    else {
        return Ok(HttpResponse::BadRequest().finish());
    };
    let request = body.into_inner();
    if request.amount <= 0 || request.return_url.len() > 2000 || request.description.len() > 500 {
        return Ok(HttpResponse::BadRequest().finish());
    }
    let created = mock_acquirer::create(&state, request, key.to_string()).await?;
    Ok(HttpResponse::Created().json(created))
}

async fn api_report(
    req: HttpRequest,
    state: web::Data<WebState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    if !authorised(&req, &state) {
        return Ok(HttpResponse::Unauthorized().finish());
    }
    let report = mock_acquirer::report(&state, id.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(report))
}

async fn api_refund(
    req: HttpRequest,
    state: web::Data<WebState>,
    id: web::Path<String>,
    body: web::Json<RefundRequest>,
) -> Result<HttpResponse, AppError> {
    if !authorised(&req, &state) {
        return Ok(HttpResponse::Unauthorized().finish());
    }
    match mock_acquirer::refund(&state, id.into_inner(), body.amount).await? {
        None => Err(AppError::NotFound),
        Some(mock_acquirer::Refund::Refused) => Ok(HttpResponse::Conflict().finish()),
        Some(mock_acquirer::Refund::Done(refunded)) => Ok(HttpResponse::Ok().json(refunded)),
    }
}

/// The payment of a page's address; an unknown one does not exist.
async fn found(state: &WebState, id: String) -> Result<MockPayment, AppError> {
    mock_acquirer::load(state, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of the payment `p`: its forms lead back to the portal that created
/// it, which a real provider's pages allow as well.
fn for_payment(p: &MockPayment, mut res: HttpResponse) -> HttpResponse {
    let targets: Vec<String> = crate::settings::origin(&p.return_url).into_iter().collect();
    let csp = crate::web::guard::middleware::content_security_policy(&targets);
    if let Ok(value) = header::HeaderValue::from_str(&csp) {
        res.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    res
}

/// Where a payment that is not waiting for a card goes.
fn elsewhere(ctx: &Ctx, p: &MockPayment) -> HttpResponse {
    match p.state {
        PaymentState::ThreeDsRequired => redirect(&mock_acquirer::challenge_page(&p.id)),
        _ => html(view::finished(ctx, p)),
    }
}

async fn card_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let p = found(&state, id.into_inner()).await?;
    if p.state != PaymentState::Started {
        return Ok(elsewhere(&ctx, &p));
    }
    Ok(for_payment(
        &p,
        html(view::card_form(
            &ctx,
            &p,
            &CardForm::default(),
            &FormErrors::default(),
        )),
    ))
}

async fn card_submit(
    ctx: Ctx,
    state: web::Data<WebState>,
    id: web::Path<String>,
    Posted(form): Posted<CardForm>,
) -> Result<HttpResponse, AppError> {
    let p = found(&state, id.into_inner()).await?;
    if p.state != PaymentState::Started {
        return Ok(elsewhere(&ctx, &p));
    }
    let today = Date::in_sweden(state.now());
    let card = match mock_acquirer::check_card(&form, today) {
        Ok(card) => card,
        Err(problems) => {
            let mut errors = FormErrors::default();
            for (field, problem) in problems {
                errors.add(field, ctx.t(problem.key()));
            }
            // The security code is never shown again.
            let typed = CardForm {
                cvc: String::new(),
                ..form
            };
            return Ok(for_payment(
                &p,
                html_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    view::card_form(&ctx, &p, &typed, &errors),
                ),
            ));
        }
    };
    let id = p.id.clone();
    next(
        &ctx,
        &state,
        &p,
        mock_acquirer::pay(&state, id, card).await?,
    )
    .await
}

async fn cancel(
    ctx: Ctx,
    state: web::Data<WebState>,
    id: web::Path<String>,
    Posted(_): Posted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let p = found(&state, id.clone()).await?;
    next(&ctx, &state, &p, mock_acquirer::cancel(&state, id).await?).await
}

async fn next(
    ctx: &Ctx,
    state: &WebState,
    p: &MockPayment,
    n: Next,
) -> Result<HttpResponse, AppError> {
    Ok(match n {
        Next::Return(url) => redirect(&url),
        Next::Challenge => redirect(&mock_acquirer::challenge_page(&p.id)),
        Next::TryAgain(left) => {
            let mut errors = FormErrors::default();
            errors.add(
                "code",
                ctx.tf("mock.challenge.wrong_code", &[("left", &left.to_string())]),
            );
            let code = mock_acquirer::challenge_code(state, &p.id);
            for_payment(
                p,
                html_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    view::challenge(ctx, p, &code, &errors),
                ),
            )
        }
        Next::Gone => {
            let now = mock_acquirer::load(state, p.id.clone())
                .await?
                .unwrap_or_else(|| p.clone());
            elsewhere(ctx, &now)
        }
    })
}

async fn challenge_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let p = found(&state, id.into_inner()).await?;
    if p.state != PaymentState::ThreeDsRequired {
        return Ok(html(view::finished(&ctx, &p)));
    }
    let code = mock_acquirer::challenge_code(&state, &p.id);
    Ok(for_payment(
        &p,
        html(view::challenge(&ctx, &p, &code, &FormErrors::default())),
    ))
}

#[derive(Deserialize)]
struct ChallengeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    action: String,
}

async fn challenge_submit(
    ctx: Ctx,
    state: web::Data<WebState>,
    id: web::Path<String>,
    Posted(form): Posted<ChallengeForm>,
) -> Result<HttpResponse, AppError> {
    let p = found(&state, id.into_inner()).await?;
    if p.state != PaymentState::ThreeDsRequired {
        return Ok(html(view::finished(&ctx, &p)));
    }
    let answer = match form.action.as_str() {
        "cancel" => None,
        _ if form.code.trim().is_empty() => {
            let mut errors = FormErrors::default();
            errors.add("code", ctx.t("error.code.missing"));
            let code = mock_acquirer::challenge_code(&state, &p.id);
            return Ok(for_payment(
                &p,
                html_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    view::challenge(&ctx, &p, &code, &errors),
                ),
            ));
        }
        _ => Some(form.code),
    };
    let id = p.id.clone();
    next(
        &ctx,
        &state,
        &p,
        mock_acquirer::challenge(&state, id, answer).await?,
    )
    .await
}
