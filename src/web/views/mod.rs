//! Every piece of HTML, written with maud: the layout, small components, and
//! one file per area. Text comes from the catalogs through `Ctx`.
pub mod about;
pub mod account;
pub mod apply;
pub mod assets;
pub mod case_archive;
pub mod cases;
pub mod casework;
pub mod components;
pub mod credentials;
pub mod eid;
pub mod errors;
pub mod help;
pub mod home;
pub mod layout;
pub mod login;
pub mod mailbox;
pub mod my_page;
pub mod payment;
pub mod questionnaire;
pub mod review;
pub mod staff;
pub mod support;
pub mod webhooks;
