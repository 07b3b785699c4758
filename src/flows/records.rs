//! What people read, each through its owner's rules: My Page, a case, its
//! documents and receipts, a payment's attempts, the audit log, the dev mailbox.
//! Reads have no messages and no transaction of their own; they sit here so a
//! handler makes one flow call whether it writes or reads.
use crate::db::audit::{self, Logged};
use crate::db::cases::{self, Case, Event, Listed as ListedCase};
use crate::db::documents::{self, StoredDocument};
use crate::db::drafts::{self, Draft, Listed as ListedDraft, Owner};
use crate::db::outbox::{self, Queued};
use crate::db::payments::{self, Payment, Receipt};
use crate::db::{self, Reader};
use crate::domain::staff::{Admin, Caseworker};
use crate::domain::AccountId;
use crate::error::AppError;
use crate::state::AppState;

/// What My Page lists for an account, and the account's revision it was read at.
pub struct MyPage {
    pub revision: Option<i64>,
    pub drafts: Vec<ListedDraft>,
    pub cases: Vec<ListedCase>,
    /// Only for a login that sees more (substantial assurance); empty otherwise.
    pub receipts: Vec<Receipt>,
}

/// My Page of an account, in one read.
pub async fn my_page(
    state: &AppState,
    account: AccountId,
    with_receipts: bool,
) -> Result<MyPage, AppError> {
    let now = state.now();
    db::quick_read(&state.pool, move |c| {
        let receipts = if with_receipts {
            payments::receipts(c, account)?
        } else {
            Vec::new()
        };
        Ok(MyPage {
            revision: crate::db::accounts::revision(c, account)?,
            drafts: drafts::unsubmitted(c, account, now)?,
            cases: cases::for_account(c, account)?,
            receipts,
        })
    })
    .await
}

/// The cases and receipts of the applicant with this personal identity number
/// (My Page of a person identified by e-identification without an account).
pub async fn of_applicant(
    state: &AppState,
    pin: String,
) -> Result<(Vec<ListedCase>, Vec<Receipt>), AppError> {
    db::quick_read(&state.pool, move |c| {
        Ok((
            cases::for_pin(c, &pin)?,
            payments::receipts_of_applicant(c, &pin)?,
        ))
    })
    .await
}

/// A case with the history its applicant sees, if the reader may see it.
pub async fn case(
    state: &AppState,
    reader: Reader,
    verification: String,
) -> Result<Option<(Case, Vec<Event>)>, AppError> {
    db::read(&state.pool, move |c| {
        let case = match &reader {
            Reader::Account(account) => cases::owned(c, &verification, *account)?,
            Reader::Applicant(pin) => cases::of_applicant(c, &verification, pin)?,
        };
        let Some(case) = case else {
            return Ok(None);
        };
        let mut history = cases::history(c, case.id)?;
        history.retain(|e| e.kind.for_applicant());
        Ok(Some((case, history)))
    })
    .await
}

/// The case a paid draft became.
pub async fn case_of_draft(state: &AppState, draft: i64) -> Result<Option<Case>, AppError> {
    db::read(&state.pool, move |c| cases::for_draft(c, draft)).await
}

/// A document (or its thumbnail) of a draft or case the reader may open.
pub async fn document(
    state: &AppState,
    reader: Reader,
    reference: String,
    thumbnail: bool,
) -> Result<Option<StoredDocument>, AppError> {
    db::read(&state.pool, move |c| {
        documents::owned(c, &reference, &reader, thumbnail)
    })
    .await
}

/// A document (or its thumbnail) of a submitted application, for caseworkers.
/// Opening the document itself is audited, found or not; a thumbnail is not (it is
/// part of the case file, whose opening is).
pub async fn case_document(
    state: &AppState,
    who: &Caseworker,
    reference: String,
    thumbnail: bool,
    ip: String,
) -> Result<Option<StoredDocument>, AppError> {
    if thumbnail {
        return db::read(&state.pool, move |c| {
            documents::of_case(c, &reference, true)
        })
        .await;
    }
    let (actor, now) = (who.member().email.clone(), state.now());
    db::write(&state.pool, move |tx| {
        let found = documents::of_case(tx, &reference, false)?;
        let entry = audit::Entry::new(audit::ActorKind::Staff, &actor, "case_document_viewed")
            .target(&reference)
            .ip(&ip);
        match found {
            Some(_) => entry,
            None => entry.detail("not found"),
        }
        .record(tx, now)?;
        Ok::<_, db::SqlError>(found)
    })
    .await
}

/// A draft of this account, by its reference.
pub async fn own_draft(
    state: &AppState,
    account: AccountId,
    reference: String,
) -> Result<Option<Draft>, AppError> {
    let now = state.now();
    let found = db::read(&state.pool, move |c| {
        drafts::find_owned(c, &reference, Owner::Account(account))
    })
    .await?;
    Ok(found.filter(|d| !d.is_gone(now)))
}

/// A draft's payment attempts, newest first.
pub async fn payments_of_draft(state: &AppState, draft: i64) -> Result<Vec<Payment>, AppError> {
    db::read(&state.pool, move |c| payments::for_draft(c, draft)).await
}

/// A payment of this account and the draft it pays for.
pub async fn own_payment(
    state: &AppState,
    account: AccountId,
    reference: String,
) -> Result<Option<(Payment, Draft)>, AppError> {
    db::read(&state.pool, move |c| {
        let Some(p) = payments::owned(c, &reference, account)? else {
            return Ok(None);
        };
        let draft = drafts::find_by_id(c, p.draft_id)?;
        Ok(draft.map(|d| (p, d)))
    })
    .await
}

/// A receipt the reader may see.
pub async fn receipt(
    state: &AppState,
    reader: Reader,
    reference: String,
) -> Result<Option<Receipt>, AppError> {
    db::read(&state.pool, move |c| {
        payments::receipt(c, &reference, &reader)
    })
    .await
}

/// A page of the audit log (one more entry than `limit` when a next page exists).
pub async fn audit_page(
    state: &AppState,
    _who: &Admin,
    action: Option<String>,
    who: Option<String>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Logged>, AppError> {
    db::read(&state.pool, move |c| {
        audit::page(c, action.as_deref(), who.as_deref(), offset, limit)
    })
    .await
}

/// The latest messages, newest first, for the dev mailbox.
pub async fn latest_messages(state: &AppState, limit: i64) -> Result<Vec<Queued>, AppError> {
    db::read(&state.pool, move |c| outbox::latest(c, limit)).await
}
