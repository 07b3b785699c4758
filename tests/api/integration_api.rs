//! The integration API: client systems' tokens from the command line, the case
//! endpoints, the OpenAPI document, and signed webhooks delivered through the outbox.
use crate::helpers::*;

/// The value after `label` on a line of the command's output.
fn printed(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {out}"))
        .trim()
        .to_string()
}

#[tokio::test]
async fn api_clients_are_added_listed_and_revoked_from_the_command_line() {
    let app = spawn_app().await;
    let out = succeeded(kansli_cli(
        &app,
        &[
            "api",
            "add",
            "case-system",
            "--webhook",
            "https://cms.example/hooks",
        ],
    ));
    let token = printed(&out, "token:");
    let secret = printed(&out, "webhook secret:");
    assert_eq!(token.len(), 43, "{out}");
    assert!(secret.len() >= 43, "{out}");
    let out = succeeded(kansli_cli(&app, &["api", "add", "reader"]));
    assert!(!out.contains("webhook secret"), "{out}");

    // The token is kept only as a hash.
    let stored: Vec<Vec<u8>> = kansli::db::read(&app.state.pool, |c| {
        let mut s = c.prepare("SELECT token_hash FROM api_clients")?;
        let rows = s.query_map([], |r| r.get(0))?;
        rows.collect()
    })
    .await
    .unwrap();
    assert!(stored
        .iter()
        .all(|h| h.len() == 32 && h != token.as_bytes()));

    let err = refused(kansli_cli(&app, &["api", "add", "case-system"]));
    assert!(err.contains("already exists"), "{err}");
    let err = refused(kansli_cli(&app, &["api", "add", "<Bad>"]));
    assert!(err.contains("not a client name"), "{err}");
    let err = refused(kansli_cli(
        &app,
        &["api", "add", "x", "--webhook", "ftp://x"],
    ));
    assert!(err.contains("not an http or https address"), "{err}");

    let list = succeeded(kansli_cli(&app, &["api", "list"]));
    let line = list.lines().find(|l| l.starts_with("case-system")).unwrap();
    assert!(
        line.contains("active") && line.contains("https://cms.example/hooks"),
        "{list}"
    );
    succeeded(kansli_cli(&app, &["api", "revoke", "case-system"]));
    let list = succeeded(kansli_cli(&app, &["api", "list"]));
    let line = list.lines().find(|l| l.starts_with("case-system")).unwrap();
    assert!(line.contains("revoked"), "{list}");
    let err = refused(kansli_cli(&app, &["api", "revoke", "case-system"]));
    assert!(err.contains("no active API client"), "{err}");
    // A revoked name can be given to a new client.
    succeeded(kansli_cli(&app, &["api", "add", "case-system"]));
}
