//! What a session is: its stage in the login, how the person logged in, the
//! assurance that gives, and when it ends.
use super::rules::{SESSION_ABSOLUTE, SESSION_IDLE};
use super::AccountId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The account was just created; waiting for the emailed code.
    PendingEmail,
    /// The password was right; waiting for the SMS code.
    PendingSms,
    Authenticated,
}

/// How the person logged in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Password,
    PasswordSms,
    /// The person in Sweden, by the emailed link or by verification number and
    /// personal identity number: reaches one questionnaire, nothing else.
    Questionnaire,
    /// BankID on this device.
    BankId,
    /// BankID on another device, by the animated QR code.
    MobileBankId,
    Telia,
    /// Professional e-ID (a SITHS card) of municipality or region staff: reaches
    /// the partner page only.
    Professional,
}

impl Method {
    /// Whether the person was identified by e-identification (a personal identity number).
    pub fn is_eid(self) -> bool {
        matches!(
            self,
            Method::BankId | Method::MobileBankId | Method::Telia | Method::Professional
        )
    }
}

/// What the login method proves; decides what My Page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Assurance {
    None,
    Basic,
    Substantial,
}

macro_rules! text_enum {
    ($t:ty { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)* _ => None }
            }
        }
    };
}

text_enum!(Stage { PendingEmail = "pending_email", PendingSms = "pending_sms", Authenticated = "authenticated" });
text_enum!(Method {
    Password = "password",
    PasswordSms = "password_sms",
    Questionnaire = "questionnaire",
    BankId = "bankid",
    MobileBankId = "mobile_bankid",
    Telia = "telia",
    Professional = "professional",
});
text_enum!(Assurance { None = "none", Basic = "basic", Substantial = "substantial" });

/// A session is live while it has seen a request within the idle limit and is younger than the absolute limit.
pub fn is_live(created_at: i64, last_seen_at: i64, now: i64) -> bool {
    now - last_seen_at < SESSION_IDLE && now - created_at < SESSION_ABSOLUTE
}

/// A live session, as loaded for a request.
#[derive(Clone, Debug)]
pub struct SessionView {
    pub id_hash: Vec<u8>,
    pub account_id: Option<AccountId>,
    pub email: Option<String>,
    pub stage: Stage,
    pub method: Method,
    pub assurance: Assurance,
    pub two_step: bool,
    /// The verified phone number, when two-step verification is on.
    pub phone: Option<String>,
    pub created_at: i64,
    pub last_step_at: i64,
    /// For the person in Sweden: the questionnaire this session may answer.
    pub questionnaire: Option<i64>,
    /// E-identification: the personal identity number (12 digits) and name.
    pub pin: Option<String>,
    pub person_name: Option<String>,
    /// Professional e-ID: the organisation's id.
    pub organisation: Option<String>,
    /// The personal identity number the account is linked to, if any.
    pub account_pin: Option<String>,
    /// The account's revision: moves on with every change to what My Page lists.
    pub revision: i64,
    /// A sign-up's session: the address typed, where the code went.
    pub typed_email: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_absolute_limits() {
        assert!(is_live(0, 0, 29 * 60 + 59));
        assert!(!is_live(0, 0, 30 * 60 + 1));
        assert!(is_live(0, 11 * 3600 + 3599, 12 * 3600 - 1));
        assert!(!is_live(0, 12 * 3600 - 1, 12 * 3600));
    }

    #[test]
    fn names_round_trip() {
        for s in [Stage::PendingEmail, Stage::PendingSms, Stage::Authenticated] {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            Assurance::parse("substantial"),
            Some(Assurance::Substantial)
        );
        assert_eq!(Method::parse("bankid"), Some(Method::BankId));
        assert_eq!(Method::parse("mobile_bankid"), Some(Method::MobileBankId));
        assert_eq!(Method::parse("siths"), None);
    }
}
