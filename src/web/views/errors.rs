//! The error page for every 4xx/5xx, in the person's language, with no internals.
use actix_web::http::StatusCode;
use maud::{html, Markup};

use std::collections::BTreeMap;

use super::layout::page;
use crate::domain::forms::Forms;
use crate::domain::rules::{APPROVED_UNPAID_LIFETIME, DAY};
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub fn error_page(ctx: &Ctx, status: StatusCode) -> Markup {
    let key = match status.as_u16() {
        400 => "bad_request",
        // A form refused because the browser sent no cookies at all.
        403 if ctx.cookieless => "cookies_needed",
        403 => "forbidden",
        404 | 405 => "not_found",
        410 => "draft_gone",
        413 => "too_large",
        429 => "too_many",
        503 => "busy",
        _ => "internal",
    };
    let title = ctx.h(&format!("error_page.{key}.title"));
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.h(&format!("error_page.{key}.text"))) }
            p { a href=(paths::HOME) { (h!(ctx, "error_page.home")) } }
        },
    )
}

/// An application's address that leads nowhere any more: how long unfinished
/// and unpaid applications are kept, by type, and where to go instead.
pub fn draft_gone(ctx: &Ctx, forms: &Forms) -> Markup {
    let mut by_lifetime: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for form in forms.iter() {
        by_lifetime
            .entry(form.lifetime_days)
            .or_default()
            .push(form.title.get(ctx.lang()));
    }
    let unpaid_days = (APPROVED_UNPAID_LIFETIME / DAY).to_string();
    let title = ctx.h("error_page.draft_gone.title");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (h!(ctx, "error_page.draft_gone.lead")) }
            ul {
                @for (days, titles) in by_lifetime.iter().rev() {
                    li { (titles.join(", ")) ": " (ctx.plural("error_page.draft_gone.after", *days, &[("days", &days.to_string())])) }
                }
            }
            p { (ctx.plural("error_page.draft_gone.unpaid", APPROVED_UNPAID_LIFETIME / DAY, &[("days", &unpaid_days)])) }
            p { (h!(ctx, "error_page.draft_gone.submitted")) }
            ul.link-list {
                li { a href=(paths::APPLICATIONS_NEW) { (h!(ctx, "error_page.draft_gone.start_new")) } }
                li { a href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) } }
            }
        },
    )
}

/// Refused uploads: the account has sent its photos' worth for a while. Says how
/// many minutes to wait (rounded up) and leads back to the page.
pub fn too_many_uploads(ctx: &Ctx, wait_seconds: i64, back: &str) -> Markup {
    let minutes = ((wait_seconds + 59) / 60).max(1);
    let title = ctx.h("error_page.too_many_uploads.title");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.plural("error_page.too_many_uploads.text", minutes, &[("minutes", &minutes.to_string())])) }
            p { a href=(back) { (h!(ctx, "error_page.too_many_uploads.back")) } }
        },
    )
}
