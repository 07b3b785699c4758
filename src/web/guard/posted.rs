//! `Posted<T>`: a form body with its CSRF token checked. Every POST handler
//! takes its input through this, so no form can skip the check.
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::context::Ctx;
use crate::error::AppError;

pub struct Posted<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ctx = req.extensions().get::<Ctx>().cloned();
        let is_form = req.content_type() == "application/x-www-form-urlencoded";
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await?;
            if !is_form {
                return Err(actix_web::error::ErrorBadRequest("not a form"));
            }
            let submitted: CsrfField =
                serde_urlencoded::from_bytes(&body).map_err(|_| AppError::Forbidden)?;
            if !ctx
                .as_ref()
                .is_some_and(|c| c.csrf_matches(&submitted.csrf))
            {
                if ctx.is_some_and(|c| c.session_ended) {
                    // The form's token was its session's, which has ended: to the
                    // login, which says so (see `load_context`).
                    return Err(AppError::Login.into());
                }
                tracing::warn!("form refused: CSRF token missing or wrong");
                return Err(AppError::Forbidden.into());
            }
            let value =
                serde_urlencoded::from_bytes(&body).map_err(actix_web::error::ErrorBadRequest)?;
            Ok(Posted(value))
        })
    }
}
