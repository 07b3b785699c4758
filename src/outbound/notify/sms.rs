//! SMS through an HTTP provider API: a form POST of `from`, `to` and `message`
//! with HTTP basic auth (the shape used by e.g. 46elks).
use std::time::Duration;

use anyhow::{bail, Context};
use secrecy::{ExposeSecret, SecretString};

use crate::db::outbox::Queued;
use crate::settings::SmsSettings;

pub struct SmsClient {
    http: reqwest::Client,
    url: String,
    username: Option<String>,
    password: Option<SecretString>,
    sender: String,
}

impl SmsClient {
    pub fn new(s: &SmsSettings) -> anyhow::Result<Self> {
        Ok(SmsClient {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            url: s.url.clone(),
            username: s.username.clone(),
            password: s.password.clone(),
            sender: s.sender.clone(),
        })
    }

    /// Sends one text; gives the provider's answer (its status and the start of its body).
    pub async fn send(&self, m: &Queued) -> anyhow::Result<String> {
        let form = [
            ("from", self.sender.as_str()),
            ("to", m.recipient.as_str()),
            ("message", m.text.as_str()),
        ];
        let mut request = self.http.post(&self.url).form(&form);
        if let Some(user) = &self.username {
            request = request.basic_auth(
                user,
                self.password
                    .as_ref()
                    .map(|p| p.expose_secret().to_string()),
            );
        }
        let response = request.send().await.context("SMS provider unreachable")?;
        let status = response.status();
        if !status.is_success() {
            bail!("SMS provider answered {status}");
        }
        let body = response.text().await.unwrap_or_default();
        Ok(format!(
            "{status} {}",
            body.chars().take(200).collect::<String>()
        ))
    }
}
