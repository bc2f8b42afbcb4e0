//! `schet-server`: the reference invoice service.
//!
//! ```text
//! schet-server serve --listen ADDR --database PATH|postgres://… [--static DIR] [--demo] [--rates FILE]
//!                    [--public-url URL] [--webhook-key-file PATH] [--webhook-timeout-secs N]
//!                    [--allow-private-webhooks] [--live-invoices-per-user N]
//!                    [--unsold-secrets-per-user N] [--image-bytes-per-user BYTES]
//! schet-server user add NAME --database DB [--balance BTC]
//! schet-server merchant set-status INV-XXXXXXXX STATUS --database DB [--paid AMOUNT]
//! schet-server merchant demo USER --database DB
//! ```

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use rust_decimal::Decimal;
use schet_api::merchant::Status;
use schet_server::db::{Database, Store};
use schet_server::sealed::KeySource;
use schet_server::webhook::Policy;
use schet_server::{ServeOptions, rates::Rates, service::Service};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "schet-server", version, about = "The reference invoice service (TradeApi over gRPC and gRPC-web)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve TradeApi, the merchant API and (with --static) the web app on one port.
    Serve(Serve),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// Merchant invoices (the reference service has no payment page: an admin moves them).
    #[command(subcommand)]
    Merchant(MerchantCommand),
}

#[derive(Args)]
struct DatabaseArg {
    /// Where the data lives: an SQLite file (created if missing; also `sqlite:PATH`), or a
    /// PostgreSQL database, `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, which several
    /// instances may share.
    #[arg(long, value_name = "PATH|URL")]
    database: Database,
}

#[derive(Args)]
struct Serve {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0: any free port).
    #[arg(long, value_name = "ADDR")]
    listen: SocketAddr,
    #[command(flatten)]
    database: DatabaseArg,
    /// The built web app (a folder with index.html) to serve on the same port.
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// Seed demo users and data once (never on a database real people use).
    #[arg(long)]
    demo: bool,
    /// Rate variables and exchange rates on top of the defaults.
    #[arg(long, value_name = "FILE")]
    rates: Option<PathBuf>,
    /// Where people reach this service, e.g. https://pay.example.com (merchant payment
    /// links); default: http:// and the address listened on.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// The key that seals webhook client keys at rest: a file holding 32 random bytes as 64
    /// hex digits (or set SCHET_WEBHOOK_KEY). With --demo and neither, one is made next to
    /// the database; otherwise, without one, invoices cannot have webhooks.
    #[arg(long, value_name = "PATH")]
    webhook_key_file: Option<PathBuf>,
    /// How long a seller's system has to answer a webhook.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    webhook_timeout_secs: u64,
    /// Let webhooks reach loopback and private addresses (local testing only).
    #[arg(long)]
    allow_private_webhooks: bool,
    /// Chat messages a minute per user and per conversation (default: the service's limits;
    /// test suites that write long conversations raise it).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    messages_per_minute: Option<u32>,
    #[command(flatten)]
    quotas: QuotaArgs,
}

/// Per-user quotas (default: `schet_api::limits`).
#[derive(Args)]
struct QuotaArgs {
    /// Invoices one user may have that are not deleted.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    live_invoices_per_user: Option<u64>,
    /// Unsold secrets one user may have.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    unsold_secrets_per_user: Option<u64>,
    /// Bytes of images (originals and previews) one user may store.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    image_bytes_per_user: Option<u64>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints the new user's token as the last word.
    Add {
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
        /// Starting balance in BTC.
        #[arg(long, value_name = "BTC", default_value = "0")]
        balance: Decimal,
    },
}

#[derive(Subcommand)]
enum MerchantCommand {
    /// Move an invoice to a status (created, paid, partial, overpaid, canceled).
    SetStatus {
        uuid: String,
        #[arg(value_parser = parse_status)]
        status: Status,
        #[command(flatten)]
        database: DatabaseArg,
        /// What was paid, in the invoice's coin (default: what the status implies).
        #[arg(long, value_name = "AMOUNT")]
        paid: Option<Decimal>,
    },
    /// Make the demo merchant invoices for USER (once).
    Demo {
        user: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

fn parse_status(text: &str) -> Result<Status, String> {
    Status::parse(text)
        .ok_or_else(|| format!("unknown status {text:?}: one of {}", Status::ALL.map(Status::as_str).join(", ")))
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("schet-server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(serve) => {
            let rates = match &serve.rates {
                Some(path) => {
                    let text = std::fs::read_to_string(path).with_context(|| format!("--rates {}", path.display()))?;
                    Rates::from_file_text(&text).with_context(|| format!("--rates {}", path.display()))?
                }
                None => Rates::default(),
            };
            if let Some(dir) = &serve.static_dir
                && !dir.join("index.html").is_file()
            {
                bail!("--static {}: no index.html there (build the app first)", dir.display());
            }
            let webhook_key = match (std::env::var("SCHET_WEBHOOK_KEY"), serve.webhook_key_file) {
                (_, Some(path)) => Some(KeySource::File(path)),
                (Ok(hex), None) if !hex.trim().is_empty() => Some(KeySource::Hex(hex)),
                _ => None,
            };
            if serve.allow_private_webhooks {
                tracing::warn!("webhooks may reach loopback and private addresses (--allow-private-webhooks)");
            }
            let mut limits = schet_server::service::Config::default();
            let q = &mut limits.quotas;
            q.live_invoices_per_user = serve.quotas.live_invoices_per_user.unwrap_or(q.live_invoices_per_user);
            q.unsold_secrets_per_user = serve.quotas.unsold_secrets_per_user.unwrap_or(q.unsold_secrets_per_user);
            q.image_bytes_per_user = serve.quotas.image_bytes_per_user.unwrap_or(q.image_bytes_per_user);
            if let Some(n) = serve.messages_per_minute {
                limits.quotas.messages_per_minute_per_user = n;
                limits.quotas.messages_per_minute_per_conversation = n;
            }
            let opts = ServeOptions {
                static_dir: serve.static_dir,
                limits,
                demo: serve.demo,
                rates,
                public_url: serve.public_url,
                webhook_key,
                webhooks: Policy {
                    allow_private: serve.allow_private_webhooks,
                    timeout: Duration::from_secs(serve.webhook_timeout_secs),
                },
                ..ServeOptions::new(serve.listen, serve.database.database)
            };
            schet_server::serve(opts, shutdown_signal()).await
        }
        Command::User(UserCommand::Add { name, database, balance }) => {
            let (store, service) = open(&database.database).await?;
            let result = service.add_user(&name, balance, None).await;
            store.close().await;
            let (id, token) = result?;
            println!("created user {name} (id {id}), token: {token}");
            Ok(())
        }
        Command::Merchant(MerchantCommand::SetStatus { uuid, status, database, paid }) => {
            let (store, service) = open(&database.database).await?;
            let result = service.merchant().set_status_now(&uuid, status, paid).await;
            store.close().await;
            println!("{}", result?);
            Ok(())
        }
        Command::Merchant(MerchantCommand::Demo { user, database }) => {
            let (store, service) = open(&database.database).await?;
            let result = schet_server::demo::seed_merchant_invoices(&service, &user).await;
            store.close().await;
            println!("{} demo merchant invoices made for {user}", result?);
            Ok(())
        }
    }
}

/// The database and a service on it, for the one-shot admin commands.
async fn open(database: &Database) -> anyhow::Result<(Store, Service)> {
    let store = Store::open(database).await.with_context(|| format!("cannot open database {database}"))?;
    Ok((store.clone(), Service::new(store, Rates::default())))
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight, close the database.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
