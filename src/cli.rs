//! The command line: `kansli serve` (the default) and `kansli migrate`.
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::clock::Clock;
use crate::settings::Settings;
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&settings.log).unwrap_or_else(|_| "info".into()),
        )
        .init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new().block_on(serve(settings)),
        Command::Migrate => migrate(&settings),
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
    app.run_until_stopped().await?;
    Ok(())
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let pool = crate::db::open(&settings.database_path())?;
    let conn = pool.get()?;
    let version = crate::db::migrate::current_version(&conn)?;
    println!(
        "database {} is at schema version {version}",
        settings.database_path().display()
    );
    Ok(())
}
