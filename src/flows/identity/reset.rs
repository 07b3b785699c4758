//! Forgotten password: a single-use link by email, then a new password.
use crate::db::audit::{ActorKind, Entry};
use crate::db::codes::reset as tokens;
use crate::db::{self, accounts, outbox, sessions};
use crate::domain::email::Email;
use crate::domain::password::NewPassword;
use crate::domain::secret::Token;
use crate::error::AppError;
use crate::i18n::Texts;
use crate::outbound::notify::messages;
use crate::state::AppState;

/// How long asking for a reset link takes at least. The work differs by whether the
/// address has an account (a link is stored and queued), so the answer waits until
/// this floor has passed: long enough to cover that work, short enough not to be felt.
pub const ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(60);

/// Emails a reset link if the address has a confirmed account; otherwise does nothing.
/// Either way the request is audited (one write) and the answer comes no sooner than
/// [`ANSWER_FLOOR`], so neither the page nor its timing tells which addresses have accounts.
#[tracing::instrument(skip_all)]
pub async fn request(state: &AppState, email: Email, ip: String) -> Result<(), AppError> {
    let started = std::time::Instant::now();
    let token = Token::generate();
    let token_hash = token.hash();
    let url = format!(
        "{}{}",
        state.settings.public_url(),
        crate::paths::password_reset_link(token.expose())
    );
    let now = state.now();
    let done = state
        .write_and_send(move |tx| -> Result<(), AppError> {
            let account =
                accounts::by_email(tx, email.as_str())?.filter(|a| a.confirmed_at.is_some());
            Entry::new(
                ActorKind::Anonymous,
                email.as_str(),
                "password_reset_requested",
            )
            .ip(&ip)
            .detail(if account.is_some() {
                "sent"
            } else {
                "no account"
            })
            .record(tx, now)?;
            if let Some(a) = account {
                tokens::insert(tx, &token_hash, a.id, now)?;
                outbox::enqueue(
                    tx,
                    &messages::reset_link(Texts::new(a.lang), &a.email, &url),
                    now,
                )?;
            }
            Ok(())
        })
        .await;
    tokio::time::sleep(ANSWER_FLOOR.saturating_sub(started.elapsed())).await;
    done
}

/// The email address of the account a reset link belongs to, if the link is still good.
pub async fn check(state: &AppState, token: &Token) -> Result<Option<String>, AppError> {
    let hash = token.hash();
    let now = state.now();
    db::read(&state.pool, move |c| {
        match tokens::find_live(c, &hash, now)? {
            Some(account) => Ok(accounts::by_id(c, account)?.map(|a| a.email)),
            None => Ok(None),
        }
    })
    .await
}

/// Sets the new password, spends the link, ends every session and tells the owner.
/// Returns false if the link was no longer good.
#[tracing::instrument(skip_all)]
pub async fn complete(
    state: &AppState,
    token: Token,
    password: NewPassword,
    ip: String,
) -> Result<bool, AppError> {
    let hash = state.hasher.hash(password.expose()).await?;
    let token_hash = token.hash();
    let now = state.now();
    state
        .write_and_send(move |tx| -> Result<bool, AppError> {
            let Some(account) = tokens::find_live(tx, &token_hash, now)? else {
                return Ok(false);
            };
            let Some(a) = accounts::by_id(tx, account)? else {
                return Ok(false);
            };
            accounts::set_password(tx, account, &hash)?;
            accounts::clear_failed_logins(tx, account)?;
            tokens::use_all(tx, account, now)?;
            sessions::delete_for_account(tx, account, None)?;
            outbox::enqueue(
                tx,
                &messages::password_changed(Texts::new(a.lang), &a.email),
                now,
            )?;
            Entry::new(ActorKind::Applicant, &a.email, "applicant_password_reset")
                .ip(&ip)
                .record(tx, now)?;
            Ok(true)
        })
        .await
}
