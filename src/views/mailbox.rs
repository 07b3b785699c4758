//! The dev mailbox: every email and SMS, newest first, codes easy to spot.
use maud::{html, Markup};

use super::layout::page;
use crate::db::outbox::{Channel, Queued};
use crate::security::Ctx;

/// The first standalone run of exactly six digits: the code, if the message has one.
fn code_in(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
}

pub fn mailbox(ctx: &Ctx, messages: &[Queued]) -> Markup {
    page(
        ctx,
        ctx.h("dev.mailbox.title"),
        html! {
            h1 { (ctx.h("dev.mailbox.title")) }
            p { (ctx.h("dev.mailbox.lead")) }
            @if messages.is_empty() {
                p.empty { (ctx.h("dev.mailbox.empty")) }
            }
            ol.mailbox reversed {
                @for m in messages {
                    li.message data-channel=(m.channel.as_str()) data-recipient=(m.recipient) {
                        div.message-head {
                            span class={ "tag tag-" (m.channel.as_str()) } {
                                @match m.channel { Channel::Email => (ctx.h("dev.mailbox.email")), Channel::Sms => (ctx.h("dev.mailbox.sms")) }
                            }
                            " "
                            strong.recipient { (m.recipient) }
                            " · " span.subject { (m.subject) }
                            " · " span.status { (m.status) }
                        }
                        @if let Some(code) = code_in(&m.text) {
                            p.code-line { (ctx.h("dev.mailbox.code")) " " strong.code { (code) } }
                        }
                        pre.body { (m.text) }
                    }
                }
            }
        },
    )
}
