//! Creating and confirming an account, two-step verification, and the sessions
//! (devices) logged in to it. My Page itself is in `my_page.rs`.
use maud::{html, Markup};

use super::components::Tone;
use super::components::{
    code_field, countries_calling, error_summary, notice, notice_for, post_form, submit, tick_box,
    Attr, Field, FormErrors, Notice,
};
use super::layout::page;
use crate::domain::password::MIN_CHARS;
use crate::h;
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
