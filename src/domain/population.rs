//! The rule for applications as a relative of someone in Sweden: the person's
//! number must belong to someone registered with the matching kind of permit.

#[derive(Debug, PartialEq, Eq)]
pub enum RelativeCheck {
    Fits,
    /// Nobody with a permit has this number.
    NotRegistered,
    /// The person exists but holds the other kind of permit: likely the wrong application.
    WrongApplication,
}

impl RelativeCheck {
    /// `required` is the form's permit kind; `found` the register's, if the person is there.
    pub fn of(required: &str, found: Option<&str>) -> RelativeCheck {
        match found {
            None => RelativeCheck::NotRegistered,
            Some(kind) if kind == required => RelativeCheck::Fits,
            Some(_) => RelativeCheck::WrongApplication,
        }
    }

    pub fn key(&self) -> Option<&'static str> {
        match self {
            RelativeCheck::Fits => None,
            RelativeCheck::NotRegistered => Some("error.pin.not_registered"),
            RelativeCheck::WrongApplication => Some("error.pin.wrong_application"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permit_kind_must_match_the_application() {
        assert_eq!(RelativeCheck::of("work", Some("work")), RelativeCheck::Fits);
        assert_eq!(
            RelativeCheck::of("work", Some("study")),
            RelativeCheck::WrongApplication
        );
        assert_eq!(
            RelativeCheck::of("study", None),
            RelativeCheck::NotRegistered
        );
        assert_eq!(
            RelativeCheck::of("study", Some("work")).key(),
            Some("error.pin.wrong_application")
        );
    }
}
