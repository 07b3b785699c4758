//! The simulator's test app: scan (paste) the QR code or follow the launch link,
//! pick a test person, then approve, cancel or provoke a hint code.
use maud::{html, Markup};

use super::PREFIX;
use crate::h;
use crate::outbound::eid::Provider;
use crate::web::guard::Ctx;
use crate::web::views::components::{error_summary, post_form, submit, Attr, Field, FormErrors};
use crate::web::views::layout::page;

fn sim_header(ctx: &Ctx, provider: Provider) -> Markup {
    html! {
        p.caption { (h!(ctx, "sim.caption")) }
        h1 { (ctx.tf("sim.title", &[("provider", ctx.t(provider_name(provider)))])) }
    }
}

fn provider_name(p: Provider) -> &'static str {
    match p {
        Provider::BankId => "eid.bankid_name",
        Provider::Telia => "eid.telia",
        Provider::Professional => "eid.professional",
    }
}

fn app_path(provider: Provider) -> String {
    format!("{PREFIX}/{}/app", provider.as_str())
}

pub fn scan(ctx: &Ctx, provider: Provider, code: &str, errors: &FormErrors) -> Markup {
    page(
        ctx,
        h!(ctx, "sim.scan.title"),
        html! {
            (error_summary(ctx, errors))
            (sim_header(ctx, provider))
            p { (h!(ctx, "sim.scan.lead")) }
            (post_form(ctx, &app_path(provider), "stack", html! {
                (Field::new("code", h!(ctx, "sim.scan.code"), "text").hint(h!(ctx, "sim.scan.hint")).value(code).render(errors))
                (submit(h!(ctx, "sim.scan.open")))
            }))
        },
    )
}

pub fn decide(
    ctx: &Ctx,
    provider: Provider,
    order_ref: &str,
    end_user_ip: Option<&str>,
    to_sign: Option<&str>,
    errors: &FormErrors,
) -> Markup {
    let person_error = errors.get("person");
    page(
        ctx,
        h!(ctx, "sim.decide.title"),
        html! {
            (error_summary(ctx, errors))
            (sim_header(ctx, provider))
            @if let Some(ip) = end_user_ip {
                p.end-user-ip { (ctx.tf("sim.end_user_ip", &[("ip", ip)])) }
            }
            @if let Some(text) = to_sign {
                h2 { (h!(ctx, "sim.decide.to_sign")) }
                blockquote.sim-sign-text { (text) }
            }
            (post_form(ctx, &format!("{}/decide", app_path(provider)), "stack", html! {
                input type="hidden" name="order_ref" value=(order_ref);
                fieldset.field.field-error[person_error.is_some()] #person aria-describedby=[person_error.map(|_| "person-error")] {
                    legend { (h!(ctx, "sim.decide.person")) }
                    @if let Some(e) = person_error { p.error-message #person-error { (e) } }
                    @for (i, p) in super::people(provider).iter().enumerate() {
                        div.radio {
                            input type="radio" name="person" id={ "person-" (i) } value=(p.pin) checked[i == 0];
                            label for={ "person-" (i) } {
                                (p.name) " (" (crate::flows::identity::eid::display_pin(p.pin)) ")"
                                @if let Some((_, org)) = p.organisation { ", " (org) }
                            }
                        }
                    }
                    div.radio {
                        input type="radio" name="person" id="person-other" value="other";
                        label for="person-other" { (h!(ctx, "sim.decide.other")) }
                    }
                }
                (Field::new("other_pin", h!(ctx, "sim.decide.other_pin"), "text").hint(h!(ctx, "sim.decide.other_pin_hint")).render(errors))
                (Field::new("other_name", h!(ctx, "sim.decide.other_name"), "text").render(errors))
                div.button-row #action {
                    button.button type="submit" name="action" value="identify" {
                        @if to_sign.is_some() { (h!(ctx, "sim.decide.sign")) } @else { (h!(ctx, "sim.decide.identify")) }
                    }
                    button.button.button-secondary type="submit" name="action" value="cancel" { (h!(ctx, "sim.decide.cancel")) }
                }
                details.sim-more {
                    summary { (h!(ctx, "sim.decide.more")) }
                    div.button-row {
                        button.button.button-secondary type="submit" name="action" value="expire" { (h!(ctx, "sim.decide.expire")) }
                        button.button.button-secondary type="submit" name="action" value="certificate" { (h!(ctx, "sim.decide.certificate")) }
                        button.button.button-secondary type="submit" name="action" value="start_failed" { (h!(ctx, "sim.decide.start_failed")) }
                        button.button.button-secondary type="submit" name="action" value="read_document" { (h!(ctx, "sim.decide.read_document")) }
                    }
                }
            }))
        },
    )
}

pub fn done(ctx: &Ctx, provider: Provider, action: &str) -> Markup {
    page(
        ctx,
        h!(ctx, "sim.done.title"),
        html! {
            (sim_header(ctx, provider))
            p.sim-done role="status" {
                (ctx.h(if action == "identify" { "sim.done.identified" } else { "sim.done.other" }))
            }
            p { a href=(Attr(&app_path(provider))) { (h!(ctx, "sim.done.again")) } }
        },
    )
}
