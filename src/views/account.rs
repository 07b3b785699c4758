//! Creating and confirming an account, the account page, and two-step verification.
use maud::{html, Markup};

use super::components::{code_field, error_summary, notice, post_form, submit, Field, FormErrors};
use super::layout::page;
use super::login::Notice;
use crate::domain::password::MIN_CHARS;
use crate::domain::phone::COUNTRIES;
use crate::domain::session::Assurance;
use crate::security::Ctx;

fn show_notice(ctx: &Ctx, n: Notice) -> Markup {
    html! { @if let Some((kind, key)) = n { (notice(kind, html! { p { (ctx.h(key)) } })) } }
}

pub fn create_form(ctx: &Ctx, errors: &FormErrors, email: &str) -> Markup {
    let min = MIN_CHARS.to_string();
    page(
        ctx,
        ctx.h("account.create.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.h("account.create.title")) }
            p { (ctx.h("account.create.lead")) }
            (post_form(ctx, "/account/create", "stack", html! {
                (Field::new("email", ctx.h("login.email"), "email").hint(ctx.h("account.create.email_hint")).value(email).autocomplete("email").render(errors))
                (Field::new("password", ctx.h("account.create.password"), "password").hint(&ctx.tf("account.create.password_hint", &[("min", &min)])).autocomplete("new-password").render(errors))
                (Field::new("password_repeat", ctx.h("account.create.password_repeat"), "password").autocomplete("new-password").render(errors))
                (submit(ctx.h("account.create.submit")))
            }))
            p { (ctx.h("account.create.have_account")) " " a href="/login" { (ctx.h("home.login.button")) } }
        },
    )
}

pub fn confirm_form(ctx: &Ctx, errors: &FormErrors, n: Notice) -> Markup {
    page(
        ctx,
        ctx.h("account.confirm.title"),
        html! {
            (show_notice(ctx, n))
            (error_summary(ctx, errors))
            h1 { (ctx.h("account.confirm.title")) }
            p { (ctx.h("account.confirm.lead")) }
            p.hint { (ctx.h("account.confirm.spam")) }
            (post_form(ctx, "/account/confirm", "stack", html! {
                (code_field(ctx, errors, ctx.h("account.confirm.hint")))
                (submit(ctx.h("account.confirm.submit")))
            }))
            (post_form(ctx, "/account/confirm/resend", "secondary-action", html! {
                button.link-button type="submit" { (ctx.h("code.resend")) }
            }))
        },
    )
}

/// After confirmation: the account is ready; two-step verification is offered.
pub fn created(ctx: &Ctx) -> Markup {
    page(
        ctx,
        ctx.h("account.created.title"),
        html! {
            (notice("success", html! { p { (ctx.h("account.created.done")) } }))
            h1 { (ctx.h("account.created.title")) }
            p { (ctx.h("account.two_step.explain")) }
            p { (ctx.h("account.two_step.sms_needed")) }
            p.actions {
                a.button href="/account/two-step" { (ctx.h("account.two_step.turn_on")) }
                " "
                a.button.button-secondary href="/account" { (ctx.h("account.created.skip")) }
            }
        },
    )
}

pub struct Overview<'a> {
    pub email: &'a str,
    pub masked_phone: Option<String>,
    pub assurance: Assurance,
}

pub fn overview(ctx: &Ctx, o: &Overview, n: Notice) -> Markup {
    page(
        ctx,
        ctx.h("account.page.title"),
        html! {
            (show_notice(ctx, n))
            h1 { (ctx.h("account.page.title")) }
            @if o.assurance < Assurance::Substantial {
                (notice("info", html! { p { (ctx.h("account.page.more_with_two_step")) } }))
            }
            h2 { (ctx.h("account.page.cases")) }
            p { (ctx.h("account.page.no_cases")) }
            h2 { (ctx.h("account.page.settings")) }
            dl.summary-list {
                div {
                    dt { (ctx.h("account.page.email")) }
                    dd { (o.email) }
                }
                div {
                    dt { (ctx.h("account.page.two_step")) }
                    dd {
                        @if let Some(phone) = &o.masked_phone {
                            (ctx.tf("account.page.two_step_on", &[("phone", phone)])) " "
                            a href="/account/two-step/off" { (ctx.h("account.two_step.turn_off")) }
                        } @else {
                            (ctx.h("account.page.two_step_off")) " "
                            a href="/account/two-step" { (ctx.h("account.two_step.turn_on")) }
                        }
                    }
                }
            }
        },
    )
}

/// The phone number form. `warn` shows the unreliable-operator warning and its acknowledgement.
pub fn phone_form(
    ctx: &Ctx,
    errors: &FormErrors,
    country: &str,
    phone: &str,
    warn: bool,
) -> Markup {
    page(
        ctx,
        ctx.h("account.two_step.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.h("account.two_step.title")) }
            p { (ctx.h("account.two_step.explain")) }
            p { (ctx.h("account.two_step.sms_needed")) }
            (post_form(ctx, "/account/two-step", "stack", html! {
                div.field {
                    label for="country" { (ctx.h("phone.country")) }
                    p.hint #country-hint { (ctx.h("phone.country_hint")) }
                    select #country name="country" aria-describedby="country-hint" autocomplete="tel-country-code" {
                        @for (iso, code) in COUNTRIES {
                            option value=(code) selected[*code == country] { (ctx.h(&format!("country.{}", iso.to_ascii_lowercase()))) " (" (code) ")" }
                        }
                    }
                }
                (Field::new("phone", ctx.h("phone.number"), "tel").hint(ctx.h("phone.number_hint")).value(phone).autocomplete("tel").render(errors))
                @if warn {
                    (notice("warning", html! {
                        h2 { (ctx.h("phone.unreliable.title")) }
                        p { (ctx.h("phone.unreliable.text")) }
                    }))
                    div.field.checkbox {
                        input #acknowledged type="checkbox" name="acknowledged" value="yes";
                        label for="acknowledged" { (ctx.h("phone.unreliable.acknowledge")) }
                    }
                }
                (submit(ctx.h("account.two_step.send_code")))
            }))
            p { a href="/account" { (ctx.h("account.two_step.cancel")) } }
        },
    )
}

pub fn phone_verify(ctx: &Ctx, errors: &FormErrors, masked: &str, n: Notice) -> Markup {
    page(
        ctx,
        ctx.h("account.two_step.verify_title"),
        html! {
            (show_notice(ctx, n))
            (error_summary(ctx, errors))
            h1 { (ctx.h("account.two_step.verify_title")) }
            p { (ctx.tf("account.two_step.verify_lead", &[("phone", masked)])) }
            (post_form(ctx, "/account/two-step/verify", "stack", html! {
                (code_field(ctx, errors, ctx.h("login.sms.hint")))
                (submit(ctx.h("account.two_step.verify_submit")))
            }))
            p { a href="/account/two-step" { (ctx.h("account.two_step.other_number")) } }
        },
    )
}

pub fn two_step_off(ctx: &Ctx, errors: &FormErrors) -> Markup {
    page(
        ctx,
        ctx.h("account.two_step.off_title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.h("account.two_step.off_title")) }
            p { (ctx.h("account.two_step.off_lead")) }
            (post_form(ctx, "/account/two-step/off", "stack", html! {
                (Field::new("password", ctx.h("login.password"), "password").autocomplete("current-password").render(errors))
                (submit(ctx.h("account.two_step.off_submit")))
            }))
            p { a href="/account" { (ctx.h("account.two_step.cancel")) } }
        },
    )
}
