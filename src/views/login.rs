//! Logging in (password, then the SMS code) and resetting a forgotten password.
use maud::{html, Markup};

use super::components::{code_field, error_summary, notice, post_form, submit, Field, FormErrors};
use super::layout::page;
use crate::domain::password::MIN_CHARS;
use crate::security::Ctx;

/// A notice above a form, by catalog key: (kind, key).
pub type Notice = Option<(&'static str, &'static str)>;

fn show_notice(ctx: &Ctx, n: Notice) -> Markup {
    html! { @if let Some((kind, key)) = n { (notice(kind, html! { p { (ctx.h(key)) } })) } }
}

pub fn login_form(ctx: &Ctx, errors: &FormErrors, email: &str, n: Notice) -> Markup {
    page(
        ctx,
        ctx.h("login.title"),
        html! {
            (show_notice(ctx, n))
            (error_summary(ctx, errors))
            h1 { (ctx.h("login.title")) }
            p { (ctx.h("login.lead")) }
            (post_form(ctx, "/login", "stack", html! {
                (Field::new("email", ctx.h("login.email"), "email").hint(ctx.h("login.email_hint")).value(email).autocomplete("username").render(errors))
                (Field::new("password", ctx.h("login.password"), "password").autocomplete("current-password").render(errors))
                (submit(ctx.h("login.submit")))
            }))
            ul.link-list {
                li { a href="/password/forgot" { (ctx.h("login.forgot_password")) } }
                li { a href="/username/forgot" { (ctx.h("login.forgot_username")) } }
                li { a href="/account/create" { (ctx.h("login.create")) } }
            }
            p.hint { (ctx.h("login.unconfirmed_hint")) }
            details.more-alternatives {
                summary { (ctx.h("login.more_alternatives")) }
                p { (ctx.h("login.eid_later")) }
            }
        },
    )
}

pub fn sms_form(ctx: &Ctx, errors: &FormErrors, n: Notice) -> Markup {
    page(
        ctx,
        ctx.h("login.sms.title"),
        html! {
            (show_notice(ctx, n))
            (error_summary(ctx, errors))
            h1 { (ctx.h("login.sms.title")) }
            p { (ctx.h("login.sms.lead")) }
            (post_form(ctx, "/login/sms", "stack", html! {
                (code_field(ctx, errors, ctx.h("login.sms.hint")))
                (submit(ctx.h("login.sms.submit")))
            }))
            (post_form(ctx, "/login/sms/resend", "secondary-action", html! {
                button.link-button type="submit" { (ctx.h("code.resend")) }
            }))
            p.hint { (ctx.h("login.sms.trouble")) " " a href="/help/support" { (ctx.h("help.support.title")) } }
        },
    )
}

pub fn forgot_form(ctx: &Ctx, errors: &FormErrors, email: &str) -> Markup {
    page(
        ctx,
        ctx.h("reset.forgot.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.h("reset.forgot.title")) }
            p { (ctx.h("reset.forgot.lead")) }
            (post_form(ctx, "/password/forgot", "stack", html! {
                (Field::new("email", ctx.h("login.email"), "email").value(email).autocomplete("username").render(errors))
                (submit(ctx.h("reset.forgot.submit")))
            }))
        },
    )
}

pub fn forgot_sent(ctx: &Ctx) -> Markup {
    page(
        ctx,
        ctx.h("reset.sent.title"),
        html! {
            h1 { (ctx.h("reset.sent.title")) }
            p { (ctx.h("reset.sent.p1")) }
            p { (ctx.h("reset.sent.p2")) }
            p { a href="/login" { (ctx.h("home.login.button")) } }
        },
    )
}

pub fn reset_form(ctx: &Ctx, errors: &FormErrors, token: &str) -> Markup {
    let min = MIN_CHARS.to_string();
    page(
        ctx,
        ctx.h("reset.new.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (ctx.h("reset.new.title")) }
            (post_form(ctx, "/password/reset", "stack", html! {
                input type="hidden" name="token" value=(token);
                (Field::new("password", ctx.h("account.create.password"), "password").hint(&ctx.tf("account.create.password_hint", &[("min", &min)])).autocomplete("new-password").render(errors))
                (Field::new("password_repeat", ctx.h("account.create.password_repeat"), "password").autocomplete("new-password").render(errors))
                (submit(ctx.h("reset.new.submit")))
            }))
        },
    )
}

pub fn reset_invalid(ctx: &Ctx) -> Markup {
    page(
        ctx,
        ctx.h("reset.invalid.title"),
        html! {
            h1 { (ctx.h("reset.invalid.title")) }
            p { (ctx.h("reset.invalid.text")) }
            p { a.button href="/password/forgot" { (ctx.h("reset.forgot.title")) } }
        },
    )
}

pub fn reset_done(ctx: &Ctx) -> Markup {
    page(
        ctx,
        ctx.h("reset.done.title"),
        html! {
            (notice("success", html! { p { (ctx.h("reset.done.text")) } }))
            h1 { (ctx.h("reset.done.title")) }
            p { (ctx.h("reset.done.next")) }
            p { a.button href="/login" { (ctx.h("home.login.button")) } }
        },
    )
}
