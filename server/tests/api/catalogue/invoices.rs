//! The catalogue's bad requests to the invoice calls: CreateInvoice (each rule of each
//! field), UpdatePublicInvoice, DeleteInvoice, GetInvoices, GetInvoiceById and the
//! secret calls.

use super::*;
use schet_api::pb::create_invoice_request::Integration;

fn with(f: impl FnOnce(&mut pb::CreateInvoiceRequest)) -> pb::CreateInvoiceRequest {
    let mut r = public("catalogue");
    f(&mut r);
    r
}

fn fiat(f: impl FnOnce(&mut pb::CreateInvoiceRequest)) -> pb::CreateInvoiceRequest {
    with(|r| {
        r.is_base_crypto = false;
        r.price = btc(10, 0);
        r.fiat_currency = "USD".into();
        r.price_variable = "Average".into();
        f(r)
    })
}

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYWJj\n-----END CERTIFICATE-----\n";

fn hook(f: impl FnOnce(&mut pb::Webhook)) -> Option<Integration> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
    let mut w = pb::Webhook {
        url: "https://example.com/hook".into(),
        client_crt: cert.pem(),
        client_key: key.serialize_pem(),
        server_crt: cert.pem(),
        required: true,
    };
    f(&mut w);
    Some(Integration::Webhook(w))
}

fn create(r: pb::CreateInvoiceRequest) -> Call {
    call!(|c| c.create_invoice(req(r.clone(), SELLER)))
}

/// The invoice calls' cases, in the catalogue's order.
pub(super) fn cases(fx: &Fixture) -> Vec<Case> {
    let (public_id, private_id, secret_id) = (fx.public, fx.private, fx.secret);
    use Code::{InvalidArgument as IA, NotFound as NF, PermissionDenied as PD};
    vec![
        ("price missing", create(with(|r| r.price = None)), IA, "Price"),
        ("price zero", create(with(|r| r.price = btc(0, 0))), IA, "Price"),
        ("price negative", create(with(|r| r.price = btc(-1, 0))), IA, "Price"),
        ("nanos out of range", create(with(|r| r.price = btc(0, 1_000_000_000))), IA, "Price"),
        ("nanos of the wrong sign", create(with(|r| r.price = btc(1, -5))), IA, "Price"),
        ("BTC below the satoshi", create(with(|r| r.price = btc(0, 1))), IA, "Price"),
        ("more BTC than exist", create(with(|r| r.price = btc(21_000_001, 0))), IA, "Price"),
        ("TTL zero", create(with(|r| r.ttl_minutes = 0)), IA, "TtlMinutes"),
        ("TTL over a year", create(with(|r| r.ttl_minutes = 525_601)), IA, "TtlMinutes"),
        ("PiecesMin zero", create(with(|r| r.pieces_min = 0)), IA, "PiecesMin"),
        (
            "PiecesMax below PiecesMin",
            create(with(|r| {
                r.pieces_min = 3;
                r.pieces_max = 2
            })),
            IA,
            "PiecesMax",
        ),
        ("PiecesMax too large", create(with(|r| r.pieces_max = 1_000_001)), IA, "PiecesMax"),
        ("comment too long", create(with(|r| r.comment = "é".repeat(2001))), IA, "Comment"),
        ("comment with a control character", create(with(|r| r.comment = "a\u{0}b".into())), IA, "Comment"),
        ("image not a GUID", create(with(|r| r.images = vec!["picture.png".into()])), IA, "Images[0]"),
        ("image twice", create(with(|r| r.images = vec![guid(5), guid(5)])), IA, "Images[1]"),
        ("eleven images", create(with(|r| r.images = (0..11).map(guid).collect())), IA, "Images"),
        ("image never uploaded", create(with(|r| r.images = vec![guid(9)])), IA, "Images[0]"),
        (
            "private without a buyer",
            create(with(|r| {
                r.is_private = true;
                r.user_name = String::new()
            })),
            IA,
            "UserName",
        ),
        (
            "private to a malformed name",
            create(with(|r| {
                r.is_private = true;
                r.user_name = "bob smith".into()
            })),
            IA,
            "UserName",
        ),
        (
            "private to nobody",
            create(with(|r| {
                r.is_private = true;
                r.user_name = "ghost".into()
            })),
            IA,
            "UserName",
        ),
        (
            "private to oneself",
            create(with(|r| {
                r.is_private = true;
                r.user_name = "seller".into()
            })),
            IA,
            "UserName",
        ),
        ("fiat without a currency", create(fiat(|r| r.fiat_currency = String::new())), IA, "FiatCurrency"),
        ("fiat currency in lower case", create(fiat(|r| r.fiat_currency = "usd".into())), IA, "FiatCurrency"),
        ("not an ISO 4217 code", create(fiat(|r| r.fiat_currency = "XYZ".into())), IA, "FiatCurrency"),
        ("a currency without a rate here", create(fiat(|r| r.fiat_currency = "ZAR".into())), IA, "FiatCurrency"),
        ("fiat without a rate variable", create(fiat(|r| r.price_variable = String::new())), IA, "PriceVariable"),
        ("an unknown rate variable", create(fiat(|r| r.price_variable = "Moon".into())), IA, "PriceVariable"),
        ("cents below the cent", create(fiat(|r| r.price = btc(1, 1_000_000))), IA, "Price"),
        ("secret without text", create(with(|r| r.secrets = vec![secret("", 1)])), IA, "Secrets[0].Text"),
        (
            "secret text too long",
            create(with(|r| r.secrets = vec![secret(&"x".repeat(4001), 1)])),
            IA,
            "Secrets[0].Text",
        ),
        (
            "secret image not a GUID",
            create(with(|r| {
                r.secrets = vec![pb::CreateInvoiceSecretRequest {
                    text: "t".into(),
                    images: vec!["x".into()],
                    ..Default::default()
                }]
            })),
            IA,
            "Secrets[0].Images[0]",
        ),
        (
            "101 initial secrets",
            create(with(|r| r.secrets = (0..101).map(|n| secret("t", n)).collect())),
            IA,
            "Secrets",
        ),
        (
            "redirect not a URL",
            create(with(|r| r.integration = Some(Integration::Redirect("example".into())))),
            IA,
            "Redirect",
        ),
        (
            "redirect to javascript:",
            create(with(|r| r.integration = Some(Integration::Redirect("javascript:alert(1)".into())))),
            IA,
            "Redirect",
        ),
        (
            "webhook over plain http",
            create(with(|r| r.integration = hook(|w| w.url = "http://example.com/hook".into()))),
            IA,
            "Webhook.Url",
        ),
        (
            "webhook client cert is junk",
            create(with(|r| r.integration = hook(|w| w.client_crt = CERT.into()))),
            IA,
            "Webhook.ClientCrt",
        ),
        (
            "webhook without a key",
            create(with(|r| r.integration = hook(|w| w.client_key = String::new()))),
            IA,
            "Webhook.ClientKey",
        ),
        (
            "webhook server cert is a key",
            create(with(|r| r.integration = hook(|w| w.server_crt = w.client_key.clone()))),
            IA,
            "Webhook.ServerCrt",
        ),
        ("update without an id", call!(|c| c.update_public_invoice(req(update(0, |_| {}), SELLER))), IA, "InvoiceId"),
        ("update a missing invoice", call!(|c| c.update_public_invoice(req(update(999_999, |_| {}), SELLER))), NF, ""),
        ("update another's invoice", call!(|c| c.update_public_invoice(req(update(public_id, |_| {}), BUYER))), PD, ""),
        (
            "update with PiecesMin zero",
            call!(|c| c.update_public_invoice(req(update(public_id, |r| r.pieces_min = 0), SELLER))),
            IA,
            "PiecesMin",
        ),
        (
            "update without a price",
            call!(|c| c.update_public_invoice(req(update(public_id, |r| r.price = None), SELLER))),
            IA,
            "Price",
        ),
        (
            "delete without an id",
            call!(|c| c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: 0 }, SELLER))),
            IA,
            "InvoiceId",
        ),
        (
            "delete a missing invoice",
            call!(|c| c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: 999_999 }, SELLER))),
            NF,
            "",
        ),
        (
            "delete another's invoice",
            call!(|c| c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: public_id }, BUYER))),
            PD,
            "",
        ),
        (
            "delete another pair's private invoice",
            call!(|c| c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: private_id }, OTHER))),
            NF,
            "",
        ),
        (
            "list more than 100",
            call!(|c| c.get_invoices(req(pb::GetInvoicesRequest { count: 101, ..Default::default() }, BUYER))),
            IA,
            "count",
        ),
        (
            "list an unknown status",
            call!(|c| c.get_invoices(req(
                pb::GetInvoicesRequest { statuses: vec![9], is_status_has_value: true, ..Default::default() },
                BUYER
            ))),
            IA,
            "Statuses[0]",
        ),
        (
            "list to a malformed user",
            call!(
                |c| c.get_invoices(req(pb::GetInvoicesRequest { to_user: "a;b".into(), ..Default::default() }, BUYER))
            ),
            IA,
            "ToUser",
        ),
        (
            "read invoice 0",
            call!(|c| c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: 0 }, BUYER))),
            IA,
            "InvoiceId",
        ),
        (
            "read another pair's private invoice",
            call!(|c| c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: private_id }, OTHER))),
            NF,
            "",
        ),
        (
            "secrets of invoice 0",
            call!(
                |c| c.get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: 0, is_sold: false }, SELLER))
            ),
            IA,
            "InvoiceId",
        ),
        (
            "add a secret without text",
            call!(|c| c.create_invoice_secret(req(
                pb::CreateInvoiceSecretRequest { invoice_id: public_id, ..Default::default() },
                SELLER
            ))),
            IA,
            "Text",
        ),
        (
            "add a secret to another's invoice",
            call!(|c| c.create_invoice_secret(req(
                pb::CreateInvoiceSecretRequest { invoice_id: public_id, text: "t".into(), ..Default::default() },
                BUYER
            ))),
            PD,
            "",
        ),
        (
            "update secret 0",
            call!(|c| c.update_invoice_secret(req(
                pb::UpdateInvoiceSecretRequest { secret_id: 0, text: "t".into(), ..Default::default() },
                SELLER
            ))),
            IA,
            "SecretId",
        ),
        (
            "update a secret with too long a text",
            call!(|c| c.update_invoice_secret(req(
                pb::UpdateInvoiceSecretRequest { secret_id, text: "x".repeat(4001), ..Default::default() },
                SELLER
            ))),
            IA,
            "Text",
        ),
        (
            "an unknown secret operation",
            call!(|c| c.change_invoice_secret(req(pb::ChangeInvoiceSecretRequest { secret_id, operation: 4 }, SELLER))),
            IA,
            "Operation",
        ),
        (
            "move an unknown secret",
            call!(|c| c.change_invoice_secret(req(
                pb::ChangeInvoiceSecretRequest { secret_id: 999_999, operation: 0 },
                SELLER
            ))),
            NF,
            "",
        ),
    ]
}
