//! The caseworkers' list as a spreadsheet: UTF-8 with a byte-order mark, cells
//! that cannot run as formulas, the list's own filters; audited.
use crate::helpers::*;
use kansli::domain::staff::Role;

#[tokio::test]
async fn the_filtered_list_downloads_as_a_safe_spreadsheet_and_the_export_is_audited() {
    let (app, number, cw) = case_for_a_caseworker().await;
    let other = submitted(&app, "ana@example.se", "citizenship").await;
    // A name a spreadsheet would run as a formula.
    kansli::db::write(&app.state.pool, |tx| {
        tx.execute(
            "UPDATE cases SET applicant_name = '=HYPERLINK(\"http://evil\",\"Öberg, Ana\")' WHERE form_id = 'visit-visa'",
            [],
        )
    })
    .await
    .unwrap();

    // The list page links to its own filters as a spreadsheet.
    let list = cw
        .get_html("/staff/cases?assigned=anyone&form=visit-visa")
        .await;
    let href = href_of(&list, ".export a");
    assert!(href.starts_with("/staff/cases.csv?"), "{href}");
    assert!(href.contains("form=visit-visa"), "{href}");

    let res = cw.get(&href).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"cases-"));
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("Kontrollnummer,Sökande,E-postadress"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with(&format!("{number},")), "{}", lines[1]);
    assert!(
        lines[1].contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"Öberg, Ana\"\")\""),
        "formula as quoted text: {}",
        lines[1]
    );
    assert!(lines[1].contains("ana@example.com"));
    assert!(lines[1].contains("Visum för besök"));
    assert!(!text.contains(&other), "the filter holds");

    let audit = audit_rows(&app, "cases_exported").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "cw@agency.se");
    assert_eq!(audit[0].2.as_deref(), Some("1 cases"));

    // Only caseworkers export; a bad filter gets the list page with its message.
    let desk = staff(&app, "desk@agency.se", Role::Support).await;
    assert_eq!(desk.get(&href).await.status(), 403);
    assert_eq!(cw.get("/staff/cases.csv?q=a%40").await.status(), 422);
    assert_eq!(audit_rows(&app, "cases_exported").await.len(), 1);
}
