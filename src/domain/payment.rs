//! The payment state machine: created → started → (three_ds_required) →
//! success | failed | cancelled | error. An unfinished payment expires after 90 minutes.
use super::rules::PAYMENT_VALID;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentState {
    Created,
    Started,
    ThreeDsRequired,
    Success,
    Failed,
    Cancelled,
    Error,
}

impl PaymentState {
    pub const ALL: [PaymentState; 7] = [
        PaymentState::Created,
        PaymentState::Started,
        PaymentState::ThreeDsRequired,
        PaymentState::Success,
        PaymentState::Failed,
        PaymentState::Cancelled,
        PaymentState::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Created => "created",
            PaymentState::Started => "started",
            PaymentState::ThreeDsRequired => "three_ds_required",
            PaymentState::Success => "success",
            PaymentState::Failed => "failed",
            PaymentState::Cancelled => "cancelled",
            PaymentState::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentState> {
        PaymentState::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Success, failed, cancelled and error are where a payment ends.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PaymentState::Success
                | PaymentState::Failed
                | PaymentState::Cancelled
                | PaymentState::Error
        )
    }

    /// Whether the machine allows going from `self` to `next`.
    pub fn can_move_to(self, next: PaymentState) -> bool {
        use PaymentState::*;
        match self {
            Created => matches!(next, Started | Cancelled | Error),
            Started => matches!(next, ThreeDsRequired | Success | Failed | Cancelled | Error),
            ThreeDsRequired => matches!(next, Success | Failed | Cancelled | Error),
            Success | Failed | Cancelled | Error => false,
        }
    }
}

/// Why a payment did not succeed, as the provider reports it. Each has a message
/// in the catalogs (`payment.outcome.<name>`) that says what to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Declined,
    ExpiredCard,
    WrongCvc,
    ProcessingError,
    /// 3-D Secure could not reach the card issuer.
    IssuerUnreachable,
    /// The bank's verification was not passed (a wrong code).
    ThreeDsFailed,
    Cancelled,
    /// Not finished within 90 minutes.
    Expired,
    /// The provider reported something the portal cannot accept (e.g. another amount).
    Mismatch,
    /// Paid after another attempt had already paid for the application: the
    /// charge goes back to the card.
    Duplicate,
}

impl Outcome {
    pub const ALL: [Outcome; 10] = [
        Outcome::Declined,
        Outcome::ExpiredCard,
        Outcome::WrongCvc,
        Outcome::ProcessingError,
        Outcome::IssuerUnreachable,
        Outcome::ThreeDsFailed,
        Outcome::Cancelled,
        Outcome::Expired,
        Outcome::Mismatch,
        Outcome::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Declined => "declined",
            Outcome::ExpiredCard => "expired_card",
            Outcome::WrongCvc => "wrong_cvc",
            Outcome::ProcessingError => "processing_error",
            Outcome::IssuerUnreachable => "issuer_unreachable",
            Outcome::ThreeDsFailed => "three_ds_failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Expired => "expired",
            Outcome::Mismatch => "mismatch",
            Outcome::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The catalog key of the message shown to the person.
    pub fn message_key(self) -> &'static str {
        match self {
            Outcome::Declined => "payment.outcome.declined",
            Outcome::ExpiredCard => "payment.outcome.expired_card",
            Outcome::WrongCvc => "payment.outcome.wrong_cvc",
            Outcome::ProcessingError => "payment.outcome.processing_error",
            Outcome::IssuerUnreachable => "payment.outcome.issuer_unreachable",
            Outcome::ThreeDsFailed => "payment.outcome.three_ds_failed",
            Outcome::Cancelled => "payment.outcome.cancelled",
            Outcome::Expired => "payment.outcome.expired",
            Outcome::Mismatch => "payment.outcome.mismatch",
            Outcome::Duplicate => "payment.outcome.duplicate",
        }
    }

    /// The final state a payment ends in with this outcome.
    pub fn state(self) -> PaymentState {
        match self {
            Outcome::Cancelled => PaymentState::Cancelled,
            Outcome::ProcessingError
            | Outcome::Mismatch
            | Outcome::Expired
            | Outcome::Duplicate => PaymentState::Error,
            _ => PaymentState::Failed,
        }
    }
}

/// An unfinished payment created at `created_at` has expired by `now`.
pub fn expired(created_at: i64, now: i64) -> bool {
    now - created_at >= PAYMENT_VALID
}

#[cfg(test)]
mod tests {
    use super::PaymentState::*;
    use super::*;

    #[test]
    fn the_machine_allows_only_its_own_steps() {
        assert!(Created.can_move_to(Started));
        assert!(Started.can_move_to(ThreeDsRequired));
        assert!(ThreeDsRequired.can_move_to(Success));
        assert!(Started.can_move_to(Failed));
        assert!(!Created.can_move_to(Success), "no success without starting");
        assert!(!ThreeDsRequired.can_move_to(Started));
        for end in [Success, Failed, Cancelled, Error] {
            assert!(end.is_final());
            assert!(
                PaymentState::ALL.iter().all(|next| !end.can_move_to(*next)),
                "{end:?} is final"
            );
        }
    }

    #[test]
    fn outcomes_round_trip_and_end_in_a_final_state() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert!(o.state().is_final());
        }
    }

    #[test]
    fn names_round_trip_and_payments_expire_after_ninety_minutes() {
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::parse(s.as_str()), Some(s));
        }
        assert!(!expired(0, 90 * 60 - 1));
        assert!(expired(0, 90 * 60));
    }
}
