//! The administrators' list of webhook deliveries to API client systems.
use maud::{html, Markup};

use super::layout::page;
use crate::db::outbox::Status;
use crate::db::webhooks::Delivery;
use crate::domain::date::{time_in_sweden, Date};
use crate::h;
use crate::paths;
use crate::web::guard::Ctx;

fn when(at: i64) -> String {
    format!("{} {}", Date::in_sweden(at), time_in_sweden(at))
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Queued => "staff.webhooks.queued",
        Status::Sent => "staff.webhooks.sent",
        Status::Failed => "staff.webhooks.failed",
    }
}

pub fn deliveries(ctx: &Ctx, rows: &[Delivery]) -> Markup {
    page(
        ctx,
        h!(ctx, "staff.webhooks.title"),
        html! {
            h1 { (h!(ctx, "staff.webhooks.title")) }
            p { (h!(ctx, "staff.webhooks.lead")) }
            @if rows.is_empty() {
                p { (h!(ctx, "staff.webhooks.none")) }
            } @else {
                table.audit.webhooks {
                    thead { tr {
                        th scope="col" { (h!(ctx, "staff.webhooks.created")) }
                        th scope="col" { (h!(ctx, "staff.webhooks.client")) }
                        th scope="col" { (h!(ctx, "staff.webhooks.event")) }
                        th scope="col" { (h!(ctx, "staff.webhooks.status")) }
                        th scope="col" { (h!(ctx, "staff.webhooks.attempts")) }
                        th scope="col" { (h!(ctx, "staff.webhooks.next")) }
                        th scope="col" { (h!(ctx, "staff.webhooks.error")) }
                    } }
                    tbody {
                        @for d in rows {
                            tr data-status=(d.status_str()) {
                                td { (when(d.created_at)) }
                                td { (d.client) }
                                td { (d.event) }
                                td.status { (ctx.t(status_key(d.status))) }
                                td.attempts { (d.attempts) }
                                td { @if d.status == Status::Queued { (when(d.next_attempt_at)) } }
                                td.error { (d.last_error.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            p { a href=(paths::STAFF) { (h!(ctx, "staff.home.title")) } }
        },
    )
}
