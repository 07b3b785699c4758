//! The use cases: each public function is one step a person takes, in one
//! transaction together with the messages it causes. Flows return outcome enums,
//! never HTML, cookies or URL strings.
pub mod api;
pub mod apply;
pub mod casework;
pub mod demo;
pub mod health;
pub mod identity;
pub mod partner;
pub mod payment;
pub mod questionnaire;
pub mod records;
pub mod signing;
pub mod support;
pub mod support_messages;
