use crate::helpers::*;

async fn enter_code(app: &TestApp, code: &str) -> reqwest::Response {
    app.submit("/account/confirm", "/account/confirm", &[("code", code)])
        .await
}

#[tokio::test]
async fn creating_an_account_emails_a_code_that_confirms_it_and_logs_in() {
    let app = spawn_app().await;
    let res = app.start_account("Anna.Svensson@Example.se").await;
    assert_redirect(&res, "/account/confirm");
    let mail = app.messages_to("anna.svensson@example.se").await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "Din kod för att bekräfta ditt konto");
    assert!(mail[0]
        .html
        .as_deref()
        .unwrap()
        .contains("<html lang=\"sv\">"));

    // Not usable before the code is entered.
    let other = app.new_browser();
    let res = other.login("anna.svensson@example.se", PASSWORD).await;
    assert_eq!(res.status(), 422);

    let code = app.code_for("anna.svensson@example.se").await;
    assert_redirect(&enter_code(&app, &code).await, "/account/created");
    let html = app.get_html("/account/created").await;
    assert!(
        !select_text(&html, "a[href='/account/two-step']").is_empty(),
        "two-step is offered at creation"
    );
    let html = app.get_html("/account").await;
    assert!(first_text(&html, ".summary-list").contains("anna.svensson@example.se"));
    assert_redirect(
        &other.login("anna.svensson@example.se", PASSWORD).await,
        "/account",
    );
}

#[tokio::test]
async fn a_wrong_code_says_how_many_tries_are_left_and_the_fifth_wrong_try_voids_it() {
    let app = spawn_app().await;
    app.start_account("a@example.se").await;
    let code = app.code_for("a@example.se").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        let res = enter_code(&app, wrong).await;
        assert_eq!(res.status(), 422);
        let html = html_of(res).await;
        assert!(first_text(&html, "#code-error").contains(&left.to_string()));
        assert_eq!(
            first_text(&html, ".error-summary a[href='#code']"),
            first_text(&html, "#code-error")
        );
    }
    let html = html_of(enter_code(&app, wrong).await).await;
    assert!(first_text(&html, "#code-error").contains("kan inte användas längre"));
    let html = html_of(enter_code(&app, &code).await).await;
    assert!(
        first_text(&html, "#code-error").contains("kan inte användas längre"),
        "the right code is void too"
    );
}

#[tokio::test]
async fn the_email_code_is_accepted_at_29_59_and_refused_at_30_01() {
    let app = spawn_app().await;
    app.start_account("a@example.se").await;
    let code = app.code_for("a@example.se").await;
    app.clock.advance(15 * 60);
    app.get("/account/confirm").await; // keeps the session alive; the code's own limit is what is tested
    app.clock.advance(15 * 60 + 1);
    let html = html_of(enter_code(&app, &code).await).await;
    assert!(first_text(&html, "#code-error").contains("gäller inte längre"));

    let app = spawn_app().await;
    app.start_account("b@example.se").await;
    let code = app.code_for("b@example.se").await;
    app.clock.advance(29 * 60 + 59);
    assert_redirect(&enter_code(&app, &code).await, "/account/created");
}

#[tokio::test]
async fn a_code_that_is_not_six_digits_is_refused_without_using_a_try() {
    let app = spawn_app().await;
    app.start_account("a@example.se").await;
    for bad in ["", "12345", "abcdef"] {
        let html = html_of(enter_code(&app, bad).await).await;
        assert_eq!(select_text(&html, "#code-error").len(), 1);
    }
    let code = app.code_for("a@example.se").await;
    assert_redirect(&enter_code(&app, &code).await, "/account/created");
}

#[tokio::test]
async fn a_new_code_can_be_sent_but_not_more_than_once_a_minute_and_only_the_latest_works() {
    let app = spawn_app().await;
    app.start_account("a@example.se").await;
    let first = app.code_for("a@example.se").await;
    let res = app
        .submit("/account/confirm", "/account/confirm/resend", &[])
        .await;
    assert_redirect(&res, "/account/confirm?wait=1");
    assert_eq!(app.messages_to("a@example.se").await.len(), 1);
    app.clock.advance(61);
    let res = app
        .submit("/account/confirm", "/account/confirm/resend", &[])
        .await;
    assert_redirect(&res, "/account/confirm?sent=1");
    assert_eq!(app.messages_to("a@example.se").await.len(), 2);
    let second = app.code_for("a@example.se").await;
    if first != second {
        assert_eq!(enter_code(&app, &first).await.status(), 422);
    }
    assert_redirect(&enter_code(&app, &second).await, "/account/created");
}

#[tokio::test]
async fn an_address_that_already_has_an_account_gets_the_same_page_and_the_owner_is_told() {
    let app = spawn_app().await;
    app.create_account("owner@example.se").await;
    let intruder = app.new_browser();
    let res = intruder.start_account("OWNER@example.se").await;
    assert_redirect(&res, "/account/confirm");
    let mail = app.messages_to("owner@example.se").await;
    assert_eq!(mail.len(), 2);
    assert_eq!(
        mail[0].subject,
        "Någon försökte skapa ett konto med din e-postadress"
    );
    assert!(
        !mail[0]
            .text
            .split(|c: char| !c.is_ascii_digit())
            .any(|w| w.len() == 6),
        "no code is sent to the owner"
    );
    // The intruder's page looks the same, and no code works.
    let html = intruder.get_html("/account/confirm").await;
    assert_eq!(first_text(&html, "h1"), "Bekräfta din e-postadress");
    let res = intruder
        .submit(
            "/account/confirm",
            "/account/confirm",
            &[("code", "123456")],
        )
        .await;
    assert_eq!(res.status(), 422);
    // The owner's password is unchanged.
    assert_redirect(
        &app.new_browser().login("owner@example.se", PASSWORD).await,
        "/account",
    );
}

#[tokio::test]
async fn weak_short_and_mismatched_passwords_are_refused_with_the_reason_and_the_email_kept() {
    let app = spawn_app().await;
    let cases = [
        ("short pw", "short pw", "password", "minst 12 tecken"),
        (
            "password1234",
            "password1234",
            "password",
            "svårare att gissa",
        ),
        (
            "zzzzzzzzzzzzzz",
            "zzzzzzzzzzzzzz",
            "password",
            "Upprepade tecken",
        ),
        (
            "annasvensson2024",
            "annasvensson2024",
            "password",
            "svårare att gissa",
        ),
        (
            PASSWORD,
            "something else entirely",
            "password_repeat",
            "inte lika",
        ),
    ];
    for (password, repeat, field, reason) in cases {
        let res = app
            .submit(
                "/account/create",
                "/account/create",
                &[
                    ("email", "annasvensson@example.se"),
                    ("password", password),
                    ("password_repeat", repeat),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{password}");
        let html = html_of(res).await;
        let message = first_text(&html, &format!("#{field}-error"));
        assert!(message.contains(reason), "{password}: {message}");
        assert_eq!(
            value_of(&html, "#email").as_deref(),
            Some("annasvensson@example.se")
        );
        let sel = scraper::Selector::parse(&format!("#{field}")).unwrap();
        let input = html.select(&sel).next().unwrap();
        assert_eq!(input.value().attr("aria-invalid"), Some("true"));
        assert!(input
            .value()
            .attr("aria-describedby")
            .unwrap()
            .contains(&format!("{field}-error")));
    }
    assert!(app.messages().await.is_empty());
}

#[tokio::test]
async fn passwords_of_128_characters_are_allowed() {
    let app = spawn_app().await;
    let long: String = "ett långt lösenord med många ord "
        .repeat(4)
        .chars()
        .take(128)
        .collect();
    let res = app
        .submit(
            "/account/create",
            "/account/create",
            &[
                ("email", "long@example.se"),
                ("password", &long),
                ("password_repeat", &long),
            ],
        )
        .await;
    assert_redirect(&res, "/account/confirm");
}

#[tokio::test]
async fn an_invalid_email_address_is_refused_in_the_persons_language() {
    let app = spawn_app().await;
    app.get("/lang/en?back=/").await;
    // Dots a mail server refuses are refused here, before a code that could never arrive.
    for typed in [
        "not-an-address",
        "anna..svensson@x.se",
        ".anna@x.se",
        "anna.@x.se",
    ] {
        let res = app.start_account(typed).await;
        let html = html_of(res).await;
        assert_eq!(
            first_text(&html, "#email-error"),
            "Enter an email address in the correct format, like name@example.com",
            "{typed}"
        );
        assert_eq!(first_text(&html, ".error-summary h2"), "There is a problem");
    }
    assert!(app.messages().await.is_empty(), "no code was queued");
}

#[tokio::test]
async fn registering_again_with_an_unconfirmed_address_sends_a_new_code() {
    let app = spawn_app().await;
    app.start_account("late@example.se").await;
    // The first browser left: its session is idle past 30 minutes, so its sign-up no
    // longer holds the address (while it is live, see the test below).
    app.clock.advance(31 * 60);
    let other = app.new_browser();
    let new_password = "a completely different passphrase";
    other
        .submit(
            "/account/create",
            "/account/create",
            &[
                ("email", "late@example.se"),
                ("password", new_password),
                ("password_repeat", new_password),
            ],
        )
        .await;
    let code = other.code_for("late@example.se").await;
    assert_redirect(&enter_code(&other, &code).await, "/account/created");
    assert_redirect(
        &app.new_browser()
            .login("late@example.se", new_password)
            .await,
        "/account",
    );
}

#[tokio::test]
async fn pages_for_logged_in_people_send_others_to_the_login_page() {
    let app = spawn_app().await;
    for path in [
        "/account",
        "/account/created",
        "/account/two-step",
        "/account/two-step/off",
        "/account/confirm",
        "/account/email",
        "/account/email/verify",
        "/account/password",
        "/account/two-step/verify",
        "/applications/new",
        "/login/sms",
    ] {
        assert_redirect(&app.get(path).await, "/login");
    }
}

/// Issue 15, item 1: the victim signs up, an attacker signs up the same address with
/// their own password, the victim confirms with the newest code. The account must
/// open with the victim's password only.
#[tokio::test]
async fn a_second_sign_up_of_a_pending_address_cannot_set_its_password() {
    let app = spawn_app().await;
    let victim = app.new_browser();
    victim.start_account("anna@example.se").await;
    let attacker = app.new_browser();
    let attacker_password = "the attacker's own long passphrase";
    let res = attacker
        .submit(
            "/account/create",
            "/account/create",
            &[
                ("email", "anna@example.se"),
                ("password", attacker_password),
                ("password_repeat", attacker_password),
            ],
        )
        .await;
    // The attacker sees the same next page as anyone signing up.
    assert_redirect(&res, "/account/confirm");
    // The address's owner is told that someone tried, and no second code was sent.
    let mails = app.messages_to("anna@example.se").await;
    assert_eq!(
        mails[0].subject,
        "Någon försökte skapa ett konto med din e-postadress"
    );
    assert_eq!(mails.len(), 2, "the first code and the warning");

    // The victim types the code of the email they got (the newest one with a code).
    let code = mails
        .iter()
        .find_map(|m| {
            m.text
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| w.len() == 6)
                .map(str::to_string)
        })
        .expect("the confirmation code");
    let res = victim
        .submit("/account/confirm", "/account/confirm", &[("code", &code)])
        .await;
    assert_redirect(&res, "/account/created");
    victim.logout().await;

    let outsider = app.new_browser();
    let res = outsider.login("anna@example.se", attacker_password).await;
    assert_ne!(
        res.headers().get("location").and_then(|l| l.to_str().ok()),
        Some("/account"),
        "the attacker's password opened the account"
    );
    assert_redirect(&victim.login("anna@example.se", PASSWORD).await, "/account");
}

/// Signing up again from the same browser (the code did not arrive, the form was
/// sent twice) is the same person: it restarts the sign-up with a new code.
#[tokio::test]
async fn signing_up_again_in_the_same_browser_sends_a_new_code_that_works() {
    let app = spawn_app().await;
    app.start_account("anna@example.se").await;
    let res = app.start_account("anna@example.se").await;
    assert_redirect(&res, "/account/confirm");
    let mails = app.messages_to("anna@example.se").await;
    assert_eq!(mails.len(), 2, "two codes, no warning");
    let code = app.code_for("anna@example.se").await;
    let res = app
        .submit("/account/confirm", "/account/confirm", &[("code", &code)])
        .await;
    assert_redirect(&res, "/account/created");
}

/// What a browser at the confirmation step sees: the status and the answer's
/// redirect or error message.
async fn answer(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    if let Some(to) = res.headers().get("location") {
        return (status, to.to_str().unwrap().to_string());
    }
    (status, first_text(&html_of(res).await, "#code-error"))
}

#[tokio::test]
async fn signing_up_a_taken_or_pending_address_answers_like_a_new_one_at_every_step() {
    use kansli::domain::rules::MINUTE;
    let app = spawn_app().await;
    app.new_browser().create_account("taken@example.se").await;
    let waiting = app.new_browser();
    waiting.start_account("pending@example.se").await;
    let (taken, pending, fresh) = (app.new_browser(), app.new_browser(), app.new_browser());
    let browsers = [
        (&taken, "taken@example.se"),
        (&pending, "pending@example.se"),
        (&fresh, "fresh@example.se"),
    ];
    for (browser, email) in browsers {
        assert_redirect(&browser.start_account(email).await, "/account/confirm");
    }
    let all_alike = |step: &'static str| async move {
        let mut seen = Vec::new();
        for (browser, _) in browsers {
            let res = if step == "resend" {
                browser
                    .submit("/account/confirm", "/account/confirm/resend", &[])
                    .await
            } else {
                browser
                    .submit(
                        "/account/confirm",
                        "/account/confirm",
                        &[("code", "000000")],
                    )
                    .await
            };
            seen.push(answer(res).await);
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "{step}: {seen:?}");
        seen.remove(0)
    };
    // A new code at once: everyone is asked to wait.
    assert_eq!(all_alike("resend").await.1, "/account/confirm?wait=1");
    // A wrong code: the same page and the same count of tries left.
    let first = all_alike("wrong").await;
    assert_eq!(first.0, 422);
    // After the resend interval a new code is "sent" to everyone, and the count starts over.
    app.clock.advance(MINUTE + 1);
    assert_eq!(all_alike("resend").await.1, "/account/confirm?sent=1");
    assert_eq!(all_alike("wrong").await, first);
    // Every try used up: the same message (30 code requests an hour from one address).
    for _ in 0..4 {
        all_alike("wrong").await;
    }
}

#[tokio::test]
async fn ten_wrong_codes_a_day_across_new_codes_then_only_support_helps() {
    use kansli::domain::rules::MINUTE;
    let app = spawn_app().await;
    assert_redirect(&app.start_account("a@example.se").await, "/account/confirm");
    for _ in 0..2 {
        for _ in 0..5 {
            let res = app
                .submit(
                    "/account/confirm",
                    "/account/confirm",
                    &[("code", "000000")],
                )
                .await;
            assert_eq!(res.status(), 422);
        }
        app.clock.advance(MINUTE + 1);
        let res = app
            .submit("/account/confirm", "/account/confirm/resend", &[])
            .await;
        assert_redirect(&res, "/account/confirm?sent=1");
    }
    // Ten wrong codes for this address today: even the right one is refused now.
    let code = app.code_for("a@example.se").await;
    let res = app
        .submit("/account/confirm", "/account/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 422);
    let message = first_text(&html_of(res).await, "#code-error");
    assert!(message.contains("support"), "{message}");
}

#[tokio::test]
async fn a_waiting_sign_up_holds_its_address_for_half_an_hour_however_active() {
    use kansli::domain::rules::MINUTE;
    let app = spawn_app().await;
    let holder = app.new_browser();
    holder.start_account("held@example.se").await;
    // The holder keeps its session busy, asking for new codes now and then.
    for _ in 0..3 {
        app.clock.advance(10 * MINUTE);
        holder
            .submit("/account/confirm", "/account/confirm/resend", &[])
            .await;
    }
    app.clock.advance(MINUTE);
    let owner = app.new_browser();
    let before = app.messages_to("held@example.se").await.len();
    assert_redirect(
        &owner.start_account("held@example.se").await,
        "/account/confirm",
    );
    let code = app.code_for("held@example.se").await;
    assert_eq!(app.messages_to("held@example.se").await.len(), before + 1);
    let res = owner
        .submit("/account/confirm", "/account/confirm", &[("code", &code)])
        .await;
    assert_redirect(&res, "/account/created");
}

#[tokio::test]
async fn signing_up_again_does_not_start_the_days_wrong_codes_over_for_any_address() {
    use kansli::domain::rules::MINUTE;
    let app = spawn_app().await;
    app.new_browser().create_account("taken@example.se").await;
    let (taken, fresh) = (app.new_browser(), app.new_browser());
    let mut last = Vec::new();
    for (browser, email) in [(&taken, "taken@example.se"), (&fresh, "fresh@example.se")] {
        browser.start_account(email).await;
        for _ in 0..2 {
            for _ in 0..5 {
                browser
                    .submit(
                        "/account/confirm",
                        "/account/confirm",
                        &[("code", "000000")],
                    )
                    .await;
            }
            app.clock.advance(MINUTE + 1);
            browser
                .submit("/account/confirm", "/account/confirm/resend", &[])
                .await;
        }
        // Signing up again from the same browser: the day's ten wrong codes still count.
        browser.start_account(email).await;
        let res = browser
            .submit(
                "/account/confirm",
                "/account/confirm",
                &[("code", "000000")],
            )
            .await;
        last.push(first_text(&html_of(res).await, "#code-error"));
    }
    assert_eq!(last[0], last[1]);
    assert!(last[0].contains("support"), "{}", last[0]);
}

/// The messages for `n` wrong codes in a row at a new sign-up, in `lang`.
async fn wrong_code_messages(lang: &str, n: usize) -> Vec<String> {
    let app = spawn_app().await;
    app.get(&format!("/lang/{lang}?back=/")).await;
    app.start_account("one@example.se").await;
    let code = app.code_for("one@example.se").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut said = Vec::new();
    for _ in 0..n {
        let html = html_of(enter_code(&app, wrong).await).await;
        said.push(first_text(&html, "#code-error"));
    }
    said
}

#[tokio::test]
async fn counts_in_texts_take_the_singular_for_one() {
    assert_eq!(
        wrong_code_messages("sv", 4).await,
        [
            "Koden är fel. Du kan försöka 4 gånger till.",
            "Koden är fel. Du kan försöka 3 gånger till.",
            "Koden är fel. Du kan försöka 2 gånger till.",
            "Koden är fel. Du kan försöka 1 gång till.",
        ]
    );
    assert_eq!(
        wrong_code_messages("en", 4).await[2..],
        [
            "The code is wrong. You can try 2 more times.",
            "The code is wrong. You can try 1 more time.",
        ]
    );
}

#[tokio::test]
async fn a_sign_up_started_again_with_another_address_within_the_minute_uses_it() {
    let app = spawn_app().await;
    app.start_account("typo@exmaple.se").await;
    app.clock.advance(10);
    assert_redirect(
        &app.start_account("right@example.se").await,
        "/account/confirm",
    );
    let code = app.code_for("right@example.se").await;
    assert_redirect(&enter_code(&app, &code).await, "/account/created");
}

#[tokio::test]
async fn the_code_page_names_the_address_and_a_wrong_one_starts_again() {
    let app = spawn_app().await;
    // Also an address that has an account: the page answers alike.
    app.create_account("taken@example.se").await;
    app.logout().await;
    for typed in ["typo@exmaple.se", "taken@example.se"] {
        let browser = app.new_browser();
        browser.start_account(typed).await;
        let page = browser.get_html("/account/confirm").await;
        assert!(
            first_text(&page, "main").contains(&format!("till {typed}")),
            "{}",
            first_text(&page, "main")
        );
        let res = browser
            .submit("/account/confirm", "/account/confirm/restart", &[])
            .await;
        assert_redirect(&res, "/account/create");
        assert_redirect(&browser.get("/account/confirm").await, "/login");
    }
    // The mistyped sign-up is gone: its address holds nothing.
    let held: i64 = kansli::db::read(&app.state.pool, |c| {
        c.query_row(
            "SELECT count(*) FROM accounts WHERE email = 'typo@exmaple.se'",
            [],
            |r| r.get(0),
        )
    })
    .await
    .unwrap();
    assert_eq!(held, 0);
}
