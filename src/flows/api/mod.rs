//! The integration API: client systems and their tokens, what they read and do
//! to cases, and the events their webhooks receive.
pub mod cases;
pub mod clients;
pub mod events;
