//! The integration API's errors as RFC 9457 problem details
//! (`application/problem+json`): a type, a title, the status and a detail, in
//! English for the developers of client systems.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::error::AppError;

pub const CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    /// For a refused status change: where the case can go from its status.
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<Vec<&'static str>>,
    #[serde(skip)]
    retry_after: Option<i64>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)
    }
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: String) -> Self {
        Problem {
            kind,
            title,
            status: status.as_u16(),
            detail,
            allowed: None,
            retry_after: None,
        }
    }

    pub fn unauthorized() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "about:blank",
            "Unauthorized",
            "Send a valid client token: Authorization: Bearer <token>.".into(),
        )
    }

    pub fn not_found(detail: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "about:blank",
            "Not Found",
            detail.into(),
        )
    }

    pub fn method_not_allowed() -> Self {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "about:blank",
            "Method Not Allowed",
            "This address does not take that method; see /api/openapi.json.".into(),
        )
    }

    /// A query parameter or body field that cannot be used.
    pub fn invalid(detail: String) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "urn:kansli:problem:invalid-parameter",
            "Invalid parameter",
            detail,
        )
    }

    /// A status change the case's status machine does not allow from where it is.
    pub fn transition(detail: String, allowed: Vec<&'static str>) -> Self {
        Problem {
            allowed: Some(allowed),
            ..Problem::new(
                StatusCode::CONFLICT,
                "urn:kansli:problem:transition-not-allowed",
                "Status change not allowed",
                detail,
            )
        }
    }

    /// A status change whose note is missing (a supplement request) or too long.
    pub fn note(detail: String) -> Self {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "urn:kansli:problem:invalid-note",
            "Invalid note",
            detail,
        )
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound | AppError::DraftGone => Problem::not_found("No such resource."),
            AppError::TooManyRequests { retry_after } => Problem {
                retry_after: Some(retry_after),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "about:blank",
                    "Too Many Requests",
                    format!("Too many requests; try again in {retry_after} seconds."),
                )
            },
            AppError::Busy => Problem {
                retry_after: Some(5),
                ..Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "about:blank",
                    "Service Unavailable",
                    "Busy; try again in a few seconds.".into(),
                )
            },
            AppError::Forbidden | AppError::Login | AppError::StaffLogin => Problem::new(
                StatusCode::FORBIDDEN,
                "about:blank",
                "Forbidden",
                "Not allowed.".into(),
            ),
            AppError::Unexpected(cause) => {
                tracing::error!(error = ?cause, "API request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "about:blank",
                    "Internal Server Error",
                    "Something went wrong on our side; it has been logged.".into(),
                )
            }
        }
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, CONTENT_TYPE))
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if self.status == 401 {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        res.body(serde_json::to_string(self).unwrap_or_default())
    }
}
