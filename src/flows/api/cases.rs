//! What a client system reads and does through the API: the case list a page at
//! a time, one case whole, a case's document. Each call is audited under the
//! client's name; status changes go through [`crate::flows::casework`].
use crate::db::api_reads::Filter;
use crate::db::api_reads::{self, Cursor, Listed};
use crate::db::audit::{ActorKind, Entry};
use crate::db::documents::StoredDocument;
use crate::db::{self, SqlError};
use crate::domain::api::ApiClient;
use crate::error::AppError;
use crate::flows::casework::{read_case_file, CaseFile};
use crate::state::AppState;

/// Cases on a page when the client does not say.
pub const PAGE_DEFAULT: i64 = 25;
/// The most cases a client may ask for on one page.
pub const PAGE_MAX: i64 = 100;

/// One page of the list, and where the next one starts, if there is one.
pub struct Page {
    pub cases: Vec<Listed>,
    pub next: Option<Cursor>,
}

/// Who asks, from where: every call's audit entry names both.
pub struct Call {
    client: String,
    ip: String,
}

impl Call {
    pub fn new(client: &ApiClient, ip: String) -> Self {
        Call {
            client: client.name().to_string(),
            ip,
        }
    }

    fn entry<'e>(&'e self, action: &'e str) -> Entry<'e> {
        Entry::new(ActorKind::ApiClient, &self.client, action).ip(&self.ip)
    }
}

/// Up to `limit` (1 to [`PAGE_MAX`]) cases matching `filter` after `after`.
pub async fn list(
    state: &AppState,
    call: Call,
    filter: Filter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page, AppError> {
    let limit = limit.clamp(1, PAGE_MAX);
    let now = state.now();
    let mut cases = db::write(&state.pool, move |tx| {
        let rows = api_reads::cases_after(tx, &filter, after, limit)?;
        call.entry("api_cases_listed").record(tx, now)?;
        Ok::<_, SqlError>(rows)
    })
    .await?;
    let more = cases.len() as i64 > limit;
    cases.truncate(limit as usize);
    let next = more.then(|| cases.last()).flatten().map(|last| Cursor {
        submitted_at: last.submitted_at,
        id: last.id,
    });
    Ok(Page { cases, next })
}

/// The whole case; the reading is audited (a number that finds no case too).
pub async fn case_file(
    state: &AppState,
    call: Call,
    verification: String,
) -> Result<Option<CaseFile>, AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| -> Result<_, AppError> {
        let file = read_case_file(tx, &verification)?;
        let entry = call.entry("api_case_viewed").target(&verification);
        match file {
            Some(_) => entry,
            None => entry.detail("not found"),
        }
        .record(tx, now)?;
        Ok(file)
    })
    .await
}

/// A document of the case, if it is that case's; audited.
pub async fn document(
    state: &AppState,
    call: Call,
    verification: String,
    reference: String,
) -> Result<Option<StoredDocument>, AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| -> Result<_, AppError> {
        let found = api_reads::document(tx, &verification, &reference)?;
        let entry =
            call.entry("api_document_viewed")
                .target(&reference)
                .detail(if found.is_some() {
                    &verification
                } else {
                    "not found"
                });
        entry.record(tx, now)?;
        Ok(found)
    })
    .await
}

/// The case's status now (to say where a refused change could go instead).
pub async fn current_status(
    state: &AppState,
    verification: String,
) -> Result<Option<crate::domain::case::CaseStatus>, AppError> {
    let found = db::read(&state.pool, move |c| {
        crate::db::cases::by_verification(c, &verification)
    })
    .await?;
    Ok(found.map(|c| c.status))
}
