//! The `register_persons` table: a small stand-in for the population register.
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

type Result<T> = r2d2_sqlite::rusqlite::Result<T>;

/// Example persons seeded in development: (number, name, permit kind).
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    ("198112189876", "Erik Andersson", "work"),
    ("198504122386", "Fatima Hassan", "work"),
    ("199207304560", "Li Wei", "study"),
    ("197010632391", "Olena Kovalenko", "study"),
];

/// The kind of permit the person with this 12-digit number holds, if registered.
pub fn permit_kind(conn: &Connection, pin: &str) -> Result<Option<String>> {
    conn.prepare_cached("SELECT permit_kind FROM register_persons WHERE pin = ?1")?
        .query_row([pin], |r| r.get(0))
        .optional()
}

/// Whether an example person is not in the register: a read, so that a start on a
/// seeded database does not wait for a write transaction.
pub fn examples_missing(conn: &Connection) -> Result<bool> {
    for (pin, _, _) in EXAMPLES {
        if permit_kind(conn, pin)?.is_none() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Adds the example persons (again harmlessly, if they are there already).
pub fn seed_examples(conn: &Connection) -> Result<usize> {
    let mut added = 0;
    for (pin, name, kind) in EXAMPLES {
        added += conn.execute(
            "INSERT OR IGNORE INTO register_persons (pin, name, permit_kind) VALUES (?1, ?2, ?3)",
            params![pin, name, kind],
        )?;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::date::Date;
    use crate::domain::pin::PersonalIdentityNumber;

    #[test]
    fn the_examples_are_valid_numbers_and_seeding_twice_adds_nothing() {
        let today = Date::new(2026, 11, 21).unwrap();
        for (pin, _, _) in EXAMPLES {
            assert_eq!(
                PersonalIdentityNumber::parse(pin, today).unwrap().as_str(),
                *pin
            );
        }
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrate::apply(&mut conn).unwrap();
        assert!(examples_missing(&conn).unwrap());
        assert_eq!(seed_examples(&conn).unwrap(), EXAMPLES.len());
        assert!(!examples_missing(&conn).unwrap());
        assert_eq!(seed_examples(&conn).unwrap(), 0);
        assert_eq!(
            permit_kind(&conn, "199207304560").unwrap().as_deref(),
            Some("study")
        );
        assert_eq!(permit_kind(&conn, "190001010000").unwrap(), None);
    }
}
