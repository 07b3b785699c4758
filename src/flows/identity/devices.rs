//! The account's sessions as My Page lists them (device, address, last activity),
//! and ending any or all of the others (ASVS 7.5.2).
use crate::db::audit::{ActorKind, Entry};
use crate::db::sessions::{self, Listed};
use crate::db::{self};
use crate::domain::session::SessionView;
use crate::error::AppError;
use crate::state::AppState;

/// The account's logged-in sessions, the most recently used first.
pub async fn list(state: &AppState, session: &SessionView) -> Result<Vec<Listed>, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let (current, now) = (session.id_hash.clone(), state.now());
    db::read(&state.pool, move |c| {
        sessions::list_for_account(c, account, &current, now)
    })
    .await
}

/// Ends one of the account's other sessions, named by its handle. Returns whether
/// there was such a session (never this one).
pub async fn end(
    state: &AppState,
    session: &SessionView,
    handle: String,
    ip: String,
) -> Result<bool, AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let (current, email, now) = (
        session.id_hash.clone(),
        session.email.clone().unwrap_or_default(),
        state.now(),
    );
    db::write(&state.pool, move |tx| -> Result<bool, AppError> {
        let ended = sessions::delete_by_handle(tx, account, &handle, &current)?;
        if ended {
            Entry::new(ActorKind::Applicant, &email, "applicant_session_ended")
                .ip(&ip)
                .record(tx, now)?;
        }
        Ok(ended)
    })
    .await
}

/// Ends every other session of the account.
pub async fn end_others(
    state: &AppState,
    session: &SessionView,
    ip: String,
) -> Result<(), AppError> {
    let account = session.account_id.ok_or(AppError::NotFound)?;
    let (current, email, now) = (
        session.id_hash.clone(),
        session.email.clone().unwrap_or_default(),
        state.now(),
    );
    db::write(&state.pool, move |tx| -> Result<(), AppError> {
        let n = sessions::delete_for_account(tx, account, Some(&current))?;
        Entry::new(ActorKind::Applicant, &email, "applicant_sessions_ended")
            .ip(&ip)
            .detail(&n.to_string())
            .record(tx, now)?;
        Ok(())
    })
    .await
}

/// A short name for the browser and system a User-Agent describes ("Firefox on
/// Windows"), or the User-Agent itself when it names neither.
pub fn device(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b}, {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) if user_agent.is_empty() => "?".to_string(),
        (None, None) => user_agent.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::device;

    #[test]
    fn names_common_browsers_and_systems() {
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(device(firefox), "Firefox, Windows");
        let chrome = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
        assert_eq!(device(chrome), "Chrome, Android");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
        assert_eq!(device(safari), "Safari, iOS");
        assert_eq!(device("curl/8.5"), "curl/8.5");
        assert_eq!(device(""), "?");
    }
}
