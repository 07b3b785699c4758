//! Account settings: changing the email address and the password.
use maud::{html, Markup};

use super::components::{
    code_field, error_summary, notice_for, post_form, submit, Field, FormErrors, Notice,
};
use super::layout::page;
use crate::domain::password::MIN_CHARS;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

/// The new address and the password.
pub fn email_form(ctx: &Ctx, errors: &FormErrors, email: &str) -> Markup {
    page(
        ctx,
        h!(ctx, "account.email.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.email.title")) }
            p { (h!(ctx, "account.email.lead")) }
            (post_form(ctx, paths::ACCOUNT_EMAIL, "stack", html! {
                (Field::new("email", h!(ctx, "account.email.new"), "email").hint(h!(ctx, "account.email.new_hint")).value(email).autocomplete("email").render(errors))
                (Field::new("password", h!(ctx, "login.password"), "password").hint(h!(ctx, "account.email.password_again")).autocomplete("current-password").render(errors))
                (submit(h!(ctx, "account.email.submit")))
            }))
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.two_step.cancel")) } }
        },
    )
}

/// With two-step verification: the code sent to the current phone, before the new address gets one.
pub fn email_phone_step(ctx: &Ctx, errors: &FormErrors, masked: &str) -> Markup {
    page(
        ctx,
        h!(ctx, "account.email.phone_title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.email.phone_title")) }
            p { (ctx.tf("account.email.phone_lead", &[("phone", masked)])) }
            (post_form(ctx, paths::ACCOUNT_EMAIL_PHONE, "stack", html! {
                (code_field(ctx, errors, h!(ctx, "login.sms.hint")))
                (submit(h!(ctx, "account.email.phone_submit")))
            }))
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.two_step.cancel")) } }
        },
    )
}

/// The code sent to the new address.
pub fn email_verify(ctx: &Ctx, errors: &FormErrors, address: &str, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "account.email.verify_title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.email.verify_title")) }
            p { (ctx.tf("account.email.verify_lead", &[("email", address)])) }
            p.hint { (h!(ctx, "account.confirm.spam")) }
            (post_form(ctx, paths::ACCOUNT_EMAIL_VERIFY, "stack", html! {
                (code_field(ctx, errors, h!(ctx, "account.email.code_hint")))
                (submit(h!(ctx, "account.email.verify_submit")))
            }))
            p { a href=(paths::ACCOUNT_EMAIL) { (h!(ctx, "account.email.other")) } }
        },
    )
}

pub fn password_form(ctx: &Ctx, errors: &FormErrors) -> Markup {
    let min = MIN_CHARS.to_string();
    page(
        ctx,
        h!(ctx, "account.password.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.password.title")) }
            p { (h!(ctx, "account.password.lead")) }
            (post_form(ctx, paths::ACCOUNT_PASSWORD, "stack", html! {
                (Field::new("current", h!(ctx, "account.password.current"), "password").autocomplete("current-password").render(errors))
                (Field::new("password", h!(ctx, "account.password.new"), "password").hint(&ctx.tf("account.create.password_hint", &[("min", &min)])).autocomplete("new-password").render(errors))
                (Field::new("password_repeat", h!(ctx, "account.create.password_repeat"), "password").autocomplete("new-password").render(errors))
                (submit(h!(ctx, "account.password.submit")))
            }))
            p { a href=(paths::ACCOUNT) { (h!(ctx, "account.two_step.cancel")) } }
        },
    )
}
