//! Building the application: database, state, jobs and the HTTP server.
//! Tests build it on port 0 with a temporary database and a manual clock.
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use tokio_cron_scheduler::JobScheduler;

use crate::clock::Clock;
use crate::db;
use crate::domain::rules::FORM_LIMIT;
use crate::domain::secret::{random_key, Keyring, SealingKey};
use crate::error::AppError;
use crate::fakes::mock_acquirer;
use crate::hashing::PasswordHasher;
use crate::outbound::eid::orders::Eid;
use crate::outbound::notify::Delivery;
use crate::outbound::payment::HttpGateway;
use crate::settings::Settings;
use crate::state::AppState;
use crate::web::guard::error_pages;
use crate::web::guard::middleware::{guard, load_context};
use crate::web::guard::observe::observe;
use crate::web::web_state::WebState;

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    web: Arc<WebState>,
    scheduler: JobScheduler,
    /// Held until the server stops: `kansli restore` waits for no server.
    lock: db::lock::DatabaseLock,
    /// The metrics server on `metrics_listen`, and its port.
    metrics: Option<MetricsServer>,
}

/// The metrics server, running on its own task.
struct MetricsServer {
    handle: actix_web::dev::ServerHandle,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
    port: u16,
}

/// Serves `/metrics` on its own address, with one worker: a scraper comes every
/// few seconds. It takes no signals; it stops after the public server.
fn metrics_server(listener: TcpListener, state: Arc<WebState>) -> anyhow::Result<MetricsServer> {
    let port = listener.local_addr()?.port();
    let data = web::Data::from(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .configure(crate::web::configure_metrics)
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    // A server serves only while its future is polled.
    Ok(MetricsServer {
        handle: server.handle(),
        running: tokio::spawn(server),
        port,
    })
}

impl Application {
    pub async fn build(mut settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        if !crate::i18n::install_contact(&settings.contact) {
            // Only where one process builds several apps (tests): the texts keep
            // the details they were first made with.
            tracing::warn!("the texts already carry other contact details");
        }
        let listener = crate::listener::bind(&settings.listen)?;
        let port = listener.local_addr()?.port();
        let metrics_listener = settings
            .metrics_listen
            .as_ref()
            .map(|addr| crate::listener::bind(addr))
            .transpose()?;
        if settings.base_url.is_none() {
            // Development links point at the address actually bound (port 0 becomes a real port).
            settings.base_url = Some(format!("http://{}", listener.local_addr()?));
        }
        let opened = open_installation(&settings, &clock).await?;
        let pool = opened.pool.clone();
        let delivery = Delivery::new(&settings)?;
        delivery.sign_webhooks_with(opened.keyring.clone(), clock.clone())?;
        let gateway = match &settings.payment {
            Some(p) => HttpGateway::new(p.url.clone(), p.api_key.clone())?,
            None => HttpGateway::new(
                format!("{}{}/api", settings.public_url(), mock_acquirer::PREFIX),
                opened
                    .keyring
                    .derived_secret(mock_acquirer::API_KEY_PURPOSE)
                    .into(),
            )?,
        };
        let (eid, simulator) = build_eid(&settings, listener.local_addr()?)?;
        let mock_acquirer = settings.mock_acquirer();
        let (state, lock) = assemble(
            settings,
            clock.clone(),
            opened,
            delivery.clone(),
            Arc::new(gateway),
            eid,
        );
        delivery.spawn_worker(pool, clock);
        let scheduler = crate::jobs::start(state.clone()).await?;
        let web_state = Arc::new(WebState::new(state.clone()));
        let data = web::Data::from(web_state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(FORM_LIMIT))
                .configure(crate::web::configure)
                .configure(|cfg| {
                    if mock_acquirer {
                        crate::fakes::mock_acquirer::handlers::configure(cfg);
                    }
                    if let Some(simulator) = &simulator {
                        crate::fakes::eid_sim::handlers::configure(cfg, simulator.clone());
                    }
                })
                .default_service(web::to(|| async {
                    Err::<actix_web::HttpResponse, _>(AppError::NotFound)
                }))
                // Inner to outer: guard (origin check, panics), error pages, context and
                // headers, then the request id and the access log around everything.
                .wrap(from_fn(guard))
                .wrap(error_pages::handlers())
                .wrap(from_fn(load_context))
                .wrap(from_fn(observe))
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        let metrics = match metrics_listener {
            Some(listener) => Some(metrics_server(listener, web_state.clone())?),
            None => None,
        };
        Ok(Application {
            port,
            server,
            state,
            web: web_state,
            scheduler,
            lock,
            metrics,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the metrics address, when `metrics_listen` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|m| m.port)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What the HTTP edge keeps (limits, kept pages), shared with the running server.
    pub fn web_state(&self) -> &Arc<WebState> {
        &self.web
    }

    /// Stops the server from outside (tests stop one to start another on its data).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM, or a [`Self::server_handle`] stop), then
    /// shuts down in order: the server stops accepting and finishes the requests
    /// in flight; the delivery worker finishes the message it is sending; the
    /// scheduler stops; the write-ahead log is checkpointed; the lock is let go.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Application {
            server,
            lock,
            state,
            mut scheduler,
            metrics,
            ..
        } = self;
        let stopped = server.await;
        if let Some(metrics) = metrics {
            metrics.handle.stop(true).await;
            if let Ok(Err(e)) = metrics.running.await {
                tracing::warn!(error = %e, "the metrics server");
            }
        }
        tracing::info!("stopping: finishing the message being sent");
        state.delivery.stop().await;
        if let Err(e) = scheduler.shutdown().await {
            tracing::warn!(error = %e, "stopping the scheduler");
        }
        let pool = state.pool.clone();
        match tokio::task::spawn_blocking(move || db::checkpoint(&pool)).await {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::info!(
                "write-ahead log left to the reader holding it (Litestream, or a backup under way)"
            ),
            Ok(Err(e)) => tracing::warn!(error = %e, "checkpointing the write-ahead log"),
            Err(e) => tracing::warn!(error = %e, "checkpointing the write-ahead log"),
        }
        drop(lock);
        tracing::info!("stopped");
        stopped
    }
}

/// What every way of running opens first: the application types, the database
/// (locked against a second server or a restore) and its keys.
struct Opened {
    forms: crate::domain::forms::Forms,
    lock: db::lock::DatabaseLock,
    pool: db::Pool,
    kek: SealingKey,
    keyring: Keyring,
}

async fn open_installation(settings: &Settings, clock: &Clock) -> anyhow::Result<Opened> {
    let forms = crate::domain::forms::load_all(crate::domain::forms::SHIPPED)
        .map_err(|e| anyhow::anyhow!("application type definition refused: {e}"))?;
    let lock = db::lock::DatabaseLock::take(&settings.database_path())?;
    let pool = db::open(
        &settings.database_path(),
        &db::backup::UpgradeBackups::configured(settings, clock.now()),
    )?;
    let kek = sealing_key(settings, &pool)?;
    let key = installation_key(&pool, &kek)?;
    if !settings.is_production() && db::read(&pool, db::population::examples_missing).await? {
        db::write(&pool, |tx| db::population::seed_examples(tx)).await?;
    }
    Ok(Opened {
        forms,
        lock,
        pool,
        kek,
        keyring: Keyring::new(key),
    })
}

/// The state flows take, from the opened installation and its outside services.
fn assemble(
    settings: Settings,
    clock: Clock,
    opened: Opened,
    delivery: Delivery,
    gateway: Arc<dyn crate::outbound::payment::PaymentGateway>,
    eid: Eid,
) -> (AppState, db::lock::DatabaseLock) {
    let state = AppState {
        settings: Arc::new(settings),
        pool: opened.pool,
        clock,
        keyring: opened.keyring,
        hasher: PasswordHasher::new(),
        delivery,
        forms: Arc::new(opened.forms),
        gateway,
        eid: Arc::new(eid),
        sealing: Arc::new(opened.kek),
        decoding: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        )),
        metrics: crate::metrics::Metrics::new(),
    };
    (state, opened.lock)
}

/// The state flows need, without a server, for a command that takes the steps
/// people take in the portal (`kansli demo`): it holds the database lock (no
/// server runs meanwhile); the messages it causes wait in the outbox for the
/// server's delivery worker; card payments are settled at once by
/// [`mock_acquirer::Approving`], as the approved test card would be.
pub async fn offline_state(
    settings: Settings,
    clock: Clock,
) -> anyhow::Result<(AppState, db::lock::DatabaseLock)> {
    let opened = open_installation(&settings, &clock).await?;
    let delivery = Delivery::new(&settings)?;
    let eid = Eid::new(HashMap::new(), None, Vec::new());
    Ok(assemble(
        settings,
        clock,
        opened,
        delivery,
        Arc::new(mock_acquirer::Approving::default()),
        eid,
    ))
}

/// The e-identification services: each configured one over HTTP with its TLS
/// settings; in development, the others are the built-in simulator, reached over
/// HTTP on the address this server listens on.
/// The simulator, when there is one, is returned beside them for its own routes.
fn build_eid(
    settings: &Settings,
    local: std::net::SocketAddr,
) -> anyhow::Result<(Eid, Option<Arc<crate::fakes::eid_sim::Simulator>>)> {
    use crate::fakes::eid_sim as simulator;
    use crate::outbound::eid::client::{RpClient, Tls};
    use crate::outbound::eid::{EidProvider, Provider};
    let timeout = std::time::Duration::from_secs(settings.eid.timeout_seconds);
    let own = match local {
        a if a.ip().is_unspecified() => format!("http://127.0.0.1:{}", a.port()),
        a => format!("http://{a}"),
    };
    let simulate = !settings.is_production();
    let mut providers: HashMap<Provider, Arc<dyn EidProvider>> = HashMap::new();
    let mut simulated = false;
    for ((_, service), provider) in settings.eid_services().into_iter().zip(Provider::ALL) {
        let client = match service {
            Some(s) => {
                let tls = s.client_cert.as_deref().zip(s.ca_cert.as_deref()).map(
                    |(identity_pem, ca_pem)| Tls {
                        identity_pem,
                        ca_pem,
                    },
                );
                RpClient::new(s.url.clone(), tls, timeout)?
            }
            None if simulate => {
                simulated = true;
                RpClient::new(simulator::api_url(&own, provider), None, timeout)?
            }
            None => continue,
        };
        providers.insert(provider, Arc::new(client));
    }
    let mut organisations = settings.eid.organisations.clone();
    if organisations.is_empty() && simulated && settings.eid.professional.is_none() {
        organisations = simulator::ORGANISATIONS
            .iter()
            .map(|(id, name)| crate::outbound::eid::Organisation {
                id: id.to_string(),
                name: name.to_string(),
            })
            .collect();
    }
    let simulator = simulated.then(|| Arc::new(simulator::Simulator::default()));
    let test_app = simulated.then(|| simulator::PREFIX.to_string());
    Ok((Eid::new(providers, test_app, organisations), simulator))
}

/// The key-encryption key from `secret_key_file`. In development a missing file
/// is made (mode 0600) in the data directory; production never makes one, since
/// a key nobody has kept would make the database's secrets unreadable.
pub fn sealing_key(settings: &Settings, pool: &db::Pool) -> anyhow::Result<SealingKey> {
    use anyhow::Context;
    let path = settings.secret_key_path();
    match std::fs::read(&path) {
        Ok(bytes) => SealingKey::from_file(&bytes)
            .with_context(|| format!("secret key file {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !settings.is_production() => {
            // A database sealed before needs its own key: a new one would open nothing.
            let conn = pool.get()?;
            if let Some(id) = db::installation::sealed_by(&conn)? {
                anyhow::bail!(
                    "this database's secrets are sealed with key {id}, but the secret key file {} does not exist; point secret_key_file (KANSLI_SECRET_KEY_FILE) at that key's file",
                    path.display()
                );
            }
            let (key, text) = SealingKey::generate();
            if let Some(dir) = path.parent() {
                db::create_private_dir(dir)?;
            }
            write_private(&path, &text)
                .with_context(|| format!("cannot make secret key file {}", path.display()))?;
            tracing::info!(
                path = %path.display(),
                "made a new secret key file; keep a copy apart from the database's backups"
            );
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| {
            format!(
                "secret key file {} cannot be read (make one with `head -c 32 /dev/urandom | base64 > FILE`, mode 0600, and keep a copy apart from the database's backups)",
                path.display()
            )
        }),
    }
}

/// Writes a new file only the owner may read, on disk before this returns.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Makes the entries of the directory holding `path` durable (a new or renamed file).
fn sync_dir(path: &std::path::Path) -> std::io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => std::fs::File::open(".")?.sync_all(),
    }
}

/// A private, durable copy of a key file (the old key, for older backups).
fn keep_copy(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(from)?;
    if to.exists() {
        std::fs::remove_file(to)?;
    }
    write_private(to, &text)
}

/// The installation key, opened with the key-encryption key (sealed now if the
/// database is new or from before sealing).
pub fn installation_key(pool: &db::Pool, kek: &SealingKey) -> anyhow::Result<Vec<u8>> {
    let mut conn = pool.get()?;
    let key = db::write_with(&mut conn, |tx| db::installation::key(tx, kek, random_key()))?;
    // Pages that held plain values before sealing leave the write-ahead log too.
    db::checkpoint_conn(&conn)?;
    Ok(key)
}

/// The API key of this installation's built-in mock acquirer.
pub fn mock_acquirer_key(settings: &Settings, now: i64) -> anyhow::Result<String> {
    if !settings.mock_acquirer() {
        anyhow::bail!(
            "this installation has no mock acquirer: it runs in production mode or uses a payment provider"
        );
    }
    let pool = db::open(
        &settings.database_path(),
        &db::backup::UpgradeBackups::configured(settings, now),
    )?;
    let key = installation_key(&pool, &sealing_key(settings, &pool)?)?;
    Ok(Keyring::new(key).derived_secret(mock_acquirer::API_KEY_PURPOSE))
}

/// What `kansli rotate-key` did.
pub struct Rotated {
    pub secrets: usize,
    pub old_id: String,
    pub new_id: String,
    /// Where the old key is kept: backups taken before the rotation need it.
    pub old_kept: std::path::PathBuf,
    /// True when an interrupted rotation was completed instead.
    pub completed_interrupted: bool,
}

/// Seals the installation key and every authenticator secret with a new key
/// and puts the new key in `secret_key_file`; the old key is kept beside it for
/// older backups. No server may run. Crash-safe: the new key is on disk (as
/// `FILE.new`) before the database commits to it, and a second run completes a
/// rotation interrupted between the commit and the rename.
pub fn rotate_key(settings: &Settings, now: i64) -> anyhow::Result<Rotated> {
    use anyhow::Context;
    let _lock = db::lock::DatabaseLock::take(&settings.database_path())?;
    let path = settings.secret_key_path();
    let read = |p: &std::path::Path| -> anyhow::Result<SealingKey> {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        SealingKey::from_file(&bytes).with_context(|| format!("key file {}", p.display()))
    };
    let old = read(&path)?;
    let pool = db::open(
        &settings.database_path(),
        &db::backup::UpgradeBackups::configured(settings, now),
    )?;
    let mut conn = pool.get()?;
    let beside = |suffix: &str| {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    let pending = beside(".new");
    let kept = |id: &str| beside(&format!(".{id}.old"));
    let database = db::installation::sealed_by(&conn)?;
    if pending.exists() {
        let waiting = read(&pending)?;
        if database.as_deref() == Some(waiting.id()) {
            keep_copy(&path, &kept(old.id()))?;
            std::fs::rename(&pending, &path)?;
            sync_dir(&path)?;
            return Ok(Rotated {
                secrets: 0,
                old_id: old.id().to_string(),
                new_id: waiting.id().to_string(),
                old_kept: kept(old.id()),
                completed_interrupted: true,
            });
        }
        // Left by a run that stopped before the database took it: it sealed nothing.
        std::fs::remove_file(&pending)?;
    }
    let (new, text) = SealingKey::generate();
    write_private(&pending, &text)
        .with_context(|| format!("cannot write {}", pending.display()))?;
    // The new key's name is on disk too before the database depends on it.
    sync_dir(&path)?;
    let secrets = db::write_with(&mut conn, |tx| db::installation::reseal(tx, &old, &new))?;
    keep_copy(&path, &kept(old.id()))?;
    std::fs::rename(&pending, &path)?;
    sync_dir(&path)?;
    Ok(Rotated {
        secrets,
        old_id: old.id().to_string(),
        new_id: new.id().to_string(),
        old_kept: kept(old.id()),
        completed_interrupted: false,
    })
}
