//! The case endpoints: the list, one case, its documents and status changes.
use super::*;
use crate::helpers::*;
use kansli::domain::rules::MINUTE;
use serde_json::Value;

#[tokio::test]
async fn the_case_list_filters_and_pages_by_cursor() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let first = submitted(&app, "a@example.se", "visit-visa").await;
    app.clock.advance(MINUTE);
    let second = submitted(&app, "a@example.se", "visit-visa").await;
    app.clock.advance(MINUTE);
    let third = submitted(&app, "a@example.se", "studies").await;
    let (token, _) = add_client(&app, "cms", None);

    let page = json_of(api_get(&app, &token, "/api/v1/cases?limit=2").await).await;
    let numbers = |page: &Value| -> Vec<String> {
        page["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["verification_number"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(numbers(&page), [third.clone(), second.clone()]);
    assert_eq!(page["cases"][0]["type"]["id"], "studies");
    assert_eq!(page["cases"][0]["status"], "received");
    assert_eq!(page["cases"][0]["href"], format!("/api/v1/cases/{third}"));
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let next = json_of(
        api_get(
            &app,
            &token,
            &format!("/api/v1/cases?limit=2&cursor={cursor}"),
        )
        .await,
    )
    .await;
    assert_eq!(numbers(&next), std::slice::from_ref(&first));
    assert!(next["next_cursor"].is_null());

    let visas = json_of(api_get(&app, &token, "/api/v1/cases?type=visit-visa").await).await;
    assert_eq!(numbers(&visas), [second, first]);
    let none = json_of(api_get(&app, &token, "/api/v1/cases?status=in_progress").await).await;
    assert!(numbers(&none).is_empty());
    let today = json_of(
        api_get(
            &app,
            &token,
            "/api/v1/cases?submitted_from=2026-11-21&submitted_until=2026-11-21",
        )
        .await,
    )
    .await;
    assert_eq!(numbers(&today).len(), 3);
    let later =
        json_of(api_get(&app, &token, "/api/v1/cases?submitted_from=2026-11-22").await).await;
    assert!(numbers(&later).is_empty());

    for bad in [
        "status=<b>",
        "type=nothing",
        "submitted_from=21/11/2026",
        "cursor=%3C%3E%26",
        "limit=0",
        "limit=101",
    ] {
        let body = problem(
            api_get(&app, &token, &format!("/api/v1/cases?{bad}")).await,
            400,
        )
        .await;
        assert_eq!(
            body["type"], "urn:kansli:problem:invalid-parameter",
            "{bad}"
        );
    }
}

#[tokio::test]
async fn a_case_has_its_answers_with_labels_and_its_documents_as_links() {
    let (app, number) = case_with_document().await;
    let (token, _) = add_client(&app, "cms", None);
    let case = json_of(api_get(&app, &token, &format!("/api/v1/cases/{number}")).await).await;
    assert_eq!(case["verification_number"], number);
    assert_eq!(case["type"]["name"]["en"], "Visa for visits");
    let answer = |field: &str| -> Value {
        case["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["field"] == field)
            .cloned()
            .unwrap_or_else(|| panic!("no {field} in {case}"))
    };
    let purpose = answer("purpose");
    assert_eq!(purpose["value"], "family_visit");
    assert!(purpose["label"]["sv"].is_string() && purpose["label"]["en"].is_string());
    assert!(
        purpose["option"]["en"].as_str().unwrap().len() > 3,
        "{purpose}"
    );
    assert_eq!(answer("arrival")["value"], "2027-01-10");
    assert_eq!(case["history"][0]["status"], "received");

    let doc = &case["documents"][0];
    assert_eq!(doc["field"], "passport_photo_page");
    let href = doc["href"].as_str().unwrap();
    assert_eq!(
        href,
        format!(
            "/api/v1/cases/{number}/documents/{}",
            doc["id"].as_str().unwrap()
        )
    );
    let res = api_get(&app, &token, href).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert!(res.bytes().await.unwrap().starts_with(&[0xff, 0xd8]));

    // A document id only under its own case; a number no case has.
    let other = submitted(&app, "a@example.se", "visit-visa").await;
    let elsewhere = format!(
        "/api/v1/cases/{other}/documents/{}",
        doc["id"].as_str().unwrap()
    );
    problem(api_get(&app, &token, &elsewhere).await, 404).await;
    problem(api_get(&app, &token, "/api/v1/cases/00000000").await, 404).await;
    problem(api_get(&app, &token, "/api/v1/cases/%3Cb%3E").await, 404).await;

    let actions: Vec<(String, String)> = kansli::db::read(&app.state.pool, |c| {
        let mut s = c.prepare(
            "SELECT action, actor FROM audit_log WHERE actor_kind = 'api_client' ORDER BY id",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })
    .await
    .unwrap();
    assert!(
        actions.contains(&("api_case_viewed".into(), "cms".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("api_document_viewed".into(), "cms".into())),
        "{actions:?}"
    );
}

#[tokio::test]
async fn status_changes_follow_the_staff_machine_with_a_note() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let number = submitted(&app, "a@example.se", "visit-visa").await;
    let (token, _) = add_client(&app, "cms", None);
    let status = format!("/api/v1/cases/{number}/status");
    let change = |to: &str, note: &str| serde_json::json!({ "status": to, "note": note });

    let body = problem(
        api_post(&app, &token, &status, &change("approved", "")).await,
        409,
    )
    .await;
    assert_eq!(body["type"], "urn:kansli:problem:transition-not-allowed");
    assert_eq!(body["allowed"], serde_json::json!(["in_progress"]));
    let moved = json_of(api_post(&app, &token, &status, &change("in_progress", "")).await).await;
    assert_eq!(moved["status"], "in_progress");
    let body = problem(
        api_post(&app, &token, &status, &change("supplement_requested", " ")).await,
        422,
    )
    .await;
    assert_eq!(body["type"], "urn:kansli:problem:invalid-note");
    let note = "Send a clearer passport photo <b>&\"'";
    json_of(api_post(&app, &token, &status, &change("supplement_requested", note)).await).await;
    problem(
        api_post(&app, &token, &status, &change("nonsense", "")).await,
        400,
    )
    .await;
    let res = app
        .client
        .post(app.url(&status))
        .bearer_auth(&token)
        .body("not json")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    problem(
        api_post(
            &app,
            &token,
            "/api/v1/cases/00000000/status",
            &change("in_progress", ""),
        )
        .await,
        404,
    )
    .await;

    let case = json_of(api_get(&app, &token, &format!("/api/v1/cases/{number}")).await).await;
    let last = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "supplement_requested");
    assert_eq!(last["note"], note);
    assert_eq!(last["by"], "api:cms");
    // The applicant hears of it as from a caseworker, and My Page shows the note's status.
    assert!(app.messages_to("ana@example.com").await.len() >= 2);
    let audited = count(
        &app,
        "SELECT count(*) FROM audit_log WHERE action = 'case_status_changed' AND actor_kind = 'api_client'",
    )
    .await;
    assert_eq!(audited, 2);
}
