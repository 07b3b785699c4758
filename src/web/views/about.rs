//! What a public e-service must tell everyone: how to reach the organisation,
//! the accessibility statement (lag 2018:1937, in the shape the Agency for
//! Digital Government asks for), the privacy notice (GDPR articles 13–14, with
//! the retention that Kansli enforces) and the cookies it sets.
use maud::{html, Markup};

use super::help::section;
use super::layout::page;
use crate::domain::forms::{FormDef, FormKind};
use crate::h;
use crate::settings::{ContactSettings, Retention};
use crate::web::guard::Ctx;

/// A phone number as a `tel:` link: digits and a leading plus only.
fn tel(number: &str) -> String {
    let digits: String = number
        .chars()
        .enumerate()
        .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
        .map(|(_, c)| c)
        .collect();
    format!("tel:{digits}")
}

pub fn contact(ctx: &Ctx, c: &ContactSettings) -> Markup {
    page(
        ctx,
        h!(ctx, "contact_page.title"),
        html! {
            h1 { (h!(ctx, "contact_page.title")) }
            p.lead { (h!(ctx, "contact_page.lead")) }
            section.help-section {
                h2 { (h!(ctx, "contact_page.phone.title")) }
                p.contact-line { a href=(tel(&c.phone)) { (c.phone) } }
                p { (h!(ctx, "contact_page.phone.p1")) }
                p { (h!(ctx, "contact_page.phone.p2")) }
            }
            section.help-section {
                h2 { (h!(ctx, "contact_page.email.title")) }
                p.contact-line { a href={ "mailto:" (c.email) } { (c.email) } }
                p { (h!(ctx, "contact_page.email.p1")) }
            }
            section.help-section {
                h2 { (h!(ctx, "contact_page.post.title")) }
                p.contact-line { (c.postal_address) }
                p { (h!(ctx, "contact_page.post.p1")) }
            }
            section.help-section {
                h2 { (h!(ctx, "contact_page.organisation.title")) }
                dl.facts {
                    dt { (h!(ctx, "contact_page.organisation.name")) } dd { (c.organisation_name) }
                    dt { (h!(ctx, "contact_page.organisation.number")) } dd { (c.organisation_number) }
                }
            }
        },
    )
}

pub fn accessibility(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "accessibility.title"),
        html! {
            h1 { (h!(ctx, "accessibility.title")) }
            p.lead { (h!(ctx, "accessibility.lead")) }
            (section(ctx, "accessibility.status.title", &["accessibility.status.p1"]))
            (section(ctx, "accessibility.help.title", &["accessibility.help.p1"]))
            (section(ctx, "accessibility.report.title", &["accessibility.report.p1"]))
            section.help-section {
                h2 { (h!(ctx, "accessibility.supervision.title")) }
                p { (h!(ctx, "accessibility.supervision.p1")) }
                p { a href="https://www.digg.se/tdosanmalan" { (h!(ctx, "accessibility.supervision.link")) } }
            }
            section.help-section {
                h2 { (h!(ctx, "accessibility.known.title")) }
                p { (h!(ctx, "accessibility.known.p1")) }
                ul {
                    li { (h!(ctx, "accessibility.known.qr")) }
                    li { (h!(ctx, "accessibility.known.photos")) }
                    li { (h!(ctx, "accessibility.known.provider")) }
                    li { (h!(ctx, "accessibility.known.timer")) }
                }
            }
            (section(ctx, "accessibility.tested.title", &["accessibility.tested.p1", "accessibility.tested.p2"]))
        },
    )
}

/// The privacy notice: the retention shown is the retention enforced.
pub fn privacy(ctx: &Ctx, forms: &[FormDef], keep: Retention) -> Markup {
    let days = |seconds: i64| seconds / crate::domain::rules::DAY;
    let unpaid = days(crate::domain::rules::APPROVED_UNPAID_LIFETIME);
    let unconfirmed = days(crate::domain::rules::UNCONFIRMED_ACCOUNT_LIFETIME);
    page(
        ctx,
        h!(ctx, "privacy.title"),
        html! {
            h1 { (h!(ctx, "privacy.title")) }
            p.lead { (h!(ctx, "privacy.lead")) }
            (section(ctx, "privacy.controller.title", &["privacy.controller.p1"]))
            section.help-section {
                h2 { (h!(ctx, "privacy.what.title")) }
                ul {
                    li { (h!(ctx, "privacy.what.account")) }
                    li { (h!(ctx, "privacy.what.application")) }
                    li { (h!(ctx, "privacy.what.payment")) }
                    li { (h!(ctx, "privacy.what.log")) }
                    li { (h!(ctx, "privacy.what.messages")) }
                    li { (h!(ctx, "privacy.what.signature")) }
                }
            }
            (section(ctx, "privacy.why.title", &["privacy.why.p1", "privacy.why.p2"]))
            section.help-section {
                h2 { (h!(ctx, "privacy.how_long.title")) }
                ul {
                    li { (ctx.plural("privacy.how_long.unconfirmed", unconfirmed, &[("days", &unconfirmed.to_string())])) }
                    @for form in forms.iter().filter(|f| f.kind == FormKind::Application) {
                        li { (ctx.plural("privacy.how_long.draft", form.lifetime_days, &[("type", form.title.get(ctx.lang())), ("days", &form.lifetime_days.to_string())])) }
                    }
                    li { (ctx.plural("privacy.how_long.unpaid", unpaid, &[("days", &unpaid.to_string())])) }
                    li { (h!(ctx, "privacy.how_long.cases")) }
                    li { (ctx.plural("privacy.how_long.messages", days(keep.outbox), &[("days", &days(keep.outbox).to_string())])) }
                    li { (ctx.plural("privacy.how_long.log", days(keep.audit), &[("days", &days(keep.audit).to_string())])) }
                    li { (h!(ctx, "privacy.how_long.account")) }
                }
            }
            (section(ctx, "privacy.shared.title", &["privacy.shared.p1"]))
            (section(ctx, "privacy.rights.title", &["privacy.rights.p1", "privacy.rights.p2"]))
            section.help-section {
                h2 { (h!(ctx, "privacy.complaint.title")) }
                p { (h!(ctx, "privacy.complaint.p1")) }
                p { a href="https://www.imy.se" { (h!(ctx, "privacy.complaint.link")) } }
            }
        },
    )
}

/// The cookies Kansli sets: each strictly necessary, so no consent is asked for.
pub fn cookies(ctx: &Ctx, names: [&str; 4]) -> Markup {
    let rows = [
        ("cookies.session.purpose", "cookies.session.lasts"),
        ("cookies.csrf.purpose", "cookies.csrf.lasts"),
        ("cookies.lang.purpose", "cookies.lang.lasts"),
        ("cookies.eid.purpose", "cookies.eid.lasts"),
    ];
    page(
        ctx,
        h!(ctx, "cookies.title"),
        html! {
            h1 { (h!(ctx, "cookies.title")) }
            p.lead { (h!(ctx, "cookies.lead")) }
            div.table-wrap {
                table.cookies {
                    caption { (h!(ctx, "cookies.caption")) }
                    thead { tr {
                        th scope="col" { (h!(ctx, "cookies.name")) }
                        th scope="col" { (h!(ctx, "cookies.purpose")) }
                        th scope="col" { (h!(ctx, "cookies.lasts")) }
                    } }
                    tbody {
                        @for (name, (purpose, lasts)) in names.iter().zip(rows) {
                            tr {
                                th scope="row" { code { (name) } }
                                td { (ctx.h(purpose)) }
                                td { (ctx.h(lasts)) }
                            }
                        }
                    }
                }
            }
            (section(ctx, "cookies.consent.title", &["cookies.consent.p1", "cookies.consent.p2"]))
        },
    )
}
