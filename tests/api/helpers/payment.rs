//! Paying through the built-in mock acquirer as a browser does.
use super::*;

pub const APPROVED: &str = "4000 0082 6000 0000";

/// The path of a redirect, whether the Location is absolute (the provider's) or not.
pub fn location(app: &TestApp, res: &reqwest::Response) -> String {
    assert_eq!(
        res.status(),
        303,
        "expected a redirect, got {}",
        res.status()
    );
    let to = res.headers()["location"].to_str().unwrap();
    to.strip_prefix(&app.address).unwrap_or(to).to_string()
}

pub fn pay_page(reference: &str) -> String {
    format!("/applications/{reference}/approved")
}

/// Presses "Pay the fee": returns the provider's card page.
pub async fn press_pay(app: &TestApp, reference: &str) -> String {
    let action = format!("/applications/{reference}/pay");
    let res = app.submit(&pay_page(reference), &action, &[]).await;
    let card_page = location(app, &res);
    assert!(card_page.starts_with("/mock-acquirer/pay/"), "{card_page}");
    card_page
}

/// Fills in the provider's card form; returns where it leads.
pub async fn pay_with(app: &TestApp, card_page: &str, number: &str) -> String {
    let res = app
        .submit(
            card_page,
            card_page,
            &[
                ("number", number),
                ("expiry", "12/29"),
                ("cvc", "123"),
                ("name", "Ana Öberg"),
            ],
        )
        .await;
    location(app, &res)
}

/// Follows the return from the provider; gives where the portal sends the person.
pub async fn come_back(app: &TestApp, return_path: &str) -> String {
    assert!(return_path.starts_with("/payments/"), "{return_path}");
    location(app, &app.get(return_path).await)
}

/// Pays in one go with a card that needs no bank step.
pub async fn pay_fully(app: &TestApp, reference: &str, number: &str) -> String {
    let card_page = press_pay(app, reference).await;
    let back = pay_with(app, &card_page, number).await;
    come_back(app, &back).await
}
