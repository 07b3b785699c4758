//! The questionnaire for the person in Sweden: created with the case when the
//! application type has one, reached by the emailed link or from the website
//! (verification number + personal identity number), answered with the same
//! engine as applications (`apply`), and reminded of once after 7 days.
use r2d2_sqlite::rusqlite::Connection;

use crate::db::audit::{ActorKind, Entry};
use crate::db::outbox::Outbox;
use crate::db::questionnaires::{self, NewQuestionnaire, Questionnaire};
use crate::db::{self, drafts, outbox, Pool};
use crate::domain::date::Date;
use crate::domain::forms::answers::Answers;
use crate::domain::forms::{FormDef, QuestionnaireLink};
use crate::domain::rules::{
    draft_expires_at, QUESTIONNAIRE_ANSWER_WITHIN, QUESTIONNAIRE_REMINDER_AFTER,
};
use crate::domain::secret::{public_reference, Keyring, Token};
use crate::domain::Lang;
use crate::error::AppError;
use crate::flows::identity::eid::display_pin;
use crate::flows::identity::start_questionnaire_session;
use crate::outbound::notify::{messages, Delivery};
use crate::paths;
use crate::state::AppState;

/// The link's token: worked out from the installation key, the case and when the
/// link was (last) sent, so the reminder can carry the same link while only its
/// hash is stored. Sending a new link (support) changes `sent_at` and so the token.
fn link_token(keyring: &Keyring, case: i64, sent_at: i64) -> Token {
    keyring.derived_token("questionnaire_link", &format!("{case}:{sent_at}"))
}

/// The link email (or its reminder) for `q`, put in the outbox.
fn enqueue_link(
    tx: &Outbox,
    keyring: &Keyring,
    q: &Questionnaire,
    base_url: &str,
    reminder: bool,
    now: i64,
) -> r2d2_sqlite::rusqlite::Result<()> {
    let token = link_token(keyring, q.case_id, q.sent_at);
    let url = format!("{base_url}{}", paths::questionnaire_link(token.expose()));
    let website = format!("{base_url}{}", paths::QUESTIONNAIRE);
    let answers = drafts::answers(tx, db::cases::draft_of(tx, q.case_id)?)?;
    let applicant = crate::domain::forms::answers::applicant_name(&answers);
    let title = crate::domain::forms::shipped()
        .get(&q.case_form_id)
        .map(|f| &f.title);
    let application = [Lang::Sv, Lang::En].map(|l| title.map(|t| t.get(l)).unwrap_or_default());
    let answer_by = Date::in_sweden(q.sent_at + QUESTIONNAIRE_ANSWER_WITHIN).to_string();
    let about = messages::Invitation {
        applicant: &applicant,
        application,
        verification: &q.verification,
        answer_by: &answer_by,
        url: &url,
        website: &website,
    };
    let message = messages::questionnaire(&q.email, &about, reminder);
    outbox::enqueue(tx, &message, now)?;
    Ok(())
}

/// In the submission's transaction: when the application type has a questionnaire,
/// create it for the person the answers name and email them its link.
#[allow(clippy::too_many_arguments)]
pub fn create_for_case(
    tx: &Outbox,
    keyring: &Keyring,
    link: &QuestionnaireLink,
    answers: &Answers,
    case: i64,
    lang: Lang,
    base_url: &str,
    now: i64,
) -> r2d2_sqlite::rusqlite::Result<()> {
    let get = |field: &str| answers.get(field).map(String::as_str).unwrap_or_default();
    let token = link_token(keyring, case, now);
    let id = questionnaires::insert(
        tx,
        &NewQuestionnaire {
            case_id: case,
            form_id: &link.form,
            name: get(&link.name_field),
            email: get(&link.email_field),
            pin: get(&link.pin_field),
            lang,
            token_hash: &token.hash(),
        },
        now,
    )?;
    let q =
        questionnaires::by_id(tx, id)?.ok_or(r2d2_sqlite::rusqlite::Error::QueryReturnedNoRows)?;
    enqueue_link(tx, keyring, &q, base_url, false, now)
}

/// Sends a new link (the old one stops working), to `email` when support corrected it.
pub fn send_new_link(
    tx: &Outbox,
    keyring: &Keyring,
    q: &Questionnaire,
    email: &str,
    base_url: &str,
    now: i64,
) -> r2d2_sqlite::rusqlite::Result<()> {
    let token = link_token(keyring, q.case_id, now);
    questionnaires::renew_link(tx, q.id, &token.hash(), email, now)?;
    let renewed = Questionnaire {
        email: email.to_string(),
        sent_at: now,
        ..q.clone()
    };
    enqueue_link(tx, keyring, &renewed, base_url, false, now)
}

/// The questionnaire the emailed link opens, if the link is the current one.
pub async fn by_link(state: &AppState, token: &Token) -> Result<Option<Questionnaire>, AppError> {
    let hash = token.hash();
    db::read(&state.pool, move |c| questionnaires::by_token(c, &hash)).await
}

/// The questionnaire for this verification number and the personal identity
/// number of the person identified by e-identification (both already parsed and
/// normalised); None for any other combination, which the audit log records.
pub async fn by_number(
    state: &AppState,
    verification: String,
    pin: String,
    ip: String,
) -> Result<Option<Questionnaire>, AppError> {
    let (v, p) = (verification.clone(), pin.clone());
    let found = db::read(&state.pool, move |c| {
        questionnaires::by_case_and_pin(c, &v, &p)
    })
    .await?;
    if found.is_none() {
        let now = state.now();
        db::write(&state.pool, move |tx| {
            Entry::new(
                ActorKind::Anonymous,
                &display_pin(&pin),
                "questionnaire_lookup_failed",
            )
            .target(&verification)
            .ip(&ip)
            .record(tx, now)
        })
        .await?;
    }
    Ok(found)
}

/// The questionnaire's draft, made on first opening (or again after unfinished
/// answers expired). Returns its reference.
fn ensure_draft(
    tx: &Connection,
    id: i64,
    lang: Lang,
    form_id: &str,
    lifetime_days: i64,
    now: i64,
) -> Result<String, AppError> {
    let current = questionnaires::by_id(tx, id)?.ok_or(AppError::NotFound)?;
    if let Some(draft) = match current.draft_id {
        Some(d) => drafts::find_by_id(tx, d)?,
        None => None,
    } {
        return Ok(draft.reference);
    }
    let reference = public_reference();
    let draft = drafts::insert(
        tx,
        &drafts::NewDraft {
            reference: &reference,
            account: None,
            form_id,
            lang,
            expires_at: draft_expires_at(now, lifetime_days),
        },
        now,
    )?;
    questionnaires::attach_draft(tx, id, draft)?;
    Ok(reference)
}

/// The reference of `q`'s draft (made if needed), for the person already in.
pub async fn draft_of(
    state: &AppState,
    q: &Questionnaire,
    form: &FormDef,
) -> Result<String, AppError> {
    // Mostly the draft exists: a read finds it, and only a missing one costs a write.
    if let Some(d) = q.draft_id {
        if let Some(draft) = db::read(&state.pool, move |c| drafts::find_by_id(c, d)).await? {
            return Ok(draft.reference);
        }
    }
    let (id, now, lang) = (q.id, state.now(), q.lang);
    let (form_id, lifetime) = (form.id.clone(), form.lifetime_days);
    db::write(&state.pool, move |tx| {
        ensure_draft(tx, id, lang, &form_id, lifetime, now)
    })
    .await
}

/// Starts the person in Sweden's session for `q`, replacing the browser's session
/// if it had one, and makes sure the questionnaire has a draft to fill in.
/// Returns the new session's token and the draft's reference.
pub async fn enter(
    state: &AppState,
    q: &Questionnaire,
    form: &FormDef,
    replacing: Option<Vec<u8>>,
) -> Result<(Token, String), AppError> {
    let (id, now, lang) = (q.id, state.now(), q.lang);
    let (form_id, lifetime) = (form.id.clone(), form.lifetime_days);
    db::write(
        &state.pool,
        move |tx| -> Result<(Token, String), AppError> {
            let reference = ensure_draft(tx, id, lang, &form_id, lifetime, now)?;
            let token = start_questionnaire_session(tx, replacing.as_deref(), id, now)?;
            Ok((token, reference))
        },
    )
    .await
}

/// The questionnaire this session may answer.
pub async fn of_session(state: &AppState, id: i64) -> Result<Option<Questionnaire>, AppError> {
    db::read(&state.pool, move |c| questionnaires::by_id(c, id)).await
}

/// Emails a reminder, once, for every questionnaire unanswered 7 days after its
/// link was sent. Returns how many were sent.
pub async fn remind(
    delivery: &Delivery,
    pool: &Pool,
    keyring: &Keyring,
    base_url: &str,
    now: i64,
) -> Result<usize, AppError> {
    let mut total = 0;
    loop {
        let (keyring, base) = (keyring.clone(), base_url.to_string());
        let n = delivery
            .write_and_send(pool, move |tx| -> Result<usize, AppError> {
                let due =
                    questionnaires::due_reminders(tx, now - QUESTIONNAIRE_REMINDER_AFTER, 100)?;
                for q in &due {
                    if questionnaires::mark_reminded(tx, q.id, now)? {
                        enqueue_link(tx, &keyring, q, &base, true, now)?;
                    }
                }
                Ok(due.len())
            })
            .await?;
        total += n;
        if n < 100 {
            return Ok(total);
        }
    }
}
