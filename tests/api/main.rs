//! Integration tests: the real app over HTTP, one SQLite file per test.
mod account;
mod apply;
mod casework;
mod eid;
mod eid_tls;
mod helpers;
mod jobs;
mod login;
mod messages;
mod my_page;
mod pages;
mod payments;
mod reset;
mod security;
mod settings;
mod staff;
mod two_step;
