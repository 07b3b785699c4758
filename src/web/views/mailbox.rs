//! The dev mailbox: every email and SMS, newest first, codes easy to spot.
use maud::{html, Markup};

use super::layout::page;
use crate::db::outbox::{Channel, Queued};
use crate::h;
use crate::web::guard::Ctx;

/// The first standalone run of exactly six digits: the code, if the message has one.
fn code_in(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
}

pub fn mailbox(ctx: &Ctx, messages: &[Queued]) -> Markup {
    page(
        ctx,
        h!(ctx, "dev.mailbox.title"),
        html! {
            h1 { (h!(ctx, "dev.mailbox.title")) }
            p { (h!(ctx, "dev.mailbox.lead")) }
            @if messages.is_empty() {
                p.empty { (h!(ctx, "dev.mailbox.empty")) }
            }
            ol.mailbox reversed {
                @for m in messages {
                    li.message data-channel=(m.channel.as_str()) data-recipient=(m.recipient) {
                        div.message-head {
                            span class={ "tag tag-" (m.channel.as_str()) } {
                                @match m.channel { Channel::Email => (h!(ctx, "dev.mailbox.email")), Channel::Sms => (h!(ctx, "dev.mailbox.sms")) }
                            }
                            " "
                            strong.recipient { (m.recipient) }
                            " · " span.subject { (m.subject) }
                            " · " span.status { (m.status) }
                        }
                        @if let Some(code) = code_in(&m.text) {
                            p.code-line { (h!(ctx, "dev.mailbox.code")) " " strong.code { (code) } }
                        }
                        pre.body { (m.text) }
                    }
                }
            }
        },
    )
}
