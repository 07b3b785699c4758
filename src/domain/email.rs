//! Email addresses, which are also the usernames.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailProblem {
    Missing,
    Invalid,
}

impl EmailProblem {
    /// The catalog key of the message.
    pub fn key(&self) -> &'static str {
        match self {
            EmailProblem::Missing => "error.email.missing",
            EmailProblem::Invalid => "error.email.invalid",
        }
    }
}

impl Email {
    /// Trims and lower-cases; refuses anything that cannot be a deliverable address.
    pub fn parse(input: &str) -> Result<Email, EmailProblem> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailProblem::Missing);
        }
        if s.len() > 254
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
        {
            return Err(EmailProblem::Invalid);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailProblem::Invalid)?;
        let labels_ok = domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        // A dot-atom (RFC 5322): dots only between other characters.
        let dots_ok = !local.starts_with('.') && !local.ends_with('.') && !local.contains("..");
        if local.is_empty()
            || local.len() > 64
            || local.contains('@')
            || !dots_ok
            || !domain.contains('.')
            || !labels_ok
        {
            return Err(EmailProblem::Invalid);
        }
        let email = s.to_lowercase();
        // Whatever is accepted must be one the mail transport takes: a code sent
        // to an address it refuses would never arrive.
        if email.parse::<lettre::Address>().is_err() {
            return Err(EmailProblem::Invalid);
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address with most of the part before the @ hidden, for a message to someone else.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }

    /// Only the first letter of the name and of the domain, and the top-level
    /// domain (`a•••@e•••.se`): enough to confirm an address someone states,
    /// too little to read one out.
    pub fn hidden(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        let tld = domain.rsplit_once('.').map_or("", |(_, t)| t);
        format!("{}•••@{}•••.{tld}", first(local), first(domain))
    }

    /// The part before the @, a word a guessable password might contain.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Anna.Svensson@Example.SE ")
                .unwrap()
                .as_str(),
            "anna.svensson@example.se"
        );
        assert_eq!(
            Email::parse("a+tag@sub.example.com").unwrap().local_part(),
            "a+tag"
        );
    }

    #[test]
    fn a_hidden_address_keeps_first_letters_and_the_top_level_domain() {
        assert_eq!(
            Email::parse("anna.svensson@exempel.se").unwrap().hidden(),
            "a•••@e•••.se"
        );
        assert_eq!(
            Email::parse("å@sub.example.co.uk").unwrap().hidden(),
            "å•••@s•••.uk"
        );
    }

    #[test]
    fn masked_address_keeps_the_first_letter_and_the_domain() {
        assert_eq!(
            Email::parse("anna.svensson@example.se").unwrap().masked(),
            "a•••@example.se"
        );
    }

    #[test]
    fn invalid_addresses_are_refused() {
        assert_eq!(Email::parse(""), Err(EmailProblem::Missing));
        for bad in [
            "anna",
            "anna@",
            "@example.se",
            "anna@example",
            "a b@example.se",
            "a@b@c.se",
            "<a>@x.se",
            "a@-x.se",
            "a@x..se",
            // Dots the SMTP transport refuses: never accepted, so never a code that cannot arrive.
            "anna..svensson@x.se",
            ".anna@x.se",
            "anna.@x.se",
            // What the property test first shrank to.
            ".@0.aa",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailProblem::Invalid), "{bad}");
        }
    }

    #[test]
    fn what_is_accepted_can_be_sent_to() {
        for good in [
            "anna.svensson@example.se",
            "a+tag@sub.example.com",
            "o'brien@example.ie",
            "x_y-z@example.co.uk",
        ] {
            let email = Email::parse(good).unwrap();
            assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{good}");
        }
    }
}
