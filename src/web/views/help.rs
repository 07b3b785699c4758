//! Help pages adapted from the agency's own: how to log in, technical support,
//! and why a forgotten username cannot be looked up.
use maud::{html, Markup};

use super::layout::page;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

/// A section: a heading and paragraphs, all catalog keys.
pub(super) fn section(ctx: &Ctx, title: &str, paragraphs: &[&str]) -> Markup {
    section_at(ctx, 2, title, paragraphs)
}

/// A section whose heading is at `level` (2 or 3: a question under a heading).
fn section_at(ctx: &Ctx, level: u8, title: &str, paragraphs: &[&str]) -> Markup {
    html! {
        section.help-section {
            @if level == 3 { h3 { (ctx.h(title)) } } @else { h2 { (ctx.h(title)) } }
            @for p in paragraphs { p { (ctx.h(p)) } }
        }
    }
}

pub fn how_to_log_in(ctx: &Ctx, professional: &super::eid::ProfessionalHelp) -> Markup {
    page(
        ctx,
        h!(ctx, "help.login.title"),
        html! {
            h1 { (h!(ctx, "help.login.title")) }
            p.lead { (h!(ctx, "help.login.lead")) }
            (section(ctx, "help.login.order.title", &["help.login.order.p1"]))
            (section(ctx, "help.login.eid.title", &["help.login.eid.what", "help.login.eid.p1", "help.login.eid.p2", "help.login.eid.get", "help.login.eid.p3", "help.login.eid.telia_cards"]))
            (section(ctx, "help.login.password.title", &["help.login.password.p1", "help.login.password.p2"]))
            section.help-section {
                h2 { (h!(ctx, "help.login.two_step.title")) }
                p { (h!(ctx, "help.login.two_step.p1")) }
                ul {
                    li { (h!(ctx, "help.login.two_step.know")) }
                    li { (h!(ctx, "help.login.two_step.have")) }
                }
                p { (h!(ctx, "help.login.two_step.p2")) }
                p { (h!(ctx, "help.login.two_step.p3")) }
            }
            (section(ctx, "help.login.professional.title", &["help.login.professional.p1"]))
            (super::eid::professional_checklist(ctx, professional))
            (section(ctx, "help.login.logout.title", &["help.login.logout.p1", "help.login.logout.p2"]))
            p { a.button href=(paths::LOGIN) { (h!(ctx, "home.login.button")) } }
        },
    )
}

pub fn technical_support(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "help.support.title"),
        html! {
            h1 { (h!(ctx, "help.support.title")) }
            p.lead { (h!(ctx, "help.support.lead")) }
            (section(ctx, "help.support.cookies.title", &["help.support.cookies.p1", "help.support.cookies.p2"]))
            (section(ctx, "help.support.network.title", &["help.support.network.p1"]))
            (section(ctx, "help.support.reload.title", &["help.support.reload.p1"]))
            section.help-section {
                h2 { (h!(ctx, "help.support.apply.title")) }
                ul {
                    li { (h!(ctx, "help.support.apply.account")) }
                    li { (h!(ctx, "help.support.apply.email")) }
                    li { (h!(ctx, "help.support.apply.time")) }
                    li { (h!(ctx, "help.support.apply.buttons")) }
                    li { (h!(ctx, "help.support.apply.continue")) }
                    li { (h!(ctx, "help.support.apply.password")) }
                    li { (h!(ctx, "help.support.apply.approve")) }
                }
            }
            h2 { (h!(ctx, "help.support.faq.title")) }
            (section_at(ctx, 3, "help.support.faq.email.title", &["help.support.faq.email.p1", "help.support.faq.email.p2", "help.support.faq.email.p3"]))
            (section_at(ctx, 3, "help.support.faq.received.title", &["help.support.faq.received.p1", "help.support.faq.received.p2", "help.support.faq.received.p3"]))
            section.help-section.question {
                h3 { (h!(ctx, "help.support.faq.questionnaire.title")) }
                p { (h!(ctx, "help.support.faq.questionnaire.p1")) }
                h4 { (h!(ctx, "questionnaire.entry.title")) }
                (super::questionnaire::entry(ctx))
            }
            (section_at(ctx, 3, "help.support.faq.supplement.title", &["help.support.faq.supplement.p1"]))
            (section_at(ctx, 3, "help.support.faq.pin.title", &["help.support.faq.pin.p1"]))
            (section_at(ctx, 3, "help.support.faq.card.title", &["help.support.faq.card.p1"]))
            (section(ctx, "help.support.sms.title", &["help.support.sms.p1", "help.support.sms.p2", "help.support.sms.p3"]))
            (section(ctx, "help.support.phone.title", &["help.support.phone.p1", "help.support.phone.p2"]))
            (section(ctx, "help.support.username.title", &["username.p1"]))
            (section(ctx, "help.support.close.title", &["help.support.close.p1", "help.support.close.p2"]))
            (section(ctx, "help.support.contact.title", &["help.support.contact.p1"]))
        },
    )
}

pub fn forgot_username(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "username.title"),
        html! {
            h1 { (h!(ctx, "username.title")) }
            p { (h!(ctx, "username.p1")) }
            p { (h!(ctx, "username.p2")) }
            p { (h!(ctx, "username.p3")) }
            p.actions {
                a.button href=(paths::LOGIN) { (h!(ctx, "home.login.button")) }
                " "
                a.button.button-secondary href=(paths::ACCOUNT_CREATE) { (h!(ctx, "home.create.button")) }
            }
        },
    )
}

/// The terms of use a person accepts by logging in.
pub fn terms(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "terms.title"),
        html! {
            h1 { (h!(ctx, "terms.title")) }
            (section(ctx, "terms.use.title", &["terms.use.p1", "terms.use.p2"]))
            (section(ctx, "terms.login.title", &["terms.login.p1", "terms.login.p2"]))
            (section(ctx, "terms.data.title", &["terms.data.p1", "terms.data.p2"]))
            (section(ctx, "terms.availability.title", &["terms.availability.p1"]))
        },
    )
}
