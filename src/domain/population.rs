//! The rule for applications as a relative of someone in Sweden: the person's
//! number must belong to someone registered with the matching kind of permit.

#[derive(Debug, PartialEq, Eq)]
pub enum RelativeCheck {
    Fits,
    /// Nobody with the matching kind of permit has this number. Whether the
    /// person is unknown or holds another kind of permit is not told: an
    /// applicant must not learn from the check who holds which permit.
    DoesNotFit,
}

impl RelativeCheck {
    /// `required` is the form's permit kind; `found` the register's, if the person is there.
    pub fn of(required: &str, found: Option<&str>) -> RelativeCheck {
        match found {
            Some(kind) if kind == required => RelativeCheck::Fits,
            _ => RelativeCheck::DoesNotFit,
        }
    }

    pub fn key(&self) -> Option<&'static str> {
        match self {
            RelativeCheck::Fits => None,
            RelativeCheck::DoesNotFit => Some("error.pin.not_for_this_application"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permit_kind_must_match_the_application() {
        assert_eq!(RelativeCheck::of("work", Some("work")), RelativeCheck::Fits);
        // The other kind of permit and no permit at all read the same.
        assert_eq!(
            RelativeCheck::of("work", Some("study")).key(),
            RelativeCheck::of("study", None).key()
        );
        assert_eq!(
            RelativeCheck::of("study", Some("work")).key(),
            Some("error.pin.not_for_this_application")
        );
    }
}
