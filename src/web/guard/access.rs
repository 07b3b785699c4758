//! Who the request may act as: the logged-in account, the reader of a submitted
//! application's records, and how much that login may see. The extractors
//! ([`Applicant`], [`Person`]) send anyone else to the login page, and [`count`]
//! counts a request against a named per-address limit, so no handler writes either
//! check by hand.
use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::db::drafts::Owner;
use crate::db::Reader;
use crate::domain::forms::FormDef;
use crate::domain::rules;
use crate::domain::session::{Assurance, SessionView};
use crate::domain::AccountId;
use crate::error::AppError;
use crate::web::guard::Ctx;
use crate::web::respond::client_ip;
use crate::web::web_state::WebState;

/// The account of a fully logged-in session.
pub fn logged_in(ctx: &Ctx) -> Option<AccountId> {
    ctx.account().and_then(|s| s.account_id)
}

/// Who asks for a submitted application's records: the logged-in account, else a
/// person identified by e-identification (as its applicant).
pub fn reader(ctx: &Ctx) -> Option<Reader> {
    match (logged_in(ctx), ctx.person().and_then(|s| s.pin.clone())) {
        (Some(account), _) => Some(Reader::Account(account)),
        (None, Some(pin)) => Some(Reader::Applicant(pin)),
        (None, None) => None,
    }
}

/// Whether the reader sees answers, documents and receipts (substantial assurance:
/// two-step verification, or e-identification).
pub fn sees_more(ctx: &Ctx, reader: &Reader) -> bool {
    matches!(reader, Reader::Applicant(_)) || show_more(ctx)
}

/// The application type with this id; 404 for an id no type has.
pub fn form_of<'a>(state: &'a WebState, id: &str) -> Result<&'a FormDef, AppError> {
    state.forms.get(id).ok_or(AppError::NotFound)
}

/// Whether this login may see answers, documents and receipts: substantial
/// assurance, that is two-step verification.
pub fn show_more(ctx: &Ctx) -> bool {
    ctx.account()
        .is_some_and(|s| s.assurance >= Assurance::Substantial)
}

/// The request's context, as the middleware loaded it.
fn context(req: &HttpRequest) -> Option<Ctx> {
    req.extensions().get::<Ctx>().cloned()
}

/// A fully logged-in applicant: every login step passed, with an account.
/// Anyone else is sent to the login page.
pub struct Applicant {
    pub account: AccountId,
    pub session: SessionView,
}

impl FromRequest for Applicant {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = context(req).and_then(|ctx| ctx.account().cloned());
        ready(
            session
                .and_then(|session| {
                    Some(Applicant {
                        account: session.account_id?,
                        session,
                    })
                })
                .ok_or(AppError::Login),
        )
    }
}

/// A person identified by e-identification without an account. Anyone else is
/// sent to the login page.
pub struct Person(pub SessionView);

impl FromRequest for Person {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = context(req).and_then(|ctx| ctx.person().cloned());
        ready(session.map(Person).ok_or(AppError::Login))
    }
}

/// A limit (per address, or per owner): its name in the limiter and its (requests, seconds).
pub trait LimitKind {
    const NAME: &'static str;
    const LIMIT: (u32, i64);
}

/// Counts this request against the per-address limit `K`; past it, 429.
///
/// A call in the handler's body, not an extractor: actix calls every extractor of
/// a handler before it polls any, so a counting extractor would count requests
/// that its CSRF or login check then turns away.
pub fn count<K: LimitKind>(req: &HttpRequest, state: &WebState) -> Result<(), AppError> {
    state
        .limiter
        .check(K::NAME, K::LIMIT, client_ip(req), state.now())
}

/// Counts this request against `owner`'s limit `K`, from wherever it comes; past
/// it, 429. Called, like [`count`], in the handler's body.
pub fn count_owner<K: LimitKind>(owner: Owner, state: &WebState) -> Result<(), AppError> {
    state
        .limiter
        .check_owner(K::NAME, K::LIMIT, owner, state.now())
}

macro_rules! limit_kinds {
    ($($(#[$doc:meta])* $kind:ident = $name:literal, $limit:expr;)*) => {$(
        $(#[$doc])*
        pub enum $kind {}
        impl LimitKind for $kind {
            const NAME: &'static str = $name;
            const LIMIT: (u32, i64) = $limit;
        }
    )*};
}

limit_kinds! {
    /// Password (and e-ID) login attempts, and password checks in settings.
    Logins = "login", rules::IP_LIMIT_LOGIN;
    /// Staff login attempts.
    StaffLogins = "staff_login", rules::IP_LIMIT_LOGIN;
    /// Accounts created.
    Creations = "create", rules::IP_LIMIT_CREATE;
    /// Codes sent or tried (email and SMS).
    Codes = "codes", rules::IP_LIMIT_CODES;
    /// Password reset requests and resets.
    Resets = "reset", rules::IP_LIMIT_RESET;
    /// Questionnaire starts by the person in Sweden.
    Questionnaires = "questionnaire", rules::IP_LIMIT_QUESTIONNAIRE;
    /// Reports from the partner page.
    PartnerReports = "partner", rules::IP_LIMIT_QUESTIONNAIRE;
    /// Photos uploaded, per account (or questionnaire respondent).
    Uploads = "upload", rules::ACCOUNT_LIMIT_UPLOADS;
}
