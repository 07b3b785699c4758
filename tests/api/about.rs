//! What a public e-service must tell everyone: contact details, the
//! accessibility statement, the privacy notice, the terms and the cookies.
use crate::helpers::*;
use scraper::Selector;

const FOOTER: [&str; 7] = [
    "/help/login",
    "/help/support",
    "/contact",
    "/accessibility",
    "/privacy",
    "/terms",
    "/cookies",
];

#[tokio::test]
async fn every_page_links_the_contact_and_legal_pages_in_both_languages() {
    let app = spawn_app().await;
    for lang in ["sv", "en"] {
        app.get(&format!("/lang/{lang}")).await;
        let html = app.get_html("/").await;
        let links: Vec<String> = html
            .select(&Selector::parse("footer nav a").unwrap())
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect();
        assert_eq!(links, FOOTER, "{lang}");
        for path in FOOTER {
            let res = app.get(path).await;
            assert_eq!(res.status(), 200, "{path} ({lang})");
            let page = html_of(res).await;
            assert!(!first_text(&page, "h1").is_empty(), "{path}");
            let text = select_text(&page, "main").concat();
            assert!(
                !text.contains('{'),
                "{path} ({lang}) has a placeholder left: {text}"
            );
        }
    }
}

#[tokio::test]
async fn the_contact_page_gives_the_phone_with_its_hours_the_email_and_the_address() {
    let app = spawn_app().await;
    let html = app.get_html("/contact").await;
    assert_eq!(first_text(&html, "h1"), "Kontakta oss");
    let text = select_text(&html, "main").concat();
    for expected in [
        "+46 771-00 00 00 (vardagar 09.00–15.00; tryck 1 och sedan 7)",
        "support@example.se",
        "Exempelmyndigheten, Box 0000, 000 00 Exempelstad",
        "555555-5555",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    let tel = Selector::parse("a[href='tel:+46771000000']").unwrap();
    assert_eq!(html.select(&tel).count(), 1);
    let mail = Selector::parse("a[href='mailto:support@example.se']").unwrap();
    assert_eq!(html.select(&mail).count(), 1);
}

#[tokio::test]
async fn the_privacy_notice_states_the_retention_kansli_enforces() {
    let app = spawn_app_with(|s| {
        s.outbox_retention_days = 45;
        s.audit_retention_days = 400;
    })
    .await;
    app.get("/lang/en").await;
    let html = app.get_html("/privacy").await;
    let items = select_text(&html, "main li");
    let has = |t: &str| items.iter().any(|i| i.contains(t));
    assert!(
        has("An unfinished application (Visa for visits) is deleted 14 days after"),
        "{items:#?}"
    );
    assert!(
        has("An unfinished application (Work permit) is deleted 30 days after"),
        "{items:#?}"
    );
    assert!(has(
        "An approved application that is not paid for is deleted after 30 days."
    ));
    assert!(has("An account never confirmed is deleted after 7 days."));
    assert!(has(
        "Copies of emails and text messages are deleted after 45 days."
    ));
    assert!(has("The security log is deleted after 400 days."));
}

#[tokio::test]
async fn the_cookie_page_names_each_cookie_the_portal_sets() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    let html = app.get_html("/cookies").await;
    let names = select_text(&html, "table.cookies tbody th");
    assert_eq!(
        names,
        ["kansli_session", "kansli_csrf", "kansli_lang", "kansli_eid"]
    );
}

/// The real binary with an organisation's own details: every page and message
/// that sends people to support carries them.
#[tokio::test]
async fn an_organisations_own_contact_details_appear_wherever_support_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let served = Running::start(
        dir.path(),
        &[
            ("KANSLI_CONTACT_ORGANISATION_NAME", "Kommunen"),
            ("KANSLI_CONTACT_PHONE", "010-123 45 67"),
            ("KANSLI_CONTACT_PHONE_HOURS", "08:00-16:30"),
            ("KANSLI_CONTACT_PHONE_MENU", ""),
            ("KANSLI_CONTACT_EMAIL", "e-tjanster@kommunen.example"),
            ("KANSLI_CONTACT_POSTAL_ADDRESS", "Kommunen, 123 45 Staden"),
        ],
    );
    let client = reqwest::Client::new();
    let text = |path: &'static str| {
        let (client, url) = (client.clone(), served.url(path));
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let support = text("/help/support").await;
    assert!(
        support.contains("Ring 010-123 45 67 (vardagar 08.00–16.30)."),
        "{support}"
    );
    assert!(support.contains("e-tjanster@kommunen.example"));
    assert!(support.contains("Kommunen, 123 45 Staden"));
    assert!(!support.contains("example.se"), "no example details left");
    let username = text("/username/forgot").await;
    assert!(username.contains("010-123 45 67"), "{username}");
    let contact = text("/contact").await;
    assert!(contact.contains("Kommunen"));
}

#[tokio::test]
async fn a_form_sent_without_cookies_says_cookies_are_needed() {
    let app = spawn_app().await;
    // A browser that blocks cookies: the form's token cannot match anything.
    let html = app.get_html("/login").await;
    let csrf = form_value(&html, "/login", "csrf");
    let cookieless = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = cookieless
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "a@example.se"),
            ("password", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let page = html_of(res).await;
    let text = select_text(&page, "main").concat();
    assert!(text.contains("kakor"), "{text}");
    assert!(!text.contains("annan webbplats"), "{text}");
    // With cookies, a wrong token is still the other refusal.
    let res = app
        .post_raw(
            "/login",
            &[("csrf", "forged"), ("email", "a@example.se")],
            Default::default(),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(select_text(&html_of(res).await, "main")
        .concat()
        .contains("annan webbplats"));
}

#[tokio::test]
async fn the_support_page_answers_the_reference_pages_questions_and_leads_to_the_questionnaire() {
    let app = spawn_app().await;
    app.get("/lang/en").await;
    let html = app.get_html("/help/support").await;
    let questions = select_text(&html, "main h3");
    for asked in [
        "Why haven't I received an email from you?",
        "How do I know you have received my application?",
        "I need to answer a questionnaire but have not received the email with the link",
        "Can I add to my application in the e-service?",
        "Why does the application say my personal identity number is incorrect?",
        "Why can't I pay with my bank card?",
    ] {
        assert!(
            questions.iter().any(|q| q == asked),
            "{asked} missing: {questions:#?}"
        );
    }
    let text = select_text(&html, "main").concat();
    for detail in [
        "xxxxxxxx-xx",
        "register again",
        "Turkey and the Philippines",
        "MIGR",
        "+46 771-00 00 00 (weekdays 09:00–15:00; press 1, then 7)",
        "Exempelstad",
        "3-D Secure",
    ] {
        assert!(text.contains(detail), "{detail} missing");
    }
    let to_questionnaire = Selector::parse("main a[href='/questionnaire']").unwrap();
    assert_eq!(html.select(&to_questionnaire).count(), 1);
    let terms = Selector::parse("main a[href='/terms']").unwrap();
    assert_eq!(html.select(&terms).count(), 1);
    let home = app.get_html("/").await;
    assert_eq!(
        home.select(&to_questionnaire).count(),
        1,
        "the start page leads there too"
    );
    assert!(select_text(&home, ".card h2")
        .contains(&"Questionnaire for the person in Sweden".to_string()));
}

#[tokio::test]
async fn before_starting_each_type_names_the_documents_to_have_at_hand() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.get("/lang/en").await;
    let html = app.get_html("/applications/new").await;
    let studies = html
        .select(&Selector::parse(".card").unwrap())
        .find(|c| {
            c.text()
                .collect::<String>()
                .contains("Residence permit for studies")
        })
        .expect("the studies card")
        .text()
        .collect::<String>();
    for document in [
        "Photo of the passport page",
        "Notification of admission",
        "Proof of the money",
    ] {
        assert!(studies.contains(document), "{document} missing: {studies}");
    }
    assert!(studies.contains("Have at hand"), "{studies}");
    // The start page names e-identification and the types of application.
    let home = select_text(&app.get_html("/").await, "main").concat();
    assert!(home.contains("BankID"), "{home}");
    assert!(
        home.contains("Work permit") && home.contains("Citizenship"),
        "{home}"
    );
}
