//! Kansli: a self-hosted e-service portal for permit applications.
//!
//! `web` is the HTTP edge: a handler extracts the request, parses it into
//! `domain` types, calls `flows` and renders the outcome with `web::views`
//! (or redirects with 303). Flows are the use cases: each public function is one
//! step a person takes, in one transaction with the messages it causes (queued
//! through `outbound::notify`). Scheduled work lives in `jobs`. Time always comes
//! from the injected [`clock::Clock`].
//!
//! # Rules that keep it clean
//!
//! `tests/api/structure.rs` checks the ones marked (checked).
//!
//! 1. Imports go down only (checked): main → cli → startup → fakes →
//!    {web, jobs} → flows → state → {outbound, hashing} → db →
//!    {domain, settings, paths, i18n, clock, error, metrics, listener}.
//! 2. Nothing under flows/, outbound/, db/, domain/, hashing/, state.rs or hashing.rs names
//!    actix, maud or crate::web (checked). The one exception is
//!    `outbound/notify/emails.rs`, which writes an email's HTML part with maud.
//! 3. A handler area (a file, or a folder under web/handlers/) never imports
//!    another (checked); what several share lives in web/forms.rs, web/guard/
//!    or web/respond.rs.
//! 4. Only startup.rs names crate::fakes (checked).
//! 5. Only db/ holds SQL (checked for the usual statements; a fake's own
//!    `store.rs` keeps its tables). Only paths.rs spells a URL of the site (checked
//!    for string literals; the route table in web/mod.rs holds the patterns that
//!    match them).
//! 6. A message is queued only through the `Outbox` that
//!    `Delivery::write_and_send` opens, which wakes the sender after the commit:
//!    `enqueue` takes an `Outbox`, and the structure test checks that nothing
//!    else in the crate calls its `pub(crate)` constructor.
//! 7. A handler makes flow calls, not database calls (checked). Flows return
//!    outcome enums, never HTML or cookies; the links they put in emails come
//!    from paths.rs.
//! 8. Each rule's number (30 minutes, 14 days) lives in exactly one place,
//!    most of them in `domain::rules`.
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
pub mod listener;
pub mod metrics;
pub mod outbound;
pub mod paths;
pub mod settings;
pub mod startup;
pub mod state;
pub mod web;
