//! The start page: what the service is, log in, create an account.
use maud::{html, Markup};

use super::components::notice;
use super::layout::page;
use crate::security::Ctx;

pub fn start(ctx: &Ctx, logged_out: bool) -> Markup {
    page(
        ctx,
        ctx.h("home.title"),
        html! {
            @if logged_out {
                (notice("success", html! { p { (ctx.h("home.logged_out")) } }))
            }
            h1 { (ctx.h("home.title")) }
            p.lead { (ctx.h("home.lead")) }
            div.cards {
                section.card {
                    h2 { (ctx.h("home.login.title")) }
                    p { (ctx.h("home.login.text")) }
                    @if ctx.account().is_some() {
                        a.button href="/account" { (ctx.h("nav.my_page")) }
                    } @else {
                        a.button href="/login" { (ctx.h("home.login.button")) }
                    }
                }
                section.card {
                    h2 { (ctx.h("home.create.title")) }
                    p { (ctx.h("home.create.text")) }
                    a.button.button-secondary href="/account/create" { (ctx.h("home.create.button")) }
                }
            }
            h2 { (ctx.h("home.how.title")) }
            ol.steps {
                li { (ctx.h("home.how.step1")) }
                li { (ctx.h("home.how.step2")) }
                li { (ctx.h("home.how.step3")) }
            }
            p { a href="/help/login" { (ctx.h("help.login.title")) } " · " a href="/help/support" { (ctx.h("help.support.title")) } }
        },
    )
}
