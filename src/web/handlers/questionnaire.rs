//! The person in Sweden's way into the questionnaire: the emailed link, or the
//! website, where they log in with e-identification and give the family member's
//! verification number. Once in, the questions are the application pages.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::db::questionnaires::Questionnaire;
use crate::domain::secret::Token;
use crate::domain::session::Method;
use crate::domain::verification::VerificationNumber;
use crate::error::AppError;
use crate::flows::questionnaire;
use crate::paths;
use crate::web::guard::access::form_of;
use crate::web::guard::access::{count, Questionnaires};
use crate::web::guard::middleware::SESSION_COOKIE;
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, invalid, redirect_with_cookie};
use crate::web::views::components::FormErrors;
use crate::web::views::components::{Message, Notice};
use crate::web::views::eid as eid_view;
use crate::web::views::questionnaire as view;
use crate::web::web_state::WebState;

#[derive(Deserialize)]
pub struct StartFlags {
    saved: Option<String>,
    answered: Option<String>,
}

/// The website's way in; for a person already in, where they stand.
pub async fn start_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<StartFlags>,
) -> Result<HttpResponse, AppError> {
    let notice = if q.answered.is_some() {
        Some(Message::success("questionnaire.status.sent"))
    } else {
        q.saved
            .as_ref()
            .map(|_| Message::success("questionnaire.status.saved"))
    };
    if let Some(id) = ctx.respondent() {
        if let Some(found) = questionnaire::of_session(&state, id).await? {
            let form = form_of(&state, &found.form_id)?;
            let reference = questionnaire::draft_of(&state, &found, form).await?;
            return Ok(html(view::status(
                &ctx,
                found.answered_at.is_some(),
                &paths::draft(&reference),
                notice,
            )));
        }
    }
    Ok(html(start_page(
        &ctx,
        &state,
        &FormErrors::default(),
        "",
        notice,
    )))
}

/// The person identified by e-identification on this browser (number, name): the
/// only one who may start a questionnaire from the website.
fn identified(ctx: &Ctx) -> Option<(String, String)> {
    let s = ctx.session.as_ref()?;
    let personal = s.method.is_eid() && s.method != Method::Professional;
    let pin = s.pin.clone().filter(|_| personal)?;
    Some((pin, s.person_name.clone().unwrap_or_default()))
}

fn start_page(
    ctx: &Ctx,
    state: &WebState,
    errors: &FormErrors,
    number: &str,
    n: Notice,
) -> maud::Markup {
    let who = identified(ctx);
    let choices = eid_view::choices_then(ctx, |p| state.eid.offers(p), paths::QUESTIONNAIRE);
    view::start(
        ctx,
        errors,
        number,
        who.as_ref().map(|(_, name)| name.as_str()),
        choices,
        n,
    )
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    verification: String,
}

/// The verification number, from a person identified by e-identification: the
/// questionnaire opens when their personal identity number is the one the
/// application gives for the person in Sweden. Failed lookups are audited.
pub async fn start(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<StartForm>,
) -> Result<HttpResponse, AppError> {
    count::<Questionnaires>(&req, &state)?;
    let mut errors = FormErrors::default();
    let Some((pin, _)) = identified(&ctx) else {
        errors.add("verification", ctx.t("questionnaire.start.log_in_first"));
        return Ok(invalid(start_page(
            &ctx,
            &state,
            &errors,
            &form.verification,
            None,
        )));
    };
    let number = match VerificationNumber::parse(&form.verification) {
        Ok(n) => n,
        Err(p) => {
            errors.add("verification", ctx.t(p.key()));
            return Ok(invalid(start_page(
                &ctx,
                &state,
                &errors,
                &form.verification,
                None,
            )));
        }
    };
    let ip = client_ip(&req).to_string();
    let Some(found) = questionnaire::by_number(&state, number.as_str().into(), pin, ip).await?
    else {
        // One message for every wrong combination: it tells nothing about which part was wrong.
        errors.add("verification", ctx.t("questionnaire.start.no_match"));
        return Ok(invalid(start_page(
            &ctx,
            &state,
            &errors,
            &form.verification,
            None,
        )));
    };
    enter(&ctx, &state, &found).await
}

/// Starts the person's session for the questionnaire and opens it.
async fn enter(
    ctx: &Ctx,
    state: &WebState,
    found: &Questionnaire,
) -> Result<HttpResponse, AppError> {
    let form = form_of(state, &found.form_id)?;
    let replacing = ctx.session.as_ref().map(|s| s.id_hash.clone());
    let (token, reference) = questionnaire::enter(state, found, form, replacing).await?;
    Ok(redirect_with_cookie(
        state,
        &paths::draft(&reference),
        SESSION_COOKIE,
        &token,
    ))
}

#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
}

pub async fn link_form(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<LinkQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = Token::from_client(&q.token) else {
        return Ok(html(view::link_gone(&ctx)));
    };
    Ok(match questionnaire::by_link(&state, &token).await? {
        Some(_) => html(view::link(&ctx, token.expose())),
        None => html(view::link_gone(&ctx)),
    })
}

pub async fn link(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<LinkQuery>,
) -> Result<HttpResponse, AppError> {
    count::<Questionnaires>(&req, &state)?;
    let found = match Token::from_client(&form.token) {
        Some(token) => questionnaire::by_link(&state, &token).await?,
        None => None,
    };
    match found {
        Some(found) => enter(&ctx, &state, &found).await,
        None => Ok(html(view::link_gone(&ctx))),
    }
}
