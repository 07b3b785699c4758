//! Filling in an application as a browser does: starting one, posting its pages
//! with their own token and revision, uploading a photo, approving it.
use kansli::domain::documents::samples;
use reqwest::multipart::{Form, Part};
use scraper::Selector;

use super::*;

pub const APPLICANT: &[(&str, &str)] = &[
    ("family_name", "Öberg"),
    ("given_names", "Ana"),
    ("date_of_birth", "1990-05-17"),
    ("citizenship", "UA"),
    ("email", "ana@example.com"),
];

pub const PASSPORT: &[(&str, &str)] = &[
    ("passport_number", "AB1234567"),
    ("passport_expiry", "2030-01-01"),
];

/// Starts an application of `form` for the logged-in browser; returns its reference.
pub async fn start(app: &TestApp, form: &str) -> String {
    let res = app
        .submit("/applications/new", "/applications/new", &[("form", form)])
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    location.strip_prefix("/applications/").unwrap().to_string()
}

pub fn page(reference: &str, page: &str) -> String {
    format!("/applications/{reference}/pages/{page}")
}

/// Opens a page as the browser would, then posts it with the page's own token and revision.
pub async fn post_page(
    app: &TestApp,
    reference: &str,
    name: &str,
    fields: &[(&str, &str)],
    action: &str,
) -> reqwest::Response {
    let path = page(reference, name);
    let html = app.get_html(&path).await;
    post_seen(app, &html, &path, fields, action).await
}

/// Posts a page from an HTML copy the browser already had.
pub async fn post_seen(
    app: &TestApp,
    html: &scraper::Html,
    path: &str,
    fields: &[(&str, &str)],
    action: &str,
) -> reqwest::Response {
    let value = |name: &str| form_value(html, path, name);
    let (csrf, revision) = (value("csrf"), value("revision"));
    let mut all = vec![
        ("csrf", csrf.as_str()),
        ("revision", revision.as_str()),
        ("action", action),
    ];
    all.extend_from_slice(fields);
    app.post_raw(path, &all, Default::default()).await
}

pub async fn logged_in() -> TestApp {
    let app = spawn_app().await;
    app.create_account("a@example.se").await;
    app
}

/// Sends the passport page with a file through its Upload button, as a browser would.
pub async fn upload(
    app: &TestApp,
    reference: &str,
    typed: &[(&str, &str)],
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let html = app.get_html(&page(reference, "passport")).await;
    upload_from(app, &html, reference, typed, file_name, bytes).await
}

/// The same from a copy of the page the browser already had.
pub async fn upload_from(
    app: &TestApp,
    html: &scraper::Html,
    reference: &str,
    typed: &[(&str, &str)],
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let path = page(reference, "passport");
    let value = |name: &str| form_value(html, &path, name);
    let sel = Selector::parse("button[name=upload]").unwrap();
    let button = html.select(&sel).next().expect("an upload button");
    let action = button.value().attr("formaction").unwrap().to_string();
    assert_eq!(
        button.value().attr("formenctype"),
        Some("multipart/form-data")
    );
    let mut form = Form::new()
        .text("csrf", value("csrf"))
        .text("revision", value("revision"))
        .text("upload", "passport_photo_page");
    for (k, v) in typed {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "passport_photo_page",
        Part::bytes(bytes).file_name(file_name.to_string()),
    );
    app.client
        .post(app.url(&action))
        .header("Origin", &app.address)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A visit-visa application filled in to the review page, with its passport photo.
pub async fn complete() -> (TestApp, String) {
    complete_in(logged_in().await).await
}

/// [`complete`] for an app whose person is logged in already.
pub async fn complete_in(app: TestApp) -> (TestApp, String) {
    let reference = start(&app, "visit-visa").await;
    post_page(&app, &reference, "applicant", APPLICANT, "next").await;
    let res = upload(&app, &reference, &[], "pass.jpg", samples::jpeg(40, 30)).await;
    assert_redirect(&res, &page(&reference, "passport"));
    post_page(&app, &reference, "passport", PASSPORT, "next").await;
    let travel = [
        ("purpose", "family_visit"),
        ("arrival", "2027-01-10"),
        ("departure", "2027-01-20"),
        ("visited_before", "no"),
    ];
    assert_redirect(
        &post_page(&app, &reference, "travel", &travel, "next").await,
        &page(&reference, "stay"),
    );
    let stay = [
        ("host_name", "Erik"),
        ("accommodation", "Storgatan 1, Malmö"),
        ("funding", "host"),
    ];
    assert_redirect(
        &post_page(&app, &reference, "stay", &stay, "next").await,
        &format!("/applications/{reference}/review"),
    );
    (app, reference)
}

pub fn review(reference: &str) -> String {
    format!("/applications/{reference}/review")
}

pub async fn approve(app: &TestApp, reference: &str, confirm: bool) -> reqwest::Response {
    let path = review(reference);
    let html = app.get_html(&path).await;
    let action = format!("/applications/{reference}/approve");
    let value = |name: &str| form_value(&html, &action, name);
    let (csrf, revision) = (value("csrf"), value("revision"));
    let mut fields = vec![("csrf", csrf.as_str()), ("revision", revision.as_str())];
    if confirm {
        fields.push(("confirm", "yes"));
    }
    app.post_raw(&action, &fields, Default::default()).await
}

/// Starts an application of `form` and fills in its first two pages (about you,
/// and the passport with its photo); returns its reference once on `third`.
pub async fn past_the_passport(app: &TestApp, form: &str, third: &str) -> String {
    let reference = start(app, form).await;
    post_page(app, &reference, "applicant", APPLICANT, "next").await;
    upload(app, &reference, &[], "pass.jpg", samples::jpeg(40, 30)).await;
    assert_redirect(
        &post_page(app, &reference, "passport", PASSPORT, "next").await,
        &page(&reference, third),
    );
    reference
}
