//! Small pieces every page is made of: the POST form with its CSRF field,
//! fields with label, hint and error, the error summary, notices.
use maud::{html, Markup, Render};

use crate::domain::date::Date;
use crate::i18n::Escaped;

use crate::h;
use crate::web::guard::Ctx;

/// A value for an attribute or text, escaped as maud escapes, but copied whole
/// when it holds nothing to escape (ids, names, URLs and tokens almost never do).
/// Pages splice many such short values, and maud's escaper goes byte by byte.
#[derive(Clone, Copy)]
pub struct Attr<'a>(pub &'a str);

impl Render for Attr<'_> {
    fn render_to(&self, buffer: &mut String) {
        if self
            .0
            .bytes()
            .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"'))
        {
            self.0.render_to(buffer);
        } else {
            buffer.push_str(self.0);
        }
    }
}

/// A date on a page as `YYYY-MM-DD`, written straight into it.
impl Render for Date {
    fn render_to(&self, buffer: &mut String) {
        self.push_to(buffer);
    }
}

/// Every POST form comes from here, so none can lack the CSRF token.
pub fn post_form(ctx: &Ctx, action: &str, class: &str, content: Markup) -> Markup {
    post_form_with_id(ctx, None, action, class, content)
}

/// A post form with an `id`, for buttons elsewhere on the page that send it.
pub fn post_form_with_id(
    ctx: &Ctx,
    id: Option<&str>,
    action: &str,
    class: &str,
    content: Markup,
) -> Markup {
    html! {
        form id=[id] method="post" action=(Attr(action)) class=(Attr(class)) novalidate {
            input type="hidden" name="csrf" value=(Attr(&ctx.csrf));
            (content)
        }
    }
}

/// Problems found in a posted form, in the order the fields appear.
#[derive(Default, Debug)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The summary at the top of a form: one link per problem, focused on load.
pub fn error_summary(ctx: &Ctx, errors: &FormErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus {
                h2 #error-summary-title { (h!(ctx, "form.error_summary")) }
                ul {
                    @for (field, message) in &errors.0 {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// Words on a page: catalog text (escaped once at load) or text made for this request.
#[derive(Clone, Copy)]
pub enum Text<'a> {
    Catalog(Escaped),
    Plain(&'a str),
}

impl Render for Text<'_> {
    fn render_to(&self, buffer: &mut String) {
        match self {
            Text::Catalog(e) => e.render_to(buffer),
            Text::Plain(s) => s.render_to(buffer),
        }
    }
}

impl From<Escaped> for Text<'_> {
    fn from(e: Escaped) -> Self {
        Text::Catalog(e)
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text::Plain(s)
    }
}

impl<'a> From<&'a String> for Text<'a> {
    fn from(s: &'a String) -> Self {
        Text::Plain(s)
    }
}

/// The `aria-describedby` of a field with the given id: its hint and error message, if shown.
pub fn described_by(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = String::new();
    for (shown, part) in [(hint, "-hint"), (error, "-error")] {
        if shown {
            if !ids.is_empty() {
                ids.push(' ');
            }
            ids.push_str(id);
            ids.push_str(part);
        }
    }
    (!ids.is_empty()).then_some(ids)
}

/// A text-like input with its label, optional hint and error.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: Text<'a>,
    pub hint: Option<Text<'a>>,
    pub kind: &'static str,
    pub value: &'a str,
    pub autocomplete: &'static str,
    pub inputmode: Option<&'static str>,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: impl Into<Text<'a>>, kind: &'static str) -> Self {
        Field {
            name,
            label: label.into(),
            hint: None,
            kind,
            value: "",
            autocomplete: "off",
            inputmode: None,
        }
    }
    pub fn hint(mut self, hint: impl Into<Text<'a>>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }
    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }
    pub fn inputmode(mut self, m: &'static str) -> Self {
        self.inputmode = Some(m);
        self
    }

    pub fn render(&self, errors: &FormErrors) -> Markup {
        let error = errors.get(self.name);
        let name = Attr(self.name);
        let described = described_by(self.name, self.hint.is_some(), error.is_some());
        html! {
            div.field.field-error[error.is_some()] {
                label for=(name) { (self.label) }
                @if let Some(hint) = self.hint { p.hint id={ (name) "-hint" } { (hint) } }
                @if let Some(e) = error { p.error-message id={ (name) "-error" } { (e) } }
                input id=(name) name=(name) type=(Attr(self.kind)) value=(Attr(self.value))
                    autocomplete=(Attr(self.autocomplete)) inputmode=[self.inputmode.map(Attr)]
                    aria-describedby=[described.as_deref().map(Attr)] aria-invalid=[error.map(|_| "true")]
                    spellcheck=[(self.kind != "password").then_some("false")];
            }
        }
    }
}

/// The 6-digit code field used on every code page.
pub fn code_field(ctx: &Ctx, errors: &FormErrors, hint: Escaped) -> Markup {
    Field::new("code", h!(ctx, "code.label"), "text")
        .hint(hint)
        .autocomplete("one-time-code")
        .inputmode("numeric")
        .render(errors)
}

/// The Print button, which print.js shows when scripts run, and for a browser
/// without them the words on how to print (print.js hides them).
pub fn print_button(ctx: &Ctx, label: Escaped) -> Markup {
    html! {
        p.no-print #print-hint { (h!(ctx, "print.hint")) }
        p.no-print { button #print-button .button.button-secondary type="button" hidden { (label) } }
    }
}

pub fn submit(label: Escaped) -> Markup {
    html! { button.button type="submit" { (label) } }
}

/// The kind of a notice box: its style, and whether it is announced (all but info).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Info => "notice notice-info",
            Tone::Success => "notice notice-success",
            Tone::Warning => "notice notice-warning",
            Tone::Error => "notice notice-error",
        }
    }
}

/// A message the handler chose for the top of a page: its tone and catalog key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub tone: Tone,
    pub key: &'static str,
}

impl Message {
    pub const fn success(key: &'static str) -> Self {
        Message {
            tone: Tone::Success,
            key,
        }
    }

    pub const fn warning(key: &'static str) -> Self {
        Message {
            tone: Tone::Warning,
            key,
        }
    }

    pub const fn info(key: &'static str) -> Self {
        Message {
            tone: Tone::Info,
            key,
        }
    }
}

/// The message above a page's content, if there is one.
pub type Notice = Option<Message>;

/// The notice above a page's content, if there is one.
pub fn notice_for(ctx: &Ctx, n: Notice) -> Markup {
    html! { @if let Some(m) = n { (notice(m.tone, html! { p { (ctx.h(m.key)) } })) } }
}

/// A country's name in the person's language.
pub fn country_name(ctx: &Ctx, iso: &str) -> &'static str {
    ctx.t(&format!("country.{}", iso.to_ascii_lowercase()))
}

/// A notice box.
pub fn notice(tone: Tone, content: Markup) -> Markup {
    html! { div class=(tone.class()) role=[(tone != Tone::Info).then_some("status")] { (content) } }
}

/// The countries that use the given calling codes, named in a list: "Turkey and Philippines".
pub fn countries_calling<S: AsRef<str>>(ctx: &Ctx, codes: &[S]) -> String {
    let names: Vec<&str> = crate::domain::countries::with_calling_codes()
        .filter(|(_, code)| codes.iter().any(|c| c.as_ref() == *code))
        .map(|(iso, _)| country_name(ctx, iso))
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{}{}{last}", rest.join(", "), ctx.t("form.and")),
    }
}

/// A checkbox with its label (ticked when `checked`, as the person left it), and its
/// error above it when the form was refused for it.
pub fn tick_box(name: &str, label: impl Render, checked: bool, errors: &FormErrors) -> Markup {
    let error = errors.get(name);
    let error_id = format!("{name}-error");
    html! {
        div.field.checkbox.field-error[error.is_some()] {
            @if let Some(e) = error { p.error-message id=(error_id) { (e) } }
            input id=(name) type="checkbox" name=(name) value="yes" checked[checked] aria-describedby=[error.map(|_| &error_id)];
            label for=(name) { (label) }
        }
    }
}

/// Countries as (ISO code, name in the person's language, calling code), sorted by
/// name, for pickers. Unicode order puts Å, Ä and Ö after Z, as Swedish does.
pub fn countries_by_name(ctx: &Ctx) -> Vec<(&'static str, &'static str, Option<&'static str>)> {
    let mut list: Vec<_> = crate::domain::countries::COUNTRIES
        .iter()
        .map(|(iso, code)| (*iso, country_name(ctx, iso), *code))
        .collect();
    list.sort_by(|a, b| a.1.cmp(b.1));
    list
}
