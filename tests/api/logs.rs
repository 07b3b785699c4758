//! The log through the real binary: JSON lines, a request id on every line of a
//! request, one access line per request with the route pattern and never a query
//! string or a cookie.
use serde_json::Value;

use crate::helpers::*;

fn json(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

fn is_access(line: &str, route: &str) -> bool {
    serde_json::from_str::<Value>(line)
        .is_ok_and(|v| v["target"] == "access" && v["route"] == route)
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn json_log_has_one_access_line_per_request_with_pattern_status_and_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Running::start(dir.path(), &[("KANSLI_LOG_FORMAT", "json")]);
    let client = plain_client();
    let res = client
        .get(served.url("/applications/AB<>&\"'12/review?token=query-secret-value"))
        .header("cookie", "kansli_session=cookie-secret-value")
        .header("x-request-id", "proxy-7f3a.B_9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "proxy-7f3a.B_9");
    let status = res.status().as_u16();
    let line = json(&served.wait_for(|l| is_access(l, "/applications/{reference}/review")));
    assert_eq!(line["status"], status);
    assert_eq!(line["method"], "GET");
    assert_eq!(line["client"], "127.0.0.1");
    assert!(line["duration_ms"].as_f64().unwrap() >= 0.0, "{line}");
    assert_eq!(line["span"]["id"], "proxy-7f3a.B_9", "{line}");

    // An id with characters that could forge a log line is replaced by a fresh one.
    let res = client
        .get(served.url("/help/login"))
        .header("x-request-id", "two words\"}")
        .send()
        .await
        .unwrap();
    let made = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made.len(), 16, "{made}");
    assert!(made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
    let line = json(&served.wait_for(|l| is_access(l, "/help/login")));
    assert_eq!(line["span"]["id"], made.as_str());

    // A line written inside the request's work carries the same id.
    let res = client
        .post(served.url("/logout"))
        .header("origin", "https://elsewhere.example")
        .header("x-request-id", "refused-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let warning = json(&served.wait_for(|l| l.contains("cross-origin request refused")));
    assert_eq!(warning["span"]["id"], "refused-1", "{warning}");
    assert_eq!(warning["level"], "WARN");

    // Probes are not logged at info: the next request's line comes with none before it.
    client
        .get(served.url("/health/ready"))
        .send()
        .await
        .unwrap();
    client.get(served.url("/terms")).send().await.unwrap();
    served.wait_for(|l| is_access(l, "/terms"));
    assert!(
        !served.seen.iter().any(|l| l.contains("/health/")),
        "{:#?}",
        served.seen
    );
    for line in &served.seen {
        json(line);
        assert!(!line.contains("query-secret-value"), "{line}");
        assert!(!line.contains("cookie-secret-value"), "{line}");
        assert!(!line.contains("token="), "{line}");
    }
}

#[tokio::test]
async fn text_log_is_the_default_and_names_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Running::start(dir.path(), &[]);
    let res = plain_client()
        .get(served.url("/nowhere/at/all?code=123456"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let line =
        served.wait_for(|l| l.contains("route=\"unmatched\"") || l.contains("route=unmatched"));
    assert!(line.contains(&format!("request{{id={id}}}")), "{line}");
    assert!(line.contains("status=404"), "{line}");
    assert!(
        !line.contains("123456") && !line.contains("nowhere"),
        "{line}"
    );
}
