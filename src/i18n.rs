//! The word catalogs, one per language (`assets/locales/*.toml`), embedded in
//! the binary. Every word a person reads comes from here.
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::domain::Lang;
use crate::settings::ContactSettings;

const SOURCES: [(Lang, &str); 2] = [
    (Lang::Sv, include_str!("../assets/locales/sv.toml")),
    (Lang::En, include_str!("../assets/locales/en.toml")),
];

pub struct Catalog {
    sv: BTreeMap<String, String>,
    en: BTreeMap<String, String>,
    /// Every text of each language with its HTML-escaped form, made once at load
    /// so pages do not escape the same constant words on every request.
    lookup: [HashMap<String, Entry, BuildHasherDefault<Fnv>>; 2],
}

struct Entry {
    raw: String,
    escaped: String,
}

/// Catalog text for a page, looked up once per call site and kept in a `static`,
/// so rendering a page does no catalog lookups at all: `h!(ctx, "login.title")`.
#[macro_export]
macro_rules! h {
    ($ctx:expr, $key:literal) => {{
        static SLOT: ::std::sync::OnceLock<[$crate::i18n::Escaped; 2]> =
            ::std::sync::OnceLock::new();
        $crate::i18n::pick(SLOT.get_or_init(|| $crate::i18n::both($key)), $ctx.lang())
    }};
}

/// A key's page text in every language, in [`Lang`] order (for [`h!`]).
pub fn both(key: &str) -> [Escaped; 2] {
    [Texts::new(Lang::Sv).h(key), Texts::new(Lang::En).h(key)]
}

pub fn pick(texts: &[Escaped; 2], lang: Lang) -> Escaped {
    texts[index(lang)]
}

/// Catalog text for a page: already escaped, so maud writes it as is.
#[derive(Clone, Copy)]
pub struct Escaped(&'static str);

impl maud::Render for Escaped {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str(self.0);
    }
}

/// FNV-1a: catalog keys are short, trusted constants, so a fast hash beats SipHash here.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

fn index(lang: Lang) -> usize {
    match lang {
        Lang::Sv => 0,
        Lang::En => 1,
    }
}

/// The catalogs are compile-time data, parsed once; a broken catalog fails the test suite.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let parse = |lang: Lang| {
            let (_, text) = SOURCES
                .iter()
                .find(|(l, _)| *l == lang)
                .expect("every language has a catalog");
            let table: toml::Table =
                toml::from_str(text).unwrap_or_else(|e| panic!("locale {}: {e}", lang.code()));
            let mut out = BTreeMap::new();
            flatten("", &table, &mut out);
            out
        };
        let (sv, en) = (parse(Lang::Sv), parse(Lang::En));
        let contact = CONTACT.get_or_init(ContactSettings::default);
        let lookup = |texts: &BTreeMap<String, String>| {
            let details = contact_details(texts, contact);
            texts
                .iter()
                .map(|(k, v)| {
                    let mut v = v.clone();
                    for (name, value) in &details {
                        v = v.replace(name, value);
                    }
                    let escaped = maud::html! { (v) }.into_string();
                    (k.clone(), Entry { raw: v, escaped })
                })
                .collect()
        };
        Catalog {
            lookup: [lookup(&sv), lookup(&en)],
            sv,
            en,
        }
    })
}

/// The organisation's contact details, filled into every text that names them.
static CONTACT: OnceLock<ContactSettings> = OnceLock::new();

/// Sets the contact details every text is filled with (`{support_phone}` and
/// the others of [`contact_details`]). Called once at start, before any text
/// is read: the catalogs are made once per process. False when the texts were
/// already made with other details.
pub fn install_contact(contact: &ContactSettings) -> bool {
    CONTACT.get_or_init(|| contact.clone()) == contact
}

/// The placeholders of the contact details and their values in one language
/// (whose catalog says how a phone number's hours and menu read).
fn contact_details(
    texts: &BTreeMap<String, String>,
    c: &ContactSettings,
) -> Vec<(&'static str, String)> {
    let text = |key: &str| texts.get(key).cloned().unwrap_or_default();
    let (from, until) = c.hours().unwrap_or(("09:00", "15:00"));
    let clock = |t: &str| t.replace(':', &text("reach.clock_separator"));
    let hours = format!("{}–{}", clock(from), clock(until));
    let menu = c.menu();
    let line = if menu.is_empty() {
        text("reach.phone_line")
    } else {
        text("reach.phone_line_menu").replace("{choices}", &menu.join(&text("reach.then")))
    };
    let phone = line
        .replace("{number}", &c.phone)
        .replace("{hours}", &hours);
    vec![
        ("{support_phone}", phone),
        ("{support_number}", c.phone.clone()),
        ("{support_email}", c.email.clone()),
        ("{postal_address}", c.postal_address.clone()),
        ("{organisation_number}", c.organisation_number.clone()),
        ("{organisation}", c.organisation_name.clone()),
    ]
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => panic!("locale key {key} is not text: {other}"),
        }
    }
}

impl Catalog {
    pub fn entries(&self, lang: Lang) -> &BTreeMap<String, String> {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// The words of one language, handed to every view.
#[derive(Clone, Copy)]
pub struct Texts {
    pub lang: Lang,
}

impl Texts {
    pub fn new(lang: Lang) -> Self {
        Texts { lang }
    }

    fn entry(&self, key: &str) -> Option<&'static Entry> {
        let found = catalog().lookup[index(self.lang)].get(key);
        if found.is_none() {
            // A test (`every_key_named_in_the_source_exists`) keeps this from happening.
            tracing::warn!(key, "missing text");
        }
        found
    }

    /// The text for `key`, as plain text (emails, attributes built by hand).
    pub fn t(&self, key: &str) -> &'static str {
        self.entry(key).map(|e| e.raw.as_str()).unwrap_or("?")
    }

    /// The text for `key`, ready for a page.
    pub fn h(&self, key: &str) -> Escaped {
        Escaped(self.entry(key).map(|e| e.escaped.as_str()).unwrap_or("?"))
    }

    /// The text for `key` with each `{name}` replaced by its value.
    /// The text for `key` with a count `n`: `key.one` for 1, `key.other` for any
    /// other number (the two plural forms Swedish and English have), with `args`
    /// filled in.
    pub fn plural(&self, key: &str, n: i64, args: &[(&str, &str)]) -> String {
        let form = if n == 1 { "one" } else { "other" };
        self.tf(&format!("{key}.{form}"), args)
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

/// The preferred language from an Accept-Language header; Swedish unless English ranks higher.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = match tag.split('-').next() {
            Some("sv") => Lang::Sv,
            Some("en") => Lang::En,
            _ => continue,
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words that send a person to the organisation: the text must say how to
    /// reach it right there (its number and hours, email or address).
    const SENDS_TO_SUPPORT: [&str; 20] = [
        "contact technical support",
        "contact support",
        "contact us",
        "contact the",
        "call us",
        "call technical support",
        "call the contact",
        "write to us",
        "get in touch",
        "when you call",
        "kontakta oss",
        "kontakta teknisk",
        "kontakta support",
        "kontakta migrationsverket",
        "kontakta kontaktcenter",
        "ring oss",
        "ring teknisk",
        "ring kontaktcenter",
        "skriv till oss",
        "när du ringer",
    ];

    /// Headings and links whose section or page gives the details.
    const LEADS_TO_DETAILS: [&str; 3] = [
        "help.support.contact.title",
        "footer.contact",
        "contact_page.title",
    ];

    #[test]
    fn every_text_that_sends_a_person_to_support_says_how_to_reach_it() {
        let details = [
            "{support_phone}",
            "{support_number}",
            "{support_email}",
            "{postal_address}",
        ];
        let mut bare = Vec::new();
        for lang in Lang::ALL {
            for (key, text) in catalog().entries(lang) {
                let lower = text.to_lowercase();
                if SENDS_TO_SUPPORT.iter().any(|w| lower.contains(w))
                    && !details.iter().any(|d| text.contains(d))
                    && !LEADS_TO_DETAILS.contains(&key.as_str())
                {
                    bare.push(format!("{}: {key}", lang.code()));
                }
            }
        }
        assert!(
            bare.is_empty(),
            "texts sending people to support without the details: {bare:#?}"
        );
    }

    #[test]
    fn the_contact_details_are_filled_into_every_text() {
        for lang in Lang::ALL {
            let t = Texts::new(lang);
            for key in catalog().entries(lang).keys() {
                let text = t.t(key);
                assert!(
                    !text.contains("{support_")
                        && !text.contains("{postal_address}")
                        && !text.contains("{organisation"),
                    "{key}: {text}"
                );
            }
        }
        let c = ContactSettings::default();
        let sv = contact_details(catalog().entries(Lang::Sv), &c);
        assert_eq!(
            sv[0],
            (
                "{support_phone}",
                "+46 771-00 00 00 (vardagar 09.00–15.00; tryck 1 och sedan 7)".to_string()
            )
        );
        let en = contact_details(
            catalog().entries(Lang::En),
            &ContactSettings {
                phone_menu: String::new(),
                ..c
            },
        );
        assert_eq!(
            en[0],
            (
                "{support_phone}",
                "+46 771-00 00 00 (weekdays 09:00–15:00)".to_string()
            )
        );
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let c = catalog();
        let sv: Vec<_> = c.sv.keys().collect();
        let en: Vec<_> = c.en.keys().collect();
        let only_sv: Vec<_> = sv
            .iter()
            .filter(|k| !c.en.contains_key(k.as_str()))
            .collect();
        let only_en: Vec<_> = en
            .iter()
            .filter(|k| !c.sv.contains_key(k.as_str()))
            .collect();
        assert!(
            only_sv.is_empty() && only_en.is_empty(),
            "only in sv: {only_sv:?}; only in en: {only_en:?}"
        );
        assert!(
            c.sv.values()
                .chain(c.en.values())
                .all(|v| !v.trim().is_empty()),
            "an empty text"
        );
    }

    #[test]
    fn every_count_has_both_plural_forms_in_both_languages() {
        let c = catalog();
        for texts in [&c.sv, &c.en] {
            for key in texts.keys() {
                if let Some(base) = key.strip_suffix(".one") {
                    assert!(texts.contains_key(&format!("{base}.other")), "{key}");
                }
            }
        }
        let t = Texts::new(Lang::Sv);
        assert_eq!(
            t.plural("error.code.wrong", 1, &[("tries", "1")]),
            "Koden är fel. Du kan försöka 1 gång till."
        );
        assert_eq!(
            Texts::new(Lang::En).plural("apply.page.time_left", 0, &[("minutes", "0")]),
            "Time left on this page: 0 minutes."
        );
    }

    #[test]
    fn every_key_named_in_the_source_exists() {
        let c = catalog();
        let namespaces: std::collections::BTreeSet<&str> =
            c.en.keys().filter_map(|k| k.split('.').next()).collect();
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let looks_like_key = literal.contains('.')
                    && literal.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.'
                    })
                    && namespaces.contains(literal.split('.').next().unwrap_or_default());
                let is_file = [
                    ".js", ".css", ".svg", ".toml", ".db", ".sql", ".html", ".csv",
                ]
                .iter()
                .any(|ext| literal.ends_with(ext));
                let plural = c.en.contains_key(&format!("{literal}.one"))
                    && c.en.contains_key(&format!("{literal}.other"));
                if looks_like_key && !is_file && !c.en.contains_key(literal) && !plural {
                    missing.push(format!("{}: {literal}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used in src but missing from the catalog: {missing:#?}"
        );
    }

    #[test]
    fn accept_language_picks_the_highest_ranked_known_language() {
        assert_eq!(
            from_accept_language("en-GB,en;q=0.9,sv;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            from_accept_language("de;q=1.0, sv-SE;q=0.7, en;q=0.5"),
            Some(Lang::Sv)
        );
        assert_eq!(from_accept_language("de, fr"), None);
    }

    #[test]
    fn page_text_is_escaped_once_at_load() {
        use maud::Render;
        let t = Texts::new(Lang::En);
        assert_eq!(
            t.h("help.login.password.p2").render().into_string(),
            maud::html! { (t.t("help.login.password.p2")) }.into_string()
        );
        assert!(t
            .h("help.login.password.p2")
            .render()
            .into_string()
            .contains("&quot;"));
    }

    #[test]
    fn placeholders_are_filled() {
        let t = Texts::new(Lang::En);
        assert!(t.tf("email.confirm.subject", &[]).len() > 3);
    }
}
