//! Verification numbers (`xxxxxxxx-xx`): eight random digits and two check digits
//! by ISO 7064 MOD 97-10, so support can tell a mistyped number at once.
use std::fmt;

use rand::Rng;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerificationNumber(String);

#[derive(Debug, PartialEq, Eq)]
pub enum VerificationProblem {
    Format,
    /// The check digits do not match: a mistyped number.
    Check,
}

impl VerificationProblem {
    /// The catalog key of the message for the person.
    pub fn key(&self) -> &'static str {
        match self {
            VerificationProblem::Format => "error.verification.format",
            VerificationProblem::Check => "error.verification.check",
        }
    }
}

/// The two check digits for eight digits: 98 − (digits·100 mod 97).
fn check_digits(body: u64) -> u64 {
    98 - (body * 100) % 97
}

impl VerificationNumber {
    pub fn generate() -> Self {
        let body: u64 = rand::rng().random_range(0..100_000_000);
        VerificationNumber(format!("{body:08}-{:02}", check_digits(body)))
    }

    /// Accepts `xxxxxxxx-xx`, with or without the hyphen and spaces.
    pub fn parse(input: &str) -> Result<Self, VerificationProblem> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() != 10
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || input.matches('-').count() > 1
        {
            return Err(VerificationProblem::Format);
        }
        let body: u64 = digits[..8]
            .parse()
            .map_err(|_| VerificationProblem::Format)?;
        let check: u64 = digits[8..]
            .parse()
            .map_err(|_| VerificationProblem::Format)?;
        // ISO 7064: the whole number mod 97 is 1.
        if (body * 100 + check) % 97 != 1 {
            return Err(VerificationProblem::Check);
        }
        Ok(VerificationNumber(format!(
            "{}-{}",
            &digits[..8],
            &digits[8..]
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VerificationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_numbers_have_the_format_and_pass_their_own_check() {
        for _ in 0..1000 {
            let n = VerificationNumber::generate();
            let s = n.as_str();
            assert_eq!(s.len(), 11);
            assert_eq!(&s[8..9], "-");
            assert_eq!(VerificationNumber::parse(s), Ok(n.clone()));
        }
    }

    #[test]
    fn known_check_digits() {
        // 12345678 · 100 mod 97 = 9, so the check digits are 98 − 9 = 89.
        assert_eq!(
            VerificationNumber::parse("12345678-89").unwrap().as_str(),
            "12345678-89"
        );
        assert_eq!(
            VerificationNumber::parse(" 1234567889 ").unwrap().as_str(),
            "12345678-89"
        );
        assert_eq!(
            VerificationNumber::parse("00000000-98").unwrap().as_str(),
            "00000000-98"
        );
    }

    #[test]
    fn a_single_mistyped_or_swapped_digit_is_caught() {
        let good = "12345678-89";
        for i in (0..8).chain(9..11) {
            for d in b'0'..=b'9' {
                let mut typo = good.as_bytes().to_vec();
                if typo[i] == d {
                    continue;
                }
                typo[i] = d;
                assert_eq!(
                    VerificationNumber::parse(std::str::from_utf8(&typo).unwrap()),
                    Err(VerificationProblem::Check)
                );
            }
        }
        assert_eq!(
            VerificationNumber::parse("21345678-89"),
            Err(VerificationProblem::Check),
            "swapped digits"
        );
    }

    #[test]
    fn bad_shapes_are_refused() {
        for bad in [
            "",
            "1234567-89",
            "123456789-89",
            "12345678-8",
            "1234567a-89",
            "12-345678-89",
        ] {
            assert_eq!(
                VerificationNumber::parse(bad),
                Err(VerificationProblem::Format),
                "{bad}"
            );
        }
    }
}
