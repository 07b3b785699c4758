//! The start page: what the service is, log in, create an account.
use maud::{html, Markup};

use super::components::notice;
use super::layout::page;
use crate::security::Ctx;

pub fn start(ctx: &Ctx, logged_out: bool) -> Markup {
    page(
        ctx,
        ctx.t("home.title"),
        html! {
            @if logged_out {
                (notice("success", html! { p { (ctx.t("home.logged_out")) } }))
            }
            h1 { (ctx.t("home.title")) }
            p.lead { (ctx.t("home.lead")) }
            div.cards {
                section.card {
                    h2 { (ctx.t("home.login.title")) }
                    p { (ctx.t("home.login.text")) }
                    @if ctx.account().is_some() {
                        a.button href="/account" { (ctx.t("nav.my_page")) }
                    } @else {
                        a.button href="/login" { (ctx.t("home.login.button")) }
                    }
                }
                section.card {
                    h2 { (ctx.t("home.create.title")) }
                    p { (ctx.t("home.create.text")) }
                    a.button.button-secondary href="/account/create" { (ctx.t("home.create.button")) }
                }
            }
            h2 { (ctx.t("home.how.title")) }
            ol.steps {
                li { (ctx.t("home.how.step1")) }
                li { (ctx.t("home.how.step2")) }
                li { (ctx.t("home.how.step3")) }
            }
            p { a href="/help/login" { (ctx.t("help.login.title")) } " · " a href="/help/support" { (ctx.t("help.support.title")) } }
        },
    )
}
