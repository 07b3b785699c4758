//! Who the demo holds: two applicants and three staff.
use crate::domain::staff::Role;
use crate::domain::Lang;

/// An applicant of the demo.
pub struct Applicant {
    pub email: &'static str,
    pub lang: Lang,
    /// The mobile number two-step verification sends codes to (Swedish national
    /// format), from the range the Swedish regulator keeps for fiction.
    pub two_step: Option<&'static str>,
}

pub const ANA: Applicant = Applicant {
    email: "demo-ana@example.com",
    lang: Lang::Sv,
    two_step: Some("070-174 06 05"),
};

pub const BEN: Applicant = Applicant {
    email: "demo-ben@example.com",
    lang: Lang::En,
    two_step: None,
};

pub const APPLICANTS: [&Applicant; 2] = [&ANA, &BEN];

/// The staff: the admin comes last, since its finished setup marks a finished demo.
pub const STAFF: [(&str, Role); 3] = [
    ("demo-caseworker@example.com", Role::Caseworker),
    ("demo-support@example.com", Role::Support),
    ("demo-admin@example.com", Role::Admin),
];
