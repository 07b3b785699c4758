//! Kansli: a self-hosted e-service portal for permit applications.
//!
//! `web` (the HTTP edge: handlers, guard, views) parses input into `domain`
//! types, makes one `flows` call and renders the outcome. Flows are the use
//! cases, each step one transaction with the messages it causes (the outbox in
//! `outbound::notify`). Scheduled work lives in `jobs`. Time always comes from the
//! injected [`clock::Clock`].
pub mod cli;
pub mod clock;
pub mod db;
pub mod domain;
pub mod error;
pub mod fakes;
pub mod flows;
pub mod hashing;
pub mod i18n;
pub mod jobs;
pub mod outbound;
pub mod paths;
pub mod settings;
pub mod startup;
pub mod state;
pub mod web;
