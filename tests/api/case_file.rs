//! The caseworker's case page: the answers as the applicant's review page shows
//! them, documents as thumbnails that open full size, and a timeline with the time
//! of day in Sweden and who acted.
use crate::helpers::*;
use kansli::domain::date::time_in_sweden;
use kansli::domain::staff::Role;
use scraper::Selector;

/// A visit-visa application filled in through its pages (with its passport photo),
/// approved and paid for. Returns the app, its verification number and when it was submitted.
async fn submitted_through_the_pages() -> (TestApp, String, i64) {
    let (app, reference) = complete().await;
    assert_eq!(approve(&app, &reference, true).await.status(), 303);
    pay_fully(&app, &reference, APPROVED).await;
    let at = app.clock.now();
    let number = first_text(
        &app.get_html("/account").await,
        ".case .verification-number",
    );
    (app, number, at)
}

#[tokio::test]
async fn the_case_page_shows_labels_option_texts_and_documents_as_the_review_page_does() {
    let (app, number, _) = submitted_through_the_pages().await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let case = cw.get_html(&format!("/staff/cases/{number}")).await;
    assert_eq!(fact(&case, "Syfte med resan"), "Besöka familj eller vänner");
    assert_eq!(
        fact(&case, "Hur betalar du resan och vistelsen?"),
        "Den jag besöker betalar"
    );
    assert_eq!(fact(&case, "Medborgarskap"), "Ukraina");
    assert_eq!(
        fact(&case, "Har du besökt Schengenområdet tidigare?"),
        "Nej"
    );

    // The passport photo: a thumbnail that opens the full-size file.
    let link = Selector::parse("figure.document a").unwrap();
    let a = case.select(&link).next().expect("a document link");
    let full = a.value().attr("href").unwrap().to_string();
    let img = a
        .select(&Selector::parse("img").unwrap())
        .next()
        .expect("a thumbnail");
    let thumb = img.value().attr("src").unwrap().to_string();
    assert!(full.starts_with("/staff/documents/"), "{full}");
    assert_eq!(thumb, format!("{full}?thumbnail=1"));
    assert!(img.value().attr("alt").unwrap().contains("pass.jpg"));
    for path in [&full, &thumb] {
        let res = cw.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], "image/jpeg");
    }

    // In English, the same answers in English.
    cw.get("/lang/en?back=/staff").await;
    let case = cw.get_html(&format!("/staff/cases/{number}")).await;
    assert_eq!(
        fact(&case, "Purpose of the journey"),
        "Visiting family or friends"
    );
    assert_eq!(fact(&case, "Citizenship"), "Ukraine");
}

#[tokio::test]
async fn the_timeline_gives_the_time_in_sweden_and_who_acted() {
    let (app, number, submitted_at) = submitted_through_the_pages().await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    app.clock.advance(20 * 60);
    let moved_at = app.clock.now();
    assert_eq!(
        change_status(&cw, &number, "in_progress", "")
            .await
            .status(),
        303
    );

    let case = cw.get_html(&format!("/staff/cases/{number}")).await;
    let times = select_text(&case, "ol.timeline .timeline-time");
    assert_eq!(
        times,
        vec![time_in_sweden(submitted_at), time_in_sweden(moved_at)]
    );
    let actors = select_text(&case, "ol.timeline .timeline-actor");
    assert_eq!(actors, vec!["Av: den sökande", "Av: cw@agency.se"]);

    // The applicant's own timeline names no caseworker.
    let mine = app.get_html(&format!("/cases/{number}")).await;
    assert!(select_text(&mine, "ol.timeline .timeline-actor").is_empty());
    assert!(!first_text(&mine, "ol.timeline").contains("cw@agency.se"));
}

#[tokio::test]
async fn the_whole_case_downloads_as_a_zip_with_a_printable_page_documents_timeline_and_payment() {
    use std::io::Read;
    let (app, number, _) = submitted_through_the_pages().await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let case = cw.get_html(&format!("/staff/cases/{number}")).await;
    let path = href_of(&case, "a[href$='/archive.zip']");
    assert_eq!(path, format!("/staff/cases/{number}/archive.zip"));

    let res = cw.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"case-{number}.zip\"").as_str()
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut out = Vec::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the archive"))
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let page = scraper::Html::parse_document(&String::from_utf8(read("case.html")).unwrap());
    assert_eq!(fact(&page, "Syfte med resan"), "Besöka familj eller vänner");
    let sel = Selector::parse("figure.document img").unwrap();
    let src = page
        .select(&sel)
        .next()
        .expect("the passport photo")
        .value()
        .attr("src")
        .unwrap()
        .to_string();
    assert!(
        src.starts_with("documents/") && src.ends_with("-pass.jpg"),
        "{src}"
    );
    assert!(read(&src).starts_with(&[0xFF, 0xD8]), "the JPEG itself");
    assert_eq!(select_text(&page, "ol.timeline li").len(), 1);

    let timeline = String::from_utf8(read("timeline.csv")).unwrap();
    assert!(timeline.starts_with('\u{feff}'));
    assert_eq!(timeline.lines().count(), 2, "{timeline}");
    assert!(timeline.contains("applicant"));
    let payment = String::from_utf8(read("payment.csv")).unwrap();
    assert_eq!(payment.lines().count(), 2, "{payment}");
    assert!(payment.contains("kr"), "{payment}");

    let audit = audit_rows(&app, "case_exported").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].1.as_deref(), Some(number.as_str()));
    assert_eq!(audit[0].2.as_deref(), Some("1 documents"));
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    assert_eq!(desk.get(&path).await.status(), 403);
    assert_eq!(
        cw.get("/staff/cases/00000000-00/archive.zip")
            .await
            .status(),
        404
    );
}
