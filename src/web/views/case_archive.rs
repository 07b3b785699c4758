//! One case as a ZIP archive for the agency's records: `case.html`, a printable
//! page (the facts, the payment, the answers as the case page shows them, the
//! questionnaire and the timeline), the documents as uploaded, `timeline.csv`
//! and `payment.csv`.
use std::io::Write;

use maud::{html, Markup, DOCTYPE};
use zip::write::SimpleFileOptions;

use super::cases::{timeline, Reader};
use super::casework::{answers, payment};
use super::review::DocumentLinks;
use crate::db::documents::Attached;
use crate::domain::csv;
use crate::domain::date::{time_in_sweden, Date};
use crate::domain::forms::FormDef;
use crate::flows::casework::Archive;
use crate::h;
use crate::web::guard::Ctx;

/// A document's place in the archive: its reference (unique) and its file name
/// kept to safe characters, so no name can climb out of `documents/`.
fn entry_name(d: &Attached) -> String {
    let name: String = d
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("documents/{}-{}", d.reference, name.trim_start_matches('.'))
}

/// In the archive a thumbnail is the document itself, beside the page.
const ARCHIVED_DOCUMENTS: DocumentLinks = DocumentLinks {
    thumbnail: entry_name,
    file: entry_name,
};

/// The printable page of the case, standing alone (no site header, no scripts).
fn printable(ctx: &Ctx, a: &Archive, form: &FormDef, questionnaire: Option<&FormDef>) -> Markup {
    let c = &a.file.case;
    html! {
        (DOCTYPE)
        html lang=(ctx.lang().code()) {
            head {
                meta charset="utf-8";
                title { (h!(ctx, "cases.verification")) " " (c.verification) }
            }
            body {
                main {
                    p { (form.title.get(ctx.lang())) }
                    h1 { (h!(ctx, "cases.verification")) " " (c.verification) }
                    dl {
                        dt { (h!(ctx, "staff.cases.applicant")) } dd { (c.applicant_name) }
                        dt { (h!(ctx, "cases.submitted")) } dd { (Date::in_sweden(c.submitted_at).to_string()) }
                        dt { (h!(ctx, "cases.status")) } dd { (ctx.h(c.status.keys()[0])) }
                        @if let Some(pay) = &a.file.payment {
                            dt { (h!(ctx, "staff.cases.payment")) } dd { (payment(ctx, pay)) }
                        }
                    }
                    h2 { (h!(ctx, "staff.cases.answers")) }
                    (answers(ctx, form, &a.file.answers, &a.file.documents, &ARCHIVED_DOCUMENTS))
                    @if let (Some((q, Some(values))), Some(qform)) = (&a.file.questionnaire, questionnaire) {
                        h2 { (h!(ctx, "staff.cases.questionnaire")) }
                        p { (ctx.tf("staff.cases.questionnaire_to", &[("name", &q.name), ("email", &q.email)])) }
                        (answers(ctx, qform, values, &[], &ARCHIVED_DOCUMENTS))
                    }
                    h2 { (h!(ctx, "cases.history")) }
                    (timeline(ctx, &a.file.history, Reader::Staff))
                }
            }
        }
    }
}

/// The timeline as a spreadsheet: when (in Sweden), what, the note, who.
fn timeline_csv(ctx: &Ctx, a: &Archive) -> String {
    let mut out = String::from(csv::BOM);
    out.push_str(&csv::row(&[
        ctx.t("staff.archive.when"),
        ctx.t("cases.status"),
        ctx.t("case.timeline.message"),
        ctx.t("staff.archive.who"),
    ]));
    for e in &a.file.history {
        out.push_str(&csv::row(&[
            format!("{} {}", Date::in_sweden(e.at), time_in_sweden(e.at)).as_str(),
            &format!("{} ({})", ctx.t(e.status.keys()[0]), e.kind.as_str()),
            e.message.as_deref().unwrap_or(""),
            &e.actor,
        ]));
    }
    out
}

/// The payment as a spreadsheet row: reference, amount in öre, card, when.
fn payment_csv(ctx: &Ctx, a: &Archive) -> String {
    let mut out = String::from(csv::BOM);
    out.push_str(&csv::row(&[
        ctx.t("staff.archive.payment_reference"),
        ctx.t("staff.archive.amount"),
        ctx.t("staff.archive.card"),
        ctx.t("staff.archive.when"),
    ]));
    if let Some(p) = &a.file.payment {
        let at = p.finished_at.unwrap_or(p.created_at);
        out.push_str(&csv::row(&[
            p.reference.as_str(),
            &crate::domain::money::amount(p.amount, ctx.lang()),
            &format!(
                "{} {}",
                p.brand.as_deref().unwrap_or(""),
                p.last4.as_deref().unwrap_or("")
            ),
            &format!("{} {}", Date::in_sweden(at), time_in_sweden(at)),
        ]));
    }
    out
}

/// The archive's bytes. Documents (JPEG, PNG) are stored as they are: they are
/// compressed already; the text files are deflated.
pub fn zip(
    ctx: &Ctx,
    a: &Archive,
    form: &FormDef,
    questionnaire: Option<&FormDef>,
) -> zip::result::ZipResult<Vec<u8>> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let text = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("case.html", text)?;
    out.write_all(
        printable(ctx, a, form, questionnaire)
            .into_string()
            .as_bytes(),
    )?;
    out.start_file("timeline.csv", text)?;
    out.write_all(timeline_csv(ctx, a).as_bytes())?;
    out.start_file("payment.csv", text)?;
    out.write_all(payment_csv(ctx, a).as_bytes())?;
    for (attached, doc) in &a.documents {
        out.start_file(entry_name(attached), stored)?;
        out.write_all(&doc.bytes)?;
    }
    Ok(out.finish()?.into_inner())
}
