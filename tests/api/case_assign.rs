//! Assignment: a caseworker takes a case or hands it to a colleague; "my cases"
//! is the list a caseworker opens on; every change is audited.
use crate::helpers::*;
use kansli::domain::staff::Role;

/// Posts the assignment form as the case page had it: `seen` is who had the case.
async fn assign(cw: &TestApp, number: &str, seen: &str, to: &str) -> reqwest::Response {
    let csrf = form_value(&cw.get_html("/staff").await, "/staff/logout", "csrf");
    cw.post_raw(
        &format!("/staff/cases/{number}/assign"),
        &[("csrf", &csrf), ("seen", seen), ("to", to)],
        Default::default(),
    )
    .await
}

async fn my_cases(cw: &TestApp) -> Vec<String> {
    let list = cw.get_html("/staff/cases").await;
    select_text(&list, "table.cases a.verification-number")
}

#[tokio::test]
async fn a_caseworker_takes_a_case_and_hands_it_to_a_colleague_whose_list_it_joins() {
    let (app, number, first) = case_for_a_caseworker().await;
    let second = staff(&app, "second@agency.se", Role::Caseworker).await;
    let (one, two) = (
        staff_member(&app, "cw@agency.se").await.id.0.to_string(),
        staff_member(&app, "second@agency.se")
            .await
            .id
            .0
            .to_string(),
    );
    let case_page = format!("/staff/cases/{number}");
    assert!(my_cases(&first).await.is_empty(), "nobody's yet");
    let page = first.get_html(&case_page).await;
    assert_eq!(
        first_text(&page, ".assignee"),
        "Ingen har tagit ärendet ännu."
    );

    // Take it, with what the page's own form holds.
    let seen = value_of(&page, "form.take input[name=seen]").unwrap();
    assert_eq!(
        value_of(&page, "form.take input[name=to]").as_deref(),
        Some("me")
    );
    let take = assign(&first, &number, &seen, "me").await;
    assert_redirect(&take, &format!("{case_page}?assigned=1"));
    assert_eq!(my_cases(&first).await, vec![number.clone()]);
    assert!(my_cases(&second).await.is_empty());
    let page = first.get_html(&case_page).await;
    assert_eq!(first_text(&page, ".assignee"), "Du har det här ärendet.");
    assert!(select_text(&page, "form.take").is_empty(), "already mine");
    let list = second.get_html("/staff/cases?assigned=anyone").await;
    assert_eq!(first_text(&list, "td.assignee"), "cw@agency.se");

    // A colleague who saw it unassigned cannot take it over unseen.
    let stale = assign(&second, &number, "", "me").await;
    assert_eq!(stale.status(), 422);
    assert!(!first_text(&html_of(stale).await, "#colleague-error").is_empty());
    assert_eq!(my_cases(&first).await, vec![number.clone()]);

    // Handed over, it moves to the colleague's list.
    assert_eq!(assign(&first, &number, &one, &two).await.status(), 303);
    assert!(my_cases(&first).await.is_empty());
    assert_eq!(my_cases(&second).await, vec![number.clone()]);
    // And given back to nobody.
    assert_eq!(assign(&second, &number, &two, "nobody").await.status(), 303);
    let nobodys = second.get_html("/staff/cases?assigned=nobody").await;
    assert_eq!(
        select_text(&nobodys, "table.cases a.verification-number"),
        vec![number.clone()]
    );

    let audit = audit_rows(&app, "case_assigned").await;
    let details: Vec<_> = audit.iter().map(|a| a.2.clone().unwrap()).collect();
    assert_eq!(
        details,
        vec![
            "nobody -> cw@agency.se",
            "cw@agency.se -> second@agency.se",
            "second@agency.se -> nobody"
        ]
    );
    assert_eq!(audit[1].0, "cw@agency.se");
    assert_eq!(audit[1].1.as_deref(), Some(number.as_str()));
}

#[tokio::test]
async fn only_caseworkers_assign_and_only_to_caseworkers() {
    let (app, number, cw) = case_for_a_caseworker().await;
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    let desk_id = staff_member(&app, "desk@agency.se").await.id.0.to_string();

    let res = assign(&cw, &number, "", &desk_id).await;
    assert_eq!(res.status(), 422, "support is no caseworker");
    assert!(!first_text(&html_of(res).await, "#colleague-error").is_empty());
    assert_eq!(assign(&cw, &number, "", "<script>").await.status(), 422);
    assert_eq!(assign(&desk, &number, "", "me").await.status(), 403);
    // Without the form's token nothing happens.
    let res = cw
        .post_raw(
            &format!("/staff/cases/{number}/assign"),
            &[("seen", ""), ("to", "me")],
            Default::default(),
        )
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(assign(&cw, "00000000-00", "", "me").await.status(), 404);
    assert!(audit_rows(&app, "case_assigned").await.is_empty());
}
