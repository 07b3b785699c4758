//! The staff session, from its own cookie: handlers take [`StaffCtx`] and then ask
//! the member for the permission their operation needs.
use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::middleware::CookieName;
use crate::db::{self, staff::sessions};
use crate::domain::secret::Token;
use crate::domain::staff::StaffMember;
use crate::error::AppError;
use crate::web::web_state::WebState;

pub const STAFF_COOKIE: CookieName = CookieName {
    plain: "kansli_staff",
    host_only: "__Host-kansli_staff",
};

/// The logged-in staff member, if any, and their session's id hash (for logout).
pub struct StaffCtx(pub Option<(StaffMember, Vec<u8>)>);

impl StaffCtx {
    /// The logged-in staff member; without one, the request goes to the staff login.
    pub fn require(self) -> Result<StaffMember, AppError> {
        self.0.map(|(member, _)| member).ok_or(AppError::StaffLogin)
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
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Ok(StaffCtx(None));
            };
            let hash = token.hash();
            let now = state.now();
            let key = hash.clone();
            let Some((member, last_seen)) =
                db::quick_read(&state.pool, move |c| sessions::load(c, &key, now)).await?
            else {
                return Ok(StaffCtx(None));
            };
            if last_seen < now {
                let key = hash.clone();
                db::write(&state.pool, move |tx| sessions::touch(tx, &key, now)).await?;
            }
            Ok(StaffCtx(Some((member, hash))))
        })
    }
}
