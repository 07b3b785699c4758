//! E-identification pages: the choices on the login page, the page that follows
//! an order (launch link or animated QR code, BankID's message), the person-only
//! My Page and the partner page.
use maud::{html, Markup, PreEscaped};

use super::assets::url;
use super::components::{
    code_field, error_summary, notice, post_form, submit, Attr, Field, FormErrors,
};
use super::layout::{page, page_with};
use crate::db::cases::Listed;
use crate::domain::date::Date;
use crate::domain::forms::Forms;
use crate::domain::session::Method;
use crate::paths;

use super::components::Tone;
use crate::h;
use crate::outbound::eid::orders::{Attempt, Progress};
use crate::outbound::eid::Provider;
use crate::web::guard::Ctx;

pub fn method_title(method: Method) -> &'static str {
    match method {
        Method::MobileBankId => "eid.mobile_bankid",
        Method::Telia => "eid.telia",
        Method::Professional => "eid.professional",
        _ => "eid.bankid",
    }
}

fn start_button(ctx: &Ctx, method: Method, class: &str) -> Markup {
    start_button_then(ctx, method, class, None)
}

/// A button starting an e-identification order; `next` is where the person goes
/// once identified (My Page when None).
fn start_button_then(ctx: &Ctx, method: Method, class: &str, next: Option<&str>) -> Markup {
    post_form(
        ctx,
        paths::LOGIN_EID_START,
        "eid-choice",
        html! {
            input type="hidden" name="method" value=(method.as_str());
            @if let Some(next) = next {
                input type="hidden" name="next" value=(next);
            }
            button.button.(class) type="submit" { (ctx.h(method_title(method))) }
        },
    )
}

/// The personal e-identifications offered, each leading back to `next` once identified.
pub fn choices_then(ctx: &Ctx, offers: impl Fn(Provider) -> bool, next: &str) -> Markup {
    html! {
        @if offers(Provider::BankId) {
            (start_button_then(ctx, Method::BankId, "button-primary", Some(next)))
            (start_button_then(ctx, Method::MobileBankId, "button-primary", Some(next)))
        }
        @if offers(Provider::Telia) {
            (start_button_then(ctx, Method::Telia, "button-secondary", Some(next)))
        }
    }
}

/// The e-identification choices of the login page, for the services offered:
/// the personal ones (at the top) and professional e-identification (last).
pub fn login_choices(ctx: &Ctx, offers: impl Fn(Provider) -> bool) -> (Markup, Markup) {
    let personal = html! {
        @if offers(Provider::BankId) || offers(Provider::Telia) {
            section.eid-login aria-labelledby="eid-heading" {
                h2 #eid-heading { (h!(ctx, "eid.heading")) }
                p { (h!(ctx, "eid.rfa19")) }
                @if offers(Provider::BankId) {
                    (start_button(ctx, Method::BankId, "button-primary"))
                    (start_button(ctx, Method::MobileBankId, "button-primary"))
                }
                @if offers(Provider::Telia) {
                    details.more-alternatives {
                        summary { (h!(ctx, "eid.more")) }
                        p { (h!(ctx, "eid.telia_lead")) }
                        (start_button(ctx, Method::Telia, "button-secondary"))
                    }
                }
            }
        }
    };
    let professional = html! {
        @if offers(Provider::Professional) {
            section.eid-professional aria-labelledby="professional-heading" {
                h2 #professional-heading { (h!(ctx, "eid.professional")) }
                p { (h!(ctx, "eid.professional_lead")) }
                (start_button(ctx, Method::Professional, "button-secondary"))
            }
        }
    };
    (personal, professional)
}

/// What the page shows of an order: the QR code (as SVG markup) and its content,
/// or the launch link, and the development links to the simulator's test app.
pub struct OrderView {
    pub qr_svg: Option<String>,
    /// The QR code's content, shown in development so a tester can paste it.
    pub qr_content: Option<String>,
    pub launch: Option<String>,
    pub test_app: Option<String>,
    pub professional: ProfessionalHelp,
}

pub fn order_page(ctx: &Ctx, a: &Attempt, progress: &Progress, v: &OrderView) -> Markup {
    let pending = matches!(progress, Progress::Pending(_));
    let head = html! {
        @if pending {
            script src=(Attr(url("eid.js"))) defer {}
            noscript { meta http-equiv="refresh" content="2"; }
        }
    };
    let title = match a.signing {
        Some(_) => "sign.heading",
        None => method_title(a.method),
    };
    page_with(
        ctx,
        ctx.h(title),
        head,
        html! {
            h1 { (ctx.h(title)) }
            div #eid data-status=(paths::LOGIN_EID_STATUS) {
                @match progress {
                    Progress::Pending(key) => {
                        p #eid-status .eid-status role="status" aria-live="polite" { (ctx.h(key)) }
                        @if let Some(signing) = &a.signing {
                            div.sign-text {
                                p { strong { (h!(ctx, "sign.signing")) } }
                                blockquote { (signing.text) }
                            }
                        }
                        // Module shapes only, made by `qr_svg` (no request text inside).
                        @if let Some(svg) = &v.qr_svg {
                            div #eid-qr .eid-qr role="img" aria-label=(h!(ctx, "eid.qr_label")) { (PreEscaped(svg)) }
                            p { (h!(ctx, "eid.qr_help")) }
                        }
                        @if let Some(link) = &v.launch {
                            p { a.button href=(Attr(link)) {
                                @if a.method == Method::Telia { (h!(ctx, "eid.telia_launch")) } @else { (h!(ctx, "eid.launch")) }
                            } }
                        }
                        @if let Some(app) = &v.test_app {
                            div.dev-note role="note" {
                                p { strong { (h!(ctx, "eid.dev_note")) } " " a href=(Attr(app)) target="_blank" rel="noopener" { (h!(ctx, "eid.dev_app")) } }
                                @if let Some(c) = &v.qr_content {
                                    p { (h!(ctx, "eid.dev_qr")) " " code #eid-qr-content { (c) } }
                                }
                            }
                        }
                        form #eid-finish method="post" action=(paths::LOGIN_EID) {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            button.button.button-secondary type="submit" {
                                @if a.signing.is_some() { (h!(ctx, "sign.done")) } @else { (h!(ctx, "eid.done")) }
                            }
                        }
                        form #eid-cancel .secondary-action method="post" action=(paths::LOGIN_EID_CANCEL) {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            button.link-button type="submit" { (h!(ctx, "eid.cancel")) }
                        }
                    }
                    Progress::Failed(key) => {
                        (notice(Tone::Error, html! { p #eid-status .eid-status role="alert" { (ctx.h(key)) } }))
                        @if a.method == Method::Professional { (professional_checklist(ctx, &v.professional)) }
                        @if let Some(signing) = &a.signing {
                            p { a.button href=(Attr(&paths::review(&signing.reference))) { (h!(ctx, "sign.back")) } }
                        } @else {
                            (start_button(ctx, a.method, "button-primary"))
                            p { a href=(paths::LOGIN) { (h!(ctx, "eid.other_way")) } }
                        }
                    }
                    Progress::Complete(_) => {
                        p #eid-status .eid-status role="status" {
                            @if a.signing.is_some() { (h!(ctx, "sign.complete")) } @else { (h!(ctx, "eid.identified")) }
                        }
                        form #eid-finish method="post" action=(paths::LOGIN_EID) {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            button.button type="submit" { (h!(ctx, "eid.continue")) }
                        }
                    }
                }
            }
        },
    )
}

/// The page when no order could be started, or none is in progress.
pub fn start_failed(ctx: &Ctx, method: Method, key: &str, help: &ProfessionalHelp) -> Markup {
    page(
        ctx,
        ctx.h(method_title(method)),
        html! {
            h1 { (ctx.h(method_title(method))) }
            (notice(Tone::Error, html! { p #eid-status .eid-status role="alert" { (ctx.h(key)) } }))
            @if method == Method::Professional { (professional_checklist(ctx, help)) }
            (start_button(ctx, method, "button-primary"))
            p { a href=(paths::LOGIN) { (h!(ctx, "eid.other_way")) } }
        },
    )
}

/// What the troubleshooting list names for professional e-identification.
pub struct ProfessionalHelp {
    /// The service's host name, which a TLS-inspecting proxy must let through.
    pub host: String,
    pub regions_email: Option<String>,
    pub municipalities_email: Option<String>,
}

impl ProfessionalHelp {
    pub fn of(settings: &crate::settings::Settings) -> Self {
        // The configured service, or (development) the simulator on the portal itself.
        let url = settings
            .eid
            .professional
            .as_ref()
            .map(|s| s.url.clone())
            .unwrap_or_else(|| settings.public_url().to_string());
        let host = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .split(['/', ':'])
            .next()
            .unwrap_or_default()
            .to_string();
        ProfessionalHelp {
            host,
            regions_email: settings.contact.professional_regions_email.clone(),
            municipalities_email: settings.contact.professional_municipalities_email.clone(),
        }
    }
}

/// The SITHS test page the reference page links to.
const SITHS_TEST_PAGE: &str = "https://test.siths.se";

/// The reference pages' points to check when professional e-ID does not work.
pub fn professional_checklist(ctx: &Ctx, help: &ProfessionalHelp) -> Markup {
    html! {
        section.checklist aria-labelledby="checklist-heading" {
            h2 #checklist-heading { (h!(ctx, "eid.checklist.title")) }
            ul {
                li { (h!(ctx, "eid.checklist.reader")) }
                li { (h!(ctx, "eid.checklist.netid")) }
                li { (h!(ctx, "eid.checklist.certificate")) }
                li { (ctx.tf("eid.checklist.proxy_host", &[("host", &help.host)])) }
                li {
                    a href=(SITHS_TEST_PAGE) target="_blank" rel="noopener" {
                        (h!(ctx, "eid.checklist.test_page")) " " span.new-window { (h!(ctx, "eid.checklist.new_window")) }
                    }
                }
            }
            p { (h!(ctx, "eid.checklist.contact")) }
            @if help.regions_email.is_some() || help.municipalities_email.is_some() {
                ul.contact-addresses {
                    @if let Some(e) = &help.regions_email {
                        li { (h!(ctx, "eid.checklist.regions")) " " a href={ "mailto:" (e) } { (e) } }
                    }
                    @if let Some(e) = &help.municipalities_email {
                        li { (h!(ctx, "eid.checklist.municipalities")) " " a href={ "mailto:" (e) } { (e) } }
                    }
                }
            }
        }
    }
}

/// My Page of a person identified by e-identification without a linked account.
pub struct PersonPage<'a> {
    pub name: &'a str,
    pub pin: &'a str,
    pub cases: &'a [Listed],
    pub forms: &'a Forms,
    /// The link form's state: true when an SMS code was sent to the account's phone.
    pub code_sent: bool,
    pub email: &'a str,
    pub receipts: &'a [crate::web::views::my_page::ReceiptRow],
}

pub fn person_page(ctx: &Ctx, p: &PersonPage, errors: &FormErrors) -> Markup {
    page(
        ctx,
        h!(ctx, "account.page.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "account.page.title")) }
            p.who { (p.name) ", " (p.pin) }
            p { (h!(ctx, "eid.person.lead")) }
            h2 { (h!(ctx, "account.page.cases")) }
            @if p.cases.is_empty() {
                p.no-cases { (h!(ctx, "eid.person.no_cases")) }
            } @else {
                ul.cases {
                    @for c in p.cases {
                        li {
                            a href=(Attr(&paths::case(&c.verification))) { span.verification-number { (c.verification) } }
                            " " (p.forms.title(&c.form_id, ctx.lang())) ", " (Date::in_sweden(c.submitted_at).to_string())
                            ": " span.status { (ctx.h(c.status.keys()[0])) }
                        }
                    }
                }
            }
            (crate::web::views::my_page::receipt_list(ctx, p.receipts))
            section.link-account aria-labelledby="link-heading" {
                h2 #link-heading { (h!(ctx, "eid.link.title")) }
                @if p.code_sent {
                    p { (h!(ctx, "eid.link.sent")) }
                    (post_form(ctx, paths::ACCOUNT_LINK_VERIFY, "stack", html! {
                        (code_field(ctx, errors, h!(ctx, "eid.link.code_hint")))
                        (submit(h!(ctx, "eid.link.verify")))
                    }))
                } @else {
                    p { (h!(ctx, "eid.link.lead")) }
                    (post_form(ctx, paths::ACCOUNT_LINK, "stack", html! {
                        (Field::new("email", h!(ctx, "login.email"), "email").value(p.email).autocomplete("username").render(errors))
                        (Field::new("password", h!(ctx, "login.password"), "password").autocomplete("current-password").render(errors))
                        (submit(h!(ctx, "eid.link.send")))
                    }))
                }
            }
        },
    )
}

/// The partner page of a municipality's or region's staff member.
pub fn partner_page(
    ctx: &Ctx,
    organisation: &str,
    typed: (&str, &str),
    errors: &FormErrors,
    reported: Option<&str>,
) -> Markup {
    page(
        ctx,
        h!(ctx, "partner.title"),
        html! {
            @if let Some(number) = reported {
                (notice(Tone::Success, html! { p { (ctx.tf("partner.reported", &[("number", number)])) } }))
            }
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "partner.title")) }
            p.organisation { (organisation) }
            h2 { (h!(ctx, "partner.health.title")) }
            p { (h!(ctx, "partner.health.lead")) }
            (post_form(ctx, paths::PARTNER_HEALTH_EXAMINATIONS, "stack", html! {
                (Field::new("verification", h!(ctx, "partner.verification"), "text").hint(h!(ctx, "partner.verification_hint")).value(typed.0).render(errors))
                (Field::new("offered_on", h!(ctx, "partner.offered_on"), "text").inputmode("numeric").hint(h!(ctx, "partner.offered_on_hint")).value(typed.1).render(errors))
                (submit(h!(ctx, "partner.report")))
            }))
        },
    )
}
