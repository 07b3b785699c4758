//! Protection on every request: the request context (language, session,
//! CSRF binding), who may act (access), security headers, origin checks, panics
//! caught, error pages, per-IP limits and staff sessions.
pub mod access;
pub mod context;
pub mod error_pages;
pub mod middleware;
pub mod observe;
pub mod posted;
pub mod ratelimit;
pub mod staff;

pub use crate::domain::session::SessionView;
pub use context::Ctx;
pub use posted::Posted;
