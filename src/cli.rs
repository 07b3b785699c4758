//! The command line: `kansli serve` (the default), `kansli migrate`, `kansli backup`,
//! `kansli restore`, `kansli staff`, `kansli api`, `kansli rotate-key`,
//! `kansli mock-acquirer-key` and `kansli demo`.
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::clock::Clock;
use crate::db::backup::UpgradeBackups;
use crate::settings::{LogFormat, Settings};
use crate::startup::Application;

#[derive(Parser)]
#[command(
    name = "kansli",
    version,
    about = "Self-hosted e-service portal for permit applications"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Create or upgrade the database, then exit.
    Migrate,
    /// Write a consistent copy of the database to PATH (a new file), while the server runs.
    Backup { path: std::path::PathBuf },
    /// Replace the database with the backup at PATH (no server may run); the
    /// replaced database is kept beside it.
    Restore { path: std::path::PathBuf },
    /// Seal the installation key and the staff authenticator secrets with a new
    /// key in `secret_key_file` (no server may run); the old key is kept beside it.
    RotateKey,
    /// Send a test email to ADDRESS through the configured SMTP server and print its answer.
    SendTestEmail { address: String },
    /// Send a test text to NUMBER through the configured SMS provider and print its answer.
    SendTestSms { number: String },
    /// Print the key of this installation's built-in mock acquirer API, so another
    /// Kansli can use it as its payment provider (development mode only).
    MockAcquirerKey,
    /// Fill the database for a demo environment and print the logins (development
    /// mode only); a second run adds nothing and prints the same logins.
    Demo,
    /// Staff accounts: add, list, disable, enable, unlock, role.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Client systems of the integration API: add, list, revoke.
    Api {
        #[command(subcommand)]
        command: ApiCommand,
    },
}

#[derive(Subcommand)]
enum ApiCommand {
    /// Add a client system and print its token (and webhook secret) once.
    Add {
        name: String,
        /// Where events (case submitted, status changed, questionnaire answered) are POSTed.
        #[arg(long)]
        webhook: Option<String>,
    },
    /// List the client systems.
    List,
    /// Revoke a client system's token; no more events are sent to it.
    Revoke { name: String },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account and print its one-time setup link (valid 24 hours).
    Add {
        email: String,
        #[arg(long, value_parser = ["support", "caseworker", "admin"])]
        role: String,
    },
    /// List the staff accounts.
    List,
    /// Disable a staff account and end its sessions.
    Disable { email: String },
    /// Let a disabled staff account log in again.
    Enable { email: String },
    /// Lift the lock that failed logins put on a staff account, before it ends.
    Unlock { email: String },
    /// Give a staff account another role.
    Role {
        email: String,
        #[arg(value_parser = ["support", "caseworker", "admin"])]
        role: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kansli: {e}");
            return ExitCode::from(2);
        }
    };
    // The log goes to standard error: standard output is a command's answer
    // (`$(kansli mock-acquirer-key)`); journald keeps both.
    // Colours only for a person at a terminal, not in journald or a collector.
    let log = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&settings.log).unwrap_or_else(|_| "info".into()),
        );
    match settings.log_format {
        LogFormat::Text => log.init(),
        // The event's fields at the top; the request span (its id) as `span`.
        LogFormat::Json => log
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    // Before any text is read: every text naming the contact details gets these.
    crate::i18n::install_contact(&settings.contact);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new().block_on(serve(settings)),
        Command::Migrate => migrate(&settings),
        Command::Backup { path } => backup(&settings, &path),
        Command::Restore { path } => restore(&settings, &path),
        Command::Staff { command } => staff(&settings, command),
        Command::Api { command } => api(&settings, command),
        Command::MockAcquirerKey => mock_acquirer_key(&settings),
        Command::RotateKey => rotate_key(&settings),
        Command::Demo => demo(settings),
        Command::SendTestEmail { address } => send_test(&settings, Test::Email(address)),
        Command::SendTestSms { number } => send_test(&settings, Test::Sms(number)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kansli: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let mode = settings.mode;
    let database = settings.database_path();
    let app = Application::build(settings, Clock::system()).await?;
    tracing::info!(?mode, database = %database.display(), "kansli listening on port {}", app.port());
    if let Some(port) = app.metrics_port() {
        tracing::info!("metrics served on port {port}");
    }
    app.run_until_stopped().await?;
    Ok(())
}

fn backup(settings: &Settings, path: &std::path::Path) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let copy = crate::db::backup::copy(&settings.database_path(), path)?;
    println!(
        "backup written to {}: {} ({} bytes), schema version {}, integrity check ok, in {:.1?}",
        path.display(),
        human_size(copy.bytes),
        copy.bytes,
        copy.schema_version,
        started.elapsed()
    );
    Ok(())
}

fn restore(settings: &Settings, path: &std::path::Path) -> anyhow::Result<()> {
    let database = settings.database_path();
    let done = crate::db::restore::restore(path, &database, Clock::system().now())?;
    println!(
        "restored {} into {} (schema version {}, now {}).",
        path.display(),
        database.display(),
        done.from_version,
        done.version
    );
    match done.replaced {
        Some(kept) => println!("The database it replaced is kept at {}.", kept.display()),
        None => println!("There was no database to replace."),
    }
    Ok(())
}

enum Test {
    Email(String),
    Sms(String),
}

/// Sends one test message through the configured transport, not the outbox,
/// and prints what the server or provider answered.
fn send_test(settings: &Settings, test: Test) -> anyhow::Result<()> {
    use crate::outbound::notify::{messages, Delivery};
    let t = crate::i18n::Texts::new(crate::domain::Lang::Sv);
    let (message, to) = match test {
        Test::Email(address) => {
            let email = crate::domain::email::Email::parse(&address)
                .map_err(|_| anyhow::anyhow!("{address:?} is not an email address"))?;
            (
                messages::test_email(t, email.as_str()),
                email.as_str().to_string(),
            )
        }
        Test::Sms(number) => {
            let phone = crate::domain::phone::Phone::parse(Some("SE"), &number)
                .map_err(|_| anyhow::anyhow!("{number:?} is not a phone number"))?;
            (
                messages::test_sms(t, phone.as_str()),
                phone.as_str().to_string(),
            )
        }
    };
    // The SMTP transport's connection pool needs the runtime from the start.
    let answer = actix_web::rt::System::new()
        .block_on(async { Delivery::new(settings)?.send_test(&message).await })?;
    println!("sent to {to}; the server answered: {answer}");
    Ok(())
}

fn rotate_key(settings: &Settings) -> anyhow::Result<()> {
    let done = crate::startup::rotate_key(settings, Clock::system().now())?;
    let file = settings.secret_key_path();
    if done.completed_interrupted {
        println!(
            "completed an interrupted rotation: {} now holds key {}.",
            file.display(),
            done.new_id
        );
    } else {
        println!(
            "sealed the installation key and {} authenticator secrets with a new key: {} now holds key {} (was {}).",
            done.secrets,
            file.display(),
            done.new_id,
            done.old_id
        );
    }
    println!(
        "The old key is kept at {}: backups taken before now need it. Copy the new key to where you keep the key apart from the database's backups.",
        done.old_kept.display()
    );
    Ok(())
}

fn mock_acquirer_key(settings: &Settings) -> anyhow::Result<()> {
    println!(
        "{}",
        crate::startup::mock_acquirer_key(settings, Clock::system().now())?
    );
    Ok(())
}

fn demo(settings: Settings) -> anyhow::Result<()> {
    use crate::flows::demo::LoginKind;
    if settings.is_production() {
        anyhow::bail!(
            "`kansli demo` is for development mode only: it makes accounts whose passwords it prints. Run it on a separate installation without mode = \"production\" (KANSLI_MODE)."
        );
    }
    let database = settings.database_path();
    let url = |path: &str| format!("{}{path}", settings.public_url());
    let (login, staff_login, mailbox) = (
        url(crate::paths::LOGIN),
        url(crate::paths::STAFF_LOGIN),
        url(crate::paths::DEV_MAILBOX),
    );
    let demo = actix_web::rt::System::new().block_on(async move {
        // A manual clock at now: the demo's story moves it through the last weeks.
        let clock = Clock::manual(Clock::system().now());
        let (state, _lock) = crate::startup::offline_state(settings, clock).await?;
        anyhow::Ok(crate::flows::demo::fill(&state).await?)
    })?;
    if demo.already {
        println!(
            "{} already holds the demo data: nothing was added. The logins:",
            database.display()
        );
    } else {
        println!(
            "{} now holds demo data: applicants with and without two-step verification, unfinished applications, cases in every status, a questionnaire answered and one waiting, and staff. Start the portal (`kansli serve`, or `cargo run`) and log in:",
            database.display()
        );
    }
    println!("\nApplicants log in at {login}:");
    for l in demo.logins.iter() {
        if let LoginKind::Applicant { sms_to } = &l.kind {
            let two_step = match sms_to {
                Some(phone) => format!(
                    "  two-step: SMS to {phone} (the code is in the dev mailbox, {mailbox})"
                ),
                None => String::new(),
            };
            println!(
                "  applicant   email: {}  password: {}{two_step}",
                l.email, l.password
            );
        }
    }
    println!("\nStaff log in at {staff_login} (type the authenticator secret into an authenticator app):");
    for l in demo.logins.iter() {
        if let LoginKind::Staff { role, secret } = &l.kind {
            println!(
                "  {:<11} email: {}  password: {}  authenticator secret: {secret}",
                role.as_str(),
                l.email,
                l.password
            );
        }
    }
    Ok(())
}

/// A size for people: 1.5 MiB rather than 1572864 bytes (which is printed beside it).
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut size = bytes as f64;
    let mut unit = "bytes";
    for next in UNITS {
        if size < 1024.0 {
            break;
        }
        size /= 1024.0;
        unit = next;
    }
    if unit == "bytes" {
        format!("{bytes} bytes")
    } else {
        format!("{size:.1} {unit}")
    }
}

/// The database for a command that works on it beside a running server.
fn open_database(settings: &Settings, now: i64) -> anyhow::Result<crate::db::Pool> {
    crate::db::open(
        &settings.database_path(),
        &UpgradeBackups::configured(settings, now),
    )
}

fn staff(settings: &Settings, command: StaffCommand) -> anyhow::Result<()> {
    use crate::domain::date::{time_in_sweden, Date};
    use crate::domain::rules::MINUTE;
    use crate::domain::staff::Role;
    use crate::flows::identity::staff;
    let now = Clock::system().now();
    let pool = open_database(settings, now)?;
    match command {
        StaffCommand::Add { email, role } => {
            let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?;
            let kek = crate::startup::sealing_key(settings, &pool)?;
            let link = staff::add(&pool, &kek, &settings.public_url(), &email, role, now)?;
            println!("staff account {email} ({}) created.", role.as_str());
            println!("Send this one-time setup link to them; it works for 24 hours:\n{link}");
        }
        StaffCommand::List => {
            for s in staff::list(&pool)? {
                let state = match staff::standing(&s, now) {
                    staff::Standing::Disabled => "disabled".to_string(),
                    staff::Standing::Locked { until } => {
                        // Rounded up to the minute: never "until" a moment still locked.
                        let shown = until + MINUTE - 1;
                        format!(
                            "locked until {} {} (Swedish time)",
                            Date::in_sweden(shown),
                            time_in_sweden(shown)
                        )
                    }
                    staff::Standing::WaitingForSetup => "waiting for setup".to_string(),
                    staff::Standing::Active => "active".to_string(),
                };
                println!("{:<40} {:<11} {}", s.email, s.role.as_str(), state);
            }
        }
        StaffCommand::Disable { email } => {
            if !staff::disable(&pool, &email, now)? {
                anyhow::bail!("no staff account {email}");
            }
            println!("staff account {email} disabled; its sessions have ended.");
        }
        StaffCommand::Enable { email } => {
            if !staff::enable(&pool, &email, now)? {
                anyhow::bail!("no staff account {email}");
            }
            println!("staff account {email} enabled; it can log in again.");
        }
        StaffCommand::Unlock { email } => {
            if !staff::unlock(&pool, &email, now)? {
                anyhow::bail!("no staff account {email}");
            }
            println!("staff account {email} unlocked; its failed logins are forgotten.");
        }
        StaffCommand::Role { email, role } => {
            let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?;
            let Some(was) = staff::set_role(&pool, &email, role, now)? else {
                anyhow::bail!("no staff account {email}");
            };
            println!(
                "staff account {email} is now {} (was {}).",
                role.as_str(),
                was.as_str()
            );
        }
    }
    Ok(())
}

fn api(settings: &Settings, command: ApiCommand) -> anyhow::Result<()> {
    use crate::domain::api::{ClientName, WebhookUrl};
    use crate::domain::date::{time_in_sweden, Date};
    use crate::flows::api::clients;
    let now = Clock::system().now();
    let pool = open_database(settings, now)?;
    match command {
        ApiCommand::Add { name, webhook } => {
            let Some(client) = ClientName::parse(&name) else {
                anyhow::bail!(
                    "{name:?} is not a client name: use 1 to 64 of a-z, 0-9, '-', '_' and '.'"
                );
            };
            let webhook = match webhook.as_deref().map(|w| (w, WebhookUrl::parse(w))) {
                Some((w, None)) => anyhow::bail!("{w:?} is not an http or https address"),
                // Events name cases: in production they travel encrypted.
                Some((w, Some(url))) if settings.is_production() && !url.is_https() => {
                    anyhow::bail!("{w:?}: in production a webhook address must be https")
                }
                Some((_, url)) => url,
                None => None,
            };
            let kek = crate::startup::sealing_key(settings, &pool)?;
            let keyring =
                crate::domain::secret::Keyring::new(crate::startup::installation_key(&pool, &kek)?);
            let Some(added) = clients::add(&pool, &keyring, &client, webhook.as_ref(), now)? else {
                anyhow::bail!("an API client named {name} already exists; revoke it first");
            };
            println!("API client {name} added. Give it these now: they are not shown again.");
            println!("token: {}", added.token.expose());
            if let Some(secret) = added.webhook_secret {
                println!("webhook secret: {secret}");
            }
        }
        ApiCommand::List => {
            for c in clients::list(&pool)? {
                let state = match c.revoked_at {
                    Some(at) => format!("revoked {} {}", Date::in_sweden(at), time_in_sweden(at)),
                    None => "active".to_string(),
                };
                let webhook = c.webhook_url.as_deref().unwrap_or("(no webhook)");
                println!("{:<30} {:<20} {}", c.name, state, webhook);
            }
        }
        ApiCommand::Revoke { name } => {
            if !clients::revoke(&pool, &name, now)? {
                anyhow::bail!("no active API client {name}");
            }
            println!("API client {name} revoked; its token no longer works.");
        }
    }
    Ok(())
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    // Never upgrade the schema under a running server (which may be older than
    // this binary), nor while a restore swaps the file.
    let _lock = crate::db::lock::DatabaseLock::take(&settings.database_path())?;
    let pool = crate::db::open(
        &settings.database_path(),
        &UpgradeBackups::configured(settings, Clock::system().now()),
    )?;
    let conn = pool.get()?;
    let version = crate::db::migrate::current_version(&conn)?;
    println!(
        "database {} is at schema version {version}",
        settings.database_path().display()
    );
    Ok(())
}
