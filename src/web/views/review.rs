//! The review page (also the print view: Ctrl+P or the Print button give the
//! same page, laid out by the print stylesheet) and the page after approval.
use maud::{html, Markup};

use super::components::Tone;
use super::components::{
    country_name, error_summary, notice, notice_for, post_form, FormErrors, Notice,
};
use super::layout::page;
use crate::db::documents::Attached;
use crate::domain::countries::is_country;
use crate::domain::forms::answers::{holds, Answers};
use crate::domain::forms::{Field, FieldKind, FormDef, FormKind, Page};
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
}

/// An answer as a person reads it: labels for choices, names for countries.
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
        FieldKind::PersonalIdentityNumber if value.len() == 12 => {
            format!("{}-{}", &value[..8], &value[8..])
        }
        _ => value.to_string(),
    }
}

/// The words that differ between an application and a questionnaire (which has no
/// fee and is sent, not paid for): title, approval heading, lead, button, locked notice.
fn wording(form: &FormDef) -> [&'static str; 5] {
    match form.kind {
        FormKind::Application => [
            "review.title",
            "review.approve_title",
            "review.approve_lead",
            "review.approve",
            "review.locked",
        ],
        FormKind::Questionnaire => [
            "review.questionnaire.title",
            "review.questionnaire.approve_title",
            "review.questionnaire.approve_lead",
            "review.questionnaire.approve",
            "review.questionnaire.locked",
        ],
    }
}

pub fn review(ctx: &Ctx, v: &ReviewView, errors: &FormErrors, n: Notice) -> Markup {
    let lang = ctx.lang();
    let title = v.form.title.get(lang);
    let [page_title, approve_title, approve_lead, approve, locked] = wording(v.form);
    page(
        ctx,
        ctx.h(page_title),
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            p.caption { (title) }
            h1 { (ctx.h(page_title)) }
            dl.summary-list.print-facts {
                @if !v.applicant.is_empty() { div { dt { (h!(ctx, "review.applicant")) } dd { (v.applicant) } } }
                div { dt { (h!(ctx, "review.reference")) } dd.reference { (v.reference) } }
                div { dt { (h!(ctx, "review.started")) } dd { (v.started) } }
                div { dt { (h!(ctx, "review.printed")) } dd { (v.printed) } }
                @if let Some(at) = &v.approved { div { dt { (h!(ctx, "review.approved_on")) } dd { (at) } } }
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
                    dl.summary-list {
                        @for field in p.fields.iter().filter(|f| holds(f.show_if.as_ref(), v.answers)) {
                            div {
                                dt { (field.label.get(lang)) }
                                dd {
                                    @if field.kind == FieldKind::Document {
                                        @if let Some(Attached { reference, name, .. }) = v.documents.iter().find(|d| d.field == field.id) {
                                            figure.document {
                                                img src=(paths::document_thumbnail(reference)) alt=(ctx.tf("apply.document.thumbnail", &[("name", name)]));
                                                figcaption { (name) }
                                            }
                                        } @else { (h!(ctx, "review.no_answer")) }
                                    } @else {
                                        @match v.answers.get(&field.id) {
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
            p.no-print { button #print-button .button.button-secondary type="button" hidden { (h!(ctx, "review.print")) } }
            @if v.approved.is_none() {
                section.approve.no-print {
                    h2 { (ctx.h(approve_title)) }
                    p { (ctx.h(approve_lead)) }
                    (post_form(ctx, &paths::approve(v.reference), "stack", html! {
                        input type="hidden" name="revision" value=(v.revision);
                        div.field.checkbox.field-error[errors.get("confirm").is_some()] {
                            input #confirm type="checkbox" name="confirm" value="yes" aria-describedby=[errors.get("confirm").map(|_| "confirm-error")];
                            label for="confirm" { (h!(ctx, "review.confirm")) }
                        }
                        @if let Some(e) = errors.get("confirm") { p.error-message #confirm-error { (e) } }
                        button.button type="submit" { (ctx.h(approve)) }
                    }))
                }
            } @else {
                (notice(Tone::Info, html! { p { (ctx.h(locked)) } }))
            }
        },
    )
}
