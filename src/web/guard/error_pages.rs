//! Renders every empty 4xx/5xx response as a page in the person's language,
//! whoever produced it (a handler, an extractor, or actix itself).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::HttpMessage;

use super::context::{Ctx, RequestContext};
use super::middleware::request_lang;
use crate::i18n::Texts;
use crate::paths;
use crate::web::views::errors::{draft_gone, error_page};
use crate::web::web_state::WebState;

pub fn handlers<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(render)
}

fn render<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // A response that already is a page (e.g. a form shown again with its errors), or
    // an API's JSON error (the e-identification simulator's, the integration
    // API's problem details), is left alone.
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("text/html")
                || v.starts_with("application/json")
                || v.starts_with(crate::web::handlers::api::problem::CONTENT_TYPE)
        });
    if is_page {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    // The borrow of the extensions must end before reading cookies, which caches
    // them in the same extensions (a second borrow panicked: no answer at all).
    let found = res.request().extensions().get::<Ctx>().cloned();
    let ctx = found.unwrap_or_else(|| {
        Ctx::new(RequestContext {
            t: Texts::new(request_lang(res.request())),
            csrf: String::new(),
            session: None,
            path: paths::HOME.into(),
            dev_mailbox: false,
            production: true,
            session_ended: false,
            cookieless: false,
            staff: Default::default(),
        })
    });
    let body = match res.request().app_data::<actix_web::web::Data<WebState>>() {
        Some(state) if status == actix_web::http::StatusCode::GONE => {
            draft_gone(&ctx, &state.forms).into_string()
        }
        _ => error_page(&ctx, status).into_string(),
    };
    let (req, mut response) = res.into_parts();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let response = response.set_body(BoxBody::new(body));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
