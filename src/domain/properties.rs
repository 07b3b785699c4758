//! Property tests: every parser of what a person types answers any input with a
//! value or a problem, never a panic (issue 16 item 5). Arbitrary strings, and
//! strings built from the characters parsers split on, with multi-byte ones mixed in.
use proptest::prelude::*;
use secrecy::SecretString;

use super::date::Date;
use super::email::Email;
use super::forms::answers::{check_page, salvage_page, Answers};
use super::forms::{load_all, SHIPPED};
use super::password::NewPassword;
use super::phone::Phone;
use super::pin::PersonalIdentityNumber;
use super::secret::OneTimeCode;
use super::verification::VerificationNumber;

/// Text near the shapes parsers expect: digits, separators and a few multi-byte
/// characters in any order.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9 +/.@:\\-€åäöÅ\u{200b}\u{202e}a-z]{0,40}",
    ]
}

fn today() -> Date {
    Date::new(2026, 12, 2).unwrap()
}

proptest! {
    // Failures found are kept as named unit tests beside each parser, not in a
    // regressions file (the repository's top level is fixed).
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn text_parsers_never_panic(s in typed(), code in typed()) {
        let _ = Email::parse(&s);
        let _ = Phone::parse(Some(&code), &s);
        let _ = Phone::parse(None, &s);
        let _ = PersonalIdentityNumber::parse(&s, today());
        let _ = VerificationNumber::parse(&s);
        let _ = Date::parse_typed(&s);
        let _ = OneTimeCode::parse(&s);
        let _ = super::Lang::parse(&s);
        let _ = super::case::CaseStatus::parse(&s);
    }

    #[test]
    fn every_accepted_email_address_is_one_the_mail_transport_takes(
        local in "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~åö-]{1,20}",
        domain in "[a-z0-9.-]{1,20}",
        tld in "[a-z]{2,4}",
    ) {
        let typed = format!("{local}@{domain}.{tld}");
        if let Ok(email) = Email::parse(&typed) {
            prop_assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{}", typed);
        }
    }

    #[test]
    fn a_new_password_check_never_panics(a in typed(), b in typed(), address in typed()) {
        let (a, b) = (SecretString::from(a), SecretString::from(b));
        let _ = NewPassword::parse_for_address(&a, &b, &address);
    }

    #[test]
    fn any_answers_to_any_page_give_answers_or_problems(
        values in proptest::collection::vec(typed(), 1..12),
        form in 0usize..64,
        page in 0usize..64,
    ) {
        let forms = load_all(SHIPPED).unwrap();
        let form = &forms[form % forms.len()];
        let page = &form.pages[page % form.pages.len()];
        let posted: Answers = page
            .fields
            .iter()
            .zip(values.iter().cycle())
            .map(|(f, v)| (f.id.clone(), v.clone()))
            .collect();
        let _ = check_page(page, &posted, &Answers::new(), today());
        let _ = salvage_page(page, &posted, &posted, today());
    }
}
