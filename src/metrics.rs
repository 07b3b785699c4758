//! Prometheus metrics (prometheus-client): what the process counts as it works
//! (requests, logins, jobs, kept pages), and the database's counts, set when
//! scraped. Served on its own address (`metrics_listen`), never the public one.
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    page: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Request latencies from 1 ms to about 16 s.
fn request_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Job durations from 10 ms to about 11 minutes.
fn job_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 4.0, 10))
}

/// The database's counts at one moment, for [`Metrics::set_counts`].
#[derive(Debug, Default)]
pub struct Counts {
    /// Messages in the outbox by status (queued, sent, failed).
    pub outbox: Vec<(String, i64)>,
    /// Seconds the oldest queued message has waited (0: none queued).
    pub oldest_queued_age: i64,
    pub sessions_live: i64,
    pub drafts: i64,
    pub cases: Vec<(String, i64)>,
    pub payments: Vec<(String, i64)>,
    pub database_bytes: i64,
    /// Applicant accounts locked after too many failed logins.
    pub accounts_locked: i64,
    /// Password hashes running or waiting for a core.
    pub password_hashing: i64,
    /// Password hashing requests refused since start (the queue was full).
    pub password_hashing_shed: u64,
}

/// The process's metrics; clones share them.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<RouteLabels>,
    logins: Counter,
    failed_logins: Counter,
    job_runs: Family<JobLabels, Counter>,
    job_seconds: Histograms<JobLabels>,
    page_cache: Family<CacheLabels, Counter>,
    outbox: Family<StatusLabels, Gauge>,
    oldest_queued: Gauge,
    sessions_live: Gauge,
    drafts: Gauge,
    cases: Family<StatusLabels, Gauge>,
    payments: Family<StatusLabels, Gauge>,
    database_bytes: Gauge,
    password_hashing: Gauge,
    accounts_locked: Gauge,
    password_hashing_shed: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("kansli");
        let inner = Inner {
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(request_histogram),
            logins: Counter::default(),
            failed_logins: Counter::default(),
            job_runs: Family::default(),
            job_seconds: Family::new_with_constructor(job_histogram),
            page_cache: Family::default(),
            outbox: Family::default(),
            oldest_queued: Gauge::default(),
            sessions_live: Gauge::default(),
            drafts: Gauge::default(),
            cases: Family::default(),
            payments: Family::default(),
            database_bytes: Gauge::default(),
            password_hashing: Gauge::default(),
            accounts_locked: Gauge::default(),
            password_hashing_shed: Counter::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "http_requests",
            "HTTP requests by method, route pattern and status",
            inner.requests.clone(),
        );
        r.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by method and route pattern",
            Unit::Seconds,
            inner.request_seconds.clone(),
        );
        r.register(
            "logins",
            "Logins completed by applicants",
            inner.logins.clone(),
        );
        r.register(
            "failed_logins",
            "Failed applicant login steps (password or SMS code)",
            inner.failed_logins.clone(),
        );
        r.register(
            "job_runs",
            "Scheduled job runs by job",
            inner.job_runs.clone(),
        );
        r.register_with_unit(
            "job_duration",
            "Time a scheduled job run took, by job",
            Unit::Seconds,
            inner.job_seconds.clone(),
        );
        r.register(
            "page_cache_lookups",
            "Kept pages looked up, by page and result (hit or miss)",
            inner.page_cache.clone(),
        );
        r.register(
            "outbox_messages",
            "Messages in the outbox by status",
            inner.outbox.clone(),
        );
        r.register_with_unit(
            "outbox_oldest_queued_age",
            "How long the oldest queued message has waited (0: none queued)",
            Unit::Seconds,
            inner.oldest_queued.clone(),
        );
        r.register(
            "sessions_live",
            "Sessions logged in and neither idle nor past their lifetime",
            inner.sessions_live.clone(),
        );
        r.register(
            "drafts",
            "Applications started and not yet approved",
            inner.drafts.clone(),
        );
        r.register("cases", "Cases by status", inner.cases.clone());
        r.register(
            "accounts_locked",
            "Applicant accounts locked after too many failed logins",
            inner.accounts_locked.clone(),
        );
        r.register(
            "password_hashing",
            "Password hashes (argon2) running or waiting for a core",
            inner.password_hashing.clone(),
        );
        r.register(
            "password_hashing_shed",
            "Password hashing requests refused at once because the queue was full",
            inner.password_hashing_shed.clone(),
        );
        r.register(
            "payments",
            "Payment attempts by state",
            inner.payments.clone(),
        );
        r.register_with_unit(
            "database_size",
            "Size of the database file",
            Unit::Bytes,
            inner.database_bytes.clone(),
        );
        let inner = Inner { registry, ..inner };
        Metrics {
            inner: Arc::new(inner),
        }
    }

    /// One answered HTTP request. `route` is the route's pattern, never the path.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_string(), route.to_string());
        self.inner
            .request_seconds
            .get_or_create(&RouteLabels {
                method: method.clone(),
                route: route.clone(),
            })
            .observe(seconds);
        self.inner
            .requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    pub fn login(&self) {
        self.inner.logins.inc();
    }

    pub fn failed_login(&self) {
        self.inner.failed_logins.inc();
    }

    /// One run of a scheduled job.
    pub fn job_run(&self, job: &str, seconds: f64) {
        let labels = JobLabels { job: job.into() };
        self.inner
            .job_seconds
            .get_or_create(&labels)
            .observe(seconds);
        self.inner.job_runs.get_or_create(&labels).inc();
    }

    /// A kept page looked up: found (`hit`) or rendered anew.
    pub fn page_cache(&self, page: &str, hit: bool) {
        let labels = CacheLabels {
            page: page.into(),
            result: if hit { "hit" } else { "miss" }.into(),
        };
        self.inner.page_cache.get_or_create(&labels).inc();
    }

    /// Sets the gauges that are the database's counts (at scrape time).
    pub fn set_counts(&self, counts: &Counts) {
        let set = |family: &Family<StatusLabels, Gauge>, rows: &[(String, i64)]| {
            // A status with no rows left must not keep its last count.
            family.clear();
            for (status, n) in rows {
                family
                    .get_or_create(&StatusLabels {
                        status: status.clone(),
                    })
                    .set(*n);
            }
        };
        set(&self.inner.outbox, &counts.outbox);
        set(&self.inner.cases, &counts.cases);
        set(&self.inner.payments, &counts.payments);
        self.inner.oldest_queued.set(counts.oldest_queued_age);
        self.inner.sessions_live.set(counts.sessions_live);
        self.inner.drafts.set(counts.drafts);
        self.inner.database_bytes.set(counts.database_bytes);
        self.inner.password_hashing.set(counts.password_hashing);
        self.inner.accounts_locked.set(counts.accounts_locked);
        // The hasher counts refusals itself; the counter catches up to it.
        let shed = &self.inner.password_hashing_shed;
        shed.inc_by(counts.password_hashing_shed.saturating_sub(shed.get()));
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.inner.registry)?;
        Ok(text)
    }
}
