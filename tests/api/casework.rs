//! The agency's side of a case: roles, the status machine through the caseworker
//! pages, the support desk, and the questionnaire for the person in Sweden.
use crate::helpers::*;
use kansli::domain::rules::DAY;
use kansli::domain::staff::Role;

#[tokio::test]
async fn each_role_reaches_exactly_its_own_pages() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "visit-visa").await;
    let support = staff(&app, "desk@agency.se", Role::Support).await;
    let caseworker = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let admin = staff(&app, "admin@agency.se", Role::Admin).await;
    let case_page = format!("/staff/cases/{number}");

    assert_eq!(support.get("/staff/support").await.status(), 200);
    assert_eq!(support.get("/staff/cases").await.status(), 403);
    assert_eq!(support.get(&case_page).await.status(), 403);
    assert_eq!(support.get("/staff/audit").await.status(), 403);
    assert_eq!(caseworker.get("/staff/cases").await.status(), 200);
    assert_eq!(caseworker.get(&case_page).await.status(), 200);
    assert_eq!(caseworker.get("/staff/support").await.status(), 403);
    assert_eq!(admin.get("/staff/support").await.status(), 403);
    assert_eq!(admin.get("/staff/cases").await.status(), 403);

    // A support account cannot change a status: the forms come from a caseworker's page.
    let support_csrf = form_value(&support.get_html("/staff").await, "/staff/logout", "csrf");
    let res = support
        .post_raw(
            &format!("{case_page}/status"),
            &[("csrf", &support_csrf), ("to", "in_progress")],
            Default::default(),
        )
        .await;
    assert_eq!(res.status(), 403);
    // A caseworker cannot change a phone number.
    let cw_csrf = form_value(
        &caseworker.get_html("/staff").await,
        "/staff/logout",
        "csrf",
    );
    let res = caseworker
        .post_raw(
            "/staff/support/1/phone",
            &[
                ("csrf", &cw_csrf),
                ("phone", "+46701234599"),
                ("phone_verified", "yes"),
                ("phone_note", "asked"),
            ],
            Default::default(),
        )
        .await;
    assert_eq!(res.status(), 403);
    // An applicant has no staff session: every staff page sends them to the staff login.
    for path in [
        "/staff/support",
        "/staff/cases",
        case_page.as_str(),
        "/staff/audit",
    ] {
        assert_redirect(&app.get(path).await, "/staff/login");
    }
    let status: String = kansli::db::read(&app.state.pool, |c| {
        c.query_row("SELECT status FROM cases", [], |r| r.get(0))
    })
    .await
    .unwrap();
    assert_eq!(status, "received", "nothing was changed");
}

#[tokio::test]
async fn a_case_moves_only_along_the_machine_and_the_applicant_follows_it_on_my_page() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "visit-visa").await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;

    let list = cw.get_html("/staff/cases?status=received").await;
    assert_eq!(
        select_text(&list, "table.cases a.verification-number"),
        vec![number.clone()]
    );
    assert!(
        first_text(&list, "table.cases").contains("Ana Öberg <b>&\"'"),
        "escaped name"
    );
    let none = cw.get_html("/staff/cases?status=closed").await;
    assert!(select_text(&none, "table.cases").is_empty());
    let bad = cw.get("/staff/cases?from=21/11/2026").await;
    assert_eq!(bad.status(), 422);

    // Case news goes to the address the application gave.
    let before = app.messages_to("ana@example.com").await.len();
    // Forbidden steps change nothing.
    for (to, message) in [
        ("approved", ""),
        ("closed", ""),
        ("supplement_requested", "x"),
        ("lost", ""),
    ] {
        let res = change_status(&cw, &number, to, message).await;
        assert_eq!(res.status(), 422, "received → {to}");
        assert!(!first_text(&html_of(res).await, "#to-error").is_empty());
    }
    assert_redirect(
        &change_status(&cw, &number, "in_progress", "").await,
        &format!("/staff/cases/{number}?changed=1"),
    );
    // A supplement request needs its message.
    let res = change_status(&cw, &number, "supplement_requested", "   ").await;
    assert_eq!(res.status(), 422);
    assert!(!first_text(&html_of(res).await, "#message-error").is_empty());
    let message = "Send a copy of <your> passport & visa \"stamp\"";
    assert_eq!(
        change_status(&cw, &number, "supplement_requested", message)
            .await
            .status(),
        303
    );

    let case = app.get_html(&format!("/cases/{number}")).await;
    assert!(first_text(&case, ".status-tag").contains("Komplettering"));
    assert!(first_text(&case, ".notice-warning").contains(message));
    assert!(
        first_text(&case, ".notice-warning").contains("med post till"),
        "how to send more"
    );
    let next = first_text(&case, ".summary-list");
    assert!(
        next.contains("Läs vad handläggaren ber om") && !next.contains("brev"),
        "what to do next points at the message, not a letter: {next}"
    );
    let timeline = select_text(&case, "ol.timeline li");
    assert_eq!(timeline.len(), 3);
    assert!(timeline[2].contains(message));

    for to in ["in_progress", "rejected", "closed"] {
        assert_eq!(
            change_status(&cw, &number, to, "").await.status(),
            303,
            "→ {to}"
        );
    }
    for to in ["in_progress", "received", "approved"] {
        assert_eq!(
            change_status(&cw, &number, to, "").await.status(),
            422,
            "closed → {to}"
        );
    }
    let page = cw.get_html(&format!("/staff/cases/{number}")).await;
    assert!(
        select_text(&page, ".change-status").is_empty(),
        "a closed case has no next step"
    );
    assert_eq!(select_text(&page, "ol.timeline li").len(), 6);

    // One email per change, naming the case but not the note.
    let emails = app.messages_to("ana@example.com").await;
    assert_eq!(emails.len() - before, 5);
    let last = emails.first().unwrap(); // newest first
    assert!(last.text.contains("/account"));
    assert!(last.text.contains(&number), "the verification number");
    assert!(!last.text.contains("passport"), "not the note");
    let audit = audit_rows(&app, "case_status_changed").await;
    assert_eq!(audit.len(), 5);
    assert_eq!(audit[0].0, "cw@agency.se");
    assert_eq!(audit[0].1.as_deref(), Some(number.as_str()));
    assert_eq!(audit[4].2.as_deref(), Some("rejected -> closed"));
}

/// The support desk's page for the account found by `query`.
async fn find(desk: &TestApp, query: &str) -> scraper::Html {
    let q = serde_urlencoded::to_string([("q", query)]).unwrap();
    desk.get_html(&format!("/staff/support?{q}")).await
}

#[tokio::test]
async fn support_finds_an_account_and_changes_its_phone_only_for_a_verified_caller() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    app.enable_two_step("+46701234567").await;
    let number = submitted(&app, "ana@example.se", "visit-visa").await;
    let other = app.new_browser();
    other.create_account("bo@example.se").await;
    other.enable_two_step("+46709999999").await;
    let desk = staff(&app, "desk@agency.se", Role::Support).await;

    // The address the caller states is shown; found another way, it is masked,
    // so support confirms an address the caller says rather than reading one out.
    for (query, shown) in [
        ("ana@example.se", "ana@example.se"),
        ("+46 70 123 45 67", "a•••@e•••.se"),
        ("070-123 45 67", "a•••@e•••.se"),
        ("+46 070-123 45 67", "a•••@e•••.se"),
        (number.as_str(), "a•••@e•••.se"),
    ] {
        let page = find(&desk, query).await;
        assert_eq!(first_text(&page, ".account-email"), shown, "{query}");
        assert!(
            !first_text(&page, "main").contains("ana@example.se") || query.contains('@'),
            "{query}: the address appears nowhere on the page"
        );
    }
    let page = find(&desk, "ana@example.se").await;
    let phone = first_text(&page, ".phone");
    assert!(
        phone.ends_with("67") && !phone.contains("701234"),
        "masked: {phone}"
    );
    assert!(first_text(&page, ".cases").contains(&number));
    assert!(
        !first_text(&page, "main").contains("AB1234567"),
        "no answers"
    );
    assert!(!select_text(&find(&desk, "nobody@example.se").await, ".not-found").is_empty());

    let id = account_id(&app, "ana@example.se").await;
    let summary = format!("/staff/support/{id}");
    // The whole number only for a verified caller, and the reveal is recorded.
    let reveal = format!("{summary}/reveal");
    let res = desk
        .submit(&summary, &reveal, &[("reveal_note", "called")])
        .await;
    assert_eq!(res.status(), 422, "no verification tick");
    let page = html_of(res).await;
    assert!(!first_text(&page, "#reveal_verified-error").is_empty());
    assert!(!first_text(&page, ".phone").contains("701234"));
    let res = desk
        .submit(
            &summary,
            &reveal,
            &[
                ("reveal_verified", "yes"),
                ("reveal_note", "Asked for the case number"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        first_text(&html_of(res).await, ".phone"),
        "+46 70 123 45 67"
    );
    let revealed = audit_rows(&app, "support_phone_revealed").await;
    assert_eq!(revealed.len(), 1);
    assert_eq!(
        (
            revealed[0].0.as_str(),
            revealed[0].1.as_deref(),
            revealed[0].2.as_deref()
        ),
        (
            "desk@agency.se",
            Some("ana@example.se"),
            Some("Asked for the case number")
        )
    );
    assert!(
        !first_text(&desk.get_html(&summary).await, ".phone").contains("701234"),
        "masked again on the next page"
    );

    let action = format!("{summary}/phone");
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let (desk, summary, action) = (&desk, summary.clone(), action.clone());
        async move { desk.submit(&summary, &action, &fields).await }
    };
    let res = post(vec![("phone", "+46701112233"), ("phone_note", "called")]).await;
    assert_eq!(res.status(), 422, "no verification tick");
    assert!(!first_text(&html_of(res).await, "#phone_verified-error").is_empty());
    let res = post(vec![("phone", "+46701112233"), ("phone_verified", "yes")]).await;
    assert_eq!(res.status(), 422, "no note");
    let res = post(vec![
        ("phone", "+46709999999"),
        ("phone_verified", "yes"),
        ("phone_note", "called"),
    ])
    .await;
    assert_eq!(res.status(), 422, "another account's number");
    assert!(!first_text(&html_of(res).await, "#phone-error").is_empty());
    assert_eq!(
        app.get("/account").await.status(),
        200,
        "nothing changed yet"
    );

    let res = post(vec![
        ("phone", "+46701112233"),
        ("phone_verified", "yes"),
        ("phone_note", "Asked for date of birth <and> last case"),
    ])
    .await;
    // Nothing changes until the caller reads out the codes sent to the new phone
    // and to the account's email address.
    assert_redirect(&res, &format!("{summary}?pending=phone"));
    assert_eq!(app.get("/account").await.status(), 200, "not yet");
    let page = desk.get_html(&format!("{summary}?pending=phone")).await;
    assert_eq!(select_text(&page, "#phone_code").len(), 1);
    let confirm = format!("{summary}/phone/confirm");
    let sms = app.code_for("+46701112233").await;
    let mailed = app.code_for("ana@example.se").await;
    let res = desk
        .submit(
            &summary,
            &confirm,
            &[("phone_code", &sms), ("email_code", "000000")],
        )
        .await;
    assert_eq!(res.status(), 422, "the emailed code is wrong");
    assert_eq!(app.get("/account").await.status(), 200, "still not changed");
    let res = desk
        .submit(
            &summary,
            &confirm,
            &[("phone_code", &sms), ("email_code", &mailed)],
        )
        .await;
    assert_redirect(&res, &format!("{summary}?done=phone"));
    let old = app.messages_to("+46701234567").await;
    assert!(
        old.iter().any(|m| m.text.contains("inte längre")),
        "the old number is told"
    );
    assert!(
        app.messages_to("+46701112233").await[0]
            .text
            .contains("används nu"),
        "the new number is told"
    );
    let told = app.messages_to("ana@example.se").await;
    assert!(told
        .iter()
        .any(|m| m.subject.contains("Telefonnumret") && m.text.contains("33")));
    assert_redirect(&app.get("/account").await, "/login");
    let audit = audit_rows(&app, "support_phone_changed").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "desk@agency.se");
    assert_eq!(
        audit[0].2.as_deref(),
        Some("Asked for date of birth <and> last case")
    );
    // The next login's SMS goes to the new number.
    app.login("ana@example.se", PASSWORD).await;
    assert!(app.messages_to("+46701112233").await.len() >= 3);
}

#[tokio::test]
async fn closing_an_account_keeps_its_cases_for_caseworkers_and_deletes_its_drafts() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "visit-visa").await;
    let res = app
        .submit(
            "/applications/new",
            "/applications/new",
            &[("form", "work-permit")],
        )
        .await;
    assert_eq!(res.status(), 303, "an unfinished application");
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    let id = account_id(&app, "ana@example.se").await;
    let summary = format!("/staff/support/{id}");
    assert_eq!(
        select_text(&find(&desk, "ana@example.se").await, ".drafts li").len(),
        1
    );

    let res = desk
        .submit(
            &summary,
            &format!("{summary}/close"),
            &[("close_note", "asked")],
        )
        .await;
    assert_eq!(res.status(), 422, "no verification tick");
    let res = desk
        .submit(
            &summary,
            &format!("{summary}/close"),
            &[("close_verified", "yes"), ("close_note", "Asked by phone")],
        )
        .await;
    assert_eq!(res.status(), 200, "a second page asks to confirm");
    let confirm = html_of(res).await;
    let asked = select_text(&confirm, "main").concat();
    // The account as support's page shows it (the address masked, as ever unless
    // the caller stated it), and its cases by number.
    assert!(asked.contains("a•••@e•••.se"), "names the account: {asked}");
    assert_eq!(
        first_text(&confirm, ".to-keep .verification-number"),
        number
    );
    assert!(
        first_text(&confirm, ".to-delete").contains("1 påbörjad ansökan"),
        "says what will be deleted: {asked}"
    );
    assert!(first_text(&confirm, ".to-keep").contains("1 inskickad ansökan"));
    assert_eq!(
        select_text(&find(&desk, "ana@example.se").await, ".drafts li").len(),
        1,
        "nothing is closed before the second page is confirmed"
    );
    let action = format!("{summary}/close");
    let res = desk
        .post_raw(
            &action,
            &[
                ("csrf", &form_value(&confirm, &action, "csrf")),
                (
                    "close_verified",
                    &form_value(&confirm, &action, "close_verified"),
                ),
                ("close_note", &form_value(&confirm, &action, "close_note")),
                ("confirmed", &form_value(&confirm, &action, "confirmed")),
            ],
            Default::default(),
        )
        .await;
    assert_redirect(&res, "/staff/support?closed=1");

    let count = |sql: &'static str| {
        let pool = app.state.pool.clone();
        async move {
            kansli::db::read(&pool, move |c| c.query_row(sql, [], |r| r.get::<_, i64>(0)))
                .await
                .unwrap()
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM accounts WHERE email = 'ana@example.se'").await,
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM drafts WHERE submitted_at IS NULL").await,
        0,
        "drafts deleted"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM sessions WHERE account_id IS NOT NULL").await,
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM cases WHERE account_id IS NULL").await,
        1,
        "the case stays"
    );
    assert_eq!(count("SELECT COUNT(*) FROM documents").await, 0);
    assert!(app.messages_to("ana@example.se").await[0]
        .subject
        .contains("avslutats"));
    assert_redirect(&app.get("/account").await, "/login");
    assert!(select_text(&find(&desk, "ana@example.se").await, ".account-email").is_empty());

    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let page = cw.get_html(&format!("/staff/cases/{number}")).await;
    assert!(first_text(&page, "main").contains("Ana Öberg"));
    assert!(
        first_text(&page, "main").contains("AB1234567"),
        "the answers stay with the case"
    );
    assert_eq!(
        change_status(&cw, &number, "in_progress", "")
            .await
            .status(),
        303,
        "still worked on"
    );
    assert_eq!(audit_rows(&app, "support_account_closed").await.len(), 1);
}

#[tokio::test]
async fn support_corrects_a_mistyped_email_address_but_not_to_one_in_use() {
    let app = spawn_app().await;
    app.create_account("ana@exmaple.se").await;
    app.new_browser().create_account("bo@example.se").await;
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    let id = account_id(&app, "ana@exmaple.se").await;
    let summary = format!("/staff/support/{id}");
    let action = format!("{summary}/email");
    let res = desk
        .submit(
            &summary,
            &action,
            &[
                ("email", "bo@example.se"),
                ("email_verified", "yes"),
                ("email_note", "n"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(!first_text(&html_of(res).await, "#email-error").is_empty());
    let res = desk
        .submit(
            &summary,
            &action,
            &[
                ("email", "ana@example.se"),
                ("email_verified", "yes"),
                ("email_note", "typo"),
            ],
        )
        .await;
    // The new address is confirmed by the code sent to it before it is used.
    assert_redirect(&res, &format!("{summary}?pending=email"));
    assert_eq!(app.get("/account").await.status(), 200, "not yet");
    let confirm = format!("{summary}/email/confirm");
    let res = desk
        .submit(&summary, &confirm, &[("address_code", "000000")])
        .await;
    assert_eq!(res.status(), 422);
    let code = app.code_for("ana@example.se").await;
    let res = desk
        .submit(&summary, &confirm, &[("address_code", &code)])
        .await;
    assert_redirect(&res, &format!("{summary}?done=email"));
    assert_redirect(&app.get("/account").await, "/login");
    assert_redirect(&app.login("ana@example.se", PASSWORD).await, "/account");
    assert!(
        !app.messages_to("ana@exmaple.se").await.is_empty(),
        "the old address is told"
    );
}

/// The questionnaire link in the newest email to the person in Sweden, as a path.
async fn emailed_link(app: &TestApp, to: &str) -> String {
    let email = app.messages_to(to).await.remove(0);
    let start = email
        .text
        .find("/questionnaire/link?token=")
        .expect("a link");
    let link: String = email.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link
}

/// Posts the questionnaire page `page` with `fields` and "Next", as the browser shows it.
async fn answer(
    browser: &TestApp,
    draft: &str,
    page: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("{draft}/pages/{page}");
    let html = browser.get_html(&path).await;
    let (csrf, revision) = (
        form_value(&html, &path, "csrf"),
        form_value(&html, &path, "revision"),
    );
    let mut all = vec![
        ("csrf", csrf.as_str()),
        ("revision", revision.as_str()),
        ("action", "next"),
    ];
    all.extend_from_slice(fields);
    browser.post_raw(&path, &all, Default::default()).await
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), 303, "expected a redirect");
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_person_in_sweden_answers_by_the_emailed_link_and_the_case_shows_it() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "spouse-partner").await;
    let link = emailed_link(&app, SPONSOR_EMAIL).await;
    let invite = app.messages_to(SPONSOR_EMAIL).await.remove(0);
    assert!(
        invite.text.contains(&number),
        "the number for the website path"
    );
    // Who applied, for what, by when, from whom: in Swedish and English alike.
    let answer_by = kansli::domain::date::Date::in_sweden(
        START + kansli::domain::rules::QUESTIONNAIRE_ANSWER_WITHIN,
    )
    .to_string();
    for expected in [
        "Ana Öberg <b>&\"'",
        "Flytta till make, maka, sambo eller partner i Sverige",
        "Moving to a spouse or partner in Sweden",
        "Kansli e-tjänster",
        "Kansli e-services",
        "Exempelmyndigheten",
        &answer_by,
    ] {
        assert!(
            invite.text.contains(expected),
            "{expected} missing: {}",
            invite.text
        );
    }
    assert!(
        invite.subject.contains(" / "),
        "both languages: {}",
        invite.subject
    );
    assert!(!invite.text.contains("Migration Agency"), "{}", invite.text);

    let sponsor = app.new_browser();
    let page = sponsor.get_html(&link).await;
    assert!(first_text(&page, ".terms").contains("användarvillkoren"));
    let token = link.split_once("token=").unwrap().1;
    let res = sponsor
        .submit(&link, "/questionnaire/link", &[("token", token)])
        .await;
    let draft = location(&res);
    assert!(draft.starts_with("/applications/"), "{draft}");
    assert_redirect(
        &sponsor.get(&draft).await,
        &format!("{draft}/pages/about_you"),
    );
    // The questionnaire's own session: a way to log out and a word about shared
    // computers, and none of the applicant's words about drafts.
    let page = sponsor.get_html(&format!("{draft}/pages/about_you")).await;
    assert_eq!(
        page.select(&scraper::Selector::parse("header form[action='/logout']").unwrap())
            .count(),
        1
    );
    assert!(first_text(&page, ".shared-computer").contains("dator"));
    assert!(select_text(&page, ".draft-facts")
        .concat()
        .find("ofärdiga ansökan")
        .is_none());
    // The person in Sweden reaches nothing of the applicant's.
    assert_redirect(&sponsor.get("/account").await, "/login");
    assert_eq!(sponsor.get(&format!("/cases/{number}")).await.status(), 303);

    let about = [
        ("phone", "+46701112233"),
        ("occupation", "Nurse <at> Malmö"),
        ("supports_self", "yes"),
    ];
    assert_redirect(
        &answer(&sponsor, &draft, "about_you", &about).await,
        &format!("{draft}/pages/relationship"),
    );
    let relationship = [
        ("met_on", "2018-06-01"),
        ("how_met", "At a course in Lund"),
        ("met_in_person", "yes"),
        ("common_language", "English"),
    ];
    assert_redirect(
        &answer(&sponsor, &draft, "relationship", &relationship).await,
        &format!("{draft}/pages/home"),
    );
    let res = answer(
        &sponsor,
        &draft,
        "home",
        &[("housing", "rental"), ("rooms", "0")],
    )
    .await;
    assert_eq!(res.status(), 422, "the same checks as applications");
    assert_redirect(
        &answer(
            &sponsor,
            &draft,
            "home",
            &[("housing", "rental"), ("rooms", "3")],
        )
        .await,
        &format!("{draft}/review"),
    );
    let review = sponsor.get_html(&format!("{draft}/review")).await;
    assert_eq!(first_text(&review, "h1"), "Kontrollera dina svar");
    let approve = format!("{draft}/approve");
    let csrf = form_value(&review, &approve, "csrf");
    let revision = form_value(&review, &approve, "revision");
    let res = sponsor
        .post_raw(
            &approve,
            &[("csrf", &csrf), ("revision", &revision), ("confirm", "yes")],
            Default::default(),
        )
        .await;
    assert_redirect(&res, "/questionnaire?answered=1");
    assert!(!select_text(&sponsor.get_html("/questionnaire").await, ".answered").is_empty());
    // A confirmation of the answers, in both languages.
    let thanks = app.messages_to(SPONSOR_EMAIL).await.remove(0);
    assert!(
        thanks.subject.contains("Tack") && thanks.subject.contains("Thank you"),
        "{}",
        thanks.subject
    );
    assert!(thanks.text.contains(&number));
    // Locked: a page posted again changes nothing.
    let res = sponsor.get(&format!("{draft}/pages/home")).await;
    assert_redirect(&res, &format!("{draft}/review?locked=1"));

    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let page = cw.get_html(&format!("/staff/cases/{number}")).await;
    assert!(!select_text(&page, ".answered").is_empty());
    assert!(first_text(&page, "main").contains("Nurse <at> Malmö"));
    let case = app.get_html(&format!("/cases/{number}")).await;
    assert!(select_text(&case, "ol.timeline li")
        .iter()
        .any(|l| l.contains("har svarat på enkäten")));
}

#[tokio::test]
async fn the_website_path_needs_the_person_in_swedens_e_identification() {
    const SPONSOR_PIN: &str = "198112189876";
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "spouse-partner").await;
    // The applicant knows the verification number and the sponsor's number: not enough.
    let applicant = app.new_browser();
    let page = applicant.get_html("/questionnaire").await;
    assert!(
        select_text(&page, "input[name=pin]").is_empty(),
        "no number field"
    );
    let csrf = applicant.csrf("/questionnaire", "/login/eid/start").await;
    let res = applicant
        .post_raw(
            "/questionnaire",
            &[
                ("csrf", &csrf),
                ("verification", &number),
                ("pin", "19811218-9876"),
            ],
            Default::default(),
        )
        .await;
    assert_ne!(res.status(), 303, "not let in");
    assert!(applicant.session_cookie().is_none());
    // The page says what logging in accepts, and the terms exist.
    let terms = select_attr(&page, ".terms a", "href");
    assert_eq!(applicant.get(&terms).await.status(), 200, "{terms}");

    // Someone else's BankID with the right verification number: no, and audited.
    let other = app.new_browser();
    assert_redirect(
        &bankid_login_from(&other, "/questionnaire", "199001011239").await,
        "/questionnaire",
    );
    let res = other
        .submit(
            "/questionnaire",
            "/questionnaire",
            &[("verification", &number)],
        )
        .await;
    assert_eq!(res.status(), 422);
    let failed = audit_rows(&app, "questionnaire_lookup_failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].1.as_deref(), Some(number.as_str()));

    // The person in Sweden's own BankID and the number open it.
    let sponsor = app.new_browser();
    assert_redirect(
        &bankid_login_from(&sponsor, "/questionnaire", SPONSOR_PIN).await,
        "/questionnaire",
    );
    let res = sponsor
        .submit(
            "/questionnaire",
            "/questionnaire",
            &[("verification", &number)],
        )
        .await;
    assert!(
        location(&res).starts_with("/applications/"),
        "the right person opens it"
    );
}

#[tokio::test]
async fn an_unanswered_questionnaire_is_reminded_of_once_after_seven_days_and_support_can_resend_it(
) {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "spouse-partner").await;
    let link = emailed_link(&app, SPONSOR_EMAIL).await;
    let remind = |at: i64| {
        let state = app.state.clone();
        let base = app.address.clone();
        async move {
            kansli::flows::questionnaire::remind(
                &state.delivery,
                &state.pool,
                &state.keyring,
                &base,
                at,
            )
            .await
            .unwrap()
        }
    };
    let sent = app.clock.now();
    assert_eq!(remind(sent + 7 * DAY - 1).await, 0);
    assert_eq!(remind(sent + 7 * DAY).await, 1);
    assert_eq!(remind(sent + 8 * DAY).await, 0, "once");
    let emails = app.messages_to(SPONSOR_EMAIL).await;
    assert_eq!(emails.len(), 2);
    assert!(emails[0].subject.contains("Påminnelse"));
    assert_eq!(
        emailed_link(&app, SPONSOR_EMAIL).await,
        link,
        "the reminder carries the same link"
    );

    // Support corrects the address: a new link to it, and the old one stops working.
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    let id = account_id(&app, "ana@example.se").await;
    let res = desk
        .submit(
            &format!("/staff/support/{id}"),
            &format!("/staff/support/questionnaires/{number}"),
            &[("questionnaire_email", "erik.svensson@example.se")],
        )
        .await;
    assert_redirect(&res, &format!("/staff/support/{id}?done=questionnaire"));
    let new_link = emailed_link(&app, "erik.svensson@example.se").await;
    assert_ne!(new_link, link);
    assert!(select_text(&app.new_browser().get_html(&link).await, "form.stack").is_empty());
    assert!(!select_text(&app.new_browser().get_html(&new_link).await, "form.stack").is_empty());
}

#[tokio::test]
async fn applicant_logins_failures_resets_and_two_step_changes_are_audited_without_secrets() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    app.logout().await;
    assert_eq!(
        app.login("ana@example.se", "not the password")
            .await
            .status(),
        422
    );
    assert_eq!(
        app.login("nobody@example.se", "whatever it is")
            .await
            .status(),
        422
    );
    assert_redirect(&app.login("ana@example.se", PASSWORD).await, "/account");
    app.enable_two_step("0701234567").await;
    let session = app.session_cookie().unwrap();
    let sms_code = app.code_for("+46701234567").await;
    // A wrong password where a logged-in person is asked for it again counts too.
    let res = app
        .submit(
            "/account/two-step/off",
            "/account/two-step/off",
            &[("password", "a guess at settings")],
        )
        .await;
    assert_eq!(res.status(), 422);

    let elsewhere = app.new_browser();
    elsewhere
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "ana@example.se")],
        )
        .await;
    let mail = app.messages_to("ana@example.se").await.remove(0);
    let start = mail.text.find("token=").unwrap() + 6;
    let token: String = mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let new_password = "a brand new passphrase for kansli";
    let res = elsewhere
        .submit(
            &format!("/password/reset?token={token}"),
            "/password/reset",
            &[
                ("token", &token),
                ("password", new_password),
                ("password_repeat", new_password),
            ],
        )
        .await;
    assert_redirect(&res, "/password/reset?done=1");

    for action in [
        "applicant_login_failed",
        "applicant_login",
        "applicant_two_step_on",
        "applicant_password_reset",
    ] {
        assert!(!audit_rows(&app, action).await.is_empty(), "{action}");
    }
    let failed = audit_rows(&app, "applicant_login_failed").await;
    assert_eq!(failed[0].0, "ana@example.se");
    assert_eq!(failed[1].0, "nobody@example.se");
    assert_eq!(
        (failed[2].0.as_str(), failed[2].2.as_deref()),
        ("ana@example.se", Some("wrong password at a settings check"))
    );
    let everything: Vec<String> = kansli::db::read(&app.state.pool, |c| {
        let mut stmt = c.prepare(
            "SELECT actor || '|' || action || '|' || COALESCE(target, '') || '|' || COALESCE(ip, '') || '|' || COALESCE(detail, '') FROM audit_log",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect()
    })
    .await
    .unwrap();
    assert!(
        everything.iter().all(|row| row.contains("127.0.0.1")),
        "from which address"
    );
    for secret in [
        PASSWORD,
        "not the password",
        "a guess at settings",
        new_password,
        &sms_code,
        &session,
        &token,
    ] {
        assert!(
            everything.iter().all(|row| !row.contains(secret)),
            "a secret in the audit log"
        );
    }
}

#[tokio::test]
async fn support_sends_a_new_confirmation_code_to_an_unconfirmed_account() {
    let app = spawn_app().await;
    assert_redirect(
        &app.start_account("new@example.se").await,
        "/account/confirm",
    );
    let first = app.code_for("new@example.se").await;
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    let page = find(&desk, "new@example.se").await;
    let id = account_id(&app, "new@example.se").await;
    let action = format!("/staff/support/{id}/confirmation");
    assert!(!select_text(&page, &format!("form[action='{action}']")).is_empty());
    let res = desk
        .submit(&format!("/staff/support/{id}"), &action, &[])
        .await;
    assert_redirect(&res, &format!("/staff/support/{id}?done=confirmation"));
    let second = app.code_for("new@example.se").await;
    assert_eq!(app.messages_to("new@example.se").await.len(), 2);
    let res = app
        .submit("/account/confirm", "/account/confirm", &[("code", &second)])
        .await;
    assert_redirect(&res, "/account/created");
    assert!(first.len() == 6 && audit_rows(&app, "support_confirmation_resent").await.len() == 1);
}

#[tokio::test]
async fn the_failure_that_locks_an_account_is_audited_once() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    app.logout().await;
    // 98 failures earlier, the last one long enough ago that the next try is allowed.
    let since = app.clock.now() - 3600;
    kansli::db::write(&app.state.pool, move |tx| {
        tx.execute(
            "UPDATE accounts SET failed_logins = 98, last_failed_at = ?1",
            [since],
        )
    })
    .await
    .unwrap();
    assert_eq!(app.login("ana@example.se", "guess 99").await.status(), 422);
    assert!(
        audit_rows(&app, "applicant_locked").await.is_empty(),
        "not yet"
    );
    app.clock.advance(3600);
    assert_eq!(app.login("ana@example.se", "guess 100").await.status(), 422);
    let locked = audit_rows(&app, "applicant_locked").await;
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].0, "ana@example.se");
    app.clock.advance(3600);
    assert_eq!(
        app.login("ana@example.se", PASSWORD).await.status(),
        422,
        "locked: even the right password fails"
    );
    assert_eq!(audit_rows(&app, "applicant_locked").await.len(), 1, "once");
    assert_eq!(
        audit_rows(&app, "applicant_login_failed")
            .await
            .last()
            .unwrap()
            .2
            .as_deref(),
        Some("waiting or locked")
    );
}

#[tokio::test]
async fn the_caseworker_reads_answers_as_the_applicant_does() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let more = [("phone", "+46701234567"), ("monthly_salary_sek", "35000")];
    let reference = approved_with(&app, "ana@example.se", "work-permit", &more).await;
    pay_fully(&app, &reference, APPROVED).await;
    let number = first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    );
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let case = cw.get_html(&format!("/staff/cases/{number}")).await;
    assert_eq!(fact(&case, "Telefonnummer"), "+46 70 123 45 67");
    assert_eq!(fact(&case, "Månadslön före skatt"), "35\u{a0}000 kr");
    assert_eq!(fact(&case, "Medborgarskap"), "Ukraina");
}
