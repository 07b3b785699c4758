//! The OpenAPI document against the routes that exist.
use super::*;

/// A documented or routed path with its parameters blanked, so `{verification}`
/// and `{verification_number}` compare equal.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => inside = true,
            '}' => {
                inside = false;
                out.push_str("{}");
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// The API's routes as src/web/mod.rs registers them: (method, shape of the path).
fn registered_api_routes() -> std::collections::BTreeSet<(String, String)> {
    let source = include_str!("../../../src/web/mod.rs");
    let scope = &source[source.find("scope(\"/api\")").expect("the /api scope")..];
    let scope = &scope[..scope
        .find("default_service(web::to(api::no_route))")
        .unwrap()];
    let mut routes = std::collections::BTreeSet::new();
    let mut path = None;
    for line in scope.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("resource(\"") {
            path = Some(format!("/api{}", &rest[..rest.find('"').unwrap()]));
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            if line.starts_with(&format!(".route({method}()")) {
                routes.insert((method.to_string(), shape(path.as_ref().unwrap())));
            }
        }
    }
    routes
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes_that_exist() {
    let (app, number) = case_with_document().await;
    let (token, _) = add_client(&app, "cms", None);
    let res = app.get("/api/openapi.json").await;
    let doc = json_of(res).await;
    assert_eq!(doc["openapi"], "3.1.0");

    let case = json_of(api_get(&app, &token, &format!("/api/v1/cases/{number}")).await).await;
    let document = case["documents"][0]["id"].as_str().unwrap().to_string();
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            documented.insert((method.clone(), shape(path)));
            let url = path
                .replace("{verification_number}", &number)
                .replace("{document_id}", &document);
            let res = match method.as_str() {
                "get" => api_get(&app, &token, &url).await,
                "post" => {
                    let body = serde_json::json!({ "status": "in_progress" });
                    api_post(&app, &token, &url, &body).await
                }
                other => panic!("{other} is not tried"),
            };
            assert!(
                ![404, 405].contains(&res.status().as_u16()),
                "{method} {url}: {}",
                res.status()
            );
        }
    }
    documented.insert(("get".into(), "/api/openapi.json".into()));
    let registered = registered_api_routes();
    assert!(registered.len() >= 5, "{registered:?}");
    assert_eq!(registered, documented, "routes and the document differ");
    // Every reference points at something the document has.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = &reference[..reference.find('"').unwrap()];
        assert!(
            doc.pointer(&format!("/{pointer}")).is_some(),
            "{pointer} is not in the document"
        );
    }
}
