//! The partner page: professional e-ID holders of a configured organisation
//! report that a health examination was offered.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::date::Date;
use crate::domain::verification::VerificationNumber;
use crate::error::AppError;
use crate::flows::identity::eid::display_pin;
use crate::flows::partner::{self, HealthExamination, Reported};
use crate::paths;
use crate::web::guard::access::{count, PartnerReports};
use crate::web::guard::{Ctx, Posted};
use crate::web::respond::{client_ip, html, invalid, redirect};
use crate::web::views::components::FormErrors;
use crate::web::views::eid as view;
use crate::web::web_state::WebState;

/// The partner page: report that a health examination was offered.
pub async fn page(
    ctx: Ctx,
    state: web::Data<WebState>,
    q: web::Query<ReportedQuery>,
) -> Result<HttpResponse, AppError> {
    let organisation = organisation_of(&ctx, &state)?;
    Ok(html(view::partner_page(
        &ctx,
        &organisation,
        ("", ""),
        &FormErrors::default(),
        q.reported.as_deref(),
    )))
}

#[derive(Deserialize)]
pub struct ReportedQuery {
    reported: Option<String>,
}

fn organisation_of(ctx: &Ctx, state: &WebState) -> Result<String, AppError> {
    let s = ctx.partner().ok_or(AppError::Forbidden)?;
    let id = s.organisation.as_deref().unwrap_or_default();
    state
        .eid
        .organisations
        .iter()
        .find(|o| o.id == id)
        .map(|o| o.name.clone())
        .ok_or(AppError::Forbidden)
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    verification: String,
    #[serde(default)]
    offered_on: String,
}

pub async fn report_health_examination(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<WebState>,
    Posted(form): Posted<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let organisation = organisation_of(&ctx, &state)?;
    let s = ctx.partner().ok_or(AppError::Forbidden)?;
    count::<PartnerReports>(&req, &state)?;
    let mut errors = FormErrors::default();
    let number = VerificationNumber::parse(&form.verification)
        .map_err(|p| errors.add("verification", ctx.t(p.key())))
        .ok();
    let today = Date::in_sweden(state.now());
    let offered = match Date::parse_typed(form.offered_on.trim()) {
        Some(d) if d <= today => Some(d),
        _ => {
            errors.add("offered_on", ctx.t("partner.error.date"));
            None
        }
    };
    let show = |errors: &FormErrors| {
        invalid(view::partner_page(
            &ctx,
            &organisation,
            (&form.verification, &form.offered_on),
            errors,
            None,
        ))
    };
    let (Some(number), Some(offered)) = (number, offered) else {
        return Ok(show(&errors));
    };
    let report = HealthExamination {
        verification: number.clone(),
        offered_on: offered,
        actor: format!(
            "{} ({organisation})",
            s.person_name.as_deref().unwrap_or_default()
        ),
        reporter: display_pin(s.pin.as_deref().unwrap_or_default()),
        organisation_id: s.organisation.clone().unwrap_or_default(),
        message: ctx.tf("partner.event", &[("date", &offered.to_string())]),
        ip: client_ip(&req).to_string(),
    };
    let recorded = partner::report_health_examination(&state, report).await?;
    if let Reported::NoCase = recorded {
        errors.add("verification", ctx.t("partner.error.no_case"));
        return Ok(show(&errors));
    }
    Ok(redirect(&paths::partner_reported(number.as_str())))
}
