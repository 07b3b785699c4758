//! The staff session, from its own cookie: handlers take [`StaffCtx`] and ask it
//! for the permission their operation needs ([`StaffCtx::permit`]), which audits
//! every refusal.
use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use super::middleware::CookieName;
use crate::db::{self, staff::sessions};
use crate::domain::secret::Token;
use crate::domain::staff::{Permission, StaffMember};
use crate::error::AppError;
use crate::flows::identity::staff as staff_flow;
use crate::web::respond::client_ip;
use crate::web::web_state::WebState;

pub const STAFF_COOKIE: CookieName = CookieName {
    plain: "kansli_staff",
    host_only: "__Host-kansli_staff",
};

/// The logged-in staff member, if any, and their session's id hash (for logout),
/// with what a refused role check records.
pub struct StaffCtx {
    pub session: Option<(StaffMember, Vec<u8>)>,
    asked: Asked,
}

/// The request as the audit log names it: the path (with its query) and the client.
struct Asked {
    state: Option<web::Data<WebState>>,
    path: String,
    ip: String,
}

impl StaffCtx {
    /// The permission `P` of the logged-in member. Without a session, the staff
    /// login; a member whose role does not give `P` gets 403, and the refusal is
    /// in the audit log (who, the role needed, the path, from where).
    pub async fn permit<P: Permission>(self) -> Result<P, AppError> {
        let Asked { state, path, ip } = self.asked;
        let member = self
            .session
            .map(|(member, _)| member)
            .ok_or(AppError::StaffLogin)?;
        if let Some(granted) = P::grant(&member) {
            return Ok(granted);
        }
        if let Some(state) = state {
            staff_flow::refused(&state, &member, P::ROLE, path, ip).await?;
        }
        Err(AppError::Forbidden)
    }
}

impl FromRequest for StaffCtx {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<WebState>>().cloned();
        let token = state.as_ref().and_then(|s| {
            req.cookie(s.cookie_name(STAFF_COOKIE))
                .and_then(|c| Token::from_client(c.value()))
        });
        let ctx = req.extensions().get::<super::Ctx>().cloned();
        let asked = Asked {
            state: state.clone(),
            // The path only: a query can hold a search for a personal identity number.
            path: req.uri().path().to_string(),
            ip: client_ip(req).to_string(),
        };
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Ok(StaffCtx {
                    session: None,
                    asked,
                });
            };
            let hash = token.hash();
            let now = state.now();
            let key = hash.clone();
            let Some((member, last_seen)) =
                db::quick_read(&state.pool, move |c| sessions::load(c, &key, now)).await?
            else {
                return Ok(StaffCtx {
                    session: None,
                    asked,
                });
            };
            if last_seen < now {
                let key = hash.clone();
                db::write(&state.pool, move |tx| sessions::touch(tx, &key, now)).await?;
            }
            if let Some(ctx) = ctx {
                // Set once per request; a second extraction finds the same member.
                let _ = ctx.staff.set(member.clone());
            }
            Ok(StaffCtx {
                session: Some((member, hash)),
                asked,
            })
        })
    }
}
