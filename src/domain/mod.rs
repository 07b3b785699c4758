//! Rules and parsed types. Knows nothing of actix or rusqlite: input becomes
//! a value here that is valid by construction, or a problem with a catalog key.
pub mod api;
pub mod case;
pub mod case_search;
pub mod client_addr;
pub mod countries;
pub mod csv;
pub mod date;
pub mod documents;
pub mod email;
pub mod forms;
pub mod money;
pub mod password;
pub mod payment;
pub mod phone;
pub mod pin;
pub mod population;
#[cfg(test)]
mod properties;
pub mod rules;
pub mod secret;
pub mod session;
pub mod staff;
pub mod totp;
pub mod verification;

/// An id newtype per entity, so an account id is never mistaken for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccountId(pub i64);

/// A person's language. Every word they read comes from this language's catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Sv, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// The other of the two languages: what the header's switch offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The organisation of a professional e-ID holder.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}
