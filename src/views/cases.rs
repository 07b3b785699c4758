//! One submitted application: its status, what it means, what comes next, and
//! every status it has had. Answers, documents and the receipt are linked for a
//! login with two-step verification.
use maud::{html, Markup};

use super::components::{notice, Attr};
use super::layout::page;
use crate::db::cases::Case;
use crate::domain::case::CaseStatus;
use crate::domain::date::Date;
use crate::domain::forms::FormDef;
use crate::h;
use crate::security::Ctx;

pub fn case_page(
    ctx: &Ctx,
    form: &FormDef,
    case: &Case,
    history: &[(CaseStatus, i64)],
    more: bool,
) -> Markup {
    let [name, explain, next] = case.status.keys();
    page(
        ctx,
        form.title.get(ctx.lang()),
        html! {
            p.caption { (h!(ctx, "cases.title")) }
            h1 { (form.title.get(ctx.lang())) }
            dl.summary-list {
                div { dt { (h!(ctx, "cases.verification")) } dd.verification-number { (case.verification) } }
                div { dt { (h!(ctx, "cases.submitted")) } dd { (Date::from_unix(case.submitted_at).to_string()) } }
                div { dt { (h!(ctx, "cases.status")) } dd { strong.status-tag { (ctx.h(name)) } " " (ctx.h(explain)) } }
                div { dt { (h!(ctx, "cases.next")) } dd { (ctx.h(next)) } }
            }
            h2 { (h!(ctx, "cases.history")) }
            ol.history {
                @for (status, at) in history {
                    li { (Date::from_unix(*at).to_string()) ": " (ctx.h(status.keys()[0])) }
                }
            }
            @if more {
                ul.link-list {
                    li { a href=(Attr(&crate::apply::review_path(&case.draft_reference))) { (h!(ctx, "cases.answers")) } }
                    li { a href=(Attr(&crate::routes::receipt_path(&case.payment_reference))) { (h!(ctx, "receipt.title")) } }
                }
            } @else {
                (notice("info", html! { p { (h!(ctx, "account.page.more_with_two_step")) } }))
            }
            p { a href="/account" { (h!(ctx, "nav.my_page")) } }
        },
    )
}
