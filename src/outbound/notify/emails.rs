//! The HTML part of every email: simple, inline-free markup that mail clients render.
use maud::{html, DOCTYPE};

use crate::i18n::Texts;

pub fn render(
    t: Texts,
    subject: &str,
    paragraphs: &[String],
    link: Option<(&str, &str)>,
) -> String {
    html! {
        (DOCTYPE)
        html lang=(t.lang.code()) {
            head { meta charset="utf-8"; title { (subject) } }
            body {
                p { (t.t("email.greeting")) }
                @for p in paragraphs { p { (p) } }
                @if let Some((label, url)) = link {
                    p { a href=(url) { (label) } }
                    p { (url) }
                }
                p { (t.t("email.signature")) }
                hr;
                p { small { (t.t("email.automatic")) } }
            }
        }
    }
    .into_string()
}
