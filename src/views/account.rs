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
    html! { @if let Some((kind, key)) = n { (notice(kind, html! { p { (ctx.t(key)) } })) } }
}

pub fn create_form(ctx: &Ctx, errors: &FormErrors, email: &str) -> Markup {
    let min = MIN_CHARS.to_string();
    page(
        ctx,
        ctx.t("account.create.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.t("account.create.title")) }
            p { (ctx.t("account.create.lead")) }
            (post_form(ctx, "/account/create", "stack", html! {
                (Field::new("email", ctx.t("login.email"), "email").hint(ctx.t("account.create.email_hint")).value(email).autocomplete("email").render(errors))
                (Field::new("password", ctx.t("account.create.password"), "password").hint(&ctx.tf("account.create.password_hint", &[("min", &min)])).autocomplete("new-password").render(errors))
                (Field::new("password_repeat", ctx.t("account.create.password_repeat"), "password").autocomplete("new-password").render(errors))
                (submit(ctx.t("account.create.submit")))
            }))
            p { (ctx.t("account.create.have_account")) " " a href="/login" { (ctx.t("home.login.button")) } }
        },
    )
}

pub fn confirm_form(ctx: &Ctx, errors: &FormErrors, n: Notice) -> Markup {
    page(
        ctx,
        ctx.t("account.confirm.title"),
        html! {
            (show_notice(ctx, n))
            (error_summary(ctx, errors))
            h1 { (ctx.t("account.confirm.title")) }
            p { (ctx.t("account.confirm.lead")) }
            p.hint { (ctx.t("account.confirm.spam")) }
            (post_form(ctx, "/account/confirm", "stack", html! {
                (code_field(ctx, errors, ctx.t("account.confirm.hint")))
                (submit(ctx.t("account.confirm.submit")))
            }))
            (post_form(ctx, "/account/confirm/resend", "secondary-action", html! {
                button.link-button type="submit" { (ctx.t("code.resend")) }
            }))
        },
    )
}

/// After confirmation: the account is ready; two-step verification is offered.
pub fn created(ctx: &Ctx) -> Markup {
    page(
        ctx,
        ctx.t("account.created.title"),
        html! {
            (notice("success", html! { p { (ctx.t("account.created.done")) } }))
            h1 { (ctx.t("account.created.title")) }
            p { (ctx.t("account.two_step.explain")) }
            p { (ctx.t("account.two_step.sms_needed")) }
            p.actions {
                a.button href="/account/two-step" { (ctx.t("account.two_step.turn_on")) }
                " "
                a.button.button-secondary href="/account" { (ctx.t("account.created.skip")) }
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
        ctx.t("account.page.title"),
        html! {
            (show_notice(ctx, n))
            h1 { (ctx.t("account.page.title")) }
            @if o.assurance < Assurance::Substantial {
                (notice("info", html! { p { (ctx.t("account.page.more_with_two_step")) } }))
            }
            h2 { (ctx.t("account.page.cases")) }
            p { (ctx.t("account.page.no_cases")) }
            h2 { (ctx.t("account.page.settings")) }
            dl.summary-list {
                div {
                    dt { (ctx.t("account.page.email")) }
                    dd { (o.email) }
                }
                div {
                    dt { (ctx.t("account.page.two_step")) }
                    dd {
                        @if let Some(phone) = &o.masked_phone {
                            (ctx.tf("account.page.two_step_on", &[("phone", phone)])) " "
                            a href="/account/two-step/off" { (ctx.t("account.two_step.turn_off")) }
                        } @else {
                            (ctx.t("account.page.two_step_off")) " "
                            a href="/account/two-step" { (ctx.t("account.two_step.turn_on")) }
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
        ctx.t("account.two_step.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.t("account.two_step.title")) }
            p { (ctx.t("account.two_step.explain")) }
            p { (ctx.t("account.two_step.sms_needed")) }
            (post_form(ctx, "/account/two-step", "stack", html! {
                div.field {
                    label for="country" { (ctx.t("phone.country")) }
                    p.hint #country-hint { (ctx.t("phone.country_hint")) }
                    select #country name="country" aria-describedby="country-hint" autocomplete="tel-country-code" {
                        @for (iso, code) in COUNTRIES {
                            option value=(code) selected[*code == country] { (ctx.t(&format!("country.{}", iso.to_ascii_lowercase()))) " (" (code) ")" }
                        }
                    }
                }
                (Field::new("phone", ctx.t("phone.number"), "tel").hint(ctx.t("phone.number_hint")).value(phone).autocomplete("tel").render(errors))
                @if warn {
                    (notice("warning", html! {
                        h2 { (ctx.t("phone.unreliable.title")) }
                        p { (ctx.t("phone.unreliable.text")) }
                    }))
                    div.field.checkbox {
                        input #acknowledged type="checkbox" name="acknowledged" value="yes";
                        label for="acknowledged" { (ctx.t("phone.unreliable.acknowledge")) }
                    }
                }
                (submit(ctx.t("account.two_step.send_code")))
            }))
            p { a href="/account" { (ctx.t("account.two_step.cancel")) } }
        },
    )
}

pub fn phone_verify(ctx: &Ctx, errors: &FormErrors, masked: &str, n: Notice) -> Markup {
    page(
        ctx,
        ctx.t("account.two_step.verify_title"),
        html! {
            (show_notice(ctx, n))
            (error_summary(ctx, errors))
            h1 { (ctx.t("account.two_step.verify_title")) }
            p { (ctx.tf("account.two_step.verify_lead", &[("phone", masked)])) }
            (post_form(ctx, "/account/two-step/verify", "stack", html! {
                (code_field(ctx, errors, ctx.t("login.sms.hint")))
                (submit(ctx.t("account.two_step.verify_submit")))
            }))
            p { a href="/account/two-step" { (ctx.t("account.two_step.other_number")) } }
        },
    )
}

pub fn two_step_off(ctx: &Ctx, errors: &FormErrors) -> Markup {
    page(
        ctx,
        ctx.t("account.two_step.off_title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.t("account.two_step.off_title")) }
            p { (ctx.t("account.two_step.off_lead")) }
            (post_form(ctx, "/account/two-step/off", "stack", html! {
                (Field::new("password", ctx.t("login.password"), "password").autocomplete("current-password").render(errors))
                (submit(ctx.t("account.two_step.off_submit")))
            }))
            p { a href="/account" { (ctx.t("account.two_step.cancel")) } }
        },
    )
}
