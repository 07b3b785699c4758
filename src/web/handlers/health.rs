//! The probes of load balancers and monitors: JSON for machines, no session and
//! no cookies (the context middleware passes them by), never rate limited.
use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::flows::health;
use crate::web::web_state::WebState;

#[derive(Serialize)]
struct Probe {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn answer(mut res: actix_web::HttpResponseBuilder, probe: Probe) -> HttpResponse {
    res.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(probe)
}

/// The process is up and answering.
pub async fn live() -> HttpResponse {
    answer(
        HttpResponse::Ok(),
        Probe {
            status: "live",
            reason: None,
        },
    )
}

/// 200 when the process can serve; 503 with a short reason when it cannot.
pub async fn ready(state: web::Data<WebState>) -> HttpResponse {
    match health::readiness(&state).await {
        Ok(()) => answer(
            HttpResponse::Ok(),
            Probe {
                status: "ready",
                reason: None,
            },
        ),
        Err(not) => answer(
            HttpResponse::ServiceUnavailable(),
            Probe {
                status: "unavailable",
                reason: Some(not.reason()),
            },
        ),
    }
}
