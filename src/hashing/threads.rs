//! The hashing threads: at most one per core, each with argon2's work area, below
//! the event loop's CPU priority.
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use allocator_api2::alloc::System;
use argon2::Block;

/// The nice value a hash runs at. Under overload the event loop shares a core with
/// a hash and must win it whenever a request comes (a page or a 503 goes out at
/// once); the hash takes the rest. Not 19: next to busy work at the normal
/// priority a hash still gets about a tenth of the core, so logins go on slowly
/// rather than not at all.
pub(super) const HASH_NICE: i32 = 10;

/// Where argon2 works: 19 MiB for Kansli's parameters.
///
/// A hashing thread keeps its area while hashes wait for it and gives it back to
/// the system before it answers the last one. Under overload every hash after the
/// first finds its area ready: mapping a fresh one made each hash half as slow
/// again (4,864 page faults). When idle the server holds none: mimalloc, which
/// serves everything else, kept a freed area for seconds, and 1,000 open
/// connections just after a login measured 64.4 MB, 19 of it this area (issue 21).
///
/// So the area comes from the C library's allocator, reserved larger than glibc's
/// highest dynamic mmap threshold ([`MAPPED_APART`]): glibc maps such a request on
/// its own and unmaps it when freed. (A smaller one it maps only the first time;
/// then it raises its threshold and takes the next from its heap, which it keeps.)
/// Only the pages argon2 writes are resident.
pub(super) type WorkArea = allocator_api2::vec::Vec<Block, System>;

/// More than glibc's highest mmap threshold (`DEFAULT_MMAP_THRESHOLD_MAX`, 32 MiB
/// on 64-bit systems), which its dynamic threshold never passes.
const MAPPED_APART: usize = 33 * 1024 * 1024;

/// A hash for the next free hashing thread; it returns what answers the request.
pub(super) type Job = Box<dyn FnOnce(&mut WorkArea) -> Box<dyn FnOnce() + Send> + Send>;

/// The hashes waiting, and the hashing threads running (at most one per core).
/// Threads of their own, not the blocking pool: a lowered priority cannot be
/// raised again, and the blocking pool also runs database writes.
#[derive(Default)]
struct Queue {
    jobs: std::collections::VecDeque<Job>,
    threads: usize,
}

#[derive(Clone)]
pub(super) struct Threads {
    queue: Arc<Mutex<Queue>>,
    most: usize,
}

impl Threads {
    /// At most `most` hashing threads at once.
    pub(super) fn new(most: usize) -> Self {
        Threads {
            queue: Arc::default(),
            most,
        }
    }

    /// Queues `job`, with a new thread for it if fewer than `most` run.
    pub(super) fn push(&self, job: Job) -> std::io::Result<()> {
        let mut queue = self.lock();
        queue.jobs.push_back(job);
        if queue.threads >= self.most {
            return Ok(());
        }
        queue.threads += 1;
        drop(queue);
        let threads = self.clone();
        let started = std::thread::Builder::new()
            .name("kansli-hash".into())
            .spawn(move || threads.work());
        let Err(e) = started else {
            return Ok(());
        };
        let mut queue = self.lock();
        queue.threads -= 1;
        if queue.threads > 0 {
            // A running thread takes the job when it is done with the one it has.
            return Ok(());
        }
        // Nothing would run them: their requests are answered with an error.
        let gone = std::mem::take(&mut queue.jobs);
        drop(queue);
        drop(gone);
        Err(e)
    }

    /// A hashing thread: hashes while any waits. When none does it gives its area
    /// back, then leaves the count of threads, then answers the last hash: a new
    /// thread started meanwhile never adds an area to one not yet given back.
    fn work(&self) {
        lower_priority();
        let mut area = WorkArea::new_in(System);
        let mut next = self.next_or_end();
        while let Some(job) = next {
            if area.capacity() == 0 {
                area = WorkArea::with_capacity_in(MAPPED_APART / Block::SIZE, System);
            }
            // A hash that panics answers its request with an error (its answer's
            // sender goes with it as it unwinds) and the thread goes on. What the
            // hash left in the area is no harm: argon2 writes each block before
            // it reads it.
            let answer = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut area))).ok();
            next = self.lock().jobs.pop_front();
            if next.is_none() {
                area = WorkArea::new_in(System);
                next = self.next_or_end();
            }
            if let Some(answer) = answer {
                answer();
            }
        }
    }

    /// The next hash, or none, and then this thread no longer counts.
    fn next_or_end(&self) -> Option<Job> {
        let mut queue = self.lock();
        let job = queue.jobs.pop_front();
        if job.is_none() {
            queue.threads -= 1;
        }
        job
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // Every change is one step on the queue: a panic leaves it whole.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
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

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::time::Duration;

    use super::super::{PasswordHasher, QUEUE_PER_CORE};
    use super::*;

    /// A broken queue fails these tests rather than hanging them.
    async fn soon<T>(what: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(30), what)
            .await
            .expect("done within 30 s")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hashing_thread_keeps_its_area_while_hashes_wait_and_ends_with_the_last() {
        let h = PasswordHasher::for_cores(1);
        let (release, released) = std::sync::mpsc::channel::<()>();
        let first = {
            let h = h.clone();
            tokio::spawn(async move {
                h.run(move |area| {
                    released.recv().unwrap();
                    // A mark the hashes after it find only in this same area.
                    area.resize(3, Block::new());
                    area.len()
                })
                .await
            })
        };
        soon(async {
            while h.threads.lock().threads == 0 {
                tokio::task::yield_now().await;
            }
        })
        .await;
        let waiting: Vec<_> = (0..QUEUE_PER_CORE)
            .map(|_| {
                let h = h.clone();
                tokio::spawn(async move { h.run(|area| area.len()).await })
            })
            .collect();
        soon(async {
            while h.threads.lock().jobs.len() < QUEUE_PER_CORE {
                tokio::task::yield_now().await;
            }
        })
        .await;
        release.send(()).unwrap();
        assert_eq!(soon(first).await.unwrap().unwrap(), 3);
        for hash in waiting {
            assert_eq!(soon(hash).await.unwrap().unwrap(), 3, "the same area");
        }
        let left = {
            let queue = h.threads.lock();
            (queue.threads, queue.jobs.len())
        };
        assert_eq!(left, (0, 0), "no thread left");
        // The next hash, after the thread ended, has a new area.
        assert_eq!(soon(h.run(|area| area.len())).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_hash_that_panics_is_an_error_and_the_next_is_hashed() {
        let h = PasswordHasher::for_cores(1);
        let failed = soon(h.run(|_| -> usize { panic!("argon2 went wrong") })).await;
        assert!(matches!(failed, Err(crate::error::AppError::Unexpected(_))));
        assert_eq!(soon(h.run(|_| 7)).await.unwrap(), 7);
        assert_eq!(h.in_use(), 0, "the panicking hash's place is free");
        assert_eq!(h.threads.lock().threads, 0);
    }
}
