//! What professional e-ID holders of a configured organisation (municipality or
//! region staff) report to a case: that a health examination was offered.
use crate::db::{self, audit};
use crate::domain::case::EventKind;
use crate::domain::date::Date;
use crate::domain::verification::VerificationNumber;
use crate::error::AppError;
use crate::state::AppState;

/// A report, with who makes it.
pub struct HealthExamination {
    pub verification: VerificationNumber,
    pub offered_on: Date,
    /// Shown on the caseworker's timeline: the reporter's name and organisation.
    pub actor: String,
    /// The reporter's personal identity number as shown, for the audit log.
    pub reporter: String,
    pub organisation_id: String,
    /// The timeline's text, in the reporter's language.
    pub message: String,
    pub ip: String,
}

pub enum Reported {
    Recorded,
    /// No case has this verification number.
    NoCase,
}

/// Records the report on the case's timeline and in the audit log.
pub async fn report_health_examination(
    state: &AppState,
    report: HealthExamination,
) -> Result<Reported, AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| -> Result<Reported, AppError> {
        let v = report.verification.as_str();
        let Some(case) = db::cases::by_verification(tx, v)? else {
            return Ok(Reported::NoCase);
        };
        db::cases::record(
            tx,
            &db::cases::NewEvent {
                case: case.id,
                kind: EventKind::HealthExamination,
                status: case.status,
                from: None,
                message: Some(&report.message),
                actor: &report.actor,
            },
            now,
        )?;
        audit::Entry::new(
            audit::ActorKind::Partner,
            &report.reporter,
            "partner_health_examination",
        )
        .target(v)
        .ip(&report.ip)
        .detail(&format!(
            "organisation {}, offered on {}",
            report.organisation_id, report.offered_on
        ))
        .record(tx, now)?;
        Ok(Reported::Recorded)
    })
    .await
}
