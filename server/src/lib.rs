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
pub mod rates;
pub mod service;
pub mod store;

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
}

/// Opens the database, seeds the demo once if asked, and serves until `shutdown` resolves.
/// Prints `listening on http://ADDR` on standard output once the socket is bound.
pub async fn serve(
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let store = store::Store::open(&opts.database)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", opts.database.display()))?;
    let service = Arc::new(service::Service::new(store.clone(), opts.rates));
    if opts.demo {
        demo::seed(&service).await.map_err(|e| format!("demo seeding failed: {e}"))?;
    }
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = http::router(service, opts.static_dir.as_deref());
    println!("listening on http://{addr}");
    tracing::info!(%addr, "serving TradeApi (gRPC + gRPC-web)");
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.map_err(|e| e.to_string())?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
