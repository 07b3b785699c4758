//! The reference for My Page rendered (tests/bench/run.sh): the least an actix-web +
//! rusqlite + maud server does to show a person's 20 cases. A session looked up by
//! its cookie, the cases read by one indexed query, the same page (shell, 20 case
//! blocks, settings, footer: about 14 KB) rendered every time. Nothing else: no
//! security headers, CSRF, access log, metrics, page cache or language. Like
//! Kansli's short reads (`db::quick_read`), it queries on the event loop's thread.
//! Listens on the address given as argument, with its database in a temporary
//! directory; the session cookie to send is `s=bench`.
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use maud::{html, Markup, DOCTYPE};
use r2d2_sqlite::rusqlite::{params, OptionalExtension};
use r2d2_sqlite::SqliteConnectionManager;

type Pool = r2d2::Pool<SqliteConnectionManager>;

struct Case {
    verification: String,
    title: String,
    submitted: String,
    status: String,
}

fn fill(pool: &Pool) {
    let conn = pool.get().unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE sessions (id TEXT PRIMARY KEY, account_id INTEGER, email TEXT);
         CREATE TABLE cases (id INTEGER PRIMARY KEY, account_id INTEGER, verification TEXT,
                             title TEXT, submitted TEXT, status TEXT);
         CREATE INDEX cases_account ON cases (account_id, submitted, id, verification, title, status);
         INSERT INTO sessions VALUES ('bench', 1, 'cases20@example.se');",
    )
    .unwrap();
    for i in 0..20 {
        conn.execute(
            "INSERT INTO cases (account_id, verification, title, submitted, status) VALUES (1, ?1, 'Arbetstillstånd', '2026-11-21', 'received')",
            params![format!("{:08}-{:02}", 87_974_122 + i, i)],
        )
        .unwrap();
    }
}

async fn my_page(req: HttpRequest, pool: web::Data<Pool>) -> HttpResponse {
    let Some(session) = req.cookie("s") else {
        return HttpResponse::Unauthorized().finish();
    };
    let conn = pool.get().unwrap();
    let Some((account, email)): Option<(i64, String)> = conn
        .prepare_cached("SELECT account_id, email FROM sessions WHERE id = ?1")
        .unwrap()
        .query_row([session.value()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .unwrap()
    else {
        return HttpResponse::Unauthorized().finish();
    };
    let cases: Vec<Case> = conn
        .prepare_cached("SELECT verification, title, submitted, status FROM cases WHERE account_id = ?1 ORDER BY submitted DESC, id DESC")
        .unwrap()
        .query_map([account], |r| {
            Ok(Case {
                verification: r.get(0)?,
                title: r.get(1)?,
                submitted: r.get(2)?,
                status: r.get(3)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page(&email, &cases).into_string())
}

fn page(email: &str, cases: &[Case]) -> Markup {
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Mina sidor – Kansli e-tjänster" }
                link rel="icon" href="/assets/favicon.svg?v=f25e0ad744" type="image/svg+xml";
                link rel="stylesheet" href="/assets/kansli.css?v=8aa70474b0";
                script src="/assets/session.js?v=76b9b7bfa8" defer {}
                script src="/assets/countdown.js?v=7a89e0e85e" defer {}
                script src="/assets/print.js?v=d09c7893c0" defer {}
            }
            body data-idle-seconds="1800" data-warn-seconds="120" {
                a.skip-link href="#main" { "Hoppa till innehållet" }
                header.site-header { div.wrap.header-row {
                    a.brand href="/" { span.brand-mark aria-hidden="true" { "K" } span { "Kansli e-tjänster" } }
                    nav.header-nav aria-label="Huvudmeny" {
                        a href="/lang/en?back=/account" lang="en" hreflang="en" { "In English" }
                        a href="/account" { "Mina sidor" }
                        span.who { (email) }
                        form method="post" action="/logout" class="inline-form" {
                            input type="hidden" name="csrf" value="WTKOxY3CLlNFjmG2TWE3OP6GGXj7pVYx8Y20RmMGudM";
                            button.link-button type="submit" { "Logga ut" }
                        }
                    }
                } }
                div.dev-banner role="note" { div.wrap {
                    strong { "Utvecklingsläge: inga e-postmeddelanden eller sms lämnar den här datorn." } " "
                    a href="/dev/mailbox" { "Öppna utvecklarbrevlådan" }
                } }
                main.wrap #main tabindex="-1" {
                    h1 { "Mina sidor" }
                    div.notice.notice-info { p { "Du loggade in med bara lösenord. Slå på tvåstegsverifiering för att se mer om dina ansökningar, till exempel dina svar, handlingar och kvitton." } }
                    h2 { "Ofärdiga ansökningar" }
                    p { "Du har inga ansökningar ännu." }
                    p { a.button href="/applications/new" { "Påbörja en ny ansökan" } }
                    h2 { "Inskickade ansökningar" }
                    ul.case-list {
                        @for c in cases {
                            li.case {
                                h3 { a href={ "/cases/" (c.verification) } { (c.title) } }
                                dl.summary-list {
                                    div { dt { "Kontrollnummer" } dd.verification-number { (c.verification) } }
                                    div { dt { "Inskickad" } dd { (c.submitted) } }
                                    div { dt { "Status" } dd { strong.status-tag { @if c.status == "received" { "Mottagen" } @else { (c.status) } } " Vi har tagit emot din ansökan och din betalning." } }
                                    div { dt { "Nästa steg" } dd { "En handläggare kommer att börja arbeta med din ansökan. Du behöver inte göra något nu; vi kontaktar dig om vi behöver mer information." } }
                                }
                            }
                        }
                    }
                    h2 { "Kontoinställningar" }
                    dl.summary-list {
                        div { dt { "E-postadress (användarnamn)" } dd { (email) " " a href="/account/email" { "Ändra" span.visually-hidden { " E-postadress (användarnamn)" } } } }
                        div { dt { "Lösenord" } dd { a href="/account/password" { "Byt lösenord" } } }
                        div { dt { "Tvåstegsverifiering" } dd { "Av. " a href="/account/two-step" { "Slå på tvåstegsverifiering" } } }
                        div { dt { "Där du är inloggad" } dd { a href="/account/sessions" { "Se och logga ut enheter" } } }
                        div { dt { "E-legitimation" } dd { "Inte kopplat. Logga in med e-legitimation för att koppla ditt konto." } }
                    }
                }
                footer.site-footer { div.wrap {
                    nav aria-label="Om e-tjänsten" { ul.footer-links {
                        li { a href="/help/login" { "Så loggar du in" } }
                        li { a href="/help/support" { "Teknisk support" } }
                        li { a href="/contact" { "Kontakta oss" } }
                        li { a href="/accessibility" { "Tillgänglighet" } }
                        li { a href="/privacy" { "Personuppgifter" } }
                        li { a href="/terms" { "Användarvillkor" } }
                        li { a href="/cookies" { "Kakor" } }
                    } }
                    p { "Kansli – e-tjänster för uppehållstillstånd, arbetstillstånd, visum och medborgarskap." }
                } }
                div #idle-warning .idle-warning role="alertdialog" aria-labelledby="idle-warning-title" aria-describedby="idle-warning-text" hidden {
                    h2 #idle-warning-title { "Du loggas snart ut" }
                    p #idle-warning-text { "För din säkerhet loggas du ut efter 30 minuter då ingen sida har skickats eller öppnats; att bara skriva räknas inte. Du loggas ut om 2 minuter. Välj Fortsätt vara inloggad för att fortsätta: på en sida i ansökan börjar även sidans 30 minuter om." }
                    button #idle-stay .button type="button" { "Fortsätt vara inloggad" }
                }
            }
        }
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18082".into());
    let dir = tempfile::tempdir()?;
    let pool = r2d2::Pool::new(SqliteConnectionManager::file(dir.path().join("minimal.db")))
        .expect("a connection pool");
    fill(&pool);
    let pool = web::Data::new(pool);
    HttpServer::new(move || {
        App::new()
            .app_data(pool.clone())
            .route("/account", web::get().to(my_page))
    })
    .bind(addr)?
    .run()
    .await
}
