//! The start page: what the service is, log in, create an account.
use maud::{html, Markup};

use super::components::notice;
use super::components::Tone;
use super::layout::page;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub fn start(ctx: &Ctx, forms: &crate::domain::forms::Forms, logged_out: bool) -> Markup {
    page(
        ctx,
        h!(ctx, "home.title"),
        html! {
            @if logged_out {
                (notice(Tone::Success, html! { p { (h!(ctx, "home.logged_out")) } }))
            }
            h1 { (h!(ctx, "home.title")) }
            p.lead { (h!(ctx, "home.lead")) }
            div.cards {
                section.card {
                    h2 { (h!(ctx, "home.login.title")) }
                    p { (h!(ctx, "home.login.text")) }
                    @if ctx.account().is_some() {
                        a.button href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) }
                    } @else {
                        a.button href=(paths::LOGIN) { (h!(ctx, "home.login.button")) }
                    }
                }
                section.card {
                    h2 { (h!(ctx, "home.create.title")) }
                    p { (h!(ctx, "home.create.text")) }
                    a.button.button-secondary href=(paths::ACCOUNT_CREATE) { (h!(ctx, "home.create.button")) }
                }
                section.card {
                    h2 { (h!(ctx, "questionnaire.entry.title")) }
                    (super::questionnaire::entry(ctx))
                }
            }
            h2 { (h!(ctx, "home.eid.title")) }
            p { (h!(ctx, "home.eid.text")) }
            h2 { (h!(ctx, "home.types.title")) }
            ul.types {
                @for form in forms.iter().filter(|f| f.kind == crate::domain::forms::FormKind::Application) {
                    li { (form.title.get(ctx.lang())) }
                }
            }
            h2 { (h!(ctx, "home.how.title")) }
            ol.steps {
                li { (h!(ctx, "home.how.step1")) }
                li { (h!(ctx, "home.how.step2")) }
                li { (h!(ctx, "home.how.step3")) }
            }
            p { a href=(paths::HELP_LOGIN) { (h!(ctx, "help.login.title")) } " · " a href=(paths::HELP_SUPPORT) { (h!(ctx, "help.support.title")) } }
        },
    )
}
