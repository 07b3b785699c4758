//! Client systems of the integration API: added, listed and revoked from the
//! command line, and recognised by their bearer token.
use crate::db::api_clients::{self, Client, NewClient};
use crate::db::audit::{ActorKind, Entry};
use crate::db::{self, Pool};
use crate::domain::api::{webhook_secret, ApiClient, ClientName, WebhookUrl};
use crate::domain::secret::{public_reference, Keyring, Token};
use crate::error::AppError;
use crate::state::AppState;

/// What `kansli api add` prints once: nothing of either is stored.
pub struct Added {
    pub token: Token,
    pub webhook_secret: Option<String>,
}

/// Adds a client system; None when an active one already has the name.
pub fn add(
    pool: &Pool,
    keyring: &Keyring,
    name: &ClientName,
    webhook: Option<&WebhookUrl>,
    now: i64,
) -> Result<Option<Added>, AppError> {
    let token = Token::generate();
    let salt = public_reference();
    let mut conn = pool.get()?;
    let added = db::write_with(&mut conn, |tx| -> Result<_, AppError> {
        let hash = token.hash();
        let new = NewClient {
            name: name.as_str(),
            token_hash: &hash,
            webhook_url: webhook.map(WebhookUrl::as_str),
            secret_salt: &salt,
        };
        let Some(_) = api_clients::insert(tx, &new, now)? else {
            return Ok(false);
        };
        Entry::new(ActorKind::System, "cli", "api_client_added")
            .target(name.as_str())
            .record(tx, now)?;
        Ok(true)
    })?;
    Ok(added.then(|| Added {
        webhook_secret: webhook.map(|_| webhook_secret(keyring, &salt)),
        token,
    }))
}

pub fn list(pool: &Pool) -> Result<Vec<Client>, AppError> {
    Ok(api_clients::list(&*pool.get()?)?)
}

/// Revokes the active client `name` and fails its waiting webhook deliveries.
/// False: there is none.
pub fn revoke(pool: &Pool, name: &str, now: i64) -> Result<bool, AppError> {
    let mut conn = pool.get()?;
    db::write_with(&mut conn, |tx| -> Result<bool, AppError> {
        let revoked = api_clients::revoke(tx, name, now)?;
        if revoked {
            crate::db::webhooks::cancel_for(tx, name)?;
            Entry::new(ActorKind::System, "cli", "api_client_revoked")
                .target(name)
                .record(tx, now)?;
        }
        Ok(revoked)
    })
}

/// The client system whose token this is, if it is active.
#[tracing::instrument(skip_all)]
pub async fn authenticate(state: &AppState, token: Token) -> Result<Option<ApiClient>, AppError> {
    let hash = token.hash();
    let found = db::quick_read(&state.pool, move |c| api_clients::by_token_hash(c, &hash)).await?;
    Ok(found.map(|c| ApiClient::authenticated(c.id, c.name)))
}

/// Records a request with no valid token.
pub async fn refused(state: &AppState, ip: String) -> Result<(), AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| {
        Entry::new(ActorKind::Anonymous, "", "api_token_refused")
            .ip(&ip)
            .record(tx, now)
    })
    .await
}

/// Records a call of `client` that was refused, with what it asked and the answer.
pub async fn call_refused(
    state: &AppState,
    client: String,
    ip: String,
    detail: String,
) -> Result<(), AppError> {
    let now = state.now();
    db::write(&state.pool, move |tx| {
        Entry::new(ActorKind::ApiClient, &client, "api_call_refused")
            .ip(&ip)
            .detail(&detail)
            .record(tx, now)
    })
    .await
}

/// Deliveries on the administrators' page: the newest this many.
pub const DELIVERIES_SHOWN: i64 = 200;

/// The newest webhook deliveries, with their status, attempts and last error.
pub async fn deliveries(
    state: &AppState,
    _who: &crate::domain::staff::Admin,
) -> Result<Vec<crate::db::webhooks::Delivery>, AppError> {
    db::read(&state.pool, |c| {
        crate::db::webhooks::latest(c, DELIVERIES_SHOWN)
    })
    .await
}
