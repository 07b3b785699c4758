//! Swedish personal identity numbers (personnummer) and coordination numbers
//! (samordningsnummer): `YYYYMMDD-NNNN`, `YYMMDD-NNNN`, `YYMMDD+NNNN` for people
//! aged 100 or more, with or without the separator. Stored as 12 digits.
use std::fmt;

use super::date::Date;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PersonalIdentityNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinProblem {
    Missing,
    Format,
    Date,
    CheckDigit,
}

impl PinProblem {
    /// The catalog key of the message.
    pub fn key(&self) -> &'static str {
        match self {
            PinProblem::Missing => "error.pin.missing",
            PinProblem::Format => "error.pin.format",
            PinProblem::Date => "error.pin.date",
            PinProblem::CheckDigit => "error.pin.check_digit",
        }
    }
}

/// The Luhn check over the ten digits YYMMDDNNNC.
pub(crate) fn luhn_ok(ten: &[u8]) -> bool {
    let sum: u32 = ten
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0') * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    sum.is_multiple_of(10)
}

impl PersonalIdentityNumber {
    /// `today` settles the century of a 10-digit number (and `+` means 100 years more).
    pub fn parse(input: &str, today: Date) -> Result<Self, PinProblem> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(PinProblem::Missing);
        }
        let plus = s.contains('+');
        let body = match s.find(['-', '+']) {
            Some(at) if at + 5 == s.len() => format!("{}{}", &s[..at], &s[at + 1..]),
            Some(_) => return Err(PinProblem::Format),
            None => s.clone(),
        };
        if !body.bytes().all(|b| b.is_ascii_digit()) || !(body.len() == 10 || body.len() == 12) {
            return Err(PinProblem::Format);
        }
        if body.len() == 12 && plus {
            return Err(PinProblem::Format);
        }
        let (year, rest) = if body.len() == 12 {
            (
                body[..4].parse::<i32>().map_err(|_| PinProblem::Format)?,
                &body[4..],
            )
        } else {
            // The latest year ending in YY that is not in the future; a birthday later
            // this year still means the previous century.
            let yy: i32 = body[..2].parse().map_err(|_| PinProblem::Format)?;
            let mut year = today.year() - (today.year() - yy).rem_euclid(100);
            let (month, day) = (
                body[2..4].parse::<u8>().unwrap_or(0),
                body[4..6].parse::<u8>().unwrap_or(0),
            );
            if Date::new(year, month, if day > 60 { day - 60 } else { day })
                .is_some_and(|d| d > today)
            {
                year -= 100;
            }
            if plus {
                year -= 100;
            }
            (year, &body[2..])
        };
        let month: u8 = rest[..2].parse().map_err(|_| PinProblem::Format)?;
        let day: u8 = rest[2..4].parse().map_err(|_| PinProblem::Format)?;
        // Coordination numbers add 60 to the day.
        let real_day = if day > 60 { day - 60 } else { day };
        let born = Date::new(year, month, real_day).ok_or(PinProblem::Date)?;
        if born > today {
            return Err(PinProblem::Date);
        }
        let twelve = format!("{year:04}{rest}");
        if !luhn_ok(&twelve.as_bytes()[2..]) {
            return Err(PinProblem::CheckDigit);
        }
        Ok(PersonalIdentityNumber(twelve))
    }

    /// The stored form: 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_coordination_number(&self) -> bool {
        self.0[6..8].parse::<u8>().is_ok_and(|d| d > 60)
    }

    pub fn birth_date(&self) -> Option<Date> {
        let day: u8 = self.0[6..8].parse().ok()?;
        Date::new(
            self.0[..4].parse().ok()?,
            self.0[4..6].parse().ok()?,
            if day > 60 { day - 60 } else { day },
        )
    }
}

impl fmt::Display for PersonalIdentityNumber {
    /// `YYYYMMDD-NNNN`, the long form people read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..8], &self.0[8..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 21).unwrap()
    }

    fn parse(s: &str) -> Result<String, PinProblem> {
        PersonalIdentityNumber::parse(s, today()).map(|p| p.as_str().to_string())
    }

    #[test]
    fn the_accepted_forms_all_become_twelve_digits() {
        // 811218-9876 is the Tax Agency's own example number.
        for form in [
            "19811218-9876",
            "198112189876",
            "811218-9876",
            "8112189876",
            " 811218 - 9876 ",
        ] {
            assert_eq!(parse(form), Ok("198112189876".into()), "{form}");
        }
    }

    #[test]
    fn a_wrong_check_digit_an_impossible_date_and_bad_shapes_are_refused() {
        assert_eq!(parse("811218-9875"), Err(PinProblem::CheckDigit));
        assert_eq!(parse("810230-1234"), Err(PinProblem::Date));
        assert_eq!(parse("811318-9876"), Err(PinProblem::Date));
        assert_eq!(parse(""), Err(PinProblem::Missing));
        for bad in [
            "81121-89876",
            "8112189876X",
            "81-1218-9876",
            "1981121898761",
            "19811218+9876",
        ] {
            assert_eq!(parse(bad), Err(PinProblem::Format), "{bad}");
        }
    }

    #[test]
    fn a_future_birth_date_is_refused() {
        assert_eq!(parse("20261225-1231"), Err(PinProblem::Date));
    }

    #[test]
    fn coordination_numbers_have_sixty_added_to_the_day() {
        // 701063-2391: born 1970-10-03, coordination number.
        let pin = PersonalIdentityNumber::parse("701063-2391", today()).unwrap();
        assert_eq!(pin.as_str(), "197010632391");
        assert!(pin.is_coordination_number());
        assert_eq!(pin.birth_date().unwrap().to_string(), "1970-10-03");
        assert_eq!(
            parse("701093-2391"),
            Err(PinProblem::Date),
            "day 33 does not exist"
        );
    }

    #[test]
    fn the_plus_separator_means_a_hundred_years_or_more() {
        assert_eq!(parse("121212+1212"), Ok("191212121212".into()));
        assert_eq!(parse("121212-1212"), Ok("201212121212".into()));
        // A 10-digit number whose date would be in the future belongs to the last century.
        assert_eq!(
            parse("271212-1215").map(|s| s[..4].to_string()),
            Ok("1927".into())
        );
    }

    #[test]
    fn displays_in_the_long_form() {
        assert_eq!(
            PersonalIdentityNumber::parse("8112189876", today())
                .unwrap()
                .to_string(),
            "19811218-9876"
        );
    }
}
