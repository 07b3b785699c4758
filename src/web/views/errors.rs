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
