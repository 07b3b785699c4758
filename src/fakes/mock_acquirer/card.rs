//! Payment cards as typed on the mock acquirer's form: number (Luhn, brand),
//! expiry, CVC and cardholder name. The full number and the CVC live only in
//! memory; what may be kept is the brand and the last four digits.
use std::fmt;

use crate::domain::date::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Brand {
    Visa,
    Mastercard,
    Amex,
    Other,
}

impl Brand {
    pub fn name(self) -> &'static str {
        match self {
            Brand::Visa => "Visa",
            Brand::Mastercard => "Mastercard",
            Brand::Amex => "American Express",
            Brand::Other => "Card",
        }
    }
}

/// A card number that passed the Luhn check. Its Debug and Display never show it whole.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber(•••• {})", self.last4())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardProblem {
    NumberMissing,
    NumberInvalid,
    ExpiryMissing,
    ExpiryInvalid,
    Expired,
    CvcMissing,
    CvcInvalid,
    NameMissing,
}

impl CardProblem {
    /// The catalog key of the message for the person.
    pub fn key(&self) -> &'static str {
        match self {
            CardProblem::NumberMissing => "error.card.number_missing",
            CardProblem::NumberInvalid => "error.card.number_invalid",
            CardProblem::ExpiryMissing => "error.card.expiry_missing",
            CardProblem::ExpiryInvalid => "error.card.expiry_invalid",
            CardProblem::Expired => "error.card.expired",
            CardProblem::CvcMissing => "error.card.cvc_missing",
            CardProblem::CvcInvalid => "error.card.cvc_invalid",
            CardProblem::NameMissing => "error.card.name_missing",
        }
    }
}

fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl CardNumber {
    /// Spaces and dashes are allowed between digits; 12 to 19 digits with a valid Luhn digit.
    pub fn parse(input: &str) -> Result<CardNumber, CardProblem> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(CardProblem::NumberMissing);
        }
        if !(12..=19).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || !luhn_ok(&digits)
        {
            return Err(CardProblem::NumberInvalid);
        }
        Ok(CardNumber(digits))
    }

    pub fn brand(&self) -> Brand {
        let two: u32 = self.0[..2].parse().unwrap_or(0);
        let four: u32 = self.0[..4].parse().unwrap_or(0);
        match () {
            _ if self.0.starts_with('4') => Brand::Visa,
            _ if (51..=55).contains(&two) || (2221..=2720).contains(&four) => Brand::Mastercard,
            _ if two == 34 || two == 37 => Brand::Amex,
            _ => Brand::Other,
        }
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// Only the mock acquirer reads the whole number, to pick a test card's behaviour.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// The month a card is valid through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry {
    pub month: u8,
    pub year: i32,
}

impl Expiry {
    /// `MM/YY` or `MM/YYYY` (also `MMYY`); the card works through the end of that month.
    pub fn parse(input: &str, today: Date) -> Result<Expiry, CardProblem> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(CardProblem::ExpiryMissing);
        }
        let (m, y) = match s.split_once('/') {
            Some(parts) => parts,
            // Four digits (bytes: `split_at` on a character boundary only).
            None if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) => s.split_at(2),
            None => return Err(CardProblem::ExpiryInvalid),
        };
        let month: u8 = m.parse().map_err(|_| CardProblem::ExpiryInvalid)?;
        let year: i32 = match y.len() {
            2 => 2000 + y.parse::<i32>().map_err(|_| CardProblem::ExpiryInvalid)?,
            4 => y.parse().map_err(|_| CardProblem::ExpiryInvalid)?,
            _ => return Err(CardProblem::ExpiryInvalid),
        };
        if !(1..=12).contains(&month) || m.len() > 2 {
            return Err(CardProblem::ExpiryInvalid);
        }
        if (year, month) < (today.year(), today.month()) {
            return Err(CardProblem::Expired);
        }
        Ok(Expiry { month, year })
    }
}

/// Three digits, or four for American Express.
pub fn check_cvc(cvc: &str, brand: Brand) -> Result<(), CardProblem> {
    let cvc = cvc.trim();
    if cvc.is_empty() {
        return Err(CardProblem::CvcMissing);
    }
    let len = if brand == Brand::Amex { 4 } else { 3 };
    if cvc.len() != len || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardProblem::CvcInvalid);
    }
    Ok(())
}

/// How the mock acquirer treats a card: the test cards listed in README, and approval
/// without 3-D Secure for any other valid number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Approved,
    /// 3-D Secure: the right code approves; a wrong code or cancel fails.
    Challenge,
    /// 3-D Secure passes, then the bank declines.
    ChallengeThenDeclined,
    Declined,
    ExpiredCard,
    WrongCvc,
    ProcessingError,
    /// 3-D Secure cannot reach the card issuer.
    IssuerUnreachable,
}

impl Scenario {
    pub const ALL: [Scenario; 8] = [
        Scenario::Approved,
        Scenario::Challenge,
        Scenario::ChallengeThenDeclined,
        Scenario::Declined,
        Scenario::ExpiredCard,
        Scenario::WrongCvc,
        Scenario::ProcessingError,
        Scenario::IssuerUnreachable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Approved => "approved",
            Scenario::Challenge => "challenge",
            Scenario::ChallengeThenDeclined => "challenge_then_declined",
            Scenario::Declined => "declined",
            Scenario::ExpiredCard => "expired_card",
            Scenario::WrongCvc => "wrong_cvc",
            Scenario::ProcessingError => "processing_error",
            Scenario::IssuerUnreachable => "issuer_unreachable",
        }
    }

    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The catalog key that tells a tester what the card does.
    pub fn description_key(self) -> &'static str {
        match self {
            Scenario::Approved => "mock.card.approved",
            Scenario::Challenge => "mock.card.challenge",
            Scenario::ChallengeThenDeclined => "mock.card.challenge_then_declined",
            Scenario::Declined => "mock.card.declined",
            Scenario::ExpiredCard => "mock.card.expired_card",
            Scenario::WrongCvc => "mock.card.wrong_cvc",
            Scenario::ProcessingError => "mock.card.processing_error",
            Scenario::IssuerUnreachable => "mock.card.issuer_unreachable",
        }
    }
}

pub const TEST_CARDS: &[(&str, Scenario)] = &[
    ("4000008260000000", Scenario::Approved),
    ("4000002500003155", Scenario::Challenge),
    ("4000008400001629", Scenario::ChallengeThenDeclined),
    ("4000000000000002", Scenario::Declined),
    ("4000000000000069", Scenario::ExpiredCard),
    ("4000000000000127", Scenario::WrongCvc),
    ("4000000000000119", Scenario::ProcessingError),
    ("4000000000003220", Scenario::IssuerUnreachable),
];

pub fn scenario(card: &CardNumber) -> Scenario {
    TEST_CARDS
        .iter()
        .find(|(n, _)| *n == card.digits())
        .map(|(_, s)| *s)
        .unwrap_or(Scenario::Approved)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn card_fields_never_panic(s in proptest::prelude::any::<String>(), t in "[0-9/ €a]{0,8}") {
            let today = Date::new(2026, 12, 2).unwrap();
            let _ = CardNumber::parse(&s);
            let _ = Expiry::parse(&s, today);
            let _ = Expiry::parse(&t, today);
            let _ = check_cvc(&s, Brand::Visa);
        }
    }

    #[test]
    fn an_expiry_with_multi_byte_characters_is_refused() {
        let today = Date::new(2026, 12, 2).unwrap();
        assert_eq!(Expiry::parse("a€", today), Err(CardProblem::ExpiryInvalid));
    }

    fn today() -> Date {
        Date::new(2026, 11, 21).unwrap()
    }

    #[test]
    fn every_test_card_is_a_valid_visa_number_with_its_own_behaviour() {
        for (number, expected) in TEST_CARDS {
            let card =
                CardNumber::parse(number).unwrap_or_else(|e| panic!("{number}: {}", e.key()));
            assert_eq!(card.brand(), Brand::Visa);
            assert_eq!(scenario(&card), *expected);
        }
        let other = CardNumber::parse("5555 5555 5555 4444").unwrap();
        assert_eq!(
            (other.brand(), scenario(&other), other.last4()),
            (Brand::Mastercard, Scenario::Approved, "4444")
        );
        assert_eq!(
            CardNumber::parse("3782 822463 10005").unwrap().brand(),
            Brand::Amex
        );
    }

    #[test]
    fn numbers_that_fail_the_luhn_check_or_the_shape_are_refused() {
        assert_eq!(CardNumber::parse(""), Err(CardProblem::NumberMissing));
        for bad in [
            "4000 0000 0000 0003",
            "4000",
            "4000-0000-0000-000a",
            "40000000000000000000",
        ] {
            assert_eq!(
                CardNumber::parse(bad),
                Err(CardProblem::NumberInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_full_number_never_shows_in_debug_output() {
        let card = CardNumber::parse("4000002500003155").unwrap();
        let shown = format!("{card:?}");
        assert!(
            !shown.contains("40000025") && shown.contains("3155"),
            "{shown}"
        );
    }

    #[test]
    fn expiry_dates_must_be_this_month_or_later() {
        assert_eq!(
            Expiry::parse("11/26", today()),
            Ok(Expiry {
                month: 11,
                year: 2026
            })
        );
        assert_eq!(
            Expiry::parse("0130", today()),
            Ok(Expiry {
                month: 1,
                year: 2030
            })
        );
        assert_eq!(Expiry::parse("12/2027", today()).unwrap().year, 2027);
        assert_eq!(Expiry::parse("10/26", today()), Err(CardProblem::Expired));
        assert_eq!(
            Expiry::parse("13/27", today()),
            Err(CardProblem::ExpiryInvalid)
        );
        assert_eq!(
            Expiry::parse("1/2/27", today()),
            Err(CardProblem::ExpiryInvalid)
        );
        assert_eq!(Expiry::parse(" ", today()), Err(CardProblem::ExpiryMissing));
    }

    #[test]
    fn cvc_has_three_digits_or_four_for_amex() {
        assert!(check_cvc("123", Brand::Visa).is_ok());
        assert_eq!(check_cvc("1234", Brand::Visa), Err(CardProblem::CvcInvalid));
        assert!(check_cvc("1234", Brand::Amex).is_ok());
        assert_eq!(check_cvc("", Brand::Visa), Err(CardProblem::CvcMissing));
        assert_eq!(check_cvc("12a", Brand::Visa), Err(CardProblem::CvcInvalid));
    }
}
