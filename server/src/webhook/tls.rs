//! TLS for webhooks: the URL's parts, the PEM documents (certificates, the client's key),
//! and the client settings that present `ClientCrt` + `ClientKey` and trust `ServerCrt` only.
//! No error text here ever quotes key material.

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

pub(super) const URL: &str = "Webhook.Url";
pub(super) const CLIENT_CRT: &str = "Webhook.ClientCrt";
pub(super) const CLIENT_KEY: &str = "Webhook.ClientKey";
pub(super) const SERVER_CRT: &str = "Webhook.ServerCrt";

pub(super) fn ring() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Where to connect, parsed from an https URL.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// Host name or IP address as given to `connect` (no IPv6 brackets).
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) server_name: ServerName<'static>,
    /// The `Host` header: host and port as written, without user info.
    pub(super) authority: String,
    pub(super) path_and_query: String,
}

pub(super) fn target(url: &str) -> Result<Target, FieldError> {
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
pub(super) fn certificates(
    field: &str,
    value: &str,
    as_anchor: bool,
) -> Result<Vec<CertificateDer<'static>>, FieldError> {
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
pub(super) fn private_key(value: &str) -> Result<PrivateKeyDer<'static>, FieldError> {
    pem_shape(CLIENT_KEY, value, PemKind::PrivateKey)?;
    PrivateKeyDer::from_pem_slice(value.as_bytes()).map_err(|_| FieldError::new(CLIENT_KEY, Rule::KeyFormat))
}

/// The client certificate chain with its key, checked to belong together.
pub(super) fn client_identity(
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
pub(super) struct ServerTrust {
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

pub(super) fn server_trust(value: &str, provider: &Arc<CryptoProvider>) -> Result<ServerTrust, FieldError> {
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

/// The TLS client settings for one webhook.
pub(super) fn client_config(w: &Webhook) -> Result<(Target, ClientConfig), FieldError> {
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
pub(super) fn tls_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
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
