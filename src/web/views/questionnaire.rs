//! The questionnaire's own pages for the person in Sweden: the way in from the
//! website (verification number + personal identity number), the page the emailed
//! link opens, and where they land before and after answering. The questions
//! themselves are the application pages (`views::apply`, `views::review`).
use maud::{html, Markup};

use super::components::{error_summary, notice_for, post_form, submit, Field, FormErrors, Notice};
use super::layout::page;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

/// The way in for the person in Sweden who lost (or never got) the emailed link:
/// on the start page and the technical support page.
/// (The caller gives the heading, `questionnaire.entry.title`, at its level.)
pub fn entry(ctx: &Ctx) -> Markup {
    html! {
        p { (h!(ctx, "questionnaire.entry.text")) }
        p { a.button.button-secondary href=(paths::QUESTIONNAIRE) { (h!(ctx, "questionnaire.entry.button")) } }
        (terms(ctx))
    }
}

/// The terms the person accepts by logging in, as the agency's pages put it.
fn terms(ctx: &Ctx) -> Markup {
    html! {
        p.terms {
            (h!(ctx, "questionnaire.terms")) " "
            a href=(paths::TERMS) { (h!(ctx, "questionnaire.terms_link")) }
        }
    }
}

/// From the website: the person in Sweden logs in with e-identification; once
/// identified (`identified`: their name), the family member's verification number.
pub fn start(
    ctx: &Ctx,
    errors: &FormErrors,
    number: &str,
    identified: Option<&str>,
    choices: Markup,
    n: Notice,
) -> Markup {
    page(
        ctx,
        h!(ctx, "questionnaire.start.title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "questionnaire.start.title")) }
            @if let Some(name) = identified {
                p.lead { (ctx.tf("questionnaire.start.logged_in_as", &[("name", name)])) }
                (post_form(ctx, paths::QUESTIONNAIRE, "stack", html! {
                    (Field::new("verification", h!(ctx, "questionnaire.start.verification"), "text").hint(h!(ctx, "questionnaire.start.verification_hint")).value(number).render(errors))
                    (submit(h!(ctx, "questionnaire.start.start")))
                }))
            } @else {
                p.lead { (h!(ctx, "questionnaire.start.lead")) }
                p { (h!(ctx, "questionnaire.start.identify")) }
                (terms(ctx))
                (choices)
            }
        },
    )
}

/// What the emailed link opens: one button, so that a mail scanner following the
/// link starts nothing.
pub fn link(ctx: &Ctx, token: &str) -> Markup {
    page(
        ctx,
        h!(ctx, "questionnaire.start.title"),
        html! {
            h1 { (h!(ctx, "questionnaire.start.title")) }
            p.lead { (h!(ctx, "questionnaire.link.lead")) }
            (post_form(ctx, paths::QUESTIONNAIRE_LINK, "stack", html! {
                input type="hidden" name="token" value=(token);
                (terms(ctx))
                (submit(h!(ctx, "questionnaire.start.submit")))
            }))
        },
    )
}

/// A link that is not (or no longer) the current one.
pub fn link_gone(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "questionnaire.gone.title"),
        html! {
            h1 { (h!(ctx, "questionnaire.gone.title")) }
            p { (h!(ctx, "questionnaire.gone.text")) }
            p { a href=(paths::QUESTIONNAIRE) { (h!(ctx, "questionnaire.gone.website")) } }
        },
    )
}

/// The person in Sweden's own start: continue, or the thanks once answered.
pub fn status(ctx: &Ctx, answered: bool, continue_to: &str, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "questionnaire.status.title"),
        html! {
            (notice_for(ctx, n))
            h1 { (h!(ctx, "questionnaire.status.title")) }
            @if answered {
                p.answered { (h!(ctx, "questionnaire.status.answered")) }
            } @else {
                p { (h!(ctx, "questionnaire.status.lead")) }
                p { a.button href=(super::components::Attr(continue_to)) { (h!(ctx, "questionnaire.status.continue")) } }
            }
        },
    )
}
