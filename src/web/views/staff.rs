//! The staff side: login, account setup, the start page and the audit log.
use maud::{html, Markup};

use super::components::{
    error_summary, notice_for, post_form, submit, Attr, Field, FormErrors, Notice,
};
use super::layout::page;
use crate::db::audit::Logged;
use crate::domain::date::{time_in_sweden, Date};
use crate::domain::staff::StaffMember;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub fn login(ctx: &Ctx, errors: &FormErrors, email: &str, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "staff.login.title"),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "staff.login.title")) }
            p { (h!(ctx, "staff.login.lead")) }
            (post_form(ctx, paths::STAFF_LOGIN, "stack", html! {
                (Field::new("email", h!(ctx, "login.email"), "email").value(email).autocomplete("username").render(errors))
                (Field::new("password", h!(ctx, "login.password"), "password").autocomplete("current-password").render(errors))
                (Field::new("code", h!(ctx, "staff.code"), "text").hint(h!(ctx, "staff.code_hint")).autocomplete("one-time-code").inputmode("numeric").render(errors))
                (submit(h!(ctx, "login.submit")))
            }))
        },
    )
}

/// The setup page: the QR code (and the secret to type), the password, a first code.
pub fn setup(ctx: &Ctx, errors: &FormErrors, email: &str, token: &str, secret: &str) -> Markup {
    let action = paths::staff_setup(token);
    page(
        ctx,
        h!(ctx, "staff.setup.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "staff.setup.title")) }
            p { (ctx.tf("staff.setup.lead", &[("email", email)])) }
            h2 { (h!(ctx, "staff.setup.app_title")) }
            p { (h!(ctx, "staff.setup.app_lead")) }
            img.qr src=(Attr(&paths::staff_setup_qr(token))) alt=(ctx.t("staff.setup.qr_alt")) width="220" height="220";
            p { (h!(ctx, "staff.setup.secret")) " " code.secret { (secret) } }
            h2 { (h!(ctx, "staff.setup.password_title")) }
            (post_form(ctx, &action, "stack", html! {
                (Field::new("password", h!(ctx, "account.create.password"), "password").autocomplete("new-password").render(errors))
                (Field::new("password_repeat", h!(ctx, "account.create.password_repeat"), "password").autocomplete("new-password").render(errors))
                (Field::new("code", h!(ctx, "staff.code"), "text").hint(h!(ctx, "staff.setup.code_hint")).autocomplete("one-time-code").inputmode("numeric").render(errors))
                (submit(h!(ctx, "staff.setup.submit")))
            }))
        },
    )
}

/// A setup link that is used, expired or unknown.
pub fn setup_gone(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "staff.setup.gone_title"),
        html! {
            h1 { (h!(ctx, "staff.setup.gone_title")) }
            p { (h!(ctx, "staff.setup.gone")) }
        },
    )
}

/// The start page: who is logged in, in which role, and what that role can open.
pub fn home(ctx: &Ctx, member: &StaffMember, n: Notice) -> Markup {
    page(
        ctx,
        h!(ctx, "staff.home.title"),
        html! {
            (notice_for(ctx, n))
            h1 { (h!(ctx, "staff.home.title")) }
            p { (ctx.tf("staff.home.signed_in", &[("email", &member.email), ("role", ctx.t(member.role.key()))])) }
            ul.link-list {
                @if member.as_support().is_some() {
                    li { a href=(paths::STAFF_SUPPORT) { (h!(ctx, "staff.support.title")) } }
                }
                @if member.as_caseworker().is_some() {
                    li { a href=(paths::STAFF_CASES) { (h!(ctx, "staff.cases.title")) } }
                }
                @if member.as_admin().is_some() {
                    li { a href=(paths::STAFF_AUDIT) { (h!(ctx, "staff.audit.title")) } }
                    li { a href=(paths::STAFF_WEBHOOKS) { (h!(ctx, "staff.webhooks.title")) } }
                }
            }
            (post_form(ctx, paths::STAFF_LOGOUT, "secondary-action", html! {
                button.button.button-secondary type="submit" { (h!(ctx, "staff.logout")) }
            }))
        },
    )
}

pub struct AuditPage<'a> {
    pub entries: &'a [Logged],
    pub action: &'a str,
    pub who: &'a str,
    pub page: i64,
    pub has_next: bool,
}

pub fn audit(ctx: &Ctx, a: &AuditPage) -> Markup {
    let link = |page: i64| {
        serde_urlencoded::to_string([
            ("action", a.action),
            ("who", a.who),
            ("page", &page.to_string()),
        ])
        .map(|q| paths::staff_audit_query(&q))
        .unwrap_or_default()
    };
    page(
        ctx,
        h!(ctx, "staff.audit.title"),
        html! {
            h1 { (h!(ctx, "staff.audit.title")) }
            form.stack method="get" action=(paths::STAFF_AUDIT) {
                (Field::new("action", h!(ctx, "staff.audit.action"), "text").hint(h!(ctx, "staff.audit.action_hint")).value(a.action).render(&FormErrors::default()))
                (Field::new("who", h!(ctx, "staff.audit.who"), "text").value(a.who).render(&FormErrors::default()))
                (submit(h!(ctx, "staff.audit.filter")))
            }
            @if a.entries.is_empty() {
                p { (h!(ctx, "staff.audit.none")) }
            } @else {
                table.audit {
                    thead { tr {
                        th scope="col" { (h!(ctx, "staff.audit.when")) }
                        th scope="col" { (h!(ctx, "staff.audit.who")) }
                        th scope="col" { (h!(ctx, "staff.audit.action")) }
                        th scope="col" { (h!(ctx, "staff.audit.target")) }
                        th scope="col" { (h!(ctx, "staff.audit.ip")) }
                        th scope="col" { (h!(ctx, "staff.audit.detail")) }
                    } }
                    tbody {
                        @for e in a.entries {
                            tr {
                                td { (Date::in_sweden(e.at).to_string()) " " (time_in_sweden(e.at)) }
                                td { (e.actor) " (" (e.actor_kind) ")" }
                                td { (e.action) }
                                td { (e.target.as_deref().unwrap_or("")) }
                                td { (e.ip.as_deref().unwrap_or("")) }
                                td { (e.detail.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label=(ctx.t("staff.audit.pages")) {
                @if a.page > 1 { a href=(Attr(&link(a.page - 1))) { (h!(ctx, "staff.audit.newer")) } " " }
                @if a.has_next { a href=(Attr(&link(a.page + 1))) { (h!(ctx, "staff.audit.older")) } }
            }
            p { a href=(paths::STAFF) { (h!(ctx, "staff.home.title")) } }
        },
    )
}
