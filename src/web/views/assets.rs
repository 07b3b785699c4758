//! Static files, compiled into the binary, served under `/assets/` with a
//! content hash in the URL so they can be cached for a year.
use std::collections::HashMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::paths;

pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static [u8],
    pub version: String,
    /// `/assets/NAME?v=VERSION`
    pub url: String,
}

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "kansli.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../assets/kansli.css"),
    ),
    (
        "session.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/session.js"),
    ),
    (
        "print.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/print.js"),
    ),
    (
        "countdown.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/countdown.js"),
    ),
    (
        "eid.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/eid.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../../assets/favicon.svg"),
    ),
];

fn table() -> &'static HashMap<&'static str, Asset> {
    static TABLE: OnceLock<HashMap<&'static str, Asset>> = OnceLock::new();
    TABLE.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, content_type, body)| {
                let digest = Sha256::digest(body);
                let version: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
                let url = paths::asset(name, &version);
                (
                    *name,
                    Asset {
                        content_type,
                        body,
                        version,
                        url,
                    },
                )
            })
            .collect()
    })
}

pub fn get(name: &str) -> Option<&'static Asset> {
    table().get(name)
}

/// The URL of an asset, versioned by its content.
pub fn url(name: &str) -> &'static str {
    get(name)
        .map(|a| a.url.as_str())
        .unwrap_or(paths::ASSETS_MISSING)
}
