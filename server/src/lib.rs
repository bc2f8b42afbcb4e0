//! The reference invoice service: `CoreSchema.V1.TradeApi` over gRPC (HTTP/2) and
//! gRPC-web (HTTP/1.1), persisted in SQLite, plus the web app's static files on the
//! same port.
//!
//! Layers: [`http`] (routing, CORS, static files, security headers) → [`grpc`]
//! (handlers: authenticate, translate) → [`service`] (rules and data) → [`store`]
//! (SQLite). Validation comes from the shared `schet-api` crate.

pub mod demo;
pub mod grpc;
pub mod http;
pub mod images;
pub mod merchant;
pub mod rates;
pub mod service;
pub mod store;
pub mod webhook;

use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What `schet-server serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub database: PathBuf,
    pub static_dir: Option<PathBuf>,
    pub demo: bool,
    pub rates: rates::Rates,
    /// Where people reach this service (the merchant API's payment links), e.g.
    /// `https://pay.example.com`; None: `http://` and the bound address.
    pub public_url: Option<String>,
}

impl ServeOptions {
    /// Serve on `listen` from `database`, everything else at its default.
    pub fn new(listen: SocketAddr, database: PathBuf) -> ServeOptions {
        ServeOptions {
            listen,
            database,
            static_dir: None,
            demo: false,
            rates: rates::Rates::default(),
            public_url: None,
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

/// Like [`serve`], in two steps: opens, seeds and binds, then returns the bound address and
/// the future that serves until `shutdown` (tests bind port 0 and read the address).
pub async fn start(
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(SocketAddr, impl std::future::Future<Output = anyhow::Result<()>> + Send + 'static)> {
    let store = store::Store::open(&opts.database)
        .await
        .with_context(|| format!("cannot open database {}", opts.database.display()))?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let addr = listener.local_addr()?;
    let public_url = match &opts.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => format!("http://{addr}"),
    };
    let service = Arc::new(service::Service::new(store.clone(), opts.rates).with_public_url(public_url));
    if opts.demo {
        demo::seed(&service).await.context("demo seeding failed")?;
    }
    // Expired invoices are written down as deleted every half minute (reads already show
    // them as deleted in between).
    let sweeper = {
        let service = service.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                every.tick().await;
                match service.sweep_expired().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(invoices = n, "expired invoices deleted"),
                    Err(e) => tracing::warn!(error = %e, "sweeping expired invoices failed"),
                }
            }
        })
    };
    let hub = service.events.clone();
    let shutdown = async move {
        shutdown.await;
        hub.stop();
    };
    let app = http::router(service, opts.static_dir.as_deref());
    tracing::info!(%addr, "serving TradeApi (gRPC + gRPC-web)");
    let running = async move {
        axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("serving failed")?;
        sweeper.abort();
        store.close().await;
        tracing::info!("stopped");
        Ok(())
    };
    Ok((addr, running))
}
