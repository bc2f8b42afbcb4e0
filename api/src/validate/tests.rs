//! The request rules, as the form and the service apply them.

use super::*;

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYWJj\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----\n";

fn public() -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: Some(pb::Decimal { units: 0, nanos: 10_000 }),
        ttl_minutes: 60,
        pieces_min: 1,
        pieces_max: 5,
        comment: "Gift card".into(),
        ..Default::default()
    }
}

fn fields(errors: Errors) -> Vec<String> {
    errors.0.into_iter().map(|e| e.field).collect()
}

#[test]
fn a_good_public_invoice_passes() {
    assert!(create_invoice(&public()).0.is_empty());
}

#[test]
fn each_rule_names_its_field() {
    let cases: Vec<(Box<dyn Fn(&mut pb::CreateInvoiceRequest)>, &str)> = vec![
        (Box::new(|r| r.price = None), "Price"),
        (Box::new(|r| r.price = Some(pb::Decimal { units: 0, nanos: 0 })), "Price"),
        (Box::new(|r| r.price = Some(pb::Decimal { units: 0, nanos: 1 })), "Price"),
        (Box::new(|r| r.price = Some(pb::Decimal { units: 1, nanos: -1 })), "Price"),
        (Box::new(|r| r.price = Some(pb::Decimal { units: 21_000_001, nanos: 0 })), "Price"),
        (Box::new(|r| r.ttl_minutes = 0), "TtlMinutes"),
        (Box::new(|r| r.ttl_minutes = 525_601), "TtlMinutes"),
        (Box::new(|r| r.pieces_min = 0), "PiecesMin"),
        (Box::new(|r| r.pieces_max = 0), "PiecesMax"),
        (Box::new(|r| r.pieces_max = 1_000_001), "PiecesMax"),
        (Box::new(|r| r.comment = "x".repeat(2001)), "Comment"),
        (Box::new(|r| r.comment = "bell\u{7}".into()), "Comment"),
        (Box::new(|r| r.images = vec!["nope".into()]), "Images[0]"),
        (Box::new(|r| r.images = vec!["123e4567-e89b-42d3-a456-426614174000".into(); 2]), "Images[1]"),
        (Box::new(|r| r.images = vec!["x".into(); 11]), "Images"),
        (
            Box::new(|r| {
                r.is_private = true;
                r.user_name = String::new()
            }),
            "UserName",
        ),
        (
            Box::new(|r| {
                r.is_private = true;
                r.user_name = "a b".into()
            }),
            "UserName",
        ),
        (
            Box::new(|r| {
                r.is_base_crypto = false;
                r.price = Some(pb::Decimal { units: 10, nanos: 0 });
                r.price_variable = "Average".into()
            }),
            "FiatCurrency",
        ),
        (
            Box::new(|r| {
                r.is_base_crypto = false;
                r.price = Some(pb::Decimal { units: 10, nanos: 0 });
                r.fiat_currency = "usd".into();
                r.price_variable = "Average".into()
            }),
            "FiatCurrency",
        ),
        (
            Box::new(|r| {
                r.is_base_crypto = false;
                r.price = Some(pb::Decimal { units: 10, nanos: 0 });
                r.fiat_currency = "USD".into()
            }),
            "PriceVariable",
        ),
        (
            Box::new(|r| {
                r.is_base_crypto = false;
                r.fiat_currency = "USD".into();
                r.price_variable = "Average".into();
                r.price = Some(pb::Decimal { units: 1, nanos: 1_000_000 })
            }),
            "Price",
        ),
        (Box::new(|r| r.secrets = vec![pb::CreateInvoiceSecretRequest::default()]), "Secrets[0].Text"),
        (
            Box::new(|r| r.integration = Some(pb::create_invoice_request::Integration::Redirect("ftp://x".into()))),
            "Redirect",
        ),
        (
            Box::new(|r| {
                r.integration = Some(pb::create_invoice_request::Integration::Webhook(pb::Webhook {
                    url: "http://example.com".into(),
                    client_crt: CERT.into(),
                    client_key: KEY.into(),
                    server_crt: CERT.into(),
                    required: true,
                }))
            }),
            "Webhook.Url",
        ),
        (
            Box::new(|r| {
                r.integration = Some(pb::create_invoice_request::Integration::Webhook(pb::Webhook {
                    url: "https://example.com".into(),
                    client_crt: KEY.into(),
                    client_key: KEY.into(),
                    server_crt: CERT.into(),
                    required: true,
                }))
            }),
            "Webhook.ClientCrt",
        ),
        (
            Box::new(|r| {
                r.integration = Some(pb::create_invoice_request::Integration::Webhook(pb::Webhook {
                    url: "https://example.com".into(),
                    client_crt: CERT.into(),
                    client_key: String::new(),
                    server_crt: CERT.into(),
                    required: true,
                }))
            }),
            "Webhook.ClientKey",
        ),
    ];
    for (i, (mutate, field)) in cases.into_iter().enumerate() {
        let mut req = public();
        mutate(&mut req);
        assert_eq!(fields(create_invoice(&req)), vec![field.to_string()], "case {i}");
    }
}

#[test]
fn private_invoices_ignore_pieces() {
    let mut req = public();
    req.is_private = true;
    req.user_name = "bob_the.buyer-1".into();
    req.pieces_min = 0;
    req.pieces_max = 0;
    assert!(create_invoice(&req).0.is_empty());
}

#[test]
fn fiat_price_follows_the_currency_minor_units() {
    let mut req = public();
    req.is_base_crypto = false;
    req.fiat_currency = "JPY".into();
    req.price_variable = "Average".into();
    req.price = Some(pb::Decimal { units: 1500, nanos: 0 });
    assert!(create_invoice(&req).0.is_empty());
    req.price = Some(pb::Decimal { units: 1500, nanos: 500_000_000 });
    assert_eq!(fields(create_invoice(&req)), vec!["Price"]);
}

#[test]
fn urls() {
    for ok in ["https://example.com", "http://a.b/c?d#e", "https://[::1]:8443/hook", "https://user@host.io:1/"] {
        assert_eq!(url(ok, false), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "example.com",
        "https://",
        "https:// x.com",
        "https://-x.com",
        "https://x.com:0",
        "https://x.com:99999",
        "javascript:alert(1)",
    ] {
        assert!(url(bad, false).is_err(), "{bad}");
    }
    assert!(url("http://example.com", true).is_err());
}

#[test]
fn pem_blocks() {
    assert_eq!(pem(CERT, PemKind::Certificate), Ok(()));
    assert_eq!(pem(&format!("{KEY}{CERT}"), PemKind::Certificate), Ok(()));
    assert_eq!(pem(KEY, PemKind::Certificate), Err(Rule::PemMissing { kind: PemKind::Certificate }));
    assert!(pem(KEY, PemKind::Certificate).unwrap_err().to_string().contains("CERTIFICATE"));
    assert_eq!(
        pem("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----", PemKind::Certificate),
        Err(Rule::PemBase64 { label: "CERTIFICATE".into() })
    );
    assert!(pem("-----BEGIN CERTIFICATE-----\nMIIB\n", PemKind::Certificate).is_err());
    assert!(
        pem(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMIIB\n-----END RSA PRIVATE KEY-----",
            PemKind::PrivateKey
        )
        .is_err()
    );
}

#[test]
fn field_error_text_round_trips() {
    let e = FieldError::new("Secrets[2].Text", Rule::Text { text: "is required".into() });
    assert_eq!(FieldError::parse(&e.to_string()), Some(e));
    assert_eq!(FieldError::new("Secrets[2].Text", Rule::Required).to_string(), "Secrets[2].Text: is required");
    assert_eq!(FieldError::parse("invoice 5 was not found"), None);
    assert_eq!(FieldError::parse("no such thing: here"), None);
}

#[test]
fn statuses_count_once_and_must_be_statuses() {
    use pb::invoice::InvoiceStatus::{Active, Deleted};
    assert_eq!(statuses(&[4, 0, 4, 4]).unwrap(), vec![Deleted, Active]);
    let e = statuses(&[0, 9]).unwrap_err();
    assert_eq!((e.field.as_str(), e.rule), ("Statuses[1]", Rule::NotAStatus { value: 9 }));
}

#[test]
fn messages_need_text_or_images() {
    assert_eq!(fields(message("", &[])), vec!["Text"]);
    assert!(message("", &["123e4567-e89b-42d3-a456-426614174000".into()]).0.is_empty());
    assert!(message("hi", &[]).0.is_empty());
}
