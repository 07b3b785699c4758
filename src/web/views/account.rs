//! Creating and confirming an account, the account page, and two-step verification.
use std::sync::OnceLock;

use maud::{html, Markup};

use super::components::Tone;
use super::components::{
    code_field, countries_calling, error_summary, notice, notice_for, post_form, submit, tick_box,
    Attr, Field, FormErrors, Notice,
};
use super::layout::page;
use crate::domain::case::CaseStatus;
use crate::domain::date::Date;
use crate::domain::password::MIN_CHARS;
use crate::domain::session::Assurance;
use crate::h;
use crate::i18n::{self, Escaped};
use crate::paths;
use crate::web::guard::Ctx;

pub fn create_form(ctx: &Ctx, errors: &FormErrors, email: &str) -> Markup {
    let min = MIN_CHARS.to_string();
    page(
        ctx,
        h!(ctx, "account.create.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.create.title")) }
            p { (h!(ctx, "account.create.lead")) }
            (post_form(ctx, paths::ACCOUNT_CREATE, "stack", html! {
                (Field::new("email", h!(ctx, "login.email"), "email").hint(h!(ctx, "account.create.email_hint")).value(email).autocomplete("email").render(errors))
                (Field::new("password", h!(ctx, "account.create.password"), "password").hint(&ctx.tf("account.create.password_hint", &[("min", &min)])).autocomplete("new-password").render(errors))
                (Field::new("password_repeat", h!(ctx, "account.create.password_repeat"), "password").autocomplete("new-password").render(errors))
                (submit(h!(ctx, "account.create.submit")))
            }))
            p { (h!(ctx, "account.create.have_account")) " " a href=(paths::LOGIN) { (h!(ctx, "home.login.button")) } }
        },
    )
}

pub fn confirm_form(ctx: &Ctx, errors: &FormErrors, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "account.confirm.title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.confirm.title")) }
            p { (h!(ctx, "account.confirm.lead")) }
            @if let Some(address) = ctx.session.as_ref().and_then(|s| s.typed_email.as_deref()) {
                p.sent-to { (ctx.tf("account.confirm.sent_to", &[("email", address)])) }
                (post_form(ctx, paths::ACCOUNT_CONFIRM_RESTART, "secondary-action", html! {
                    button.link-button type="submit" { (h!(ctx, "account.confirm.restart")) }
                }))
            }
            p.hint { (h!(ctx, "account.confirm.spam")) }
            (post_form(ctx, paths::ACCOUNT_CONFIRM, "stack", html! {
                (code_field(ctx, errors, h!(ctx, "account.confirm.hint")))
                (submit(h!(ctx, "account.confirm.submit")))
            }))
            (post_form(ctx, paths::ACCOUNT_CONFIRM_RESEND, "secondary-action", html! {
                button.link-button type="submit" { (h!(ctx, "code.resend")) }
            }))
        },
    )
}

/// After confirmation: the account is ready; two-step verification is offered.
pub fn created(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "account.created.title"),
        html! {
            (notice(Tone::Success, html! { p { (h!(ctx, "account.created.done")) } }))
            h1 { (h!(ctx, "account.created.title")) }
            p { (h!(ctx, "account.two_step.explain")) }
            p { (h!(ctx, "account.two_step.sms_needed")) }
            p.actions {
                a.button href=(paths::ACCOUNT_TWO_STEP) { (h!(ctx, "account.two_step.turn_on")) }
                " "
                a.button.button-secondary href=(paths::ACCOUNT) { (h!(ctx, "account.created.skip")) }
            }
        },
    )
}

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

/// The phone number form. Before the first "Send code" it names the countries whose operators
/// often drop our texts (`unreliable`, calling codes), with the box a number from them needs.
pub fn phone_form(
    ctx: &Ctx,
    errors: &FormErrors,
    country: &str,
    phone: &str,
    unreliable: &[String],
    acknowledged: bool,
) -> Markup {
    let countries = countries_calling(ctx, unreliable);
    page(
        ctx,
        h!(ctx, "account.two_step.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.two_step.title")) }
            p { (h!(ctx, "account.two_step.explain")) }
            p { (h!(ctx, "account.two_step.sms_needed")) }
            (post_form(ctx, paths::ACCOUNT_TWO_STEP, "stack", html! {
                div.field {
                    label for="country" { (h!(ctx, "phone.country")) }
                    p.hint #country-hint { (h!(ctx, "phone.country_hint")) }
                    select #country name="country" aria-describedby="country-hint" autocomplete="tel-country-code" {
                        @for (iso, name, code) in super::components::countries_by_name(ctx) {
                            @if let Some(code) = code {
                                option value=(iso) selected[iso.eq_ignore_ascii_case(country) || code == country] { (name) " (" (code) ")" }
                            }
                        }
                    }
                }
                (Field::new("phone", h!(ctx, "phone.number"), "tel").hint(h!(ctx, "phone.number_hint")).value(phone).autocomplete("tel").render(errors))
                @if !countries.is_empty() {
                    (notice(Tone::Info, html! {
                        h2 { (h!(ctx, "phone.unreliable.title")) }
                        p { (ctx.tf("phone.unreliable.text", &[("countries", &countries)])) }
                        (tick_box("acknowledged", h!(ctx, "phone.unreliable.acknowledge"), acknowledged, errors))
                    }))
                }
                (Field::new("password", h!(ctx, "login.password"), "password").hint(h!(ctx, "account.two_step.password_hint")).autocomplete("current-password").render(errors))
                (submit(h!(ctx, "account.two_step.send_code")))
            }))
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.two_step.cancel")) } }
        },
    )
}

pub fn phone_verify(ctx: &Ctx, errors: &FormErrors, masked: &str, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "account.two_step.verify_title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.two_step.verify_title")) }
            p { (ctx.tf("account.two_step.verify_lead", &[("phone", masked)])) }
            (post_form(ctx, paths::ACCOUNT_TWO_STEP_VERIFY, "stack", html! {
                (code_field(ctx, errors, h!(ctx, "login.sms.hint")))
                (submit(h!(ctx, "account.two_step.verify_submit")))
            }))
            p { a href=(paths::ACCOUNT_TWO_STEP) { (h!(ctx, "account.two_step.other_number")) } }
        },
    )
}

/// With two-step verification on: the number is changed by support, not here.
pub fn phone_locked(ctx: &Ctx, masked: &str) -> Markup {
    page(
        ctx,
        h!(ctx, "account.two_step.locked_title"),
        html! {
            h1 { (h!(ctx, "account.two_step.locked_title")) }
            p { (ctx.tf("account.two_step.locked", &[("phone", masked)])) }
            p { a href=(paths::HELP_SUPPORT) { (h!(ctx, "account.two_step.locked_link")) } }
            p { (h!(ctx, "account.two_step.locked_off")) " " a href=(paths::ACCOUNT_TWO_STEP_OFF) { (h!(ctx, "account.two_step.off_title")) } }
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.two_step.cancel")) } }
        },
    )
}

/// The code sent to the current phone, to turn two-step verification off.
pub fn two_step_off_verify(ctx: &Ctx, errors: &FormErrors, masked: &str) -> Markup {
    page(
        ctx,
        h!(ctx, "account.two_step.off_verify_title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.two_step.off_verify_title")) }
            p { (ctx.tf("account.two_step.off_verify_lead", &[("phone", masked)])) }
            (post_form(ctx, paths::ACCOUNT_TWO_STEP_OFF_VERIFY, "stack", html! {
                (code_field(ctx, errors, h!(ctx, "login.sms.hint")))
                (submit(h!(ctx, "account.two_step.off_verify_submit")))
            }))
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.two_step.cancel")) } }
        },
    )
}

/// One of the account's sessions, as the list shows it.
pub struct SessionRow {
    pub handle: String,
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_active: String,
    pub current: bool,
}

/// Where the account is logged in: each session, and logging out any or all others.
pub fn sessions_page(ctx: &Ctx, rows: &[SessionRow], ended: bool) -> Markup {
    page(
        ctx,
        h!(ctx, "account.sessions.title"),
        html! {
            @if ended {
                (notice(Tone::Success, html! { p { (h!(ctx, "account.sessions.ended")) } }))
            }
            h1 { (h!(ctx, "account.sessions.title")) }
            p { (h!(ctx, "account.sessions.lead")) }
            table.sessions {
                thead { tr {
                    th scope="col" { (h!(ctx, "account.sessions.device")) }
                    th scope="col" { (h!(ctx, "account.sessions.address")) }
                    th scope="col" { (h!(ctx, "account.sessions.started")) }
                    th scope="col" { (h!(ctx, "account.sessions.last_active")) }
                    th scope="col" { span.visually-hidden { (h!(ctx, "account.sessions.end")) } }
                } }
                tbody {
                    @for r in rows {
                        tr.session.this-device[r.current] {
                            td { (r.device) }
                            td { (r.ip) }
                            td { (r.started) }
                            td { (r.last_active) }
                            td {
                                @if r.current {
                                    strong { (h!(ctx, "account.sessions.this_device")) }
                                } @else {
                                    (post_form(ctx, paths::ACCOUNT_SESSIONS_END, "inline-form", html! {
                                        input type="hidden" name="session" value=(Attr(&r.handle));
                                        button.link-button type="submit" {
                                            (h!(ctx, "account.sessions.end"))
                                            span.visually-hidden { " " (r.device) " " (r.ip) }
                                        }
                                    }))
                                }
                            }
                        }
                    }
                }
            }
            @if rows.iter().any(|r| !r.current) {
                (post_form(ctx, paths::ACCOUNT_SESSIONS_END_OTHERS, "stack", html! {
                    (submit(h!(ctx, "account.sessions.end_others")))
                }))
            }
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.page.title")) } }
        },
    )
}

pub fn two_step_off(ctx: &Ctx, errors: &FormErrors) -> Markup {
    page(
        ctx,
        h!(ctx, "account.two_step.off_title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.two_step.off_title")) }
            p { (h!(ctx, "account.two_step.off_lead")) }
            (post_form(ctx, paths::ACCOUNT_TWO_STEP_OFF, "stack", html! {
                (Field::new("password", h!(ctx, "login.password"), "password").autocomplete("current-password").render(errors))
                (submit(h!(ctx, "account.two_step.off_submit")))
            }))
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.two_step.cancel")) } }
        },
    )
}
