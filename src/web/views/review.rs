//! The review page (also the print view: Ctrl+P or the Print button give the
//! same page, laid out by the print stylesheet) and the page after approval.
use maud::{html, Markup};

use super::components::Tone;
use super::components::{
    country_name, error_summary, notice, notice_for, post_form, print_button, tick_box, Attr,
    FormErrors, Notice,
};
use super::layout::page;
use crate::db::documents::Attached;
use crate::domain::countries::is_country;
use crate::domain::forms::answers::{holds, Answers};
use crate::domain::forms::{Field, FieldKind, FormDef, FormKind, Page};
use crate::domain::{money, phone};
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub struct ReviewView<'a> {
    pub form: &'a FormDef,
    pub pages: Vec<&'a Page>,
    pub answers: &'a Answers,
    pub documents: &'a [Attached],
    pub reference: &'a str,
    pub applicant: String,
    pub started: String,
    pub printed: String,
    pub revision: i64,
    pub approved: Option<String>,
    /// Once paid for: the verification number and the day it was submitted.
    pub submitted: Option<Submitted>,
    /// Whether the approval can be signed with BankID.
    pub signing: Signing,
}

/// Signing the approval with BankID, as offered on the review page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signing {
    /// Not offered: no BankID here, no applicant number, or not an application.
    Not,
    Offered,
    /// The person is identified as someone other than the applicant.
    NotTheApplicant,
}

pub struct Submitted {
    pub verification: String,
    pub on: String,
}

fn sign_button(method: crate::domain::session::Method) -> &'static str {
    match method {
        crate::domain::session::Method::MobileBankId => "sign.with_mobile_bankid",
        _ => "sign.with_bankid",
    }
}

/// An answer as a person reads it: labels for choices, names for countries,
/// phone numbers in groups and amounts in the reader's way of writing money.
pub(super) fn shown(ctx: &Ctx, field: &Field, value: &str) -> String {
    match field.kind {
        FieldKind::YesNo => ctx
            .t(if value == "yes" {
                "apply.yes"
            } else {
                "apply.no"
            })
            .to_string(),
        FieldKind::Choice => field
            .options
            .iter()
            .find(|o| o.value == value)
            .map(|o| o.label.get(ctx.lang()).to_string())
            .unwrap_or_default(),
        FieldKind::Country if is_country(value) => country_name(ctx, value).to_string(),
        FieldKind::Phone => phone::readable(value),
        FieldKind::Amount => match value.parse() {
            Ok(kronor) => money::kronor(kronor, ctx.lang()),
            Err(_) => value.to_string(),
        },
        FieldKind::PersonalIdentityNumber if value.len() == 12 => {
            format!("{}-{}", &value[..8], &value[8..])
        }
        _ => value.to_string(),
    }
}

/// Where a reader's document thumbnails and full-size files are served.
pub struct DocumentLinks {
    pub thumbnail: fn(&Attached) -> String,
    pub file: fn(&Attached) -> String,
}

/// The applicant's own documents, on the review page.
const APPLICANT_DOCUMENTS: DocumentLinks = DocumentLinks {
    thumbnail: |d| paths::document_thumbnail(&d.reference),
    file: |d| paths::document_file(&d.reference),
};

/// The answers of one page of a form as a summary list: each shown question's
/// label and the answer as a person reads it ([`shown`]), documents as thumbnails
/// that open full size. The one way answers are shown: the applicant's review
/// page and the caseworker's case page both use it.
pub fn answer_list(
    ctx: &Ctx,
    fields: &[Field],
    answers: &Answers,
    documents: &[Attached],
    links: &DocumentLinks,
) -> Markup {
    let lang = ctx.lang();
    html! {
        dl.summary-list {
            @for field in fields.iter().filter(|f| holds(f.show_if.as_ref(), answers)) {
                div {
                    dt { (field.label.get(lang)) }
                    dd {
                        @if field.kind == FieldKind::Document {
                            @if let Some(d) = documents.iter().find(|d| d.field == field.id) {
                                figure.document {
                                    a href=(Attr(&(links.file)(d))) {
                                        img src=(Attr(&(links.thumbnail)(d))) alt=(ctx.tf("apply.document.thumbnail", &[("name", &d.name)]));
                                    }
                                    figcaption { (d.name) }
                                }
                            } @else { (h!(ctx, "review.no_answer")) }
                        } @else {
                            @match answers.get(&field.id) {
                                Some(value) => (shown(ctx, field, value)),
                                None => (h!(ctx, "review.no_answer")),
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The catalog keys of the words that differ between an application and a
/// questionnaire (which has no fee and is sent, not paid for).
struct Wording {
    /// The heading while it can still be changed.
    title: &'static str,
    /// The heading once approved (an application not yet paid for).
    locked_title: &'static str,
    approve_title: &'static str,
    approve_lead: &'static str,
    approve: &'static str,
    locked: &'static str,
}

fn wording(form: &FormDef) -> Wording {
    match form.kind {
        FormKind::Application => Wording {
            title: "review.title",
            locked_title: "review.approved_heading",
            approve_title: "review.approve_title",
            approve_lead: "review.approve_lead",
            approve: "review.approve",
            locked: "review.locked",
        },
        FormKind::Questionnaire => Wording {
            title: "review.questionnaire.title",
            locked_title: "review.questionnaire.sent_title",
            approve_title: "review.questionnaire.approve_title",
            approve_lead: "review.questionnaire.approve_lead",
            approve: "review.questionnaire.approve",
            locked: "review.questionnaire.locked",
        },
    }
}

/// Where the application stands, as the printout says it: a draft, approved but
/// not paid for, or submitted.
fn status_key(v: &ReviewView) -> &'static str {
    match (&v.approved, &v.submitted) {
        (None, _) => "review.status_draft",
        (Some(_), None) => "review.status_approved",
        (Some(_), Some(_)) => "review.status_submitted",
    }
}

pub fn review(ctx: &Ctx, v: &ReviewView, errors: &FormErrors, n: Notice) -> Markup {
    let lang = ctx.lang();
    let title = v.form.title.get(lang);
    let words = wording(v.form);
    let page_title = match (&v.approved, &v.submitted) {
        (None, _) => words.title,
        (Some(_), None) => words.locked_title,
        (Some(_), Some(_)) => "review.submitted_heading",
    };
    let application = v.form.kind == FormKind::Application;
    let fee = money::amount(v.form.fee_ore(), lang);
    page(
        ctx,
        ctx.h(page_title),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            p.caption { (title) }
            h1 { (ctx.h(page_title)) }
            @if application && v.approved.is_some() && v.submitted.is_none() {
                (notice(Tone::Info, html! {
                    p { (ctx.tf("review.unpaid", &[("amount", &fee)])) }
                    p { a.button href=(Attr(&paths::approved(v.reference))) { (h!(ctx, "payment.pay")) } }
                }))
            }
            dl.summary-list.print-facts {
                @if !v.applicant.is_empty() { div { dt { (h!(ctx, "review.applicant")) } dd { (v.applicant) } } }
                @if application {
                    div { dt { (h!(ctx, "review.status")) } dd { strong.status-tag { (ctx.h(status_key(v))) } } }
                }
                @if let Some(s) = &v.submitted {
                    div { dt { (h!(ctx, "receipt.verification")) } dd.verification-number { (s.verification) } }
                    div { dt { (h!(ctx, "review.submitted_on")) } dd { (s.on) } }
                }
                div { dt { (h!(ctx, "review.reference")) } dd.reference { (v.reference) } }
                div { dt { (h!(ctx, "review.started")) } dd { (v.started) } }
                @if let Some(at) = &v.approved { div { dt { (h!(ctx, "review.approved_on")) } dd { (at) } } }
                @if application { div { dt { (h!(ctx, "payment.fee")) } dd { (fee) } } }
                div { dt { (h!(ctx, "review.printed")) } dd { (v.printed) } }
            }
            @if v.approved.is_none() {
                p.no-print { (h!(ctx, "review.lead")) }
            }
            @for p in &v.pages {
                section.review-page {
                    div.review-heading {
                        h2 { (p.title.get(lang)) }
                        @if v.approved.is_none() {
                            a.no-print href=(paths::draft_page(v.reference, &p.id)) {
                                (h!(ctx, "review.change")) span.visually-hidden { " " (p.title.get(lang)) }
                            }
                        }
                    }
                    (answer_list(ctx, &p.fields, v.answers, v.documents, &APPLICANT_DOCUMENTS))
                }
            }
            (print_button(ctx, h!(ctx, "review.print")))
            @if v.approved.is_none() {
                section.approve.no-print {
                    h2 { (ctx.h(words.approve_title)) }
                    p { (ctx.h(words.approve_lead)) }
                    @match v.signing {
                        Signing::Offered => {
                            div.sign-choice {
                                h3 { (h!(ctx, "sign.title")) }
                                p { (h!(ctx, "sign.lead")) }
                                div.button-row {
                                    @for method in crate::flows::signing::METHODS {
                                        (post_form(ctx, &paths::sign(v.reference), "eid-choice", html! {
                                            input type="hidden" name="revision" value=(v.revision);
                                            input type="hidden" name="method" value=(method.as_str());
                                            button.button type="submit" { (ctx.h(sign_button(method))) }
                                        }))
                                    }
                                }
                                h3 { (h!(ctx, "sign.or_tick")) }
                            }
                        }
                        Signing::NotTheApplicant => {
                            (notice(Tone::Info, html! { p.sign-other { (h!(ctx, "sign.refused.other")) } }))
                        }
                        Signing::Not => {}
                    }
                    (post_form(ctx, &paths::approve(v.reference), "stack", html! {
                        input type="hidden" name="revision" value=(v.revision);
                        (tick_box("confirm", h!(ctx, "review.confirm"), false, errors))
                        button.button type="submit" { (ctx.h(words.approve)) }
                    }))
                }
            } @else {
                (notice(Tone::Info, html! { p { (ctx.h(words.locked)) } }))
            }
        },
    )
}
