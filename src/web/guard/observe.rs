//! The outermost layer: a request id on every log line of a request (a span,
//! and the `X-Request-Id` response header), and one access-log line per request.
//! The line names the route's pattern, never the path as asked: a query string
//! or a path can hold a token, and a cookie never appears at all.
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use super::middleware::is_probe;
use crate::web::respond::client_ip;
use crate::web::web_state::WebState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming request id kept (a UUID is 36).
const MAX_REQUEST_ID: usize = 64;

/// The route of a request that matched none.
const UNMATCHED: &str = "unmatched";

/// An id from a proxy in front is kept, so its log and ours can be joined, when it
/// is short and of plain characters (nothing that could forge a log line).
fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    (plain && !value.is_empty() && value.len() <= MAX_REQUEST_ID).then(|| value.to_string())
}

fn new_id() -> String {
    hex16(rand::random())
}

/// `n` as 16 lowercase hex digits, as `format!("{n:016x}")` writes it, without
/// the formatting machinery: that was 2% of the login page's time.
fn hex16(n: u64) -> String {
    (0..16)
        .rev()
        .map(|i| char::from(b"0123456789abcdef"[(n >> (i * 4)) as usize & 15]))
        .collect()
}

/// What one access-log line says.
struct Access<'a> {
    method: &'a str,
    route: &'a str,
    status: u16,
    started: Instant,
    client: std::net::IpAddr,
    probe: bool,
}

impl Access<'_> {
    /// Writes the access line and counts the request.
    fn log(&self, state: Option<&WebState>) {
        let seconds = self.started.elapsed().as_secs_f64();
        if let Some(state) = state {
            state
                .metrics
                .request(self.method, self.route, self.status, seconds);
        }
        let duration_ms = seconds * 1000.0;
        // Probes come every few seconds: an operator wants them only when asking.
        if self.probe {
            tracing::debug!(target: "access", method = self.method, route = self.route,
                status = self.status, duration_ms, client = %self.client, "request");
        } else {
            tracing::info!(target: "access", method = self.method, route = self.route,
                status = self.status, duration_ms, client = %self.client, "request");
        }
    }
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = incoming_id(&req).unwrap_or_else(new_id);
    let span = tracing::info_span!("request", id = %id);
    let method = req.method().clone();
    let client = client_ip(req.request());
    let probe = is_probe(req.path());
    let state = req.app_data::<actix_web::web::Data<WebState>>().cloned();
    let state = state.as_ref().map(|s| s.get_ref());
    let result = next.call(req).instrument(span.clone()).await;
    let _entered = span.enter();
    match result {
        Ok(mut res) => {
            let route = res.request().match_pattern();
            Access {
                method: method.as_str(),
                route: route.as_deref().unwrap_or(UNMATCHED),
                status: res.status().as_u16(),
                started,
                client,
                probe,
            }
            .log(state);
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(REQUEST_ID, value);
            }
            Ok(res)
        }
        Err(e) => {
            Access {
                method: method.as_str(),
                route: UNMATCHED,
                status: e.as_response_error().status_code().as_u16(),
                started,
                client,
                probe,
            }
            .log(state);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_id_is_16_hex_digits_as_format_writes_them() {
        for n in [0, 1, 0xabc, u64::MAX, 0x0123_4567_89ab_cdef, rand::random()] {
            assert_eq!(hex16(n), format!("{n:016x}"));
        }
        assert_eq!(new_id().len(), 16);
    }
}
