//! My Page is kept as rendered for its session and served again only while
//! nothing it shows has changed (src/page_cache.rs, schema step 10).
use r2d2_sqlite::rusqlite::Connection;

use crate::helpers::*;
use kansli::domain::staff::Role;

fn status_of(page: &scraper::Html) -> String {
    first_text(page, ".case .status-tag")
}

/// Another connection to the database file, as the command line or a second
/// process would have: nothing in this process hears of its changes.
fn outside(app: &TestApp) -> Connection {
    Connection::open(app.state.settings.database_path()).unwrap()
}

#[tokio::test]
async fn my_page_is_served_again_only_while_nothing_it_shows_has_changed() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    let number = submitted(&app, "ana@example.se", "visit-visa").await;
    let first = app.get("/account").await.text().await.unwrap();
    assert_eq!(app.web.my_page.len(), 1, "kept for this session");
    let again = app.get("/account").await.text().await.unwrap();
    assert_eq!(again, first, "the kept page is the page");
    assert_eq!(
        status_of(&scraper::Html::parse_document(&first)),
        "Mottagen"
    );

    // A caseworker moves the case on: the next view shows it.
    let caseworker = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let res = change_status(&caseworker, &number, "in_progress", "").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        status_of(&app.get_html("/account").await),
        "Under handläggning"
    );

    // A change from outside the process moves the account's revision too.
    outside(&app)
        .execute("UPDATE cases SET status = 'supplement_requested'", [])
        .unwrap();
    assert_eq!(
        status_of(&app.get_html("/account").await),
        "Komplettering begärd"
    );

    // A new draft appears, and goes when the expiry job deletes it.
    app.submit(
        "/applications/new",
        "/applications/new",
        &[("form", "visit-visa")],
    )
    .await;
    let drafts = "table.drafts tbody tr";
    assert_eq!(
        select_text(&app.get_html("/account").await, drafts).len(),
        1
    );
    outside(&app)
        .execute(
            "UPDATE drafts SET expires_at = 0 WHERE submitted_at IS NULL",
            [],
        )
        .unwrap();
    let deleted = kansli::jobs::expire_drafts(&app.state.pool, app.clock.now())
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(select_text(&app.get_html("/account").await, drafts).is_empty());

    // What keeps the page fresh is the revision: without the trigger, a change is
    // not seen until something else moves the revision on.
    let conn = outside(&app);
    conn.execute("DROP TRIGGER cases_listed_update", [])
        .unwrap();
    conn.execute("UPDATE cases SET status = 'approved'", [])
        .unwrap();
    assert_eq!(
        status_of(&app.get_html("/account").await),
        "Komplettering begärd",
        "served as kept"
    );
    conn.execute("UPDATE accounts SET revision = revision + 1", [])
        .unwrap();
    assert_eq!(
        status_of(&app.get_html("/account").await),
        "Beslut: beviljad"
    );

    // The language is one of the inputs.
    app.get("/lang/en?back=/account").await;
    let english = app.get_html("/account").await;
    assert_eq!(first_text(&english, "h1"), "My Page");

    // Logging out forgets the session's page.
    app.logout().await;
    assert!(app.web.my_page.is_empty());
}

#[tokio::test]
async fn a_kept_page_is_never_shown_to_another_session_of_the_same_account() {
    let app = spawn_app().await;
    app.create_account("ana@example.se").await;
    submitted(&app, "ana@example.se", "visit-visa").await;
    let mine = app.get_html("/account").await;
    let csrf = form_value(&mine, "/logout", "csrf");

    let other = app.new_browser();
    assert_redirect(&other.login("ana@example.se", PASSWORD).await, "/account");
    let theirs = other.get_html("/account").await;
    assert_ne!(
        form_value(&theirs, "/logout", "csrf"),
        csrf,
        "each session's page carries its own CSRF token"
    );
    assert_eq!(app.web.my_page.len(), 2);
    assert_eq!(
        select_text(&theirs, ".case .verification-number"),
        select_text(&mine, ".case .verification-number")
    );
}

#[tokio::test]
async fn the_drafts_table_is_headed_application_and_two_step_pages_lead_to_turning_it_on() {
    let app = logged_in().await;
    start(&app, "visit-visa").await;
    let html = app.get_html("/account").await;
    assert_eq!(first_text(&html, "table.drafts thead th"), "Ansökan");
    assert_eq!(
        select_text(&html, "table.drafts td.date").len(),
        2,
        "started and deleted-on dates"
    );
    // A case's answers need two-step: the page that says so leads to turning it on.
    let number = submitted(&app, "a@example.se", "visit-visa").await;
    app.logout().await;
    app.login("a@example.se", PASSWORD).await;
    let reference: String = app
        .state
        .pool
        .get()
        .unwrap()
        .query_row(
            "SELECT d.reference FROM drafts d JOIN cases c ON c.draft_id = d.id WHERE c.verification = ?1",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    let page = app
        .get_html(&format!("/applications/{reference}/review"))
        .await;
    assert_eq!(
        select_text(&page, "main a[href='/account/two-step']").len(),
        1,
        "{}",
        select_text(&page, "main").concat()
    );
}
