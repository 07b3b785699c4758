//! My Page: the unfinished applications, the submitted ones with their status,
//! the receipts and the account's settings.
use std::sync::OnceLock;

use maud::{html, Markup, PreEscaped, Render};

use super::components::Tone;
use super::components::{notice, notice_for, post_form, submit, Attr, Field, FormErrors, Notice};
use super::layout::page_writing;
use crate::domain::case::CaseStatus;
use crate::domain::date::Date;
use crate::domain::session::Assurance;
use crate::h;
use crate::i18n::{self, Escaped};
use crate::paths;
use crate::web::guard::Ctx;
use crate::web::page_cache::PerLanguage;

pub struct Overview<'a> {
    pub email: &'a str,
    pub masked_phone: Option<String>,
    /// The personal identity number the account is linked to, as people write it.
    pub linked_pin: Option<String>,
    pub assurance: Assurance,
    pub drafts: Vec<DraftRow>,
    pub cases: Vec<CaseRow<'a>>,
    /// Shown with two-step verification only.
    pub receipts: Vec<ReceiptRow>,
}

/// A submitted application in My Page's list: borrowed from the case as read and
/// the form catalog, so a row costs no string of its own.
pub struct CaseRow<'a> {
    pub title: &'a str,
    pub verification: &'a str,
    pub submitted: Date,
    pub status: CaseStatus,
}

pub struct ReceiptRow {
    pub title: String,
    pub verification: String,
    pub paid: String,
    pub amount: String,
    pub href: String,
}

/// An unfinished application in My Page's list.
pub struct DraftRow {
    pub title: String,
    pub started: String,
    pub deleted_on: String,
    pub href: String,
    /// Approved, with the fee not yet paid.
    pub awaiting_payment: bool,
}

pub fn overview(ctx: &Ctx, o: &Overview, n: Notice) -> Markup {
    // About 650 bytes a case, and 2 KB for the rest.
    let size = 2048 + 650 * o.cases.len();
    page_writing(ctx, h!(ctx, "account.page.title"), size, |page| {
        drafts(ctx, o, n).render_to(page);
        case_list(ctx, &o.cases, page);
        settings(ctx, o).render_to(page);
    })
}

/// The notice, the heading and the unfinished applications.
fn drafts(ctx: &Ctx, o: &Overview, n: Notice) -> Markup {
    html! {
        (notice_for(ctx, n))
        h1 { (h!(ctx, "account.page.title")) }
        @if o.assurance < Assurance::Substantial {
            (notice(Tone::Info, html! { p { (h!(ctx, "account.page.more_with_two_step")) } }))
        }
        h2 { (h!(ctx, "apply.drafts")) }
        @if o.drafts.is_empty() {
            p { (h!(ctx, "account.page.no_cases")) }
        } @else {
            table.drafts {
                thead { tr {
                    th scope="col" { (h!(ctx, "apply.draft_application")) }
                    th scope="col" { (h!(ctx, "apply.draft_started")) }
                    th scope="col" { (h!(ctx, "apply.draft_deleted_on")) }
                    th scope="col" { span.visually-hidden { (h!(ctx, "apply.continue")) } }
                } }
                tbody {
                    @for d in &o.drafts {
                        tr {
                            td { (d.title) }
                            td.date data-label=(h!(ctx, "apply.draft_started")) { (d.started) }
                            @if d.awaiting_payment {
                                td data-label=(h!(ctx, "apply.draft_deleted_on")) { (h!(ctx, "payment.awaiting")) }
                            } @else {
                                td.date data-label=(h!(ctx, "apply.draft_deleted_on")) { (d.deleted_on) }
                            }
                            td {
                                a href=(Attr(&d.href)) {
                                    @if d.awaiting_payment { (h!(ctx, "payment.pay")) } @else { (h!(ctx, "apply.continue")) }
                                    span.visually-hidden { " " (d.title) }
                                }
                            }
                        }
                    }
                }
            }
        }
        p { a.button href=(paths::APPLICATIONS_NEW) { (h!(ctx, "apply.new")) } }
    }
}

/// The receipts (at the substantial level) and the account's settings.
fn settings(ctx: &Ctx, o: &Overview) -> Markup {
    html! {
        @if o.assurance >= Assurance::Substantial {
            (receipt_list(ctx, &o.receipts))
        }
        h2 { (h!(ctx, "account.page.settings")) }
        dl.summary-list {
            div {
                dt { (h!(ctx, "account.page.email")) }
                dd { (o.email) " " a href=(paths::ACCOUNT_EMAIL) { (h!(ctx, "account.page.change")) span.visually-hidden { " " (h!(ctx, "account.page.email")) } } }
            }
            div {
                dt { (h!(ctx, "account.page.password")) }
                dd { a href=(paths::ACCOUNT_PASSWORD) { (h!(ctx, "account.password.title")) } }
            }
            div {
                dt { (h!(ctx, "account.page.two_step")) }
                dd {
                    @if let Some(phone) = &o.masked_phone {
                        (ctx.tf("account.page.two_step_on", &[("phone", phone)])) " "
                        a href=(paths::ACCOUNT_TWO_STEP_OFF) { (h!(ctx, "account.two_step.turn_off")) }
                    } @else {
                        (h!(ctx, "account.page.two_step_off")) " "
                        a href=(paths::ACCOUNT_TWO_STEP) { (h!(ctx, "account.two_step.turn_on")) }
                    }
                }
            }
            div {
                dt { (h!(ctx, "account.sessions.title")) }
                dd { a href=(paths::ACCOUNT_SESSIONS) { (h!(ctx, "account.sessions.link")) } }
            }
            div {
                dt { (h!(ctx, "eid.link.linked_to")) }
                dd {
                    @if let Some(pin) = &o.linked_pin {
                        span.linked-pin { (pin) }
                        details.unlink {
                            summary { (h!(ctx, "eid.link.remove")) }
                            (post_form(ctx, paths::ACCOUNT_UNLINK, "stack", html! {
                                (Field::new("password", h!(ctx, "login.password"), "password").hint(h!(ctx, "eid.link.remove_hint")).autocomplete("current-password").render(&FormErrors::default()))
                                (submit(h!(ctx, "eid.link.remove")))
                            }))
                        }
                    } @else {
                        (h!(ctx, "eid.link.none"))
                    }
                }
            }
        }
    }
}

/// A status's name, explanation and next step in the page's language, each looked
/// up in the catalog once (My Page shows them for every case).
fn status_texts(ctx: &Ctx, status: CaseStatus) -> [Escaped; 3] {
    static TEXTS: OnceLock<Vec<[[Escaped; 2]; 3]>> = OnceLock::new();
    let all = TEXTS.get_or_init(|| {
        CaseStatus::ALL
            .iter()
            .map(|s| s.keys().map(i18n::both))
            .collect()
    });
    let at = CaseStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or_default();
    all[at].map(|both| i18n::pick(&both, ctx.lang()))
}

/// Submitted applications with their status, what it means and what comes next.
fn case_list(ctx: &Ctx, cases: &[CaseRow], page: &mut String) {
    html! {
        h2 { (h!(ctx, "cases.title")) }
        @if cases.is_empty() {
            p { (h!(ctx, "cases.none")) }
        }
    }
    .render_to(page);
    if !cases.is_empty() {
        // The list opened and closed here, so its rows go straight into the page.
        page.push_str(r#"<ul class="case-list">"#);
        CaseRows { ctx, cases }.render_to(page);
        page.push_str("</ul>");
    }
}

/// How many values a case row shows (the number twice).
const ROW_VALUES: usize = 6;

/// One case in My Page's list: its number, title, date and status with what it
/// means and what comes next. The markup is written here once; the list renders
/// it through a [`RowTemplate`] made from it.
fn case_row(ctx: &Ctx, values: [&dyn Render; ROW_VALUES]) -> Markup {
    let [verification, title, submitted, name, explain, next] = values;
    html! {
        li.case {
            h3 { a href={ (paths::CASE_PREFIX) (verification) } { (title) } }
            dl.summary-list {
                div { dt { (h!(ctx, "cases.verification")) } dd.verification-number { (verification) } }
                div { dt { (h!(ctx, "cases.submitted")) } dd { (submitted) } }
                div { dt { (h!(ctx, "cases.status")) } dd { strong.status-tag { (name) } " " (explain) } }
                div { dt { (h!(ctx, "cases.next")) } dd { (next) } }
            }
        }
    }
}

/// The rows of the case list, written into the page's buffer.
struct CaseRows<'a> {
    ctx: &'a Ctx,
    cases: &'a [CaseRow<'a>],
}

impl Render for CaseRows<'_> {
    fn render_to(&self, buffer: &mut String) {
        static TEMPLATES: PerLanguage<Option<RowTemplate>> = PerLanguage::new();
        let template = TEMPLATES.get_or_init(self.ctx.lang(), || RowTemplate::new(self.ctx));
        for c in self.cases {
            let [name, explain, next] = status_texts(self.ctx, c.status);
            let (verification, title) = (Attr(c.verification), Attr(c.title));
            let values: [&dyn Render; ROW_VALUES] =
                [&verification, &title, &c.submitted, &name, &explain, &next];
            match template {
                Some(template) => template.render_to(buffer, values),
                None => case_row(self.ctx, values).render_to(buffer),
            }
        }
    }
}

/// A case row rendered once per language with a mark where each value goes, and
/// cut at the marks: a row is then its texts with the values between them, not
/// the two dozen pieces maud writes one by one.
struct RowTemplate {
    /// Each text, and the value that follows it.
    parts: Vec<(String, usize)>,
    tail: String,
}

/// Around the number of the value a mark stands for. The marks are written as they
/// are (pre-escaped); what matters is that no text of the row's own holds this
/// character, and if one did, the template would not be made (below).
const MARK: char = '\u{1}';

/// The places a row's values go: the number twice, the other five once.
const ROW_PLACES: usize = ROW_VALUES + 1;

impl RowTemplate {
    /// None if the row cannot be cut at its marks alone (a text of its own holding
    /// [`MARK`]): rows are then written by maud one by one, as they were.
    fn new(ctx: &Ctx) -> Option<Self> {
        let marks: [PreEscaped<String>; ROW_VALUES] =
            std::array::from_fn(|i| PreEscaped(format!("{MARK}{i}{MARK}")));
        let row = case_row(ctx, std::array::from_fn(|i| &marks[i] as &dyn Render)).into_string();
        Self::cut(&row)
    }

    fn cut(row: &str) -> Option<Self> {
        let mut parts = Vec::new();
        let mut rest = row;
        while let Some((text, after)) = rest.split_once(MARK) {
            let (slot, after) = after.split_once(MARK)?;
            let slot = slot.parse::<usize>().ok().filter(|s| *s < ROW_VALUES)?;
            parts.push((text.to_string(), slot));
            rest = after;
        }
        (parts.len() == ROW_PLACES).then(|| RowTemplate {
            parts,
            tail: rest.to_string(),
        })
    }

    fn render_to(&self, buffer: &mut String, values: [&dyn Render; ROW_VALUES]) {
        for (text, slot) in &self.parts {
            buffer.push_str(text);
            values[*slot].render_to(buffer);
        }
        buffer.push_str(&self.tail);
    }
}

pub fn receipt_list(ctx: &Ctx, receipts: &[ReceiptRow]) -> Markup {
    html! {
        h2 { (h!(ctx, "receipts.title")) }
        @if receipts.is_empty() {
            p { (h!(ctx, "receipts.none")) }
        } @else {
            table.receipts {
                thead { tr {
                    th scope="col" { (h!(ctx, "receipt.application")) }
                    th scope="col" { (h!(ctx, "receipt.verification")) }
                    th scope="col" { (h!(ctx, "receipt.date")) }
                    th scope="col" { (h!(ctx, "receipt.amount")) }
                    th scope="col" { span.visually-hidden { (h!(ctx, "receipt.title")) } }
                } }
                tbody {
                    @for r in receipts {
                        tr {
                            td { (r.title) }
                            td { (r.verification) }
                            td { (r.paid) }
                            td { (r.amount) }
                            td { a href=(Attr(&r.href)) { (h!(ctx, "receipt.title")) span.visually-hidden { " " (r.verification) } } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;

    #[test]
    fn a_row_from_the_template_is_the_row_maud_writes() {
        let submitted = Date::in_sweden(1_795_248_000);
        for lang in [Lang::Sv, Lang::En] {
            let ctx = Ctx::for_test(lang);
            for status in CaseStatus::ALL {
                let [name, explain, next] = status_texts(&ctx, status);
                for (verification, title) in [
                    ("87974122-05", "Arbetstillstånd"),
                    ("1&2<3>\"4'", "Work <b>permit</b> & \"more\""),
                ] {
                    let values: [&dyn Render; ROW_VALUES] = [
                        &Attr(verification),
                        &Attr(title),
                        &submitted,
                        &name,
                        &explain,
                        &next,
                    ];
                    let mut from_template = String::new();
                    let template = RowTemplate::new(&ctx).expect("the row cuts at its marks");
                    template.render_to(&mut from_template, values);
                    let direct = case_row(&ctx, values).into_string();
                    assert_eq!(from_template, direct, "{lang:?} {status:?} {title}");
                    assert!(
                        direct.contains("Work &lt;b&gt;permit&lt;/b&gt; &amp; &quot;more&quot;")
                            == title.contains('<')
                    );
                }
            }
        }
    }

    #[test]
    fn a_row_with_a_stray_mark_makes_no_template() {
        let places: String = [0, 1, 2, 3, 4, 5, 0]
            .map(|i| format!("<b>{MARK}{i}{MARK}"))
            .concat();
        assert!(RowTemplate::cut(&places).is_some());
        for bad in [
            format!("{places}{MARK}"),
            format!("{places}{MARK}6{MARK}"),
            format!("{places}{MARK}x{MARK}"),
            places.replacen("<b>", &format!("{MARK}<b>"), 1),
            places[..places.len() - 4].to_string(),
        ] {
            assert!(RowTemplate::cut(&bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn my_page_lists_every_case_in_one_list_or_says_there_are_none() {
        let ctx = Ctx::for_test(Lang::En);
        let submitted = Date::in_sweden(1_795_248_000);
        let case = |verification| CaseRow {
            title: "Work permit",
            verification,
            submitted,
            status: CaseStatus::Received,
        };
        for cases in [vec![], vec![case("87974122-05"), case("87974123-06")]] {
            let o = Overview {
                email: "a@example.se",
                masked_phone: None,
                linked_pin: None,
                assurance: Assurance::Basic,
                drafts: vec![],
                cases,
                receipts: vec![],
            };
            let page = overview(&ctx, &o, Notice::default()).into_string();
            let rows: Vec<&str> = page
                .match_indices(r#"<li class="case">"#)
                .map(|m| m.1)
                .collect();
            assert_eq!(rows.len(), o.cases.len(), "{page}");
            if o.cases.is_empty() {
                assert!(!page.contains("case-list"));
                let none = ctx.h("cases.none").render().into_string();
                assert!(page.contains(&format!("<p>{none}</p>")), "{page}");
            } else {
                let list = &page[page.find(r#"<ul class="case-list">"#).expect("the list")..];
                let end = list.find("</ul>").expect("the list's end");
                assert!(list[..end].starts_with(r#"<ul class="case-list"><li class="case">"#));
                assert!(list[..end].ends_with("</li>"), "{}", &list[..end]);
                assert!(list[..end].contains(r#"<a href="/cases/87974123-06">Work permit</a>"#));
            }
            assert!(page.ends_with("</html>"));
        }
    }
}
