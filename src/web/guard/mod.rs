//! Protection on every request: the request context (language, session,
//! CSRF binding), security headers, origin checks, panics caught, error pages,
//! per-IP limits and the bounded password hasher.
pub mod access;
pub mod context;
pub mod error_pages;
pub mod middleware;
pub mod posted;
pub mod ratelimit;
pub mod staff;

pub use crate::domain::session::SessionView;
pub use context::Ctx;
pub use posted::Posted;
