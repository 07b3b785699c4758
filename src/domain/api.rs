//! The integration API's client systems: their names, webhook addresses, the
//! permission a valid token makes, and how a webhook's body is signed.
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A client system's name, as an administrator gives it to `kansli api add`:
/// 1 to 64 of a-z, 0-9, `-`, `_` and `.`, so it reads plainly in lists and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientName(String);

impl ClientName {
    pub fn parse(input: &str) -> Option<ClientName> {
        let s = input.trim();
        let fits = (1..=64).contains(&s.len())
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
            });
        fits.then(|| ClientName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a client's webhook events go: an http(s) address without spaces,
/// at most 2000 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(input: &str) -> Option<WebhookUrl> {
        let s = input.trim();
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))?;
        let fits = !rest.is_empty()
            && s.len() <= 2000
            && !rest.starts_with('/')
            && s.chars().all(|c| c.is_ascii_graphic());
        fits.then(|| WebhookUrl(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

/// Proof that the request carried a valid token of an active client system:
/// only the token check makes one.
#[derive(Clone, Debug)]
pub struct ApiClient {
    id: i64,
    name: String,
}

impl ApiClient {
    /// For the token check alone (`flows::api::authenticate`).
    pub(crate) fn authenticated(id: i64, name: String) -> Self {
        ApiClient { id, name }
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The purpose under which webhook secrets are derived from the installation key.
const WEBHOOK_SECRET_PURPOSE: &str = "webhook_secret";

/// A client's webhook secret: derived from the installation key and the
/// client's salt, so it is never stored and survives `kansli rotate-key`.
pub fn webhook_secret(keyring: &crate::domain::secret::Keyring, salt: &str) -> String {
    keyring
        .derived_token(WEBHOOK_SECRET_PURPOSE, salt)
        .expose()
        .to_string()
}

/// The `Kansli-Signature` header of a webhook body sent at `timestamp` (unix
/// seconds): `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, as
/// Stripe signs its webhooks, so receivers can use code they already have.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_and_short() {
        assert!(ClientName::parse("case-system.1").is_some());
        for bad in ["", "Case", "a b", "<x>", &"a".repeat(65)] {
            assert_eq!(ClientName::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn webhook_addresses_are_http_or_https() {
        assert!(WebhookUrl::parse("https://cms.example/hooks").is_some());
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/h").is_some());
        for bad in [
            "ftp://x",
            "https://",
            "https:///x",
            "https://a b",
            "javascript:x",
        ] {
            assert_eq!(WebhookUrl::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Worked out independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac secret
        let s = webhook_signature("secret", 1_700_000_000, "{}");
        assert_eq!(
            s,
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
