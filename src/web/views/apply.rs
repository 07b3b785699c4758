//! Choosing an application type and filling in its pages. Fields are drawn from
//! the type's definition; every kind has its own input.
use maud::{html, Markup};

use super::components::{
    described_by, error_summary, notice, notice_for, post_form, post_form_with_id, Field as Input,
    FormErrors, Notice, Tone,
};
use super::layout::{page, page_of_form, PageForm};
use crate::db::documents::Attached;
use crate::domain::forms::answers::Answers;
use crate::domain::forms::{Field, FieldKind, FormDef, FormKind, Page};
use crate::domain::money;
use crate::domain::rules::PAGE_TIME;
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

pub fn choose(ctx: &Ctx, forms: &[FormDef]) -> Markup {
    let lang = ctx.lang();
    page(
        ctx,
        h!(ctx, "apply.choose.title"),
        html! {
            h1 { (h!(ctx, "apply.choose.title")) }
            p.lead { (h!(ctx, "apply.choose.lead")) }
            div.cards {
                @for form in forms.iter().filter(|f| f.kind == FormKind::Application) {
                    section.card {
                        h2 { (form.title.get(lang)) }
                        p { (form.description.get(lang)) }
                        ul.facts {
                            li { (ctx.tf("apply.choose.fee", &[("fee", &money::kronor(form.fee_sek, lang))])) }
                            li { (ctx.plural("apply.choose.lifetime", form.lifetime_days, &[("days", &form.lifetime_days.to_string())])) }
                        }
                        @let documents = form.documents();
                        @if !documents.is_empty() {
                            p.documents-lead { (h!(ctx, "apply.choose.documents")) }
                            ul.documents {
                                @for d in documents { li { (d.label.get(lang)) } }
                            }
                        }
                        (post_form(ctx, paths::APPLICATIONS_NEW, "inline-form", html! {
                            input type="hidden" name="form" value=(form.id);
                            button.button type="submit" aria-label=(format!("{} – {}", ctx.t("apply.choose.start"), form.title.get(lang))) {
                                (h!(ctx, "apply.choose.start"))
                            }
                        }))
                    }
                }
            }
        },
    )
}

/// Everything a page of the form shows.
pub struct PageView<'a> {
    pub form: &'a FormDef,
    pub page: &'a Page,
    pub reference: &'a str,
    pub step: (usize, usize),
    pub deletion_date: String,
    pub revision: i64,
    /// The values to show: what was posted, or what is saved.
    pub values: &'a Answers,
    pub has_previous: bool,
    /// The photos already uploaded.
    pub documents: &'a [Attached],
    /// The questions whose typed answers "Save and leave" could not keep.
    pub unsaved: Vec<&'a str>,
    /// For a page sent from an older copy: what is saved now, by field, where it
    /// differs from what was sent (empty: nothing is saved), so sending again
    /// does not undo it unseen.
    pub saved_now: Option<&'a Answers>,
}

/// The id of an application page's form (the header's language switch sends it).
pub const PAGE_FORM: &str = "page-form";

pub fn page_form(ctx: &Ctx, v: &PageView, errors: &FormErrors, n: Notice) -> Markup {
    let lang = ctx.lang();
    let action = paths::draft_page(v.reference, &v.page.id);
    let (step, steps) = (v.step.0.to_string(), v.step.1.to_string());
    let form = PageForm {
        id: PAGE_FORM,
        default: ("next", ctx.t("apply.page.next")),
    };
    page_of_form(
        ctx,
        v.page.title.get(lang),
        &form,
        html! {
            (notice_for(ctx, n))
            @if !v.unsaved.is_empty() {
                (notice(Tone::Warning, html! {
                    p { (ctx.tf("apply.page.not_saved", &[("questions", &v.unsaved.join(", "))])) }
                }))
            }
            (error_summary(ctx, errors))
            p.caption { (v.form.title.get(lang)) }
            p.step { (ctx.tf("apply.page.step", &[("step", &step), ("steps", &steps)])) }
            h1 { (v.page.title.get(lang)) }
            @if let Some(intro) = &v.page.intro { p { (intro.get(lang)) } }
            div.draft-facts {
                // The applicant's unfinished application is kept until a date; the
                // questionnaire's answers are not the person in Sweden's to lose.
                @if ctx.respondent().is_none() {
                    p { (ctx.tf("apply.page.deletion", &[("date", &v.deletion_date)])) }
                }
                p #page-timer data-seconds=(PAGE_TIME) data-one=(ctx.t("apply.page.time_left.one")) data-other=(ctx.t("apply.page.time_left.other")) {
                    (ctx.plural("apply.page.time", PAGE_TIME / 60, &[("minutes", &(PAGE_TIME / 60).to_string())]))
                }
                p #page-timer-announce .visually-hidden aria-live="polite" {}
            }
            (post_form_with_id(ctx, Some(PAGE_FORM), &action, "stack", html! {
                input type="hidden" name="revision" value=(v.revision);
                @for field in &v.page.fields {
                    @if field.kind == FieldKind::Document {
                        (document_input(ctx, v, field, errors))
                    } @else {
                        (field_input(ctx, v, field, errors))
                    }
                }
                div.form-buttons {
                    @if v.has_previous {
                        button.button.button-secondary type="submit" name="action" value="back" { (h!(ctx, "apply.page.back")) }
                    }
                    button.button type="submit" name="action" value="next" { (h!(ctx, "apply.page.next")) }
                    button.link-button type="submit" name="action" value="save" { (h!(ctx, "apply.page.save")) }
                }
            }))
            p.hint { (h!(ctx, "apply.page.use_buttons")) }
        },
    )
}

/// The hint for a field shown only after a certain answer.
fn condition_hint(ctx: &Ctx, form: &FormDef, field: &Field) -> Option<String> {
    let c = field.show_if.as_ref()?;
    let source = form.field(&c.field)?;
    let answer = match source.kind {
        FieldKind::YesNo => ctx
            .t(if c.equals == "yes" {
                "apply.yes"
            } else {
                "apply.no"
            })
            .to_string(),
        _ => source
            .options
            .iter()
            .find(|o| o.value == c.equals)?
            .label
            .get(ctx.lang())
            .to_string(),
    };
    Some(ctx.tf(
        "apply.conditional",
        &[
            ("question", source.label.get(ctx.lang())),
            ("answer", &answer),
        ],
    ))
}

/// What is saved now for `field` when it differs from what was sent.
fn saved_now(ctx: &Ctx, v: &PageView, field: &Field) -> Option<String> {
    let saved = v.saved_now?.get(&field.id)?;
    let shown = if saved.is_empty() {
        ctx.t("apply.page.saved_nothing").to_string()
    } else {
        super::review::shown(ctx, field, saved)
    };
    Some(ctx.tf("apply.page.saved_now", &[("value", &shown)]))
}

fn field_input(ctx: &Ctx, v: &PageView, field: &Field, errors: &FormErrors) -> Markup {
    let (form, values) = (v.form, v.values);
    let lang = ctx.lang();
    let value = values
        .get(&field.id)
        .map(String::as_str)
        .unwrap_or_default();
    // A date is typed in the format its hint names (a browser's own date control
    // shows its locale's order instead, which would not match the hint).
    let format = (field.kind == FieldKind::Date).then(|| ctx.t("apply.date_format").to_string());
    let hints: Vec<String> = [
        format,
        field.hint.as_ref().map(|h| h.get(lang).to_string()),
        condition_hint(ctx, form, field),
        saved_now(ctx, v, field),
    ]
    .into_iter()
    .flatten()
    .collect();
    let hint = (!hints.is_empty()).then(|| hints.join(" "));
    let label = if field.required {
        field.label.get(lang).to_string()
    } else {
        format!("{} {}", field.label.get(lang), ctx.t("apply.optional"))
    };
    let id = field.id.as_str();
    let error = errors.get(id);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = described_by(id, hint.is_some(), error.is_some());
    let messages = html! {
        @if let Some(h) = &hint { p.hint id=(hint_id) { (h) } }
        @if let Some(e) = error { p.error-message id=(error_id) { (e) } }
    };
    let simple = |kind: &'static str, autocomplete: &'static str| {
        let mut input = Input::new(id, label.as_str(), kind)
            .value(value)
            .autocomplete(autocomplete);
        if field.kind == FieldKind::Date {
            input = input.inputmode("numeric");
        }
        if let Some(h) = &hint {
            input = input.hint(h.as_str());
        }
        input.render(errors)
    };
    match field.kind {
        FieldKind::ShortText
        | FieldKind::PassportNumber
        | FieldKind::PersonalIdentityNumber
        | FieldKind::OrganisationNumber => simple("text", "off"),
        FieldKind::Email => simple("email", "email"),
        FieldKind::Phone => simple("tel", "tel"),
        // The person's own date of birth, which browsers can fill in.
        FieldKind::Date if id == "date_of_birth" => simple("text", "bday"),
        FieldKind::Date => simple("text", "off"),
        FieldKind::Number | FieldKind::Amount => simple("text", "off"),
        FieldKind::LongText => html! {
            div.field.field-error[error.is_some()] {
                label for=(id) { (label) }
                (messages)
                textarea id=(id) name=(id) rows="5" aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")] { (value) }
            }
        },
        FieldKind::YesNo | FieldKind::Choice => {
            let options: Vec<(String, String)> = match field.kind {
                FieldKind::YesNo => vec![
                    ("yes".into(), ctx.t("apply.yes").into()),
                    ("no".into(), ctx.t("apply.no").into()),
                ],
                _ => field
                    .options
                    .iter()
                    .map(|o| (o.value.clone(), o.label.get(lang).to_string()))
                    .collect(),
            };
            html! {
                div.field.field-error[error.is_some()] {
                    fieldset id=(id) aria-describedby=[described.as_deref()] {
                        legend { (label) }
                        (messages)
                        @for (i, (v, text)) in options.iter().enumerate() {
                            @let option_id = format!("{id}-{i}");
                            div.radio {
                                input type="radio" id=(option_id) name=(id) value=(v) checked[v == value];
                                label for=(option_id) { (text) }
                            }
                        }
                    }
                }
            }
        }
        FieldKind::Country => html! {
            div.field.field-error[error.is_some()] {
                label for=(id) { (label) }
                (messages)
                select id=(id) name=(id) aria-describedby=[described.as_deref()] aria-invalid=[error.map(|_| "true")] {
                    option value="" { (h!(ctx, "apply.choose_country")) }
                    @for (iso, name, _) in super::components::countries_by_name(ctx) {
                        option value=(iso) selected[iso.eq_ignore_ascii_case(value)] { (name) }
                    }
                }
            }
        },
        // Drawn by `document_input`.
        FieldKind::Document => html! {},
    }
}

/// A photo of a document: what is uploaded, a file picker, and an upload button that
/// sends the whole page (typed answers too) as multipart, so nothing typed is lost.
fn document_input(ctx: &Ctx, v: &PageView, field: &Field, errors: &FormErrors) -> Markup {
    let lang = ctx.lang();
    let id = field.id.as_str();
    let error = errors.get(id);
    let uploaded = v.documents.iter().find(|d| d.field == id);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = described_by(id, true, error.is_some());
    let upload = paths::draft_page_upload(v.reference, &v.page.id);
    let mut hint = field
        .hint
        .as_ref()
        .map(|h| h.get(lang).to_string())
        .unwrap_or_default();
    hint.push(' ');
    hint.push_str(ctx.t("apply.document.rules"));
    html! {
        div.field.field-error[error.is_some()] {
            label for=(id) {
                (field.label.get(lang))
                @if !field.required { " " (h!(ctx, "apply.optional")) }
            }
            p.hint id=(hint_id) { (hint) }
            @if let Some(e) = error { p.error-message id=(error_id) { (e) } }
            @if let Some(Attached { reference, name, .. }) = uploaded {
                figure.document {
                    img src=(paths::document_thumbnail(reference)) alt=(ctx.tf("apply.document.thumbnail", &[("name", name)]));
                    figcaption {
                        (h!(ctx, "apply.document.uploaded")) " "
                        a href=(paths::document_file(reference)) { (name) }
                    }
                }
            }
            input type="file" id=(id) name=(id) accept="image/jpeg,image/png" aria-describedby=[described] aria-invalid=[error.map(|_| "true")];
            button.button.button-secondary type="submit" name="upload" value=(id) formaction=(upload) formenctype="multipart/form-data" formmethod="post" formnovalidate {
                @if uploaded.is_some() { (h!(ctx, "apply.document.replace")) } @else { (h!(ctx, "apply.document.upload")) }
            }
            @if uploaded.is_some() {
                " "
                button.button.button-secondary type="submit" name="remove" value=(id) formaction=(paths::draft_page_remove(v.reference, &v.page.id)) formmethod="post" formnovalidate {
                    (h!(ctx, "apply.document.remove"))
                }
            }
        }
    }
}
