use crate::helpers::*;
use reqwest::header::{HeaderMap, HeaderValue};

const NASTY: &str = r#"<script>alert('x')</script>&"'"#;

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.get("/login").await;
    let res = app
        .post_raw(
            "/login",
            &[("email", "a@example.se"), ("password", PASSWORD)],
            HeaderMap::new(),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        first_text(&html_of(res).await, "h1"),
        "Formuläret kunde inte skickas"
    );
}

#[tokio::test]
async fn a_csrf_token_from_another_browser_is_refused() {
    let app = spawn_app().await;
    let other = app.new_browser();
    let foreign = other.csrf("/login", "/login").await;
    app.get("/login").await;
    let res = app
        .post_raw(
            "/login",
            &[
                ("csrf", &foreign),
                ("email", "a@example.se"),
                ("password", PASSWORD),
            ],
            HeaderMap::new(),
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_post_from_a_foreign_origin_is_refused_even_with_a_valid_token() {
    let app = spawn_app().await;
    let token = app.csrf("/login", "/login").await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        let res = app
            .post_raw(
                "/login",
                &[
                    ("csrf", &token),
                    ("email", "a@example.se"),
                    ("password", PASSWORD),
                ],
                headers,
            )
            .await;
        assert_eq!(res.status(), 403, "{name}: {value}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/login", "/no/such/page", "/account"] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(
            h["content-security-policy"],
            &format!("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' {}", app.address),
            "{path}: forms may lead to the public address, whatever name the page was reached by"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["cache-control"], "no-store");
        assert!(
            !h.contains_key("strict-transport-security"),
            "no HSTS in development"
        );
    }
}

#[tokio::test]
async fn forms_may_lead_to_the_payment_providers_card_pages() {
    let production = |page_origin: Option<&'static str>| {
        spawn_app_with(move |s| {
            production_settings(s);
            if let Some(p) = s.payment.as_mut() {
                p.url = "https://api.pay.example:8443/v1".into();
                p.page_origin = page_origin.map(str::to_string);
            }
        })
    };
    for (page_origin, expected) in [
        (None, "https://api.pay.example:8443"),
        (Some("https://card.pay.example"), "https://card.pay.example"),
    ] {
        let app = production(page_origin).await;
        let res = app.get("/login").await;
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.ends_with(&format!(
                "form-action 'self' https://kansli.example {expected}"
            )),
            "{csp}"
        );
    }
}

#[tokio::test]
async fn pages_have_no_inline_scripts_or_styles() {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    for path in [
        "/",
        "/login",
        "/account",
        "/account/two-step",
        "/help/support",
        "/dev/mailbox",
    ] {
        let html = app.get_html(path).await;
        let inline_scripts = html
            .select(&scraper::Selector::parse("script:not([src])").unwrap())
            .count();
        let styles = html
            .select(&scraper::Selector::parse("style, [style], [onclick], [onload]").unwrap())
            .count();
        assert_eq!((inline_scripts, styles), (0, 0), "{path}");
    }
}

#[tokio::test]
async fn production_mode_uses_host_prefixed_secure_cookies_and_hsts() {
    let app = spawn_app_with(production_settings).await;
    let res = app.get("/login").await;
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-kansli_csrf=")
            && cookie.contains("Secure")
            && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert_eq!(app.get("/dev/mailbox").await.status(), 404);
    // The language choice is remembered under its prefixed name too.
    let res = app.get("/lang/en?back=/login").await;
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("__Host-kansli_lang=en"));
    let res = app
        .client
        .get(app.url("/login"))
        .header("Cookie", "__Host-kansli_lang=en")
        .send()
        .await
        .unwrap();
    assert_eq!(first_text(&html_of(res).await, "h1"), "Log in");
}

#[tokio::test]
async fn text_fields_come_back_escaped() {
    let app = spawn_app().await;
    let check = |body: String, field: &str| {
        assert!(!body.contains("<script>alert"), "{field} was not escaped");
        let html = scraper::Html::parse_document(&body);
        assert_eq!(
            value_of(&html, &format!("#{field}")).as_deref(),
            Some(NASTY),
            "{field} value kept"
        );
    };
    let res = app
        .submit(
            "/account/create",
            "/account/create",
            &[
                ("email", NASTY),
                ("password", NASTY),
                ("password_repeat", NASTY),
            ],
        )
        .await;
    check(res.text().await.unwrap(), "email");
    let res = app.login(NASTY, NASTY).await;
    check(res.text().await.unwrap(), "email");
    let res = app
        .submit("/password/forgot", "/password/forgot", &[("email", NASTY)])
        .await;
    check(res.text().await.unwrap(), "email");
    app.create_account("a@example.se").await;
    let res = app.submit_phone(NASTY, NASTY, false).await;
    check(res.text().await.unwrap(), "phone");
    let res = app.get(&format!("/lang/en?back=/{}", "%3Cscript%3E")).await;
    assert!(res.headers()["location"].to_str().unwrap().starts_with('/'));
}

#[tokio::test]
async fn an_oversized_form_gets_a_413_page() {
    let app = spawn_app().await;
    let token = app.csrf("/login", "/login").await;
    let huge = "x".repeat(64 * 1024);
    let res = app
        .post_raw(
            "/login",
            &[("csrf", &token), ("email", &huge), ("password", "p")],
            HeaderMap::new(),
        )
        .await;
    assert_eq!(res.status(), 413);
    assert_eq!(
        first_text(&html_of(res).await, "h1"),
        "För mycket skickades"
    );
}

#[tokio::test]
async fn a_request_that_is_not_a_form_is_refused_cleanly() {
    let app = spawn_app().await;
    app.get("/login").await;
    let res = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    let res = app.get("/login?again=%ff%fe").await;
    assert!(res.status().as_u16() < 500);
}

#[tokio::test]
async fn an_internal_error_gets_a_500_page_in_the_persons_language_without_internals() {
    let app = spawn_app().await;
    kansli::db::write(&app.state.pool, |tx| {
        tx.execute_batch("DROP TABLE reset_tokens")
    })
    .await
    .unwrap();
    app.create_account("a@example.se").await;
    app.get("/lang/en?back=/").await;
    let res = app
        .submit(
            "/password/forgot",
            "/password/forgot",
            &[("email", "a@example.se")],
        )
        .await;
    assert_eq!(res.status(), 500);
    let body = res.text().await.unwrap();
    let html = scraper::Html::parse_document(&body);
    assert_eq!(first_text(&html, "h1"), "Something went wrong");
    assert!(
        !body.contains("reset_tokens") && !body.to_lowercase().contains("sqlite"),
        "no internals shown"
    );
    // The server goes on serving.
    assert_eq!(app.get("/").await.status(), 200);
}

#[tokio::test]
async fn account_creation_and_reset_requests_are_limited_per_address() {
    let app = spawn_app().await;
    let token = app.csrf("/account/create", "/account/create").await;
    let mut statuses = Vec::new();
    for i in 0..11 {
        let email = format!("person{i}@example.se");
        let res = app
            .post_raw(
                "/account/create",
                &[
                    ("csrf", &token),
                    ("email", &email),
                    ("password", "x"),
                    ("password_repeat", "x"),
                ],
                HeaderMap::new(),
            )
            .await;
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[..10], [422; 10]);
    assert_eq!(statuses[10], 429);

    let mut last = 0;
    for _ in 0..11 {
        last = app
            .post_raw(
                "/password/forgot",
                &[("csrf", &token), ("email", "a@example.se")],
                HeaderMap::new(),
            )
            .await
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
    app.clock.advance(3600);
    assert_eq!(
        app.post_raw(
            "/password/forgot",
            &[("csrf", &token), ("email", "a@example.se")],
            HeaderMap::new()
        )
        .await
        .status(),
        303
    );
}

/// Posts a failed login with `forwarded` as X-Forwarded-For; returns the status and Retry-After.
async fn login_via(app: &TestApp, forwarded: &str) -> (u16, Option<String>) {
    let csrf = app.csrf("/login", "/login").await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded.parse().unwrap());
    let res = app
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "nobody@example.se"),
                ("password", "wrong"),
            ],
            headers,
        )
        .await;
    let wait = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), wait)
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_login_limit() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1".into()]).await;
    for _ in 0..30 {
        assert_eq!(login_via(&app, "198.51.100.7, 203.0.113.2").await.0, 422);
    }
    app.clock.advance(100);
    let (status, wait) = login_via(&app, "203.0.113.2").await;
    assert_eq!(status, 429, "the 31st from one client");
    assert_eq!(
        wait.as_deref(),
        Some("500"),
        "the real wait: 600 s less 100"
    );
    assert_eq!(
        login_via(&app, "203.0.113.3").await.0,
        422,
        "another client"
    );
    // The audit log has the client's address, not the proxy's.
    let ips: Vec<String> = kansli::db::read(&app.state.pool, |c| {
        let mut s =
            c.prepare("SELECT DISTINCT ip FROM audit_log WHERE action = 'applicant_login_failed'")?;
        let rows = s.query_map([], |r| r.get(0))?;
        rows.collect()
    })
    .await
    .unwrap();
    assert_eq!(
        ips,
        vec!["203.0.113.2".to_string(), "203.0.113.3".to_string()]
    );
}

#[tokio::test]
async fn a_forged_forwarded_header_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    for i in 0..30 {
        let forged = format!("203.0.113.{i}");
        assert_eq!(login_via(&app, &forged).await.0, 422);
    }
    assert_eq!(login_via(&app, "203.0.113.200").await.0, 429);
}

#[tokio::test]
async fn missing_assets_and_bad_paths_get_complete_error_pages_even_at_once() {
    let app = spawn_app().await;
    let paths = [
        "/assets/nope.css",
        "/assets/..%2Fschema.sql",
        "/assets/",
        "/no/such/page",
        "/cases/not-a-number",
        "/applications/zzz/pages/x",
        "/staff/cases/1",
    ];
    let mut waiting = Vec::new();
    for round in 0..4 {
        for path in paths {
            let client = app.new_browser();
            let lang = if round % 2 == 0 { "sv" } else { "en" };
            waiting.push(tokio::spawn(async move {
                let res = client
                    .client
                    .get(client.url(path))
                    .header("Cookie", format!("kansli_lang={lang}"))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{path}: no answer: {e}"));
                let status = res.status().as_u16();
                let body = res.text().await.unwrap();
                (path, status, body)
            }));
        }
    }
    for w in waiting {
        let (path, status, body) = w.await.unwrap();
        assert!((300..500).contains(&status), "{path}: {status}");
        if status >= 400 {
            assert!(body.contains("</html>"), "{path}: a whole page: {body:?}");
        }
    }
}

#[tokio::test]
async fn a_back_or_next_that_would_leave_the_site_goes_to_the_default_page() {
    let app = spawn_app().await;
    for back in [
        "/%09/evil.example/",
        "/%0d%0a/evil.example",
        "//evil.example",
        "/%5Cevil.example",
    ] {
        let res = app.get(&format!("/lang/en?back={back}")).await;
        assert_redirect(&res, "/");
        let res = app.get(&format!("/login?next={back}")).await;
        let page = html_of(res).await;
        assert!(
            value_of(&page, "input[name=next]").is_none_or(|v| !v.contains("evil")),
            "{back}: the login form does not carry it on"
        );
    }
    assert_redirect(&app.get("/lang/en?back=/help/login").await, "/help/login");
}

/// Production mode with every outside service it requires.
fn production_settings(s: &mut kansli::settings::Settings) {
    let key_file = s.data_dir.join("credentials-secret.key");
    std::fs::write(&key_file, kansli::domain::secret::SealingKey::generate().1).unwrap();
    s.secret_key_file = Some(key_file);
    s.mode = kansli::settings::Mode::Production;
    s.dev_mailbox = Some(false);
    s.contact = kansli::settings::ContactSettings {
        organisation_name: "Kommunen".into(),
        organisation_number: "555000-0003".into(),
        phone: "010-123 45 67".into(),
        email: "e@kommunen.example".into(),
        postal_address: "Kommunen, 123 45 Staden".into(),
        ..Default::default()
    };
    s.base_url = Some("https://kansli.example".into());
    s.payment = Some(kansli::settings::PaymentSettings {
        page_origin: None,
        url: "https://pay.example/api".into(),
        api_key: "key".to_string().into(),
    });
    s.smtp = Some(kansli::settings::SmtpSettings {
        host: "127.0.0.1".into(),
        port: 2525,
        security: kansli::settings::SmtpSecurity::Plain,
        username: None,
        password: None,
        from: "noreply@kansli.example".into(),
    });
    s.sms = Some(kansli::settings::SmsSettings {
        url: "http://127.0.0.1:9/sms".into(),
        username: None,
        password: None,
        sender: "MIGR".into(),
    });
}
