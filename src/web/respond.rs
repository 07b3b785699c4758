//! What handlers answer with: pages, redirects (303 after every POST) and the
//! few request facts they need (the client address, a safe local path).
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use maud::Markup;

use crate::domain::secret::Token;
use crate::error::AppError;
use crate::paths;
use crate::web::guard::middleware::{cookie, CookieName, SESSION_COOKIE};
use crate::web::web_state::WebState;

pub fn html(markup: Markup) -> HttpResponse {
    html_status(StatusCode::OK, markup)
}

/// A page with a non-200 status (a form shown again with its errors is 422).
pub fn html_status(status: StatusCode, markup: Markup) -> HttpResponse {
    html_bytes(status, markup.into_string().into())
}

/// A page refusing a request past a limit: 429, saying when to come back.
pub fn too_many(retry_after: i64, markup: Markup) -> HttpResponse {
    let mut res = html_status(StatusCode::TOO_MANY_REQUESTS, markup);
    res.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(retry_after.max(1)),
    );
    res
}

/// A page already rendered (kept by a [`crate::web::page_cache::PageCache`]).
pub fn html_bytes(status: StatusCode, page: web::Bytes) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/html; charset=utf-8"),
        ))
        .body(page)
}

/// 303 See Other: the answer to every successful POST.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A redirect that also hands the browser its new session id.
pub fn redirect_with_session(state: &WebState, location: &str, token: &Token) -> HttpResponse {
    redirect_with_cookie(state, location, SESSION_COOKIE, token)
}

/// A redirect that sets one of Kansli's cookies to a token.
pub fn redirect_with_cookie(
    state: &WebState,
    location: &str,
    name: CookieName,
    token: &Token,
) -> HttpResponse {
    let mut res = redirect(location);
    // Adding a well-formed cookie cannot fail.
    let _ = res.add_cookie(&cookie(state, name, token.expose().to_string()));
    res
}

/// A path on this site to go back to, or None: never an open redirect.
pub fn local_path(path: Option<&str>) -> Option<&str> {
    path.filter(|p| {
        // Browsers drop tabs and newlines from URLs and read `\` as `/`, so
        // `/\t/host` or `/\\host` would leave the site: only a plain path is local.
        p.starts_with('/')
            && !p[1..].starts_with(['/', '\\'])
            && !p
                .chars()
                .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    })
}

/// The client's address, for rate limits, the audit log and e-identification:
/// the connecting peer, or behind a trusted proxy the address it forwarded
/// (see [`TrustedProxies::client`](crate::domain::client_addr::TrustedProxies::client)).
pub fn client_ip(req: &HttpRequest) -> std::net::IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let Some(state) = req.app_data::<actix_web::web::Data<WebState>>() else {
        return peer;
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    state
        .trusted_proxies
        .client(peer, header("forwarded"), header("x-forwarded-for"))
}

/// The form re-rendered with its errors.
pub fn invalid(markup: Markup) -> HttpResponse {
    html_status(StatusCode::UNPROCESSABLE_ENTITY, markup)
}

/// A page saying the request cannot be done as things stand.
pub fn conflict(markup: Markup) -> HttpResponse {
    html_status(StatusCode::CONFLICT, markup)
}

/// What a check made before a handler's work comes to: the value to go on with,
/// or the answer to give instead (a redirect, or a page with its problems).
pub enum Checked<T> {
    Go(T),
    Answer(HttpResponse),
}

/// What each error answers with; the page itself comes from `guard::error_pages`.
impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::DraftGone => StatusCode::GONE,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Login | AppError::StaffLogin => StatusCode::SEE_OTHER,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Unexpected(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, AppError::Login) {
            return res
                .insert_header((actix_web::http::header::LOCATION, paths::LOGIN))
                .finish();
        }
        if matches!(self, AppError::StaffLogin) {
            return res
                .insert_header((actix_web::http::header::LOCATION, paths::STAFF_LOGIN))
                .finish();
        }
        match self {
            AppError::TooManyRequests { retry_after } => {
                res.insert_header(("Retry-After", retry_after.to_string()));
            }
            AppError::Busy => {
                res.insert_header(("Retry-After", "5"));
            }
            _ => {}
        }
        res.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    proptest::proptest! {
        #[test]
        fn whatever_is_local_stays_on_this_site(s in proptest::prelude::any::<String>()) {
            if let Some(p) = local_path(Some(&s)) {
                proptest::prop_assert!(p.starts_with('/'));
                proptest::prop_assert!(!p[1..].starts_with(['/', '\\']));
                proptest::prop_assert!(!p.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace()));
            }
        }
    }

    #[test]
    fn only_a_plain_path_on_this_site_is_local() {
        for ok in ["/", "/account", "/questionnaire?answered=1", "/a/b#c"] {
            assert_eq!(local_path(Some(ok)), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example/",
            "/\n/evil.example",
            "/\r\nSet-Cookie:x",
            "https://evil.example",
            "/ /x",
            "\\evil",
        ] {
            assert_eq!(local_path(Some(bad)), None, "{bad:?}");
        }
    }
}
