//! Request-wide middleware: context loading (language, session, CSRF binding),
//! origin checks on unsafe methods, security headers, and panic containment.
use std::panic::AssertUnwindSafe;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use actix_web::{web, HttpMessage};
use futures_util::FutureExt;

use super::context::{Ctx, RequestContext};
use crate::domain::secret::Token;
use crate::domain::session::SessionView;
use crate::domain::Lang;
use crate::error::AppError;
use crate::i18n::{from_accept_language, Texts};
use crate::paths;
use crate::web::web_state::WebState;

/// A cookie's name in development, and in production with the `__Host-` prefix
/// (which browsers accept only with Secure, path / and no domain).
#[derive(Clone, Copy)]
pub struct CookieName {
    pub plain: &'static str,
    pub host_only: &'static str,
}

pub const SESSION_COOKIE: CookieName = CookieName {
    plain: "kansli_session",
    host_only: "__Host-kansli_session",
};
pub const CSRF_COOKIE: CookieName = CookieName {
    plain: "kansli_csrf",
    host_only: "__Host-kansli_csrf",
};
/// The browser's e-identification order in progress.
pub const EID_COOKIE: CookieName = CookieName {
    plain: "kansli_eid",
    host_only: "__Host-kansli_eid",
};

/// The key of the browser's e-identification order: the hash of its cookie.
pub fn eid_order_key(req: &actix_web::HttpRequest, state: &WebState) -> Option<Vec<u8>> {
    req.cookie(state.cookie_name(EID_COOKIE))
        .and_then(|c| Token::from_client(c.value()))
        .map(|t| t.hash())
}
pub const LANG_COOKIE: CookieName = CookieName {
    plain: "kansli_lang",
    host_only: "__Host-kansli_lang",
};

const PERMISSIONS_POLICY: header::HeaderName =
    header::HeaderName::from_static("permissions-policy");
const CROSS_ORIGIN_OPENER_POLICY: header::HeaderName =
    header::HeaderName::from_static("cross-origin-opener-policy");

const ASSET_CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The Content-Security-Policy of a page whose forms may also lead to `targets`
/// (origins: the public address, a payment provider's card pages).
pub fn content_security_policy(targets: &[String]) -> String {
    let mut csp = String::from(ASSET_CSP);
    for target in targets {
        csp.push(' ');
        csp.push_str(target);
    }
    csp
}

fn is_asset(path: &str) -> bool {
    path.starts_with(paths::ASSETS)
}

/// The health probes: machines asking, so no session is touched and no cookie set.
pub fn is_probe(path: &str) -> bool {
    path.starts_with(paths::HEALTH)
}

/// The integration API: as for probes, no session and no cookie (none is even
/// read: it knows only bearer tokens, so a browser's cookies carry no authority).
fn is_api(path: &str) -> bool {
    path.starts_with(paths::API)
}

/// The language: the remembered choice, else the browser's preference, else Swedish.
pub fn request_lang(req: &actix_web::HttpRequest) -> Lang {
    req.cookie(LANG_COOKIE.plain)
        .or_else(|| req.cookie(LANG_COOKIE.host_only))
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
        .unwrap_or(Lang::Sv)
}

/// A cookie as every Kansli cookie is: HttpOnly, SameSite=Lax, path /, Secure in production.
pub fn cookie(state: &WebState, base: CookieName, value: String) -> Cookie<'static> {
    Cookie::build(state.cookie_name(base), value)
        .path(paths::HOME)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.is_production())
        .finish()
}

/// `res` with the cookie that keeps `lang` for a year.
pub fn remember_language(
    state: &WebState,
    lang: Lang,
    mut res: HttpResponse,
) -> Result<HttpResponse, AppError> {
    let mut c = cookie(state, LANG_COOKIE, lang.code().to_string());
    c.set_max_age(actix_web::cookie::time::Duration::days(365));
    res.add_cookie(&c)
        .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(res)
}

pub fn removal_cookie(state: &WebState, base: CookieName) -> Cookie<'static> {
    let mut c = cookie(state, base, String::new());
    c.make_removal();
    c
}

/// Loads the session (touching it: every request counts), picks the language and
/// the CSRF binding, and puts a [`Ctx`] in the request for handlers and views.
pub async fn load_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if is_asset(req.path()) || is_probe(req.path()) || is_api(req.path()) {
        let production = req
            .app_data::<web::Data<WebState>>()
            .is_some_and(|s| s.settings.is_production());
        let mut res = next.call(req).await?;
        add_security_headers(&mut res, production, None);
        return Ok(res);
    }
    let state = req
        .app_data::<web::Data<WebState>>()
        .cloned()
        .ok_or_else(|| actix_web::error::ErrorInternalServerError("state missing"))?;
    let lang = request_lang(req.request());
    let session_name = state.cookie_name(SESSION_COOKIE);
    let raw_session = req
        .cookie(session_name)
        .and_then(|c| Token::from_client(c.value()));
    let session: Option<SessionView> = match &raw_session {
        Some(token) => {
            let hash = token.hash();
            let now = state.now();
            let agent = req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let seen = crate::db::sessions::Seen::new(
                crate::web::respond::client_ip(req.request()).to_string(),
                agent,
            );
            crate::db::sessions::load_and_touch(&state.pool, hash, now, seen).await?
        }
        None => None,
    };
    let session_missing = session.is_none();
    let existing_csrf = req
        .cookie(state.cookie_name(CSRF_COOKIE))
        .and_then(|c| Token::from_client(c.value()));
    let fresh_csrf = existing_csrf.is_none().then(Token::generate);
    let binding = match (&session, &raw_session) {
        (Some(_), Some(token)) => token.expose().to_string(),
        _ => existing_csrf
            .as_ref()
            .or(fresh_csrf.as_ref())
            .map(|t| t.expose().to_string())
            .unwrap_or_default(),
    };
    let ctx = Ctx::new(RequestContext {
        t: Texts::new(lang),
        csrf: state.keyring.csrf_token(&binding),
        session,
        path: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| paths::HOME.into()),
        dev_mailbox: state.settings.dev_mailbox(),
        production: state.settings.is_production(),
        session_ended: raw_session.is_some() && session_missing,
        cookieless: raw_session.is_none() && existing_csrf.is_none(),
        staff: Default::default(),
    });
    let stale_session = ctx.session_ended;
    // Where the person was, should the session's end send them to the login: a
    // form they sent, or an application's page they opened (My Page and the like
    // lead to the plain login, as any visit without a session does).
    // Worked out only for a request whose session has ended, off the hot path.
    let was_at = if !stale_session {
        None
    } else if req.method() == actix_web::http::Method::GET {
        ctx.path
            .starts_with(paths::APPLICATIONS)
            .then(|| ctx.path.clone())
    } else {
        req.headers()
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.strip_prefix(&state.settings.public_url()))
            .map(str::to_string)
            .or_else(|| Some(req.path().to_string()))
    };
    req.extensions_mut().insert(ctx);
    let mut res = next.call(req).await?;
    if was_at.is_some()
        && res.status() == actix_web::http::StatusCode::SEE_OTHER
        && res
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == paths::LOGIN)
    {
        // Logged out while on a page: the login says why and leads back there.
        let back = was_at
            .as_deref()
            .and_then(|p| crate::web::respond::local_path(Some(p)))
            .map(crate::web::views::layout::encode_path)
            .unwrap_or_default();
        if let Ok(to) = HeaderValue::from_str(&paths::login_ended_then(&back)) {
            res.headers_mut().insert(header::LOCATION, to);
        }
    }
    let sets =
        |res: &ServiceResponse<_>, name: &str| res.response().cookies().any(|c| c.name() == name);
    if let Some(token) = fresh_csrf {
        res.response_mut()
            .add_cookie(&cookie(&state, CSRF_COOKIE, token.expose().to_string()))?;
    }
    if stale_session && !sets(&res, session_name) {
        res.response_mut()
            .add_cookie(&removal_cookie(&state, SESSION_COOKIE))?;
    }
    add_security_headers(&mut res, state.settings.is_production(), Some(&state.csp));
    Ok(res)
}

/// The inner guard around every handler: refuses state-changing requests from
/// other sites (Origin / Sec-Fetch-Site, in addition to every form's CSRF token),
/// and turns a panic inside one request into a 500 for that request while the
/// process and the worker's other connections go on. It holds no clone of the
/// request: routing needs the only reference.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let safe = matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    if !safe && !same_origin(&req) {
        tracing::warn!(path = req.path(), "cross-origin request refused");
        return Ok(req
            .error_response(AppError::Forbidden)
            .map_into_right_body());
    }
    // The Uri shares the request's bytes: keeping it for the log costs no copy.
    let uri = req.uri().clone();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(res) => Ok(res?.map_into_left_body()),
        Err(_) => {
            tracing::error!(path = uri.path(), "a request panicked");
            Err(AppError::Unexpected(anyhow::anyhow!("panic in request handler")).into())
        }
    }
}

fn same_origin(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(state) = req.app_data::<web::Data<WebState>>() else {
        return false;
    };
    // The public address, when set (always in production), is the origin; in
    // development people also use localhost or 127.0.0.1 alike.
    if state.settings.base_url.as_deref() == Some(origin) {
        return true;
    }
    if state.settings.is_production() {
        return false;
    }
    let host = req.connection_info().host().to_string();
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

/// Headers on every response; pages (`csp` given) are never cached (they may show
/// personal data). A page that set its own Content-Security-Policy keeps it.
fn add_security_headers<B>(
    res: &mut ServiceResponse<B>,
    production: bool,
    csp: Option<&HeaderValue>,
) {
    let asset = csp.is_none();
    let h = res.headers_mut();
    // Room for them all at once, not a map grown as they come.
    h.reserve(8);
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            csp.cloned()
                .unwrap_or_else(|| HeaderValue::from_static(ASSET_CSP)),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        PERMISSIONS_POLICY,
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    h.insert(
        CROSS_ORIGIN_OPENER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if production {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{middleware::from_fn, test, web, App};

    #[actix_web::test]
    async fn a_panicking_handler_gives_500_and_the_next_request_is_served() {
        let app = test::init_service(
            App::new()
                .route(
                    "/boom",
                    web::get().to(|| async { panic!("boom") as HttpResponse }),
                )
                .route(
                    "/ok",
                    web::get().to(|| async { HttpResponse::Ok().finish() }),
                )
                .wrap(from_fn(guard)),
        )
        .await;
        let res =
            test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        let status = match res {
            Ok(r) => r.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        assert_eq!(status, 500);
        let res = test::call_service(&app, test::TestRequest::get().uri("/ok").to_request()).await;
        assert_eq!(res.status(), 200);
    }
}
