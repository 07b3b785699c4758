//! Logging in (password, then the SMS code) and resetting a forgotten password.
use maud::{html, Markup};

use super::components::Tone;
use super::components::{
    code_field, error_summary, notice, notice_for, post_form, submit, Field, FormErrors, Notice,
};
use super::layout::page;
use crate::domain::password::MIN_CHARS;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub fn login_form(
    ctx: &Ctx,
    errors: &FormErrors,
    email: &str,
    next: Option<&str>,
    n: Notice,
    eid: (Markup, Markup),
) -> Markup {
    let (personal, professional) = eid;
    page(
        ctx,
        h!(ctx, "login.title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "login.title")) }
            (personal)
            h2 { (h!(ctx, "login.password_heading")) }
            p { (h!(ctx, "login.lead")) }
            (post_form(ctx, paths::LOGIN, "stack", html! {
                @if let Some(next) = next { input type="hidden" name="next" value=(next); }
                (Field::new("email", h!(ctx, "login.email"), "email").hint(h!(ctx, "login.email_hint")).value(email).autocomplete("username").render(errors))
                (Field::new("password", h!(ctx, "login.password"), "password").autocomplete("current-password").render(errors))
                (submit(h!(ctx, "login.submit")))
            }))
            ul.link-list {
                li { a href=(paths::PASSWORD_FORGOT) { (h!(ctx, "login.forgot_password")) } }
                li { a href=(paths::USERNAME_FORGOT) { (h!(ctx, "login.forgot_username")) } }
                li { a href=(paths::ACCOUNT_CREATE) { (h!(ctx, "login.create")) } }
            }
            p.hint { (h!(ctx, "login.unconfirmed_hint")) }
            // Last, as on the agency's page: for municipality and region staff.
            (professional)
        },
    )
}

pub fn sms_form(ctx: &Ctx, errors: &FormErrors, next: Option<&str>, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "login.sms.title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "login.sms.title")) }
            p { (h!(ctx, "login.sms.lead")) }
            (post_form(ctx, paths::LOGIN_SMS, "stack", html! {
                @if let Some(next) = next { input type="hidden" name="next" value=(next); }
                (code_field(ctx, errors, h!(ctx, "login.sms.hint")))
                (submit(h!(ctx, "login.sms.submit")))
            }))
            (post_form(ctx, paths::LOGIN_SMS_RESEND, "secondary-action", html! {
                button.link-button type="submit" { (h!(ctx, "code.resend")) }
            }))
            (post_form(ctx, paths::LOGIN_SMS_CANCEL, "secondary-action", html! {
                button.link-button type="submit" { (h!(ctx, "login.sms.cancel")) }
            }))
            p.hint { (h!(ctx, "login.sms.trouble")) " " a href=(paths::HELP_SUPPORT) { (h!(ctx, "help.support.title")) } }
        },
    )
}

pub fn forgot_form(ctx: &Ctx, errors: &FormErrors, email: &str) -> Markup {
    page(
        ctx,
        h!(ctx, "reset.forgot.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "reset.forgot.title")) }
            p { (h!(ctx, "reset.forgot.lead")) }
            (post_form(ctx, paths::PASSWORD_FORGOT, "stack", html! {
                (Field::new("email", h!(ctx, "login.email"), "email").value(email).autocomplete("username").render(errors))
                (submit(h!(ctx, "reset.forgot.submit")))
            }))
        },
    )
}

pub fn forgot_sent(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "reset.sent.title"),
        html! {
            h1 { (h!(ctx, "reset.sent.title")) }
            p { (h!(ctx, "reset.sent.p1")) }
            p { (h!(ctx, "reset.sent.p2")) }
            p { a href=(paths::LOGIN) { (h!(ctx, "home.login.button")) } }
        },
    )
}

pub fn reset_form(ctx: &Ctx, errors: &FormErrors, token: &str) -> Markup {
    let min = MIN_CHARS.to_string();
    page(
        ctx,
        h!(ctx, "reset.new.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "reset.new.title")) }
            (post_form(ctx, paths::PASSWORD_RESET, "stack", html! {
                input type="hidden" name="token" value=(token);
                (Field::new("password", h!(ctx, "account.create.password"), "password").hint(&ctx.tf("account.create.password_hint", &[("min", &min)])).autocomplete("new-password").render(errors))
                (Field::new("password_repeat", h!(ctx, "account.create.password_repeat"), "password").autocomplete("new-password").render(errors))
                (submit(h!(ctx, "reset.new.submit")))
            }))
        },
    )
}

pub fn reset_invalid(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "reset.invalid.title"),
        html! {
            h1 { (h!(ctx, "reset.invalid.title")) }
            p { (h!(ctx, "reset.invalid.text")) }
            p { a.button href=(paths::PASSWORD_FORGOT) { (h!(ctx, "reset.forgot.title")) } }
        },
    )
}

pub fn reset_done(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "reset.done.title"),
        html! {
            (notice(Tone::Success, html! { p { (h!(ctx, "reset.done.text")) } }))
            h1 { (h!(ctx, "reset.done.title")) }
            p { (h!(ctx, "reset.done.next")) }
            p { a.button href=(paths::LOGIN) { (h!(ctx, "home.login.button")) } }
        },
    )
}
