//! Who the request may act as: the logged-in account, the reader of a submitted
//! application's records, and how much that login may see.
use crate::db::Reader;
use crate::domain::forms::FormDef;
use crate::domain::session::Assurance;
use crate::domain::AccountId;
use crate::error::AppError;
use crate::web::guard::Ctx;
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
    state
        .forms
        .iter()
        .find(|f| f.id == id)
        .ok_or(AppError::NotFound)
}

/// Whether this login may see answers, documents and receipts (the assurance levels in README).
pub fn show_more(ctx: &Ctx) -> bool {
    ctx.account()
        .is_some_and(|s| s.assurance >= Assurance::Substantial)
}
