//! Checking the answers on one page: what is shown (conditions), what is
//! required, and each kind's format. Values come back normalized for storage.
use std::collections::BTreeMap;

use super::definition::{Condition, DateRule, Field, FieldKind, FormDef, Page};
use crate::domain::countries::is_country;
use crate::domain::date::Date;
use crate::domain::email::{Email, EmailProblem};
use crate::domain::phone::{Phone, PhoneProblem};
use crate::domain::pin::{PersonalIdentityNumber, PinProblem};

/// Answers by field id, as stored for a draft.
pub type Answers = BTreeMap<String, String>;

/// Why an answer was refused; `key()` gives the catalog key of the message.
#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    Missing,
    MissingDocument,
    TooLong {
        max: usize,
    },
    NotANumber,
    OutOfRange {
        min: Option<i64>,
        max: Option<i64>,
    },
    NotADate,
    MustBePast,
    MustBeFuture,
    /// Before 1900: no date of birth or past event a person types is that old.
    TooEarly,
    NotAnOption,
    OrgNumber,
    Email(EmailProblem),
    Phone(PhoneProblem),
    Pin(PinProblem),
    Passport,
    /// Characters that reorder or hide text (see [`hides_or_reorders`]).
    Invisible,
}

impl Problem {
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Missing => "error.form.missing",
            Problem::MissingDocument => "error.form.missing_document",
            Problem::TooLong { .. } => "error.form.too_long",
            Problem::NotANumber => "error.form.not_a_number",
            Problem::OutOfRange { .. } => "error.form.out_of_range",
            Problem::NotADate => "error.form.not_a_date",
            Problem::MustBePast => "error.form.must_be_past",
            Problem::MustBeFuture => "error.form.must_be_future",
            Problem::TooEarly => "error.form.too_early",
            Problem::OrgNumber => "error.form.org_number",
            Problem::NotAnOption => "error.form.not_an_option",
            Problem::Email(p) => p.key(),
            Problem::Phone(p) => p.key(),
            Problem::Pin(p) => p.key(),
            Problem::Passport => "error.form.passport",
            Problem::Invisible => "error.form.invisible",
        }
    }
}

/// Whether a condition holds, given every answer known so far.
/// Who an application is about, from its answers (every type asks for the names
/// as in the passport); empty when they are not answered yet.
pub fn applicant_name(answers: &Answers) -> String {
    let part = |f: &str| answers.get(f).map(|v| v.trim()).unwrap_or_default();
    format!("{} {}", part("given_names"), part("family_name"))
        .trim()
        .to_string()
}

/// The address the application gave (field `email`): the agency writes to it
/// about the application, as the reference page says.
pub fn applicant_email(answers: &Answers) -> Option<String> {
    answers
        .get("email")
        .and_then(|v| Email::parse(v).ok())
        .map(|e| e.as_str().to_string())
}

/// The applicant's own personal identity number (12 digits), when the form asks
/// for it (field `personal_identity_number`); how e-identification finds the case.
pub fn applicant_pin(answers: &Answers) -> Option<String> {
    answers
        .get("personal_identity_number")
        .filter(|v| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
}

/// SHA-256 (hex) of an application's type and answers, each field and value
/// length-prefixed in field order: what a signature names, so that any change to
/// the answers after signing shows.
pub fn summary_hash(form_id: &str, answers: &Answers) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let mut part = |s: &str| {
        hash.update((s.len() as u64).to_be_bytes());
        hash.update(s.as_bytes());
    };
    part(form_id);
    for (field, value) in answers {
        part(field);
        part(value);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn holds(condition: Option<&Condition>, answers: &Answers) -> bool {
    condition.is_none_or(|c| answers.get(&c.field).is_some_and(|v| *v == c.equals))
}

/// The pages the person will see, in order, given their answers.
pub fn visible_pages<'a>(form: &'a FormDef, answers: &Answers) -> Vec<&'a Page> {
    form.pages
        .iter()
        .filter(|p| holds(p.show_if.as_ref(), answers))
        .collect()
}

/// Checks what was posted for `page`. `saved` holds the answers of every page
/// (documents included, which are uploaded separately). Hidden fields are dropped.
pub fn check_page(
    page: &Page,
    posted: &Answers,
    saved: &Answers,
    today: Date,
) -> Result<Answers, Vec<(String, Problem)>> {
    let mut known = saved.clone();
    let mut clean = Answers::new();
    let mut problems = Vec::new();
    for field in &page.fields {
        if !holds(field.show_if.as_ref(), &known) {
            known.remove(&field.id);
            continue;
        }
        if field.kind == FieldKind::Document {
            match saved.get(&field.id) {
                Some(doc) => {
                    clean.insert(field.id.clone(), doc.clone());
                }
                None if field.required => {
                    problems.push((field.id.clone(), Problem::MissingDocument))
                }
                None => {}
            }
            continue;
        }
        let raw = posted.get(&field.id).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() {
            known.remove(&field.id);
            if field.required {
                problems.push((field.id.clone(), Problem::Missing));
            }
            continue;
        }
        match normalize(field, raw, today) {
            Ok(value) => {
                known.insert(field.id.clone(), value.clone());
                clean.insert(field.id.clone(), value);
            }
            Err(problem) => problems.push((field.id.clone(), problem)),
        }
    }
    if problems.is_empty() {
        Ok(clean)
    } else {
        Err(problems)
    }
}

/// What can be kept of a page without completing it ("Back", "Save and leave",
/// "Next" with problems): each shown field's value that is valid on its own.
#[derive(Debug, Default)]
pub struct Salvage {
    /// The valid answers, normalized for storage.
    pub kept: Answers,
    /// The answers typed but not valid, which stay as they were: the person is told.
    pub refused: Vec<(String, Problem)>,
    /// The shown fields left empty: an answer saved before is removed.
    pub emptied: Vec<String>,
}

/// Sorts what was posted for `page` into what can be kept and what cannot.
pub fn salvage_page(page: &Page, posted: &Answers, saved: &Answers, today: Date) -> Salvage {
    let mut known = saved.clone();
    let mut salvage = Salvage::default();
    for field in page.fields.iter().filter(|f| f.kind != FieldKind::Document) {
        if !holds(field.show_if.as_ref(), &known) {
            continue;
        }
        let raw = posted.get(&field.id).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() {
            known.remove(&field.id);
            salvage.emptied.push(field.id.clone());
            continue;
        }
        match normalize(field, raw, today) {
            Ok(value) => {
                known.insert(field.id.clone(), value.clone());
                salvage.kept.insert(field.id.clone(), value);
            }
            Err(problem) => salvage.refused.push((field.id.clone(), problem)),
        }
    }
    salvage
}

/// Whether `c` is an invisible character that turns text around or hides what is
/// in it: the bidirectional embeddings, overrides and isolates (a name with U+202E
/// reads backwards to staff: "Ana\u{202E}gpj.exe" shows as "Anaexe.jpg"), and the
/// zero-width spaces, joiners and marks. None belongs in a name as the passport
/// gives it.
pub fn hides_or_reorders(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A Swedish organisation number as `NNNNNN-NNNN`: 10 digits (or 12 with the
/// century prefix 16), spaces and a hyphen allowed, the last a Luhn check digit.
pub fn organisation_number(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ten = match digits.len() {
        12 if digits.starts_with("16") => &digits[2..],
        10 => &digits[..],
        _ => return None,
    };
    (ten.bytes().all(|b| b.is_ascii_digit()) && crate::domain::pin::luhn_ok(ten.as_bytes()))
        .then(|| format!("{}-{}", &ten[..6], &ten[6..]))
}

fn normalize(field: &Field, raw: &str, today: Date) -> Result<String, Problem> {
    match field.kind {
        FieldKind::ShortText | FieldKind::LongText => {
            if raw.chars().count() > field.max_length() {
                return Err(Problem::TooLong {
                    max: field.max_length(),
                });
            }
            if raw.chars().any(|c| {
                c.is_control()
                    && !(field.kind == FieldKind::LongText && (c == '\n' || c == '\r' || c == '\t'))
            }) {
                return Err(Problem::NotAnOption);
            }
            if raw.chars().any(hides_or_reorders) {
                return Err(Problem::Invisible);
            }
            Ok(raw.to_string())
        }
        FieldKind::Number | FieldKind::Amount => {
            let n: i64 = raw
                .replace([' ', '\u{a0}'], "")
                .parse()
                .map_err(|_| Problem::NotANumber)?;
            if field.min.is_some_and(|m| n < m) || field.max.is_some_and(|m| n > m) {
                return Err(Problem::OutOfRange {
                    min: field.min,
                    max: field.max,
                });
            }
            Ok(n.to_string())
        }
        FieldKind::Date => {
            let d = Date::parse_typed(raw).ok_or(Problem::NotADate)?;
            match field.date {
                Some(DateRule::Past) if d > today => Err(Problem::MustBePast),
                Some(DateRule::Past) if d.year() < 1900 => Err(Problem::TooEarly),
                Some(DateRule::Future) if d < today => Err(Problem::MustBeFuture),
                _ => Ok(d.to_string()),
            }
        }
        FieldKind::YesNo => match raw {
            "yes" | "no" => Ok(raw.to_string()),
            _ => Err(Problem::NotAnOption),
        },
        FieldKind::Choice => field
            .options
            .iter()
            .find(|o| o.value == raw)
            .map(|o| o.value.clone())
            .ok_or(Problem::NotAnOption),
        FieldKind::Country => is_country(raw)
            .then(|| raw.to_ascii_uppercase())
            .ok_or(Problem::NotAnOption),
        FieldKind::Email => Email::parse(raw)
            .map(|e| e.as_str().to_string())
            .map_err(Problem::Email),
        FieldKind::Phone => Phone::parse(None, raw)
            .map(|p| p.as_str().to_string())
            .map_err(Problem::Phone),
        FieldKind::PersonalIdentityNumber => PersonalIdentityNumber::parse(raw, today)
            .map(|p| p.as_str().to_string())
            .map_err(Problem::Pin),
        FieldKind::OrganisationNumber => organisation_number(raw).ok_or(Problem::OrgNumber),
        FieldKind::PassportNumber => {
            let p: String = raw
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase();
            if (5..=20).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()) {
                Ok(p)
            } else {
                Err(Problem::Passport)
            }
        }
        FieldKind::Document => Err(Problem::MissingDocument),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forms::{load_all, SHIPPED};

    fn today() -> Date {
        Date::new(2026, 11, 21).unwrap()
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_summary_hash_changes_with_any_answer_and_cannot_be_shifted() {
        let base = summary_hash("citizenship", &answers(&[("a", "bc"), ("d", "e")]));
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            summary_hash("citizenship", &answers(&[("d", "e"), ("a", "bc")])),
            "the order answers were given in does not matter"
        );
        for other in [
            summary_hash("citizenship", &answers(&[("a", "b"), ("d", "e")])),
            summary_hash("citizenship", &answers(&[("a", "b"), ("cd", "e")])),
            summary_hash("citizenship", &answers(&[("a", "bcd"), ("", "e")])),
            summary_hash("studies", &answers(&[("a", "bc"), ("d", "e")])),
        ] {
            assert_ne!(base, other);
        }
    }

    fn form(id: &str) -> FormDef {
        load_all(SHIPPED).unwrap().get(id).unwrap().clone()
    }

    #[test]
    fn an_employers_organisation_number_needs_its_check_digit() {
        let work = form("work-permit");
        let page = work
            .pages
            .iter()
            .find(|p| p.fields.iter().any(|f| f.id == "employer_org_number"))
            .unwrap();
        let problem_with = |number: &str| {
            let posted = answers(&[("employer_org_number", number)]);
            match check_page(page, &posted, &Answers::new(), today()) {
                Ok(clean) => Ok(clean["employer_org_number"].clone()),
                Err(problems) => Err(problems
                    .into_iter()
                    .find(|(f, _)| f == "employer_org_number")
                    .map(|(_, p)| p)),
            }
            .map_err(|p| p.map(|p| p.key()))
        };
        for wrong in ["556012-5791", "55601257", "abcdef-ghij", "556012-57900"] {
            assert_eq!(
                problem_with(wrong).err().flatten(),
                Some("error.form.org_number"),
                "{wrong}"
            );
        }
        for right in [
            "556012-5790",
            "5560125790",
            "16556012-5790",
            " 556012 5790 ",
        ] {
            assert_ne!(
                problem_with(right).err().flatten(),
                Some("error.form.org_number"),
                "{right}"
            );
        }
    }

    #[test]
    fn required_fields_and_formats_are_checked_and_values_normalized() {
        let visa = form("visit-visa");
        let page = &visa.pages[0];
        let problems = check_page(page, &Answers::new(), &Answers::new(), today()).unwrap_err();
        assert!(problems.iter().all(|(_, p)| *p == Problem::Missing));
        assert!(problems.len() >= 3);

        let posted = answers(&[
            ("family_name", " Öberg "),
            ("given_names", "Ana María"),
            ("date_of_birth", "1990-05-17"),
            ("citizenship", "ua"),
            ("email", "Ana@Example.COM"),
            ("phone", "+380 50 123 4567"),
        ]);
        let clean = check_page(page, &posted, &Answers::new(), today()).unwrap();
        assert_eq!(clean["family_name"], "Öberg");
        assert_eq!(clean["citizenship"], "UA");
        assert_eq!(clean["email"], "ana@example.com");
        assert_eq!(clean["phone"], "+380501234567");
    }

    #[test]
    fn bad_values_get_their_own_problem() {
        let visa = form("visit-visa");
        let page = &visa.pages[0];
        let posted = answers(&[
            ("family_name", &"x".repeat(201)),
            ("given_names", "Ana"),
            ("date_of_birth", "2030-01-01"),
            ("citizenship", "Atlantis"),
            ("email", "not-an-address"),
        ]);
        let problems: BTreeMap<String, Problem> =
            check_page(page, &posted, &Answers::new(), today())
                .unwrap_err()
                .into_iter()
                .collect();
        assert_eq!(problems["family_name"], Problem::TooLong { max: 200 });
        assert_eq!(problems["date_of_birth"], Problem::MustBePast);
        assert_eq!(problems["citizenship"], Problem::NotAnOption);
        assert_eq!(problems["email"], Problem::Email(EmailProblem::Invalid));
    }

    #[test]
    fn conditions_show_and_hide_fields_and_pages() {
        let visa = form("visit-visa");
        let travel = visa.pages.iter().find(|p| p.id == "travel").unwrap();
        let base = answers(&[
            ("purpose", "tourism"),
            ("arrival", "2027-01-10"),
            ("departure", "2027-01-20"),
        ]);
        // Visited before: the date of the last visit is asked for.
        let mut posted = base.clone();
        posted.insert("visited_before".into(), "yes".into());
        let problems = check_page(travel, &posted, &Answers::new(), today()).unwrap_err();
        assert_eq!(problems, vec![("last_visit".to_string(), Problem::Missing)]);
        // Not visited: the field is hidden and anything posted for it is dropped.
        let mut posted = base.clone();
        posted.insert("visited_before".into(), "no".into());
        posted.insert("last_visit".into(), "2020-01-01".into());
        let clean = check_page(travel, &posted, &Answers::new(), today()).unwrap();
        assert!(!clean.contains_key("last_visit"));
    }

    #[test]
    fn a_required_document_must_have_been_uploaded() {
        let visa = form("visit-visa");
        let docs = visa
            .pages
            .iter()
            .find(|p| p.fields.iter().any(|f| f.id == "passport_photo_page"))
            .unwrap();
        let problems = check_page(docs, &Answers::new(), &Answers::new(), today()).unwrap_err();
        assert!(problems.contains(&("passport_photo_page".to_string(), Problem::MissingDocument)));
        let saved = answers(&[("passport_photo_page", "doc:1")]);
        let posted = answers(&[
            ("passport_number", "AB1234567"),
            ("passport_expiry", "2030-01-01"),
        ]);
        let clean = check_page(docs, &posted, &saved, today());
        assert!(clean.is_ok_and(|c| c["passport_photo_page"] == "doc:1"));
    }

    #[test]
    fn personal_identity_numbers_are_stored_as_twelve_digits() {
        let form = form("relative-of-worker");
        let page = form
            .pages
            .iter()
            .find(|p| {
                p.fields
                    .iter()
                    .any(|f| f.kind == FieldKind::PersonalIdentityNumber)
            })
            .unwrap();
        let field = page
            .fields
            .iter()
            .find(|f| f.kind == FieldKind::PersonalIdentityNumber)
            .unwrap();
        let mut posted: Answers = page
            .fields
            .iter()
            .map(|f| (f.id.clone(), "x".to_string()))
            .collect();
        posted.insert(field.id.clone(), "811218-9875".into());
        let problems = check_page(page, &posted, &Answers::new(), today()).unwrap_err();
        assert!(problems.contains(&(field.id.clone(), Problem::Pin(PinProblem::CheckDigit))));
        assert_eq!(
            normalize(field, "811218-9876", today()),
            Ok("198112189876".into())
        );
    }

    #[test]
    fn salvage_keeps_only_what_is_valid_on_its_own_and_names_the_rest() {
        let visa = form("visit-visa");
        let posted = answers(&[
            ("family_name", "Öberg"),
            ("date_of_birth", "1990-02-30"),
            ("email", "ana@example.com"),
        ]);
        let salvage = salvage_page(&visa.pages[0], &posted, &Answers::new(), today());
        assert_eq!(
            salvage.kept,
            answers(&[("family_name", "Öberg"), ("email", "ana@example.com")])
        );
        assert_eq!(
            salvage.refused,
            vec![("date_of_birth".to_string(), Problem::NotADate)]
        );
    }

    #[test]
    fn passport_numbers_and_numbers() {
        let visa = form("visit-visa");
        let passport = visa.field("passport_number").unwrap();
        assert_eq!(
            normalize(passport, "ab 123 4567", today()),
            Ok("AB1234567".into())
        );
        assert_eq!(normalize(passport, "12", today()), Err(Problem::Passport));
        assert_eq!(
            normalize(passport, "AB-1234567", today()),
            Err(Problem::Passport)
        );
    }
}
