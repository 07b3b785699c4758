//! `TestApp`: the real application on port 0, with its own SQLite file and a
//! manual clock; an HTTP client that keeps cookies and never follows redirects.
mod application;
mod binary;
mod eid;
mod payment;
mod process;
mod staff;

pub use application::*;
pub use binary::*;
pub use eid::*;
pub use payment::*;
pub use process::*;
pub use staff::*;

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
    /// The HTTP edge's own state: limits and kept pages.
    pub web: Arc<kansli::web::web_state::WebState>,
    pub clock: Clock,
    pub client: reqwest::Client,
    pub cookies: Arc<reqwest::cookie::Jar>,
    pub dir: Arc<tempfile::TempDir>,
    /// The metrics address's port, when the settings gave one.
    pub metrics_port: Option<u16>,
    /// The running server, for [`TestApp::stop`].
    server: actix_web::dev::ServerHandle,
    running: Arc<Mutex<Option<tokio::task::JoinHandle<std::io::Result<()>>>>>,
}

pub fn test_settings(dir: &std::path::Path) -> Settings {
    Settings {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.to_path_buf(),
        schedule: kansli::settings::Schedule {
            cleanup: String::new(),
            outbox: String::new(),
            drafts: String::new(),
            payments: String::new(),
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
    let metrics_port = app.metrics_port();
    let state = app.state().clone();
    let web = app.web_state().clone();
    let server = app.server_handle();
    let running = Arc::new(Mutex::new(Some(tokio::spawn(app.run_until_stopped()))));
    let cookies = Arc::new(reqwest::cookie::Jar::default());
    TestApp {
        address,
        state,
        web,
        clock,
        client: client(cookies.clone()),
        cookies,
        dir,
        metrics_port,
        server,
        running,
    }
}

fn client(cookies: Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("kansli-tests/1.0")
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
        self.new_browser_with(Arc::new(reqwest::cookie::Jar::default()))
    }

    fn new_browser_with(&self, cookies: Arc<reqwest::cookie::Jar>) -> TestApp {
        TestApp {
            address: self.address.clone(),
            state: self.state.clone(),
            web: self.web.clone(),
            clock: self.clock.clone(),
            client: client(cookies.clone()),
            cookies,
            dir: self.dir.clone(),
            metrics_port: self.metrics_port,
            server: self.server.clone(),
            running: self.running.clone(),
        }
    }

    /// The same browser (its cookies) talking to another server at `address`,
    /// e.g. the `kansli` binary started on this app's data directory.
    pub fn at(&self, address: String) -> TestApp {
        TestApp {
            address,
            ..self.new_browser_with(self.cookies.clone())
        }
    }

    /// Stops the server as a service stop would, and waits until it has let go of
    /// its data directory (another server, or a restore, may then take it).
    pub async fn stop(&self) {
        self.server.stop(true).await;
        let running = self.running.lock().unwrap().take();
        if let Some(running) = running {
            running.await.unwrap().unwrap();
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
        form_value(&self.get_html(page).await, action, "csrf")
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

    /// The newest message to `recipient` with this subject; panics if there is none.
    pub async fn message_titled(&self, recipient: &str, subject: &str) -> Queued {
        let all = self.messages_to(recipient).await;
        all.into_iter()
            .find(|m| m.subject == subject)
            .unwrap_or_else(|| panic!("no message {subject:?} to {recipient}"))
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
        let mut fields = vec![
            ("country", country),
            ("phone", phone),
            ("password", PASSWORD),
        ];
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

/// The value of input `name` in the form posting to `action` (its CSRF token, revision, ...).
pub fn form_value(html: &Html, action: &str, name: &str) -> String {
    value_of(
        html,
        &format!(r#"form[action="{action}"] input[name="{name}"]"#),
    )
    .unwrap_or_else(|| panic!("no {name} in a form posting to {action}"))
}

/// The value attribute of the first element matching `selector`.
pub fn value_of(html: &Html, selector: &str) -> Option<String> {
    let sel = Selector::parse(selector).unwrap();
    html.select(&sel)
        .next()?
        .value()
        .attr("value")
        .map(str::to_string)
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

/// The dd of the summary-list row whose dt is `term`; panics if there is none.
pub fn fact(html: &Html, term: &str) -> String {
    let row = Selector::parse("dl.summary-list > div").unwrap();
    let (dt, dd) = (
        Selector::parse("dt").unwrap(),
        Selector::parse("dd").unwrap(),
    );
    let text = |e: scraper::ElementRef, s: &Selector| {
        e.select(s)
            .next()
            .map(|x| x.text().collect::<String>().trim().to_string())
    };
    html.select(&row)
        .find(|r| text(*r, &dt).as_deref() == Some(term))
        .and_then(|r| text(r, &dd))
        .unwrap_or_else(|| panic!("no {term:?} in the summary list"))
}

pub async fn html_of(res: Response) -> Html {
    Html::parse_document(&res.text().await.unwrap())
}

/// An SMTP server on loopback (mailin-embedded) that records every message it accepts
/// and every PLAIN login it is given.
pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<String>>>,
    pub logins: Arc<Mutex<Vec<(String, String)>>>,
}

#[derive(Clone)]
struct Recorder {
    current: Vec<u8>,
    received: Arc<Mutex<Vec<String>>>,
    logins: Arc<Mutex<Vec<(String, String)>>>,
}

impl mailin_embedded::Handler for Recorder {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let message = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.received.lock().unwrap().push(message);
        mailin_embedded::response::OK
    }

    fn auth_plain(
        &mut self,
        _authorization_id: &str,
        user: &str,
        password: &str,
    ) -> mailin_embedded::Response {
        self.logins
            .lock()
            .unwrap()
            .push((user.to_string(), password.to_string()));
        mailin_embedded::response::AUTH_OK
    }
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_with(false)
    }

    /// A server that asks clients to log in (AUTH PLAIN) before sending.
    pub async fn start_with_auth() -> SmtpSink {
        Self::start_with(true)
    }

    fn start_with(auth: bool) -> SmtpSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let recorder = Recorder {
            current: Vec::new(),
            received: Arc::default(),
            logins: Arc::default(),
        };
        let (received, logins) = (recorder.received.clone(), recorder.logins.clone());
        let mut server = mailin_embedded::Server::new(recorder);
        server
            .with_name("sink.test")
            .with_ssl(mailin_embedded::SslConfig::None)
            .unwrap()
            .with_num_threads(2)
            .with_tcp_listener(listener);
        if auth {
            server.with_auth(mailin_embedded::AuthMechanism::Plain);
        }
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("SMTP sink stopped: {e}");
            }
        });
        SmtpSink {
            port,
            received,
            logins,
        }
    }
}

/// An organisation's own contact details, which production mode requires
/// (the defaults are examples).
pub const PRODUCTION_CONTACT: [(&str, &str); 5] = [
    ("KANSLI_CONTACT_ORGANISATION_NAME", "Kommunen"),
    ("KANSLI_CONTACT_ORGANISATION_NUMBER", "555000-0003"),
    ("KANSLI_CONTACT_PHONE", "010-123 45 67"),
    ("KANSLI_CONTACT_EMAIL", "e@kommunen.example"),
    ("KANSLI_CONTACT_POSTAL_ADDRESS", "Kommunen, 123 45 Staden"),
];

/// The href of the first link matching `selector`.
pub fn href_of(html: &Html, selector: &str) -> String {
    let sel = Selector::parse(selector).unwrap();
    html.select(&sel)
        .next()
        .unwrap_or_else(|| panic!("no link {selector}"))
        .value()
        .attr("href")
        .expect("an href")
        .to_string()
}
