//! The e-identification simulator (development and demo mode): the RP API v6
//! endpoints of each simulated provider, and its test app page.
use std::sync::Arc;

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::pin::PersonalIdentityNumber;
use crate::error::AppError;
use crate::fakes::eid_sim::{self, AppProblem, Decision, Simulator, PREFIX};
use base64::Engine;

use crate::outbound::eid::client::{
    AuthRequest, AuthResponse, CollectResponse, CompletionData, Empty, ErrorBody, OrderRequest,
    SignRequest, User,
};
use crate::outbound::eid::{Collected, Identity, Order, Provider, SignText};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{html, invalid};
use crate::web::views::components::FormErrors;
use crate::web::web_state::WebState;

use super::views as sim_view;

pub fn configure(cfg: &mut web::ServiceConfig, simulator: Arc<Simulator>) {
    use web::{get, post, resource, scope};
    cfg.app_data(web::Data::from(simulator)).service(
        scope(PREFIX)
            .service(resource("/{provider}/rp/v6.0/auth").route(post().to(auth)))
            .service(resource("/{provider}/rp/v6.0/sign").route(post().to(sign)))
            .service(resource("/{provider}/rp/v6.0/collect").route(post().to(collect)))
            .service(resource("/{provider}/rp/v6.0/cancel").route(post().to(cancel)))
            .service(
                resource("/{provider}/app")
                    .route(get().to(app))
                    .route(post().to(open)),
            )
            .service(resource("/{provider}/app/decide").route(post().to(decide))),
    );
}

fn simulated<'a>(
    sim: &'a web::Data<Simulator>,
    provider: &str,
) -> Result<(Provider, &'a Simulator), AppError> {
    let provider = Provider::parse(provider).ok_or(AppError::NotFound)?;
    Ok((provider, sim))
}

fn refused(code: &str, details: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(ErrorBody {
        error_code: code.into(),
        details: details.into(),
    })
}

async fn auth(
    state: web::Data<WebState>,
    provider: web::Path<String>,
    simulator: web::Data<Simulator>,
    body: web::Json<AuthRequest>,
) -> Result<HttpResponse, AppError> {
    let (provider, sim) = simulated(&simulator, &provider)?;
    let pin = body
        .requirement
        .as_ref()
        .and_then(|r| r.personal_number.as_deref());
    Ok(started(sim.auth(
        provider,
        pin,
        &body.end_user_ip,
        state.now(),
    )))
}

/// The answer to `auth` or `sign`: the order, or none for a person who has one in progress.
fn started(order: Option<Order>) -> HttpResponse {
    match order {
        Some(o) => HttpResponse::Ok().json(AuthResponse {
            order_ref: o.order_ref,
            auto_start_token: o.auto_start_token,
            qr_start_token: o.qr_start_token,
            qr_start_secret: o.qr_start_secret,
        }),
        None => refused(
            "alreadyInProgress",
            "An order for this personal number is already in progress.",
        ),
    }
}

/// BankID's limit on `userVisibleData`, in base64 characters.
const VISIBLE_DATA_MAX: usize = 40_000;
/// BankID's limit on `userNonVisibleData`, in base64 characters.
const NON_VISIBLE_DATA_MAX: usize = 200_000;

async fn sign(
    state: web::Data<WebState>,
    provider: web::Path<String>,
    simulator: web::Data<Simulator>,
    body: web::Json<SignRequest>,
) -> Result<HttpResponse, AppError> {
    let (provider, sim) = simulated(&simulator, &provider)?;
    // Only BankID signs here; Telia and SITHS are used to log in.
    if provider != Provider::BankId {
        return Err(AppError::NotFound);
    }
    let text = |data: &str, max: usize| {
        (data.len() <= max)
            .then(|| base64::engine::general_purpose::STANDARD.decode(data).ok())
            .flatten()
            .and_then(|bytes| String::from_utf8(bytes).ok())
    };
    let visible = text(&body.user_visible_data, VISIBLE_DATA_MAX).filter(|t| !t.is_empty());
    let non_visible = match body.user_non_visible_data.as_deref() {
        Some(data) => text(data, NON_VISIBLE_DATA_MAX),
        None => Some(String::new()),
    };
    let (Some(visible), Some(non_visible)) = (visible, non_visible) else {
        return Ok(refused(
            "invalidParameters",
            "userVisibleData and userNonVisibleData must be base64 of UTF-8 text within their limits.",
        ));
    };
    let pin = body
        .requirement
        .as_ref()
        .and_then(|r| r.personal_number.as_deref());
    let text = SignText {
        visible: &visible,
        non_visible: &non_visible,
    };
    Ok(started(sim.sign(
        provider,
        pin,
        &body.end_user_ip,
        text,
        state.now(),
    )))
}

async fn collect(
    state: web::Data<WebState>,
    provider: web::Path<String>,
    simulator: web::Data<Simulator>,
    body: web::Json<OrderRequest>,
) -> Result<HttpResponse, AppError> {
    let (provider, sim) = simulated(&simulator, &provider)?;
    let Some(collected) = sim.collect(provider, &body.order_ref, state.now()) else {
        return Ok(refused("notFound", "No such order."));
    };
    let (status, hint, completion) = match collected {
        Collected::Pending(h) => ("pending", Some(h), None),
        Collected::Failed(h) => ("failed", Some(h), None),
        Collected::Complete(who) => ("complete", None, Some(completion_data(who))),
    };
    Ok(HttpResponse::Ok().json(CollectResponse {
        order_ref: body.into_inner().order_ref,
        status: status.into(),
        hint_code: hint,
        completion_data: completion,
    }))
}

fn completion_data(who: Identity) -> CompletionData {
    let (given, surname) = who
        .name
        .rsplit_once(' ')
        .map(|(g, s)| (g.to_string(), s.to_string()))
        .unwrap_or_else(|| (who.name.clone(), String::new()));
    CompletionData {
        user: User {
            personal_number: who.pin,
            name: who.name,
            given_name: given,
            surname,
        },
        organisation: who.organisation,
        signature: who.signature.as_ref().map(|s| s.signature.clone()),
        ocsp_response: who.signature.and_then(|s| s.ocsp_response),
    }
}

async fn cancel(
    provider: web::Path<String>,
    simulator: web::Data<Simulator>,
    body: web::Json<OrderRequest>,
) -> Result<HttpResponse, AppError> {
    let (provider, sim) = simulated(&simulator, &provider)?;
    Ok(if sim.cancel(provider, &body.order_ref) {
        HttpResponse::Ok().json(Empty {})
    } else {
        refused("notFound", "No such order.")
    })
}

#[derive(Deserialize)]
pub struct AppQuery {
    autostarttoken: Option<String>,
}

/// The test app's first screen: scan (paste) the QR code, or arrive by the launch link.
async fn app(
    ctx: Ctx,
    provider: web::Path<String>,
    simulator: web::Data<Simulator>,
    q: web::Query<AppQuery>,
) -> Result<HttpResponse, AppError> {
    let (provider, _) = simulated(&simulator, &provider)?;
    Ok(html(sim_view::scan(
        &ctx,
        provider,
        q.autostarttoken.as_deref().unwrap_or_default(),
        &FormErrors::default(),
    )))
}

#[derive(Deserialize)]
pub struct ScanForm {
    #[serde(default)]
    code: String,
}

async fn open(
    ctx: Ctx,
    state: web::Data<WebState>,
    provider: web::Path<String>,
    simulator: web::Data<Simulator>,
    Posted(form): Posted<ScanForm>,
) -> Result<HttpResponse, AppError> {
    let (provider, sim) = simulated(&simulator, &provider)?;
    match sim.open(provider, &form.code, state.now()) {
        Ok(order_ref) => Ok(html(decide_page(
            &ctx,
            sim,
            provider,
            &order_ref,
            &FormErrors::default(),
        ))),
        Err(problem) => {
            let mut errors = FormErrors::default();
            errors.add("code", ctx.t(problem.key()));
            Ok(invalid(sim_view::scan(&ctx, provider, &form.code, &errors)))
        }
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    order_ref: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    other_pin: String,
    #[serde(default)]
    other_name: String,
}

async fn decide(
    ctx: Ctx,
    state: web::Data<WebState>,
    provider: web::Path<String>,
    simulator: web::Data<Simulator>,
    Posted(form): Posted<DecideForm>,
) -> Result<HttpResponse, AppError> {
    let (provider, sim) = simulated(&simulator, &provider)?;
    let mut errors = FormErrors::default();
    let decision = match form.action.as_str() {
        "identify" => chosen(&ctx, &state, provider, &form, &mut errors).map(Decision::Identify),
        "cancel" => Some(Decision::Cancel),
        "expire" => Some(Decision::Expire),
        "certificate" => Some(Decision::CertificateError),
        "start_failed" => Some(Decision::StartFailed),
        "read_document" => Some(Decision::ReadDocument),
        _ => None,
    };
    let Some(decision) = decision else {
        return Ok(invalid(decide_page(
            &ctx,
            sim,
            provider,
            &form.order_ref,
            &errors,
        )));
    };
    let reading = matches!(decision, Decision::ReadDocument);
    match sim.decide(provider, &form.order_ref, decision, state.now()) {
        Ok(()) if reading => Ok(html(decide_page(
            &ctx,
            sim,
            provider,
            &form.order_ref,
            &FormErrors::default(),
        ))),
        Ok(()) => Ok(html(sim_view::done(&ctx, provider, &form.action))),
        Err(problem) => {
            errors.add(
                if problem == AppProblem::OtherPerson {
                    "person"
                } else {
                    "action"
                },
                ctx.t(problem.key()),
            );
            Ok(invalid(decide_page(
                &ctx,
                sim,
                provider,
                &form.order_ref,
                &errors,
            )))
        }
    }
}

/// The app's screen for an opened order: who asks (the address), what to sign, and the choices.
fn decide_page(
    ctx: &Ctx,
    sim: &Simulator,
    provider: Provider,
    order_ref: &str,
    errors: &FormErrors,
) -> maud::Markup {
    sim_view::decide(
        ctx,
        provider,
        order_ref,
        sim.end_user_ip(order_ref).as_deref(),
        sim.text_to_sign(order_ref).as_deref(),
        errors,
    )
}

/// The person the tester picked: one of the list, or any valid number with a name.
fn chosen(
    ctx: &Ctx,
    state: &WebState,
    provider: Provider,
    form: &DecideForm,
    errors: &mut FormErrors,
) -> Option<Identity> {
    if form.person != "other" {
        let found = eid_sim::people(provider)
            .iter()
            .find(|p| p.pin == form.person)
            .map(|p| p.identity());
        if found.is_none() {
            errors.add("person", ctx.t("sim.problem.person"));
        }
        return found;
    }
    let pin = PersonalIdentityNumber::parse(
        &form.other_pin,
        crate::domain::date::Date::in_sweden(state.now()),
    )
    .map_err(|p| errors.add("other_pin", ctx.t(p.key())))
    .ok();
    let name = form.other_name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("other_name", ctx.t("sim.problem.name"));
        return None;
    }
    Some(Identity {
        pin: pin?.as_str().to_string(),
        name: name.to_string(),
        organisation: None,
        signature: None,
    })
}
