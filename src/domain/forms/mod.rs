//! Application types as data: each is one file under `assets/forms/`, in both
//! languages, with its pages, fields, conditions, draft lifetime and fee. This
//! module reads and checks the definitions (`definition`), and checks a page of
//! answers against them (`answers`). Adding a type means adding a file.
pub mod answers;
pub mod definition;
pub mod navigation;

pub use definition::{
    Condition, Field, FieldKind, FormDef, FormError, FormKind, Page, QuestionnaireLink, Text,
};

/// The shipped definitions, compiled into the binary: (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "visit-visa.toml",
        include_str!("../../../assets/forms/visit-visa.toml"),
    ),
    (
        "work-permit.toml",
        include_str!("../../../assets/forms/work-permit.toml"),
    ),
    (
        "studies.toml",
        include_str!("../../../assets/forms/studies.toml"),
    ),
    (
        "citizenship.toml",
        include_str!("../../../assets/forms/citizenship.toml"),
    ),
    (
        "spouse-partner.toml",
        include_str!("../../../assets/forms/spouse-partner.toml"),
    ),
    (
        "relative-of-worker.toml",
        include_str!("../../../assets/forms/relative-of-worker.toml"),
    ),
    (
        "relative-of-student.toml",
        include_str!("../../../assets/forms/relative-of-student.toml"),
    ),
    (
        "spouse-questionnaire.toml",
        include_str!("../../../assets/forms/spouse-questionnaire.toml"),
    ),
];

/// Every application type, checked. A bad definition stops start-up with a message
/// naming the file and the field.
/// The shipped application types, parsed once (start-up checks them first, and
/// a broken definition fails the test suite before it can ship).
pub fn shipped() -> &'static Forms {
    static SHIPPED_FORMS: std::sync::OnceLock<Forms> = std::sync::OnceLock::new();
    SHIPPED_FORMS.get_or_init(|| load_all(SHIPPED).unwrap_or_else(|e| panic!("shipped forms: {e}")))
}

pub fn load_all(files: &[(&str, &str)]) -> Result<Forms, FormError> {
    let mut forms: Vec<FormDef> = Vec::with_capacity(files.len());
    for (file, text) in files {
        let form = FormDef::parse(file, text)?;
        if forms.iter().any(|f| f.id == form.id) {
            return Err(FormError::new(
                file,
                "id",
                format!("another file already defines the type {:?}", form.id),
            ));
        }
        forms.push(form);
    }
    for form in &forms {
        if let Some(q) = &form.questionnaire {
            if !forms
                .iter()
                .any(|f| f.id == q.form && f.kind == FormKind::Questionnaire)
            {
                return Err(FormError::new(
                    &format!("{}.toml", form.id),
                    "questionnaire",
                    format!("{:?} is not a questionnaire form", q.form),
                ));
            }
        }
    }
    Ok(Forms(forms))
}

/// The application types of this installation: the one place that finds a type by
/// its id or names it.
#[derive(Clone, Debug)]
pub struct Forms(Vec<FormDef>);

impl Forms {
    /// The type with this id.
    pub fn get(&self, id: &str) -> Option<&FormDef> {
        self.0.iter().find(|f| f.id == id)
    }

    /// The type's title in `lang`; the id itself for a type this installation no
    /// longer has (an old draft or case).
    pub fn title<'a>(&'a self, id: &'a str, lang: crate::domain::Lang) -> &'a str {
        self.get(id).map_or(id, |f| f.title.get(lang))
    }
}

impl std::ops::Deref for Forms {
    type Target = [FormDef];

    fn deref(&self) -> &[FormDef] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_definition_loads_with_its_rules() {
        let all = load_all(SHIPPED).unwrap();
        let (forms, questionnaires): (Vec<_>, Vec<_>) =
            all.iter().partition(|f| f.kind == FormKind::Application);
        assert_eq!(forms.len(), 7);
        assert_eq!(questionnaires.len(), 1);
        assert_eq!(questionnaires[0].fee_sek, 0);
        assert_eq!(all.get("visit-visa").map(|f| f.fee_sek), Some(1000));
        assert_eq!(
            all.title("visit-visa", crate::domain::Lang::Sv),
            "Visum för besök"
        );
        // A type this installation no longer has (an old case) is named by its id.
        assert!(all.get("retired-type").is_none());
        assert_eq!(
            all.title("retired-type", crate::domain::Lang::En),
            "retired-type"
        );
        let lifetime = |id: &str| forms.iter().find(|f| f.id == id).unwrap().lifetime_days;
        assert_eq!(lifetime("visit-visa"), 14);
        assert_eq!(lifetime("studies"), 14);
        assert_eq!(lifetime("citizenship"), 14);
        assert_eq!(lifetime("work-permit"), 30);
        assert_eq!(lifetime("spouse-partner"), 30);
        assert_eq!(lifetime("relative-of-worker"), 30);
        assert_eq!(lifetime("relative-of-student"), 30);
        for form in &forms {
            assert!(form.pages.len() >= 3, "{}: a few pages", form.id);
            let fields = || form.pages.iter().flat_map(|p| &p.fields);
            assert!(
                fields().any(|f| f.kind == FieldKind::Document),
                "{}: a document upload",
                form.id
            );
            assert!(
                fields().any(|f| f.id == "passport_photo_page"),
                "{}: the passport photo page",
                form.id
            );
            assert!(form.fee_sek > 0, "{}: a fee", form.id);
        }
        let spouse = forms.iter().find(|f| f.id == "spouse-partner").unwrap();
        let sponsor: Vec<_> = spouse
            .pages
            .iter()
            .flat_map(|p| &p.fields)
            .map(|f| f.id.as_str())
            .collect();
        assert!(
            sponsor.contains(&"sponsor_email") && sponsor.contains(&"sponsor_name"),
            "names the person in Sweden"
        );
        assert_eq!(
            spouse.questionnaire.as_ref().map(|q| q.form.as_str()),
            Some(questionnaires[0].id.as_str()),
            "the person in Sweden answers the questionnaire"
        );
        for (id, kind) in [
            ("relative-of-worker", "work"),
            ("relative-of-student", "study"),
        ] {
            let form = forms.iter().find(|f| f.id == id).unwrap();
            let pin = form
                .pages
                .iter()
                .flat_map(|p| &p.fields)
                .find(|f| f.kind == FieldKind::PersonalIdentityNumber)
                .unwrap();
            assert_eq!(pin.permit_kind.as_deref(), Some(kind), "{id}");
        }
    }

    #[test]
    fn two_files_defining_the_same_type_are_refused() {
        let (_, text) = SHIPPED[0];
        let err = load_all(&[("visit-visa.toml", text), ("visit-visa.toml", text)]).unwrap_err();
        assert!(
            err.to_string().contains("another file already defines"),
            "{err}"
        );
    }

    #[test]
    fn an_application_must_name_an_existing_questionnaire() {
        let spouse = SHIPPED
            .iter()
            .find(|(f, _)| *f == "spouse-partner.toml")
            .unwrap();
        let err = load_all(&[*spouse]).unwrap_err();
        assert!(err.to_string().contains("is not a questionnaire"), "{err}");
        let wrong_field = spouse.1.replace(
            "pin_field = \"sponsor_pin\"",
            "pin_field = \"sponsor_name\"",
        );
        let err = FormDef::parse("spouse-partner.toml", &wrong_field).unwrap_err();
        assert_eq!(err.place, "questionnaire");
    }
}
