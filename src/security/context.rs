//! The request context every handler and view gets: the person's language,
//! their session (if any) and the CSRF token for the forms on the page.
use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};

use crate::domain::session::{Assurance, Method, Stage};
use crate::domain::{AccountId, Lang};
use crate::i18n::Texts;

/// A live session, as loaded for this request.
#[derive(Clone, Debug)]
pub struct SessionView {
    pub id_hash: Vec<u8>,
    pub account_id: Option<AccountId>,
    pub email: Option<String>,
    pub stage: Stage,
    pub method: Method,
    pub assurance: Assurance,
    pub two_step: bool,
    /// The verified phone number, when two-step verification is on.
    pub phone: Option<String>,
    pub created_at: i64,
    pub last_step_at: i64,
    /// For the person in Sweden: the questionnaire this session may answer.
    pub questionnaire: Option<i64>,
}

/// What handlers and views get: shared, so passing it around copies nothing.
#[derive(Clone)]
pub struct Ctx(Rc<RequestContext>);

impl Ctx {
    pub fn new(data: RequestContext) -> Self {
        Ctx(Rc::new(data))
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

    /// The logged-in person, if the session has passed every login step.
    pub fn account(&self) -> Option<&SessionView> {
        self.session
            .as_ref()
            .filter(|s| s.stage == Stage::Authenticated && s.account_id.is_some())
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
