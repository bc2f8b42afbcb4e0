//! The reference invoice service: `CoreSchema.V1.TradeApi` over gRPC (HTTP/2) and
//! gRPC-web (HTTP/1.1), persisted in SQLite (one instance) or PostgreSQL (several instances
//! over one database), plus the web app's static files on the same port.
//!
//! Layers: [`listener`] (connections: limits, timeouts) → [`http`] (routing, CORS, static
//! files, security headers) → [`grpc`] (handlers: authenticate, translate) → [`service`]
//! (rules and data) → [`db`] (SQLite or PostgreSQL). Validation comes from the shared
//! `schet-api` crate.

pub mod db;
pub mod demo;
pub mod dictionary;
pub mod grpc;
pub mod http;
pub mod images;
pub mod listener;
pub mod merchant;
pub mod random;
pub mod rates;
pub mod sealed;
pub mod service;
pub mod shared_link;
pub mod webhook;

use anyhow::Context;
use db::Database;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What `schet-server serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub database: Database,
    pub static_dir: Option<PathBuf>,
    pub demo: bool,
    pub rates: rates::Rates,
    /// Where people reach this service (the merchant API's payment links), e.g.
    /// `https://pay.example.com`; None: `http://` and the bound address.
    pub public_url: Option<String>,
    /// The key that seals webhook client keys at rest (instances sharing a database share it).
    /// None: with `demo` on SQLite, a key file next to the database (made if missing);
    /// otherwise the service takes no webhook keys.
    pub webhook_key: Option<sealed::KeySource>,
    /// Webhooks may reach loopback and private addresses (local testing only) and how long
    /// the seller's system has to answer.
    pub webhooks: webhook::Policy,
    /// Quotas, rates, stream and size limits.
    pub limits: service::Config,
    pub connections: listener::Limits,
}

impl ServeOptions {
    /// Serve on `listen` from `database`, everything else at its default.
    pub fn new(listen: SocketAddr, database: impl Into<Database>) -> ServeOptions {
        ServeOptions {
            listen,
            database: database.into(),
            static_dir: None,
            demo: false,
            rates: rates::Rates::default(),
            public_url: None,
            webhook_key: None,
            webhooks: webhook::Policy::default(),
            limits: service::Config::default(),
            connections: listener::Limits::default(),
        }
    }
}

/// Opens the database, seeds the demo once if asked, and serves until `shutdown` resolves.
/// Prints `listening on http://ADDR` on standard output once the socket is bound.
pub async fn serve(
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (addr, running) = start(opts, shutdown).await?;
    println!("listening on http://{addr}");
    running.await
}

/// Runs `work` every `period` until the returned task is aborted.
fn every<F, Fut>(period: Duration, mut work: F) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            work().await;
        }
    })
}

/// Like [`serve`], in two steps: opens, seeds and binds, then returns the bound address and
/// the future that serves until `shutdown` (tests bind port 0 and read the address).
pub async fn start(
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, impl std::future::Future<Output = anyhow::Result<()>> + Send + 'static)> {
    let store =
        db::Store::open(&opts.database).await.with_context(|| format!("cannot open database {}", opts.database))?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let key_source = match (&opts.webhook_key, &opts.database) {
        (Some(key), _) => Some(key.clone()),
        (None, Database::Sqlite(db)) if opts.demo => {
            let mut path = db.clone().into_os_string();
            path.push(".webhook-key");
            Some(sealed::KeySource::FileOrNew(PathBuf::from(path)))
        }
        (None, Database::Postgres(_)) if opts.demo => anyhow::bail!(
            "--demo on PostgreSQL needs --webhook-key-file (or SCHET_WEBHOOK_KEY): every instance must seal \
             webhook keys with the same key"
        ),
        (None, _) => None,
    };
    let sealer = key_source.as_ref().map(sealed::Sealer::load).transpose().context("the webhook key")?;
    let mut config = opts.limits.clone();
    config.public_url = opts.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    config.webhooks = opts.webhooks;
    let mut service = service::Service::with_config(store.clone(), opts.rates.clone(), config, sealer);
    // Several instances: live events travel through the database.
    let relay_tasks = if store.is_shared() {
        let (relay, tasks) = service::relay::start(store.clone(), service.events.clone())
            .await
            .context("listening for live events from other instances")?;
        service.relay = Some(relay);
        tasks
    } else {
        Vec::new()
    };
    let service = Arc::new(service);
    let sealed = service.seal_stored_webhook_keys().await.context("sealing stored webhook keys")?;
    if sealed > 0 {
        tracing::info!(sealed, "webhook keys stored in plain text were sealed");
    }
    // Purchases a crash left half-done (taken, never settled) are put back. With other
    // instances on the database, one of them may be waiting on a webhook right now: only
    // reservations too old for that are released.
    let webhook_timeout = opts.webhooks.timeout;
    let stale = if store.is_shared() { webhook_timeout * 2 + Duration::from_secs(30) } else { webhook_timeout };
    let released = service.release_stale_reservations(stale).await.context("releasing reservations")?;
    if released > 0 {
        tracing::warn!(released, "purchases left pending by a stop were released");
    }
    // Those taken just before the stop, once their webhook time has passed.
    let late_release = {
        let service = service.clone();
        tokio::spawn(async move {
            tokio::time::sleep(stale).await;
            match service.release_stale_reservations(stale).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(released = n, "purchases left pending by a stop were released"),
                Err(e) => tracing::warn!(error = %e, "releasing reservations failed"),
            }
        })
    };
    if opts.demo {
        demo::seed(&service).await.context("demo seeding failed")?;
    }
    let mut background = vec![
        // Expired invoices are written down as deleted (reads show them as deleted already).
        every(Duration::from_secs(30), {
            let service = service.clone();
            move || {
                let service = service.clone();
                async move {
                    match service.sweep_expired().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(invoices = n, "expired invoices deleted"),
                        Err(e) => tracing::warn!(error = %e, "sweeping expired invoices failed"),
                    }
                }
            }
        }),
        // Last-seen times this instance noted, in one write now and then instead of one per call.
        every(Duration::from_secs(10), {
            let service = service.clone();
            move || {
                let service = service.clone();
                async move {
                    if let Err(e) = service.flush_activity().await {
                        tracing::warn!(error = %e, "writing last-seen times failed");
                    }
                }
            }
        }),
        // A reservation whose webhook outlived its time twice over cannot be in flight.
        every(Duration::from_secs(30), {
            let service = service.clone();
            move || {
                let service = service.clone();
                async move {
                    if let Err(e) =
                        service.release_stale_reservations(webhook_timeout * 2 + Duration::from_secs(30)).await
                    {
                        tracing::warn!(error = %e, "releasing stale reservations failed");
                    }
                }
            }
        }),
    ];
    if store.is_shared() {
        // Shared live events are kept a few minutes.
        background.push(every(Duration::from_secs(60), {
            let store = store.clone();
            move || {
                let store = store.clone();
                async move {
                    if let Err(e) = service::relay::prune(&store).await {
                        tracing::warn!(error = %e, "deleting old shared live events failed");
                    }
                }
            }
        }));
    }
    background.extend(relay_tasks);
    let hub = service.events.clone();
    let shutdown = async move {
        shutdown.await;
        hub.stop();
    };
    let app = http::router(service.clone(), opts.static_dir.as_deref());
    tracing::info!(%addr, "serving TradeApi (gRPC + gRPC-web)");
    let connections = opts.connections;
    let running = async move {
        listener::serve(listener, app, connections, shutdown).await.context("serving failed")?;
        late_release.abort();
        for task in background {
            task.abort();
        }
        if let Err(e) = service.flush_activity().await {
            tracing::warn!(error = %e, "writing last-seen times failed");
        }
        store.close().await;
        tracing::info!("stopped");
        Ok(())
    };
    Ok((addr, running))
}
