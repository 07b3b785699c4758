//! Every number that a rule depends on, in exactly one place (seconds).

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// Logged out after this long without a request.
pub const SESSION_IDLE: i64 = 30 * MINUTE;
/// Logged out this long after the session began, whatever the activity.
pub const SESSION_ABSOLUTE: i64 = 12 * HOUR;
/// The idle warning appears this long before the idle limit.
pub const SESSION_WARNING: i64 = 2 * MINUTE;
/// A session still waiting for a code may not outlive this.
pub const PENDING_LOGIN: i64 = 30 * MINUTE;

pub const EMAIL_CODE_VALID: i64 = 30 * MINUTE;
pub const EMAIL_CODE_TRIES: i64 = 5;
pub const SMS_CODE_VALID: i64 = 10 * MINUTE;
pub const SMS_CODE_TRIES: i64 = 3;
/// SMS codes one login attempt may send (the first and two new ones); then the
/// attempt ends and the person logs in again.
pub const SMS_CODES_PER_LOGIN: i64 = 3;
/// Wrong codes allowed for one account and purpose in a day, across new codes:
/// past this, no code is accepted and the person is asked to contact support.
pub const CODE_WRONG_PER_DAY: i64 = 10;
/// Shortest time between two "send a new code" requests for the same account.
pub const CODE_RESEND_INTERVAL: i64 = MINUTE;
/// How long a sign-up waiting for its emailed code holds the address against
/// sign-ups from other browsers, from when it began: activity and new codes do not
/// extend it, so no one can hold an address they cannot confirm.
pub const SIGN_UP_HOLD: i64 = 30 * MINUTE;

pub const RESET_TOKEN_VALID: i64 = 30 * MINUTE;

/// A new staff member's setup link works this long.
pub const STAFF_SETUP_LINK_VALID: i64 = DAY;

/// An unfinished card payment expires after this.
pub const PAYMENT_VALID: i64 = 90 * MINUTE;

/// Time to fill in one page of an application.
pub const PAGE_TIME: i64 = 30 * MINUTE;
/// The reminder email goes out this long before a draft's deletion.
pub const DRAFT_REMINDER_BEFORE: i64 = 3 * DAY;

/// A draft's deletion time: its last activity plus its type's lifetime.
pub fn draft_expires_at(last_activity: i64, lifetime_days: i64) -> i64 {
    last_activity + lifetime_days * DAY
}

/// An approved application waits this long after approval for its fee; then it
/// is gone for the person and deleted, as an unfinished one is (unless a payment
/// is in progress at the provider or succeeded).
pub const APPROVED_UNPAID_LIFETIME: i64 = 30 * DAY;

/// When a draft not yet submitted stops existing for the person: its deletion
/// time while unfinished, 30 days after approval once approved.
pub fn draft_gone_at(expires_at: i64, approved_at: Option<i64>) -> i64 {
    match approved_at {
        Some(at) => at + APPROVED_UNPAID_LIFETIME,
        None => expires_at,
    }
}

/// The person in Sweden is asked to answer the questionnaire within this long
/// of its link being sent (the invitation and its reminder give the date).
pub const QUESTIONNAIRE_ANSWER_WITHIN: i64 = 28 * DAY;

/// An unanswered questionnaire is reminded of once, this long after its link was sent.
pub const QUESTIONNAIRE_REMINDER_AFTER: i64 = 7 * DAY;

/// Accounts whose email address was never confirmed are deleted after this.
pub const UNCONFIRMED_ACCOUNT_LIFETIME: i64 = 7 * DAY;

/// After this many consecutive failed logins the account is locked.
pub const LOGIN_LOCK_AFTER: i64 = 100;
/// Failures allowed before the growing delay starts.
pub const LOGIN_FREE_FAILURES: i64 = 4;
/// The longest delay between two login attempts for one account.
pub const LOGIN_MAX_DELAY: i64 = 15 * MINUTE;

/// How long after a failed login the next attempt for that account must wait.
pub fn login_delay(consecutive_failures: i64) -> i64 {
    if consecutive_failures <= LOGIN_FREE_FAILURES {
        return 0;
    }
    let exponent = (consecutive_failures - LOGIN_FREE_FAILURES - 1).min(20) as u32;
    (1i64 << exponent).min(LOGIN_MAX_DELAY)
}

/// Whether an account (applicant or staff) may not try a password now: locked after
/// too many failures, or still inside the growing delay after the last one.
pub fn login_blocked(failed_logins: i64, last_failed_at: Option<i64>, now: i64) -> bool {
    failed_logins >= LOGIN_LOCK_AFTER
        || last_failed_at.is_some_and(|at| now < at + login_delay(failed_logins))
}

/// Until when a staff member must wait before trying a password again, after
/// `failed_logins` consecutive failures, the last at `last_failed_at`; `None` when
/// there is no wait. Failures never lock a staff account for good, as they do an
/// applicant's at [`LOGIN_LOCK_AFTER`]: whoever knows an address could otherwise
/// shut the agency's people out. Only an admin bars one (`kansli staff disable`).
pub fn staff_locked_until(failed_logins: i64, last_failed_at: Option<i64>) -> Option<i64> {
    let delay = login_delay(failed_logins);
    last_failed_at.filter(|_| delay > 0).map(|at| at + delay)
}

/// Outbox delivery: attempts before a message is marked failed, and the wait before each retry.
pub const OUTBOX_MAX_ATTEMPTS: i64 = 8;
pub fn outbox_backoff(attempts: i64) -> i64 {
    MINUTE * (1i64 << attempts.clamp(0, 10) as u32).min(4 * 60)
}

/// How long the delivery worker may go without a sign of life before the
/// readiness check calls it dead: it wakes at least every 30 seconds and beats
/// after each message, whose SMTP or SMS attempt gives up within a minute or two.
pub const DELIVERY_WORKER_SILENCE: i64 = 5 * MINUTE;

/// Per-IP limits: (requests, window in seconds).
pub const IP_LIMIT_LOGIN: (u32, i64) = (30, 10 * MINUTE);
pub const IP_LIMIT_CREATE: (u32, i64) = (10, HOUR);
pub const IP_LIMIT_CODES: (u32, i64) = (30, HOUR);
pub const IP_LIMIT_RESET: (u32, i64) = (10, HOUR);
/// Tries of a verification number and personal identity number for the questionnaire.
pub const IP_LIMIT_QUESTIONNAIRE: (u32, i64) = (10, HOUR);

/// Requests of one integration API client system (its token), from any address.
pub const CLIENT_LIMIT_API: (u32, i64) = (300, MINUTE);
/// Photos one account (or questionnaire respondent) may upload in a window: a
/// draft holds at most 20 documents, and each decode is costly.
pub const ACCOUNT_LIMIT_UPLOADS: (u32, i64) = (20, 10 * MINUTE);

/// Largest form body accepted, in bytes.
pub const FORM_LIMIT: usize = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_delay_grows_after_the_free_failures_and_is_capped() {
        assert_eq!(login_delay(0), 0);
        assert_eq!(login_delay(LOGIN_FREE_FAILURES), 0);
        assert_eq!(login_delay(LOGIN_FREE_FAILURES + 1), 1);
        assert_eq!(login_delay(LOGIN_FREE_FAILURES + 3), 4);
        assert_eq!(login_delay(99), LOGIN_MAX_DELAY);
    }

    #[test]
    fn a_staff_lock_is_a_wait_of_at_most_the_longest_delay() {
        assert_eq!(staff_locked_until(LOGIN_FREE_FAILURES, Some(1000)), None);
        assert_eq!(
            staff_locked_until(LOGIN_FREE_FAILURES + 1, Some(1000)),
            Some(1001)
        );
        assert_eq!(
            staff_locked_until(LOGIN_LOCK_AFTER * 10, Some(1000)),
            Some(1000 + LOGIN_MAX_DELAY)
        );
        assert_eq!(staff_locked_until(LOGIN_LOCK_AFTER, None), None);
    }

    #[test]
    fn outbox_backoff_grows() {
        assert!(outbox_backoff(1) < outbox_backoff(2));
        assert_eq!(outbox_backoff(50), 4 * HOUR);
    }
}
