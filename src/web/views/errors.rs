//! The error page for every 4xx/5xx, in the person's language, with no internals.
use actix_web::http::StatusCode;
use maud::{html, Markup};

use super::layout::page;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub fn error_page(ctx: &Ctx, status: StatusCode) -> Markup {
    let key = match status.as_u16() {
        400 => "bad_request",
        403 => "forbidden",
        404 | 405 => "not_found",
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

/// Refused uploads: the account has sent its photos' worth for a while. Says how
/// many minutes to wait (rounded up) and leads back to the page.
pub fn too_many_uploads(ctx: &Ctx, wait_seconds: i64, back: &str) -> Markup {
    let minutes = ((wait_seconds + 59) / 60).max(1).to_string();
    let title = ctx.h("error_page.too_many_uploads.title");
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (ctx.tf("error_page.too_many_uploads.text", &[("minutes", &minutes)])) }
            p { a href=(back) { (h!(ctx, "error_page.too_many_uploads.back")) } }
        },
    )
}
