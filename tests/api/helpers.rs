//! `TestApp`: the real application on port 0, with its own SQLite file and a
//! manual clock; an HTTP client that keeps cookies and never follows redirects.
use std::sync::{Arc, Mutex};

use kansli::clock::Clock;
use kansli::db::outbox::Queued;
use kansli::settings::Settings;
use kansli::startup::Application;
use kansli::state::AppState;
use reqwest::header::HeaderMap;
use reqwest::Response;
use scraper::{Html, Selector};

pub const PASSWORD: &str = "lingonberries under a violet moon";
/// 2026-11-21 08:00 UTC: tests start here and move the clock by hand.
pub const START: i64 = 1_795_248_000;

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub clock: Clock,
    pub client: reqwest::Client,
    pub cookies: Arc<reqwest::cookie::Jar>,
    pub dir: Arc<tempfile::TempDir>,
}

pub fn test_settings(dir: &std::path::Path) -> Settings {
    Settings {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.to_path_buf(),
        schedule: kansli::settings::Schedule {
            cleanup: String::new(),
            outbox: String::new(),
        },
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    spawn_app_in(dir, Clock::manual(START), adjust).await
}

/// Starts an app on an existing data directory (a "restart").
pub async fn spawn_app_in(
    dir: Arc<tempfile::TempDir>,
    clock: Clock,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = test_settings(dir.path());
    adjust(&mut settings);
    settings.validate().expect("valid test settings");
    let app = Application::build(settings, clock.clone())
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let cookies = Arc::new(reqwest::cookie::Jar::default());
    TestApp {
        address,
        state,
        clock,
        client: client(cookies.clone()),
        cookies,
        dir,
    }
}

fn client(cookies: Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(cookies)
        .build()
        .unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A second browser: its own cookies, same server.
    pub fn new_browser(&self) -> TestApp {
        let cookies = Arc::new(reqwest::cookie::Jar::default());
        TestApp {
            address: self.address.clone(),
            state: self.state.clone(),
            clock: self.clock.clone(),
            client: client(cookies.clone()),
            cookies,
            dir: self.dir.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> Html {
        Html::parse_document(&self.get(path).await.text().await.unwrap())
    }

    /// The CSRF token of the form posting to `action` on `page`.
    pub async fn csrf(&self, page: &str, action: &str) -> String {
        let html = self.get_html(page).await;
        let sel =
            Selector::parse(&format!(r#"form[action="{action}"] input[name="csrf"]"#)).unwrap();
        html.select(&sel)
            .next()
            .unwrap_or_else(|| panic!("no form posting to {action} on {page}"))
            .value()
            .attr("value")
            .unwrap()
            .to_string()
    }

    /// Posts a form as a browser would: with the page's CSRF token and a same-origin Origin.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(page, action).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all, HeaderMap::new()).await
    }

    pub async fn post_raw(
        &self,
        action: &str,
        fields: &[(&str, &str)],
        headers: HeaderMap,
    ) -> Response {
        self.client
            .post(self.url(action))
            .header("Origin", &self.address)
            .headers(headers)
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn messages(&self) -> Vec<Queued> {
        kansli::db::read(&self.state.pool, |c| kansli::db::outbox::latest(c, 1000))
            .await
            .unwrap()
    }

    pub async fn messages_to(&self, recipient: &str) -> Vec<Queued> {
        self.messages()
            .await
            .into_iter()
            .filter(|m| m.recipient == recipient)
            .collect()
    }

    /// The code in the newest message to `recipient`.
    pub async fn code_for(&self, recipient: &str) -> String {
        let latest = self
            .messages_to(recipient)
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no message to {recipient}"));
        latest
            .text
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap_or_else(|| panic!("no code in {:?}", latest.text))
            .to_string()
    }

    /// Fills in the create-account form with the standard password; the code is then waiting.
    pub async fn start_account(&self, email: &str) -> Response {
        self.submit(
            "/account/create",
            "/account/create",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("password_repeat", PASSWORD),
            ],
        )
        .await
    }

    /// Posts the two-step phone form.
    pub async fn submit_phone(&self, country: &str, phone: &str, acknowledged: bool) -> Response {
        let mut fields = vec![("country", country), ("phone", phone)];
        if acknowledged {
            fields.push(("acknowledged", "yes"));
        }
        self.submit("/account/two-step", "/account/two-step", &fields)
            .await
    }

    /// Creates and confirms an account; the browser ends up logged in.
    pub async fn create_account(&self, email: &str) {
        assert_redirect(&self.start_account(email).await, "/account/confirm");
        let code = self.code_for(email).await;
        let res = self
            .submit("/account/confirm", "/account/confirm", &[("code", &code)])
            .await;
        assert_redirect(&res, "/account/created");
    }

    /// Turns on two-step verification for the logged-in account.
    pub async fn enable_two_step(&self, phone: &str) {
        assert_redirect(
            &self.submit_phone("+46", phone, true).await,
            "/account/two-step/verify",
        );
        let e164 = kansli::domain::phone::Phone::parse(Some("+46"), phone).unwrap();
        let code = self.code_for(e164.as_str()).await;
        let res = self
            .submit(
                "/account/two-step/verify",
                "/account/two-step/verify",
                &[("code", &code)],
            )
            .await;
        assert_redirect(&res, "/account?twostep=on");
    }

    pub async fn logout(&self) {
        let res = self.submit("/account", "/logout", &[]).await;
        assert_redirect(&res, "/?logged_out=1");
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.cookies.cookies(&self.address.parse().unwrap())?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("kansli_session=").map(str::to_string))
    }
}

pub fn assert_redirect(res: &Response, location: &str) {
    assert_eq!(
        res.status().as_u16(),
        303,
        "expected a redirect to {location}, got {}",
        res.status()
    );
    assert_eq!(res.headers()["location"].to_str().unwrap(), location);
}

pub fn select_text(html: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap();
    html.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

pub fn first_text(html: &Html, selector: &str) -> String {
    select_text(html, selector)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

pub async fn html_of(res: Response) -> Html {
    Html::parse_document(&res.text().await.unwrap())
}

/// A minimal SMTP server on loopback that records every message it accepts.
pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 sink ESMTP\r\n").await.ok();
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                store.lock().unwrap().push(std::mem::take(body));
                                data = None;
                                write.write_all(b"250 queued\r\n").await.ok();
                            } else {
                                body.push_str(line.strip_prefix('.').unwrap_or(&line));
                                body.push('\n');
                            }
                            continue;
                        }
                        let verb = line
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok();
                                break;
                            }
                            _ => b"502 not implemented\r\n",
                        };
                        write.write_all(reply).await.ok();
                    }
                });
            }
        });
        SmtpSink { port, received }
    }
}
