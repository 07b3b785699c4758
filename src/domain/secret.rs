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

/// The key-encryption key: kept outside the database (the file `secret_key_file`
/// names), it seals what must stay readable to Kansli but not to whoever holds a
/// copy of the database — the installation key and the staff authenticator
/// secrets. XChaCha20-Poly1305 with a random nonce per value; the purpose is
/// bound in as associated data, so a sealed value cannot stand in for another kind.
pub struct SealingKey {
    cipher: chacha20poly1305::XChaCha20Poly1305,
    id: String,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealingKey({})", self.id)
    }
}

/// The first byte of every sealed value: the format, so a later one can follow.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;

/// Why a key file cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error(
        "it must hold 32 random bytes, raw or in base64 (e.g. `head -c 32 /dev/urandom | base64`)"
    )]
    Shape,
}

impl SealingKey {
    pub fn from_bytes(key: [u8; 32]) -> Self {
        use chacha20poly1305::KeyInit;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any key length");
        mac.update(b"kansli sealing key id");
        let id = mac.finalize().into_bytes()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        SealingKey {
            cipher: chacha20poly1305::XChaCha20Poly1305::new(&key.into()),
            id,
        }
    }

    /// A new random key and the text of its file.
    pub fn generate() -> (Self, String) {
        let key = random_key();
        let text = format!(
            "{}\n",
            base64::engine::general_purpose::STANDARD.encode(key)
        );
        (SealingKey::from_bytes(key), text)
    }

    /// Reads a key file: 32 raw bytes, or their base64 (standard or URL-safe)
    /// with surrounding whitespace.
    pub fn from_file(contents: &[u8]) -> Result<Self, KeyFileError> {
        if let Ok(raw) = <[u8; 32]>::try_from(contents) {
            return Ok(SealingKey::from_bytes(raw));
        }
        let text = std::str::from_utf8(contents).map_err(|_| KeyFileError::Shape)?;
        let text = text.trim();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| KeyFileError::Shape)?;
        let key = <[u8; 32]>::try_from(decoded.as_slice()).map_err(|_| KeyFileError::Shape)?;
        Ok(SealingKey::from_bytes(key))
    }

    /// A short fingerprint, stored beside what this key sealed: it tells a wrong
    /// key file from damaged data, and names the key without revealing it.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn seal(&self, purpose: &str, plain: &[u8]) -> Vec<u8> {
        use chacha20poly1305::aead::{Aead, Payload};
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plain,
                    aad: purpose.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any length Kansli stores");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The plain value, or None if it was sealed by another key, for another
    /// purpose, or has been altered.
    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, Payload};
        let (&version, rest) = sealed.split_first()?;
        if version != SEALED_V1 || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        self.cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: body,
                    aad: purpose.as_bytes(),
                },
            )
            .ok()
    }
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

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_purpose() {
        let (key, text) = SealingKey::generate();
        let same = SealingKey::from_file(text.as_bytes()).unwrap();
        assert_eq!(key.id(), same.id());
        let sealed = key.seal("totp", b"secret bytes");
        assert!(!sealed.windows(12).any(|w| w == b"secret bytes"));
        assert_ne!(
            sealed,
            key.seal("totp", b"secret bytes"),
            "a fresh nonce each time"
        );
        assert_eq!(
            same.open("totp", &sealed).as_deref(),
            Some(&b"secret bytes"[..])
        );
        assert_eq!(key.open("installation", &sealed), None, "another purpose");
        let (other, _) = SealingKey::generate();
        assert_ne!(other.id(), key.id());
        assert_eq!(other.open("totp", &sealed), None, "another key");
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open("totp", &altered), None);
        for short in [&[][..], &[1], &sealed[..20]] {
            assert_eq!(key.open("totp", short), None);
        }
    }

    #[test]
    fn a_key_file_holds_32_bytes_raw_or_in_base64() {
        let raw = [7u8; 32];
        let from_raw = SealingKey::from_file(&raw).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        for text in [
            format!("{b64}\n"),
            format!("  {b64}  "),
            URL_SAFE_NO_PAD.encode(raw),
        ] {
            assert_eq!(
                SealingKey::from_file(text.as_bytes()).unwrap().id(),
                from_raw.id()
            );
        }
        for bad in [&b""[..], b"short", &[0u8; 31], &[0u8; 33], "é".as_bytes()] {
            assert_eq!(SealingKey::from_file(bad).unwrap_err(), KeyFileError::Shape);
        }
    }
}
