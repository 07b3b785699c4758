//! A submitted application's status and the steps between statuses. Every case
//! starts as Received; caseworkers move it on. Each status has a plain-language
//! explanation and a next step in the catalogs (`case.status.<status>.name`, `.explain`, `.next`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseStatus {
    Received,
    InProgress,
    /// The agency asked the applicant to complete the application.
    SupplementRequested,
    Decided,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Received,
        CaseStatus::InProgress,
        CaseStatus::SupplementRequested,
        CaseStatus::Decided,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::SupplementRequested => "supplement_requested",
            CaseStatus::Decided => "decided",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether a caseworker may move a case from `self` to `next`.
    pub fn can_move_to(self, next: CaseStatus) -> bool {
        use CaseStatus::*;
        match self {
            Received => matches!(next, InProgress),
            InProgress => matches!(next, SupplementRequested | Decided),
            SupplementRequested => matches!(next, InProgress),
            Decided => false,
        }
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
            CaseStatus::Decided => [
                "case.status.decided.name",
                "case.status.decided.explain",
                "case.status.decided.next",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseStatus::parse("lost"), None);
    }

    #[test]
    fn a_decided_case_stays_decided_and_no_step_is_skipped() {
        assert!(Received.can_move_to(InProgress));
        assert!(
            !Received.can_move_to(Decided),
            "a case is worked on before it is decided"
        );
        assert!(InProgress.can_move_to(SupplementRequested));
        assert!(SupplementRequested.can_move_to(InProgress));
        assert!(CaseStatus::ALL.iter().all(|n| !Decided.can_move_to(*n)));
    }
}
