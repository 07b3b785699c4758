//! An account's messages as the support desk sees them (delivery status, never a
//! body, which may hold a code), and the resend of one that failed for good.
use r2d2_sqlite::rusqlite::Connection;

use crate::db::accounts::{self, Account};
use crate::db::audit::{ActorKind, Entry};
use crate::db::outbox::{self, Delivered};
use crate::domain::phone::mask;
use crate::domain::staff::Support;
use crate::domain::AccountId;
use crate::error::AppError;
use crate::state::AppState;

/// How many of an account's newest messages support sees.
const SHOWN: i64 = 50;

/// The phone number messages go to: the account's, while two-step uses it.
fn phone_of(a: &Account) -> Option<&str> {
    a.phone.as_deref().filter(|_| a.two_step)
}

/// The newest messages to the account's address and two-step phone. A provider's
/// error often quotes the recipient, so it is hidden there as on the rest of the page.
pub fn of_account(
    c: &Connection,
    a: &Account,
    email_hidden: &str,
) -> r2d2_sqlite::rusqlite::Result<Vec<Delivered>> {
    let phone = phone_of(a);
    let mut all = outbox::to_recipients(c, &a.email, phone, SHOWN)?;
    for m in &mut all {
        if let Some(error) = &mut m.last_error {
            *error = error.replace(&a.email, email_hidden);
            if let Some(p) = phone {
                *error = error.replace(p, &mask(p));
            }
        }
    }
    Ok(all)
}

/// Queues a failed message to account `id` again (attempts start over) and wakes
/// the delivery worker. False: the account has no such failed message.
pub async fn resend(
    state: &AppState,
    who: &Support,
    id: AccountId,
    message: i64,
    ip: String,
) -> Result<bool, AppError> {
    let (actor, now) = (who.member().email.clone(), state.now());
    state
        .write_and_send(move |tx| -> Result<bool, AppError> {
            let Some(a) = accounts::by_id(tx, id)? else {
                return Ok(false);
            };
            if !outbox::requeue_failed(tx, message, &a.email, phone_of(&a), now)? {
                return Ok(false);
            }
            Entry::new(ActorKind::Staff, &actor, "message_resent")
                .target(&a.email)
                .ip(&ip)
                .detail(&format!("message {message}"))
                .record(tx, now)?;
            Ok(true)
        })
        .await
}
