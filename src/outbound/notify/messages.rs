//! One function per message. Each email has a plain-text and an HTML part in the
//! person's language; SMS are short plain text. Codes appear only in the body.
use crate::db::outbox::{Channel, Outgoing};
use crate::domain::rules::{EMAIL_CODE_VALID, MINUTE, RESET_TOKEN_VALID, SMS_CODE_VALID};
use crate::domain::secret::OneTimeCode;
use crate::i18n::Texts;
use crate::outbound::notify::emails;

/// An email made of paragraphs and at most one link.
fn email(
    t: Texts,
    to: &str,
    subject_key: &str,
    paragraphs: Vec<String>,
    link: Option<(&str, &str)>,
) -> Outgoing {
    let subject = t.t(subject_key).to_string();
    let mut text = format!("{}\n\n", t.t("email.greeting"));
    for p in &paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    if let Some((label, url)) = link {
        text.push_str(&format!("{label}:\n{url}\n\n"));
    }
    text.push_str(t.t("email.signature"));
    text.push_str("\n\n-- \n");
    text.push_str(t.t("email.automatic"));
    let html = emails::render(t, &subject, &paragraphs, link);
    Outgoing {
        channel: Channel::Email,
        recipient: to.to_string(),
        subject,
        text,
        html: Some(html),
        holds_secret: false,
    }
}

/// A change to the account, told to its owner, with what to do if it was not them.
fn account_changed(t: Texts, to: &str, subject_key: &str, body: String) -> Outgoing {
    let paragraphs = vec![body, t.t("email.contact_support").to_string()];
    email(t, to, subject_key, paragraphs, None)
}

/// A text that says how many minutes something is valid, in the right form.
fn valid_for(t: Texts, key: &str, seconds: i64, args: &[(&str, &str)]) -> String {
    let n = seconds / MINUTE;
    let count = n.to_string();
    let mut all = vec![("minutes", count.as_str())];
    all.extend_from_slice(args);
    t.plural(key, n, &all)
}

pub fn confirm_code(t: Texts, to: &str, code: &OneTimeCode) -> Outgoing {
    email(
        t,
        to,
        "email.confirm.subject",
        vec![
            t.tf("email.confirm.code", &[("code", code.expose())]),
            valid_for(t, "email.confirm.valid", EMAIL_CODE_VALID, &[]),
            t.t("email.confirm.not_you").to_string(),
        ],
        None,
    )
    .holding_secret()
}

pub fn account_exists(t: Texts, to: &str, base_url: &str) -> Outgoing {
    email(
        t,
        to,
        "email.exists.subject",
        vec![
            t.t("email.exists.body").to_string(),
            t.t("email.exists.not_you").to_string(),
        ],
        Some((
            t.t("email.exists.link"),
            &format!("{base_url}{}", crate::paths::PASSWORD_FORGOT),
        )),
    )
}

/// To the address of an unconfirmed account whose sign-up is waiting for its code,
/// when someone signs the same address up again.
pub fn sign_up_pending(t: Texts, to: &str) -> Outgoing {
    email(
        t,
        to,
        "email.sign_up_pending.subject",
        vec![
            t.t("email.sign_up_pending.body").to_string(),
            t.t("email.sign_up_pending.not_you").to_string(),
        ],
        None,
    )
}

pub fn two_step_on(t: Texts, to: &str, masked_phone: &str) -> Outgoing {
    account_changed(
        t,
        to,
        "email.two_step_on.subject",
        t.tf("email.two_step_on.body", &[("phone", masked_phone)]),
    )
}

pub fn two_step_off(t: Texts, to: &str) -> Outgoing {
    account_changed(
        t,
        to,
        "email.two_step_off.subject",
        t.t("email.two_step_off.body").to_string(),
    )
}

/// To the number that was the account's, when two-step verification is turned off.
pub fn two_step_off_sms(t: Texts, phone: &str) -> Outgoing {
    sms(phone, t.t("sms.two_step_off").to_string())
}

pub fn reset_link(t: Texts, to: &str, url: &str) -> Outgoing {
    email(
        t,
        to,
        "email.reset.subject",
        vec![
            t.t("email.reset.body").to_string(),
            valid_for(t, "email.reset.valid", RESET_TOKEN_VALID, &[]),
            t.t("email.reset.not_you").to_string(),
        ],
        Some((t.t("email.reset.link"), url)),
    )
    .holding_secret()
}

pub fn password_changed(t: Texts, to: &str) -> Outgoing {
    account_changed(
        t,
        to,
        "email.password_changed.subject",
        t.t("email.password_changed.body").to_string(),
    )
}

/// After a change of password in the account settings (the person stays logged in here).
pub fn password_changed_in_settings(t: Texts, to: &str) -> Outgoing {
    account_changed(
        t,
        to,
        "email.password_changed.subject",
        t.t("email.password_changed.in_settings").to_string(),
    )
}

/// The code that proves the new email address is the person's.
/// A code for the caller to read out to technical support, who is changing the
/// account's phone number or email address at their request.
pub fn support_code(t: Texts, to: &str, code: &OneTimeCode) -> Outgoing {
    email(
        t,
        to,
        "email.support_code.subject",
        vec![
            t.tf("email.support_code.code", &[("code", code.expose())]),
            valid_for(
                t,
                "email.confirm.valid",
                crate::domain::rules::SMS_CODE_VALID,
                &[],
            ),
            t.t("email.support_code.not_you").to_string(),
        ],
        None,
    )
    .holding_secret()
}

/// The code that proves a new email address is the person's.
pub fn change_email_code(t: Texts, to: &str, code: &OneTimeCode) -> Outgoing {
    email(
        t,
        to,
        "email.change_email.subject",
        vec![
            t.tf("email.change_email.code", &[("code", code.expose())]),
            valid_for(t, "email.confirm.valid", EMAIL_CODE_VALID, &[]),
            t.t("email.change_email.not_you").to_string(),
        ],
        None,
    )
    .holding_secret()
}

/// To the owner: their account was linked to a personal identity number (as people write it).
pub fn eid_linked(t: Texts, to: &str, pin: &str) -> Outgoing {
    let body = t.tf("email.link_eid.body", &[("pin", pin)]);
    account_changed(t, to, "email.link_eid.subject", body)
}

/// To the owner: the link to a personal identity number was removed.
pub fn eid_unlinked(t: Texts, to: &str, pin: &str) -> Outgoing {
    let body = t.tf("email.unlink_eid.body", &[("pin", pin)]);
    account_changed(t, to, "email.unlink_eid.subject", body)
}

/// To an address that already has an account, instead of a code: it cannot be used twice.
pub fn address_in_use(t: Texts, to: &str) -> Outgoing {
    email(
        t,
        to,
        "email.address_in_use.subject",
        vec![
            t.t("email.address_in_use.body").to_string(),
            t.t("email.address_in_use.not_you").to_string(),
        ],
        None,
    )
}

/// To the old address, once the change is done.
pub fn email_changed(t: Texts, to: &str, masked_new: &str) -> Outgoing {
    account_changed(
        t,
        to,
        "email.email_changed.subject",
        t.tf("email.email_changed.body", &[("email", masked_new)]),
    )
}

pub fn draft_started(
    t: Texts,
    to: &str,
    form_title: &str,
    url: &str,
    deletion_date: &str,
) -> Outgoing {
    email(
        t,
        to,
        "email.draft_started.subject",
        vec![
            t.tf("email.draft_started.body", &[("form", form_title)]),
            t.tf("email.draft_started.deletion", &[("date", deletion_date)]),
        ],
        Some((t.t("email.draft_started.link"), url)),
    )
}

pub fn draft_reminder(
    t: Texts,
    to: &str,
    form_title: &str,
    url: &str,
    deletion_date: &str,
) -> Outgoing {
    email(
        t,
        to,
        "email.draft_reminder.subject",
        vec![t.tf(
            "email.draft_reminder.body",
            &[("form", form_title), ("date", deletion_date)],
        )],
        Some((t.t("email.draft_started.link"), url)),
    )
}

/// What the confirmation of a submitted application says: nothing else personal.
pub struct Submission<'a> {
    pub verification: &'a str,
    pub form_title: &'a str,
    pub date: &'a str,
    pub amount: &'a str,
    /// The full address of My Page, where the case can be followed.
    pub my_page: &'a str,
}

pub fn submitted(t: Texts, to: &str, s: &Submission) -> Outgoing {
    email(
        t,
        to,
        "email.submitted.subject",
        vec![
            t.tf("email.submitted.body", &[("form", s.form_title)]),
            t.tf(
                "email.submitted.verification",
                &[("number", s.verification)],
            ),
            t.tf(
                "email.submitted.details",
                &[("date", s.date), ("amount", s.amount)],
            ),
            t.t("email.submitted.my_page").to_string(),
        ],
        Some((t.t("email.submitted.link"), s.my_page)),
    )
}

/// To the account's own address, once, when the application named another one.
pub fn written_elsewhere(t: Texts, to: &str, verification: &str, masked_other: &str) -> Outgoing {
    email(
        t,
        to,
        "email.written_elsewhere.subject",
        vec![t.tf(
            "email.written_elsewhere.body",
            &[("number", verification), ("address", masked_other)],
        )],
        None,
    )
}

/// `kansli send-test-email`: shows that email reaches the address.
pub fn test_email(t: Texts, to: &str) -> Outgoing {
    email(
        t,
        to,
        "email.test.subject",
        vec![t.t("email.test.body").to_string()],
        None,
    )
}

/// `kansli send-test-sms`: shows that texts reach the phone.
pub fn test_sms(t: Texts, phone: &str) -> Outgoing {
    sms(phone, t.t("sms.test").to_string())
}

/// A text message: plain text, no subject.
fn sms(phone: &str, text: String) -> Outgoing {
    Outgoing {
        channel: Channel::Sms,
        recipient: phone.to_string(),
        subject: "SMS".into(),
        text,
        html: None,
        holds_secret: false,
    }
}

/// An SMS code, for enrolment or login.
pub fn sms_code(t: Texts, phone: &str, code: &OneTimeCode) -> Outgoing {
    let text = valid_for(t, "sms.code", SMS_CODE_VALID, &[("code", code.expose())]);
    sms(phone, text).holding_secret()
}

/// An email in Swedish and English alike, for a person whose language Kansli does
/// not know (the person in Sweden): each language's paragraphs in turn.
fn in_both_languages(
    to: &str,
    subject_key: &str,
    paragraphs: impl Fn(Texts) -> Vec<String>,
    link: Option<(&str, &str)>,
) -> Outgoing {
    let [sv, en] = [
        Texts::new(crate::domain::Lang::Sv),
        Texts::new(crate::domain::Lang::En),
    ];
    let mut all = paragraphs(sv);
    all.push(format!("— {} —", en.t("email.in_english")));
    all.extend(paragraphs(en));
    let label = link.map(|(key, _)| format!("{} / {}", sv.t(key), en.t(key)));
    let mut message = email(
        sv,
        to,
        subject_key,
        all,
        label.as_deref().zip(link.map(|(_, url)| url)),
    );
    message.subject = format!("{} / {}", sv.t(subject_key), en.t(subject_key));
    message
}

/// What the questionnaire's emails say it is about.
pub struct Invitation<'a> {
    /// The applicant's name, as in their application.
    pub applicant: &'a str,
    /// The application type's title in each language (Swedish, English).
    pub application: [&'a str; 2],
    pub verification: &'a str,
    /// The date to answer by.
    pub answer_by: &'a str,
    /// The questionnaire's own link, and the way in from the website.
    pub url: &'a str,
    pub website: &'a str,
}

/// The questionnaire link for the person in Sweden, with the way in from the
/// website; `reminder` once it has waited a week unanswered.
pub fn questionnaire(to: &str, about: &Invitation, reminder: bool) -> Outgoing {
    let subject = if reminder {
        "email.questionnaire_reminder.subject"
    } else {
        "email.questionnaire.subject"
    };
    in_both_languages(
        to,
        subject,
        |t| {
            let application = about.application[usize::from(t.lang == crate::domain::Lang::En)];
            let mut paragraphs = Vec::new();
            if reminder {
                paragraphs.push(t.t("email.questionnaire_reminder.body").to_string());
            }
            paragraphs.push(t.tf(
                "email.questionnaire.body",
                &[
                    ("applicant", about.applicant),
                    ("application", application),
                    ("service", t.t("service.name")),
                ],
            ));
            paragraphs.push(t.tf(
                "email.questionnaire.answer_by",
                &[("date", about.answer_by)],
            ));
            paragraphs.push(t.tf(
                "email.questionnaire.website",
                &[("number", about.verification), ("url", about.website)],
            ));
            paragraphs
        },
        Some(("email.questionnaire.link", about.url)),
    )
    .holding_secret()
}

/// The answers of the questionnaire have arrived.
pub fn questionnaire_answered(to: &str, verification: &str) -> Outgoing {
    in_both_languages(
        to,
        "email.questionnaire_answered.subject",
        |t| {
            vec![
                t.tf(
                    "email.questionnaire_answered.body",
                    &[("number", verification)],
                ),
                t.t("email.questionnaire_answered.next").to_string(),
            ]
        },
        None,
    )
}

/// The case an email about it names: its verification number and application
/// type (in the reader's language), whether the caseworker wrote a note, and the
/// full address of My Page.
pub struct CaseNews<'a> {
    pub verification: &'a str,
    pub form_title: &'a str,
    pub has_note: bool,
    pub my_page: &'a str,
}

/// Something happened in the case: which case, and whether there is a note to
/// read, but not the note itself or the status: those are read on My Page,
/// behind a login, as email is no place for them.
pub fn case_updated(t: Texts, to: &str, news: &CaseNews) -> Outgoing {
    let case = [("number", news.verification), ("form", news.form_title)];
    let mut paragraphs = vec![t.tf("email.case_updated.body", &case)];
    if news.has_note {
        paragraphs.push(t.t("email.case_updated.note").to_string());
    }
    paragraphs.push(t.t("email.case_updated.read").to_string());
    email(
        t,
        to,
        "email.case_updated.subject",
        paragraphs,
        Some((t.t("email.case_updated.link"), news.my_page)),
    )
}

/// The account was closed at the person's request.
pub fn account_closed(t: Texts, to: &str) -> Outgoing {
    account_changed(
        t,
        to,
        "email.account_closed.subject",
        t.t("email.account_closed.body").to_string(),
    )
}

/// The phone number for two-step verification was changed by support.
pub fn phone_changed(t: Texts, to: &str, masked_new: &str) -> Outgoing {
    account_changed(
        t,
        to,
        "email.phone_changed.subject",
        t.tf("email.phone_changed.body", &[("phone", masked_new)]),
    )
}

/// An SMS to a number that was removed from, or added to, an account by support.
pub fn phone_changed_sms(t: Texts, phone: &str, key: &str) -> Outgoing {
    sms(phone, t.t(key).to_string())
}
