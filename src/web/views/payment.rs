//! The payment page after approval, the paid-and-submitted box and receipts.
use maud::{html, Markup};

use super::components::Tone;
use super::components::{notice, post_form, print_button, Attr};
use super::layout::page;
use crate::db::cases::Case;
use crate::db::payments::Receipt;
use crate::domain::date::{time_in_sweden, Date};
use crate::domain::forms::FormDef;
use crate::domain::money;
use crate::domain::payment::Outcome;
use crate::h;
use crate::paths;
use crate::settings::ContactSettings;
use crate::web::guard::Ctx;

pub struct PayView<'a> {
    pub form: &'a FormDef,
    pub reference: &'a str,
    /// In öre.
    pub amount: i64,
    /// How the last attempt ended, if it did not succeed.
    pub failed: Option<Outcome>,
    /// An attempt is still open at the provider.
    pub pending: bool,
    /// The last day the fee can be paid (in Sweden); after it the application is deleted.
    pub pay_by: Date,
}

pub fn pay(ctx: &Ctx, v: &PayView) -> Markup {
    let action = paths::pay(v.reference);
    page(
        ctx,
        h!(ctx, "payment.title"),
        html! {
            @if let Some(outcome) = v.failed {
                (notice(Tone::Warning, html! {
                    h2 { (h!(ctx, "payment.failed_title")) }
                    p { (ctx.h(outcome.message_key())) }
                    p { (h!(ctx, "payment.try_again")) }
                }))
            } @else if v.pending {
                (notice(Tone::Info, html! { p { (h!(ctx, "payment.pending")) } }))
            }
            p.caption { (v.form.title.get(ctx.lang())) }
            h1 { (h!(ctx, "payment.title")) }
            p { (h!(ctx, "review.approved_done")) " " (h!(ctx, "review.locked")) }
            dl.summary-list {
                div {
                    dt { (h!(ctx, "payment.fee")) }
                    dd.amount { (money::amount(v.amount, ctx.lang())) }
                }
            }
            p { (h!(ctx, "payment.lead")) }
            p.pay-by { (ctx.tf("payment.pay_by", &[("date", &v.pay_by.to_string())])) }
            (post_form(ctx, &action, "stack", html! {
                button.button type="submit" {
                    @if v.failed.is_some() { (h!(ctx, "payment.pay_again")) } @else { (h!(ctx, "payment.pay")) }
                }
            }))
            p { a href=(Attr(&paths::review(v.reference))) { (h!(ctx, "review.see_application")) } }
        },
    )
}

/// `refunded`: the amounts of charges that went back to the card.
pub fn submitted(
    ctx: &Ctx,
    form: &FormDef,
    case: &Case,
    refunded: &[i64],
    show_receipt: bool,
) -> Markup {
    page(
        ctx,
        h!(ctx, "submitted.title"),
        html! {
            div.panel-confirmation role="status" {
                h1 { (h!(ctx, "submitted.title")) }
                p { (h!(ctx, "submitted.verification")) br; strong.verification-number { (case.verification) } }
            }
            p.caption { (form.title.get(ctx.lang())) }
            @for amount in refunded {
                (notice(Tone::Info, html! { p { (ctx.tf("submitted.refunded", &[("amount", &money::amount(*amount, ctx.lang()))])) } }))
            }
            p { (h!(ctx, "submitted.email")) }
            p { (h!(ctx, "submitted.keep_number")) }
            h2 { (h!(ctx, "submitted.next_title")) }
            p { (ctx.h(case.status.keys()[2])) }
            @if form.questionnaire.is_some() {
                p { (h!(ctx, "submitted.questionnaire_sent")) }
            }
            ul.link-list {
                @if show_receipt {
                    li { a href=(Attr(&paths::receipt(&case.payment_reference))) { (h!(ctx, "receipt.title")) } }
                }
                li { a href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) } }
            }
        },
    )
}

/// What a receipt must say: who was paid (the organisation from the settings),
/// for whom, when in Swedish time, the payment's reference, the amount and its
/// VAT, the case it paid for and the card.
pub fn receipt(ctx: &Ctx, form: &FormDef, r: &Receipt, payee: &ContactSettings) -> Markup {
    let lang = ctx.lang();
    let payee = ctx.tf(
        "receipt.payee_value",
        &[
            ("name", &payee.organisation_name),
            ("number", &payee.organisation_number),
        ],
    );
    // Fees to a Swedish public authority are outside the scope of VAT.
    let vat = ctx.tf("receipt.vat_none", &[("amount", &money::amount(0, lang))]);
    page(
        ctx,
        h!(ctx, "receipt.title"),
        html! {
            h1 { (h!(ctx, "receipt.title")) }
            dl.summary-list {
                div { dt { (h!(ctx, "receipt.payee")) } dd { (payee) } }
                @if !r.payer.is_empty() { div { dt { (h!(ctx, "receipt.payer")) } dd { (r.payer) } } }
                div { dt { (h!(ctx, "receipt.application")) } dd { (form.title.get(lang)) } }
                div { dt { (h!(ctx, "receipt.verification")) } dd { (r.verification) } }
                div { dt { (h!(ctx, "receipt.paid_at")) } dd { (Date::in_sweden(r.paid_at)) " " (time_in_sweden(r.paid_at)) } }
                div { dt { (h!(ctx, "receipt.reference")) } dd { (r.payment_reference) } }
                div { dt { (h!(ctx, "receipt.amount")) } dd { (money::amount(r.amount, lang)) } }
                div { dt { (h!(ctx, "receipt.vat")) } dd { (vat) } }
                div { dt { (h!(ctx, "receipt.card")) } dd { (r.brand) " •••• " (r.last4) } }
            }
            (print_button(ctx, h!(ctx, "receipt.print")))
            p.no-print { a href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) } }
        },
    )
}

/// For a login without two-step verification, in place of answers, documents and receipts.
pub fn needs_two_step(ctx: &Ctx) -> Markup {
    page(
        ctx,
        h!(ctx, "account.page.needs_two_step_title"),
        html! {
            h1 { (h!(ctx, "account.page.needs_two_step_title")) }
            (notice(Tone::Info, html! { p { (h!(ctx, "account.page.more_with_two_step")) } }))
            p.actions {
                a.button href=(paths::ACCOUNT_TWO_STEP) { (h!(ctx, "account.two_step.turn_on")) }
                " "
                a href=(paths::ACCOUNT) { (h!(ctx, "nav.my_page")) }
            }
        },
    )
}
