//! Authenticator-app codes for staff (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps),
//! through totp-rs. Each code is accepted once: a check names the time step it
//! matched, and the caller stores it so the same or an older step is refused later.
use rand::Rng;
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per code.
pub const STEP: i64 = 30;
const DIGITS: usize = 6;
/// Steps accepted either side of now, for a phone whose clock is a little off.
const DRIFT: i64 = 1;

/// The shared secret: 160 bits, as RFC 4226 recommends.
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 20];
        rand::rng().fill(&mut bytes[..]);
        TotpSecret(bytes)
    }

    pub fn from_stored(bytes: Vec<u8>) -> Self {
        TotpSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn totp(&self) -> TOTP {
        TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP as u64, self.0.clone())
    }

    /// The secret in base32, for typing into an app that cannot scan the QR code.
    pub fn base32(&self) -> String {
        Secret::Raw(self.0.clone()).to_encoded().to_string()
    }

    /// The `otpauth://` address the QR code holds.
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> String {
        let label =
            serde_urlencoded::to_string([("", format!("{issuer}:{account}"))]).unwrap_or_default();
        let query = serde_urlencoded::to_string([
            ("secret", self.base32().as_str()),
            ("issuer", issuer),
            ("algorithm", "SHA1"),
            ("digits", "6"),
            ("period", "30"),
        ])
        .unwrap_or_default();
        format!("otpauth://totp/{}?{query}", label.trim_start_matches('='))
    }

    /// The code for the step holding `at` (tests, and the test helper's authenticator).
    pub fn code_at(&self, at: i64) -> String {
        self.totp().generate(at.max(0) as u64)
    }

    /// The time step a typed code matches at `now` (allowing one step of drift either
    /// way), if that step is newer than `last_step`, the last one accepted.
    pub fn check(&self, typed: &str, now: i64, last_step: i64) -> Option<i64> {
        let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.len() != DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = now / STEP;
        let totp = self.totp();
        (current - DRIFT..=current + DRIFT)
            .filter(|step| *step > last_step && *step >= 0)
            .find(|step| {
                let code = totp.generate((step * STEP) as u64);
                super::secret::constant_time_eq(code.as_bytes(), typed.as_bytes())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, the last 6 of its 8 digits.
    #[test]
    fn matches_the_rfc_test_vectors() {
        let s = TotpSecret::from_stored(b"12345678901234567890".to_vec());
        assert_eq!(s.code_at(59), "287082");
        assert_eq!(s.code_at(1_111_111_109), "081804");
        assert_eq!(s.code_at(1_234_567_890), "005924");
        assert_eq!(s.code_at(2_000_000_000), "279037");
    }

    #[test]
    fn a_code_is_good_for_its_step_and_one_either_side_and_only_once() {
        let s = TotpSecret::generate();
        let now = 1_795_248_000;
        let code = s.code_at(now);
        let step = s.check(&code, now, 0).expect("current code");
        assert_eq!(step, now / STEP);
        assert_eq!(s.check(&code, now + STEP, 0), Some(step), "one step late");
        assert_eq!(s.check(&code, now + 2 * STEP, 0), None, "two steps late");
        assert_eq!(s.check(&code, now, step), None, "used already");
        assert_eq!(s.check("12 34", now, 0), None);
        assert_eq!(s.check("abcdef", now, 0), None);
    }

    #[test]
    fn the_otpauth_address_names_the_issuer_and_account() {
        let s = TotpSecret::from_stored(vec![0; 20]);
        assert_eq!(s.base32(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        let url = s.otpauth_url("Kansli", "anna@agency.se");
        assert!(
            url.starts_with("otpauth://totp/Kansli%3Aanna%40agency.se?secret=AAAA"),
            "{url}"
        );
        assert!(url.contains("issuer=Kansli") && url.contains("period=30"));
    }
}
