//! The events a client system's webhook receives, queued in the transaction of
//! what they report: a case submitted, its status changed, its questionnaire answered.
use serde_json::json;

use crate::db::outbox::Outbox;
use crate::db::{webhooks, SqlError};
use crate::domain::case::CaseStatus;
use crate::domain::secret::public_reference;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Submitted,
    StatusChanged,
    QuestionnaireAnswered,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Submitted => "case_submitted",
            Kind::StatusChanged => "case_status_changed",
            Kind::QuestionnaireAnswered => "questionnaire_answered",
        }
    }
}

/// What happened to which case.
pub struct CaseEvent<'a> {
    pub kind: Kind,
    pub verification: &'a str,
    pub form_id: &'a str,
    pub status: CaseStatus,
    /// The status before, for a status change.
    pub from: Option<CaseStatus>,
}

/// Queues the event for every client system with a webhook. The body holds no
/// answers: the client reads the case through the API, with its token.
pub fn queue(outbox: &Outbox, e: &CaseEvent, now: i64) -> Result<(), SqlError> {
    let mut case = json!({
        "verification_number": e.verification,
        "type": e.form_id,
        "status": e.status.as_str(),
        "href": crate::paths::api_case(e.verification),
    });
    if let Some(from) = e.from {
        case["from"] = json!(from.as_str());
    }
    let body = json!({
        "id": public_reference(),
        "type": e.kind.as_str(),
        "created_at": jiff::Timestamp::from_second(now).map(|t| t.to_string()).unwrap_or_default(),
        "case": case,
    });
    webhooks::enqueue(outbox, e.kind.as_str(), &body.to_string(), now)
}

/// The event for a questionnaire just answered, naming its case's status now.
pub fn questionnaire_answered(
    outbox: &Outbox,
    q: &crate::db::questionnaires::Questionnaire,
    now: i64,
) -> Result<(), SqlError> {
    let Some(case) = crate::db::cases::by_verification(outbox, &q.verification)? else {
        return Ok(());
    };
    let event = CaseEvent {
        kind: Kind::QuestionnaireAnswered,
        verification: &q.verification,
        form_id: &q.case_form_id,
        status: case.status,
        from: None,
    };
    queue(outbox, &event, now)
}
