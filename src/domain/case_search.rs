//! What a caseworker searches the cases for: one search box told apart by the
//! shape of what is typed (a verification number, a personal identity number, an
//! email address, or words of the applicant's name), who has the case, and the
//! order of the list.
use super::date::Date;
use super::email::Email;
use super::pin::PersonalIdentityNumber;
use super::staff::StaffId;
use super::verification::VerificationNumber;

/// Longest search a caseworker can type; more is refused, not cut.
pub const SEARCH_MAX_CHARS: usize = 100;
/// Words of a name searched for at most (each must be in the name).
const NAME_WORDS_MAX: usize = 6;

/// One search, by the shape of what was typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Verification(VerificationNumber),
    /// 12 digits.
    Pin(PersonalIdentityNumber),
    /// As [`Email`] writes it (the search compares without regard to case).
    Email(String),
    /// The words of a name as a full-text query: every word, each as a prefix.
    Name(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchProblem {
    TooLong,
    /// Has an @ but is not an email address; or nothing to search by.
    NotUnderstood,
}

impl SearchProblem {
    pub fn key(self) -> &'static str {
        match self {
            SearchProblem::TooLong => "error.case_search.too_long",
            SearchProblem::NotUnderstood => "error.case_search.not_understood",
        }
    }
}

impl Term {
    /// What `input` searches for; Ok(None) for an empty box. `today` settles the
    /// century of a 10-digit personal identity number.
    pub fn parse(input: &str, today: Date) -> Result<Option<Term>, SearchProblem> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        if input.chars().count() > SEARCH_MAX_CHARS {
            return Err(SearchProblem::TooLong);
        }
        if input.contains('@') {
            return Email::parse(input)
                .map(|e| Some(Term::Email(e.as_str().to_string())))
                .map_err(|_| SearchProblem::NotUnderstood);
        }
        // Both can be ten digits: the hyphen's place tells them apart (four
        // digits after it in a personal identity number, two in a verification
        // number); ten bare digits are read as a verification number first.
        let pin_shaped = matches!(input.chars().rev().nth(4), Some('-' | '+'));
        let number = VerificationNumber::parse(input)
            .ok()
            .filter(|_| !pin_shaped);
        if let Some(number) = number {
            return Ok(Some(Term::Verification(number)));
        }
        if let Ok(pin) = PersonalIdentityNumber::parse(input, today) {
            return Ok(Some(Term::Pin(pin)));
        }
        name_query(input)
            .map(|q| Some(Term::Name(q)))
            .ok_or(SearchProblem::NotUnderstood)
    }
}

/// The words of a name as an FTS5 query: each word a quoted prefix ("an"* finds
/// Ana and Anna), all of them required. Quoting keeps FTS5's own syntax (AND,
/// NEAR, column filters) out of what a person types.
fn name_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(NAME_WORDS_MAX)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Whose cases the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assigned {
    Anyone,
    Nobody,
    To(StaffId),
}

/// The order of the caseworkers' list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    /// Most recently changed first.
    Updated,
    /// By the applicant's name, A to Z.
    Name,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Newest, Sort::Oldest, Sort::Updated, Sort::Name];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Updated => "updated",
            Sort::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The catalog key of the order's name.
    pub fn key(self) -> &'static str {
        match self {
            Sort::Newest => "staff.case_order.newest",
            Sort::Oldest => "staff.case_order.oldest",
            Sort::Updated => "staff.case_order.updated",
            Sort::Name => "staff.case_order.name",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 21).unwrap()
    }

    #[test]
    fn the_shape_of_the_input_says_what_it_searches() {
        let parse = |s: &str| Term::parse(s, today());
        assert_eq!(parse("  "), Ok(None));
        let number = VerificationNumber::generate();
        assert_eq!(
            parse(&format!(" {} ", number.as_str())),
            Ok(Some(Term::Verification(number)))
        );
        match parse("19900101-1239") {
            Ok(Some(Term::Pin(p))) => assert_eq!(p.as_str(), "199001011239"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("900101-1239"), Ok(Some(Term::Pin(_)))));
        assert!(matches!(parse("ÖÖÖÖÖ-Ö"), Ok(Some(Term::Name(_)))));
        assert_eq!(
            parse("Ana@Example.com"),
            Ok(Some(Term::Email("ana@example.com".into())))
        );
        assert_eq!(parse("ana@"), Err(SearchProblem::NotUnderstood));
        assert_eq!(
            parse("Öberg, Ana"),
            Ok(Some(Term::Name("\"Öberg\"* \"Ana\"*".into())))
        );
        assert_eq!(
            parse("\"* OR NEAR("),
            Ok(Some(Term::Name("\"OR\"* \"NEAR\"*".into()))),
            "FTS5 syntax is only words"
        );
        assert_eq!(parse("*** ---"), Err(SearchProblem::NotUnderstood));
        assert_eq!(
            parse("a\" OR b"),
            Ok(Some(Term::Name("\"a\"* \"OR\"* \"b\"*".into())))
        );
        let long = "a".repeat(SEARCH_MAX_CHARS + 1);
        assert_eq!(parse(&long), Err(SearchProblem::TooLong));
    }

    #[test]
    fn sorts_round_trip() {
        for s in Sort::ALL {
            assert_eq!(Sort::parse(s.as_str()), Some(s));
        }
        assert_eq!(Sort::parse("random"), None);
    }
}
