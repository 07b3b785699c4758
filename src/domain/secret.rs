//! One-time codes, tokens and session ids: made with a CSPRNG, stored only as
//! hashes, compared in constant time. Their Debug output never shows the value.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A 6-digit code sent by email or SMS.
pub struct OneTimeCode(SecretString);

impl OneTimeCode {
    pub fn generate() -> Self {
        let n: u32 = rand::rng().random_range(0..1_000_000);
        OneTimeCode(format!("{n:06}").into())
    }

    /// What a person typed: spaces and dashes are ignored; anything else than 6 digits is no code.
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| OneTimeCode(digits.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// A 256-bit random token (session ids, reset links). 128 bits is the floor; this is double.
pub struct Token(SecretString);

impl Token {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill(&mut bytes);
        Token(URL_SAFE_NO_PAD.encode(bytes).into())
    }

    pub fn from_client(value: &str) -> Option<Self> {
        (value.len() == 43
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| Token(value.to_string().into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// What is stored: a SHA-256 of the token (the token itself has 256 bits of entropy).
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.expose().as_bytes()).to_vec()
    }
}

/// A random public id for URLs and emails (drafts, documents): 16 URL-safe
/// characters, 96 bits.
pub fn public_reference() -> String {
    Token::generate().expose()[..16].to_string()
}

pub fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill(&mut key);
    key
}

/// The installation's secret key: keyed hashes of short codes (a plain hash of a
/// 6-digit code would fall to a million guesses) and CSRF tokens.
#[derive(Clone)]
pub struct Keyring {
    /// HMAC-SHA256 with the key already absorbed; cloned for each use.
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

impl Keyring {
    pub fn new(key: Vec<u8>) -> Self {
        Keyring {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC accepts any key length"),
        }
    }

    fn mac(&self, domain: &str, value: &[u8]) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        mac.finalize().into_bytes().to_vec()
    }

    /// The stored form of a code; `purpose` separates codes of different kinds.
    pub fn code_hash(&self, purpose: &str, code: &OneTimeCode) -> Vec<u8> {
        self.mac(purpose, code.expose().as_bytes())
    }

    /// The CSRF token for forms shown to the holder of `binding` (a session id or a browser cookie).
    pub fn csrf_token(&self, binding: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac("csrf", binding.as_bytes()))
    }

    /// A secret for one purpose, derived from the installation key (e.g. the key
    /// the portal and the built-in mock acquirer share).
    pub fn derived_secret(&self, purpose: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(purpose, b""))
    }

    /// A 6-digit code for `purpose` and `subject` that can be worked out again
    /// without being stored (the mock bank's 3-D Secure code for one payment).
    pub fn derived_code(&self, purpose: &str, subject: &str) -> OneTimeCode {
        let mac = self.mac(purpose, subject.as_bytes());
        let n = u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]) % 1_000_000;
        OneTimeCode(format!("{n:06}").into())
    }

    /// A 256-bit token for `purpose` and `subject` that can be worked out again
    /// without being stored: a link that has to be emailed more than once (the
    /// questionnaire's link and its reminder). Only its hash is kept.
    pub fn derived_token(&self, purpose: &str, subject: &str) -> Token {
        Token(
            URL_SAFE_NO_PAD
                .encode(self.mac(purpose, subject.as_bytes()))
                .into(),
        )
    }

    pub fn csrf_matches(&self, binding: &str, submitted: &str) -> bool {
        constant_time_eq(self.csrf_token(binding).as_bytes(), submitted.as_bytes())
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_parse_leniently() {
        for _ in 0..100 {
            let c = OneTimeCode::generate();
            assert_eq!(c.expose().len(), 6);
            assert!(c.expose().bytes().all(|b| b.is_ascii_digit()));
        }
        assert_eq!(OneTimeCode::parse(" 123 456 ").unwrap().expose(), "123456");
        assert!(OneTimeCode::parse("12345").is_none());
        assert!(OneTimeCode::parse("12345a").is_none());
    }

    #[test]
    fn tokens_are_distinct_and_round_trip() {
        let a = Token::generate();
        assert_ne!(a.expose(), Token::generate().expose());
        let back = Token::from_client(a.expose()).unwrap();
        assert_eq!(back.hash(), a.hash());
        assert!(Token::from_client("short").is_none());
    }

    #[test]
    fn keyed_hashes_depend_on_key_and_purpose() {
        let code = OneTimeCode::parse("123456").unwrap();
        let k1 = Keyring::new(vec![1; 32]);
        let k2 = Keyring::new(vec![2; 32]);
        assert_ne!(k1.code_hash("a", &code), k2.code_hash("a", &code));
        assert_ne!(k1.code_hash("a", &code), k1.code_hash("b", &code));
        assert!(k1.csrf_matches("s", &k1.csrf_token("s")));
        assert!(!k1.csrf_matches("s", &k1.csrf_token("t")));
    }
}
