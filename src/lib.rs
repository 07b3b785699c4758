//! Kansli: a self-hosted e-service portal for permit applications.
//!
//! `routes` (thin actix handlers) parse input into `domain` types, make one
//! `db` call and render `views`. Messages go through the `notify` outbox;
//! scheduled work lives in `jobs`. Time always comes from the injected [`clock::Clock`].
pub mod apply;
pub mod auth;
pub mod casework;
pub mod cli;
pub mod clock;
pub mod db;
pub mod documents;
pub mod domain;
pub mod eid;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod notify;
pub mod page_cache;
pub mod payments;
pub mod questionnaire;
pub mod routes;
pub mod security;
pub mod settings;
pub mod startup;
pub mod state;
pub mod support;
pub mod views;
