//! What only the HTTP edge keeps between requests: the per-address limits, the
//! pages kept as rendered, and the cookie names of this mode. Handlers get it as
//! app data; it dereferences to the [`AppState`] that flows take.
use std::ops::Deref;

use crate::domain::client_addr::TrustedProxies;
use crate::state::AppState;

use crate::web::guard::middleware::CookieName;
use crate::web::guard::ratelimit::RateLimiter;
use crate::web::page_cache::{MyPageInputs, PageCache, PerLanguage, Template};

pub struct WebState {
    pub app: AppState,
    pub limiter: RateLimiter,
    /// My Page as last rendered for each session, while nothing it shows has changed.
    pub my_page: PageCache<MyPageInputs>,
    /// The login page as every visitor without a session first sees it.
    pub login_page: PerLanguage<Template>,
    /// The reverse proxies whose forwarded client addresses are believed.
    pub trusted_proxies: TrustedProxies,
    /// The pages' Content-Security-Policy, with the origins forms may lead to.
    pub csp: actix_web::http::header::HeaderValue,
}

impl WebState {
    pub fn new(app: AppState) -> Self {
        // Checked when the settings were loaded.
        let trusted_proxies =
            TrustedProxies::parse(&app.settings.trusted_proxies).unwrap_or_default();
        let csp =
            crate::web::guard::middleware::content_security_policy(&app.settings.form_targets());
        WebState {
            csp: actix_web::http::header::HeaderValue::from_str(&csp).unwrap_or_else(|_| {
                actix_web::http::header::HeaderValue::from_static(
                    "default-src 'self'; form-action 'self'",
                )
            }),
            app,
            trusted_proxies,
            limiter: RateLimiter::default(),
            my_page: PageCache::default(),
            login_page: PerLanguage::default(),
        }
    }

    /// A cookie's name in this mode (`__Host-` names in production).
    pub fn cookie_name(&self, name: CookieName) -> &'static str {
        if self.app.settings.is_production() {
            name.host_only
        } else {
            name.plain
        }
    }
}

impl Deref for WebState {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.app
    }
}
