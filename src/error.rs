//! One error type for flows and handlers. Its `Display` is safe to show; causes
//! are logged, never shown. `web::respond` maps it to a status and
//! `web::guard::error_pages` renders the page in the person's language.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// An application's address that leads nowhere any more: deleted, past its
    /// deletion time, or never the person's (said alike, so nothing is revealed).
    #[error("application gone")]
    DraftGone,
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until the limit lets requests through again.
        retry_after: i64,
    },
    #[error("busy")]
    Busy,
    /// An applicant's page was asked for without the login it needs: to the login page.
    #[error("login required")]
    Login,
    /// A staff page was asked for without a staff session: to the staff login.
    #[error("staff login required")]
    StaffLogin,
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

impl From<r2d2_sqlite::rusqlite::Error> for AppError {
    fn from(e: r2d2_sqlite::rusqlite::Error) -> Self {
        AppError::Unexpected(e.into())
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        AppError::Unexpected(e.into())
    }
}
