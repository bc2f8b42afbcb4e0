//! One port for everything: `/CoreSchema.V1.TradeApi/*` (gRPC and gRPC-web), and the
//! web app's files for every other path (index.html for client-side routes).

use crate::dictionary::{self, Dictionaries};
use crate::grpc::Api;
use crate::service::Service;
use axum::Router;
use axum::response::IntoResponse;
use http::{HeaderName, HeaderValue, Method, header};
use schet_api::pb::trade_api_server::TradeApiServer;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
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
    let grpc = TradeApiServer::new(Api { service: service.clone() })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let grpc = ServiceBuilder::new().layer(tonic_web::GrpcWebLayer::new()).service(grpc);
    let mut app = Router::new().route_service(&format!("{}/{{method}}", schet_api::SERVICE_PATH), grpc);
    // CryptoCloud-compatible merchant calls (`/v2/invoice/…`, `Authorization: Token`).
    // CORS for the calls only (an app elsewhere may call them); the app's own files are
    // same-origin, and each header there would be sent with every file.
    app = app.merge(merchant).layer(cors());
    if let Some(dir) = static_dir {
        app = app.fallback_service(static_files(dir, Some(service)));
    }
    app.layer(axum::middleware::from_fn(log_request))
}

/// Whether a response is a page (where a Content Security Policy and a referrer policy
/// apply; on a script, stylesheet or wasm they would be bytes for nothing).
fn is_page(response: &axum::response::Response) -> bool {
    is_html(response.headers())
}

fn is_html(headers: &http::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"))
}

/// Brotli or gzip, as the browser accepts, for a page made per request: a shared link's
/// (`shared_link.rs`), 1.9 KB of HTML and base64, is sent in 0.9 KB. A file has its copies
/// made beforehand, and any response that already has an encoding is left as it is.
/// Quality 5: measured on that page, 0.07 ms against 3 ms at quality 11, for 116 bytes more.
/// Not below 256 bytes, where an encoding saves less than its headers cost. Such a page holds
/// only what any guest may read, never a token or a secret beside text someone else chose,
/// so its compressed length tells nothing (the BREACH attack needs both).
fn compress_pages() -> CompressionLayer<impl Predicate> {
    let pages = |_, _, headers: &http::HeaderMap, _: &http::Extensions| is_html(headers);
    CompressionLayer::new().quality(CompressionLevel::Precise(5)).compress_when(SizeAbove::new(256).and(pages))
}

/// The web app's files. A `.br` or `.gz` copy beside a file is sent instead when the
/// browser accepts that encoding (`cargo xtask` writes them), and a lazy module's `.dcb`
/// copy when the browser has the main module as a dictionary (`dictionary.rs`).
/// Content-hashed names ([`is_content_hashed`]) never change content, so browsers keep them
/// for a year without asking again; everything else (index.html, the fallback for client-side routes) is
/// revalidated on every load, so a new release is seen at once. With the service, a shared
/// invoice link's page carries the guest's answer for its invoice (`shared_link.rs`).
fn static_files(dir: &Path, service: Option<Arc<Service>>) -> axum::routing::MethodRouter {
    let index = ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip();
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(index);
    let files = ServiceBuilder::new()
        .layer(compress_pages())
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, |r: &axum::response::Response| {
            is_page(r).then(|| HeaderValue::from_static(CSP))
        }))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, |r: &axum::response::Response| {
            is_page(r).then(|| HeaderValue::from_static("no-referrer"))
        }))
        .layer(axum::middleware::from_fn_with_state(dir.to_path_buf(), cache_control))
        .layer(axum::middleware::from_fn_with_state((service, dir.to_path_buf()), shared_link))
        .layer(axum::middleware::from_fn_with_state(Arc::new(Dictionaries::scan(dir)), dictionary::negotiate))
        .service(files);
    axum::routing::any_service(files)
}

/// `immutable` for content-hashed files, without the validators (`ETag`, `Last-Modified`)
/// a browser never uses on them; `no-cache` for the rest. A content-hashed name that is not
/// there (a file of an older release) is a 404, never index.html under a name the browser
/// would keep for a year.
async fn cache_control(
    axum::extract::State(dir): axum::extract::State<std::path::PathBuf>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let hashed = is_content_hashed(path);
    if hashed && !dir.join(path.trim_start_matches('/')).is_file() {
        return (http::StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-cache")]).into_response();
    }
    let mut response = next.run(req).await;
    let immutable = hashed && response.status().is_success();
    let headers = response.headers_mut();
    if immutable {
        headers.remove(header::ETAG);
        headers.remove(header::LAST_MODIFIED);
    }
    let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// A shared invoice link (`GET /invoice/<id>`): the page with the guest's answer when there
/// is one to give; every other request, and that one when there is not, goes on to the files.
async fn shared_link(
    axum::extract::State((service, dir)): axum::extract::State<(Option<Arc<Service>>, std::path::PathBuf)>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let id = if req.method() == Method::GET { crate::shared_link::invoice_id(req.uri().path()) } else { None };
    if let (Some(service), Some(id)) = (&service, id)
        && let Some(page) = crate::shared_link::page(service, &dir, id).await
    {
        return page;
    }
    next.run(req).await
}

/// Whether a path names a content-hashed file at the root: `/name.<16 or more lowercase hex
/// digits>.ext`, as the release build names every file but index.html.
pub fn is_content_hashed(path: &str) -> bool {
    let Some(file) = path.strip_prefix('/') else { return false };
    if !file.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
        return false;
    }
    let mut parts = file.rsplit('.');
    let (Some(_ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty() && hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
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

#[cfg(test)]
mod tests {
    use super::{is_content_hashed, static_files};
    use http::{Request, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get(dir: &std::path::Path, path: &str, accept: Option<&str>) -> (http::response::Parts, Vec<u8>) {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        get_with(dir, path, &headers).await
    }

    /// A GET of `path` from the static files of `dir`, with these request headers.
    async fn get_with(dir: &std::path::Path, path: &str, headers: &[(&str, &str)]) -> (http::response::Parts, Vec<u8>) {
        let mut req = Request::get(path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let response = static_files(dir, None).oneshot(req.body(axum::body::Body::empty()).unwrap()).await.unwrap();
        let (parts, body) = response.into_parts();
        (parts, body.collect().await.unwrap().to_bytes().to_vec())
    }

    #[tokio::test]
    async fn files_are_sent_precompressed_when_accepted_and_hashed_names_are_immutable() {
        let dir = std::env::temp_dir().join(format!("schet-static-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let js = "app.0123456789abcdef.js";
        std::fs::write(dir.join("index.html"), "<!DOCTYPE html><title>Schet</title>").unwrap();
        std::fs::write(dir.join(js), "plain").unwrap();
        std::fs::write(dir.join(format!("{js}.br")), "brotli").unwrap();
        std::fs::write(dir.join(format!("{js}.gz")), "gzip").unwrap();

        let (p, body) = get(&dir, &format!("/{js}"), Some("gzip, deflate, br")).await;
        assert_eq!((p.status.as_u16(), body.as_slice()), (200, &b"brotli"[..]));
        assert_eq!(p.headers[header::CONTENT_ENCODING], "br");
        assert_eq!(p.headers[header::VARY], "accept-encoding");
        assert_eq!(p.headers[header::CONTENT_TYPE], "text/javascript");
        assert_eq!(p.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(p.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        // Never revalidated, so no validators; not a page, so no page policies.
        for name in [header::ETAG, header::LAST_MODIFIED, header::CONTENT_SECURITY_POLICY, header::REFERRER_POLICY] {
            assert!(!p.headers.contains_key(&name), "{name}");
        }

        let (p, body) = get(&dir, &format!("/{js}"), Some("gzip")).await;
        assert_eq!((p.headers[header::CONTENT_ENCODING].to_str().unwrap(), body.as_slice()), ("gzip", &b"gzip"[..]));
        let (p, body) = get(&dir, &format!("/{js}"), None).await;
        assert_eq!(body, b"plain");
        assert!(!p.headers.contains_key(header::CONTENT_ENCODING));

        // index.html and client-side routes are revalidated on every load.
        for path in ["/", "/invoice/7", "/index.html"] {
            let (p, body) = get(&dir, path, Some("br")).await;
            assert_eq!(
                (p.status.as_u16(), body.as_slice()),
                (200, &b"<!DOCTYPE html><title>Schet</title>"[..]),
                "{path}"
            );
            assert_eq!(p.headers[header::CACHE_CONTROL], "no-cache", "{path}");
            assert_eq!(p.headers[header::CONTENT_SECURITY_POLICY], super::CSP, "{path}");
            assert_eq!(p.headers[header::REFERRER_POLICY], "no-referrer", "{path}");
            assert!(p.headers.contains_key(header::ETAG), "{path}: revalidated");
        }

        // A hashed name that is not there (an older release's file) is not index.html.
        let (p, _) = get(&dir, "/app.fedcba9876543210.js", Some("br")).await;
        assert_eq!(p.status.as_u16(), 404);
        assert_eq!(p.headers[header::CACHE_CONTROL], "no-cache");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_lazy_module_comes_dictionary_compressed_only_to_a_browser_with_the_main_module() {
        use base64::Engine;
        use sha2::Digest;
        let dir = std::env::temp_dir().join(format!("schet-dcb-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (main, lazy) = ("schet_bg.0123456789abcdef.wasm", "split_screens.fedcba9876543210.wasm");
        std::fs::write(dir.join("index.html"), "<!DOCTYPE html><title>Schet</title>").unwrap();
        std::fs::write(dir.join(main), "the main module").unwrap();
        std::fs::write(dir.join(format!("{main}.br")), "main, brotli").unwrap();
        let hash = sha2::Sha256::digest(b"the main module");
        let mut dcb = vec![0xFF, 0x44, 0x43, 0x42];
        dcb.extend_from_slice(&hash);
        dcb.extend_from_slice(b"brotli with the main module");
        std::fs::write(dir.join(lazy), "a lazy module").unwrap();
        std::fs::write(dir.join(format!("{lazy}.br")), "lazy, brotli").unwrap();
        std::fs::write(dir.join(format!("{lazy}.dcb")), &dcb).unwrap();
        let sf = |bytes: &[u8]| format!(":{}:", base64::engine::general_purpose::STANDARD.encode(bytes));
        let (right, wrong) = (sf(&hash), sf(&[0u8; 32]));
        let chromium = "gzip, deflate, br, zstd, dcb, dcz";
        let vary = "accept-encoding, available-dictionary";

        // The main module names the lazy modules, and only them, as its users.
        let (p, body) = get_with(&dir, &format!("/{main}"), &[("accept-encoding", chromium)]).await;
        assert_eq!((p.status.as_u16(), body.as_slice()), (200, &b"main, brotli"[..]));
        assert_eq!(p.headers["use-as-dictionary"], r#"match="/split_*.wasm""#);
        assert_eq!(p.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        for path in ["/", "/index.html", "/invoice/7", &format!("/{lazy}")] {
            let (p, _) = get_with(&dir, path, &[("accept-encoding", chromium)]).await;
            assert!(!p.headers.contains_key("use-as-dictionary"), "{path}");
        }

        // With the dictionary's hash and dcb accepted: the .dcb copy, as immutable as the rest.
        let with = [("accept-encoding", chromium), ("available-dictionary", right.as_str())];
        let (p, body) = get_with(&dir, &format!("/{lazy}"), &with).await;
        assert_eq!((p.status.as_u16(), body.as_slice()), (200, dcb.as_slice()));
        assert_eq!(p.headers[header::CONTENT_ENCODING], "dcb");
        assert_eq!(p.headers[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(p.headers[header::VARY], vary);
        assert_eq!(p.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(p.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(!p.headers.contains_key(header::CONTENT_SECURITY_POLICY));

        // Anything less (another release's dictionary, no or a malformed header, no dcb in
        // Accept-Encoding): brotli as before, never an error, still varying on both.
        let fallbacks: [&[(&str, &str)]; 7] = [
            &[("accept-encoding", chromium), ("available-dictionary", &wrong)],
            &[("accept-encoding", chromium)],
            &[("accept-encoding", "gzip, br"), ("available-dictionary", &right)],
            &[("accept-encoding", "br, dcb;q=0"), ("available-dictionary", &right)],
            &[("accept-encoding", chromium), ("available-dictionary", "::")],
            &[("accept-encoding", chromium), ("available-dictionary", "not a structured field")],
            &[("accept-encoding", chromium), ("available-dictionary", &right[..right.len() - 1])],
        ];
        for headers in fallbacks {
            let (p, body) = get_with(&dir, &format!("/{lazy}"), headers).await;
            assert_eq!((p.status.as_u16(), body.as_slice()), (200, &b"lazy, brotli"[..]), "{headers:?}");
            assert_eq!(p.headers[header::CONTENT_ENCODING], "br", "{headers:?}");
            assert_eq!(p.headers[header::VARY], vary, "{headers:?}");
        }
        let (p, body) = get_with(&dir, &format!("/{lazy}"), &[("available-dictionary", &right)]).await;
        assert_eq!((body.as_slice(), p.headers[header::VARY].to_str().unwrap()), (&b"a lazy module"[..], vary));

        // A copy without the dcb header is left out: its file is sent as if it had none.
        let other = "split_chunk_3.00112233445566778.wasm";
        std::fs::write(dir.join(other), "another lazy module").unwrap();
        std::fs::write(dir.join(format!("{other}.dcb")), "not a dcb copy").unwrap();
        let (p, body) = get_with(&dir, &format!("/{other}"), &with).await;
        assert_eq!((p.status.as_u16(), body.as_slice()), (200, &b"another lazy module"[..]));
        assert!(!p.headers.contains_key(header::CONTENT_ENCODING));

        // A lazy module of another release is still a 404, whatever the browser has.
        let (p, _) = get_with(&dir, "/split_screens.0000000000000000.wasm", &with).await;
        assert_eq!(p.status.as_u16(), 404);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_names_with_a_content_hash_are_immutable() {
        assert!(is_content_hashed("/schet_bg.0123456789abcdef.wasm"));
        assert!(is_content_hashed("/split_merchant_screen_1.0123456789abcdef01.wasm"));
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/invoice/12"));
        assert!(!is_content_hashed("/boot.js"));
        assert!(!is_content_hashed("/a.0123456789ABCDEF.js"), "upper case is not what the build writes");
        assert!(!is_content_hashed("/a.0123456789abcde.js"), "15 digits are too few");
        assert!(!is_content_hashed("/.0123456789abcdef.js"), "a name is needed before the hash");
        assert!(!is_content_hashed("/invoice.0123456789abcdefgh.js"), "not hex");
        assert!(!is_content_hashed("/assets/a.0123456789abcdef.js"), "only files at the root");
        assert!(!is_content_hashed("/..%2Fa.0123456789abcdef.js"), "nothing encoded");
    }
}
