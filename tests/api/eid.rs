//! E-identification over real HTTP: the login pages, Kansli's relying-party
//! client and the built-in simulator speaking the BankID RP API v6, a failing
//! provider, the person-only My Page and linking, and the partner page.
use std::time::Duration;

use crate::helpers::*;
use kansli::domain::staff::Role;
use kansli::fakes::eid_sim::api_url;
use kansli::i18n::Texts;
use kansli::outbound::eid::client::RpClient;
use kansli::outbound::eid::{Collected, EidError, EidProvider, Provider};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ANNA: &str = "199001011239";
const ERIK: &str = "198512244560";

async fn session_row(app: &TestApp) -> (Option<i64>, String, String, Option<String>) {
    let hash = kansli::domain::secret::Token::from_client(&app.session_cookie().unwrap())
        .unwrap()
        .hash();
    kansli::db::read(&app.state.pool, move |c| {
        c.query_row(
            "SELECT account_id, method, assurance, pin FROM sessions WHERE id_hash = ?1",
            [hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn mobile_bankid_shows_an_animated_qr_code_and_logs_in_a_person_who_sees_their_cases() {
    let app = spawn_app().await;
    // Anna applied for citizenship with an account; someone else's case is not hers.
    let applicant = app.new_browser();
    applicant.create_account("anna@example.se").await;
    let hers = submitted(&applicant, "anna@example.se", "citizenship").await;
    let other = app.new_browser();
    other.create_account("bo@example.se").await;
    let not_hers = submitted(&other, "bo@example.se", "visit-visa").await;

    let login = app.get_html("/login").await;
    assert!(first_text(&login, ".eid-login").contains("Mobilt BankID"));
    assert!(
        first_text(&login, ".eid-login details.more-alternatives").contains("Telia"),
        "Telia behind More alternatives"
    );
    assert_redirect(&start_eid(&app, "mobile_bankid").await, "/login/eid");
    let page = app.get_html("/login/eid").await;
    assert!(!select_text(&page, "#eid-qr svg").is_empty() || page.html().contains("<svg"));
    assert_eq!(
        first_text(&page, "#eid-status"),
        Texts::new(kansli::domain::Lang::Sv).t("eid.rfa1")
    );
    let first = first_text(&page, "#eid-qr-content");
    app.clock.advance(1);
    let status: serde_json::Value = app.get("/login/eid/status").await.json().await.unwrap();
    assert_eq!(status["state"], "pending");
    let second = status["qr_content"].as_str().unwrap().to_string();
    assert_ne!(first, second, "the code changes every second");
    assert!(
        second.starts_with("bankid.") && second.contains(".1."),
        "{second}"
    );
    assert!(status["qr"].as_str().unwrap().starts_with("<svg"));

    // A stale code is refused by the app; the current one opens the order.
    app.clock.advance(11);
    let tester = app.new_browser();
    let res = tester
        .submit("/sim/bankid/app", "/sim/bankid/app", &[("code", &first)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(first_text(&html_of(res).await, "#code-error").contains("för gammal"));
    let now: serde_json::Value = app.get("/login/eid/status").await.json().await.unwrap();
    let res = in_app(
        &app,
        "bankid",
        now["qr_content"].as_str().unwrap(),
        "identify",
        ANNA,
    )
    .await;
    assert_eq!(res.status(), 200);
    // Polled every second, the order is collected every other second.
    app.clock.advance(1);
    let cached: serde_json::Value = app.get("/login/eid/status").await.json().await.unwrap();
    assert_eq!(cached["state"], "pending", "collected a second ago");
    app.clock.advance(1);
    let done: serde_json::Value = app.get("/login/eid/status").await.json().await.unwrap();
    assert_eq!(done["state"], "complete");
    assert_redirect(&finish(&app).await, "/account");

    let (account, method, assurance, pin) = session_row(&app).await;
    assert_eq!(
        (account, method.as_str(), assurance.as_str(), pin.as_deref()),
        (None, "mobile_bankid", "substantial", Some(ANNA))
    );
    let my_page = app.get_html("/account").await;
    assert!(first_text(&my_page, ".who").contains("Anna Andersson"));
    assert_eq!(
        select_text(&my_page, ".cases .verification-number"),
        vec![hers.clone()]
    );
    let case = app.get_html(&format!("/cases/{hers}")).await;
    assert!(first_text(&case, "main").contains(&hers));
    assert_eq!(app.get(&format!("/cases/{not_hers}")).await.status(), 404);
    // "See your answers and documents" opens them (it bounced to My Page).
    let answers = scraper::Selector::parse("a[href$='/review']").unwrap();
    let link = case
        .select(&answers)
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a link to the answers")
        .to_string();
    let res = app.get(&link).await;
    assert_eq!(res.status(), 200, "{link}");
    let review = html_of(res).await;
    assert!(
        !select_text(&review, ".review-page dd").is_empty(),
        "{}",
        first_text(&review, "main")
    );
    assert!(
        select_text(&review, "form[action$='/approve']").is_empty(),
        "read only"
    );
    // The documents of her case too, and no one else's.
    let numbers = (hers.clone(), not_hers.clone());
    kansli::db::write(&app.state.pool, move |tx| {
        for (reference, number) in [("doc-hers", &numbers.0), ("doc-other", &numbers.1)] {
            tx.execute(
                "INSERT INTO documents (reference, draft_id, field_id, filename, mime, bytes, thumbnail, size, created_at)
                 SELECT ?1, draft_id, 'passport_copy', 'pass.png', 'image/png', x'89504e47', x'ffd8', 4, 0
                 FROM cases WHERE verification = ?2",
                (reference, number),
            )?;
        }
        Ok::<_, kansli::error::AppError>(())
    })
    .await
    .unwrap();
    assert_eq!(app.get("/documents/doc-hers/file").await.status(), 200);
    assert_eq!(app.get("/documents/doc-other/file").await.status(), 404);
    // And the receipt of her case, linked from My Page and from the case page.
    let receipt_links = |page: &scraper::Html| {
        let links = scraper::Selector::parse("a[href^='/receipts/']").unwrap();
        page.select(&links)
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let listed = receipt_links(&my_page);
    assert_eq!(listed.len(), 1, "her one receipt");
    assert_eq!(receipt_links(&case), listed);
    let receipt = app.get_html(&listed[0]).await;
    assert!(select_text(&receipt, "dl.summary-list dd").contains(&hers));
    let not_hers_paid: String = kansli::db::read(&app.state.pool, move |c| {
        c.query_row(
            "SELECT p.reference FROM payments p JOIN cases c ON c.payment_id = p.id WHERE c.verification = ?1",
            [not_hers],
            |r| r.get(0),
        )
    })
    .await
    .unwrap();
    let theirs = format!("/receipts/{not_hers_paid}");
    assert_eq!(app.get(&theirs).await.status(), 404, "not her receipt");
    assert!(!audit_rows(&app, "applicant_login").await.is_empty());
}

#[tokio::test]
async fn linking_an_account_needs_its_password_not_an_emailed_code() {
    let app = spawn_app().await;
    let owner = app.new_browser();
    owner.create_account("erik@example.se").await;
    let before = app.messages_to("erik@example.se").await.len();
    // Someone logged in with their own BankID names Erik's account.
    let attacker = app.new_browser();
    assert_redirect(&bankid_login(&attacker, ANNA).await, "/account");
    for fields in [
        vec![("email", "erik@example.se")],
        vec![
            ("email", "erik@example.se"),
            ("password", "not the password"),
        ],
    ] {
        let res = attacker.submit("/account", "/account/link", &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        assert_eq!(session_row(&attacker).await.0, None, "still no account");
    }
    assert_eq!(
        app.messages_to("erik@example.se").await.len(),
        before,
        "no code is mailed to the account"
    );
    // The old way in: the code route links nothing, whatever is typed.
    let csrf = attacker.csrf("/account", "/account/link").await;
    let res = attacker
        .post_raw(
            "/account/link/verify",
            &[("csrf", &csrf), ("code", "123456")],
            Default::default(),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(session_row(&attacker).await.0, None);
    assert!(audit_rows(&app, "applicant_linked_eid").await.is_empty());
}

#[tokio::test]
async fn an_account_linked_by_its_password_is_reached_by_bankid_from_then_on() {
    let app = spawn_app().await;
    let owner = app.new_browser();
    owner.create_account("erik@example.se").await;
    assert_redirect(&bankid_login(&app, ERIK).await, "/account");
    assert_eq!(session_row(&app).await.0, None, "no account yet");

    let res = app
        .submit(
            "/account",
            "/account/link",
            &[("email", "erik@example.se"), ("password", PASSWORD)],
        )
        .await;
    assert_redirect(&res, "/account?linked=1");
    let (account, method, assurance, _) = session_row(&app).await;
    assert!(account.is_some());
    assert_eq!(
        (method.as_str(), assurance.as_str()),
        ("bankid", "substantial")
    );
    let told = &app.messages_to("erik@example.se").await[0];
    assert!(
        told.text.contains("19851224-"),
        "the owner is told: {}",
        told.text
    );
    assert_eq!(audit_rows(&app, "applicant_linked_eid").await.len(), 1);

    let again = app.new_browser();
    assert_redirect(&bankid_login(&again, ERIK).await, "/account");
    assert_eq!(session_row(&again).await.0, account, "the linked account");
    let page = again.get_html("/account").await;
    assert!(page.html().contains("erik@example.se"));
    let someone_else = app.new_browser();
    bankid_login(&someone_else, ANNA).await;
    assert_eq!(session_row(&someone_else).await.0, None, "only that number");
}

#[tokio::test]
async fn linking_an_account_with_two_step_needs_the_sms_code_too() {
    let app = spawn_app().await;
    let owner = app.new_browser();
    owner.create_account("erik@example.se").await;
    owner.enable_two_step("701234567").await;
    assert_redirect(&bankid_login(&app, ERIK).await, "/account");
    let res = app
        .submit(
            "/account",
            "/account/link",
            &[("email", "erik@example.se"), ("password", PASSWORD)],
        )
        .await;
    assert_redirect(&res, "/account?link=sms");
    assert_eq!(session_row(&app).await.0, None, "not yet");
    let res = app
        .submit(
            "/account?link=sms",
            "/account/link/verify",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(res.status(), 422, "a wrong code");
    let code = app.code_for("+46701234567").await;
    let res = app
        .submit(
            "/account?link=sms",
            "/account/link/verify",
            &[("code", &code)],
        )
        .await;
    assert_redirect(&res, "/account?linked=1");
    assert!(session_row(&app).await.0.is_some());
}

#[tokio::test]
async fn my_page_shows_the_linked_number_and_can_remove_it() {
    let app = spawn_app().await;
    app.create_account("erik@example.se").await;
    let person = app.new_browser();
    assert_redirect(&bankid_login(&person, ERIK).await, "/account");
    let res = person
        .submit(
            "/account",
            "/account/link",
            &[("email", "erik@example.se"), ("password", PASSWORD)],
        )
        .await;
    assert_redirect(&res, "/account?linked=1");
    // The owner's own password session sees the link on My Page (the last four
    // digits only with two-step or e-ID) and removes it with the password.
    let page = app.get_html("/account").await;
    assert_eq!(first_text(&page, ".linked-pin"), "19851224-****");
    let res = app
        .submit("/account", "/account/unlink", &[("password", "not it")])
        .await;
    assert_redirect(&res, "/account?unlink=refused");
    assert_eq!(
        select_text(&app.get_html("/account").await, ".linked-pin").len(),
        1
    );
    let res = app
        .submit("/account", "/account/unlink", &[("password", PASSWORD)])
        .await;
    assert_redirect(&res, "/account?unlinked=1");
    let page = app.get_html("/account").await;
    assert!(select_text(&page, ".linked-pin").is_empty());
    assert!(app.messages_to("erik@example.se").await[0]
        .text
        .contains("19851224-"));
    // BankID no longer reaches the account.
    let again = app.new_browser();
    bankid_login(&again, ERIK).await;
    assert_eq!(session_row(&again).await.0, None);
    assert_eq!(audit_rows(&app, "applicant_unlinked_eid").await.len(), 1);
}

#[tokio::test]
async fn every_outcome_in_the_test_app_shows_bankids_message() {
    let app = spawn_app().await;
    let sv = Texts::new(kansli::domain::Lang::Sv);
    for (action, key, failed) in [
        ("cancel", "eid.rfa6", true),
        ("expire", "eid.rfa8", true),
        ("certificate", "eid.rfa16", true),
        ("start_failed", "eid.rfa17a", true),
        ("read_document", "eid.rfa23", false),
    ] {
        let browser = app.new_browser();
        start_eid(&browser, "bankid").await;
        let page = browser.get_html("/login/eid").await;
        assert_eq!(
            first_text(&page, "#eid-status"),
            sv.t("eid.rfa13"),
            "launch link flow"
        );
        let token = autostart_token(&browser).await;
        let res = in_app(&browser, "bankid", &token, action, ANNA).await;
        assert_eq!(res.status(), 200, "{action}");
        app.clock.advance(2);
        let page = browser.get_html("/login/eid").await;
        assert_eq!(first_text(&page, "#eid-status"), sv.t(key), "{action}");
        assert_eq!(
            page.html().contains("eid.js"),
            !failed,
            "{action}: polling only while pending"
        );
        let res = finish(&browser).await;
        assert_eq!(res.status(), 200, "{action}: not logged in");
        assert!(browser.session_cookie().is_none());
    }
}

#[tokio::test]
async fn cancel_and_expiry_end_the_order_and_log_no_one_in() {
    let app = spawn_app().await;
    start_eid(&app, "bankid").await;
    let token = autostart_token(&app).await;
    assert_redirect(
        &app.submit("/login/eid", "/login/eid/cancel", &[]).await,
        "/login",
    );
    let tester = app.new_browser();
    let res = tester
        .submit("/sim/bankid/app", "/sim/bankid/app", &[("code", &token)])
        .await;
    assert_eq!(
        res.status(),
        422,
        "the cancelled order is gone at the provider"
    );
    assert_redirect(&app.get("/login/eid").await, "/login");

    start_eid(&app, "bankid").await;
    let token = autostart_token(&app).await;
    app.clock.advance(kansli::outbound::eid::ORDER_LIFETIME + 1);
    let page = app.get_html("/login/eid").await;
    assert_eq!(
        first_text(&page, "#eid-status"),
        Texts::new(kansli::domain::Lang::Sv).t("eid.rfa8")
    );
    let res = app
        .new_browser()
        .submit("/sim/bankid/app", "/sim/bankid/app", &[("code", &token)])
        .await;
    assert_eq!(res.status(), 422, "too late for the app");
    assert_eq!(finish(&app).await.status(), 200);
    assert!(app.session_cookie().is_none());
}

#[tokio::test]
async fn the_client_speaks_rp_api_v6_to_the_simulator_and_a_second_order_for_a_person_is_refused() {
    let app = spawn_app().await;
    let client = RpClient::new(
        api_url(&app.address, Provider::BankId),
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    let first = client.start("127.0.0.1", Some(ERIK)).await.unwrap();
    assert_eq!(first.qr_start_secret.len(), 36);
    assert_eq!(
        client.collect(&first.order_ref).await,
        Ok(Collected::Pending("outstandingTransaction".into()))
    );
    assert_eq!(
        client.start("127.0.0.1", Some(ERIK)).await.err(),
        Some(EidError::AlreadyInProgress)
    );
    assert_eq!(
        client.collect(&first.order_ref).await,
        Ok(Collected::Failed("cancelled".into())),
        "the first order is cancelled (RFA3)"
    );
    let second = client.start("127.0.0.1", None).await.unwrap();
    assert_eq!(client.cancel(&second.order_ref).await, Ok(()));
    assert_eq!(
        client.collect(&second.order_ref).await,
        Err(EidError::UnknownOrder)
    );
    for (lang, rfa4) in [
        (kansli::domain::Lang::Sv, "redan påbörjad"),
        (kansli::domain::Lang::En, "already started"),
    ] {
        assert!(Texts::new(lang).t("eid.rfa4").contains(rfa4));
    }
}

/// A provider that answers `auth` and then fails: with `collect_status` for
/// collect, or by never answering at all (`hang`). With `auth_error` it refuses
/// `auth` itself with that error code (400, as BankID does).
async fn broken_provider(
    collect_status: u16,
    hang: bool,
    auth_error: Option<&'static str>,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                if hang {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let (status, body) = if let (Some(code), true) =
                    (auth_error, request.starts_with("POST /rp/v6.0/auth"))
                {
                    (
                        400,
                        format!(r#"{{"errorCode":"{code}","details":"refused"}}"#),
                    )
                } else if request.starts_with("POST /rp/v6.0/auth") {
                    (200, r#"{"orderRef":"o-1","autoStartToken":"a-1","qrStartToken":"q-1","qrStartSecret":"s-1"}"#.to_string())
                } else {
                    (
                        collect_status,
                        r#"{"errorCode":"internalError","details":"down"}"#.to_string(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("{address}/rp/v6.0")
}

#[tokio::test]
async fn a_provider_that_fails_times_out_or_refuses_gives_rfa5_or_rfa4_and_no_session() {
    let failing = broken_provider(500, false, None).await;
    let client = RpClient::new(failing.clone(), None, Duration::from_secs(5)).unwrap();
    let order = client.start("127.0.0.1", None).await.unwrap();
    assert_eq!(
        client.collect(&order.order_ref).await,
        Err(EidError::Unavailable)
    );

    let hanging = broken_provider(200, true, None).await;
    let slow = RpClient::new(hanging.clone(), None, Duration::from_secs(1)).unwrap();
    assert_eq!(
        slow.start("127.0.0.1", None).await.err(),
        Some(EidError::Unavailable)
    );

    let rfa5 = Texts::new(kansli::domain::Lang::Sv).t("eid.rfa5");
    let busy = broken_provider(200, false, Some("alreadyInProgress")).await;
    let app = spawn_app_with(|s| {
        s.eid.bankid = Some(kansli::settings::EidService {
            url: failing,
            client_cert: None,
            ca_cert: None,
        });
        s.eid.telia = Some(kansli::settings::EidService {
            url: hanging,
            client_cert: None,
            ca_cert: None,
        });
        s.eid.professional = Some(kansli::settings::EidService {
            url: busy,
            client_cert: None,
            ca_cert: None,
        });
        s.eid.timeout_seconds = 1;
    })
    .await;
    assert_redirect(&start_eid(&app, "bankid").await, "/login/eid");
    let page = app.get_html("/login/eid").await;
    assert_eq!(
        first_text(&page, "#eid-status"),
        rfa5,
        "collect answered 500"
    );
    assert_eq!(finish(&app).await.status(), 200);
    assert!(app.session_cookie().is_none(), "nothing half-logged-in");

    let res = start_eid(&app, "telia").await;
    assert_eq!(res.status(), 503, "auth timed out");
    assert_eq!(first_text(&html_of(res).await, "#eid-status"), rfa5);
    assert!(app.session_cookie().is_none());

    // A service that refuses the order as already in progress: RFA4 on the page.
    let res = start_eid(&app, "professional").await;
    assert_eq!(res.status(), 503);
    assert_eq!(
        first_text(&html_of(res).await, "#eid-status"),
        Texts::new(kansli::domain::Lang::Sv).t("eid.rfa4")
    );
    assert!(app.session_cookie().is_none());
}

#[tokio::test]
async fn professional_eid_reaches_the_partner_page_which_reports_a_health_examination_to_the_caseworker(
) {
    let app = spawn_app().await;
    let applicant = app.new_browser();
    applicant.create_account("ana@example.se").await;
    let number = submitted(&applicant, "ana@example.se", "visit-visa").await;

    // An organisation not on the list: refused, with the reference pages' checklist.
    let outsider = app.new_browser();
    assert_redirect(&start_eid(&outsider, "professional").await, "/login/eid");
    let token = autostart_token(&outsider).await;
    in_app(
        &outsider,
        "professional",
        &token,
        "identify",
        "197706157893",
    )
    .await;
    outsider.clock.advance(2);
    let res = finish(&outsider).await;
    assert_eq!(res.status(), 422);
    assert!(first_text(&html_of(res).await, ".checklist").contains("Net iD"));
    assert_eq!(outsider.get("/partner").await.status(), 403);

    let nurse = app.new_browser();
    start_eid(&nurse, "professional").await;
    let token = autostart_token(&nurse).await;
    in_app(&nurse, "professional", &token, "identify", "196803032348").await;
    nurse.clock.advance(2);
    assert_redirect(&finish(&nurse).await, "/partner");
    let page = nurse.get_html("/partner").await;
    assert_eq!(first_text(&page, ".organisation"), "Exempelstads kommun");
    assert_redirect(&nurse.get("/account").await, "/partner");

    let report = |v: String, d: &'static str| {
        let nurse = &nurse;
        async move {
            nurse
                .submit(
                    "/partner",
                    "/partner/health-examinations",
                    &[("verification", v.as_str()), ("offered_on", d)],
                )
                .await
        }
    };
    assert_eq!(
        report("12345678-00".into(), "2020-01-01").await.status(),
        422,
        "check digits"
    );
    assert_eq!(
        report(number.clone(), "2999-01-01").await.status(),
        422,
        "a date to come"
    );
    let res = report(number.clone(), "2020-02-03").await;
    assert_redirect(&res, &format!("/partner?reported={number}"));

    let caseworker = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let file = caseworker.get_html(&format!("/staff/cases/{number}")).await;
    let timeline = first_text(&file, ".timeline");
    assert!(
        timeline.contains("Karin Holm (Exempelstads kommun)"),
        "{timeline}"
    );
    assert!(timeline.contains("2020-02-03"));
    let own = applicant.get_html(&format!("/cases/{number}")).await;
    assert!(
        !first_text(&own, ".timeline").contains("Karin Holm"),
        "not on the applicant's timeline"
    );
    let audit = audit_rows(&app, "partner_health_examination").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].1.as_deref(), Some(number.as_str()));
    assert_eq!(
        nurse.get("/staff/cases").await.status(),
        303,
        "no staff pages"
    );
}

#[tokio::test]
async fn the_login_page_goes_bankid_more_alternatives_password_then_professional() {
    let app = spawn_app().await;
    let html = app.get_html("/login").await;
    let order: Vec<String> = html
        .select(&scraper::Selector::parse("main h2, main details summary").unwrap())
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect();
    let at = |t: &str| {
        order
            .iter()
            .position(|h| h.contains(t))
            .unwrap_or_else(|| panic!("{t} not in {order:?}"))
    };
    assert!(at("e-legitimation") < at("Fler alternativ"), "{order:?}");
    assert!(
        at("Fler alternativ") < at("Användarnamn och lösenord"),
        "{order:?}"
    );
    assert!(
        at("Användarnamn och lösenord") < at("E-tjänstelegitimation"),
        "{order:?}"
    );
}

#[tokio::test]
async fn the_telia_order_page_speaks_of_telia_not_of_the_bankid_app() {
    let app = spawn_app().await;
    assert_redirect(&start_eid(&app, "telia").await, "/login/eid");
    let page = app.get_html("/login/eid").await;
    let text = select_text(&page, "main").concat();
    assert!(text.contains("Telia"), "{text}");
    assert!(!text.contains("BankID"), "{text}");
}

#[tokio::test]
async fn the_sms_step_can_be_cancelled() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app.enable_two_step("070-111 22 33").await;
    app.logout().await;
    assert_redirect(&app.login("a@example.se", PASSWORD).await, "/login/sms");
    let html = app.get_html("/login/sms").await;
    let cancel = form_value(&html, "/login/sms/cancel", "csrf");
    assert!(!cancel.is_empty(), "a cancel form on the SMS step");
    let res = app.submit("/login/sms", "/login/sms/cancel", &[]).await;
    assert_redirect(&res, "/login");
    // The half-done login is gone: the SMS page leads back to the login.
    assert_redirect(&app.get("/login/sms").await, "/login");
}

#[tokio::test]
async fn the_login_help_explains_e_identification_and_professional_troubleshooting() {
    let app = spawn_app_with(|s| {
        s.contact.professional_regions_email = Some("regioner@example.se".into());
        s.contact.professional_municipalities_email = Some("kommuner@example.se".into());
    })
    .await;
    app.get("/lang/en").await;
    let html = app.get_html("/help/login").await;
    let text = select_text(&html, "main").concat();
    for expected in [
        "sign documents",
        "internet bank",
        "it is free",
        "Swedish Tax Agency, for a fee",
        "at most five years",
        "then username and password, and last professional e-identification",
        "Net iD",
    ] {
        assert!(text.contains(expected), "{expected} missing");
    }
    // The proxy must let through the service's host (here the simulator: this host).
    assert!(
        text.contains("the proxy must let 127.0.0.1 through"),
        "{text}"
    );
    let siths =
        scraper::Selector::parse("a[href='https://test.siths.se'][target='_blank']").unwrap();
    let link = html
        .select(&siths)
        .next()
        .expect("the SITHS test page link");
    assert!(link
        .text()
        .collect::<String>()
        .contains("opens in a new window"));
    for address in ["mailto:regioner@example.se", "mailto:kommuner@example.se"] {
        let sel = scraper::Selector::parse(&format!("a[href='{address}']")).unwrap();
        assert_eq!(html.select(&sel).count(), 1, "{address}");
    }
    // Without them configured, no addresses are shown.
    let plain = spawn_app().await;
    let html = plain.get_html("/help/login").await;
    assert!(select_text(&html, ".contact-addresses").is_empty());
}
