//! HTTP handlers, one file per area: extract, parse into domain types, one flow
//! call, then render or redirect (303 after every POST). No SQL and no HTML here.
pub mod account;
pub mod api;
pub mod apply;
pub mod cases;
pub mod casework;
pub mod credentials;

pub mod eid;
pub mod health;
pub mod login;
pub mod pages;
pub mod partner;
pub mod payment;
pub mod questionnaire;
pub mod reset;
pub mod staff;
pub mod support;
pub mod two_step;
pub mod webhooks;
