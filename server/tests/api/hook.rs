//! A seller's system on loopback: a mutual-TLS HTTPS receiver for webhooks whose answers
//! the test controls (at once, when the test says, or never: a tarpit).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use schet_api::pb;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// How the receiver answers.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    /// At once, with this HTTP status.
    Status(u16),
    /// When the test answers the [`Hit`].
    Manual,
    /// Never (the connection stays open).
    Never,
}

/// One delivery the receiver got.
#[derive(Debug)]
pub struct Hit {
    pub idempotency_key: String,
    pub body: serde_json::Value,
    respond: Option<oneshot::Sender<u16>>,
}

impl Hit {
    /// Answers a [`Answer::Manual`] delivery.
    pub fn respond(mut self, status: u16) {
        if let Some(tx) = self.respond.take() {
            let _ = tx.send(status);
        }
    }
}

pub struct Receiver {
    pub addr: SocketAddr,
    hits: mpsc::UnboundedReceiver<Hit>,
    client_crt: String,
    client_key: String,
    server_crt: String,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Receiver {
    pub async fn start(answer: Answer) -> Receiver {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.distinguished_name.push(DnType::CommonName, "Marketplace clients");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let mut client_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_key = KeyPair::generate().unwrap();
        let client = client_params.signed_by(&client_key, &ca).unwrap();
        let server_key = KeyPair::generate().unwrap();
        let mut server_params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server = server_params.self_signed(&server_key).unwrap();

        let mut roots = RootCertStore::empty();
        roots.add(ca.der().clone()).unwrap();
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider()).build().unwrap();
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from(server.der().to_vec())],
                PrivateKeyDer::try_from(server_key.serialize_der()).unwrap(),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (hits_tx, hits) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let (acceptor, hits_tx) = (acceptor.clone(), hits_tx.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else { return };
                    let service = service_fn(move |req: hyper::Request<Incoming>| {
                        let hits_tx = hits_tx.clone();
                        async move {
                            let idempotency_key = req
                                .headers()
                                .get("idempotency-key")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_string();
                            let bytes = req.into_body().collect().await?.to_bytes();
                            let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
                            let (tx, rx) = oneshot::channel();
                            let _ = hits_tx.send(Hit { idempotency_key, body, respond: Some(tx) });
                            let status = match answer {
                                Answer::Status(s) => s,
                                Answer::Manual => rx.await.unwrap_or(500),
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
        Receiver {
            addr,
            hits,
            client_crt: client.pem(),
            client_key: client_key.serialize_pem(),
            server_crt: server.pem(),
        }
    }

    /// Webhook settings that reach this receiver.
    pub fn webhook(&self, required: bool) -> pb::Webhook {
        pb::Webhook {
            url: format!("https://localhost:{}/hooks/purchase", self.addr.port()),
            client_crt: self.client_crt.clone(),
            client_key: self.client_key.clone(),
            server_crt: self.server_crt.clone(),
            required,
        }
    }

    /// The next delivery (within 20 s).
    pub async fn hit(&mut self) -> Hit {
        tokio::time::timeout(std::time::Duration::from_secs(20), self.hits.recv())
            .await
            .expect("a delivery within 20 s")
            .expect("the receiver runs")
    }

    /// A delivery already made, if any.
    pub fn try_hit(&mut self) -> Option<Hit> {
        self.hits.try_recv().ok()
    }
}
