//! Every date a person reads, and every "today", is the calendar day in Sweden
//! (Europe/Stockholm), not the UTC date: between 00:00 and 01:00 (02:00 in
//! summer) Swedish time the two differ.
use crate::helpers::*;
use scraper::Selector;

/// 2026-12-31 23:30 UTC: 00:30 on New Year's Day in Sweden (CET, UTC+1).
const NEW_YEAR_NIGHT: i64 = 1_798_759_800;
/// 2026-07-14 22:30 UTC: 00:30 on 15 July in Sweden (CEST, UTC+2).
const SUMMER_NIGHT: i64 = 1_784_068_200;

#[test]
fn the_instants_are_what_the_tests_say() {
    let utc = |at: i64| jiff::Timestamp::from_second(at).unwrap().to_string();
    assert_eq!(utc(NEW_YEAR_NIGHT), "2026-12-31T23:30:00Z");
    assert_eq!(utc(SUMMER_NIGHT), "2026-07-14T22:30:00Z");
}

/// An application paid for at `at`, started 20 minutes before.
async fn paid_at(at: i64) -> (TestApp, String) {
    let app = spawn_app().await;
    app.clock.set(at - 20 * 60);
    app.create_account("a@example.se").await;
    let (app, reference) = complete_in(app).await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    app.clock.set(at);
    let submitted = pay_fully(&app, &reference, APPROVED).await;
    assert!(submitted.ends_with("/submitted"), "{submitted}");
    (app, reference)
}

#[tokio::test]
async fn a_submission_after_swedish_midnight_carries_the_swedish_date_everywhere() {
    for (at, swedish) in [(NEW_YEAR_NIGHT, "2027-01-01"), (SUMMER_NIGHT, "2026-07-15")] {
        let (app, _) = paid_at(at).await;

        let mail = app
            .messages_to("ana@example.com")
            .await
            .into_iter()
            .find(|m| m.subject == "Din ansökan är inskickad")
            .expect("confirmation email");
        assert!(mail.text.contains(swedish), "{swedish}: {}", mail.text);
        let my_page = app.get_html("/account").await;
        assert!(
            select_text(&my_page, ".case")
                .iter()
                .any(|t| t.contains(swedish)),
            "{swedish} on My Page: {:?}",
            select_text(&my_page, ".case")
        );
    }
}

#[tokio::test]
async fn the_caseworkers_date_filter_takes_swedish_days() {
    let (app, _) = paid_at(NEW_YEAR_NIGHT).await;
    let cw = staff(
        &app,
        "cw@agency.se",
        kansli::domain::staff::Role::Caseworker,
    )
    .await;
    let on = |day: &str| {
        let cw = &cw;
        let path = format!("/staff/cases?from={day}&until={day}");
        async move {
            select_text(
                &cw.get_html(&path).await,
                "table.cases a.verification-number",
            )
            .len()
        }
    };
    assert!(
        on("2027-01-01").await > 0,
        "submitted on New Year's Day in Sweden"
    );
    assert_eq!(on("2026-12-31").await, 0, "not on New Year's Eve");
}

#[tokio::test]
async fn today_in_the_forms_rules_is_the_swedish_day() {
    let app = spawn_app().await;
    app.clock.set(NEW_YEAR_NIGHT);
    app.create_account("a@example.se").await;
    let reference = start(&app, "visit-visa").await;
    let born = |date: &'static str| {
        let (app, reference) = (&app, &reference);
        async move {
            let res = post_page(
                app,
                reference,
                "applicant",
                &[("date_of_birth", date)],
                "next",
            )
            .await;
            let html = scraper::Html::parse_document(&res.text().await.unwrap());
            select_text(&html, "#date_of_birth-error")
        }
    };
    assert_eq!(
        born("2027-01-01").await,
        Vec::<String>::new(),
        "born today, in Sweden"
    );
    assert_eq!(
        born("2027-01-02").await,
        vec!["Födelsedatum: Datumet får inte vara i framtiden".to_string()]
    );
}

#[tokio::test]
async fn date_fields_say_their_format_and_take_it_with_or_without_separators() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let html = app.get_html(&path).await;
    // A text field: a browser's own date control shows its locale's order, which
    // would not match the hint.
    let input = html
        .select(&Selector::parse("#date_of_birth").unwrap())
        .next()
        .unwrap()
        .value();
    assert_eq!(input.attr("type"), Some("text"));
    assert_eq!(input.attr("inputmode"), Some("numeric"));
    assert!(first_text(&html, "#date_of_birth-hint").contains("ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD"));
    let mut typed = APPLICANT.to_vec();
    typed[2] = ("date_of_birth", "19900517");
    assert_redirect(
        &post_page(&app, &reference, "applicant", &typed, "next").await,
        &page(&reference, "passport"),
    );
    let html = app.get_html(&path).await;
    assert_eq!(
        value_of(&html, "#date_of_birth").as_deref(),
        Some("1990-05-17")
    );
    // In English the hint is English.
    app.get("/lang/en").await;
    let html = app.get_html(&page(&reference, "passport")).await;
    assert!(first_text(&html, "#passport_expiry-hint").contains("YYYY-MM-DD"));
}
