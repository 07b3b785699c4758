//! Status changes as caseworkers work: a decision straight from "supplement
//! requested" when the supplement came by post, and a note with any change,
//! shown on My Page and named in the email, which names the case.
use crate::helpers::*;

#[tokio::test]
async fn a_supplement_that_came_by_post_is_decided_at_once_with_a_note_the_applicant_reads() {
    let (app, number, cw) = case_for_a_caseworker().await;
    for (to, note) in [
        ("in_progress", ""),
        ("supplement_requested", "Send your bank statements."),
    ] {
        assert_eq!(change_status(&cw, &number, to, note).await.status(), 303);
    }
    let page = cw.get_html(&format!("/staff/cases/{number}")).await;
    let offered: Vec<String> = select_text(&page, ".change-status .radio label");
    assert_eq!(offered.len(), 3, "{offered:?}");

    let before = app.messages_to("ana@example.com").await.len();
    let note = "Your statements <arrived> by post & were \"enough\".";
    assert_eq!(
        change_status(&cw, &number, "approved", note).await.status(),
        303
    );

    // My Page's case view: the status and the note, escaped.
    let case = app.get_html(&format!("/cases/{number}")).await;
    assert!(first_text(&case, ".status-tag").contains("beviljad"));
    assert_eq!(first_text(&case, ".notice-info .message"), note);
    assert!(select_text(&case, ".notice-warning").is_empty());

    // The email names the case (number, type in the applicant's language) and
    // says there is a note, without its text.
    let emails = app.messages_to("ana@example.com").await;
    assert_eq!(emails.len(), before + 1);
    let email = &emails[0];
    assert!(email.text.contains(&number), "{}", email.text);
    assert!(email.text.contains("Visum för besök"), "{}", email.text);
    assert!(email.text.contains("meddelande"), "{}", email.text);
    assert!(!email.text.contains("statements"), "not the note itself");
    let audit = audit_rows(&app, "case_status_changed").await;
    assert_eq!(
        audit.last().unwrap().2.as_deref(),
        Some("supplement_requested -> approved")
    );
}

#[tokio::test]
async fn the_email_is_in_the_applicants_language_and_says_nothing_of_a_note_when_there_is_none() {
    let (app, number, cw) = case_for_a_caseworker().await;
    kansli::db::write(&app.state.pool, |tx| {
        tx.execute("UPDATE accounts SET lang = 'en'", [])
    })
    .await
    .unwrap();
    assert_eq!(
        change_status(&cw, &number, "in_progress", "")
            .await
            .status(),
        303
    );
    let email = &app.messages_to("ana@example.com").await[0];
    assert!(email.text.contains(&number));
    assert!(email.text.contains("Visa for visits"), "{}", email.text);
    assert!(!email.text.contains("message to you"), "{}", email.text);
    // A supplement request can go back to being processed, or to a rejection.
    assert_eq!(
        change_status(&cw, &number, "supplement_requested", "More, please.")
            .await
            .status(),
        303
    );
    assert_eq!(
        change_status(&cw, &number, "rejected", "").await.status(),
        303
    );
    assert_eq!(
        change_status(&cw, &number, "in_progress", "")
            .await
            .status(),
        422,
        "a decision is not undone"
    );
}
