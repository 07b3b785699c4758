//! The relying-party client: BankID's RP API v6 over HTTP (JSON POSTs to
//! `{url}/auth`, `{url}/sign`, `{url}/collect`, `{url}/cancel`). Against a real service it
//! presents the relying party's client certificate and trusts only the
//! service's CA (mutual TLS, from settings; never in the repository).
use std::path::Path;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use base64::Engine;

use super::{
    Collected, EidError, EidProvider, Identity, Order, Organisation, SignText, SignatureProof,
};

pub struct RpClient {
    http: reqwest::Client,
    url: String,
}

/// Mutual TLS: the relying party's certificate and key (one PEM file) and the
/// service's CA certificate (PEM).
pub struct Tls<'a> {
    pub identity_pem: &'a Path,
    pub ca_pem: &'a Path,
}

impl RpClient {
    pub fn new(url: String, tls: Option<Tls>, timeout: Duration) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout);
        if let Some(tls) = tls {
            let identity = std::fs::read(tls.identity_pem)
                .map_err(|e| anyhow::anyhow!("{}: {e}", tls.identity_pem.display()))?;
            let ca = std::fs::read(tls.ca_pem)
                .map_err(|e| anyhow::anyhow!("{}: {e}", tls.ca_pem.display()))?;
            builder = builder
                .identity(reqwest::Identity::from_pem(&identity)?)
                .tls_built_in_root_certs(false)
                .add_root_certificate(reqwest::Certificate::from_pem(&ca)?);
        }
        Ok(RpClient {
            http: builder.build()?,
            url,
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        body: &impl Serialize,
    ) -> Result<T, EidError> {
        let response = self
            .http
            .post(format!("{}/{endpoint}", self.url))
            .json(body)
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(endpoint, error = %e, "e-identification service unreachable");
                EidError::Unavailable
            })?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(|e| {
                tracing::warn!(endpoint, error = %e, "e-identification answer unreadable");
                EidError::Unavailable
            });
        }
        let error: Option<ErrorBody> = response.json().await.ok();
        let code = error.map(|e| e.error_code).unwrap_or_default();
        tracing::warn!(endpoint, %status, code, "e-identification service refused");
        Err(match code.as_str() {
            "alreadyInProgress" => EidError::AlreadyInProgress,
            "notFound" => EidError::UnknownOrder,
            _ => EidError::Unavailable,
        })
    }
}

// The API's JSON shapes (public so the simulator serves the very same).

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthRequest {
    pub end_user_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
}

/// `sign`: the texts are base64 of UTF-8, as the API asks.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    pub end_user_ip: String,
    pub user_visible_data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_non_visible_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    pub qr_start_secret: String,
}

impl From<AuthResponse> for Order {
    fn from(r: AuthResponse) -> Order {
        Order {
            order_ref: r.order_ref,
            auto_start_token: r.auto_start_token,
            qr_start_token: r.qr_start_token,
            qr_start_secret: r.qr_start_secret,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRequest {
    pub order_ref: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectResponse {
    pub order_ref: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_data: Option<CompletionData>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionData {
    pub user: User,
    /// Professional e-ID: the holder's organisation (Kansli's addition to the shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
    /// A signing order: the signature (base64 XML) and the OCSP response (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp_response: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub personal_number: String,
    pub name: String,
    pub given_name: String,
    pub surname: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error_code: String,
    pub details: String,
}

#[derive(Serialize, Deserialize)]
pub struct Empty {}

impl EidProvider for RpClient {
    fn start<'a>(
        &'a self,
        end_user_ip: &'a str,
        pin: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Order, EidError>> {
        Box::pin(async move {
            let request = AuthRequest {
                end_user_ip: end_user_ip.to_string(),
                requirement: pin.map(|p| Requirement {
                    personal_number: Some(p.to_string()),
                }),
            };
            let r: AuthResponse = self.call("auth", &request).await?;
            Ok(r.into())
        })
    }

    fn sign<'a>(
        &'a self,
        end_user_ip: &'a str,
        pin: Option<&'a str>,
        text: SignText<'a>,
    ) -> BoxFuture<'a, Result<Order, EidError>> {
        Box::pin(async move {
            let base64 = base64::engine::general_purpose::STANDARD;
            let request = SignRequest {
                end_user_ip: end_user_ip.to_string(),
                user_visible_data: base64.encode(text.visible),
                user_non_visible_data: Some(base64.encode(text.non_visible)),
                requirement: pin.map(|p| Requirement {
                    personal_number: Some(p.to_string()),
                }),
            };
            let r: AuthResponse = self.call("sign", &request).await?;
            Ok(r.into())
        })
    }

    fn collect<'a>(&'a self, order_ref: &'a str) -> BoxFuture<'a, Result<Collected, EidError>> {
        Box::pin(async move {
            let request = OrderRequest {
                order_ref: order_ref.to_string(),
            };
            let r: CollectResponse = self.call("collect", &request).await?;
            let hint = r.hint_code.unwrap_or_default();
            Ok(match (r.status.as_str(), r.completion_data) {
                ("pending", _) => Collected::Pending(hint),
                ("complete", Some(data)) => {
                    let pin = data.user.personal_number;
                    if pin.len() != 12 || !pin.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(EidError::Unavailable);
                    }
                    Collected::Complete(Identity {
                        pin,
                        name: data.user.name,
                        organisation: data.organisation,
                        signature: data.signature.map(|signature| SignatureProof {
                            signature,
                            ocsp_response: data.ocsp_response,
                        }),
                    })
                }
                ("failed", _) => Collected::Failed(hint),
                _ => return Err(EidError::Unavailable),
            })
        })
    }

    fn cancel<'a>(&'a self, order_ref: &'a str) -> BoxFuture<'a, Result<(), EidError>> {
        Box::pin(async move {
            let request = OrderRequest {
                order_ref: order_ref.to_string(),
            };
            self.call::<Empty>("cancel", &request).await.map(|_| ())
        })
    }
}
