//! My Page: the unfinished applications, the submitted ones with their status,
//! the receipts and the account's settings.
use std::sync::OnceLock;

use maud::{html, Markup};

use super::components::Tone;
use super::components::{notice, notice_for, post_form, submit, Attr, Field, FormErrors, Notice};
use super::layout::page;
use crate::domain::case::CaseStatus;
use crate::domain::date::Date;
use crate::domain::session::Assurance;
use crate::h;
use crate::i18n::{self, Escaped};
use crate::paths;
use crate::web::guard::Ctx;

pub struct Overview<'a> {
    pub email: &'a str,
    pub masked_phone: Option<String>,
    /// The personal identity number the account is linked to, as people write it.
    pub linked_pin: Option<String>,
    pub assurance: Assurance,
    pub drafts: Vec<DraftRow>,
    pub cases: Vec<CaseRow<'a>>,
    /// Shown with two-step verification only.
    pub receipts: Vec<ReceiptRow>,
}

/// A submitted application in My Page's list: borrowed from the case as read and
/// the form catalog, so a row costs no string of its own.
pub struct CaseRow<'a> {
    pub title: &'a str,
    pub verification: &'a str,
    pub submitted: Date,
    pub status: CaseStatus,
}

pub struct ReceiptRow {
    pub title: String,
    pub verification: String,
    pub paid: String,
    pub amount: String,
    pub href: String,
}

/// An unfinished application in My Page's list.
pub struct DraftRow {
    pub title: String,
    pub started: String,
    pub deleted_on: String,
    pub href: String,
    /// Approved, with the fee not yet paid.
    pub awaiting_payment: bool,
}

pub fn overview(ctx: &Ctx, o: &Overview, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "account.page.title"),
        html! {
            (notice_for(ctx, n))
            h1 { (h!(ctx, "account.page.title")) }
            @if o.assurance < Assurance::Substantial {
                (notice(Tone::Info, html! { p { (h!(ctx, "account.page.more_with_two_step")) } }))
            }
            h2 { (h!(ctx, "apply.drafts")) }
        @if o.drafts.is_empty() {
            p { (h!(ctx, "account.page.no_cases")) }
        } @else {
            table.drafts {
                thead { tr {
                    th scope="col" { (h!(ctx, "apply.draft_application")) }
                    th scope="col" { (h!(ctx, "apply.draft_started")) }
                    th scope="col" { (h!(ctx, "apply.draft_deleted_on")) }
                    th scope="col" { span.visually-hidden { (h!(ctx, "apply.continue")) } }
                } }
                tbody {
                    @for d in &o.drafts {
                        tr {
                            td { (d.title) }
                            td.date data-label=(h!(ctx, "apply.draft_started")) { (d.started) }
                            @if d.awaiting_payment {
                                td data-label=(h!(ctx, "apply.draft_deleted_on")) { (h!(ctx, "payment.awaiting")) }
                            } @else {
                                td.date data-label=(h!(ctx, "apply.draft_deleted_on")) { (d.deleted_on) }
                            }
                            td {
                                a href=(Attr(&d.href)) {
                                    @if d.awaiting_payment { (h!(ctx, "payment.pay")) } @else { (h!(ctx, "apply.continue")) }
                                    span.visually-hidden { " " (d.title) }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { a.button href=(paths::APPLICATIONS_NEW) { (h!(ctx, "apply.new")) } }
        (case_list(ctx, &o.cases))
        @if o.assurance >= Assurance::Substantial {
            (receipt_list(ctx, &o.receipts))
        }
        h2 { (h!(ctx, "account.page.settings")) }
            dl.summary-list {
                div {
                    dt { (h!(ctx, "account.page.email")) }
                    dd { (o.email) " " a href=(paths::ACCOUNT_EMAIL) { (h!(ctx, "account.page.change")) span.visually-hidden { " " (h!(ctx, "account.page.email")) } } }
                }
                div {
                    dt { (h!(ctx, "account.page.password")) }
                    dd { a href=(paths::ACCOUNT_PASSWORD) { (h!(ctx, "account.password.title")) } }
                }
                div {
                    dt { (h!(ctx, "account.page.two_step")) }
                    dd {
                        @if let Some(phone) = &o.masked_phone {
                            (ctx.tf("account.page.two_step_on", &[("phone", phone)])) " "
                            a href=(paths::ACCOUNT_TWO_STEP_OFF) { (h!(ctx, "account.two_step.turn_off")) }
                        } @else {
                            (h!(ctx, "account.page.two_step_off")) " "
                            a href=(paths::ACCOUNT_TWO_STEP) { (h!(ctx, "account.two_step.turn_on")) }
                        }
                    }
                }
                div {
                    dt { (h!(ctx, "account.sessions.title")) }
                    dd { a href=(paths::ACCOUNT_SESSIONS) { (h!(ctx, "account.sessions.link")) } }
                }
                div {
                    dt { (h!(ctx, "eid.link.linked_to")) }
                    dd {
                        @if let Some(pin) = &o.linked_pin {
                            span.linked-pin { (pin) }
                            details.unlink {
                                summary { (h!(ctx, "eid.link.remove")) }
                                (post_form(ctx, paths::ACCOUNT_UNLINK, "stack", html! {
                                    (Field::new("password", h!(ctx, "login.password"), "password").hint(h!(ctx, "eid.link.remove_hint")).autocomplete("current-password").render(&FormErrors::default()))
                                    (submit(h!(ctx, "eid.link.remove")))
                                }))
                            }
                        } @else {
                            (h!(ctx, "eid.link.none"))
                        }
                    }
                }
            }
        },
    )
}

/// A status's name, explanation and next step in the page's language, each looked
/// up in the catalog once (My Page shows them for every case).
fn status_texts(ctx: &Ctx, status: CaseStatus) -> [Escaped; 3] {
    static TEXTS: OnceLock<Vec<[[Escaped; 2]; 3]>> = OnceLock::new();
    let all = TEXTS.get_or_init(|| {
        CaseStatus::ALL
            .iter()
            .map(|s| s.keys().map(i18n::both))
            .collect()
    });
    let at = CaseStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or_default();
    all[at].map(|both| i18n::pick(&both, ctx.lang()))
}

/// Submitted applications with their status, what it means and what comes next.
fn case_list(ctx: &Ctx, cases: &[CaseRow]) -> Markup {
    html! {
        h2 { (h!(ctx, "cases.title")) }
        @if cases.is_empty() {
            p { (h!(ctx, "cases.none")) }
        } @else {
            ul.case-list {
                @for c in cases {
                    @let [name, explain, next] = status_texts(ctx, c.status);
                    li.case {
                        // The link spliced, not made: a string per case took a seventh of the view.
                        h3 { a href={ (paths::CASE_PREFIX) (Attr(c.verification)) } { (Attr(c.title)) } }
                        dl.summary-list {
                            div { dt { (h!(ctx, "cases.verification")) } dd.verification-number { (Attr(c.verification)) } }
                            div { dt { (h!(ctx, "cases.submitted")) } dd { (c.submitted) } }
                            div { dt { (h!(ctx, "cases.status")) } dd { strong.status-tag { (name) } " " (explain) } }
                            div { dt { (h!(ctx, "cases.next")) } dd { (next) } }
                        }
                    }
                }
            }
        }
    }
}

pub fn receipt_list(ctx: &Ctx, receipts: &[ReceiptRow]) -> Markup {
    html! {
        h2 { (h!(ctx, "receipts.title")) }
        @if receipts.is_empty() {
            p { (h!(ctx, "receipts.none")) }
        } @else {
            table.receipts {
                thead { tr {
                    th scope="col" { (h!(ctx, "receipt.application")) }
                    th scope="col" { (h!(ctx, "receipt.verification")) }
                    th scope="col" { (h!(ctx, "receipt.date")) }
                    th scope="col" { (h!(ctx, "receipt.amount")) }
                    th scope="col" { span.visually-hidden { (h!(ctx, "receipt.title")) } }
                } }
                tbody {
                    @for r in receipts {
                        tr {
                            td { (r.title) }
                            td { (r.verification) }
                            td { (r.paid) }
                            td { (r.amount) }
                            td { a href=(Attr(&r.href)) { (h!(ctx, "receipt.title")) span.visually-hidden { " " (r.verification) } } }
                        }
                    }
                }
            }
        }
    }
}
