//! The built-in mock acquirer's hosted pages: the card form and the card issuer's
//! 3-D Secure page. Marked as a test provider on every page.
use maud::{html, Markup, Render, DOCTYPE};

use crate::domain::money;
use crate::fakes::mock_acquirer::card::TEST_CARDS;
use crate::fakes::mock_acquirer::store::MockPayment;
use crate::fakes::mock_acquirer::{card_page, challenge_page, CardForm};
use crate::h;
use crate::web::guard::Ctx;
use crate::web::views::assets::url;
use crate::web::views::components::Tone;
use crate::web::views::components::{
    error_summary, notice, post_form, submit, Attr, Field, FormErrors,
};

/// A page of the provider, as a real provider's hosted page is: its own name,
/// look and frame, with nothing of the portal's header, menu or login state.
fn provider_page(ctx: &Ctx, title: impl Render, content: Markup) -> Markup {
    let other = ctx.lang().other();
    let switch = crate::paths::switch_language(
        other.code(),
        &crate::web::views::layout::encode_path(&ctx.path),
    );
    html! {
        (DOCTYPE)
        html lang=(ctx.lang().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (h!(ctx, "mock.brand")) }
                link rel="stylesheet" href=(Attr(url("kansli.css")));
            }
            body.provider {
                a.skip-link href="#main" { (h!(ctx, "nav.skip")) }
                header.provider-header {
                    div.wrap.header-row {
                        span.provider-brand { span.provider-mark aria-hidden="true" { "T" } (h!(ctx, "mock.brand")) }
                        a href=(Attr(&switch)) lang=(other.code()) hreflang=(other.code()) { (h!(ctx, "nav.other_language")) }
                    }
                }
                main #main .wrap tabindex="-1" { (content) }
                footer.provider-footer { div.wrap { p { (h!(ctx, "mock.footer")) } } }
            }
        }
    }
}

/// The heading strip every mock page has: who is asking for money, and how much.
fn provider_header(ctx: &Ctx, p: &MockPayment) -> Markup {
    html! {
        p.caption { (h!(ctx, "mock.provider")) }
        dl.summary-list {
            div { dt { (h!(ctx, "mock.merchant")) } dd { (h!(ctx, "service.name")) " – " (p.description) } }
            div { dt { (h!(ctx, "payment.fee")) } dd.amount { (money::amount(p.amount, ctx.lang())) } }
        }
    }
}

pub fn card_form(ctx: &Ctx, p: &MockPayment, typed: &CardForm, errors: &FormErrors) -> Markup {
    let action = card_page(&p.id);
    let cancel = format!("{action}/cancel");
    provider_page(
        ctx,
        h!(ctx, "mock.card.title"),
        html! {
            (error_summary(ctx, errors))
            (provider_header(ctx, p))
            h1 { (h!(ctx, "mock.card.title")) }
            (post_form(ctx, &action, "stack", html! {
                (Field::new("number", h!(ctx, "mock.card.number"), "text").value(&typed.number).autocomplete("cc-number").inputmode("numeric").render(errors))
                (Field::new("expiry", h!(ctx, "mock.card.expiry"), "text").hint(h!(ctx, "mock.card.expiry_hint")).value(&typed.expiry).autocomplete("cc-exp").render(errors))
                (Field::new("cvc", h!(ctx, "mock.card.cvc"), "text").hint(h!(ctx, "mock.card.cvc_hint")).autocomplete("cc-csc").inputmode("numeric").render(errors))
                (Field::new("name", h!(ctx, "mock.card.name"), "text").value(&typed.name).autocomplete("cc-name").render(errors))
                (submit(h!(ctx, "mock.card.submit")))
            }))
            (post_form(ctx, &cancel, "secondary-action", html! {
                button.link-button type="submit" { (h!(ctx, "mock.card.cancel")) }
            }))
            (test_cards(ctx))
        },
    )
}

/// The test cards and what each does (as README lists them), for whoever tries the service.
fn test_cards(ctx: &Ctx) -> Markup {
    html! {
        details.test-cards {
            summary { (h!(ctx, "mock.cards.title")) }
            p { (h!(ctx, "mock.cards.lead")) }
            table {
                thead { tr { th scope="col" { (h!(ctx, "mock.card.number")) } th scope="col" { (h!(ctx, "mock.cards.outcome")) } } }
                tbody {
                    @for (number, scenario) in TEST_CARDS {
                        tr {
                            td.card-number { (grouped(number)) }
                            td { (ctx.h(scenario.description_key())) }
                        }
                    }
                }
            }
        }
    }
}

/// 4000000000000002 as 4000 0000 0000 0002.
fn grouped(number: &str) -> String {
    number
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The card issuer's page. In development the code is shown, since no bank sends it.
pub fn challenge(ctx: &Ctx, p: &MockPayment, code: &str, errors: &FormErrors) -> Markup {
    let action = challenge_page(&p.id);
    provider_page(
        ctx,
        h!(ctx, "mock.challenge.title"),
        html! {
            (error_summary(ctx, errors))
            (provider_header(ctx, p))
            h1 { (h!(ctx, "mock.challenge.title")) }
            p { (h!(ctx, "mock.challenge.lead")) " " (p.brand.as_deref().unwrap_or_default()) " •••• " (p.last4.as_deref().unwrap_or_default()) }
            (notice(Tone::Info, html! { p { (h!(ctx, "mock.challenge.test_code")) " " strong.code { (code) } } }))
            (post_form(ctx, &action, "stack", html! {
                (Field::new("code", h!(ctx, "code.label"), "text").hint(h!(ctx, "mock.challenge.hint")).autocomplete("one-time-code").inputmode("numeric").render(errors))
                div.actions {
                    button.button type="submit" name="action" value="approve" { (h!(ctx, "mock.challenge.approve")) }
                    " "
                    button.button.button-secondary type="submit" name="action" value="cancel" { (h!(ctx, "mock.challenge.cancel")) }
                }
            }))
        },
    )
}

/// A payment that can take no more steps here (finished or expired).
pub fn finished(ctx: &Ctx, p: &MockPayment) -> Markup {
    provider_page(
        ctx,
        h!(ctx, "mock.finished.title"),
        html! {
            (provider_header(ctx, p))
            h1 { (h!(ctx, "mock.finished.title")) }
            p { (h!(ctx, "mock.finished.lead")) }
            p { a.button href=(Attr(&p.return_url)) { (h!(ctx, "mock.finished.back")) } }
        },
    )
}
