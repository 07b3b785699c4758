//! argon2id on threads of its own below the event loop's CPU priority, at most
//! one hash per core at a time. A short queue may wait; past it a request is
//! refused at once ("busy") rather than piling up.
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Requests that may wait for a free core, per core.
const QUEUE_PER_CORE: usize = 4;

#[derive(Clone)]
pub struct PasswordHasher {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    /// How many may be admitted at once (hashing or waiting).
    capacity: usize,
    /// Requests refused because the queue was full, since start.
    shed: Arc<std::sync::atomic::AtomicUsize>,
}

/// Verified against when the account does not exist, so timing tells nothing: a
/// hash made once with [`argon2`]'s parameters (a unit test holds them equal).
/// A constant, not a hash made at start: that took a whole argon2 run off every
/// start-up. Its password is of no use: an unknown account never matches.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$okWJd3IyvdJh68cxT8ho7w$4nezdhWQ7OJuuqf5h1NHee1Szm9/C3JA4fdvLfpvUdM";

/// argon2id as Kansli hashes passwords (also what tests/bench measures the queue against).
pub fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::Rng::fill(&mut rand::rng(), &mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// The nice value a hash runs at. Under overload the event loop shares a core with
/// a hash and must win it whenever a request comes (a page or a 503 goes out at
/// once); the hash takes the rest. Not 19: next to busy work at the normal
/// priority a hash still gets about a tenth of the core, so logins go on slowly
/// rather than not at all.
const HASH_NICE: i32 = 10;

/// Runs `work` on a thread of its own at [`HASH_NICE`], then frees `places`, then
/// answers. A thread per hash, not the blocking pool: a lowered priority cannot be
/// raised again, and the blocking pool also runs database writes. Starting one
/// costs tens of microseconds against the hash's tens of milliseconds.
fn spawn_hash<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
    places: impl Send + 'static,
) -> std::io::Result<tokio::sync::oneshot::Receiver<T>> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("kansli-hash".into())
        .spawn(move || {
            lower_priority();
            let value = work();
            // Free before the answer goes out: whoever it wakes finds the places free.
            drop(places);
            let _ = answer.send(value);
        })?;
    Ok(answered)
}

/// This thread to [`HASH_NICE`], never higher: a server started nicer than that
/// (systemd's `Nice=`) hashes at its own value.
fn lower_priority() {
    match rustix::process::getpriority_process(None) {
        Ok(now) if now >= HASH_NICE => {}
        _ => {
            if let Err(e) = rustix::process::setpriority_process(None, HASH_NICE) {
                tracing::warn!(error = %e, "password hashing keeps the normal CPU priority");
            }
        }
    }
}

impl PasswordHasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let capacity = cores * (1 + QUEUE_PER_CORE);
        PasswordHasher {
            running: Arc::new(Semaphore::new(cores)),
            admitted: Arc::new(Semaphore::new(capacity)),
            capacity,
            shed: Arc::default(),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| self.refused())?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Unexpected(e.into()))?;
        // Both places go with the hash and are given up when it ends: a request that
        // goes away meanwhile frees no place for another until then, so the queue
        // stays as long as it is said to be.
        spawn_hash(work, (admitted, running))
            .map_err(|e| AppError::Unexpected(e.into()))?
            .await
            .map_err(|_| AppError::Unexpected(anyhow::anyhow!("a password hash failed")))
    }

    /// "Busy" at once, before any other work for a login (reading the account
    /// takes a blocking thread, which under overload waits for a core like the
    /// hashes): when the queue is full now, the hash would be refused anyway.
    pub fn refuse_if_full(&self) -> Result<(), AppError> {
        if self.admitted.available_permits() == 0 {
            return Err(self.refused());
        }
        Ok(())
    }

    /// "Busy", counted as shed.
    fn refused(&self) -> AppError {
        self.shed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        AppError::Busy
    }

    /// Hashes running or waiting for a core now.
    pub fn in_use(&self) -> usize {
        self.capacity - self.admitted.available_permits()
    }

    /// Requests refused since start because the queue was full.
    pub fn shed(&self) -> usize {
        self.shed.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password: SecretString = password.into();
        self.run(move || hash_now(password.expose_secret()))
            .await?
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("argon2: {e}")))
    }

    /// Checks a password against a stored hash, or against a dummy when there is none.
    pub async fn verify(
        &self,
        password: &SecretString,
        stored: Option<String>,
    ) -> Result<bool, AppError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let password = password.clone();
        let ok = self
            .run(move || {
                PasswordHash::new(&stored)
                    .map(|h| {
                        argon2()
                            .verify_password(password.expose_secret().as_bytes(), &h)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await?;
        Ok(ok && known)
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify_and_unknown_accounts_never_match() {
        let h = PasswordHasher::new();
        let stored = h.hash("correct horse battery staple").await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h
            .verify(&"correct horse battery staple".into(), Some(stored.clone()))
            .await
            .unwrap());
        assert!(!h
            .verify(&"wrong horse battery staple".into(), Some(stored))
            .await
            .unwrap());
        assert!(!h
            .verify(&"kansli dummy password for unknown accounts".into(), None)
            .await
            .unwrap());
    }

    #[test]
    fn the_dummy_hash_costs_what_a_stored_hash_costs() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let made = hash_now("correct horse battery staple").unwrap();
        let made = PasswordHash::new(&made).unwrap();
        assert_eq!(dummy.algorithm, made.algorithm);
        assert_eq!(dummy.version, made.version);
        assert_eq!(dummy.params, made.params);
        assert_eq!(dummy.hash.map(|h| h.len()), made.hash.map(|h| h.len()));
    }

    #[test]
    fn a_full_queue_refuses_before_any_work() {
        let h = PasswordHasher::new();
        assert!(h.refuse_if_full().is_ok());
        let all = h.admitted.available_permits() as u32;
        let held = h.admitted.clone().try_acquire_many_owned(all).unwrap();
        assert!(matches!(h.refuse_if_full(), Err(AppError::Busy)));
        assert_eq!(h.shed(), 1, "counted as shed");
        drop(held);
        assert!(h.refuse_if_full().is_ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_queue_requests_are_refused_fast() {
        let h = PasswordHasher::new();
        let admitted = h.admitted.available_permits();
        let many: Vec<_> = (0..admitted + 5)
            .map(|_| {
                let h = h.clone();
                tokio::spawn(async move { h.hash("correct horse battery staple").await })
            })
            .collect();
        let mut busy = 0;
        for task in many {
            if matches!(task.await.unwrap(), Err(AppError::Busy)) {
                busy += 1;
            }
        }
        assert!(busy >= 5, "expected at least 5 refusals, got {busy}");
        assert_eq!(h.shed(), busy, "each refusal is counted");
        assert_eq!(h.in_use(), 0, "nothing waits once all are answered");
    }

    #[tokio::test]
    async fn hashes_run_below_the_event_loops_cpu_priority() {
        // The event loop must win the core whenever it has a request: a 503 under
        // overload is answered at once, and a hash takes what is left.
        let h = PasswordHasher::new();
        let nice = h
            .run(|| rustix::process::getpriority_process(None))
            .await
            .unwrap()
            .unwrap();
        let caller = rustix::process::getpriority_process(None).unwrap();
        assert_eq!(nice, HASH_NICE.max(caller));
    }

    #[tokio::test]
    async fn a_hashs_places_are_free_when_its_answer_comes() {
        let h = PasswordHasher::new();
        for _ in 0..20 {
            h.run(|| ()).await.unwrap();
            assert_eq!(h.in_use(), 0);
        }
    }
}
