//! The page shell: header with the service name, language switch and login
//! state; the dev-mode banner; the footer; the idle-timeout warning.
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::assets::url;
use super::components::{post_form, Attr};
use crate::domain::rules::{SESSION_IDLE, SESSION_WARNING};
use crate::domain::staff::StaffMember;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

/// A whole page around `content`.
pub fn page(ctx: &Ctx, title: impl maud::Render, content: Markup) -> Markup {
    page_with(ctx, title, html! {}, content)
}

/// A whole page with more in its head (a page's own script, a refresh).
pub fn page_with(ctx: &Ctx, title: impl maud::Render, head: Markup, content: Markup) -> Markup {
    shell(ctx, title, head, content, None)
}

/// A whole page whose content `write` puts straight into the page's own buffer,
/// with room for `size` bytes of it made first. For a large page served often (My
/// Page, whose case rows are most of what it sends): content built apart is copied
/// into the page once more, and each buffer grows by copying what it holds.
pub fn page_writing(
    ctx: &Ctx,
    title: impl maud::Render,
    size: usize,
    write: impl FnOnce(&mut String),
) -> Markup {
    let here = ContentAt::default();
    let mut page = shell(ctx, title, html! {}, &here, None).into_string();
    // The shell writes its content in every case (a unit test holds it).
    let at = here.0.get().unwrap_or(page.len());
    let after = page.split_off(at);
    page.reserve(size + after.len());
    write(&mut page);
    page.push_str(&after);
    PreEscaped(page)
}

/// Written where a page's content goes: nothing, but it notes the place.
#[derive(Default)]
struct ContentAt(std::cell::Cell<Option<usize>>);

impl maud::Render for ContentAt {
    fn render_to(&self, buffer: &mut String) {
        self.0.set(Some(buffer.len()));
    }
}

/// A page around one form the person types into (an application's page), whose
/// `id` is `form.id`. Enter in any field means `form.default` (the form's primary
/// action: a first, unseen submit button, so a Back or Upload button placed before
/// it is never what Enter does), and the header's language switch sends the form
/// with the action `language`, so the page comes back in the other language with
/// everything typed still in it, script or not.
pub fn page_of_form(
    ctx: &Ctx,
    title: impl maud::Render,
    form: &PageForm,
    content: Markup,
) -> Markup {
    shell(ctx, title, html! {}, content, Some(form))
}

/// The form a page is built around; see [`page_of_form`].
pub struct PageForm<'a> {
    pub id: &'a str,
    /// The `action` value of the primary button, and its text.
    pub default: (&'a str, &'a str),
}

/// The `action` a page's form is sent with when the person switches language.
pub const LANGUAGE_ACTION: &str = "language";

fn shell(
    ctx: &Ctx,
    title: impl maud::Render,
    head: Markup,
    content: impl maud::Render,
    form: Option<&PageForm>,
) -> Markup {
    let logged_in = ctx.signed_in().is_some() || ctx.respondent().is_some();
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
                @if let Some(f) = form {
                    // First in the document of all the form's buttons: the default button.
                    button.visually-hidden type="submit" form=(f.id) name="action" value=(f.default.0) tabindex="-1" aria-hidden="true" { (f.default.1) }
                }
                (header(ctx, form))
                @if ctx.dev_mailbox {
                    div.dev-banner role="note" {
                        div.wrap {
                            strong { (h!(ctx, "dev.banner")) } " "
                            a href=(paths::DEV_MAILBOX) { (h!(ctx, "dev.mailbox_link")) }
                        }
                    }
                }
                main #main .wrap tabindex="-1" {
                    @if ctx.respondent().is_some() {
                        p.shared-computer.hint { (h!(ctx, "questionnaire.shared_computer")) }
                    }
                    (content)
                }
                (footer(ctx))
                @if logged_in { (idle_warning(ctx)) }
            }
        }
    }
}

fn header(ctx: &Ctx, form: Option<&PageForm>) -> Markup {
    let other = ctx.lang().other();
    let switch_href = paths::switch_language(other.code(), &encode_path(&ctx.path));
    html! {
        header.site-header {
            div.wrap.header-row {
                a.brand href=(paths::HOME) {
                    span.brand-mark aria-hidden="true" { "K" }
                    span { (h!(ctx, "service.name")) }
                }
                nav.header-nav aria-label=(h!(ctx, "nav.label")) {
                    @if let Some(f) = form {
                        button.link-button type="submit" form=(f.id) name="action" value=(LANGUAGE_ACTION) formnovalidate lang=(other.code()) { (h!(ctx, "nav.other_language")) }
                    } @else {
                        a href=(Attr(&switch_href)) lang=(other.code()) hreflang=(other.code()) { (h!(ctx, "nav.other_language")) }
                    }
                    @if let Some(member) = ctx.staff.get() {
                        (staff_nav(ctx, member))
                    } @else if ctx.path.starts_with(paths::STAFF) {
                        // The staff login and setup pages: not the applicants' login.
                    } @else if let Some(s) = ctx.signed_in() {
                        @if ctx.partner().is_some() {
                            a href=(paths::PARTNER) { (h!(ctx, "partner.title")) }
                        } @else {
                            a href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) }
                        }
                        span.who { (s.email.as_deref().or(s.person_name.as_deref()).unwrap_or_default()) }
                        (post_form(ctx, paths::LOGOUT, "inline-form", html! {
                            button.link-button type="submit" { (h!(ctx, "nav.logout")) }
                        }))
                    } @else if ctx.respondent().is_some() {
                        // The person in Sweden, in the questionnaire's own session.
                        a href=(paths::QUESTIONNAIRE) { (h!(ctx, "questionnaire.entry.title")) }
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

/// The staff header: the areas the member's role reaches, who is logged in and
/// in which role, and the staff logout.
fn staff_nav(ctx: &Ctx, member: &StaffMember) -> Markup {
    html! {
        a href=(paths::STAFF) { (h!(ctx, "staff.home.title")) }
        @if member.as_support().is_some() {
            a href=(paths::STAFF_SUPPORT) { (h!(ctx, "staff.support.title")) }
        }
        @if member.as_caseworker().is_some() {
            a href=(paths::STAFF_CASES) { (h!(ctx, "staff.cases.title")) }
        }
        @if member.as_admin().is_some() {
            a href=(paths::STAFF_AUDIT) { (h!(ctx, "staff.audit.title")) }
        }
        span.who.staff-who {
            (member.email) " "
            span.role { "(" (ctx.h(member.role.key())) ")" }
        }
        (post_form(ctx, paths::STAFF_LOGOUT, "inline-form", html! {
            button.link-button type="submit" { (h!(ctx, "staff.logout")) }
        }))
    }
}

fn footer(ctx: &Ctx) -> Markup {
    html! {
        footer.site-footer {
            div.wrap {
                nav aria-label=(h!(ctx, "footer.label")) {
                    ul.footer-links {
                        li { a href=(paths::HELP_LOGIN) { (h!(ctx, "help.login.title")) } }
                        li { a href=(paths::HELP_SUPPORT) { (h!(ctx, "help.support.title")) } }
                        li { a href=(paths::CONTACT) { (h!(ctx, "footer.contact")) } }
                        li { a href=(paths::ACCESSIBILITY) { (h!(ctx, "footer.accessibility")) } }
                        li { a href=(paths::PRIVACY) { (h!(ctx, "footer.privacy")) } }
                        li { a href=(paths::TERMS) { (h!(ctx, "footer.terms")) } }
                        li { a href=(paths::COOKIES) { (h!(ctx, "footer.cookies")) } }
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;

    #[test]
    fn content_written_into_the_page_lands_where_content_goes() {
        for lang in [Lang::Sv, Lang::En] {
            let ctx = Ctx::for_test(lang);
            let content = html! { p { "Här & nu" } };
            let built = page(&ctx, "Titel", content.clone()).into_string();
            for size in [0, 10, 100_000] {
                let written = page_writing(&ctx, "Titel", size, |page| {
                    page.push_str(&content.0);
                })
                .into_string();
                assert_eq!(written, built, "{lang:?}, {size} bytes made room for");
            }
        }
    }
}
