//! The support desk: the search, an account's summary, and the forms for what
//! support may change after verifying the caller. Each form has its own field
//! names, so ids stay unique on the page.
use maud::{html, Markup};

use super::components::{
    error_summary, notice_for, post_form, submit, tick_box, Field, FormErrors, Notice,
};
use super::layout::page;
use crate::db::outbox::{Channel, Delivered, Status};
use crate::domain::date::{self, Date};
use crate::domain::forms::Forms;
use crate::domain::phone;
use crate::flows::support::Summary;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub struct SupportPage<'a> {
    pub query: &'a str,
    /// None: nothing searched yet, or nothing found (then `searched` is true).
    pub found: Option<&'a Summary>,
    pub searched: bool,
    pub forms: &'a Forms,
}

/// The tick and the note every change to an account needs, named after its form.
fn verification(ctx: &Ctx, errors: &FormErrors, prefix: &'static str) -> Markup {
    let (tick, note) = match prefix {
        "phone" => ("phone_verified", "phone_note"),
        "reveal" => ("reveal_verified", "reveal_note"),
        "email" => ("email_verified", "email_note"),
        _ => ("close_verified", "close_note"),
    };
    html! {
        (tick_box(tick, h!(ctx, "staff.support.verified"), false, errors))
        (Field::new(note, h!(ctx, "staff.support.note"), "text").hint(h!(ctx, "staff.support.note_hint")).render(errors))
    }
}

pub fn support(ctx: &Ctx, p: &SupportPage, errors: &FormErrors, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "staff.support.title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "staff.support.title")) }
            form.stack role="search" method="get" action=(paths::STAFF_SUPPORT) {
                (Field::new("q", h!(ctx, "staff.support.query"), "search").hint(h!(ctx, "staff.support.query_hint")).value(p.query).render(&FormErrors::default()))
                (submit(h!(ctx, "staff.support.search")))
            }
            @if let Some(s) = p.found {
                (summary(ctx, s, p.forms, errors))
            } @else if p.searched {
                p.not-found { (h!(ctx, "staff.support.not_found")) }
            }
            p { a href=(paths::STAFF) { (h!(ctx, "staff.home.title")) } }
        },
    )
}

fn summary(ctx: &Ctx, s: &Summary, forms: &Forms, errors: &FormErrors) -> Markup {
    let yes_no = |b: bool| ctx.h(if b { "apply.yes" } else { "apply.no" });
    html! {
        section.account-summary {
            h2 { (h!(ctx, "staff.support.account")) }
            dl.summary-list {
                div { dt { (h!(ctx, "login.email")) } dd.account-email { (s.email_shown) } }
                div { dt { (h!(ctx, "staff.support.created")) } dd { (Date::in_sweden(s.created_at).to_string()) } }
                div { dt { (h!(ctx, "staff.support.confirmed")) } dd { @match s.confirmed_at { Some(at) => (Date::in_sweden(at).to_string()), None => (yes_no(false)) } } }
                div { dt { (h!(ctx, "staff.support.two_step")) } dd.two-step { (yes_no(s.two_step)) } }
                @if let Some(full) = &s.phone_revealed {
                    div { dt { (h!(ctx, "staff.support.phone_full")) } dd.phone { (phone::readable(full)) } }
                } @else {
                    div { dt { (h!(ctx, "staff.support.phone")) } dd.phone { (s.phone_masked.as_deref().unwrap_or("–")) } }
                }
            }
            @if s.phone_masked.is_some() && s.phone_revealed.is_none() {
                details.reveal-phone open[errors.get("reveal_verified").is_some() || errors.get("reveal_note").is_some()] {
                    summary { (h!(ctx, "staff.support.reveal_title")) }
                    (post_form(ctx, &paths::staff_support_action(s.id.0, "reveal"), "stack", html! {
                        (verification(ctx, errors, "reveal"))
                        (submit(h!(ctx, "staff.support.reveal")))
                    }))
                }
            }
            h3 { (h!(ctx, "staff.support.drafts")) }
            @if s.drafts.is_empty() { p { (h!(ctx, "staff.support.no_drafts")) } } @else {
                ul.drafts { @for d in &s.drafts { li { (forms.title(&d.form_id, ctx.lang())) ", " (Date::in_sweden(d.created_at).to_string()) } } }
            }
            h3 { (h!(ctx, "staff.support.cases")) }
            @if s.cases.is_empty() { p { (h!(ctx, "staff.support.no_cases")) } } @else {
                ul.cases { @for c in &s.cases { li { span.verification-number { (c.verification) } " " (forms.title(&c.form_id, ctx.lang())) ": " (ctx.h(c.status.keys()[0])) } } }
            }
        }
        (messages(ctx, s))
        @if s.confirmed_at.is_none() {
            (post_form(ctx, &paths::staff_support_action(s.id.0, "confirmation"), "secondary-action", html! {
                button.button.button-secondary type="submit" { (h!(ctx, "staff.support.resend_confirmation")) }
            }))
        }
        @for q in &s.questionnaires {
            section.questionnaire-support {
                h3 { (ctx.tf("staff.support.questionnaire", &[("number", &q.verification)])) }
                @if q.answered_at.is_some() { p { (h!(ctx, "case.timeline.questionnaire_answered")) } } @else {
                    (post_form(ctx, &paths::staff_support_questionnaire(&q.verification), "stack", html! {
                        (Field::new("questionnaire_email", h!(ctx, "staff.support.questionnaire_email"), "email").value(&q.email).render(errors))
                        (submit(h!(ctx, "staff.support.resend_questionnaire")))
                    }))
                }
            }
        }
        section {
            h2 { (h!(ctx, "staff.support.phone_title")) }
            @if let Some(number) = &s.pending_phone {
                p { (ctx.tf("staff.support.phone_codes", &[("phone", &phone::readable(number))])) }
                (post_form(ctx, &paths::staff_support_action(s.id.0, "phone/confirm"), "stack", html! {
                    (Field::new("phone_code", h!(ctx, "staff.support.phone_code"), "text").autocomplete("off").render(errors))
                    (Field::new("email_code", h!(ctx, "staff.support.email_code"), "text").autocomplete("off").render(errors))
                    (submit(h!(ctx, "staff.support.confirm_phone")))
                }))
            }
            (post_form(ctx, &paths::staff_support_action(s.id.0, "phone"), "stack", html! {
                (Field::new("phone", h!(ctx, "staff.support.new_phone"), "tel").hint(h!(ctx, "phone.number_hint")).render(errors))
                (verification(ctx, errors, "phone"))
                (submit(h!(ctx, "staff.support.change_phone")))
            }))
        }
        section {
            h2 { (h!(ctx, "staff.support.email_title")) }
            @if let Some(address) = &s.pending_email {
                p { (ctx.tf("staff.support.email_codes", &[("email", address)])) }
                (post_form(ctx, &paths::staff_support_action(s.id.0, "email/confirm"), "stack", html! {
                    (Field::new("address_code", h!(ctx, "staff.support.new_email_code"), "text").autocomplete("off").render(errors))
                    (submit(h!(ctx, "staff.support.confirm_email")))
                }))
            }
            (post_form(ctx, &paths::staff_support_action(s.id.0, "email"), "stack", html! {
                (Field::new("email", h!(ctx, "staff.support.new_email"), "email").render(errors))
                (verification(ctx, errors, "email"))
                (submit(h!(ctx, "staff.support.correct_email")))
            }))
        }
        section {
            h2 { (h!(ctx, "staff.support.close_title")) }
            p { (h!(ctx, "staff.support.close_lead")) }
            (post_form(ctx, &paths::staff_support_action(s.id.0, "close"), "stack", html! {
                (verification(ctx, errors, "close"))
                button.button type="submit" { (h!(ctx, "staff.support.close")) }
            }))
        }
    }
}

/// The second page of closing an account: which account, what is deleted and
/// what is kept, and the confirmation (carrying the verification already given).
pub fn close_confirm(ctx: &Ctx, s: &Summary, forms: &Forms, note: &str) -> Markup {
    let action = paths::staff_support_action(s.id.0, "close");
    let unfinished = s.drafts.len() as i64;
    let submitted = s.cases.len() as i64;
    page(
        ctx,
        h!(ctx, "staff.support.close_confirm.title"),
        html! {
            h1 { (h!(ctx, "staff.support.close_confirm.title")) }
            dl.summary-list {
                div { dt { (h!(ctx, "staff.support.close_confirm.account")) } dd.account { (s.email_shown) } }
                div { dt { (h!(ctx, "staff.support.close_confirm.created")) } dd { (Date::in_sweden(s.created_at).to_string()) } }
            }
            h2 { (h!(ctx, "staff.support.close_confirm.deleted")) }
            ul.to-delete {
                li {
                    (ctx.plural("staff.support.close_confirm.drafts", unfinished, &[("n", &unfinished.to_string())]))
                    @if !s.drafts.is_empty() {
                        ul { @for d in &s.drafts { li { (forms.title(&d.form_id, ctx.lang())) ", " (Date::in_sweden(d.created_at).to_string()) } } }
                    }
                }
                li { (h!(ctx, "staff.support.close_confirm.sessions")) }
                @if s.two_step { li { (h!(ctx, "staff.support.close_confirm.phone")) } }
                li { (h!(ctx, "staff.support.close_confirm.login")) }
            }
            h2 { (h!(ctx, "staff.support.close_confirm.kept")) }
            ul.to-keep {
                li {
                    (ctx.plural("staff.support.close_confirm.cases", submitted, &[("n", &submitted.to_string())]))
                    @if !s.cases.is_empty() {
                        ul { @for c in &s.cases { li { span.verification-number { (c.verification) } ", " (forms.title(&c.form_id, ctx.lang())) } } }
                    }
                }
                li { (h!(ctx, "staff.support.close_confirm.email")) }
            }
            (post_form(ctx, &action, "stack", html! {
                input type="hidden" name="close_verified" value="yes";
                input type="hidden" name="close_note" value=(note);
                input type="hidden" name="confirmed" value="yes";
                button.button.button-warning type="submit" { (h!(ctx, "staff.support.close_confirm.yes")) }
            }))
            p { a href=(paths::staff_support_account(s.id.0)) { (h!(ctx, "staff.support.close_confirm.no")) } }
        },
    )
}

/// When something happened, in Swedish time to the minute.
fn moment(at: i64) -> String {
    format!("{} {}", Date::in_sweden(at), date::time_in_sweden(at))
}

/// The account's messages with their delivery, newest first: the subject only
/// (a body may hold a code), and a resend for each that failed for good.
fn messages(ctx: &Ctx, s: &Summary) -> Markup {
    html! {
        section.messages {
            h2 { (h!(ctx, "staff.support.messages")) }
            @if s.messages.is_empty() { p { (h!(ctx, "staff.support.no_messages")) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (h!(ctx, "staff.support.message_queued_at")) }
                        th scope="col" { (h!(ctx, "staff.support.message_channel")) }
                        th scope="col" { (h!(ctx, "staff.support.message_subject")) }
                        th scope="col" { (h!(ctx, "staff.support.message_status")) }
                        th scope="col" { (h!(ctx, "staff.support.message_attempts")) }
                        th scope="col" { (h!(ctx, "staff.support.message_error")) }
                        th scope="col" { (h!(ctx, "staff.support.message_action")) }
                    } }
                    tbody { @for m in &s.messages { (message_row(ctx, s, m)) } }
                }
            }
        }
    }
}

fn message_row(ctx: &Ctx, s: &Summary, m: &Delivered) -> Markup {
    let (class, status) = match m.status {
        Status::Queued => ("queued", h!(ctx, "staff.support.message_queued")),
        Status::Sent => ("sent", h!(ctx, "staff.support.message_sent")),
        Status::Failed => ("failed", h!(ctx, "staff.support.message_failed")),
    };
    let channel = match m.channel {
        Channel::Email => h!(ctx, "staff.support.message_email"),
        Channel::Sms => h!(ctx, "staff.support.message_sms"),
    };
    html! {
        tr class=(class) {
            td { (moment(m.created_at)) }
            td { (channel) }
            td.subject { (m.subject) }
            td.status {
                (status)
                @if let Some(at) = m.sent_at { " " (moment(at)) }
            }
            td.attempts { (m.attempts) }
            td.last-error { (m.last_error.as_deref().unwrap_or("–")) }
            td {
                @if m.status == Status::Failed {
                    @if m.erased { (h!(ctx, "staff.support.message_erased")) } @else {
                        (post_form(ctx, &paths::staff_support_message_resend(s.id.0, m.id), "resend", html! {
                            button.button.button-secondary type="submit" { (h!(ctx, "staff.support.resend_message")) }
                        }))
                    }
                }
            }
        }
    }
}
