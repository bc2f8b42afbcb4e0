//! The Webhook integration: when a buyer pays an invoice whose integration is a webhook, the
//! service POSTs a JSON body to the seller's `Url` over mutual TLS.
//!
//! - [`check`] is the deep check of a webhook's settings, run by the service when an invoice
//!   is created or updated: the URL is https, `ClientCrt` and `ServerCrt` are X.509
//!   certificates, `ClientKey` is a private key (PKCS#8, PKCS#1 or SEC1, unencrypted) that
//!   belongs to `ClientCrt`. (The browser checks only the PEM shape: `validate::webhook`.)
//! - [`deliver`] makes the call: TLS (rustls with *ring*) presenting `ClientCrt` + `ClientKey`,
//!   trusting nothing but `ServerCrt`; connect and whole request within [`TIMEOUT`]; success
//!   is HTTP 2xx. Redirects are not followed (a 3xx is a refusal).
//!
//! `ServerCrt` may be either:
//! - the seller's server certificate itself (typically self-signed): the server must then
//!   present exactly that certificate, byte for byte (pinning; its names and dates are not
//!   checked, as the seller has named this very certificate), or
//! - a CA certificate (or several): the server's certificate must chain to one of them, be
//!   valid today and name the URL's host, as for any web PKI check.
//!
//! The private key never appears in an error, a `Display` or a `Debug` text of this module.

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ClientConfig, DigitallySignedStruct, InconsistentKeys, RootCertStore, SignatureScheme};
use schet_api::pb::Webhook;
use schet_api::rule::PemKind;
use schet_api::{FieldError, Rule, validate};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Connecting, the TLS handshake and the whole request must fit in this time.
pub const TIMEOUT: Duration = Duration::from_secs(10);

const URL: &str = "Webhook.Url";
const CLIENT_CRT: &str = "Webhook.ClientCrt";
const CLIENT_KEY: &str = "Webhook.ClientKey";
const SERVER_CRT: &str = "Webhook.ServerCrt";

/// Why a delivery failed. `Display` is safe to show to the buyer; the `String`s carry a
/// technical detail for the log (never key material).
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The stored settings do not pass [`check`] (should not happen for a checked invoice).
    #[error("the seller's webhook settings are invalid")]
    Config(String),
    /// No TCP connection: unknown host, refused, unreachable.
    #[error("the seller's system could not be reached")]
    Unreachable(String),
    /// The TLS handshake failed: the server's certificate is not the trusted one, or the
    /// server did not accept the client certificate.
    #[error("TLS handshake with the seller's system failed")]
    Tls(String),
    /// The connection closed or broke without an HTTP answer.
    #[error("the seller's system did not answer")]
    NoAnswer(String),
    /// Nothing came back within the time allowed.
    #[error("the seller's system did not answer in time")]
    Timeout,
    /// An HTTP answer that is not 2xx.
    #[error("the seller's system refused the purchase (HTTP {0})")]
    Refused(u16),
}

fn ring() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Where to connect, parsed from an https URL.
#[derive(Debug, Clone)]
struct Target {
    /// Host name or IP address as given to `connect` (no IPv6 brackets).
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    /// The `Host` header: host and port as written, without user info.
    authority: String,
    path_and_query: String,
}

fn target(url: &str) -> Result<Target, FieldError> {
    validate::url(url, true).map_err(|rule| FieldError::new(URL, rule))?;
    let bad = || FieldError::new(URL, Rule::HttpsUrl);
    let uri: http::Uri = url.parse().map_err(|_| bad())?;
    if uri.scheme() != Some(&http::uri::Scheme::HTTPS) {
        return Err(FieldError::new(URL, Rule::Scheme { https_only: true }));
    }
    let authority = uri.authority().ok_or_else(bad)?;
    let host = authority.host();
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host).to_string();
    let server_name = ServerName::try_from(host.clone()).map_err(|_| bad())?;
    let written = authority.as_str();
    let authority_no_user = written.rsplit_once('@').map_or(written, |(_, hp)| hp).to_string();
    Ok(Target {
        host,
        port: authority.port_u16().unwrap_or(443),
        server_name,
        authority: authority_no_user,
        path_and_query: uri.path_and_query().map_or("/", |p| p.as_str()).to_string(),
    })
}

/// PEM labels whose names may be repeated in an error (anything else between `BEGIN` and
/// `-----` could be a piece of a malformed key).
const KNOWN_LABELS: &[&str] = &[
    "CERTIFICATE",
    "TRUSTED CERTIFICATE",
    "CERTIFICATE REQUEST",
    "X509 CRL",
    "PUBLIC KEY",
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
];

/// The browser's PEM shape rule, with any rule that quotes an unknown label replaced: a
/// broken BEGIN line would otherwise put key material into the message.
fn pem_shape(field: &str, value: &str, kind: PemKind) -> Result<(), FieldError> {
    let Err(rule) = validate::pem(value, kind) else { return Ok(()) };
    let rule = match rule {
        Rule::PemNoEnd { label } | Rule::PemBase64 { label } if !KNOWN_LABELS.contains(&label.as_str()) => {
            Rule::PemDocument { cert: 0 }
        }
        rule => rule,
    };
    Err(FieldError::new(field, rule))
}

/// Every certificate of a PEM document, each parsed as X.509. `as_anchor`: the certificates
/// are trust anchors (CA certificates may be X.509 v1).
fn certificates(field: &str, value: &str, as_anchor: bool) -> Result<Vec<CertificateDer<'static>>, FieldError> {
    pem_shape(field, value, PemKind::Certificate)?;
    if value.contains("PRIVATE KEY-----") {
        return Err(FieldError::new(field, Rule::KeyNotHere));
    }
    let mut certs = Vec::new();
    for (i, der) in CertificateDer::pem_slice_iter(value.as_bytes()).enumerate() {
        let cert = if i == 0 { 0 } else { i as u64 + 1 };
        let der = der.map_err(|_| FieldError::new(field, Rule::PemDocument { cert }))?;
        let parsed = if as_anchor { webpki_anchor_ok(&der) } else { ParsedCertificate::try_from(&der).is_ok() };
        if !parsed {
            return Err(FieldError::new(field, Rule::X509 { cert }));
        }
        certs.push(der);
    }
    if certs.is_empty() {
        return Err(FieldError::new(field, Rule::PemMissing { kind: PemKind::Certificate }));
    }
    Ok(certs)
}

/// True when the certificate can serve as a trust anchor.
fn webpki_anchor_ok(der: &CertificateDer<'static>) -> bool {
    RootCertStore::empty().add(der.clone()).is_ok()
}

/// The client's private key. Errors never quote the value.
fn private_key(value: &str) -> Result<PrivateKeyDer<'static>, FieldError> {
    pem_shape(CLIENT_KEY, value, PemKind::PrivateKey)?;
    PrivateKeyDer::from_pem_slice(value.as_bytes()).map_err(|_| FieldError::new(CLIENT_KEY, Rule::KeyFormat))
}

/// The client certificate chain with its key, checked to belong together.
fn client_identity(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, FieldError> {
    let signing_key =
        provider.key_provider.load_private_key(key).map_err(|_| FieldError::new(CLIENT_KEY, Rule::KeyKind))?;
    let identity = CertifiedKey::new(chain, signing_key);
    match identity.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown)) => Ok(identity),
        Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {
            Err(FieldError::new(CLIENT_KEY, Rule::KeyMismatch))
        }
        Err(_) => Err(FieldError::new(CLIENT_CRT, Rule::X509 { cert: 0 })),
    }
}

/// Trusts `ServerCrt` only: an exact match of the server's certificate, or a chain to it.
struct ServerTrust {
    pinned: Vec<CertificateDer<'static>>,
    chained: Arc<WebPkiServerVerifier>,
}

impl fmt::Debug for ServerTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTrust").field("certificates", &self.pinned.len()).finish()
    }
}

impl ServerCertVerifier for ServerTrust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.pinned.iter().any(|c| c.as_ref() == end_entity.as_ref()) {
            // The handshake signature is still checked against this certificate's key
            // (verify_tls1x_signature below), so the server must hold its private key.
            return Ok(ServerCertVerified::assertion());
        }
        self.chained.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chained.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chained.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chained.supported_verify_schemes()
    }
}

fn server_trust(value: &str, provider: &Arc<CryptoProvider>) -> Result<ServerTrust, FieldError> {
    let certs = certificates(SERVER_CRT, value, true)?;
    let mut roots = RootCertStore::empty();
    for der in &certs {
        roots.add(der.clone()).map_err(|_| FieldError::new(SERVER_CRT, Rule::X509 { cert: 0 }))?;
    }
    let chained = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|_| FieldError::new(SERVER_CRT, Rule::NotAnAnchor))?;
    Ok(ServerTrust { pinned: certs, chained })
}

/// Checks a webhook's settings deeply: the first broken rule, on the field it belongs to.
///
/// `key_may_be_empty`: an update keeps the stored key when `ClientKey` is empty; the key's
/// match with `ClientCrt` is then not checked here (check again with the stored key filled
/// in to cover it).
pub fn check(w: &Webhook, key_may_be_empty: bool) -> Result<(), FieldError> {
    let provider = ring();
    target(&w.url)?;
    let chain = certificates(CLIENT_CRT, &w.client_crt, false)?;
    if !(key_may_be_empty && w.client_key.is_empty()) {
        let key = private_key(&w.client_key)?;
        client_identity(chain, key, &provider)?;
    }
    server_trust(&w.server_crt, &provider)?;
    Ok(())
}

/// The TLS client settings for one webhook.
fn client_config(w: &Webhook) -> Result<(Target, ClientConfig), FieldError> {
    let provider = ring();
    let target = target(&w.url)?;
    let chain = certificates(CLIENT_CRT, &w.client_crt, false)?;
    let key = private_key(&w.client_key)?;
    let identity = client_identity(chain, key, &provider)?;
    let trust = server_trust(&w.server_crt, &provider)?;
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| FieldError::new(URL, Rule::TlsVersions))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(trust))
        .with_client_cert_resolver(Arc::new(SingleCertAndKey::from(identity)));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((target, config))
}

/// The `rustls::Error` somewhere in an error's chain (I/O errors wrap it without exposing
/// it as `source`).
fn tls_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let wrapped = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        if let Some(tls) = wrapped.and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            return Some(tls);
        }
        current = err.source();
    }
    None
}

/// A failure after the handshake: a TLS alert (e.g. the server refused our certificate,
/// which TLS 1.3 reports only then) or a broken connection.
fn after_handshake(e: &hyper::Error) -> WebhookError {
    match tls_cause(e) {
        Some(tls) => WebhookError::Tls(tls.to_string()),
        None => WebhookError::NoAnswer(e.to_string()),
    }
}

/// POSTs `json_body` to the webhook within [`TIMEOUT`]. `Ok` means an HTTP 2xx answer.
pub async fn deliver(w: &Webhook, json_body: Vec<u8>) -> Result<(), WebhookError> {
    deliver_with_timeout(w, json_body, TIMEOUT).await
}

/// [`deliver`] with another time limit for the whole call.
pub async fn deliver_with_timeout(w: &Webhook, json_body: Vec<u8>, timeout: Duration) -> Result<(), WebhookError> {
    let (target, config) = client_config(w).map_err(|e| WebhookError::Config(e.to_string()))?;
    match tokio::time::timeout(timeout, post(target, config, json_body)).await {
        Ok(result) => result,
        Err(_) => Err(WebhookError::Timeout),
    }
}

async fn post(target: Target, config: ClientConfig, body: Vec<u8>) -> Result<(), WebhookError> {
    let tcp = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| WebhookError::Unreachable(e.to_string()))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use hyper::body::Incoming;
    use hyper::service::service_fn;
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
    use rustls::ServerConfig;
    use rustls::server::WebPkiClientVerifier;
    use std::net::SocketAddr;
    use tokio::net::TcpListener;
    use tokio::sync::mpsc;
    use tokio_rustls::TlsAcceptor;

    const GARBAGE_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    /// A certificate with its key, as DER and PEM.
    struct Leaf {
        cert_pem: String,
        cert_der: CertificateDer<'static>,
        key_pem: String,
        key_der: Vec<u8>,
    }

    fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf_params(names: &[&str], usage: ExtendedKeyUsagePurpose) -> CertificateParams {
        let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("client"));
        params.extended_key_usages = vec![usage];
        params
    }

    fn leaf(params: CertificateParams, key: KeyPair, issuer: Option<&CertifiedIssuer<'static, KeyPair>>) -> Leaf {
        let cert = match issuer {
            Some(issuer) => params.signed_by(&key, issuer).unwrap(),
            None => params.self_signed(&key).unwrap(),
        };
        Leaf {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        }
    }

    fn server_leaf(issuer: &CertifiedIssuer<'static, KeyPair>) -> Leaf {
        let params = leaf_params(&["localhost", "127.0.0.1"], ExtendedKeyUsagePurpose::ServerAuth);
        leaf(params, KeyPair::generate().unwrap(), Some(issuer))
    }

    fn client_leaf(issuer: &CertifiedIssuer<'static, KeyPair>) -> Leaf {
        let params = leaf_params(&[], ExtendedKeyUsagePurpose::ClientAuth);
        leaf(params, KeyPair::generate().unwrap(), Some(issuer))
    }

    /// Everything one test needs: the server's and the client's CA, and their certificates.
    struct Pki {
        server_ca: CertifiedIssuer<'static, KeyPair>,
        client_ca: CertifiedIssuer<'static, KeyPair>,
        server: Leaf,
        client: Leaf,
    }

    fn pki() -> Pki {
        let server_ca = ca("Seller CA");
        let client_ca = ca("Marketplace clients CA");
        let server = server_leaf(&server_ca);
        let client = client_leaf(&client_ca);
        Pki { server_ca, client_ca, server, client }
    }

    fn webhook(url: String, client: &Leaf, server_crt: String) -> Webhook {
        Webhook {
            client_crt: client.cert_pem.clone(),
            client_key: client.key_pem.clone(),
            server_crt,
            url,
            required: true,
        }
    }

    /// What the test server saw.
    #[derive(Debug)]
    enum Seen {
        Request { method: String, path: String, content_type: String, body: Vec<u8>, client_cert: Option<Vec<u8>> },
        HandshakeFailed,
    }

    #[derive(Clone, Copy)]
    enum Answer {
        Status(u16),
        Never,
    }

    /// A mutual-TLS HTTPS server on 127.0.0.1 that trusts client certificates of `client_ca`.
    async fn server(
        server: &Leaf,
        client_ca: &CertifiedIssuer<'static, KeyPair>,
        answer: Answer,
    ) -> (SocketAddr, mpsc::UnboundedReceiver<Seen>) {
        let provider = ring();
        let mut roots = RootCertStore::empty();
        roots.add(client_ca.der().clone()).unwrap();
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
        let key = PrivateKeyDer::try_from(server.key_der.clone()).unwrap();
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![server.cert_der.clone()], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (seen_tx, seen_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let tls = match acceptor.accept(tcp).await {
                    Ok(tls) => tls,
                    Err(_) => {
                        let _ = seen_tx.send(Seen::HandshakeFailed);
                        continue;
                    }
                };
                let client_cert = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec());
                let seen_tx = seen_tx.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: hyper::Request<Incoming>| {
                        let seen_tx = seen_tx.clone();
                        let client_cert = client_cert.clone();
                        async move {
                            let method = req.method().to_string();
                            let path = req.uri().to_string();
                            let content_type = req
                                .headers()
                                .get(header::CONTENT_TYPE)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_string();
                            let body = req.into_body().collect().await?.to_bytes().to_vec();
                            let _ = seen_tx.send(Seen::Request { method, path, content_type, body, client_cert });
                            let status = match answer {
                                Answer::Status(status) => status,
                                Answer::Never => std::future::pending().await,
                            };
                            let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
                            *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                            Ok::<_, hyper::Error>(response)
                        }
                    });
                    let _ =
                        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
                });
            }
        });
        (addr, seen_rx)
    }

    fn url(addr: SocketAddr, host: &str) -> String {
        format!("https://{host}:{}/hooks/purchase?invoice=7", addr.port())
    }

    const BODY: &[u8] = br#"{"InvoiceId":7,"PaymentId":42,"Pieces":1,"Buyer":"alice"}"#;

    fn assert_request(seen: Seen, client: &Leaf) {
        match seen {
            Seen::Request { method, path, content_type, body, client_cert } => {
                assert_eq!(method, "POST");
                assert_eq!(path, "/hooks/purchase?invoice=7");
                assert_eq!(content_type, "application/json");
                assert_eq!(body, BODY);
                assert_eq!(
                    client_cert.as_deref(),
                    Some(client.cert_der.as_ref()),
                    "the client certificate was presented"
                );
            }
            other => panic!("expected a request, the server saw {other:?}"),
        }
    }

    /// No text of an error may contain a line of the key's PEM body.
    fn assert_no_key(text: &str, key_pem: &str) {
        for line in key_pem.lines().filter(|l| !l.starts_with("-----") && l.len() >= 8) {
            assert!(!text.contains(line), "key material in {text:?}");
        }
    }

    #[tokio::test]
    async fn delivers_to_a_server_whose_certificate_the_trusted_ca_signed() {
        let p = pki();
        let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(200)).await;
        for host in ["localhost", "127.0.0.1"] {
            let w = webhook(url(addr, host), &p.client, p.server_ca.pem());
            check(&w, false).unwrap();
            deliver(&w, BODY.to_vec()).await.unwrap();
            assert_request(seen.recv().await.unwrap(), &p.client);
        }
    }

    #[tokio::test]
    async fn delivers_to_a_self_signed_server_pinned_by_its_own_certificate() {
        let client_ca = ca("Marketplace clients CA");
        let client = client_leaf(&client_ca);
        // A plain self-signed certificate, and one marked as a CA as `openssl req -x509`
        // makes them (which a CA-chain check alone would refuse as a server certificate).
        let plain = leaf_params(&["localhost"], ExtendedKeyUsagePurpose::ServerAuth);
        let mut as_ca = leaf_params(&["localhost"], ExtendedKeyUsagePurpose::ServerAuth);
        as_ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        for params in [plain, as_ca] {
            let server_cert = leaf(params, KeyPair::generate().unwrap(), None);
            let (addr, mut seen) = server(&server_cert, &client_ca, Answer::Status(204)).await;
            let w = webhook(url(addr, "localhost"), &client, server_cert.cert_pem.clone());
            check(&w, false).unwrap();
            deliver(&w, BODY.to_vec()).await.unwrap();
            assert_request(seen.recv().await.unwrap(), &client);
        }
    }

    #[tokio::test]
    async fn an_http_error_is_a_refusal() {
        let p = pki();
        let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(500)).await;
        let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
        let e = deliver(&w, BODY.to_vec()).await.unwrap_err();
        assert!(matches!(e, WebhookError::Refused(500)), "{e:?}");
        assert_eq!(e.to_string(), "the seller's system refused the purchase (HTTP 500)");
        assert_request(seen.recv().await.unwrap(), &p.client);

        let (addr, _seen) = server(&p.server, &p.client_ca, Answer::Status(302)).await;
        let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
        assert!(matches!(deliver(&w, BODY.to_vec()).await, Err(WebhookError::Refused(302))));
    }

    #[tokio::test]
    async fn a_server_certificate_from_another_ca_is_not_trusted() {
        let p = pki();
        let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(200)).await;
        let stranger = ca("Someone else's CA");
        let w = webhook(url(addr, "localhost"), &p.client, stranger.pem());
        let e = deliver(&w, BODY.to_vec()).await.unwrap_err();
        assert!(matches!(e, WebhookError::Tls(_)), "{e:?}");
        assert_eq!(e.to_string(), "TLS handshake with the seller's system failed");
        assert!(matches!(seen.recv().await.unwrap(), Seen::HandshakeFailed), "no request got through");

        // The server's own certificate, pinned, but another server answers.
        let other = server_leaf(&p.server_ca);
        let w = webhook(url(addr, "localhost"), &p.client, other.cert_pem.clone());
        assert!(matches!(deliver(&w, BODY.to_vec()).await, Err(WebhookError::Tls(_))));
    }

    #[tokio::test]
    async fn a_server_certificate_for_another_name_is_not_trusted() {
        let p = pki();
        let params = leaf_params(&["shop.example.com"], ExtendedKeyUsagePurpose::ServerAuth);
        let misnamed = leaf(params, KeyPair::generate().unwrap(), Some(&p.server_ca));
        let (addr, _seen) = server(&misnamed, &p.client_ca, Answer::Status(200)).await;
        let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
        let e = deliver(&w, BODY.to_vec()).await.unwrap_err();
        assert!(matches!(&e, WebhookError::Tls(detail) if detail.contains("not valid for name")), "{e:?}");
    }

    #[tokio::test]
    async fn the_server_refuses_a_client_certificate_it_does_not_trust() {
        let p = pki();
        let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(200)).await;
        let stranger = client_leaf(&ca("Unknown clients CA"));
        let w = webhook(url(addr, "localhost"), &stranger, p.server_ca.pem());
        check(&w, false).unwrap();
        let e = deliver(&w, BODY.to_vec()).await.unwrap_err();
        assert!(matches!(e, WebhookError::Tls(_)), "{e:?}");
        assert!(matches!(seen.recv().await.unwrap(), Seen::HandshakeFailed), "no request got through");
        assert_no_key(&format!("{e} {e:?}"), &stranger.key_pem);
    }

    #[tokio::test]
    async fn an_unreachable_port_fails() {
        let p = pki();
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let w = webhook(format!("https://127.0.0.1:{port}/hook"), &p.client, p.server_ca.pem());
        let e = deliver(&w, BODY.to_vec()).await.unwrap_err();
        assert!(matches!(e, WebhookError::Unreachable(_)), "{e:?}");
        assert_eq!(e.to_string(), "the seller's system could not be reached");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        let p = pki();
        let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Never).await;
        let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
        let started = std::time::Instant::now();
        let e = deliver_with_timeout(&w, BODY.to_vec(), Duration::from_millis(500)).await.unwrap_err();
        assert!(matches!(e, WebhookError::Timeout), "{e:?}");
        assert_eq!(e.to_string(), "the seller's system did not answer in time");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_request(seen.recv().await.unwrap(), &p.client);
    }

    #[test]
    fn delivery_can_run_on_any_worker() {
        fn assert_send<T: Send>(_: &T) {}
        let w = Webhook::default();
        assert_send(&deliver(&w, Vec::new()));
    }

    #[tokio::test]
    async fn invalid_settings_are_not_delivered() {
        let p = pki();
        let mut w = webhook("https://127.0.0.1:9/hook".into(), &p.client, p.server_ca.pem());
        w.client_key = format!("-----BEGIN PRIVATE KEY-----\n{GARBAGE_B64}\n-----END PRIVATE KEY-----\n");
        let e = deliver(&w, BODY.to_vec()).await.unwrap_err();
        assert!(matches!(&e, WebhookError::Config(detail) if detail.starts_with("Webhook.ClientKey: ")), "{e:?}");
        assert_eq!(e.to_string(), "the seller's webhook settings are invalid");
    }

    fn good() -> (Webhook, Pki) {
        let p = pki();
        let w = webhook("https://shop.example.com/hooks/purchase".into(), &p.client, p.server_ca.pem());
        (w, p)
    }

    fn rule(w: &Webhook, key_may_be_empty: bool) -> (String, String) {
        let e = check(w, key_may_be_empty).unwrap_err();
        (e.field, e.rule.to_string())
    }

    #[test]
    fn check_accepts_good_settings() {
        let (w, p) = good();
        check(&w, false).unwrap();
        check(&w, true).unwrap();
        // The server's own certificate instead of its CA.
        check(&Webhook { server_crt: p.server.cert_pem.clone(), ..w.clone() }, false).unwrap();
        // A chain in ClientCrt, and several trusted certificates in ServerCrt.
        let chain = format!("{}{}", p.client.cert_pem, p.client_ca.pem());
        let roots = format!("{}{}", p.server_ca.pem(), p.server.cert_pem);
        check(&Webhook { client_crt: chain, server_crt: roots, ..w.clone() }, false).unwrap();
        // An IPv6 literal and an explicit port.
        check(&Webhook { url: "https://[::1]:8443/hook".into(), ..w }, false).unwrap();
    }

    #[test]
    fn check_accepts_other_key_kinds() {
        let client_ca = ca("Marketplace clients CA");
        for alg in [&rcgen::PKCS_ECDSA_P384_SHA384, &rcgen::PKCS_ED25519] {
            let params = leaf_params(&[], ExtendedKeyUsagePurpose::ClientAuth);
            let client = leaf(params, KeyPair::generate_for(alg).unwrap(), Some(&client_ca));
            check(&webhook("https://shop.example.com/".into(), &client, client_ca.pem()), false).unwrap();
        }
    }

    #[test]
    fn check_accepts_a_sec1_key() {
        let (mut w, p) = good();
        let sec1 = sec1_from_pkcs8(&p.client.key_der);
        w.client_key = pem("EC PRIVATE KEY", &sec1);
        check(&w, false).unwrap();
    }

    #[test]
    fn check_leaves_an_empty_key_to_the_stored_one_only_when_allowed() {
        let (mut w, _) = good();
        w.client_key.clear();
        check(&w, true).unwrap();
        assert_eq!(rule(&w, false), ("Webhook.ClientKey".into(), "is required".into()));
    }

    #[test]
    fn check_refuses_a_key_that_does_not_parse() {
        let (mut w, _) = good();
        w.client_key = format!("-----BEGIN PRIVATE KEY-----\n{GARBAGE_B64}\n-----END PRIVATE KEY-----\n");
        let (field, text) = rule(&w, false);
        assert_eq!(field, "Webhook.ClientKey");
        assert!(text.starts_with("is not a valid private key"), "{text}");
        assert!(!text.contains(GARBAGE_B64));
        // Not a key at all, and an encrypted one.
        w.client_key = "hello".into();
        assert_eq!(rule(&w, false).1, "must contain a PEM PRIVATE KEY or RSA PRIVATE KEY or EC PRIVATE KEY block");
        w.client_key = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n{GARBAGE_B64}\n-----END RSA PRIVATE KEY-----\n"
        );
        assert_eq!(rule(&w, false).1, "must not be encrypted (remove the passphrase)");
    }

    #[test]
    fn check_refuses_a_key_of_another_certificate() {
        let (mut w, p) = good();
        let other = client_leaf(&p.client_ca);
        w.client_key = other.key_pem.clone();
        let e = check(&w, false).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.to_string().as_str()),
            ("Webhook.ClientKey", "does not belong to the certificate in ClientCrt")
        );
        assert_no_key(&format!("{e} {e:?}"), &other.key_pem);
    }

    #[test]
    fn check_never_quotes_a_key_with_a_broken_begin_line() {
        let (mut w, p) = good();
        // The dashes closing the BEGIN line are missing: the "label" runs into the key.
        let body: String = p.client.key_pem.lines().filter(|l| !l.starts_with("-----")).collect();
        w.client_key = format!("-----BEGIN PRIVATE KEY{body}\n-----END PRIVATE KEY-----\n");
        let e = check(&w, false).unwrap_err();
        assert_eq!(e.field, "Webhook.ClientKey");
        assert_no_key(&format!("{e} {e:?}"), &p.client.key_pem);
        assert!(!e.rule.to_string().contains(&body[..16]), "{}", e.rule);
        // A key pasted into a certificate field is refused without being quoted.
        w.client_key = p.client.key_pem.clone();
        w.client_crt = format!("{}{}", p.client.cert_pem, p.client.key_pem);
        let e = check(&w, false).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule.to_string().as_str()),
            ("Webhook.ClientCrt", "must not contain a private key (only ClientKey may hold one)")
        );
    }

    #[test]
    fn check_refuses_certificates_that_are_not_x509() {
        let garbage = format!("-----BEGIN CERTIFICATE-----\n{GARBAGE_B64}\n-----END CERTIFICATE-----\n");
        let (w, p) = good();
        let bad_client = Webhook { client_crt: garbage.clone(), ..w.clone() };
        assert_eq!(rule(&bad_client, false), ("Webhook.ClientCrt".into(), "is not a valid X.509 certificate".into()));
        let bad_server = Webhook { server_crt: garbage.clone(), ..w.clone() };
        assert_eq!(rule(&bad_server, false), ("Webhook.ServerCrt".into(), "is not a valid X.509 certificate".into()));
        let second_bad = Webhook { server_crt: format!("{}{garbage}", p.server_ca.pem()), ..w.clone() };
        assert_eq!(rule(&second_bad, false).1, "is not a valid X.509 certificate (certificate 2)");
        let empty = Webhook { server_crt: String::new(), ..w };
        assert_eq!(rule(&empty, false), ("Webhook.ServerCrt".into(), "is required".into()));
    }

    #[test]
    fn check_refuses_non_https_urls() {
        let (w, _) = good();
        for (url, want) in [
            ("http://shop.example.com/hook", "must start with https://"),
            ("", "is required"),
            ("https://", "must name a host, e.g. https://example.com/path"),
            ("ftp://shop.example.com/", "must start with https://"),
        ] {
            assert_eq!(
                rule(&Webhook { url: url.into(), ..w.clone() }, false),
                ("Webhook.Url".into(), want.into()),
                "{url}"
            );
        }
    }

    #[test]
    fn targets_are_parsed_for_connecting() {
        let t = target("https://user:pw@Shop.Example.com:8443/a/b?c=d#frag").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("Shop.Example.com", 8443));
        assert_eq!(t.authority, "Shop.Example.com:8443");
        assert_eq!(t.path_and_query, "/a/b?c=d");
        let t = target("https://[::1]/").unwrap();
        assert_eq!((t.host.as_str(), t.port, t.authority.as_str()), ("::1", 443, "[::1]"));
        assert!(matches!(t.server_name, ServerName::IpAddress(_)));
        let t = target("https://shop.example.com").unwrap();
        assert_eq!(t.path_and_query, "/");
    }

    /// The SEC1 `ECPrivateKey` inside a PKCS#8 EC key (its last OCTET STRING's content).
    fn sec1_from_pkcs8(der: &[u8]) -> Vec<u8> {
        fn header(d: &[u8]) -> (u8, usize, usize) {
            let (tag, first) = (d[0], d[1] as usize);
            if first < 0x80 {
                return (tag, 2, first);
            }
            let n = first & 0x7F;
            let len = d[2..2 + n].iter().fold(0usize, |a, b| a << 8 | *b as usize);
            (tag, 2 + n, len)
        }
        let (_, hl, _) = header(der);
        let mut rest = &der[hl..];
        loop {
            let (tag, hl, len) = header(rest);
            if tag == 0x04 {
                return rest[hl..hl + len].to_vec();
            }
            rest = &rest[hl + len..];
        }
    }

    fn pem(label: &str, der: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut b64 = String::new();
        for chunk in der.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |a, (i, b)| a | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                b64.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
            }
        }
        let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap()).collect();
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
    }
}
