//! Phone numbers in international (E.164) form: `+`, a calling code and the
//! national number, at most 15 digits, checked against each country's numbering
//! plan with the `phonenumber` crate (libphonenumber's data).
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, Type};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneProblem {
    Missing,
    Invalid,
    /// Valid, but not a number that receives text messages (a landline).
    NotMobile,
}

impl PhoneProblem {
    /// The catalog key of the message.
    pub fn key(&self) -> &'static str {
        match self {
            PhoneProblem::Missing => "error.phone.missing",
            PhoneProblem::Invalid => "error.phone.invalid",
            PhoneProblem::NotMobile => "error.phone.not_mobile",
        }
    }
}

impl Phone {
    /// Any valid number. `region` is the country the number is read in when it has
    /// no `+` or `00`: an ISO code (`SE`) or the picker's calling code (`+46`).
    /// Each country's own rules (libphonenumber's data) remove its national prefix,
    /// also when it was kept after the calling code (`+46 070-…` is `+4670…`), and
    /// keep a leading 0 where it belongs to the number (Italian landlines).
    pub fn parse(region: Option<&str>, number: &str) -> Result<Phone, PhoneProblem> {
        read(region, number).map(|(phone, _)| phone)
    }

    /// A number that can receive text messages: a mobile number, or one the
    /// country's numbering cannot tell from a landline.
    pub fn parse_mobile(region: Option<&str>, number: &str) -> Result<Phone, PhoneProblem> {
        let (phone, kind) = read(region, number)?;
        match kind {
            Type::Mobile | Type::FixedLineOrMobile => Ok(phone),
            _ => Err(PhoneProblem::NotMobile),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first of the given calling codes the number starts with.
    pub fn prefix_in<'a>(&self, prefixes: &'a [String]) -> Option<&'a str> {
        prefixes
            .iter()
            .map(String::as_str)
            .find(|p| self.0.starts_with(p))
    }

    /// Only the last two digits, for messages and pages that need not show the number.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// The number in E.164 form and its kind, or the problem.
fn read(region: Option<&str>, number: &str) -> Result<(Phone, Type), PhoneProblem> {
    let trimmed = number.trim();
    if trimmed.is_empty() {
        return Err(PhoneProblem::Missing);
    }
    let allowed = |c: char| c.is_ascii_digit() || " -()+./".contains(c);
    if !trimmed.chars().all(allowed) || trimmed.len() > 40 || trimmed.rfind('+') > Some(0) {
        return Err(PhoneProblem::Invalid);
    }
    let written = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_string(),
    };
    let country = if written.starts_with('+') {
        None
    } else {
        Some(region.and_then(region_id).ok_or(PhoneProblem::Invalid)?)
    };
    let parsed = phonenumber::parse(country, &written).map_err(|_| PhoneProblem::Invalid)?;
    if !phonenumber::is_valid(&parsed) {
        return Err(PhoneProblem::Invalid);
    }
    let kind = parsed.number_type(&DATABASE);
    let e164 = parsed.format().mode(Mode::E164).to_string();
    Ok((Phone(e164), kind))
}

/// The country an ISO code (`SE`) or a calling code (`+46`: the country its
/// numbering plan belongs to, e.g. +1 → US, +7 → RU) names.
fn region_id(region: &str) -> Option<Id> {
    if let Some(code) = region.strip_prefix('+') {
        let code: u16 = code.parse().ok()?;
        let main = DATABASE.by_code(&code)?.into_iter().next()?;
        return Id::from_str(main.id()).ok();
    }
    Id::from_str(&region.to_ascii_uppercase()).ok()
}

/// A stored (E.164) number as people read it, in groups: `+46 70 123 45 67`.
/// Anything that is not a valid number is shown as it is.
pub fn readable(stored: &str) -> String {
    match phonenumber::parse(None, stored) {
        Ok(n) if phonenumber::is_valid(&n) => n.format().mode(Mode::International).to_string(),
        _ => stored.to_string(),
    }
}

/// A stored number with all but its last two digits hidden.
pub fn mask(number: &str) -> String {
    let digits = number.chars().count();
    let tail: String = number.chars().skip(digits.saturating_sub(2)).collect();
    format!("{}{}", "•".repeat(digits.saturating_sub(2).min(8)), tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_numbers_read_in_groups_and_anything_else_as_it_is() {
        assert_eq!(readable("+46701234567"), "+46 70 123 45 67");
        assert_eq!(readable("+905321234567"), "+90 532 123 45 67");
        assert_eq!(readable("not a number <&>"), "not a number <&>");
        assert_eq!(readable(""), "");
    }

    #[test]
    fn international_and_national_forms_become_e164() {
        for (region, written) in [
            (None, "+46 70-123 45 67"),
            (Some("+46"), "070-123 45 67"),
            (Some("SE"), "070-123 45 67"),
            (None, "0046701234567"),
            // The trunk 0 kept after the country code, as Swedes often write it.
            (None, "+46 070-123 45 67"),
            (Some("SE"), "+46 (0)70 123 45 67"),
        ] {
            assert_eq!(
                Phone::parse_mobile(region, written).unwrap().as_str(),
                "+46701234567",
                "{written}"
            );
        }
        assert_eq!(
            Phone::parse_mobile(Some("+90"), "532 123 45 67")
                .unwrap()
                .as_str(),
            "+905321234567"
        );
    }

    #[test]
    fn landlines_are_numbers_but_not_for_text_messages() {
        assert_eq!(
            Phone::parse(Some("SE"), "08-123 456 78").unwrap().as_str(),
            "+46812345678"
        );
        assert_eq!(
            Phone::parse_mobile(Some("SE"), "08-123 456 78"),
            Err(PhoneProblem::NotMobile)
        );
        // Italy keeps the leading 0 of a landline inside the number.
        assert_eq!(
            Phone::parse(Some("IT"), "06 1234 5678").unwrap().as_str(),
            "+390612345678"
        );
        assert_eq!(
            Phone::parse_mobile(Some("IT"), "06 1234 5678"),
            Err(PhoneProblem::NotMobile)
        );
        // The US numbering plan cannot tell mobiles from landlines: accepted.
        assert!(Phone::parse_mobile(Some("US"), "(201) 555-0123").is_ok());
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert_eq!(Phone::parse(None, " "), Err(PhoneProblem::Missing));
        for bad in [
            "0701234567",
            "+46abc",
            "+4670",
            "+1234567890123456",
            "+46+70123456",
            "+0701234567",
        ] {
            assert_eq!(Phone::parse(None, bad), Err(PhoneProblem::Invalid), "{bad}");
        }
        assert_eq!(
            Phone::parse(Some("+999"), "701234567"),
            Err(PhoneProblem::Invalid)
        );
    }

    #[test]
    fn unreliable_prefixes_and_masking() {
        let p = Phone::parse(None, "+639171234567").unwrap();
        assert_eq!(p.prefix_in(&["+90".into(), "+63".into()]), Some("+63"));
        assert_eq!(
            Phone::parse(None, "+46701234567")
                .unwrap()
                .prefix_in(&["+90".into()]),
            None
        );
        assert!(p.masked().ends_with("67") && !p.masked().contains("917"));
    }
}
