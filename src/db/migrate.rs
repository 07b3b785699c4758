//! Schema versions, tracked with `PRAGMA user_version`. `schema.sql` is a list
//! of steps, each starting with a line `-- step N: ...`; released steps are never edited.
use r2d2_sqlite::rusqlite::{Connection, TransactionBehavior};

const SCHEMA: &str = include_str!("../../schema.sql");

/// The schema's steps in order: step N is at index N - 1.
pub fn steps() -> Vec<&'static str> {
    let mut starts: Vec<usize> = SCHEMA
        .match_indices("\n-- step ")
        .map(|(i, _)| i + 1)
        .collect();
    starts.push(SCHEMA.len());
    starts.windows(2).map(|w| &SCHEMA[w[0]..w[1]]).collect()
}

/// The schema version this binary writes.
pub fn version() -> i64 {
    steps().len() as i64
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database is at schema version {found}, newer than this kansli (version {supported}); \
         run a newer kansli or restore a backup"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("schema step {step} failed: {source}")]
    Step {
        step: i64,
        source: r2d2_sqlite::rusqlite::Error,
    },
    #[error("schema step {step} would leave {broken} rows pointing at rows that do not exist")]
    ForeignKeys { step: i64, broken: i64 },
    #[error(transparent)]
    Sql(#[from] r2d2_sqlite::rusqlite::Error),
}

pub fn current_version(conn: &Connection) -> Result<i64, MigrateError> {
    Ok(schema_version(conn)?)
}

/// The schema version the database is at (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> r2d2_sqlite::rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Brings the schema up to [`version()`], each step in its own transaction.
pub fn apply(conn: &mut Connection) -> Result<i64, MigrateError> {
    apply_up_to(conn, version())
}

/// Applies the steps up to and including `target` (tests use this to make older databases).
pub fn apply_up_to(conn: &mut Connection, target: i64) -> Result<i64, MigrateError> {
    let found = current_version(conn)?;
    if found > version() {
        return Err(MigrateError::TooNew {
            found,
            supported: version(),
        });
    }
    // Rebuilding a table (the only way to change a constraint in SQLite) drops the
    // old one, which with foreign keys on would cascade into its children. So steps
    // run with them off, as SQLite's documented procedure does, and every step
    // checks them before it commits.
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply_steps(conn, found, target);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    applied?;
    current_version(conn)
}

fn apply_steps(conn: &mut Connection, found: i64, target: i64) -> Result<(), MigrateError> {
    for (index, sql) in steps()
        .into_iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        let step = index as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|source| MigrateError::Step { step, source })?;
        let broken: i64 =
            tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if broken > 0 {
            return Err(MigrateError::ForeignKeys { step, broken });
        }
        tx.pragma_update(None, "user_version", step)?;
        tx.commit()?;
        tracing::info!(step, "applied schema step");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_gets_every_step_and_reapplying_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply(&mut conn).unwrap(), version());
        assert_eq!(current_version(&conn).unwrap(), version());
        assert_eq!(apply(&mut conn).unwrap(), version());
    }

    #[test]
    fn steps_are_numbered_in_order_from_one() {
        for (i, step) in steps().iter().enumerate() {
            assert!(
                step.starts_with(&format!("-- step {}:", i + 1)),
                "step {} starts {:?}",
                i + 1,
                &step[..30]
            );
        }
        assert!(version() >= 2);
    }

    #[test]
    fn an_older_database_is_brought_up_to_date() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply_up_to(&mut conn, 1).unwrap(), 1);
        conn.execute("INSERT INTO accounts (email, password_hash, lang, created_at) VALUES ('a@b.se', 'h', 'sv', 0)", []).unwrap();
        assert_eq!(apply(&mut conn).unwrap(), version());
        let kept: i64 = conn
            .query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1);
        conn.execute(
            "INSERT INTO register_persons VALUES ('198112189876', 'Test', 'work')",
            [],
        )
        .unwrap();
    }

    #[test]
    fn rebuilding_the_codes_table_keeps_the_codes_and_allows_the_new_purpose() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_up_to(&mut conn, 5).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, email, password_hash, lang, created_at) VALUES (1, 'a@b.se', 'h', 'sv', 0);
             INSERT INTO codes (account_id, purpose, code_hash, target, created_at, expires_at, attempts)
                 VALUES (1, 'enrol_phone', x'01', '+46701234567', 5, 605, 2);",
        )
        .unwrap();
        assert!(conn
            .execute("INSERT INTO codes (account_id, purpose, code_hash, created_at, expires_at) VALUES (1, 'change_email', x'02', 0, 1)", [])
            .is_err());
        apply(&mut conn).unwrap();
        let kept: (String, String, i64) = conn
            .query_row("SELECT purpose, target, attempts FROM codes", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(kept, ("enrol_phone".into(), "+46701234567".into(), 2));
        conn.execute("INSERT INTO codes (account_id, purpose, code_hash, created_at, expires_at) VALUES (1, 'change_email', x'02', 0, 1)", [])
            .unwrap();
        conn.execute("DELETE FROM accounts", []).unwrap();
        let left: i64 = conn
            .query_row("SELECT COUNT(*) FROM codes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "codes still go with their account");
    }

    #[test]
    fn newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", version() + 1)
            .unwrap();
        let err = apply(&mut conn).unwrap_err();
        assert!(err.to_string().contains("newer than this kansli"), "{err}");
    }

    #[test]
    fn step_8_rebuilds_drafts_cases_and_sessions_keeping_every_row_and_link() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        apply_up_to(&mut conn, 7).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, email, password_hash, lang, created_at) VALUES (1, 'a@b.se', 'h', 'sv', 0);
             INSERT INTO drafts (id, reference, account_id, form_id, lang, created_at, last_activity, expires_at, approved_at, submitted_at)
                 VALUES (5, 'ref', 1, 'visit-visa', 'sv', 0, 0, 9, 1, 2);
             INSERT INTO draft_answers VALUES (5, 'given_names', 'Ana'), (5, 'family_name', 'Öberg');
             INSERT INTO payments (id, reference, draft_id, attempt, idempotency_key, amount, state, created_at)
                 VALUES (3, 'pay', 5, 1, 'k', 100, 'success', 0);
             INSERT INTO cases (id, verification, draft_id, account_id, payment_id, form_id, status, submitted_at, updated_at)
                 VALUES (7, '12345678-90', 5, 1, 3, 'visit-visa', 'received', 2, 2);
             INSERT INTO case_events (case_id, status, at, actor) VALUES (7, 'received', 2, 'applicant');
             INSERT INTO sessions (id_hash, account_id, stage, method, assurance, created_at, last_seen_at, last_step_at)
                 VALUES (x'01', 1, 'authenticated', 'password', 'basic', 0, 0, 0);",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let enforced: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(enforced, "foreign keys are on again after the migration");
        let (name, events, answers, sessions): (String, i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT applicant_name FROM cases WHERE id = 7),
                        (SELECT COUNT(*) FROM case_events WHERE case_id = 7 AND kind = 'status'),
                        (SELECT COUNT(*) FROM draft_answers WHERE draft_id = 5),
                        (SELECT COUNT(*) FROM sessions WHERE account_id = 1)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            (name.as_str(), events, answers, sessions),
            ("Ana Öberg", 1, 2, 1)
        );
        // Closing the account keeps the case once its draft is detached.
        conn.execute("UPDATE drafts SET account_id = NULL WHERE id = 5", [])
            .unwrap();
        conn.execute("DELETE FROM accounts", []).unwrap();
        let kept: Option<i64> = conn
            .query_row("SELECT account_id FROM cases WHERE id = 7", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kept, None);
        assert!(
            conn.execute("UPDATE cases SET status = 'decided' WHERE id = 7", [])
                .is_err(),
            "statuses are checked"
        );
    }

    #[test]
    fn step_9_keeps_codes_events_and_audit_entries_and_finds_the_applicants_number() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        apply_up_to(&mut conn, 8).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, email, password_hash, lang, created_at) VALUES (1, 'a@b.se', 'h', 'sv', 0);
             INSERT INTO drafts (id, reference, account_id, form_id, lang, created_at, last_activity, expires_at, approved_at, submitted_at)
                 VALUES (5, 'ref', 1, 'citizenship', 'sv', 0, 0, 9, 1, 2);
             INSERT INTO draft_answers VALUES (5, 'personal_identity_number', '199001011239');
             INSERT INTO payments (id, reference, draft_id, attempt, idempotency_key, amount, state, created_at)
                 VALUES (3, 'pay', 5, 1, 'k', 100, 'success', 0);
             INSERT INTO cases (id, verification, draft_id, account_id, payment_id, form_id, status, submitted_at, updated_at)
                 VALUES (7, '12345678-90', 5, 1, 3, 'citizenship', 'received', 2, 2);
             INSERT INTO case_events (case_id, status, at, actor, kind) VALUES (7, 'received', 2, 'applicant', 'status');
             INSERT INTO codes (account_id, purpose, code_hash, created_at, expires_at) VALUES (1, 'change_email', x'00', 0, 9);
             INSERT INTO audit_log (at, actor_kind, actor, action) VALUES (0, 'staff', 's@a.se', 'staff_login');",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let (pin, events, codes, audit): (String, i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT applicant_pin FROM cases WHERE id = 7),
                        (SELECT COUNT(*) FROM case_events WHERE case_id = 7),
                        (SELECT COUNT(*) FROM codes WHERE account_id = 1),
                        (SELECT COUNT(*) FROM audit_log)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            (pin.as_str(), events, codes, audit),
            ("199001011239", 1, 1, 1)
        );
        conn.execute(
            "INSERT INTO case_events (case_id, status, at, actor, kind) VALUES (7, 'received', 3, 'x', 'health_examination')",
            [],
        )
        .unwrap();
        conn.execute("UPDATE accounts SET pin = '199001011239'", [])
            .unwrap();
        conn.execute(
            "INSERT INTO accounts (id, email, password_hash, lang, created_at, pin) VALUES (2, 'c@d.se', 'h', 'sv', 0, '199001011239')",
            [],
        )
        .unwrap_err();
    }

    #[test]
    fn step_11_keeps_codes_and_sessions_and_takes_the_new_purposes() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        apply_up_to(&mut conn, 10).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, email, password_hash, lang, created_at) VALUES (1, 'a@b.se', 'h', 'sv', 0);
             INSERT INTO codes (account_id, purpose, code_hash, target, created_at, expires_at) VALUES (1, 'link_pin', x'00', '199001011239', 0, 9);
             INSERT INTO sessions (id_hash, account_id, stage, method, assurance, created_at, last_seen_at, last_step_at)
                 VALUES (x'01', 1, 'authenticated', 'password', 'basic', 0, 0, 0);",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let (codes, sessions): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM codes WHERE target = '199001011239'),
                        (SELECT COUNT(*) FROM sessions WHERE ip IS NULL AND decoy_tries = 0 AND decoy_address IS NULL)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((codes, sessions), (1, 1));
        for purpose in [
            "confirm_change",
            "support_phone",
            "support_mail",
            "support_email",
        ] {
            conn.execute(
                "INSERT INTO codes (account_id, purpose, code_hash, created_at, expires_at) VALUES (1, ?1, x'00', 0, 9)",
                [purpose],
            )
            .unwrap();
        }
    }

    #[test]
    fn step_10_moves_an_accounts_revision_with_every_change_my_page_lists() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        apply(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, email, password_hash, lang, created_at) VALUES (1, 'a@b.se', 'h', 'sv', 0);
             INSERT INTO accounts (id, email, password_hash, lang, created_at) VALUES (2, 'c@d.se', 'h', 'sv', 0);",
        )
        .unwrap();
        // Whether `sql` moves account `id`'s revision on.
        let moves = |id: i64, sql: &str| -> bool {
            let revision = || -> i64 {
                conn.query_row("SELECT revision FROM accounts WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .unwrap()
            };
            let before = revision();
            conn.execute_batch(sql).unwrap();
            revision() > before
        };
        let day = 86_400;
        assert!(moves(1, &format!(
            "INSERT INTO drafts (id, reference, account_id, form_id, lang, created_at, last_activity, expires_at)
                 VALUES (5, 'ref', 1, 'work', 'sv', 0, 0, {day} * 30 + 10)"
        )), "a new draft");
        assert!(
            !moves(1, &format!("UPDATE drafts SET last_activity = 5, revision = 1, expires_at = {day} * 30 + 20")),
            "a save that leaves the listed deletion date as it was"
        );
        assert!(
            moves(1, &format!("UPDATE drafts SET expires_at = {day} * 31")),
            "the deletion date moved on"
        );
        assert!(moves(1, "UPDATE drafts SET approved_at = 7"), "approved");
        assert!(
            !moves(1, "INSERT INTO payments (id, reference, draft_id, attempt, idempotency_key, amount, state, created_at)
                     VALUES (3, 'pay', 5, 1, 'k', 100, 'started', 0);
                 UPDATE payments SET state = 'three_ds_required'"),
            "a payment is not listed until it has a case"
        );
        assert!(moves(1,
            "UPDATE payments SET state = 'success', finished_at = 8;
             UPDATE drafts SET submitted_at = 8;
             INSERT INTO cases (id, verification, draft_id, account_id, payment_id, form_id, status, submitted_at, updated_at)
                 VALUES (7, '12345678-90', 5, 1, 3, 'work', 'received', 8, 8);"
        ), "submitted");
        assert!(
            moves(1, "UPDATE cases SET status = 'in_progress'"),
            "a new status"
        );
        assert!(
            moves(1, "UPDATE payments SET brand = 'visa'"),
            "a receipt changed"
        );
        assert!(
            moves(1, "UPDATE cases SET account_id = 2"),
            "the case left the list"
        );
        assert!(
            moves(2, "UPDATE cases SET status = 'approved'"),
            "the other account's case"
        );
        assert!(moves(2, "DELETE FROM cases"), "a case gone");
        assert!(moves(1, "DELETE FROM drafts"), "a draft gone");
    }
}
