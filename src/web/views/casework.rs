//! The caseworkers' pages: the list of cases with its filters and paging, and one
//! case with everything in it and the form that moves it to its next status.
use super::components::{notice, Tone};
use maud::{html, Markup};

use super::cases::{timeline, Reader};
use super::components::{
    error_summary, notice_for, post_form, submit, Attr, Field, FormErrors, Notice,
};
use super::layout::page;
use super::review::{answer_list, DocumentLinks};
use crate::db::case_list::Found;
use crate::db::documents::Attached;
use crate::db::payments::Payment;
use crate::domain::case::{CaseStatus, MESSAGE_MAX_CHARS};
use crate::domain::case_search::Sort;
use crate::domain::csv;
use crate::domain::date::{time_in_sweden, Date};
use crate::domain::forms::answers::visible_pages;
use crate::domain::forms::answers::Answers;
use crate::domain::forms::{FormDef, FormKind, Forms};
use crate::domain::money;
use crate::domain::staff::StaffId;
use crate::flows::casework::{CaseFile, Listing};
use crate::h;
use crate::i18n::Escaped;
use crate::paths;
use crate::web::guard::Ctx;

/// The list's search and filters as typed, kept in the form and the paging links.
#[derive(Default, serde::Serialize)]
pub struct ListFilters {
    pub q: String,
    pub status: String,
    pub form: String,
    pub from: String,
    pub until: String,
    pub assigned: String,
    pub sort: String,
}

impl ListFilters {
    /// The query string of these filters on `page`.
    pub fn query(&self, page: i64) -> String {
        let page = page.to_string();
        let filters = serde_urlencoded::to_string(self).unwrap_or_default();
        format!("{filters}&page={page}")
    }
}

pub struct CaseList<'a> {
    pub listing: &'a Listing,
    pub filters: &'a ListFilters,
    pub page: i64,
    pub forms: &'a Forms,
}

/// A select of the list's filters: `options` are (value, text), the first "any".
fn select(id: &str, label: Escaped, chosen: &str, options: &[(String, String)]) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                @for (value, text) in options {
                    option value=(value) selected[chosen == value] { (text) }
                }
            }
        }
    }
}

fn filters_form(ctx: &Ctx, l: &CaseList, errors: &FormErrors) -> Markup {
    let f = l.filters;
    let any = || (String::new(), ctx.t("staff.cases.any").to_string());
    let statuses: Vec<_> = std::iter::once(any())
        .chain(
            CaseStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), ctx.t(s.keys()[0]).to_string())),
        )
        .collect();
    let types: Vec<_> = std::iter::once(any())
        .chain(
            l.forms
                .iter()
                .filter(|x| x.kind == FormKind::Application)
                .map(|x| (x.id.clone(), x.title.get(ctx.lang()).to_string())),
        )
        .collect();
    let assigned: Vec<_> = [
        ("mine", "staff.cases.assigned_mine"),
        ("anyone", "staff.cases.assigned_anyone"),
        ("nobody", "staff.cases.assigned_nobody"),
    ]
    .iter()
    .map(|(v, k)| (v.to_string(), ctx.t(k).to_string()))
    .chain(
        l.listing
            .caseworkers
            .iter()
            .map(|(id, email)| (id.0.to_string(), email.clone())),
    )
    .collect();
    let sorts: Vec<_> = Sort::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), ctx.t(s.key()).to_string()))
        .collect();
    html! {
        form.filters method="get" action=(paths::STAFF_CASES) role="search" {
            (Field::new("q", h!(ctx, "staff.cases.search"), "search").hint(h!(ctx, "staff.cases.search_hint")).value(&f.q).render(errors))
            (select("assigned", h!(ctx, "staff.cases.assigned"), &f.assigned, &assigned))
            (select("status", h!(ctx, "cases.status"), &f.status, &statuses))
            (select("form", h!(ctx, "staff.cases.type"), &f.form, &types))
            (Field::new("from", h!(ctx, "staff.cases.from"), "text").inputmode("numeric").hint(h!(ctx, "apply.date_format")).value(&f.from).render(errors))
            (Field::new("until", h!(ctx, "staff.cases.until"), "text").inputmode("numeric").hint(h!(ctx, "apply.date_format")).value(&f.until).render(errors))
            (select("sort", h!(ctx, "staff.cases.sort"), &f.sort, &sorts))
            (submit(h!(ctx, "staff.cases.apply")))
        }
    }
}

pub fn list(ctx: &Ctx, l: &CaseList, errors: &FormErrors) -> Markup {
    let f = l.filters;
    let link = |page: i64| paths::staff_cases_query(&f.query(page));
    let pages = l.listing.pages();
    page(
        ctx,
        h!(ctx, "staff.cases.title"),
        html! {
            (error_summary(ctx, errors))
            h1 { (h!(ctx, "staff.cases.title")) }
            (filters_form(ctx, l, errors))
            p.total role="status" { (ctx.tf("staff.cases.total", &[("count", &l.listing.total.to_string())])) }
            p.export { a href=(Attr(&paths::staff_cases_export(&f.query(1)))) download { (h!(ctx, "staff.cases.export")) } }
            @if l.listing.rows.is_empty() {
                p.none { (h!(ctx, "staff.cases.none")) }
            } @else {
                table.cases {
                    thead { tr {
                        th scope="col" { (h!(ctx, "cases.verification")) }
                        th scope="col" { (h!(ctx, "staff.cases.applicant")) }
                        th scope="col" { (h!(ctx, "staff.cases.type")) }
                        th scope="col" { (h!(ctx, "cases.submitted")) }
                        th scope="col" { (h!(ctx, "cases.status")) }
                        th scope="col" { (h!(ctx, "staff.cases.assignee")) }
                    } }
                    tbody {
                        @for r in &l.listing.rows {
                            tr {
                                td { a.verification-number href=(Attr(&paths::staff_case(&r.verification))) { (r.verification) } }
                                td.applicant { (r.applicant_name) }
                                td { (l.forms.title(&r.form_id, ctx.lang())) }
                                td { (Date::in_sweden(r.submitted_at).to_string()) }
                                td.status { (ctx.h(r.status.keys()[0])) }
                                td.assignee { (r.assigned_to.as_deref().unwrap_or("–")) }
                            }
                        }
                    }
                }
            }
            nav.paging aria-label=(ctx.t("staff.cases.paging")) {
                @if l.page > 1 { a rel="prev" href=(Attr(&link(l.page - 1))) { (h!(ctx, "staff.cases.previous")) } " " }
                span.page-of { (ctx.tf("staff.cases.page_of", &[("page", &l.page.to_string()), ("pages", &pages.to_string())])) }
                @if l.page < pages { " " a rel="next" href=(Attr(&link(l.page + 1))) { (h!(ctx, "staff.cases.next")) } }
            }
            p { a href=(paths::STAFF) { (h!(ctx, "staff.home.title")) } }
        },
    )
}

/// The list as a spreadsheet (CSV with a byte-order mark), its headings, types,
/// statuses and dates as the caseworker reads them on the page.
pub fn spreadsheet(ctx: &Ctx, rows: &[Found], forms: &Forms) -> String {
    let headings = [
        "cases.verification",
        "staff.cases.applicant",
        "staff.cases.email",
        "staff.cases.type",
        "cases.status",
        "cases.submitted",
        "staff.cases.updated",
        "staff.cases.assignee",
    ]
    .map(|k| ctx.t(k));
    let at = |t: i64| format!("{} {}", Date::in_sweden(t), time_in_sweden(t));
    let mut out = String::from(csv::BOM);
    out.push_str(&csv::row(&headings));
    for r in rows {
        out.push_str(&csv::row(&[
            r.verification.as_str(),
            &r.applicant_name,
            &r.applicant_email,
            forms.title(&r.form_id, ctx.lang()),
            ctx.t(r.status.keys()[0]),
            &at(r.submitted_at),
            &at(r.updated_at),
            r.assigned_to.as_deref().unwrap_or(""),
        ]));
    }
    out
}

/// Where the caseworker's document thumbnails and full-size files are served.
const STAFF_DOCUMENTS: DocumentLinks = DocumentLinks {
    thumbnail: |d| paths::staff_document_thumbnail(&d.reference),
    file: |d| paths::staff_document(&d.reference),
};

/// The answers page by page, as the applicant's review page shows them.
pub(super) fn answers(
    ctx: &Ctx,
    form: &FormDef,
    values: &Answers,
    documents: &[Attached],
    links: &DocumentLinks,
) -> Markup {
    html! {
        @for p in visible_pages(form, values) {
            h3 { (p.title.get(ctx.lang())) }
            (answer_list(ctx, &p.fields, values, documents, links))
        }
    }
}

/// The fee paid: amount, card and day.
pub(super) fn payment(ctx: &Ctx, pay: &Payment) -> Markup {
    html! {
        (money::amount(pay.amount, ctx.lang())) ", " (pay.brand.as_deref().unwrap_or("")) " •••• " (pay.last4.as_deref().unwrap_or(""))
        ", " (Date::in_sweden(pay.finished_at.unwrap_or(pay.created_at)).to_string())
    }
}

pub struct CasePage<'a> {
    pub file: &'a CaseFile,
    pub form: &'a FormDef,
    pub questionnaire_form: Option<&'a FormDef>,
    /// The status and message as typed, when the change was refused.
    pub to: &'a str,
    pub message: &'a str,
    /// The summary hash of the answers as they are now (to compare with a signature's).
    pub signed_hash: String,

    /// The caseworker reading the page.
    pub me: StaffId,
}

/// Who has the case, and the forms to take it or hand it to a colleague (or to
/// nobody). Both say who had it when the page was shown, so a colleague's
/// change in between is not overwritten.
fn assignment(ctx: &Ctx, p: &CasePage, errors: &FormErrors) -> Markup {
    let c = &p.file.case;
    let action = paths::staff_case_assign(&c.verification);
    let current = p.file.assignee.as_ref();
    let seen = current.map(|(id, _)| id.0.to_string()).unwrap_or_default();
    let colleagues: Vec<_> = p
        .file
        .caseworkers
        .iter()
        .filter(|(id, _)| Some(*id) != current.map(|(c, _)| *c))
        .collect();
    html! {
        section.assignment {
            h2 { (h!(ctx, "staff.cases.assignee")) }
            p.assignee {
                @match current {
                    Some((id, _)) if *id == p.me => { (h!(ctx, "staff.cases.assigned_to_me")) }
                    Some((_, email)) => { (ctx.tf("staff.cases.assigned_to", &[("name", email)])) }
                    None => { (h!(ctx, "staff.cases.assigned_to_nobody")) }
                }
            }
            @if current.map(|(id, _)| *id) != Some(p.me) {
                (post_form(ctx, &action, "stack take", html! {
                    input type="hidden" name="seen" value=(seen);
                    input type="hidden" name="to" value="me";
                    (submit(h!(ctx, "staff.cases.take")))
                }))
            }
            @if !colleagues.is_empty() || current.is_some() { (post_form(ctx, &action, "stack hand-over", html! {
                input type="hidden" name="seen" value=(seen);
                div.field.field-error[errors.get("colleague").is_some()] {
                    label for="colleague" { (h!(ctx, "staff.cases.hand_to")) }
                    @if let Some(e) = errors.get("colleague") { p.error-message #colleague-error { (e) } }
                    select #colleague name="to" aria-describedby=[errors.get("colleague").map(|_| "colleague-error")] {
                        @for (id, email) in colleagues {
                            option value=(id.0) { (email) }
                        }
                        @if current.is_some() { option value="nobody" { (h!(ctx, "staff.cases.hand_to_nobody")) } }
                    }
                }
                (submit(h!(ctx, "staff.cases.hand_over")))
            })) }
        }
    }
}

pub fn case(ctx: &Ctx, p: &CasePage, errors: &FormErrors, n: Notice) -> Markup {
    let c = &p.file.case;
    let next = c.status.next_steps();
    page(
        ctx,
        &c.verification,
        html! {
            (notice_for(ctx, n))
            (error_summary(ctx, errors))
            p.caption { (p.form.title.get(ctx.lang())) }
            h1 { (h!(ctx, "cases.verification")) " " span.verification-number { (c.verification) } }
            dl.summary-list {
                div { dt { (h!(ctx, "staff.cases.applicant")) } dd { (c.applicant_name) } }
                div { dt { (h!(ctx, "cases.submitted")) } dd { (Date::in_sweden(c.submitted_at).to_string()) } }
                div { dt { (h!(ctx, "cases.status")) } dd { strong.status-tag { (ctx.h(c.status.keys()[0])) } } }
                @if c.account_id.is_none() { div { dt { (h!(ctx, "staff.cases.account")) } dd { (h!(ctx, "staff.cases.account_closed")) } } }
                @if let Some(pay) = &p.file.payment {
                    div { dt { (h!(ctx, "staff.cases.payment")) } dd.payment { (payment(ctx, pay)) } }
                }
            }
            (assignment(ctx, p, errors))
            @if !next.is_empty() {
                section.change-status {
                    h2 { (h!(ctx, "staff.cases.change_title")) }
                    (post_form(ctx, &paths::staff_case_status(&c.verification), "stack", html! {
                        fieldset.field.field-error[errors.get("to").is_some()] {
                            legend { (h!(ctx, "staff.cases.new_status")) }
                            @if let Some(e) = errors.get("to") { p.error-message #to-error { (e) } }
                            @for (i, s) in next.iter().enumerate() {
                                div.radio {
                                    input id=(format!("to-{i}")) type="radio" name="to" value=(s.as_str()) checked[p.to == s.as_str()];
                                    label for=(format!("to-{i}")) { (ctx.h(s.keys()[0])) }
                                }
                            }
                        }
                        div.field.field-error[errors.get("message").is_some()] {
                            label for="message" { (h!(ctx, "staff.cases.message")) }
                            p.hint #message-hint { (ctx.tf("staff.cases.message_hint", &[("max", &MESSAGE_MAX_CHARS.to_string())])) }
                            @if let Some(e) = errors.get("message") { p.error-message #message-error { (e) } }
                            textarea #message name="message" rows="4" aria-describedby="message-hint" { (p.message) }
                        }
                        (submit(h!(ctx, "staff.cases.change")))
                    }))
                }
            }
            @if let Some(s) = &p.file.signature {
                (signature(ctx, s, &p.signed_hash))
            }
            h2 { (h!(ctx, "cases.history")) }
            (timeline(ctx, &p.file.history, Reader::Staff))
            h2 { (h!(ctx, "staff.cases.answers")) }
            (super::cases::documents_deleted(ctx, &p.file.case))
            (answers(ctx, p.form, &p.file.answers, &p.file.documents, &STAFF_DOCUMENTS))
            p { a.button.button-secondary href=(Attr(&paths::staff_case_archive(&c.verification))) download { (h!(ctx, "staff.cases.archive")) } }
            @if let Some((q, a)) = &p.file.questionnaire {
                h2 { (h!(ctx, "staff.cases.questionnaire")) }
                p { (ctx.tf("staff.cases.questionnaire_to", &[("name", &q.name), ("email", &q.email)])) }
                @match (a, p.questionnaire_form) {
                    (Some(values), Some(form)) => {
                        p.answered { (h!(ctx, "case.timeline.questionnaire_answered")) }
                        (answers(ctx, form, values, &[], &STAFF_DOCUMENTS))
                    }
                    _ => { p.unanswered { (h!(ctx, "staff.cases.questionnaire_waiting")) } }
                }
            }
            p { a href=(paths::STAFF_CASES) { (h!(ctx, "staff.cases.title")) } }
        },
    )
}

/// The approval's signature: who signed, how and when, the text they saw, and
/// whether the answers are still the ones its hash names (`now_hash`).
fn signature(ctx: &Ctx, s: &crate::db::signatures::Signature, now_hash: &str) -> Markup {
    let method = crate::domain::session::Method::parse(&s.method)
        .map(|m| ctx.t(crate::web::views::eid::method_title(m)))
        .unwrap_or(s.method.as_str());
    let at = format!(
        "{} {}",
        Date::in_sweden(s.signed_at),
        crate::domain::date::time_in_sweden(s.signed_at)
    );
    html! {
        section.signature aria-labelledby="signature-heading" {
            h2 #signature-heading { (h!(ctx, "sign.caseworker")) }
            p.signed-by {
                (ctx.tf("sign.caseworker_by", &[
                    ("name", &s.name),
                    ("pin", &crate::flows::identity::eid::display_pin(&s.personal_number)),
                    ("method", method),
                    ("time", &at),
                ]))
            }
            div.signature-text { (s.visible_text) }
            dl.summary-list {
                div { dt { (h!(ctx, "sign.caseworker_hash")) } dd { code.answers-hash { (s.answers_hash) } } }
            }
            @if s.answers_hash == now_hash {
                p.signature-matches { (h!(ctx, "sign.caseworker_matches")) }
            } @else {
                (notice(Tone::Warning, html! { p.signature-differs { (h!(ctx, "sign.caseworker_differs")) } }))
            }
        }
    }
}
