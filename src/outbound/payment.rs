//! The portal's side of a card payment provider. The provider hosts the card form
//! (and the bank's 3-D Secure step); the portal creates a payment, sends the person
//! to the provider's page, and afterwards asks the provider what happened — it never
//! trusts the browser's return alone. Only the outcome, brand and last four digits
//! come back.
//!
//! `HttpGateway` speaks Kansli's payment API over HTTP (shaped like GOV.UK Pay's):
//! `POST {url}/payments` with an `Idempotency-Key` header, `GET {url}/payments/{id}`,
//! `POST {url}/payments/{id}/refunds` (the whole amount, idempotent per key),
//! bearer key. The built-in mock acquirer serves the same API at `/mock-acquirer/api`.
use std::time::Duration;

use anyhow::{bail, Context};
use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::domain::payment::{Outcome, PaymentState};

/// What the portal asks the provider to collect.
#[derive(Debug, Serialize, Deserialize)]
pub struct NewPayment {
    /// In öre.
    pub amount: i64,
    pub reference: String,
    pub description: String,
    pub return_url: String,
    pub language: String,
}

/// The provider's answer to a new payment: its id and the page to send the person to.
#[derive(Debug, Serialize, Deserialize)]
pub struct Created {
    pub payment_id: String,
    pub next_url: String,
}

/// What the provider says about a payment.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub payment_id: String,
    pub amount: i64,
    pub state: String,
    pub outcome: Option<String>,
    pub card_brand: Option<String>,
    pub last4: Option<String>,
    /// How much of it has gone back to the card, in öre.
    #[serde(default)]
    pub refunded: i64,
}

/// A refund the portal asks for: the amount in öre.
#[derive(Debug, Serialize, Deserialize)]
pub struct RefundRequest {
    pub amount: i64,
}

/// The provider's answer to a refund.
#[derive(Debug, Serialize, Deserialize)]
pub struct Refunded {
    pub payment_id: String,
    /// The total refunded of the payment so far, in öre.
    pub refunded: i64,
}

impl Report {
    /// The state in the portal's terms. A state the portal does not know (a
    /// provider's `submitted` or `capturable`) counts as still in progress: it
    /// may yet be paid, so it is neither settled as failed nor replaced.
    pub fn state(&self) -> PaymentState {
        PaymentState::parse(&self.state).unwrap_or_else(|| {
            tracing::warn!(
                state = self.state,
                "payment provider reported an unknown state"
            );
            PaymentState::Started
        })
    }

    pub fn outcome(&self) -> Outcome {
        self.outcome
            .as_deref()
            .and_then(Outcome::parse)
            .unwrap_or(Outcome::ProcessingError)
    }
}

pub trait PaymentGateway: Send + Sync {
    /// Creates a payment; the same idempotency key always gives the same payment.
    fn create<'a>(
        &'a self,
        payment: &'a NewPayment,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Created>>;

    fn report<'a>(&'a self, payment_id: &'a str) -> BoxFuture<'a, anyhow::Result<Report>>;

    /// Gives `amount` of a successful payment back to the card; the same key
    /// never refunds twice.
    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        amount: i64,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Refunded>>;
}

pub struct HttpGateway {
    http: reqwest::Client,
    url: String,
    key: SecretString,
}

impl HttpGateway {
    pub fn new(url: String, key: SecretString) -> anyhow::Result<Self> {
        Ok(HttpGateway {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            url,
            key,
        })
    }
}

impl HttpGateway {
    /// Sends a request with the key and reads the provider's JSON answer.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> anyhow::Result<T> {
        let response = request
            .bearer_auth(self.key.expose_secret())
            .send()
            .await
            .context("payment provider unreachable")?;
        if !response.status().is_success() {
            bail!("payment provider answered {}", response.status());
        }
        response
            .json()
            .await
            .context("payment provider's answer unreadable")
    }
}

impl PaymentGateway for HttpGateway {
    fn create<'a>(
        &'a self,
        payment: &'a NewPayment,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Created>> {
        let request = self
            .http
            .post(format!("{}/payments", self.url))
            .header("Idempotency-Key", idempotency_key)
            .json(payment);
        Box::pin(self.call(request))
    }

    fn report<'a>(&'a self, payment_id: &'a str) -> BoxFuture<'a, anyhow::Result<Report>> {
        let request = self.http.get(format!("{}/payments/{payment_id}", self.url));
        Box::pin(self.call(request))
    }

    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        amount: i64,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Refunded>> {
        let request = self
            .http
            .post(format!("{}/payments/{payment_id}/refunds", self.url))
            .header("Idempotency-Key", idempotency_key)
            .json(&RefundRequest { amount });
        Box::pin(self.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_the_portal_does_not_know_is_still_in_progress() {
        let report = |state: &str| Report {
            payment_id: "p".into(),
            amount: 1,
            state: state.into(),
            outcome: None,
            card_brand: None,
            last4: None,
            refunded: 0,
        };
        for unknown in ["capturable", "submitted", ""] {
            assert!(!report(unknown).state().is_final(), "{unknown}");
        }
        assert_eq!(report("success").state(), PaymentState::Success);
        assert_eq!(report("failed").state(), PaymentState::Failed);
    }
}
