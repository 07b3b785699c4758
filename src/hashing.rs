//! argon2id on threads of its own below the event loop's CPU priority, at most
//! one hash per core at a time. A short queue may wait; past it a request is
//! refused at once ("busy") rather than piling up.
use std::sync::Arc;

use argon2::password_hash::errors::InvalidValue;
use argon2::password_hash::{self, Output, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::AppError;

mod threads;
use threads::{Threads, WorkArea};

/// Requests that may wait for a free core, per core.
const QUEUE_PER_CORE: usize = 4;

#[derive(Clone)]
pub struct PasswordHasher {
    threads: Threads,
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
    Argon2::new(ALGORITHM, VERSION, params())
}

const ALGORITHM: Algorithm = Algorithm::Argon2id;
const VERSION: Version = Version::V0x13;

fn params() -> Params {
    Params::new(19_456, 2, 1, None).expect("valid argon2 parameters")
}

fn hash_now(password: &str, work_area: &mut WorkArea) -> Result<String, password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::Rng::fill(&mut rand::rng(), &mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    let made = phc_hash(
        ALGORITHM,
        VERSION,
        params(),
        password,
        salt.as_salt(),
        work_area,
    );
    Ok(made?.to_string())
}

/// A stored hash whose memory, passes or lanes are more than this many times
/// Kansli's own is not checked (it matches nothing): a tampered database must not
/// make a login take the server's memory, or a core for minutes.
const MOST_COST: u32 = 4;

/// Whether `password` is the one `stored` (a PHC string) was made from. A hash
/// without a hash part costs a whole hash too, as an unknown account does.
fn matches(password: &str, stored: &str, work_area: &mut WorkArea) -> bool {
    let made = PasswordHash::new(stored).and_then(|stored| {
        let version = stored.version.map(Version::try_from).transpose()?;
        let params = Params::try_from(&stored)?;
        let ours = self::params();
        if params.m_cost() > MOST_COST * ours.m_cost()
            || params.t_cost() > MOST_COST * ours.t_cost()
            || params.p_cost() > MOST_COST * ours.p_cost()
        {
            tracing::warn!(
                "a stored password hash costs more than Kansli allows; it matches nothing"
            );
            return Ok(false);
        }
        let made = phc_hash(
            Algorithm::try_from(stored.algorithm)?,
            version.unwrap_or_default(),
            params,
            password,
            stored
                .salt
                .ok_or(password_hash::Error::SaltInvalid(InvalidValue::Malformed))?,
            work_area,
        )?;
        // `Output`'s equality takes the same time wherever the two differ.
        Ok(made.hash.is_some() && made.hash == stored.hash)
    });
    made.unwrap_or(false)
}

/// argon2's own `hash_password`, in a work area the caller keeps (argon2 writes
/// every block before it reads it, so an area may serve one hash after another).
fn phc_hash<'a>(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &str,
    salt: Salt<'a>,
    work_area: &mut WorkArea,
) -> password_hash::Result<PasswordHash<'a>> {
    let mut decoded = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt.decode_b64(&mut decoded)?;
    if work_area.len() < params.block_count() {
        // An area that cannot be had is an error, not the process's end.
        work_area
            .try_reserve(params.block_count() - work_area.len())
            .map_err(|_| password_hash::Error::ParamValueInvalid(InvalidValue::TooLong))?;
        work_area.resize(params.block_count(), Block::new());
    }
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let argon = Argon2::new(algorithm, version, params.clone());
    let output = Output::init_with(output_len, |out| {
        argon
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_bytes,
                out,
                &mut work_area[..params.block_count()],
            )
            .map_err(password_hash::Error::from)
    })?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: (&params).try_into()?,
        salt: Some(salt),
        hash: Some(output),
    })
}

impl PasswordHasher {
    pub fn new() -> Self {
        Self::for_cores(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
        )
    }

    fn for_cores(cores: usize) -> Self {
        let capacity = cores * (1 + QUEUE_PER_CORE);
        PasswordHasher {
            threads: Threads::new(cores),
            admitted: Arc::new(Semaphore::new(capacity)),
            capacity,
            shed: Arc::default(),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut WorkArea) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        // The place goes with the hash and is given up when it ends: a request that
        // goes away meanwhile frees no place for another until then, so the queue
        // stays as long as it is said to be.
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| self.refused())?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.threads
            .push(Box::new(move |area| {
                // No hash for a request that has gone away.
                let value = (!answer.is_closed()).then(|| work(area));
                Box::new(move || {
                    // Free before the answer goes out: whoever it wakes finds the place free.
                    drop(admitted);
                    if let Some(value) = value {
                        let _ = answer.send(value);
                    }
                })
            }))
            .map_err(|e| AppError::Unexpected(e.into()))?;
        answered
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
        self.run(move |area| hash_now(password.expose_secret(), area))
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
            .run(move |area| matches(password.expose_secret(), &stored, area))
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
    use allocator_api2::alloc::System;

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
    fn hashes_read_and_write_as_argon2s_own_functions_do_in_one_area_after_another() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        // One area for every hash below: each finds the last one's blocks in it.
        let area = &mut WorkArea::new_in(System);
        let password = "correct horse battery staple";
        for _ in 0..2 {
            let made = hash_now(password, area).unwrap();
            let parsed = PasswordHash::new(&made).unwrap();
            assert!(argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok());
            assert!(argon2().verify_password(b"wrong", &parsed).is_err());
        }

        let salt = SaltString::encode_b64(b"sixteen bytes!!!").unwrap();
        let theirs = argon2().hash_password(password.as_bytes(), &salt).unwrap();
        let ours = phc_hash(
            Algorithm::Argon2id,
            Version::V0x13,
            params(),
            password,
            salt.as_salt(),
            area,
        );
        assert_eq!(ours.unwrap().to_string(), theirs.to_string());
        assert!(matches(password, &theirs.to_string(), area));
        assert!(!matches("wrong", &theirs.to_string(), area));
        // Stored with other parameters: a smaller part of the same area.
        let other = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4_096, 3, 1, None).unwrap(),
        );
        let older = other.hash_password(password.as_bytes(), &salt).unwrap();
        assert!(matches(password, &older.to_string(), area));
        assert!(!matches("wrong", &older.to_string(), area));
        assert!(!matches(password, "not a hash", area));
        assert!(!matches(
            password,
            "$argon2id$v=19$m=19456,t=2,p=1$okWJd3IyvdJh68cxT8ho7w",
            area
        ));
    }

    #[test]
    fn a_stored_hash_costing_more_than_kansli_allows_is_not_checked() {
        let area = &mut WorkArea::new_in(System);
        let salt = "okWJd3IyvdJh68cxT8ho7w";
        let hash = "4nezdhWQ7OJuuqf5h1NHee1Szm9/C3JA4fdvLfpvUdM";
        for params in ["m=97280,t=2,p=1", "m=19456,t=9,p=1", "m=19456,t=2,p=5"] {
            let stored = format!("$argon2id$v=19${params}${salt}${hash}");
            assert!(!matches("any password", &stored, area), "{params}");
            assert_eq!(area.len(), 0, "{params}: no area taken, no hash run");
        }
        // At the limit it is checked, in an area of its size.
        let stored = format!("$argon2id$v=19$m=77824,t=2,p=1${salt}${hash}");
        assert!(!matches("any password", &stored, area));
        assert_eq!(area.len(), 77_824);
    }

    #[test]
    fn the_dummy_hash_costs_what_a_stored_hash_costs() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let made = hash_now(
            "correct horse battery staple",
            &mut WorkArea::new_in(System),
        )
        .unwrap();
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
            .run(|_| rustix::process::getpriority_process(None))
            .await
            .unwrap()
            .unwrap();
        let caller = rustix::process::getpriority_process(None).unwrap();
        assert_eq!(nice, threads::HASH_NICE.max(caller));
    }

    #[tokio::test]
    async fn a_hashs_places_are_free_when_its_answer_comes() {
        let h = PasswordHasher::new();
        for _ in 0..20 {
            h.run(|_| ()).await.unwrap();
            assert_eq!(h.in_use(), 0);
        }
    }
}
