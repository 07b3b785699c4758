//! Phone numbers in international (E.164) form: `+`, a calling code and the
//! national number, at most 15 digits.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneProblem {
    Missing,
    Invalid,
}

impl PhoneProblem {
    /// The catalog key of the message.
    pub fn key(&self) -> &'static str {
        match self {
            PhoneProblem::Missing => "error.phone.missing",
            PhoneProblem::Invalid => "error.phone.invalid",
        }
    }
}

impl Phone {
    /// `calling_code` is the picker's choice (e.g. `+46`), used when the number has no `+`.
    /// A national number's leading 0 (trunk prefix) is dropped: 070-123 45 67 → +46701234567.
    pub fn parse(calling_code: Option<&str>, number: &str) -> Result<Phone, PhoneProblem> {
        let trimmed = number.trim();
        if trimmed.is_empty() {
            return Err(PhoneProblem::Missing);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " -()+.".contains(c))
        {
            return Err(PhoneProblem::Invalid);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let international = if let Some(rest) = trimmed.strip_prefix('+') {
            if rest.contains('+') {
                return Err(PhoneProblem::Invalid);
            }
            digits
        } else if let Some(rest) = trimmed.strip_prefix("00") {
            rest.chars().filter(char::is_ascii_digit).collect()
        } else {
            let code = calling_code
                .and_then(super::countries::calling_code)
                .ok_or(PhoneProblem::Invalid)?;
            format!("{}{}", &code[1..], digits.trim_start_matches('0'))
        };
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(PhoneProblem::Invalid);
        }
        Ok(Phone(format!("+{international}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the number starts with one of the given calling codes.
    pub fn has_prefix_in(&self, prefixes: &[String]) -> bool {
        prefixes.iter().any(|p| self.0.starts_with(p.as_str()))
    }

    /// Only the last two digits, for messages and pages that need not show the number.
    pub fn masked(&self) -> String {
        mask(&self.0)
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
    fn international_and_national_forms_become_e164() {
        assert_eq!(
            Phone::parse(None, "+46 70-123 45 67").unwrap().as_str(),
            "+46701234567"
        );
        assert_eq!(
            Phone::parse(Some("+46"), "070-123 45 67").unwrap().as_str(),
            "+46701234567"
        );
        assert_eq!(
            Phone::parse(None, "0046701234567").unwrap().as_str(),
            "+46701234567"
        );
        assert_eq!(
            Phone::parse(Some("+90"), "532 123 45 67").unwrap().as_str(),
            "+905321234567"
        );
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
        assert!(p.has_prefix_in(&["+90".into(), "+63".into()]));
        assert!(!Phone::parse(None, "+46701234567")
            .unwrap()
            .has_prefix_in(&["+90".into()]));
        assert!(p.masked().ends_with("67") && !p.masked().contains("917"));
    }
}
