//! The JSON the API answers with: cases, answers with their field ids and labels
//! in both languages, documents as links, and the list's cursor.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::db::api_reads::{Cursor, Listed};
use crate::db::documents::Attached;
use crate::domain::forms::answers::{holds, visible_pages, Answers};
use crate::domain::forms::{FieldKind, FormDef, Forms};
use crate::flows::casework::CaseFile;
use crate::paths;

/// A moment as RFC 3339 in UTC.
pub fn time(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn both(sv: &str, en: &str) -> Value {
    json!({ "sv": sv, "en": en })
}

/// The case type: its id and its name in both languages.
fn case_type(forms: &Forms, id: &str) -> Value {
    match forms.get(id) {
        Some(f) => json!({ "id": id, "name": both(&f.title.sv, &f.title.en) }),
        None => json!({ "id": id }),
    }
}

pub fn listed(forms: &Forms, c: &Listed) -> Value {
    json!({
        "verification_number": c.verification,
        "type": case_type(forms, &c.form_id),
        "status": c.status.as_str(),
        "submitted_at": time(c.submitted_at),
        "updated_at": time(c.updated_at),
        "href": paths::api_case(&c.verification),
    })
}

/// Every answer of the pages the applicant saw: the field's id and label, the
/// stored value, and for a choice the option's text.
fn answers(form: Option<&FormDef>, answers: &Answers) -> Vec<Value> {
    let Some(form) = form else {
        return answers
            .iter()
            .map(|(field, value)| json!({ "field": field, "value": value }))
            .collect();
    };
    let mut out = Vec::new();
    for page in visible_pages(form, answers) {
        for field in &page.fields {
            let Some(value) = answers.get(&field.id) else {
                continue;
            };
            if !holds(field.show_if.as_ref(), answers) {
                continue;
            }
            let mut a = json!({
                "field": field.id,
                "label": both(&field.label.sv, &field.label.en),
                "value": value,
            });
            if field.kind == FieldKind::Choice {
                if let Some(o) = field.options.iter().find(|o| &o.value == value) {
                    a["option"] = both(&o.label.sv, &o.label.en);
                }
            }
            out.push(a);
        }
    }
    out
}

fn documents(verification: &str, docs: &[Attached]) -> Vec<Value> {
    docs.iter()
        .map(|d| {
            json!({
                "id": d.reference,
                "field": d.field,
                "name": d.name,
                "href": paths::api_case_document(verification, &d.reference),
            })
        })
        .collect()
}

pub fn case(forms: &Forms, file: &CaseFile) -> Value {
    let c = &file.case;
    let mut out = listed(
        forms,
        &Listed {
            id: c.id,
            verification: c.verification.clone(),
            form_id: c.form_id.clone(),
            status: c.status,
            submitted_at: c.submitted_at,
            updated_at: c.updated_at,
        },
    );
    out["applicant_name"] = json!(c.applicant_name);
    out["answers"] = json!(answers(forms.get(&c.form_id), &file.answers));
    out["documents"] = json!(documents(&c.verification, &file.documents));
    out["documents_deleted_at"] = json!(c.documents_deleted_at.map(time));
    out["history"] = file
        .history
        .iter()
        .map(|e| {
            json!({
                "kind": e.kind.as_str(),
                "status": e.status.as_str(),
                "from": e.from.map(|s| s.as_str()),
                "note": e.message,
                "at": time(e.at),
                "by": e.actor,
            })
        })
        .collect();
    out["questionnaire"] = match &file.questionnaire {
        Some((q, given)) => json!({
            "type": case_type(forms, &q.form_id),
            "sent_at": time(q.sent_at),
            "answered_at": q.answered_at.map(time),
            "answers": given.as_ref().map(|a| answers(forms.get(&q.form_id), a)),
        }),
        None => Value::Null,
    };
    out
}

/// The list's cursor as the client passes it back: opaque, URL-safe.
pub fn cursor(c: Cursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{}", c.submitted_at, c.id))
}

pub fn parse_cursor(s: &str) -> Option<Cursor> {
    let bytes = URL_SAFE_NO_PAD.decode(s.trim()).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (at, id) = text.split_once('.')?;
    Some(Cursor {
        submitted_at: at.parse().ok()?,
        id: id.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            submitted_at: 1_795_248_000,
            id: 42,
        };
        assert_eq!(parse_cursor(&cursor(c)), Some(c));
        for bad in ["", "x", "<>&\"'", &URL_SAFE_NO_PAD.encode("1.")] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }
}
