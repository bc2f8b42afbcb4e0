//! What the webhook tests share: certificates made on the spot (rcgen), and a mutual-TLS
//! HTTPS server on 127.0.0.1 that reports what it saw.

use super::super::tls::ring;
use super::super::{Policy, TIMEOUT};
use bytes::Bytes;
use http::header;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use schet_api::pb::Webhook;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

/// Loopback receivers are what these tests talk to.
pub const LOCAL: Policy = Policy { allow_private: true, timeout: TIMEOUT };
/// The idempotency key every test delivery carries.
pub const KEY_ID: &str = "pay-42-5f1c";

pub const GARBAGE_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A certificate with its key, as DER and PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
    pub key_pem: String,
    pub key_der: Vec<u8>,
}

pub fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

pub fn leaf_params(names: &[&str], usage: ExtendedKeyUsagePurpose) -> CertificateParams {
    let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("client"));
    params.extended_key_usages = vec![usage];
    params
}

pub fn leaf(params: CertificateParams, key: KeyPair, issuer: Option<&CertifiedIssuer<'static, KeyPair>>) -> Leaf {
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

pub fn server_leaf(issuer: &CertifiedIssuer<'static, KeyPair>) -> Leaf {
    let params = leaf_params(&["localhost", "127.0.0.1"], ExtendedKeyUsagePurpose::ServerAuth);
    leaf(params, KeyPair::generate().unwrap(), Some(issuer))
}

pub fn client_leaf(issuer: &CertifiedIssuer<'static, KeyPair>) -> Leaf {
    let params = leaf_params(&[], ExtendedKeyUsagePurpose::ClientAuth);
    leaf(params, KeyPair::generate().unwrap(), Some(issuer))
}

/// Everything one test needs: the server's and the client's CA, and their certificates.
pub struct Pki {
    pub server_ca: CertifiedIssuer<'static, KeyPair>,
    pub client_ca: CertifiedIssuer<'static, KeyPair>,
    pub server: Leaf,
    pub client: Leaf,
}

pub fn pki() -> Pki {
    let server_ca = ca("Seller CA");
    let client_ca = ca("Marketplace clients CA");
    let server = server_leaf(&server_ca);
    let client = client_leaf(&client_ca);
    Pki { server_ca, client_ca, server, client }
}

pub fn webhook(url: String, client: &Leaf, server_crt: String) -> Webhook {
    Webhook { client_crt: client.cert_pem.clone(), client_key: client.key_pem.clone(), server_crt, url, required: true }
}

/// What the test server saw.
#[derive(Debug)]
pub enum Seen {
    Request {
        method: String,
        path: String,
        content_type: String,
        idempotency_key: String,
        body: Vec<u8>,
        client_cert: Option<Vec<u8>>,
    },
    HandshakeFailed,
}

#[derive(Clone, Copy)]
pub enum Answer {
    Status(u16),
    Never,
}

/// A mutual-TLS HTTPS server on 127.0.0.1 that trusts client certificates of `client_ca`.
pub async fn server(
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
                        let idempotency_key = req
                            .headers()
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string();
                        let body = req.into_body().collect().await?.to_bytes().to_vec();
                        let _ = seen_tx.send(Seen::Request {
                            method,
                            path,
                            content_type,
                            idempotency_key,
                            body,
                            client_cert,
                        });
                        let status = match answer {
                            Answer::Status(status) => status,
                            Answer::Never => std::future::pending().await,
                        };
                        let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"{}")));
                        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                        Ok::<_, hyper::Error>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
            });
        }
    });
    (addr, seen_rx)
}

pub fn url(addr: SocketAddr, host: &str) -> String {
    format!("https://{host}:{}/hooks/purchase?invoice=7", addr.port())
}

pub const BODY: &[u8] = br#"{"InvoiceId":7,"PaymentId":42,"Pieces":1,"Buyer":"alice"}"#;

pub fn assert_request(seen: Seen, client: &Leaf) {
    match seen {
        Seen::Request { method, path, content_type, idempotency_key, body, client_cert } => {
            assert_eq!(method, "POST");
            assert_eq!(idempotency_key, KEY_ID);
            assert_eq!(path, "/hooks/purchase?invoice=7");
            assert_eq!(content_type, "application/json");
            assert_eq!(body, BODY);
            assert_eq!(client_cert.as_deref(), Some(client.cert_der.as_ref()), "the client certificate was presented");
        }
        other => panic!("expected a request, the server saw {other:?}"),
    }
}

/// No text of an error may contain a line of the key's PEM body.
pub fn assert_no_key(text: &str, key_pem: &str) {
    for line in key_pem.lines().filter(|l| !l.starts_with("-----") && l.len() >= 8) {
        assert!(!text.contains(line), "key material in {text:?}");
    }
}

/// The SEC1 `ECPrivateKey` inside a PKCS#8 EC key (its last OCTET STRING's content).
pub fn sec1_from_pkcs8(der: &[u8]) -> Vec<u8> {
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

pub fn pem(label: &str, der: &[u8]) -> String {
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
