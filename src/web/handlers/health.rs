//! The probes of load balancers and monitors: JSON for machines, no session and
//! no cookies (the context middleware passes them by), never rate limited.
//! And the Prometheus metrics, served only on the metrics address.
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

/// The metrics as OpenMetrics text, the database's counts read now.
pub async fn metrics(state: web::Data<WebState>) -> HttpResponse {
    let text = match health::counts(&state).await {
        Ok(counts) => {
            state.metrics.set_counts(&counts);
            state.metrics.encode()
        }
        Err(e) => {
            tracing::warn!(error = ?e, "metrics: the database's counts cannot be read");
            return HttpResponse::ServiceUnavailable().finish();
        }
    };
    match text {
        Ok(text) => HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(text),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
