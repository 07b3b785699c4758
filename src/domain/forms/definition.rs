//! The shape of an application type and the checks every definition must pass
//! before Kansli starts.
use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Deserialize;

use crate::domain::Lang;

/// Words in both languages.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub sv: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    fn is_complete(&self) -> bool {
        !self.sv.trim().is_empty() && !self.en.trim().is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    ShortText,
    LongText,
    Date,
    Number,
    /// A sum in whole kronor (a salary, savings): a number, read as `35 000 kr`.
    Amount,
    YesNo,
    Choice,
    Country,
    Email,
    Phone,
    PersonalIdentityNumber,
    /// A Swedish organisation number: 10 digits with a Luhn check digit.
    OrganisationNumber,
    PassportNumber,
    /// A photo of a document (JPEG or PNG).
    Document,
}

/// Whether a date must lie before or after today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateRule {
    Past,
    Future,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// Shown only when an earlier answer has the given value.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub equals: String,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub id: String,
    pub kind: FieldKind,
    pub label: Text,
    pub hint: Option<Text>,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<Choice>,
    pub show_if: Option<Condition>,
    /// Longest text accepted (characters); defaults per kind.
    pub max_length: Option<usize>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub date: Option<DateRule>,
    /// For a personal identity number of the person in Sweden: the kind of
    /// permit they must hold (`work` or `study`).
    pub permit_kind: Option<String>,
}

impl Field {
    pub fn max_length(&self) -> usize {
        self.max_length.unwrap_or(match self.kind {
            FieldKind::LongText => 4000,
            _ => 200,
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub id: String,
    pub title: Text,
    pub intro: Option<Text>,
    pub show_if: Option<Condition>,
    pub fields: Vec<Field>,
}

/// Who fills in a form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// An application, with a fee, started by an applicant from their account.
    #[default]
    Application,
    /// Answered by the person in Sweden for someone else's application: no fee,
    /// no account, never offered as an application.
    Questionnaire,
}

/// An application whose person in Sweden answers a questionnaire: which one, and
/// which of the application's fields name that person.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireLink {
    pub form: String,
    pub name_field: String,
    pub email_field: String,
    pub pin_field: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDef {
    pub id: String,
    #[serde(default)]
    pub kind: FormKind,
    pub title: Text,
    pub description: Text,
    /// Days a draft is kept after its last activity.
    pub lifetime_days: i64,
    /// The application fee in whole kronor.
    pub fee_sek: i64,
    pub pages: Vec<Page>,
    pub questionnaire: Option<QuestionnaireLink>,
}

/// A definition that cannot be used, with where the problem is.
#[derive(Debug, PartialEq, Eq)]
pub struct FormError {
    pub file: String,
    pub place: String,
    pub message: String,
}

impl FormError {
    pub fn new(file: &str, place: impl Into<String>, message: impl Into<String>) -> Self {
        FormError {
            file: file.to_string(),
            place: place.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.place, self.message)
    }
}

impl std::error::Error for FormError {}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl FormDef {
    /// The photos of documents the type asks for, in page order (what to have at
    /// hand before starting).
    pub fn documents(&self) -> Vec<&Field> {
        self.pages
            .iter()
            .flat_map(|p| &p.fields)
            .filter(|f| f.kind == FieldKind::Document)
            .collect()
    }

    pub fn parse(file: &str, text: &str) -> Result<FormDef, FormError> {
        let form: FormDef = toml::from_str(text)
            .map_err(|e| FormError::new(file, "syntax", e.to_string().trim().to_string()))?;
        form.check(file)?;
        Ok(form)
    }

    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.pages.iter().flat_map(|p| p.fields.iter())
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().find(|f| f.id == id)
    }

    /// The fee in öre, as amounts are stored.
    pub fn fee_ore(&self) -> i64 {
        self.fee_sek * 100
    }

    fn check(&self, file: &str) -> Result<(), FormError> {
        let err = |place: &str, message: String| Err(FormError::new(file, place, message));
        let stem = file.trim_end_matches(".toml");
        if !is_id(&self.id) || self.id != stem {
            return err(
                "id",
                format!(
                    "{:?} must be lower-case letters, digits and dashes, and match the file name",
                    self.id
                ),
            );
        }
        if !self.title.is_complete() || !self.description.is_complete() {
            return err("title", "title and description need both sv and en".into());
        }
        if !(1..=365).contains(&self.lifetime_days) {
            return err(
                "lifetime_days",
                format!("{} is not between 1 and 365", self.lifetime_days),
            );
        }
        match self.kind {
            FormKind::Application if self.fee_sek <= 0 => {
                return err("fee_sek", "an application has a fee".into());
            }
            FormKind::Questionnaire if self.fee_sek != 0 || self.questionnaire.is_some() => {
                return err(
                    "kind",
                    "a questionnaire has no fee and no questionnaire of its own".into(),
                );
            }
            _ => {}
        }
        if self.pages.is_empty() {
            return err("pages", "a form needs at least one page".into());
        }
        let mut page_ids = HashSet::new();
        // Earlier fields a condition may refer to, with the values they can take.
        let mut earlier: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for page in &self.pages {
            let at = format!("page {:?}", page.id);
            if !is_id(&page.id) || !page_ids.insert(page.id.as_str()) {
                return err(&at, "page ids must be unique ids".into());
            }
            if !page.title.is_complete() || page.intro.as_ref().is_some_and(|t| !t.is_complete()) {
                return err(&at, "title and intro need both sv and en".into());
            }
            if let Some(c) = &page.show_if {
                check_condition(c, &earlier)
                    .map_err(|m| FormError::new(file, format!("{at}, show_if"), m))?;
            }
            if page.fields.is_empty() {
                return err(&at, "a page needs at least one field".into());
            }
            for field in &page.fields {
                let at = format!("{at}, field {:?}", field.id);
                check_field(field, &earlier).map_err(|m| FormError::new(file, at.clone(), m))?;
                if earlier.contains_key(field.id.as_str()) {
                    return err(&at, "field ids must be unique in the form".into());
                }
                let values = match field.kind {
                    FieldKind::YesNo => vec!["yes", "no"],
                    FieldKind::Choice => field.options.iter().map(|o| o.value.as_str()).collect(),
                    _ => Vec::new(),
                };
                earlier.insert(field.id.as_str(), values);
            }
        }
        if let Some(q) = &self.questionnaire {
            for (name, kind) in [
                (&q.name_field, FieldKind::ShortText),
                (&q.email_field, FieldKind::Email),
                (&q.pin_field, FieldKind::PersonalIdentityNumber),
            ] {
                let found = self.field(name);
                if found.is_none_or(|f| f.kind != kind || !f.required || f.show_if.is_some()) {
                    return err(
                        "questionnaire",
                        format!("{name:?} must be a required, always shown {kind:?} field"),
                    );
                }
            }
        }
        Ok(())
    }
}

fn check_condition(c: &Condition, earlier: &BTreeMap<&str, Vec<&str>>) -> Result<(), String> {
    match earlier.get(c.field.as_str()) {
        None => Err(format!(
            "refers to {:?}, which is not an earlier field",
            c.field
        )),
        Some(values) if values.is_empty() => {
            Err(format!("{:?} is not a yes/no or choice field", c.field))
        }
        Some(values) if !values.contains(&c.equals.as_str()) => Err(format!(
            "{:?} can never equal {:?} (it can be {})",
            c.field,
            c.equals,
            values.join(", ")
        )),
        Some(_) => Ok(()),
    }
}

fn check_field(field: &Field, earlier: &BTreeMap<&str, Vec<&str>>) -> Result<(), String> {
    if !is_id(&field.id) {
        return Err("ids are lower-case letters, digits, _ and -".into());
    }
    if !field.label.is_complete() || field.hint.as_ref().is_some_and(|t| !t.is_complete()) {
        return Err("label and hint need both sv and en".into());
    }
    if let Some(c) = &field.show_if {
        check_condition(c, earlier)?;
    }
    let kind = field.kind;
    if kind == FieldKind::Choice {
        let mut seen = HashSet::new();
        if field.options.len() < 2 {
            return Err("a choice needs at least two options".into());
        }
        for o in &field.options {
            if !is_id(&o.value) || !seen.insert(o.value.as_str()) || !o.label.is_complete() {
                return Err(format!(
                    "option {:?} needs a unique id value and labels in sv and en",
                    o.value
                ));
            }
        }
    } else if !field.options.is_empty() {
        return Err("only a choice has options".into());
    }
    let numeric = matches!(kind, FieldKind::Number | FieldKind::Amount);
    if (field.min.is_some() || field.max.is_some()) && !numeric {
        return Err("min and max are for numbers".into());
    }
    if field.min.zip(field.max).is_some_and(|(a, b)| a > b) {
        return Err("min is larger than max".into());
    }
    if field.date.is_some() && kind != FieldKind::Date {
        return Err("date rules are for dates".into());
    }
    if field.max_length.is_some() && !matches!(kind, FieldKind::ShortText | FieldKind::LongText) {
        return Err("max_length is for text".into());
    }
    match (&field.permit_kind, kind) {
        (None, _) => Ok(()),
        (Some(p), FieldKind::PersonalIdentityNumber) if p == "work" || p == "study" => Ok(()),
        (Some(p), _) => Err(format!(
            "permit_kind {p:?} must be work or study, on a personal identity number"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
        id = "test-form"
        lifetime_days = 30
        fee_sek = 1500
        title = { sv = "Prov", en = "Test" }
        description = { sv = "Ett prov", en = "A test" }

        [[pages]]
        id = "one"
        title = { sv = "Ett", en = "One" }
        [[pages.fields]]
        id = "visited"
        kind = "yes_no"
        label = { sv = "Besökt?", en = "Visited?" }

        [[pages]]
        id = "two"
        title = { sv = "Två", en = "Two" }
        show_if = { field = "visited", equals = "yes" }
        [[pages.fields]]
        id = "when"
        kind = "date"
        date = "past"
        label = { sv = "När", en = "When" }
    "#;

    #[test]
    fn a_good_definition_loads() {
        let form = FormDef::parse("test-form.toml", GOOD).unwrap();
        assert_eq!(form.fee_ore(), 150_000);
        assert_eq!(form.field("when").unwrap().date, Some(DateRule::Past));
    }

    fn broken(from: &str, to: &str) -> String {
        FormDef::parse("test-form.toml", &GOOD.replace(from, to))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn broken_definitions_name_the_file_and_the_field() {
        let e = broken(
            r#"field = "visited", equals = "yes""#,
            r#"field = "visitd", equals = "yes""#,
        );
        assert!(
            e.starts_with("test-form.toml: page \"two\", show_if:") && e.contains("visitd"),
            "{e}"
        );
        let e = broken(
            r#"field = "visited", equals = "yes""#,
            r#"field = "visited", equals = "maybe""#,
        );
        assert!(e.contains("can never equal \"maybe\""), "{e}");
        let e = broken(r#"kind = "date""#, r#"kind = "dat""#);
        assert!(
            e.starts_with("test-form.toml: syntax:") && e.contains("dat"),
            "{e}"
        );
        let e = broken(
            r#"label = { sv = "När", en = "When" }"#,
            r#"label = { sv = "När", en = "" }"#,
        );
        assert!(
            e.contains("field \"when\"") && e.contains("sv and en"),
            "{e}"
        );
        let e = broken(r#"id = "when""#, r#"id = "visited""#);
        assert!(e.contains("unique"), "{e}");
        let e = broken(r#"date = "past""#, r#"min = 3"#);
        assert!(e.contains("min and max are for numbers"), "{e}");
        let e = broken("lifetime_days = 30", "lifetime_days = 0");
        assert!(e.contains("lifetime_days"), "{e}");
        let e = broken(r#"id = "test-form""#, r#"id = "other""#);
        assert!(e.contains("match the file name"), "{e}");
        let e = broken(
            r#"kind = "yes_no""#,
            r#"kind = "yes_no"
        colour = "red""#,
        );
        assert!(e.contains("colour"), "{e}");
    }
}
