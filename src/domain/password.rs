//! Password rules after NIST 800-63B: length, not composition; guessable
//! passwords refused with the reason.
use secrecy::{ExposeSecret, SecretString};
use zxcvbn::feedback::Warning;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

/// A password that passed the rules for a new password.
#[derive(Debug)]
pub struct NewPassword(SecretString);

impl NewPassword {
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// Why a new password was refused; each is a catalog key.
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    Missing,
    TooShort,
    TooLong,
    Mismatch,
    /// Too easy to guess; the catalog key of the reason.
    Guessable(&'static str),
}

impl PasswordProblem {
    /// The catalog key of the message for the person.
    pub fn key(&self) -> &'static str {
        match self {
            PasswordProblem::Missing => "error.password.missing",
            PasswordProblem::TooShort => "error.password.too_short",
            PasswordProblem::TooLong => "error.password.too_long",
            PasswordProblem::Mismatch => "error.password.mismatch",
            PasswordProblem::Guessable(_) => "error.password.guessable",
        }
    }
}

impl NewPassword {
    /// [`NewPassword::parse`] for the account with this email address: the address and
    /// the part before its @ are the first words an attacker would try.
    pub fn parse_for_address(
        password: &SecretString,
        repeat: &SecretString,
        address: &str,
    ) -> Result<Self, PasswordProblem> {
        let local = address.split('@').next().unwrap_or_default();
        let context: Vec<&str> = [address, local]
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect();
        Self::parse(password, repeat, &context)
    }

    /// `context` holds words an attacker would try first (the email address, the service name).
    pub fn parse(
        password: &SecretString,
        repeat: &SecretString,
        context: &[&str],
    ) -> Result<Self, PasswordProblem> {
        let pw = password.expose_secret();
        let chars = pw.chars().count();
        if chars == 0 {
            return Err(PasswordProblem::Missing);
        }
        if chars < MIN_CHARS {
            return Err(PasswordProblem::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordProblem::TooLong);
        }
        let mut words: Vec<&str> = vec![
            "kansli",
            "migrationsverket",
            "migration",
            "password",
            "lösenord",
        ];
        words.extend_from_slice(context);
        let estimate = zxcvbn::zxcvbn(pw, &words);
        if (estimate.score() as u8) < 3 {
            let reason = estimate
                .feedback()
                .and_then(|f| f.warning())
                .map(warning_key)
                .unwrap_or("password.reason.guessable");
            return Err(PasswordProblem::Guessable(reason));
        }
        if subtle_ne(pw, repeat.expose_secret()) {
            return Err(PasswordProblem::Mismatch);
        }
        Ok(NewPassword(password.clone()))
    }
}

fn subtle_ne(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    !bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// zxcvbn's warnings, as catalog keys so the reason reads in the person's language.
fn warning_key(w: Warning) -> &'static str {
    match w {
        Warning::StraightRowsOfKeysAreEasyToGuess
        | Warning::ShortKeyboardPatternsAreEasyToGuess => "password.reason.keyboard",
        Warning::RepeatsLikeAaaAreEasyToGuess
        | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => "password.reason.repeats",
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword => "password.reason.common",
        Warning::ThisIsSimilarToACommonlyUsedPassword => "password.reason.similar",
        Warning::SequencesLikeAbcAreEasyToGuess => "password.reason.sequence",
        Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess => {
            "password.reason.dates"
        }
        Warning::AWordByItselfIsEasyToGuess => "password.reason.word",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => "password.reason.names",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pw: &str, context: &[&str]) -> Result<NewPassword, PasswordProblem> {
        let s: SecretString = pw.into();
        NewPassword::parse(&s, &s, context)
    }

    #[test]
    fn long_unusual_passphrases_pass_without_composition_rules() {
        assert!(check("correct horse battery staple", &[]).is_ok());
        assert!(check("lingonberries under a violet moon", &[]).is_ok());
        assert!(check(
            &"å"
                .repeat(8)
                .chars()
                .chain("ölkrus-vinter-tåg".chars())
                .collect::<String>(),
            &[]
        )
        .is_ok());
    }

    #[test]
    fn short_long_common_and_contextual_passwords_are_refused() {
        assert_eq!(check("", &[]).unwrap_err(), PasswordProblem::Missing);
        assert_eq!(
            check("Ab1!Ab1!Ab1", &[]).unwrap_err(),
            PasswordProblem::TooShort
        );
        assert_eq!(
            check(&"x".repeat(MAX_CHARS + 1), &[]).unwrap_err(),
            PasswordProblem::TooLong
        );
        assert!(matches!(
            check("password1234", &[]),
            Err(PasswordProblem::Guessable(_))
        ));
        assert!(matches!(
            check("aaaaaaaaaaaaaaaa", &[]),
            Err(PasswordProblem::Guessable("password.reason.repeats"))
        ));
        assert!(matches!(
            check("annasvensson2024", &["annasvensson"]),
            Err(PasswordProblem::Guessable(_))
        ));
    }

    #[test]
    fn a_mismatched_repeat_is_refused() {
        let a: SecretString = "correct horse battery staple".into();
        let b: SecretString = "correct horse battery stapler".into();
        assert_eq!(
            NewPassword::parse(&a, &b, &[]).unwrap_err(),
            PasswordProblem::Mismatch
        );
    }
}
