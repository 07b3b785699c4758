//! The page shell: header with the service name, language switch and login
//! state; the dev-mode banner; the footer; the idle-timeout warning.
use maud::{html, Markup, DOCTYPE};

use super::assets::url;
use super::components::{post_form, Attr};
use crate::domain::rules::{SESSION_IDLE, SESSION_WARNING};
use crate::domain::Lang;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

/// A whole page around `content`.
pub fn page(ctx: &Ctx, title: impl maud::Render, content: Markup) -> Markup {
    page_with(ctx, title, html! {}, content)
}

/// A whole page with more in its head (a page's own script, a refresh).
pub fn page_with(ctx: &Ctx, title: impl maud::Render, head: Markup, content: Markup) -> Markup {
    let logged_in = ctx.signed_in().is_some();
    html! {
        (DOCTYPE)
        html lang=(ctx.lang().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (h!(ctx, "service.name")) }
                link rel="icon" href=(Attr(url("favicon.svg"))) type="image/svg+xml";
                link rel="stylesheet" href=(Attr(url("kansli.css")));
                @if logged_in {
                    script src=(Attr(url("session.js"))) defer {}
                    script src=(Attr(url("countdown.js"))) defer {}
                    script src=(Attr(url("print.js"))) defer {}
                }
                (head)
            }
            body data-idle-seconds=[logged_in.then_some(SESSION_IDLE)] data-warn-seconds=[logged_in.then_some(SESSION_WARNING)] {
                a.skip-link href="#main" { (h!(ctx, "nav.skip")) }
                (header(ctx))
                @if ctx.dev_mailbox {
                    div.dev-banner role="note" {
                        div.wrap {
                            strong { (h!(ctx, "dev.banner")) } " "
                            a href=(paths::DEV_MAILBOX) { (h!(ctx, "dev.mailbox_link")) }
                        }
                    }
                }
                main #main .wrap tabindex="-1" { (content) }
                (footer(ctx))
                @if logged_in { (idle_warning(ctx)) }
            }
        }
    }
}

fn header(ctx: &Ctx) -> Markup {
    let other = match ctx.lang() {
        Lang::Sv => Lang::En,
        Lang::En => Lang::Sv,
    };
    let switch_href = paths::switch_language(other.code(), &encode_path(&ctx.path));
    html! {
        header.site-header {
            div.wrap.header-row {
                a.brand href=(paths::HOME) {
                    span.brand-mark aria-hidden="true" { "K" }
                    span { (h!(ctx, "service.name")) }
                }
                nav.header-nav aria-label=(h!(ctx, "nav.label")) {
                    a href=(Attr(&switch_href)) lang=(other.code()) hreflang=(other.code()) { (h!(ctx, "nav.other_language")) }
                    @if let Some(s) = ctx.signed_in() {
                        @if ctx.partner().is_some() {
                            a href=(paths::PARTNER) { (h!(ctx, "partner.title")) }
                        } @else {
                            a href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) }
                        }
                        span.who { (s.email.as_deref().or(s.person_name.as_deref()).unwrap_or_default()) }
                        (post_form(ctx, paths::LOGOUT, "inline-form", html! {
                            button.link-button type="submit" { (h!(ctx, "nav.logout")) }
                        }))
                    } @else {
                        a href=(paths::LOGIN) { (h!(ctx, "nav.login")) }
                    }
                }
            }
        }
    }
}

fn footer(ctx: &Ctx) -> Markup {
    html! {
        footer.site-footer {
            div.wrap {
                ul.footer-links {
                    li { a href=(paths::HELP_LOGIN) { (h!(ctx, "help.login.title")) } }
                    li { a href=(paths::HELP_SUPPORT) { (h!(ctx, "help.support.title")) } }
                }
                p { (h!(ctx, "footer.about")) }
            }
        }
    }
}

/// Shown by `assets/session.js` two minutes before the idle limit.
fn idle_warning(ctx: &Ctx) -> Markup {
    html! {
        div #idle-warning .idle-warning role="alertdialog" aria-labelledby="idle-warning-title" aria-describedby="idle-warning-text" hidden {
            h2 #idle-warning-title { (h!(ctx, "session.warning.title")) }
            p #idle-warning-text { (h!(ctx, "session.warning.text")) }
            button #idle-stay .button type="button" { (h!(ctx, "session.warning.stay")) }
        }
    }
}

/// Percent-encodes a path for use as a query value.
pub fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
