//! A submitted application's status and the steps between statuses: the case
//! status machine. Every case starts as Received; caseworkers move it on:
//!
//! Received → Being processed → Supplement requested → Being processed → …
//! → Decision: approved | rejected → Closed. A supplement that arrived by post
//! lets a caseworker decide straight from Supplement requested.
//!
//! Each status has a plain-language name, explanation and next step in the
//! catalogs (`case.status.<status>.name`, `.explain`, `.next`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseStatus {
    Received,
    /// "Being processed".
    InProgress,
    /// The agency asked the applicant to complete the application (with a message).
    SupplementRequested,
    Approved,
    Rejected,
    Closed,
}

/// Longest message a caseworker can send with a status change.
pub const MESSAGE_MAX_CHARS: usize = 2000;

impl CaseStatus {
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::Received,
        CaseStatus::InProgress,
        CaseStatus::SupplementRequested,
        CaseStatus::Approved,
        CaseStatus::Rejected,
        CaseStatus::Closed,
    ];

    /// The statuses after a decision: nothing more is asked of the applicant, so
    /// the retention of a case's documents counts from reaching one of them.
    pub const DECIDED: [CaseStatus; 3] = [
        CaseStatus::Approved,
        CaseStatus::Rejected,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::SupplementRequested => "supplement_requested",
            CaseStatus::Approved => "approved",
            CaseStatus::Rejected => "rejected",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The statuses a caseworker may move a case to from `self`.
    pub fn next_steps(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Received => &[InProgress],
            InProgress => &[SupplementRequested, Approved, Rejected],
            // The supplement came by post: the caseworker may decide at once.
            SupplementRequested => &[InProgress, Approved, Rejected],
            Approved | Rejected => &[Closed],
            Closed => &[],
        }
    }

    pub fn can_move_to(self, next: CaseStatus) -> bool {
        self.next_steps().contains(&next)
    }

    /// Whether moving to this status needs a message to the applicant.
    pub fn needs_message(self) -> bool {
        self == CaseStatus::SupplementRequested
    }

    /// Catalog keys of the status's name, its explanation and the next step.
    pub fn keys(self) -> [&'static str; 3] {
        match self {
            CaseStatus::Received => [
                "case.status.received.name",
                "case.status.received.explain",
                "case.status.received.next",
            ],
            CaseStatus::InProgress => [
                "case.status.in_progress.name",
                "case.status.in_progress.explain",
                "case.status.in_progress.next",
            ],
            CaseStatus::SupplementRequested => [
                "case.status.supplement_requested.name",
                "case.status.supplement_requested.explain",
                "case.status.supplement_requested.next",
            ],
            CaseStatus::Approved => [
                "case.status.approved.name",
                "case.status.approved.explain",
                "case.status.approved.next",
            ],
            CaseStatus::Rejected => [
                "case.status.rejected.name",
                "case.status.rejected.explain",
                "case.status.rejected.next",
            ],
            CaseStatus::Closed => [
                "case.status.closed.name",
                "case.status.closed.explain",
                "case.status.closed.next",
            ],
        }
    }
}

/// Why a status change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a step of the machine from the case's current status.
    NotAllowed,
    MessageMissing,
    MessageTooLong,
}

impl Refused {
    pub fn key(self) -> &'static str {
        match self {
            Refused::NotAllowed => "error.case.transition",
            Refused::MessageMissing => "error.case.message_missing",
            Refused::MessageTooLong => "error.case.message_too_long",
        }
    }
}

/// A status change the machine allows, with its message (required for a
/// supplement request, optional otherwise). Only [`Transition::new`] makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    from: CaseStatus,
    to: CaseStatus,
    message: Option<String>,
}

impl Transition {
    pub fn new(from: CaseStatus, to: CaseStatus, message: &str) -> Result<Transition, Refused> {
        if !from.can_move_to(to) {
            return Err(Refused::NotAllowed);
        }
        let message = message.trim();
        if message.chars().count() > MESSAGE_MAX_CHARS {
            return Err(Refused::MessageTooLong);
        }
        if message.is_empty() && to.needs_message() {
            return Err(Refused::MessageMissing);
        }
        Ok(Transition {
            from,
            to,
            message: Some(message.to_string()).filter(|m| !m.is_empty()),
        })
    }

    pub fn from(&self) -> CaseStatus {
        self.from
    }

    pub fn to(&self) -> CaseStatus {
        self.to
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// What a line of a case's timeline records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Status,
    QuestionnaireSent,
    QuestionnaireAnswered,
    /// A municipality or region reported that a health examination was offered
    /// (professional e-ID). For caseworkers; not on the applicant's timeline.
    HealthExamination,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Status => "status",
            EventKind::QuestionnaireSent => "questionnaire_sent",
            EventKind::QuestionnaireAnswered => "questionnaire_answered",
            EventKind::HealthExamination => "health_examination",
        }
    }

    /// Whether the applicant's own timeline shows it.
    pub fn for_applicant(self) -> bool {
        self != EventKind::HealthExamination
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        [
            EventKind::Status,
            EventKind::QuestionnaireSent,
            EventKind::QuestionnaireAnswered,
            EventKind::HealthExamination,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;

    /// Kansli sends no letters: what a case's status says to do next points at what
    /// exists (the caseworker's message on My Page, the email, the contact details).
    #[test]
    fn case_texts_send_people_to_no_letter() {
        for status in CaseStatus::ALL {
            for lang in [crate::domain::Lang::Sv, crate::domain::Lang::En] {
                for key in status.keys() {
                    let text = crate::i18n::Texts::new(lang).t(key).to_lowercase();
                    for word in [" letter", "brev", "sent to you", "skickas till dig"] {
                        assert!(
                            !text.contains(word),
                            "{key} ({lang:?}) names a letter ({word}): {text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseStatus::parse("lost"), None);
        assert_eq!(
            EventKind::parse("questionnaire_answered"),
            Some(EventKind::QuestionnaireAnswered)
        );
    }

    #[test]
    fn exactly_the_machines_steps_are_allowed() {
        let allowed = [
            (Received, InProgress),
            (InProgress, SupplementRequested),
            (SupplementRequested, InProgress),
            (SupplementRequested, Approved),
            (SupplementRequested, Rejected),
            (InProgress, Approved),
            (InProgress, Rejected),
            (Approved, Closed),
            (Rejected, Closed),
        ];
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                let expected = allowed.contains(&(from, to));
                let message = if to.needs_message() {
                    "Send your passport."
                } else {
                    ""
                };
                assert_eq!(
                    Transition::new(from, to, message).is_ok(),
                    expected,
                    "{from:?} → {to:?}"
                );
                if !expected {
                    assert_eq!(Transition::new(from, to, message), Err(Refused::NotAllowed));
                }
            }
        }
    }

    #[test]
    fn a_supplement_request_needs_a_message_within_the_limit() {
        assert_eq!(
            Transition::new(InProgress, SupplementRequested, "  "),
            Err(Refused::MessageMissing)
        );
        let long = "x".repeat(MESSAGE_MAX_CHARS + 1);
        assert_eq!(
            Transition::new(InProgress, SupplementRequested, &long),
            Err(Refused::MessageTooLong)
        );
        let t = Transition::new(InProgress, SupplementRequested, " Send <a> copy ").unwrap();
        assert_eq!(t.message(), Some("Send <a> copy"));
        assert_eq!(
            Transition::new(Received, InProgress, "").unwrap().message(),
            None
        );
    }
}
