//! Webhook checks and deliveries against real TLS servers on loopback.

mod support;

use super::tls::target;
use super::*;
use rcgen::{BasicConstraints, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::ServerName;
use support::*;

#[tokio::test]
async fn delivers_to_a_server_whose_certificate_the_trusted_ca_signed() {
    let p = pki();
    let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(200)).await;
    for host in ["localhost", "127.0.0.1"] {
        let w = webhook(url(addr, host), &p.client, p.server_ca.pem());
        check(&w, false, &LOCAL).unwrap();
        deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap();
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
        check(&w, false, &LOCAL).unwrap();
        deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap();
        assert_request(seen.recv().await.unwrap(), &client);
    }
}

#[tokio::test]
async fn an_http_error_is_a_refusal() {
    let p = pki();
    let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(500)).await;
    let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
    let e = deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap_err();
    assert!(matches!(e, WebhookError::Refused(500)), "{e:?}");
    assert_eq!(e.to_string(), BUYER_TEXT);
    assert_eq!(e.detail(), "answered HTTP 500 (2xx confirms a purchase)");
    assert_request(seen.recv().await.unwrap(), &p.client);

    let (addr, _seen) = server(&p.server, &p.client_ca, Answer::Status(302)).await;
    let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
    assert!(matches!(deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await, Err(WebhookError::Refused(302))));
}

#[tokio::test]
async fn a_server_certificate_from_another_ca_is_not_trusted() {
    let p = pki();
    let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(200)).await;
    let stranger = ca("Someone else's CA");
    let w = webhook(url(addr, "localhost"), &p.client, stranger.pem());
    let e = deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap_err();
    assert!(matches!(e, WebhookError::Tls(_)), "{e:?}");
    assert_eq!(e.to_string(), BUYER_TEXT, "the buyer learns nothing of the seller's network");
    assert!(e.detail().starts_with("the TLS handshake failed: "), "{}", e.detail());
    assert!(matches!(seen.recv().await.unwrap(), Seen::HandshakeFailed), "no request got through");

    // The server's own certificate, pinned, but another server answers.
    let other = server_leaf(&p.server_ca);
    let w = webhook(url(addr, "localhost"), &p.client, other.cert_pem.clone());
    assert!(matches!(deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await, Err(WebhookError::Tls(_))));
}

#[tokio::test]
async fn a_server_certificate_for_another_name_is_not_trusted() {
    let p = pki();
    let params = leaf_params(&["shop.example.com"], ExtendedKeyUsagePurpose::ServerAuth);
    let misnamed = leaf(params, KeyPair::generate().unwrap(), Some(&p.server_ca));
    let (addr, _seen) = server(&misnamed, &p.client_ca, Answer::Status(200)).await;
    let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
    let e = deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap_err();
    assert!(matches!(&e, WebhookError::Tls(detail) if detail.contains("not valid for name")), "{e:?}");
}

#[tokio::test]
async fn the_server_refuses_a_client_certificate_it_does_not_trust() {
    let p = pki();
    let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(200)).await;
    let stranger = client_leaf(&ca("Unknown clients CA"));
    let w = webhook(url(addr, "localhost"), &stranger, p.server_ca.pem());
    check(&w, false, &LOCAL).unwrap();
    let e = deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap_err();
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
    let e = deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap_err();
    assert!(matches!(e, WebhookError::Unreachable(_)), "{e:?}");
    assert_eq!(e.to_string(), BUYER_TEXT, "a closed port reads as an open one");
    assert!(e.detail().starts_with("could not connect: "), "{}", e.detail());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let p = pki();
    let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Never).await;
    let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
    let started = std::time::Instant::now();
    let short = Policy { timeout: Duration::from_millis(500), ..LOCAL };
    let e = deliver(&w, BODY.to_vec(), KEY_ID, &short).await.unwrap_err();
    assert!(matches!(e, WebhookError::Timeout(_)), "{e:?}");
    assert_eq!(e.to_string(), BUYER_TEXT);
    assert_eq!(e.detail(), "no answer within 0.5 s");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_request(seen.recv().await.unwrap(), &p.client);
}

#[test]
fn delivery_can_run_on_any_worker() {
    fn assert_send<T: Send>(_: &T) {}
    let w = Webhook::default();
    assert_send(&deliver(&w, Vec::new(), KEY_ID, &LOCAL));
}

#[tokio::test]
async fn invalid_settings_are_not_delivered() {
    let p = pki();
    let mut w = webhook("https://127.0.0.1:9/hook".into(), &p.client, p.server_ca.pem());
    w.client_key = format!("-----BEGIN PRIVATE KEY-----\n{GARBAGE_B64}\n-----END PRIVATE KEY-----\n");
    let e = deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap_err();
    assert!(matches!(&e, WebhookError::Config(detail) if detail.starts_with("Webhook.ClientKey: ")), "{e:?}");
    assert_eq!(e.to_string(), BUYER_TEXT);
}

fn good() -> (Webhook, Pki) {
    let p = pki();
    let w = webhook("https://shop.example.com/hooks/purchase".into(), &p.client, p.server_ca.pem());
    (w, p)
}

fn rule(w: &Webhook, key_may_be_empty: bool) -> (String, String) {
    let e = check(w, key_may_be_empty, &LOCAL).unwrap_err();
    (e.field, e.rule.to_string())
}

#[test]
fn check_accepts_good_settings() {
    let (w, p) = good();
    check(&w, false, &LOCAL).unwrap();
    check(&w, true, &LOCAL).unwrap();
    // The server's own certificate instead of its CA.
    check(&Webhook { server_crt: p.server.cert_pem.clone(), ..w.clone() }, false, &LOCAL).unwrap();
    // A chain in ClientCrt, and several trusted certificates in ServerCrt.
    let chain = format!("{}{}", p.client.cert_pem, p.client_ca.pem());
    let roots = format!("{}{}", p.server_ca.pem(), p.server.cert_pem);
    check(&Webhook { client_crt: chain, server_crt: roots, ..w.clone() }, false, &LOCAL).unwrap();
    // An IPv6 literal and an explicit port.
    check(&Webhook { url: "https://[::1]:8443/hook".into(), ..w }, false, &LOCAL).unwrap();
}

#[test]
fn check_accepts_other_key_kinds() {
    let client_ca = ca("Marketplace clients CA");
    for alg in [&rcgen::PKCS_ECDSA_P384_SHA384, &rcgen::PKCS_ED25519] {
        let params = leaf_params(&[], ExtendedKeyUsagePurpose::ClientAuth);
        let client = leaf(params, KeyPair::generate_for(alg).unwrap(), Some(&client_ca));
        check(&webhook("https://shop.example.com/".into(), &client, client_ca.pem()), false, &LOCAL).unwrap();
    }
}

#[test]
fn check_accepts_a_sec1_key() {
    let (mut w, p) = good();
    let sec1 = sec1_from_pkcs8(&p.client.key_der);
    w.client_key = pem("EC PRIVATE KEY", &sec1);
    check(&w, false, &LOCAL).unwrap();
}

#[test]
fn check_leaves_an_empty_key_to_the_stored_one_only_when_allowed() {
    let (mut w, _) = good();
    w.client_key.clear();
    check(&w, true, &LOCAL).unwrap();
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
    let e = check(&w, false, &LOCAL).unwrap_err();
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
    let e = check(&w, false, &LOCAL).unwrap_err();
    assert_eq!(e.field, "Webhook.ClientKey");
    assert_no_key(&format!("{e} {e:?}"), &p.client.key_pem);
    assert!(!e.rule.to_string().contains(&body[..16]), "{}", e.rule);
    // A key pasted into a certificate field is refused without being quoted.
    w.client_key = p.client.key_pem.clone();
    w.client_crt = format!("{}{}", p.client.cert_pem, p.client.key_pem);
    let e = check(&w, false, &LOCAL).unwrap_err();
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

#[tokio::test]
async fn loopback_and_private_addresses_are_not_called_unless_allowed() {
    let p = pki();
    let (addr, mut seen) = server(&p.server, &p.client_ca, Answer::Status(200)).await;
    let public_only = Policy::default();
    for host in ["127.0.0.1", "localhost"] {
        let w = webhook(url(addr, host), &p.client, p.server_ca.pem());
        let e = deliver(&w, BODY.to_vec(), KEY_ID, &public_only).await.unwrap_err();
        assert!(matches!(e, WebhookError::Forbidden(_)), "{host}: {e:?}");
        assert_eq!(e.to_string(), BUYER_TEXT, "the buyer hears the same as for any failure");
        assert!(e.detail().contains("not a public internet address"), "{}", e.detail());
    }
    // Nothing reached the receiver; with the switch on, the same settings deliver.
    assert!(seen.try_recv().is_err());
    let w = webhook(url(addr, "localhost"), &p.client, p.server_ca.pem());
    deliver(&w, BODY.to_vec(), KEY_ID, &LOCAL).await.unwrap();
    assert_request(seen.recv().await.unwrap(), &p.client);
}

#[test]
fn check_refuses_internal_hosts_naming_the_rule() {
    let (w, _) = good();
    for url in [
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1:6379/",
        "https://localhost:22/",
        "https://[::1]:5432/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://[::ffff:127.0.0.1]/",
        "https://2130706433/",
    ] {
        let e = check(&Webhook { url: url.into(), ..w.clone() }, false, &Policy::default()).unwrap_err();
        assert_eq!(e.field, "Webhook.Url", "{url}");
        assert!(e.rule.to_string().starts_with("must "), "{url}: {}", e.rule);
    }
    check(&Webhook { url: "https://[::1]:8443/hook".into(), ..w.clone() }, false, &LOCAL).unwrap();
    check(&w, false, &Policy::default()).unwrap();
}
