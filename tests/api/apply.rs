use crate::helpers::*;
use kansli::domain::rules::{DAY, MINUTE};
use scraper::Selector;

#[tokio::test]
async fn starting_an_application_emails_the_continue_link_and_the_deletion_date() {
    let app = logged_in().await;
    let html = app.get_html("/applications/new").await;
    assert_eq!(select_text(&html, ".card h2").len(), 7);
    let reference = start(&app, "visit-visa").await;
    assert_redirect(
        &app.get(&format!("/applications/{reference}")).await,
        &page(&reference, "applicant"),
    );
    let mail = app.messages_to("a@example.se").await.remove(0);
    assert_eq!(mail.subject, "Din ansökan är påbörjad");
    assert!(mail
        .text
        .contains(&format!("{}/applications/{reference}", app.address)));
    let deletion = kansli::domain::date::Date::in_sweden(START + 14 * DAY).to_string();
    assert!(mail.text.contains(&deletion), "{}", mail.text);
    let html = app.get_html(&page(&reference, "applicant")).await;
    assert_eq!(first_text(&html, ".step"), "Steg 1 av 4");
    assert!(first_text(&html, ".draft-facts").contains(&deletion));
    let html = app.get_html("/account").await;
    assert!(first_text(&html, "table.drafts").contains("Visum för besök"));
    assert!(!select_text(&html, &format!("a[href='/applications/{reference}']")).is_empty());
}

#[tokio::test]
async fn a_valid_page_is_saved_and_leads_on_and_pages_cannot_be_skipped_by_url() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    assert_redirect(
        &app.get(&page(&reference, "travel")).await,
        &page(&reference, "applicant"),
    );
    let res = post_page(&app, &reference, "applicant", APPLICANT, "next").await;
    assert_redirect(&res, &page(&reference, "passport"));
    let html = app.get_html(&page(&reference, "applicant")).await;
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some("Öberg"));
    assert_redirect(
        &app.get(&page(&reference, "stay")).await,
        &page(&reference, "passport"),
    );
}

#[tokio::test]
async fn problems_are_shown_per_field_with_the_values_kept_and_escaped() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let nasty = r#"<script>alert('x')</script>&""#;
    let res = post_page(
        &app,
        &reference,
        "applicant",
        &[
            ("family_name", nasty),
            ("date_of_birth", "2031-01-01"),
            ("citizenship", "XX"),
        ],
        "next",
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(!body.contains("<script>alert"));
    let html = scraper::Html::parse_document(&body);
    assert_eq!(
        first_text(&html, "#given_names-error"),
        "Förnamn: Svara på frågan"
    );
    assert_eq!(
        first_text(&html, "#date_of_birth-error"),
        "Födelsedatum: Datumet får inte vara i framtiden"
    );
    assert_eq!(
        first_text(&html, "#citizenship-error"),
        "Medborgarskap: Välj ett av alternativen"
    );
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some(nasty));
    assert!(select_text(&html, ".error-summary li").len() >= 4);
}

#[tokio::test]
async fn a_page_is_saved_at_29_59_and_refused_at_30_01_with_the_typed_values_shown() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let html = app.get_html(&path).await;
    app.clock.advance(29 * MINUTE + 59);
    assert_redirect(
        &post_seen(&app, &html, &path, APPLICANT, "next").await,
        &page(&reference, "passport"),
    );

    let path = page(&reference, "passport");
    let html = app.get_html(&path).await;
    app.clock.advance(15 * MINUTE);
    app.get("/session/ping").await; // "stay logged in": the session lives, the page's time does not
    app.clock.advance(15 * MINUTE + 1);
    let res = post_seen(&app, &html, &path, PASSPORT, "next").await;
    assert_eq!(res.status(), 422);
    let html = html_of(res).await;
    assert!(first_text(&html, ".notice-warning").contains("30 minuter"));
    assert_eq!(
        value_of(&html, "#passport_number").as_deref(),
        Some("AB1234567"),
        "typed values shown"
    );
    // Nothing was saved.
    let html = app.get_html(&path).await;
    assert_eq!(value_of(&html, "#passport_number").as_deref(), Some(""));
}

#[tokio::test]
async fn an_older_copy_of_a_page_comes_back_with_what_was_typed_and_says_why() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let old = app.get_html(&path).await;
    assert_redirect(
        &post_seen(&app, &old, &path, APPLICANT, "next").await,
        &page(&reference, "passport"),
    );
    // The browser's back button shows the old copy; sending it again is refused,
    // and the person sees the same page, why, and what they typed.
    let mut changed = APPLICANT.to_vec();
    changed[0] = ("family_name", "Changed");
    let res = post_seen(&app, &old, &path, &changed, "next").await;
    assert_eq!(res.status(), 409);
    let again = html_of(res).await;
    assert!(
        first_text(&again, ".notice-warning").contains("ändrats i en annan flik"),
        "{}",
        first_text(&again, ".notice-warning")
    );
    assert_eq!(value_of(&again, "#family_name").as_deref(), Some("Changed"));
    // Where the copy sent differs from what is saved now, the saved value is shown,
    // so sending again does not put an older value back unnoticed.
    assert!(
        first_text(&again, "#family_name-hint").contains("Sparat nu: Öberg"),
        "{}",
        first_text(&again, "#family_name-hint")
    );
    assert!(!select_text(&again, ".hint")
        .concat()
        .contains("Sparat nu: Ana"));
    // Nothing was written over.
    let html = app.get_html(&path).await;
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some("Öberg"));
    // The page shown again is the current copy: sending it saves.
    assert_redirect(
        &post_seen(&app, &again, &path, &changed, "next").await,
        &page(&reference, "passport"),
    );
    let html = app.get_html(&path).await;
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some("Changed"));
}

#[tokio::test]
async fn an_older_copy_of_a_page_that_cannot_be_opened_now_lands_on_the_right_page() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let old = app.get_html(&path).await;
    // The page after the first is not open yet: a copy of it (forged from the
    // first page's) leads to where the person is, with the explanation.
    let travel = page(&reference, "travel");
    let csrf = form_value(&old, &path, "csrf");
    let res = app
        .post_raw(
            &travel,
            &[
                ("csrf", csrf.as_str()),
                ("revision", "0"),
                ("action", "next"),
            ],
            Default::default(),
        )
        .await;
    assert_redirect(&res, &format!("{path}?stale=1"));
    let html = app.get_html(&format!("{path}?stale=1")).await;
    assert!(first_text(&html, ".notice-warning").contains("äldre kopia"));
}

#[tokio::test]
async fn next_with_one_wrong_answer_keeps_the_valid_ones() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let mut wrong = APPLICANT.to_vec();
    wrong[2] = ("date_of_birth", "17 maj");
    let res = post_page(&app, &reference, "applicant", &wrong, "next").await;
    assert_eq!(res.status(), 422);
    let shown = html_of(res).await;
    assert_eq!(
        value_of(&shown, "#date_of_birth").as_deref(),
        Some("17 maj")
    );
    // The valid answers are saved, the wrong one is not, and the page is not done.
    let html = app.get_html(&path).await;
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some("Öberg"));
    assert_eq!(
        value_of(&html, "#email").as_deref(),
        Some("ana@example.com")
    );
    assert_eq!(value_of(&html, "#date_of_birth").as_deref(), Some(""));
    assert_redirect(&app.get(&page(&reference, "passport")).await, &path);
    // The page shown with its problems is current: correcting it there goes on.
    assert_redirect(
        &post_seen(&app, &shown, &path, APPLICANT, "next").await,
        &page(&reference, "passport"),
    );
}

#[tokio::test]
async fn a_done_page_sent_with_a_missing_answer_is_no_longer_done() {
    let (app, reference) = complete_in(logged_in().await).await;
    // The travel page was done; now "visited before" is yes, but when is missing.
    let res = post_page(
        &app,
        &reference,
        "travel",
        &[
            ("purpose", "family_visit"),
            ("arrival", "2027-01-10"),
            ("departure", "2027-01-20"),
            ("visited_before", "yes"),
        ],
        "next",
    )
    .await;
    assert_eq!(res.status(), 422);
    // The review (and approval) wait until the page is complete again.
    assert_redirect(
        &app.get(&format!("/applications/{reference}/review")).await,
        &page(&reference, "travel"),
    );
}

#[tokio::test]
async fn an_emptied_optional_answer_stays_empty_when_the_page_is_left() {
    let (app, reference) = complete_in(logged_in().await).await;
    // The stay page's optional answer, typed, then emptied with Save and leave.
    let path = page(&reference, "applicant");
    let html = app.get_html(&path).await;
    assert_eq!(
        value_of(&html, "#email").as_deref(),
        Some("ana@example.com")
    );
    let mut emptied = APPLICANT.to_vec();
    emptied[4] = ("email", "");
    post_seen(&app, &html, &path, &emptied, "save").await;
    let html = app.get_html(&path).await;
    assert_eq!(
        value_of(&html, "#email").as_deref(),
        Some(""),
        "what the person emptied stays empty"
    );
}

#[tokio::test]
async fn saved_now_is_shown_only_where_the_answers_really_differ() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let old = app.get_html(&path).await;
    post_seen(&app, &old, &path, APPLICANT, "next").await;
    // The same date typed another way is the same answer.
    let mut same = APPLICANT.to_vec();
    same[2] = ("date_of_birth", "19900517");
    let again = html_of(post_seen(&app, &old, &path, &same, "next").await).await;
    assert!(
        !select_text(&again, ".hint").concat().contains("Sparat nu"),
        "{:?}",
        select_text(&again, ".hint")
    );
}

#[tokio::test]
async fn an_organisation_number_is_checked_by_its_luhn_digit() {
    let app = logged_in().await;
    let reference = past_the_passport(&app, "work-permit", "employment").await;
    let job = |org: &'static str| {
        [
            ("employer_name", "Volvo"),
            ("employer_org_number", org),
            ("occupation", "Engineer"),
            ("monthly_salary_sek", "42000"),
            ("start_date", "2027-03-01"),
        ]
    };
    let res = post_page(&app, &reference, "employment", &job("556012-5791"), "next").await;
    assert_eq!(res.status(), 422);
    assert!(
        first_text(&html_of(res).await, "#employer_org_number-error")
            .contains("organisationsnummer")
    );
    let res = post_page(&app, &reference, "employment", &job("556012-5790"), "next").await;
    assert_eq!(res.status(), 422, "only the offer's photo is missing now");
    let html = html_of(res).await;
    assert!(select_text(&html, "#employer_org_number-error").is_empty());
    let html = app.get_html(&page(&reference, "employment")).await;
    assert_eq!(
        value_of(&html, "#employer_org_number").as_deref(),
        Some("556012-5790")
    );
}

#[tokio::test]
async fn back_with_a_wrong_answer_names_it_instead_of_dropping_it() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    post_page(&app, &reference, "applicant", APPLICANT, "next").await;
    let res = post_page(
        &app,
        &reference,
        "passport",
        &[
            ("passport_number", "AB1234567"),
            ("passport_expiry", "31/12/2030"),
        ],
        "back",
    )
    .await;
    assert_eq!(res.status(), 422);
    let shown = html_of(res).await;
    assert!(first_text(&shown, ".notice-warning").contains("Passet gäller till och med"));
    let html = app.get_html(&page(&reference, "passport")).await;
    assert_eq!(
        value_of(&html, "#passport_number").as_deref(),
        Some("AB1234567")
    );
}

#[tokio::test]
async fn a_page_shown_again_has_its_30_minutes_again() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let html = app.get_html(&path).await;
    app.clock.advance(25 * MINUTE);
    let mut wrong = APPLICANT.to_vec();
    wrong[2] = ("date_of_birth", "17 maj");
    let shown = html_of(post_seen(&app, &html, &path, &wrong, "next").await).await;
    app.clock.advance(25 * MINUTE);
    let switched = html_of(post_seen(&app, &shown, &path, &wrong, "language").await).await;
    app.clock.advance(25 * MINUTE);
    assert_redirect(
        &post_seen(&app, &switched, &path, APPLICANT, "next").await,
        &page(&reference, "passport"),
    );
}

#[tokio::test]
async fn save_and_leave_keeps_what_is_valid_and_goes_to_my_page() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let res = post_page(
        &app,
        &reference,
        "applicant",
        &[("family_name", "Öberg")],
        "save",
    )
    .await;
    assert_redirect(&res, "/account?saved=1");
    let html = app.get_html("/account?saved=1").await;
    assert!(first_text(&html, ".notice-success").contains("sparad"));
    let html = app.get_html(&page(&reference, "applicant")).await;
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some("Öberg"));
}

#[tokio::test]
async fn save_and_leave_names_the_answer_it_could_not_save() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let res = post_page(
        &app,
        &reference,
        "applicant",
        &[("family_name", "Öberg"), ("date_of_birth", "not a date")],
        "save",
    )
    .await;
    assert_eq!(res.status(), 422, "not a silent trip to My Page");
    let shown = html_of(res).await;
    let notice = first_text(&shown, ".notice-warning");
    assert!(notice.contains("Födelsedatum"), "{notice}");
    assert!(notice.contains("sparades inte"), "{notice}");
    assert_eq!(
        value_of(&shown, "#date_of_birth").as_deref(),
        Some("not a date")
    );
    assert!(first_text(&shown, "#date_of_birth-error").contains("Födelsedatum"));
    let html = app.get_html(&path).await;
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some("Öberg"));
    assert_eq!(value_of(&html, "#date_of_birth").as_deref(), Some(""));
    // Corrected on the page shown, it saves and leaves.
    assert_redirect(
        &post_seen(
            &app,
            &shown,
            &path,
            &[("family_name", "Öberg"), ("date_of_birth", "1990-05-17")],
            "save",
        )
        .await,
        "/account?saved=1",
    );
}

#[tokio::test]
async fn switching_language_mid_page_keeps_everything_typed() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let path = page(&reference, "applicant");
    let html = app.get_html(&path).await;
    // The header's language switch is a button of the page's form (no script needed).
    let switch =
        Selector::parse("header button[form='page-form'][name='action'][value='language']")
            .unwrap();
    assert_eq!(
        html.select(&switch)
            .next()
            .map(|b| b.text().collect::<String>()),
        Some("In English".to_string())
    );
    let typed = [("family_name", "Öberg"), ("date_of_birth", "17 maj")];
    let res = post_seen(&app, &html, &path, &typed, "language").await;
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("kansli_lang=en")));
    let shown = html_of(res).await;
    assert_eq!(
        first_text(&shown, "h1"),
        "About you",
        "the page, now in English"
    );
    assert_eq!(value_of(&shown, "#family_name").as_deref(), Some("Öberg"));
    assert_eq!(
        value_of(&shown, "#date_of_birth").as_deref(),
        Some("17 maj")
    );
    assert!(
        select_text(&shown, ".error-summary").is_empty(),
        "no errors for a language switch"
    );
    // Nothing was checked or saved, and the copy keeps the revision it was shown with.
    assert_eq!(
        form_value(&shown, &path, "revision"),
        form_value(&html, &path, "revision")
    );
    // The next page view stays English.
    let html = app.get_html(&path).await;
    assert_eq!(first_text(&html, "h1"), "About you");
    assert_eq!(value_of(&html, "#family_name").as_deref(), Some(""));
}

#[tokio::test]
/// Another person's application is answered as a deleted one is: 410 with the
/// explanation, which says nothing about whether it exists.
async fn another_persons_draft_is_answered_as_gone() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let other = app.new_browser();
    other.create_account("b@example.se").await;
    assert_eq!(
        other
            .get(&format!("/applications/{reference}"))
            .await
            .status(),
        410
    );
    assert_eq!(
        other.get(&page(&reference, "applicant")).await.status(),
        410
    );
    for path in ["review", "approved"] {
        let res = other
            .get(&format!("/applications/{reference}/{path}"))
            .await;
        assert_eq!(res.status(), 410, "{path}");
    }
    let token = other.csrf("/account", "/logout").await;
    let res = other
        .post_raw(
            &page(&reference, "applicant"),
            &[("csrf", &token), ("revision", "0"), ("family_name", "x")],
            Default::default(),
        )
        .await;
    assert_eq!(res.status(), 410);
    assert_eq!(app.get(&page(&reference, "applicant")).await.status(), 200);
}

#[tokio::test]
async fn drafts_are_deleted_at_their_lifetime_and_kept_a_second_before() {
    for (form, days) in [("visit-visa", 14), ("work-permit", 30)] {
        let app = logged_in().await;
        let reference = start(&app, form).await;
        app.clock.set(START + days * DAY - 1);
        assert_eq!(
            kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
                .await
                .unwrap(),
            0,
            "{form}"
        );
        app.clock.set(START + days * DAY + 1);
        assert_eq!(
            kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
                .await
                .unwrap(),
            1,
            "{form}"
        );
        assert_eq!(
            kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
                .await
                .unwrap(),
            0,
            "idempotent"
        );
        let fresh = app.new_browser();
        fresh.login("a@example.se", PASSWORD).await;
        assert_eq!(
            fresh
                .get(&format!("/applications/{reference}"))
                .await
                .status(),
            410,
            "the emailed link explains"
        );
    }
}

#[tokio::test]
async fn a_draft_past_its_deletion_time_is_gone_before_the_job_runs() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    post_page(&app, &reference, "applicant", APPLICANT, "next").await;
    app.clock.set(START + 14 * DAY + 1);
    app.login("a@example.se", PASSWORD).await;
    let link = format!("/applications/{reference}");
    let res = app.get(&link).await;
    assert_eq!(res.status(), 410);
    let html = html_of(res).await;
    let said = first_text(&html, "main");
    assert!(
        said.contains("raderas efter 14 dagar") && said.contains("raderas efter 30 dagar"),
        "{said}"
    );
    // Not revived by opening a page, not listed on My Page.
    assert_eq!(app.get(&page(&reference, "passport")).await.status(), 410);
    let my_page = app.get_html("/account").await;
    assert!(select_text(&my_page, "table.drafts td").is_empty());
    assert_eq!(
        kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
            .await
            .unwrap(),
        1,
        "nothing moved its deletion time"
    );
}

#[tokio::test]
async fn saving_moves_the_deletion_date() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    app.clock.advance(10 * DAY);
    app.login("a@example.se", PASSWORD).await;
    assert_redirect(
        &post_page(&app, &reference, "applicant", APPLICANT, "next").await,
        &page(&reference, "passport"),
    );
    app.clock.set(START + 14 * DAY + 1);
    assert_eq!(
        kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_deletion_reminder_goes_out_once_three_days_before() {
    let app = logged_in().await;
    start(&app, "work-permit").await;
    let remind = |app: &TestApp| {
        let (delivery, pool, forms, base, now) = (
            app.state.delivery.clone(),
            app.state.pool.clone(),
            app.state.forms.clone(),
            app.address.clone(),
            app.clock.now(),
        );
        async move {
            kansli::jobs::remind_drafts(&delivery, &pool, &forms, &base, now)
                .await
                .unwrap()
        }
    };
    app.clock.set(START + 27 * DAY - 1);
    assert_eq!(remind(&app).await, 0);
    app.clock.set(START + 27 * DAY);
    assert_eq!(remind(&app).await, 1);
    assert_eq!(remind(&app).await, 0, "once");
    let mail = app.messages_to("a@example.se").await.remove(0);
    assert_eq!(mail.subject, "Din ofärdiga ansökan raderas snart");
    assert!(mail.text.contains("Arbetstillstånd"));
}

#[tokio::test]
async fn a_relative_application_needs_the_matching_kind_of_permit() {
    let app = logged_in().await;
    let reference = past_the_passport(&app, "relative-of-student", "relative").await;
    let relative = |pin: &'static str| {
        [
            ("relative_name", "Li Wei"),
            ("relative_pin", pin),
            ("relationship", "spouse"),
        ]
    };
    // Someone with a work permit and nobody with a permit get the same neutral
    // message: an applicant must not learn who holds which permit.
    let neutral = "Personnumret kan inte användas för den här ansökan. Kontrollera numret och att du har startat rätt ansökan.";
    for pin in ["19811218-9876", "19000101-0008"] {
        let res = post_page(&app, &reference, "relative", &relative(pin), "next").await;
        assert_eq!(res.status(), 422);
        let error = first_text(&html_of(res).await, "#relative_pin-error");
        assert!(error.contains(neutral), "{pin}: {error}");
    }
    app.get("/lang/en?back=/").await;
    let neutral = "This personal identity number cannot be used for this application. Check the number and that you started the right application.";
    for pin in ["19811218-9876", "19000101-0008"] {
        let res = post_page(&app, &reference, "relative", &relative(pin), "next").await;
        let error = first_text(&html_of(res).await, "#relative_pin-error");
        assert!(error.contains(neutral), "{pin}: {error}");
    }
    // A student: accepted.
    let res = post_page(
        &app,
        &reference,
        "relative",
        &relative("920730-4560"),
        "next",
    )
    .await;
    assert_redirect(&res, &page(&reference, "household"));
}

mod uploads {
    use super::*;
    use kansli::domain::documents::samples;
    use reqwest::multipart::{Form, Part};

    async fn at_passport_page() -> (TestApp, String) {
        let app = logged_in().await;
        let reference = start(&app, "visit-visa").await;
        assert_redirect(
            &post_page(&app, &reference, "applicant", APPLICANT, "next").await,
            &page(&reference, "passport"),
        );
        (app, reference)
    }

    #[tokio::test]
    async fn an_upload_from_an_older_copy_without_a_file_is_refused_as_old() {
        let (app, reference) = at_passport_page().await;
        let old = app.get_html(&page(&reference, "passport")).await;
        post_page(
            &app,
            &reference,
            "passport",
            &[("passport_number", "AB1234567")],
            "save",
        )
        .await;
        // The older copy's Upload, with no file chosen.
        let res = upload_from(
            &app,
            &old,
            &reference,
            &[("passport_number", "XY0000000")],
            "",
            Vec::new(),
        )
        .await;
        assert_eq!(
            res.status(),
            409,
            "the older copy, not just the missing file"
        );
        let shown = html_of(res).await;
        assert!(first_text(&shown, ".notice-warning").contains("ändrats"));
        assert!(select_text(&shown, ".hint")
            .concat()
            .contains("Sparat nu: AB1234567"));
    }

    #[tokio::test]
    async fn a_photo_uploaded_to_a_complete_page_keeps_it_complete() {
        let (app, reference) = complete_in(logged_in().await).await;
        let res = upload(&app, &reference, PASSPORT, "new.jpg", samples::jpeg(40, 30)).await;
        assert_redirect(&res, &page(&reference, "passport"));
        // The review (and approval) can still be reached.
        assert_eq!(
            app.get(&format!("/applications/{reference}/review"))
                .await
                .status(),
            200
        );
    }

    #[tokio::test]
    async fn an_upload_names_a_typed_answer_it_could_not_keep() {
        let (app, reference) = at_passport_page().await;
        let res = upload(
            &app,
            &reference,
            &[
                ("passport_number", "AB1234567"),
                ("passport_expiry", "31/12/2030"),
            ],
            "pass.jpg",
            samples::jpeg(40, 30),
        )
        .await;
        assert_eq!(res.status(), 422, "not a silent redirect");
        let shown = html_of(res).await;
        assert!(first_text(&shown, ".notice-warning").contains("Passet gäller till och med"));
        assert_eq!(
            value_of(&shown, "#passport_expiry").as_deref(),
            Some("31/12/2030")
        );
        assert_eq!(
            select_text(&shown, "figure.document").len(),
            1,
            "the photo is kept"
        );
        let html = app.get_html(&page(&reference, "passport")).await;
        assert_eq!(
            value_of(&html, "#passport_number").as_deref(),
            Some("AB1234567")
        );
    }

    #[tokio::test]
    async fn an_uploaded_photo_comes_back_to_its_owner_without_exif_and_typed_answers_are_kept() {
        let (app, reference) = at_passport_page().await;
        let photo = samples::jpeg_with_exif(60, 40, 1);
        assert!(photo.windows(4).any(|w| w == b"Exif"));
        let res = upload(
            &app,
            &reference,
            &[("passport_number", "AB1234567")],
            "IMG_0042.jpg",
            photo,
        )
        .await;
        assert_redirect(&res, &page(&reference, "passport"));
        let html = app.get_html(&page(&reference, "passport")).await;
        assert_eq!(first_text(&html, "figure.document a"), "IMG_0042.jpg");
        assert_eq!(
            value_of(&html, "#passport_number").as_deref(),
            Some("AB1234567"),
            "typed answer kept"
        );
        let sel = Selector::parse("figure.document a").unwrap();
        let href = html
            .select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("href")
            .unwrap()
            .to_string();
        let res = app.get(&href).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            res.headers()["content-disposition"],
            "inline; filename=\"IMG_0042.jpg\""
        );
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]));
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "EXIF (and its GPS) removed"
        );
        let thumb = href.replace("/file", "/thumbnail");
        assert_eq!(app.get(&thumb).await.status(), 200);

        // Nobody else can fetch it.
        let other = app.new_browser();
        other.create_account("b@example.se").await;
        assert_eq!(other.get(&href).await.status(), 404);
        assert_eq!(other.get(&thumb).await.status(), 404);

        // With the photo in place, the page can be completed.
        let res = post_page(&app, &reference, "passport", PASSPORT, "next").await;
        assert_redirect(&res, &page(&reference, "travel"));
    }

    #[tokio::test]
    async fn bad_files_are_refused_each_with_its_own_message_and_the_server_stays_up() {
        let (app, reference) = at_passport_page().await;
        let jpeg = samples::jpeg(64, 64);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "huge.png",
                samples::png_claiming(100_000, 100_000),
                "för stort",
            ),
            (
                "passport.jpg",
                b"%PDF-1.7\n1 0 obj <<>> endobj\n".to_vec(),
                "inte ett foto i JPEG",
            ),
            ("cut.jpg", jpeg[..jpeg.len() / 2].to_vec(), "skadad"),
            ("empty.jpg", Vec::new(), "Välj ett foto"),
        ];
        for (name, bytes, message) in cases {
            let res = upload(
                &app,
                &reference,
                &[("passport_number", "AB1234567")],
                name,
                bytes,
            )
            .await;
            assert_eq!(res.status(), 422, "{name}");
            let html = html_of(res).await;
            let error = first_text(&html, "#passport_photo_page-error");
            assert!(error.contains(message), "{name}: {error}");
            assert_eq!(
                value_of(&html, "#passport_number").as_deref(),
                Some("AB1234567"),
                "{name}: typed value shown"
            );
        }
        assert_eq!(app.get("/").await.status(), 200);
    }

    #[tokio::test]
    async fn uploads_past_the_per_account_rate_get_429_until_the_window_ends() {
        let (app, reference) = at_passport_page().await;
        let (limit, window) = kansli::domain::rules::ACCOUNT_LIMIT_UPLOADS;
        let photo = || samples::jpeg(40, 30);
        for _ in 0..limit {
            let res = upload(&app, &reference, &[], "p.jpg", photo()).await;
            assert_redirect(&res, &page(&reference, "passport"));
        }
        app.clock.advance(window - 5 * MINUTE);
        let res = upload(&app, &reference, &[], "p.jpg", photo()).await;
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], (5 * MINUTE).to_string());
        let html = html_of(res).await;
        assert_eq!(first_text(&html, "h1"), "För många uppladdningar");
        assert!(first_text(&html, "main p").contains("Vänta 5 minuter "));
        app.get("/lang/en?back=/").await;
        let html = html_of(upload(&app, &reference, &[], "p.jpg", photo()).await).await;
        assert_eq!(first_text(&html, "h1"), "Too many uploads");
        assert!(first_text(&html, "main p").contains("Wait 5 minutes,"));

        // Counted per account, not per address.
        let other = app.new_browser();
        other.create_account("b@example.se").await;
        let theirs = start(&other, "visit-visa").await;
        post_page(&other, &theirs, "applicant", APPLICANT, "next").await;
        let res = upload(&other, &theirs, &[], "p.jpg", photo()).await;
        assert_redirect(&res, &page(&theirs, "passport"));

        app.clock.advance(5 * MINUTE);
        let res = upload(&app, &reference, &[], "p.jpg", photo()).await;
        assert_redirect(&res, &page(&reference, "passport"));
    }

    #[tokio::test]
    async fn a_file_over_ten_megabytes_is_refused() {
        let (app, reference) = at_passport_page().await;
        let mut big = samples::jpeg(16, 16);
        big.resize(10 * 1024 * 1024 + 1, 0);
        let res = upload(&app, &reference, &[], "big.jpg", big).await;
        assert_eq!(res.status(), 422);
        assert!(first_text(&html_of(res).await, "#passport_photo_page-error").contains("10 MB"));
    }

    #[tokio::test]
    async fn a_too_large_photo_is_refused_at_its_field_by_its_question() {
        let (app, reference) = at_passport_page().await;
        let html = app.get_html(&page(&reference, "passport")).await;
        let path = page(&reference, "passport");
        let mut big = samples::jpeg(16, 16);
        big.resize(10 * 1024 * 1024 + 1, 0);
        // In the page's order, as a browser sends it: the file before the button.
        let form = Form::new()
            .text("csrf", form_value(&html, &path, "csrf"))
            .text("revision", form_value(&html, &path, "revision"))
            .part("passport_photo_page", Part::bytes(big).file_name("big.jpg"))
            .text("upload", "passport_photo_page");
        let res = post_upload(&app, &reference, form).await;
        assert_eq!(res.status(), 422);
        let html = html_of(res).await;
        let error = first_text(&html, "#passport_photo_page-error");
        assert!(
            error.starts_with("Foto av passets sida med ditt foto: "),
            "{error}"
        );
        assert!(error.contains("10 MB"), "{error}");
        assert_eq!(
            first_text(&html, ".error-summary a[href='#passport_photo_page']"),
            error
        );
    }

    /// Presses the Remove button beside the photo on `html`, a copy of the passport page.
    async fn remove_from(
        app: &TestApp,
        html: &scraper::Html,
        reference: &str,
    ) -> reqwest::Response {
        let path = page(reference, "passport");
        let sel = Selector::parse("button[name=remove]").unwrap();
        let button = html.select(&sel).next().expect("a remove button");
        let action = button.value().attr("formaction").unwrap().to_string();
        app.post_raw(
            &action,
            &[
                ("csrf", &form_value(html, &path, "csrf")),
                ("revision", &form_value(html, &path, "revision")),
                ("remove", button.value().attr("value").unwrap()),
            ],
            reqwest::header::HeaderMap::new(),
        )
        .await
    }

    /// The uploaded photo's address on the passport page, if there is one.
    async fn shown_photo(app: &TestApp, reference: &str) -> Option<String> {
        let html = app.get_html(&page(reference, "passport")).await;
        let sel = Selector::parse("figure.document a").unwrap();
        let link = html.select(&sel).next()?;
        link.value().attr("href").map(str::to_string)
    }

    #[tokio::test]
    async fn a_photo_can_be_removed_before_approval_but_not_from_an_older_copy() {
        let (app, reference) = at_passport_page().await;
        let passport = page(&reference, "passport");
        upload(&app, &reference, &[], "a.jpg", samples::jpeg(8, 8)).await;
        let old = app.get_html(&passport).await;
        assert_eq!(first_text(&old, "button[name=remove]"), "Ta bort");
        app.get("/lang/en?back=/").await;
        let html = app.get_html(&passport).await;
        assert_eq!(first_text(&html, "button[name=remove]"), "Remove");
        // A newer photo replaces it: the older copy's Remove removes nothing.
        upload(&app, &reference, &[], "b.jpg", samples::jpeg(8, 8)).await;
        let file = shown_photo(&app, &reference).await.unwrap();
        remove_from(&app, &old, &reference).await;
        assert_eq!(app.get(&file).await.status(), 200);
        // From the current page: the photo and the answer go.
        let html = app.get_html(&passport).await;
        assert_redirect(&remove_from(&app, &html, &reference).await, &passport);
        assert_eq!(shown_photo(&app, &reference).await, None);
        assert_eq!(app.get(&file).await.status(), 404);
        let html = app.get_html(&passport).await;
        assert!(select_text(&html, "button[name=remove]").is_empty());
    }

    #[tokio::test]
    async fn an_approved_applications_photo_cannot_be_removed() {
        let (app, reference) = complete().await;
        let html = app.get_html(&page(&reference, "passport")).await;
        let file = shown_photo(&app, &reference).await.unwrap();
        assert_eq!(approve(&app, &reference, true).await.status(), 303);
        remove_from(&app, &html, &reference).await;
        assert_eq!(app.get(&file).await.status(), 200);
    }

    #[tokio::test]
    async fn an_upload_without_the_csrf_token_is_refused() {
        let (app, reference) = at_passport_page().await;
        let form = Form::new().text("upload", "passport_photo_page").part(
            "passport_photo_page",
            Part::bytes(samples::jpeg(8, 8)).file_name("a.jpg"),
        );
        let res = post_upload(&app, &reference, form).await;
        assert_eq!(res.status(), 403);
    }

    /// Posts `form` to the passport page's upload address as it is, parts in its order.
    async fn post_upload(app: &TestApp, reference: &str, form: Form) -> reqwest::Response {
        app.client
            .post(app.url(&format!("{}/upload", page(reference, "passport"))))
            .header("Origin", &app.address)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

mod review {
    use super::*;
    use kansli::domain::documents::samples;

    #[tokio::test]
    async fn the_review_shows_every_answer_by_page_with_change_links_and_cannot_be_reached_early() {
        let app = logged_in().await;
        let early = start(&app, "visit-visa").await;
        assert_redirect(&app.get(&review(&early)).await, &page(&early, "applicant"));

        let (app, reference) = complete().await;
        let html = app.get_html(&review(&reference)).await;
        let headings = select_text(&html, ".review-page h2");
        assert_eq!(headings, vec!["Om dig", "Pass", "Resan", "Vistelsen"]);
        let answers = select_text(&html, ".review-page dd").join(" | ");
        for shown in [
            "Öberg",
            "Ukraina",
            "Besöka familj eller vänner",
            "Nej",
            "AB1234567",
            "pass.jpg",
        ] {
            assert!(answers.contains(shown), "{shown} in {answers}");
        }
        assert!(
            !answers.contains("last_visit"),
            "hidden questions are not listed"
        );
        assert_eq!(
            select_text(&html, ".review-heading a").len(),
            4,
            "a Change link per page"
        );
        assert_eq!(first_text(&html, ".reference"), reference);
        assert!(!select_text(&html, "#print-button").is_empty());
        assert!(
            !select_text(&html, ".review-page img").is_empty(),
            "document thumbnails"
        );
    }

    #[tokio::test]
    async fn the_printed_draft_says_it_is_not_submitted_shows_the_fee_and_how_to_print() {
        let (app, reference) = complete().await;
        let html = app.get_html(&review(&reference)).await;
        assert_eq!(first_text(&html, "h1"), "Kontrollera din ansökan");
        let facts = select_text(&html, ".print-facts dd").join(" | ");
        assert!(facts.contains("Utkast – inte inskickad"), "{facts}");
        assert!(facts.contains("1\u{a0}000 kr"), "{facts}");
        // Without scripts the Print button stays hidden: the page says how to print.
        assert!(first_text(&html, "#print-hint").contains("Ctrl+P"));
    }

    #[tokio::test]
    async fn an_approved_application_is_not_headed_check_and_asks_for_the_fee() {
        let (app, reference) = complete().await;
        assert_eq!(approve(&app, &reference, true).await.status(), 303);
        let html = app.get_html(&review(&reference)).await;
        assert_eq!(first_text(&html, "h1"), "Din godkända ansökan");
        let pay = format!(".notice a[href='/applications/{reference}/approved']");
        assert_eq!(first_text(&html, &pay), "Betala avgiften");
        assert!(first_text(&html, ".notice").contains("1\u{a0}000 kr"));
        let facts = select_text(&html, ".print-facts dd").join(" | ");
        assert!(!facts.contains("Utkast"), "{facts}");
    }

    #[tokio::test]
    async fn phone_numbers_and_salaries_read_as_people_write_them() {
        let app = logged_in().await;
        let more = [("phone", "+46701234567"), ("monthly_salary_sek", "35000")];
        let reference = approved_with(&app, "a@example.se", "work-permit", &more).await;
        let html = app.get_html(&review(&reference)).await;
        assert_eq!(fact(&html, "Telefonnummer"), "+46 70 123 45 67");
        assert_eq!(fact(&html, "Månadslön före skatt"), "35\u{a0}000 kr");
        app.get("/lang/en?back=/").await;
        let html = app.get_html(&review(&reference)).await;
        assert_eq!(fact(&html, "Monthly salary before tax"), "SEK 35,000");
    }

    #[tokio::test]
    async fn approving_needs_the_confirmation_and_then_locks_everything() {
        let (app, reference) = complete().await;
        let res = approve(&app, &reference, false).await;
        assert_eq!(res.status(), 422);
        assert!(first_text(&html_of(res).await, "#confirm-error").contains("Kryssa i rutan"));

        // Keep a copy of a page from before approval, to try to send later.
        let path = page(&reference, "stay");
        let old = app.get_html(&path).await;
        let res = approve(&app, &reference, true).await;
        assert_redirect(&res, &format!("/applications/{reference}/approved"));
        let html = app
            .get_html(&format!("/applications/{reference}/approved"))
            .await;
        assert_eq!(first_text(&html, "h1"), "Betala ansökningsavgiften");
        assert!(first_text(&html, "main").contains("Du har godkänt ansökan"));

        let locked = format!("{}?locked=1", review(&reference));
        assert_redirect(&app.get(&path).await, &locked);
        let res = post_seen(
            &app,
            &old,
            &path,
            &[("accommodation", "Somewhere else")],
            "next",
        )
        .await;
        assert!(res.status().is_redirection());
        let html = app.get_html(&locked).await;
        assert!(first_text(&html, ".notice-warning").contains("skicka fler handlingar med post"));
        assert!(
            select_text(&html, ".review-page dd")
                .join(" ")
                .contains("Storgatan 1, Malmö"),
            "unchanged"
        );
        assert!(select_text(&html, "form[action$='/approve']").is_empty());
        assert_eq!(approve_status(&app, &reference).await, 303);

        // An approved application waits 30 days for its fee, past the draft
        // lifetime, then goes like an unfinished one.
        let approved_at = app.clock.now();
        app.clock.set(approved_at + 30 * DAY - 1);
        assert_eq!(
            kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
                .await
                .unwrap(),
            0
        );
        app.clock.set(approved_at + 30 * DAY);
        assert_eq!(
            kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
                .await
                .unwrap(),
            1
        );
    }

    async fn approve_status(app: &TestApp, reference: &str) -> u16 {
        let token = app.csrf("/account", "/logout").await;
        app.post_raw(
            &format!("/applications/{reference}/approve"),
            &[("csrf", &token), ("revision", "99"), ("confirm", "yes")],
            Default::default(),
        )
        .await
        .status()
        .as_u16()
    }

    #[tokio::test]
    async fn an_upload_to_an_approved_application_is_refused() {
        let (app, reference) = complete().await;
        let html = app.get_html(&page(&reference, "passport")).await;
        approve(&app, &reference, true).await;
        let res = upload_from(
            &app,
            &html,
            &reference,
            &[],
            "new.jpg",
            samples::jpeg(40, 30),
        )
        .await;
        assert_redirect(&res, &format!("{}?locked=1", review(&reference)));
        let html = app.get_html(&review(&reference)).await;
        assert!(select_text(&html, ".review-page dd")
            .join(" ")
            .contains("pass.jpg"));
    }
}

#[tokio::test]
async fn a_multipart_post_with_too_many_parts_is_refused() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let mut form = reqwest::multipart::Form::new();
    for i in 0..150 {
        form = form.text(format!("f{i}"), "");
    }
    let url = app.url(&format!("{}/upload", page(&reference, "applicant")));
    let res = app
        .client
        .post(url)
        .header("Origin", &app.address)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.get("/").await.status(), 200);
}

#[tokio::test]
async fn the_emailed_link_leads_back_to_the_draft_after_logging_in_with_two_step() {
    let app = logged_in().await;
    app.enable_two_step("0701234567").await;
    let reference = start(&app, "visit-visa").await;
    app.logout().await;
    let link = format!("/applications/{reference}");
    let res = app.get(&link).await;
    let to_login = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to_login, format!("/login?next=/applications/{reference}"));
    let res = app
        .submit(
            &to_login,
            "/login",
            &[
                ("email", "a@example.se"),
                ("password", PASSWORD),
                ("next", &link),
            ],
        )
        .await;
    let to_sms = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to_sms, format!("/login/sms?next=/applications/{reference}"));
    let code = app.code_for("+46701234567").await;
    let res = app
        .submit(&to_sms, "/login/sms", &[("code", &code), ("next", &link)])
        .await;
    assert_redirect(&res, &link);
    assert_redirect(&app.get(&link).await, &page(&reference, "applicant"));
}

#[tokio::test]
async fn after_login_next_never_leaves_the_site() {
    let app = logged_in().await;
    app.logout().await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let res = app
            .submit(
                "/login",
                "/login",
                &[
                    ("email", "a@example.se"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_redirect(&res, "/account");
        app.logout().await;
    }
}

#[tokio::test]
async fn every_country_can_be_chosen_not_only_the_common_ones() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let html = app.get_html(&page(&reference, "applicant")).await;
    assert!(select_text(&html, "#citizenship option").len() > 240);
    let mut applicant = APPLICANT.to_vec();
    applicant[3] = ("citizenship", "MA");
    assert_redirect(
        &post_page(&app, &reference, "applicant", &applicant, "next").await,
        &page(&reference, "passport"),
    );
    let html = app.get_html(&page(&reference, "applicant")).await;
    assert_eq!(
        first_text(&html, "#citizenship option[selected]"),
        "Marocko"
    );
}

#[tokio::test]
async fn a_birth_date_before_1900_is_refused_with_a_clear_message() {
    let app = logged_in().await;
    let reference = start(&app, "work-permit").await;
    let errors = |page_id: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let (app, reference) = (&app, &reference);
        async move {
            let res = post_page(app, reference, page_id, &fields, "next").await;
            let html = scraper::Html::parse_document(&res.text().await.unwrap());
            select_text(&html, "#date_of_birth-error")
        }
    };
    let said = errors("applicant", vec![("date_of_birth", "1899-12-31")]).await;
    assert!(
        said.iter()
            .any(|e| e == "Födelsedatum: Datumet kan inte vara före 1900"),
        "{said:?}"
    );
    let said = errors("applicant", vec![("date_of_birth", "1900-01-01")]).await;
    assert!(
        !said.iter().any(|e| e.starts_with("Födelsedatum")),
        "{said:?}"
    );
}

#[tokio::test]
async fn an_idle_logout_on_a_page_says_so_and_login_returns_to_the_page() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let applicant = page(&reference, "applicant");
    let open_tab = app.get_html(&applicant).await;
    app.clock.advance(31 * MINUTE);

    // Sending the page: not "sent from another site", but the login, with a reason.
    let res = post_seen(&app, &open_tab, &applicant, APPLICANT, "next").await;
    let to = location(&app, &res);
    assert!(to.starts_with("/login?ended=1&next="), "{to}");
    let login = app.get_html(&to).await;
    assert!(
        first_text(&login, ".notice-warning").contains("efter 30 minuter utan aktivitet"),
        "{}",
        first_text(&login, "main")
    );
    // After logging in again, the person is back on the page they were on.
    let next = value_of(&login, "input[name=next]").expect("next is carried");
    assert_eq!(next, applicant);
    let res = app
        .submit(
            &to,
            "/login",
            &[
                ("email", "a@example.se"),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_redirect(&res, &applicant);

    // Opening a page after the idle limit keeps it too.
    app.clock.advance(31 * MINUTE);
    let to = location(&app, &app.get(&page(&reference, "passport")).await);
    assert!(to.starts_with("/login?ended=1&next="), "{to}");
}

#[tokio::test]
async fn staying_logged_in_on_a_page_gives_the_page_its_30_minutes_again() {
    let app = logged_in().await;
    let reference = start(&app, "visit-visa").await;
    let applicant = page(&reference, "applicant");
    let open_tab = app.get_html(&applicant).await;
    app.clock.advance(28 * MINUTE);
    let ping = format!("/session/ping?page={applicant}");
    assert_eq!(app.get(&ping).await.status(), 204);
    app.clock.advance(10 * MINUTE);
    let res = post_seen(&app, &open_tab, &applicant, APPLICANT, "next").await;
    assert_redirect(&res, &page(&reference, "passport"));

    // Once the session has ended, the warning's button is told so.
    assert_eq!(app.new_browser().get("/session/ping").await.status(), 401);
    app.clock.advance(31 * MINUTE);
    assert_eq!(app.get(&ping).await.status(), 401);
}
