//! One error type for every handler. Its `Display` is safe to show; causes
//! are logged, never shown. The page itself is rendered by
//! `web::guard::error_pages` in the person's language.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests")]
    TooManyRequests,
    #[error("busy")]
    Busy,
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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StaffLogin => StatusCode::SEE_OTHER,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Unexpected(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, AppError::StaffLogin) {
            return res
                .insert_header((actix_web::http::header::LOCATION, "/staff/login"))
                .finish();
        }
        if matches!(self, AppError::TooManyRequests | AppError::Busy) {
            res.insert_header(("Retry-After", "60"));
        }
        res.finish()
    }
}
