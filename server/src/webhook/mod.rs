//! The Webhook integration: when a buyer pays an invoice whose integration is a webhook, the
//! service POSTs a JSON body to the seller's `Url` over mutual TLS.
//!
//! - [`check`] is the deep check of a webhook's settings, run by the service when an invoice
//!   is created or updated: the URL is https and names a public host, `ClientCrt` and
//!   `ServerCrt` are X.509 certificates, `ClientKey` is a private key (PKCS#8, PKCS#1 or SEC1,
//!   unencrypted) that belongs to `ClientCrt`. (The browser checks only the PEM shape:
//!   `validate::webhook`.)
//! - [`deliver`] makes the call: the host is resolved and each address judged
//!   (`schet_api::net::is_public`) before connecting to exactly that address, and the address
//!   actually connected to is judged again (DNS rebinding gains nothing); then TLS (rustls
//!   with *ring*) presenting `ClientCrt` + `ClientKey`, trusting nothing but `ServerCrt`; the
//!   whole call within [`Policy::timeout`]; success is HTTP 2xx. Redirects are not followed
//!   (a 3xx is a refusal). Every delivery carries an `Idempotency-Key` header, unique per
//!   payment, so the seller's system can tell a repeat from a new purchase.
//! - [`Policy::allow_private`] lets webhooks reach loopback and private addresses: local
//!   testing only, off by default.
//!
//! Failures: `Display` is one generic text, safe for the buyer (who must not learn whether a
//! port is open); [`WebhookError::detail`] is for the seller and the log.
//!
//! `ServerCrt` may be either:
//! - the seller's server certificate itself (typically self-signed): the server must then
//!   present exactly that certificate, byte for byte (pinning; its names and dates are not
//!   checked, as the seller has named this very certificate), or
//! - a CA certificate (or several): the server's certificate must chain to one of them, be
//!   valid today and name the URL's host, as for any web PKI check.
//!
//! The private key never appears in an error, a `Display` or a `Debug` text of this module.

#[cfg(test)]
mod tests;
mod tls;

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use schet_api::FieldError;
use schet_api::pb::Webhook;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tls::{CLIENT_CRT, Target, URL, certificates, client_config, client_identity, private_key, ring};
use tls::{server_trust, target, tls_cause};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Connecting, the TLS handshake and the whole request must fit in this time (by default).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Where webhooks may go, and how long they may take.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Loopback and private addresses are allowed too (local testing only).
    pub allow_private: bool,
    pub timeout: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { allow_private: false, timeout: TIMEOUT }
    }
}

/// What the buyer is told about any failed delivery.
pub const BUYER_TEXT: &str = "the seller's system did not confirm the purchase";

/// Why a delivery failed. `Display` is [`BUYER_TEXT`] for every kind; [`Self::detail`] (and
/// the `String`s) say what happened, for the seller and the log (never key material).
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The stored settings do not pass [`check`] (should not happen for a checked invoice).
    #[error("{BUYER_TEXT}")]
    Config(String),
    /// The host resolves to no address the service may call.
    #[error("{BUYER_TEXT}")]
    Forbidden(String),
    /// No TCP connection: unknown host, refused, unreachable.
    #[error("{BUYER_TEXT}")]
    Unreachable(String),
    /// The TLS handshake failed: the server's certificate is not the trusted one, or the
    /// server did not accept the client certificate.
    #[error("{BUYER_TEXT}")]
    Tls(String),
    /// The connection closed or broke without an HTTP answer.
    #[error("{BUYER_TEXT}")]
    NoAnswer(String),
    /// Nothing came back within the time allowed.
    #[error("{BUYER_TEXT}")]
    Timeout(Duration),
    /// An HTTP answer that is not 2xx.
    #[error("{BUYER_TEXT}")]
    Refused(u16),
}

impl WebhookError {
    /// What happened, for the seller.
    pub fn detail(&self) -> String {
        match self {
            WebhookError::Config(d) => format!("the webhook settings are invalid: {d}"),
            WebhookError::Forbidden(d) => format!("not called: {d}"),
            WebhookError::Unreachable(d) => format!("could not connect: {d}"),
            WebhookError::Tls(d) => format!("the TLS handshake failed: {d}"),
            WebhookError::NoAnswer(d) => format!("the connection ended without an HTTP answer: {d}"),
            WebhookError::Timeout(t) => format!("no answer within {} s", t.as_secs_f32()),
            WebhookError::Refused(status) => format!("answered HTTP {status} (2xx confirms a purchase)"),
        }
    }
}

/// Checks a webhook's settings deeply: the first broken rule, on the field it belongs to.
///
/// `key_may_be_empty`: an update keeps the stored key when `ClientKey` is empty; the key's
/// match with `ClientCrt` is then not checked here (check again with the stored key filled
/// in to cover it).
pub fn check(w: &Webhook, key_may_be_empty: bool, policy: &Policy) -> Result<(), FieldError> {
    let provider = ring();
    let t = target(&w.url)?;
    if !policy.allow_private {
        schet_api::net::host(&t.host).map_err(|rule| FieldError::new(URL, rule))?;
    }
    let chain = certificates(CLIENT_CRT, &w.client_crt, false)?;
    if !(key_may_be_empty && w.client_key.is_empty()) {
        let key = private_key(&w.client_key)?;
        client_identity(chain, key, &provider)?;
    }
    server_trust(&w.server_crt, &provider)?;
    Ok(())
}

/// A failure after the handshake: a TLS alert (e.g. the server refused our certificate,
/// which TLS 1.3 reports only then) or a broken connection.
fn after_handshake(e: &hyper::Error) -> WebhookError {
    match tls_cause(e) {
        Some(tls) => WebhookError::Tls(tls.to_string()),
        None => WebhookError::NoAnswer(e.to_string()),
    }
}

/// POSTs `json_body` to the webhook with `Idempotency-Key: idempotency_key`, within the
/// policy's time. `Ok` means an HTTP 2xx answer.
pub async fn deliver(
    w: &Webhook,
    json_body: Vec<u8>,
    idempotency_key: &str,
    policy: &Policy,
) -> Result<(), WebhookError> {
    let (target, config) = client_config(w).map_err(|e| WebhookError::Config(e.to_string()))?;
    let call = post(target, config, json_body, idempotency_key, policy.allow_private);
    match tokio::time::timeout(policy.timeout, call).await {
        Ok(result) => result,
        Err(_) => Err(WebhookError::Timeout(policy.timeout)),
    }
}

/// May the service connect to `addr`?
fn allowed(addr: &SocketAddr, allow_private: bool) -> bool {
    allow_private || schet_api::net::is_public(addr.ip())
}

/// Resolves the host and connects to the first address allowed; judges the address the
/// socket is actually connected to as well.
async fn connect(target: &Target, allow_private: bool) -> Result<TcpStream, WebhookError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|e| WebhookError::Unreachable(format!("{}: {e}", target.host)))?
        .collect();
    let mut refused = Vec::new();
    let mut last_error = None;
    for addr in addrs {
        if !allowed(&addr, allow_private) {
            refused.push(addr.ip());
            continue;
        }
        match TcpStream::connect(addr).await {
            Ok(tcp) => {
                let peer = tcp.peer_addr().map_err(|e| WebhookError::Unreachable(e.to_string()))?;
                if !allowed(&peer, allow_private) {
                    return Err(WebhookError::Forbidden(format!("{} is not a public internet address", peer.ip())));
                }
                return Ok(tcp);
            }
            Err(e) => last_error = Some(format!("{addr}: {e}")),
        }
    }
    match (last_error, refused.is_empty()) {
        (Some(e), _) => Err(WebhookError::Unreachable(e)),
        (None, false) => Err(WebhookError::Forbidden(format!(
            "{} resolves to {}, not a public internet address",
            target.host,
            refused.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ))),
        (None, true) => Err(WebhookError::Unreachable(format!("{} has no address", target.host))),
    }
}

async fn post(
    target: Target,
    config: rustls::ClientConfig,
    body: Vec<u8>,
    idempotency_key: &str,
    allow_private: bool,
) -> Result<(), WebhookError> {
    let tcp = connect(&target, allow_private).await?;
    // Small request, one round trip: do not wait to fill packets.
    let _ = tcp.set_nodelay(true);
    let tls = TlsConnector::from(Arc::new(config))
        .connect(target.server_name.clone(), tcp)
        .await
        .map_err(|e| WebhookError::Tls(tls_cause(&e).map_or_else(|| e.to_string(), |t| t.to_string())))?;

    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.map_err(|e| after_handshake(&e))?;
    let request = Request::builder()
        .method(Method::POST)
        .uri(target.path_and_query.as_str())
        .header(header::HOST, target.authority.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, concat!("schet-server/", env!("CARGO_PKG_VERSION")))
        .header("idempotency-key", idempotency_key)
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| WebhookError::Config(e.to_string()))?;

    let mut connection = Box::pin(connection);
    let mut response = Box::pin(sender.send_request(request));
    let answer = tokio::select! {
        biased;
        answer = &mut response => answer.map_err(|e| after_handshake(&e)),
        ended = &mut connection => {
            // The connection ended first: an answer may still have been read just before;
            // otherwise the connection's own error (e.g. a TLS alert) says the most.
            drop(connection);
            match response.await {
                Ok(answer) => Ok(answer),
                Err(e) => Err(after_handshake(ended.as_ref().err().unwrap_or(&e))),
            }
        }
    }?;
    let status = answer.status();
    if status.is_success() { Ok(()) } else { Err(WebhookError::Refused(status.as_u16())) }
}
