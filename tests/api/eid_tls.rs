//! The relying-party client against a service that demands mutual TLS, as a real
//! BankID service does: Kansli presents the relying party's certificate from its
//! settings and trusts only the service's CA. The certificates are made here, for
//! this test only (rcgen); the service is a small TLS server on loopback (rustls).
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

use crate::helpers::*;
use kansli::outbound::eid::client::{RpClient, Tls};
use kansli::outbound::eid::{EidError, EidProvider};

const ANNA: &str = "199001011239";

/// A certificate authority and the certificates it signs.
struct Ca {
    cert: Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    /// A certificate for `name` (a client's common name, or the server's address).
    fn issue(&self, name: &str, purpose: ExtendedKeyUsagePurpose) -> (Certificate, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![purpose];
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert, key)
    }

    /// Writes the CA certificate as PEM; returns its path.
    fn write(&self, dir: &Path, file: &str) -> PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, self.cert.pem()).unwrap();
        path
    }

    /// A client identity (certificate and key in one PEM file), as the settings take it.
    fn client_identity(&self, dir: &Path, name: &str) -> PathBuf {
        let (cert, key) = self.issue(name, ExtendedKeyUsagePurpose::ClientAuth);
        let path = dir.join(format!("{name}.pem"));
        std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
        path
    }
}

/// A BankID-shaped service on loopback that serves only clients whose certificate
/// `clients` signed. `auth` starts an order, `collect` completes it as Anna. Returns
/// its RP API address and the common names of the client certificates it served.
async fn service(own: &Ca, clients: &Ca) -> (String, Arc<Mutex<Vec<String>>>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(clients.cert.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let (cert, key) = own.issue("127.0.0.1", ExtendedKeyUsagePurpose::ServerAuth);
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/rp/v6.0", listener.local_addr().unwrap());
    let served = Arc::new(Mutex::new(Vec::new()));
    let seen = served.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let client = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| common_name(c.as_ref()))
                    .unwrap_or_default();
                let request = read_request(&mut tls).await;
                seen.lock().unwrap().push(client);
                let body = if request.starts_with("POST /rp/v6.0/auth") {
                    r#"{"orderRef":"o-1","autoStartToken":"a-1","qrStartToken":"q-1","qrStartSecret":"s-1"}"#.to_string()
                } else if request.starts_with("POST /rp/v6.0/collect") {
                    format!(
                        r#"{{"orderRef":"o-1","status":"complete","completionData":{{"user":{{"personalNumber":"{ANNA}","name":"Anna Andersson","givenName":"Anna","surname":"Andersson"}}}}}}"#
                    )
                } else {
                    "{}".to_string()
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (url, served)
}

/// One HTTP request: the head, and the body its content-length announces.
async fn read_request(stream: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&data).to_string()
}

/// The common name in a DER certificate: the printable text after its OID (2.5.4.3).
fn common_name(der: &[u8]) -> String {
    let oid = [0x06, 0x03, 0x55, 0x04, 0x03];
    der.windows(oid.len())
        .rposition(|w| w == oid)
        .and_then(|i| {
            let len = *der.get(i + oid.len() + 1)? as usize;
            let start = i + oid.len() + 2;
            String::from_utf8(der.get(start..start + len)?.to_vec()).ok()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn bankid_login_works_against_a_service_that_demands_kanslis_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let service_ca = Ca::new("BankID test service CA");
    let rp_ca = Ca::new("BankID relying party CA");
    let (url, served) = service(&service_ca, &rp_ca).await;
    let identity = rp_ca.client_identity(dir.path(), "kansli-rp");
    let ca = service_ca.write(dir.path(), "service-ca.pem");
    let app = spawn_app_with(|s| {
        s.eid.bankid = Some(kansli::settings::EidService {
            url,
            client_cert: Some(identity),
            ca_cert: Some(ca),
        });
    })
    .await;

    let res = app
        .submit("/login", "/login/eid/start", &[("method", "bankid")])
        .await;
    assert_redirect(&res, "/login/eid");
    app.clock.advance(2);
    let csrf = form_value(&app.get_html("/login").await, "/login", "csrf");
    let res = app
        .post_raw("/login/eid", &[("csrf", &csrf)], Default::default())
        .await;
    assert_redirect(&res, "/account");
    let page = app.get_html("/account").await;
    assert_eq!(first_text(&page, ".who"), "Anna Andersson");
    let served = served.lock().unwrap().clone();
    assert!(served.len() >= 2, "auth and collect: {served:?}");
    assert!(
        served.iter().all(|cn| cn == "kansli-rp"),
        "every call presented Kansli's certificate: {served:?}"
    );
}

#[tokio::test]
async fn without_the_right_certificate_on_either_side_no_order_starts() {
    let dir = tempfile::tempdir().unwrap();
    let service_ca = Ca::new("BankID test service CA");
    let rp_ca = Ca::new("BankID relying party CA");
    let stranger_ca = Ca::new("Someone else's CA");
    let (url, served) = service(&service_ca, &rp_ca).await;
    let trusted = service_ca.write(dir.path(), "service-ca.pem");
    let untrusted = stranger_ca.write(dir.path(), "stranger-ca.pem");
    let ours = rp_ca.client_identity(dir.path(), "kansli-rp");
    let theirs = stranger_ca.client_identity(dir.path(), "impostor");
    let timeout = Duration::from_secs(5);
    let client = |identity: &Path, ca: &Path| {
        RpClient::new(
            url.clone(),
            Some(Tls {
                identity_pem: identity,
                ca_pem: ca,
            }),
            timeout,
        )
        .unwrap()
    };

    let right = client(&ours, &trusted);
    assert!(
        right.start("127.0.0.1", None).await.is_ok(),
        "the right pair works"
    );
    for (what, rp) in [
        (
            "a client certificate the service's CA did not sign",
            client(&theirs, &trusted),
        ),
        (
            "a service whose certificate Kansli's CA setting did not sign",
            client(&ours, &untrusted),
        ),
    ] {
        assert!(
            matches!(
                rp.start("127.0.0.1", None).await,
                Err(EidError::Unavailable)
            ),
            "{what}"
        );
    }
    let plain = RpClient::new(url.clone(), None, timeout).unwrap();
    assert!(
        matches!(
            plain.start("127.0.0.1", None).await,
            Err(EidError::Unavailable)
        ),
        "no client certificate and the system's roots only"
    );
    assert_eq!(
        served.lock().unwrap().clone(),
        vec!["kansli-rp".to_string()],
        "only the right pair was served"
    );
}
