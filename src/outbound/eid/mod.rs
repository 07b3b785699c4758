//! E-identification, modelled on the BankID relying-party API v6: an order is
//! started (`auth`, or `sign` for a text the person signs), collected every 2 seconds while pending (`collect`, with a
//! hint code), and cancelled when the person gives up (`cancel`). BankID, Telia
//! e-ID and professional e-ID sit behind one [`EidProvider`]; each is reached over
//! HTTP by [`client::RpClient`], also when the other end is Kansli's own
//! simulator (`fakes::eid_sim`, development and demo mode).
pub mod client;
pub mod orders;

use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::session::Method;
pub use crate::domain::Organisation;

/// How long an order lives at the provider (BankID: 3 minutes).
pub const ORDER_LIFETIME: i64 = 180;
/// How often a pending order is collected.
pub const COLLECT_INTERVAL: i64 = 2;

/// The e-identification services, each behind its own provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    BankId,
    Telia,
    Professional,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::BankId, Provider::Telia, Provider::Professional];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::BankId => "bankid",
            Provider::Telia => "telia",
            Provider::Professional => "professional",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The provider a login method uses.
    pub fn of(method: Method) -> Option<Provider> {
        match method {
            Method::BankId | Method::MobileBankId => Some(Provider::BankId),
            Method::Telia => Some(Provider::Telia),
            Method::Professional => Some(Provider::Professional),
            _ => None,
        }
    }
}

/// What the provider gives back for a new order.
#[derive(Clone, Debug)]
pub struct Order {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    pub qr_start_secret: String,
}

/// Who was identified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// 12 digits.
    pub pin: String,
    pub name: String,
    /// Professional e-ID only.
    pub organisation: Option<Organisation>,
    /// A signing order only: the service's proof of the signature.
    pub signature: Option<SignatureProof>,
}

/// What a signing order asks the person to sign: the text shown in the app, and
/// data signed along with it that is not shown.
#[derive(Clone, Copy, Debug)]
pub struct SignText<'a> {
    pub visible: &'a str,
    pub non_visible: &'a str,
}

/// The service's proof of a signature, base64 as returned: the signature (an XML
/// document holding the signed texts) and the OCSP response on the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureProof {
    pub signature: String,
    pub ocsp_response: Option<String>,
}

/// An order's state, as `collect` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Collected {
    Pending(String),
    Failed(String),
    Complete(Identity),
}

/// Why the provider could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum EidError {
    /// An order for this personal identity number is already in progress (RFA4).
    AlreadyInProgress,
    /// No answer in time, a 5xx, maintenance or an unreadable answer (RFA5).
    Unavailable,
    /// The provider does not know the order (it ended or was never made).
    UnknownOrder,
}

pub trait EidProvider: Send + Sync {
    /// Starts an identification for the person at `end_user_ip`; with `pin`, only
    /// that person may complete it.
    fn start<'a>(
        &'a self,
        end_user_ip: &'a str,
        pin: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Order, EidError>>;

    /// Starts a signature of `text` for the person at `end_user_ip`; with `pin`,
    /// only that person may sign.
    fn sign<'a>(
        &'a self,
        end_user_ip: &'a str,
        pin: Option<&'a str>,
        text: SignText<'a>,
    ) -> BoxFuture<'a, Result<Order, EidError>>;

    fn collect<'a>(&'a self, order_ref: &'a str) -> BoxFuture<'a, Result<Collected, EidError>>;

    fn cancel<'a>(&'a self, order_ref: &'a str) -> BoxFuture<'a, Result<(), EidError>>;
}

/// The content of the animated QR code `seconds` after the order started:
/// `bankid.{qrStartToken}.{seconds}.{hex HMAC-SHA256(qrStartSecret, seconds)}`.
pub fn qr_content(qr_start_token: &str, qr_start_secret: &str, seconds: i64) -> String {
    format!(
        "bankid.{qr_start_token}.{seconds}.{}",
        qr_auth_code(qr_start_secret, seconds)
    )
}

fn qr_auth_code(secret: &str, seconds: i64) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(seconds.to_string().as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A scanned QR code's parts: (qrStartToken, seconds, auth code).
pub fn parse_qr(content: &str) -> Option<(&str, i64, &str)> {
    let rest = content.trim().strip_prefix("bankid.")?;
    let mut parts = rest.rsplitn(3, '.');
    let code = parts.next()?;
    let seconds = parts.next()?.parse().ok()?;
    let token = parts.next()?;
    (code.len() == 64 && !token.is_empty()).then_some((token, seconds, code))
}

/// Whether a scanned code was made with `secret` for `seconds`, compared in constant time.
pub fn qr_code_matches(secret: &str, seconds: i64, code: &str) -> bool {
    crate::domain::secret::constant_time_eq(
        qr_auth_code(secret, seconds).as_bytes(),
        code.as_bytes(),
    )
}

/// How the person started: the message for a hint differs between BankID on
/// this device (the launch link) and on another (the QR code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    ThisDevice,
    OtherDevice,
}

/// The catalog key of BankID's recommended user message (RFA) for a pending or
/// failed order's hint code.
pub fn hint_message(collected: &Collected, flow: Flow) -> &'static str {
    match collected {
        Collected::Pending(hint) => match (hint.as_str(), flow) {
            ("outstandingTransaction", Flow::ThisDevice) => "eid.rfa13",
            ("outstandingTransaction" | "noClient", _) => "eid.rfa1",
            ("started", Flow::ThisDevice) => "eid.rfa15",
            ("userSign", _) => "eid.rfa9",
            ("userMrtd", _) => "eid.rfa23",
            _ => "eid.rfa21",
        },
        Collected::Failed(hint) => match (hint.as_str(), flow) {
            ("expiredTransaction", _) => "eid.rfa8",
            ("certificateErr", _) => "eid.rfa16",
            ("userCancel", _) => "eid.rfa6",
            ("cancelled", _) => "eid.rfa3",
            ("startFailed", Flow::ThisDevice) => "eid.rfa17a",
            ("startFailed", Flow::OtherDevice) => "eid.rfa17b",
            _ => "eid.rfa22",
        },
        Collected::Complete(_) => "eid.identified",
    }
}

/// The message in words of the method's own service: BankID's recommended texts
/// (RFA) name the BankID app, which a Telia e-identification is not.
pub fn in_words_of(method: crate::domain::session::Method, key: &'static str) -> &'static str {
    if method != crate::domain::session::Method::Telia {
        return key;
    }
    match key {
        "eid.rfa1" | "eid.rfa13" => "eid.telia_status.start",
        "eid.rfa15" => "eid.telia_status.searching",
        "eid.rfa9" => "eid.telia_status.code",
        "eid.rfa8" => "eid.telia_status.not_responding",
        "eid.rfa16" => "eid.telia_status.blocked",
        "eid.rfa17a" | "eid.rfa17b" => "eid.telia_status.not_found",
        "eid.rfa23" => "eid.rfa21",
        other => other,
    }
}

/// The message for a provider that could not be used.
pub fn error_message(e: &EidError) -> &'static str {
    match e {
        EidError::AlreadyInProgress => "eid.rfa4",
        EidError::Unavailable => "eid.rfa5",
        EidError::UnknownOrder => "eid.rfa22",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example in BankID's relying-party guidelines.
    const TOKEN: &str = "67df3917-fa0d-44e5-b327-edcc928297f8";
    const SECRET: &str = "d28db9a7-4cde-429e-a983-359be676944c";

    #[test]
    fn qr_content_matches_the_published_test_vector_and_changes_every_second() {
        assert_eq!(
            qr_content(TOKEN, SECRET, 0),
            "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
        );
        assert_eq!(
            qr_content(TOKEN, SECRET, 1),
            "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.1.949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"
        );
        assert_eq!(
            qr_content(TOKEN, SECRET, 2),
            "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.2.a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3"
        );
        let codes: std::collections::HashSet<String> =
            (0..30).map(|s| qr_content(TOKEN, SECRET, s)).collect();
        assert_eq!(codes.len(), 30);
    }

    #[test]
    fn a_scanned_code_is_parsed_and_checked_against_the_secret() {
        let content = qr_content(TOKEN, SECRET, 7);
        let (token, seconds, code) = parse_qr(&content).unwrap();
        assert_eq!((token, seconds), (TOKEN, 7));
        assert!(qr_code_matches(SECRET, 7, code));
        assert!(!qr_code_matches(SECRET, 8, code), "another second");
        assert!(!qr_code_matches("another secret", 7, code), "forged");
        assert_eq!(parse_qr("bankid.x.1.short"), None);
        assert_eq!(parse_qr("not a code"), None);
    }

    #[test]
    fn each_hint_code_has_its_recommended_message() {
        let pending = |h: &str, f| hint_message(&Collected::Pending(h.into()), f);
        let failed = |h: &str, f| hint_message(&Collected::Failed(h.into()), f);
        use Flow::*;
        assert_eq!(pending("outstandingTransaction", OtherDevice), "eid.rfa1");
        assert_eq!(pending("noClient", ThisDevice), "eid.rfa1");
        assert_eq!(pending("outstandingTransaction", ThisDevice), "eid.rfa13");
        assert_eq!(pending("started", ThisDevice), "eid.rfa15");
        assert_eq!(pending("started", OtherDevice), "eid.rfa21");
        assert_eq!(pending("userSign", OtherDevice), "eid.rfa9");
        assert_eq!(pending("userMrtd", OtherDevice), "eid.rfa23");
        assert_eq!(pending("somethingNew", OtherDevice), "eid.rfa21");
        assert_eq!(failed("expiredTransaction", OtherDevice), "eid.rfa8");
        assert_eq!(failed("certificateErr", OtherDevice), "eid.rfa16");
        assert_eq!(failed("userCancel", OtherDevice), "eid.rfa6");
        assert_eq!(failed("cancelled", OtherDevice), "eid.rfa3");
        assert_eq!(failed("startFailed", ThisDevice), "eid.rfa17a");
        assert_eq!(failed("startFailed", OtherDevice), "eid.rfa17b");
        assert_eq!(failed("somethingNew", OtherDevice), "eid.rfa22");
        assert_eq!(error_message(&EidError::AlreadyInProgress), "eid.rfa4");
        assert_eq!(error_message(&EidError::Unavailable), "eid.rfa5");
    }

    #[test]
    fn methods_use_their_provider() {
        assert_eq!(Provider::of(Method::MobileBankId), Some(Provider::BankId));
        assert_eq!(Provider::of(Method::Telia), Some(Provider::Telia));
        assert_eq!(Provider::of(Method::Password), None);
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()), Some(p));
        }
    }
}
