//! The client system a request comes from, by its bearer token. Cookies are
//! never read on the API, so no session rides along and no CSRF token is needed.
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::problem::Problem;
use crate::domain::api::ApiClient;
use crate::domain::rules::{CLIENT_LIMIT_API, IP_LIMIT_LOGIN};
use crate::domain::secret::Token;
use crate::error::AppError;
use crate::flows::api::clients;
use crate::web::respond::client_ip;
use crate::web::web_state::WebState;

/// Who a request was authenticated as: [`audit_refused`] records a refused call
/// under this name.
#[derive(Clone)]
struct Authenticated {
    client: String,
    ip: String,
}

/// Every authenticated call that is refused (a 4xx or 5xx: a transition the
/// state machine does not allow, a case that is not there, bad input) gets an
/// audit entry with its method, path and status; accepted calls are audited by
/// their flows. Calls over the client's rate limit are counted, not logged one
/// by one.
pub async fn audit_refused(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<WebState>>().cloned();
    let call = format!("{} {}", req.method(), req.path());
    let res = next.call(req).await?;
    let status = res.status();
    let who = res.request().extensions().get::<Authenticated>().cloned();
    if let (false, Some(who), Some(state)) = (status.is_success(), who, state) {
        let detail = format!("{call} -> {}", status.as_u16());
        if let Err(e) = clients::call_refused(&state, who.client, who.ip, detail).await {
            tracing::warn!(error = ?e, "refused API call not audited");
        }
    }
    Ok(res)
}

/// An authenticated client system, counted against its rate limit.
pub struct Caller {
    pub client: ApiClient,
    /// The client's address, for the audit log.
    pub ip: String,
}

impl FromRequest for Caller {
    type Error = Problem;
    type Future = LocalBoxFuture<'static, Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<WebState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|t| Token::from_client(t.trim()));
        let ip = client_ip(req);
        let req = req.clone();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("state missing")))?;
            let now = state.now();
            let found = match token {
                Some(token) => clients::authenticate(&state, token).await?,
                None => None,
            };
            let Some(client) = found else {
                // Tokens have 256 bits; the limit keeps a guesser from filling the log.
                state.limiter.check("api_token", IP_LIMIT_LOGIN, ip, now)?;
                clients::refused(&state, ip.to_string()).await?;
                return Err(Problem::unauthorized());
            };
            state
                .limiter
                .check_client("api", CLIENT_LIMIT_API, client.id(), now)?;
            req.extensions_mut().insert(Authenticated {
                client: client.name().to_string(),
                ip: ip.to_string(),
            });
            Ok(Caller {
                client,
                ip: ip.to_string(),
            })
        })
    }
}
