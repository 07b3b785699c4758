//! Clients of the services outside Kansli: email and SMS delivery (with the
//! outbox worker), e-identification, and the card payment provider.
pub mod eid;
pub mod notify;
pub mod payment;
pub mod webhooks;
