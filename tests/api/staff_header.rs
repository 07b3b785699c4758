//! The staff header: who is logged in, in which role, the areas the role
//! reaches and a logout, instead of the applicants' login link.
use crate::helpers::*;
use kansli::domain::staff::Role;

fn header_links(page: &scraper::Html) -> Vec<String> {
    let sel = scraper::Selector::parse(".header-nav a").unwrap();
    page.select(&sel)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .filter(|h| !h.starts_with("/lang/"))
        .collect()
}

#[tokio::test]
async fn each_role_sees_itself_and_its_own_areas_in_the_header() {
    let app = spawn_app().await;
    for (email, role, area, role_name) in [
        (
            "desk@agency.se",
            Role::Support,
            "/staff/support",
            "(support)",
        ),
        (
            "cw@agency.se",
            Role::Caseworker,
            "/staff/cases",
            "(handläggare)",
        ),
        (
            "admin@agency.se",
            Role::Admin,
            "/staff/audit",
            "(administratör)",
        ),
    ] {
        let member = staff(&app, email, role).await;
        for path in ["/staff", area] {
            let page = member.get_html(path).await;
            assert_eq!(
                header_links(&page),
                vec!["/staff", area],
                "{email} on {path}"
            );
            let who = first_text(&page, ".header-nav .staff-who");
            assert!(who.contains(email) && who.ends_with(role_name), "{who}");
            assert!(
                !select_text(&page, ".header-nav form[action='/staff/logout'] button").is_empty(),
                "a logout"
            );
        }
    }
}

#[tokio::test]
async fn the_header_logout_ends_the_staff_session_and_the_login_page_has_no_applicant_login() {
    let app = spawn_app().await;
    let cw = staff(&app, "cw@agency.se", Role::Caseworker).await;
    let page = cw.get_html("/staff/cases").await;
    let csrf = value_of(
        &page,
        ".header-nav form[action='/staff/logout'] input[name=csrf]",
    )
    .expect("the header's logout form");
    let res = cw
        .post_raw("/staff/logout", &[("csrf", &csrf)], Default::default())
        .await;
    assert_redirect(&res, "/staff/login?out=1");
    assert_redirect(&cw.get("/staff/cases").await, "/staff/login");

    let login = cw.get_html("/staff/login").await;
    assert!(
        header_links(&login).is_empty(),
        "{:?}",
        header_links(&login)
    );
    assert!(select_text(&login, ".header-nav .staff-who").is_empty());
    // The applicants' pages keep their own login link.
    let home = cw.get_html("/").await;
    assert!(header_links(&home).contains(&"/login".to_string()));

    // In English too.
    let en = staff(&app, "en@agency.se", Role::Caseworker).await;
    en.get("/lang/en?back=/staff").await;
    let page = en.get_html("/staff").await;
    assert!(first_text(&page, ".header-nav .staff-who").ends_with("(caseworker)"));
    assert_eq!(first_text(&page, ".header-nav form button"), "Log out");
}
