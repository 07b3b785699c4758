//! The request context every handler and view gets: the person's language,
//! their session (if any) and the CSRF token for the forms on the page.
use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};

use crate::domain::session::{Method, SessionView, Stage};
use crate::domain::Lang;
use crate::i18n::Texts;

/// What handlers and views get: shared, so passing it around copies nothing.
#[derive(Clone)]
pub struct Ctx(Rc<RequestContext>);

impl Ctx {
    pub fn new(data: RequestContext) -> Self {
        Ctx(Rc::new(data))
    }

    /// This request with another CSRF token: a page rendered once for every
    /// visitor carries [`crate::web::page_cache::CSRF_MARK`] in place of each one's own.
    pub fn with_csrf(&self, csrf: &str) -> Ctx {
        self.with(self.t, csrf)
    }

    /// This request answered in another language (the language switch on a page
    /// with typed answers, which answers with the page itself).
    pub fn with_lang(&self, lang: crate::domain::Lang) -> Ctx {
        self.with(Texts::new(lang), &self.csrf)
    }

    /// A request in `lang` to My Page without a session, for views' unit tests.
    #[cfg(test)]
    pub fn for_test(lang: Lang) -> Ctx {
        Ctx::new(RequestContext {
            t: Texts::new(lang),
            csrf: "token".into(),
            session: None,
            path: crate::paths::ACCOUNT.into(),
            dev_mailbox: false,
            production: true,
            session_ended: false,
            cookieless: false,
            staff: Default::default(),
        })
    }

    fn with(&self, t: Texts, csrf: &str) -> Ctx {
        Ctx::new(RequestContext {
            t,
            csrf: csrf.to_string(),
            session: self.session.clone(),
            path: self.path.clone(),
            dev_mailbox: self.dev_mailbox,
            production: self.production,
            session_ended: self.session_ended,
            cookieless: self.cookieless,
            staff: self.staff.clone(),
        })
    }
}

impl std::ops::Deref for Ctx {
    type Target = RequestContext;
    fn deref(&self) -> &RequestContext {
        &self.0
    }
}

pub struct RequestContext {
    pub t: Texts,
    /// The CSRF token every form on this page carries.
    pub csrf: String,
    pub session: Option<SessionView>,
    /// The path and query of this request, for the language switch.
    pub path: String,
    pub dev_mailbox: bool,
    pub production: bool,
    /// The request came with a session that has ended (idle, lifetime, logout
    /// elsewhere): its forms' tokens are void, and the login says why.
    pub session_ended: bool,
    /// The request came with neither a session nor a form-token cookie: a form
    /// it sends cannot be checked, most likely because cookies are blocked.
    pub cookieless: bool,
    /// The logged-in staff member, once the staff session has been read (by
    /// [`super::staff::StaffCtx`], after this context was made): the page shell
    /// names them, their role and their areas in the header.
    pub staff: std::cell::OnceCell<crate::domain::staff::StaffMember>,
}

impl RequestContext {
    pub fn lang(&self) -> Lang {
        self.t.lang
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.t.t(key)
    }

    /// Whether a submitted CSRF token is this page's, compared in constant time.
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        crate::domain::secret::constant_time_eq(self.csrf.as_bytes(), submitted.as_bytes())
    }

    /// Catalog text for a page (escaped once at load).
    pub fn h(&self, key: &str) -> crate::i18n::Escaped {
        self.t.h(key)
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.t.tf(key, args)
    }

    /// A text with a count, in its singular or plural form; see [`Texts::plural`].
    pub fn plural(&self, key: &str, n: i64, args: &[(&str, &str)]) -> String {
        self.t.plural(key, n, args)
    }

    /// The logged-in person, if the session has passed every login step.
    pub fn account(&self) -> Option<&SessionView> {
        self.session
            .as_ref()
            .filter(|s| s.stage == Stage::Authenticated && s.account_id.is_some())
    }

    /// A person logged in by e-identification without an account: they see the
    /// cases whose applicant has their personal identity number.
    pub fn person(&self) -> Option<&SessionView> {
        self.session.as_ref().filter(|s| {
            s.stage == Stage::Authenticated
                && s.account_id.is_none()
                && s.pin.is_some()
                && s.method != Method::Professional
        })
    }

    /// A municipality's or region's staff member, by professional e-ID.
    pub fn partner(&self) -> Option<&SessionView> {
        self.session.as_ref().filter(|s| {
            s.stage == Stage::Authenticated
                && s.method == Method::Professional
                && s.organisation.is_some()
        })
    }

    /// Anyone logged in, by whatever method (not the person in Sweden).
    pub fn signed_in(&self) -> Option<&SessionView> {
        self.account().or(self.person()).or(self.partner())
    }

    /// The person in Sweden answering a questionnaire (its id).
    pub fn respondent(&self) -> Option<i64> {
        self.session
            .as_ref()
            .filter(|s| s.stage == Stage::Authenticated && s.account_id.is_none())
            .and_then(|s| s.questionnaire)
    }

    /// A session waiting at `stage` (an emailed or SMS code).
    pub fn pending(&self, stage: Stage) -> Option<&SessionView> {
        self.session.as_ref().filter(|s| s.stage == stage)
    }
}

/// Handlers take `Ctx` as an argument; it was put in place by `middleware::load_context`.
impl FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions().get::<Ctx>().cloned().ok_or_else(|| {
                actix_web::error::ErrorInternalServerError("request context missing")
            }),
        )
    }
}
