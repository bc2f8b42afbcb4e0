//! One port for everything: `/CoreSchema.V1.TradeApi/*` (gRPC and gRPC-web), and the
//! web app's files for every other path (index.html for client-side routes).

use crate::grpc::Api;
use crate::service::Service;
use axum::Router;
use http::{HeaderName, HeaderValue, Method, header};
use schet_api::pb::trade_api_server::TradeApiServer;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest gRPC message accepted (an image upload of up to 5 MiB plus framing).
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// The app's Content Security Policy: wasm may be compiled, nothing inline may run.
/// `connect-src` is open because the user may point the app at another endpoint.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

fn cors() -> CorsLayer {
    let h = HeaderName::from_static;
    CorsLayer::new()
        // Bearer tokens, not cookies: any origin may call, none gets credentials.
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            h("x-grpc-web"),
            h("x-user-agent"),
            h("grpc-timeout"),
        ])
        // Errors come "trailers-only", in headers: without these the browser sees none.
        .expose_headers([h("grpc-status"), h("grpc-message"), h("grpc-encoding"), h("grpc-status-details-bin")])
        .max_age(Duration::from_secs(86_400))
}

pub fn router(service: Arc<Service>, static_dir: Option<&Path>) -> Router {
    let merchant = crate::merchant::routes(service.clone());
    let grpc = TradeApiServer::new(Api { service })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let grpc = ServiceBuilder::new().layer(tonic_web::GrpcWebLayer::new()).service(grpc);
    let mut app = Router::new().route_service(&format!("{}/{{method}}", schet_api::SERVICE_PATH), grpc);
    // CryptoCloud-compatible merchant calls (`/v2/invoice/…`, `Authorization: Token`).
    app = app.merge(merchant);
    if let Some(dir) = static_dir {
        let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
        let files = ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
            .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            .service(files);
        app = app.fallback_service(files);
    }
    app.layer(axum::middleware::from_fn(log_request)).layer(cors())
}

/// One log line per request: method, path, HTTP status, gRPC status, time. Never headers
/// or bodies (tokens, keys and secrets travel there).
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let grpc = response.headers().get("grpc-status").and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
    let micros = started.elapsed().as_micros() as u64;
    if path.starts_with(schet_api::SERVICE_PATH) || path.starts_with("/v2/") {
        tracing::info!(%method, %path, status = response.status().as_u16(), grpc_status = %grpc, micros, "request");
    } else {
        tracing::debug!(%method, %path, status = response.status().as_u16(), micros, "file");
    }
    response
}
