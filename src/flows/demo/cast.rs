//! Who the demo holds and what they typed: two applicants, three staff, and
//! the answers a page of any shipped application type asks for.
use crate::domain::date::Date;
use crate::domain::forms::answers::Answers;
use crate::domain::rules::DAY;
use crate::domain::staff::Role;
use crate::domain::Lang;

/// An applicant of the demo.
pub struct Applicant {
    pub email: &'static str,
    pub lang: Lang,
    /// The mobile number two-step verification sends codes to (Swedish national
    /// format), from the range the Swedish regulator keeps for fiction.
    pub two_step: Option<&'static str>,
    pub family_name: &'static str,
    pub given_names: &'static str,
    pub date_of_birth: &'static str,
    pub citizenship: &'static str,
    pub passport_number: &'static str,
}

pub const ANA: Applicant = Applicant {
    email: "demo-ana@example.com",
    lang: Lang::Sv,
    two_step: Some("070-174 06 05"),
    family_name: "Öberg",
    given_names: "Ana",
    date_of_birth: "1990-05-17",
    citizenship: "UA",
    passport_number: "AB1234567",
};

pub const BEN: Applicant = Applicant {
    email: "demo-ben@example.com",
    lang: Lang::En,
    two_step: None,
    family_name: "Okafor",
    given_names: "Benjamin",
    date_of_birth: "1985-09-02",
    citizenship: "NG",
    passport_number: "BN7654321",
};

pub const APPLICANTS: [&Applicant; 2] = [&ANA, &BEN];

/// The staff: the admin comes last, since its finished setup marks a finished demo.
pub const STAFF: [(&str, Role); 3] = [
    ("demo-caseworker@example.com", Role::Caseworker),
    ("demo-support@example.com", Role::Support),
    ("demo-admin@example.com", Role::Admin),
];

/// A person in Sweden, named by a spouse-partner application.
pub struct Sponsor {
    pub name: &'static str,
    pub pin: &'static str,
    pub email: &'static str,
}

pub const ERIK: Sponsor = Sponsor {
    name: "Erik Svensson",
    pin: "198112189876",
    email: "demo-erik@example.com",
};

pub const MAJA: Sponsor = Sponsor {
    name: "Maja Lindqvist",
    pin: "197603142386",
    email: "demo-maja@example.com",
};

/// What `who` types on the pages of any shipped application type (and the
/// questionnaire), with dates counted from `now` so they stay in the future.
pub fn answers(who: &Applicant, sponsor: &Sponsor, now: i64) -> Answers {
    let day = |days: i64| Date::in_sweden(now + days * DAY).to_string();
    [
        ("family_name", who.family_name.to_string()),
        ("given_names", who.given_names.to_string()),
        ("date_of_birth", who.date_of_birth.to_string()),
        ("citizenship", who.citizenship.to_string()),
        ("email", who.email.to_string()),
        ("passport_number", who.passport_number.to_string()),
        ("passport_expiry", day(3 * 365)),
        ("purpose", "family_visit".to_string()),
        ("arrival", day(45)),
        ("departure", day(59)),
        ("visited_before", "no".to_string()),
        ("host_name", sponsor.name.to_string()),
        ("accommodation", "Storgatan 1, Malmö".to_string()),
        ("funding", "host".to_string()),
        ("sponsor_name", sponsor.name.to_string()),
        ("sponsor_pin", sponsor.pin.to_string()),
        ("sponsor_email", sponsor.email.to_string()),
        ("relationship", "cohabiting".to_string()),
        ("relationship_since", "2019-01-01".to_string()),
        ("lived_together", "no".to_string()),
        ("children_together", "no".to_string()),
        // The questionnaire, as the person in Sweden answers it.
        ("phone", "+46 70 174 06 99".to_string()),
        ("occupation", "Lärare".to_string()),
        ("supports_self", "yes".to_string()),
        ("met_on", "2018-06-01".to_string()),
        ("how_met", "At a friend's wedding in Malmö.".to_string()),
        ("met_in_person", "yes".to_string()),
        ("common_language", "English".to_string()),
        ("housing", "rental".to_string()),
        ("rooms", "3".to_string()),
    ]
    .into_iter()
    .map(|(field, value)| (field.to_string(), value))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pin::PersonalIdentityNumber;

    #[test]
    fn the_sponsors_numbers_are_valid() {
        let today = Date::new(2026, 11, 21).unwrap();
        for sponsor in [ERIK, MAJA] {
            assert!(PersonalIdentityNumber::parse(sponsor.pin, today).is_ok());
        }
    }
}
