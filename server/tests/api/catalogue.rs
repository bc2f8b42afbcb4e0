//! The catalogue of bad requests (each: the status code, the field named, nothing changed)
//! and the authorization matrix (owner, target buyer, other buyer, anonymous).

use crate::harness::*;
use schet_api::pb::{self, create_invoice_request::Integration, trade_api_client::TradeApiClient};
use std::future::Future;
use std::pin::Pin;
use tonic::transport::Channel;
use tonic::{Code, Status};

type Call = Box<dyn FnOnce(TradeApiClient<Channel>) -> Pin<Box<dyn Future<Output = Result<(), Status>> + Send>>>;

/// `call!(client => client.method(request))`: a case whose answer is thrown away.
macro_rules! call {
    (|$c:ident| $body:expr) => {
        Box::new(move |mut $c: TradeApiClient<Channel>| {
            Box::pin(async move { $body.await.map(|_| ()) }) as Pin<Box<dyn Future<Output = Result<(), Status>> + Send>>
        }) as Call
    };
}

struct Fixture {
    public: u64,
    pricey: u64,
    private: u64,
    secret: u64,
    payment: u64,
    /// Images: on the public invoice, on a secret of it, on the private invoice, in a
    /// message of the buyer's conversation, and one only uploaded.
    images: Images,
}

struct Images {
    public: String,
    secret: String,
    private: String,
    message: String,
    loose: String,
}

async fn fixture(s: &Server) -> Fixture {
    let mut c = s.client().await;
    let images =
        Images { public: guid(101), secret: guid(102), private: guid(103), message: guid(104), loose: guid(105) };
    for (id, owner) in [
        (&images.public, SELLER),
        (&images.secret, SELLER),
        (&images.private, SELLER),
        (&images.message, BUYER),
        (&images.loose, SELLER),
    ] {
        c.store_image(req(pb::StoreImageRequest { id: id.clone(), data: png(8, 8) }, owner)).await.unwrap();
    }
    let mut p = public("fixture");
    p.images = vec![images.public.clone()];
    p.secrets = vec![
        pb::CreateInvoiceSecretRequest { images: vec![images.secret.clone()], ..secret("s1", 1) },
        secret("s2", 2),
    ];
    let public_inv = c.create_invoice(req(p, SELLER)).await.unwrap().into_inner();
    let mut pricey = public("pricey");
    pricey.price = btc(1, 0);
    let pricey = c.create_invoice(req(pricey, SELLER)).await.unwrap().into_inner().id;
    let mut private = private_to("buyer");
    private.images = vec![images.private.clone()];
    let private = c.create_invoice(req(private, SELLER)).await.unwrap().into_inner().id;
    let secrets = c
        .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: public_inv.id, is_sold: false }, SELLER))
        .await
        .unwrap()
        .into_inner();
    c.send_invoice_message(req(
        pb::SendInvoiceMessageRequest {
            invoice_id: public_inv.id,
            text: "a picture".into(),
            image_ids: vec![images.message.clone()],
            ..Default::default()
        },
        BUYER,
    ))
    .await
    .unwrap();
    // The buyer's purchase takes the queue's front: s2 (and its image) stays unsold.
    c.change_invoice_secret(req(
        pb::ChangeInvoiceSecretRequest {
            secret_id: secrets.secrets[0].id,
            operation: pb::change_invoice_secret_request::SecretOperations::ToBottom as i32,
        },
        SELLER,
    ))
    .await
    .unwrap();
    let payment = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: public_inv.id, pieces: 1, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner()
        .id;
    Fixture { public: public_inv.id, pricey, private, secret: secrets.secrets[0].id, payment, images }
}

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

fn update(id: u64, f: impl FnOnce(&mut pb::UpdatePublicInvoiceRequest)) -> pb::UpdatePublicInvoiceRequest {
    let mut r = pb::UpdatePublicInvoiceRequest {
        invoice_id: id,
        is_base_crypto: true,
        price: btc(0, 5_000_000),
        comment: "u".into(),
        pieces_min: 1,
        pieces_max: 2,
        ..Default::default()
    };
    f(&mut r);
    r
}

#[tokio::test]
async fn every_bad_request_names_its_field_and_changes_nothing() {
    let s = Server::start().await;
    let fx = fixture(&s).await;
    let (public_id, pricey, private_id, secret_id, payment) = (fx.public, fx.pricey, fx.private, fx.secret, fx.payment);
    let other_id = s.ids.other.clone();
    let unknown_guid = guid(77);
    use Code::{FailedPrecondition as FP, InvalidArgument as IA, NotFound as NF, PermissionDenied as PD};
    let cases: Vec<(&str, Call, Code, &str)> = vec![
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
        (
            "pay invoice 0",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: 0, pieces: 1, ..Default::default() },
                BUYER
            ))),
            IA,
            "InvoiceId",
        ),
        (
            "pay one's own invoice",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 1, ..Default::default() },
                SELLER
            ))),
            FP,
            "",
        ),
        (
            "pay zero pieces",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 0, ..Default::default() },
                BUYER
            ))),
            IA,
            "Pieces",
        ),
        (
            "pay more pieces than allowed",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 6, ..Default::default() },
                BUYER
            ))),
            IA,
            "Pieces",
        ),
        (
            "pay more secrets than are left",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 2, ..Default::default() },
                BUYER
            ))),
            FP,
            "",
        ),
        (
            "pay beyond one's balance",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: pricey, pieces: 1, ..Default::default() },
                OTHER
            ))),
            FP,
            "",
        ),
        (
            "list more than 100 payments",
            call!(|c| c
                .get_invoice_payments(req(pb::GetInvoicePaymentsRequest { count: 101, ..Default::default() }, BUYER))),
            IA,
            "Count",
        ),
        (
            "cancel payment 0",
            call!(|c| c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: 0 }, SELLER))),
            IA,
            "PaymentId",
        ),
        (
            "the buyer cancels",
            call!(|c| c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: payment }, BUYER))),
            PD,
            "",
        ),
        (
            "cancel an unknown payment",
            call!(|c| c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: 999_999 }, SELLER))),
            NF,
            "",
        ),
        (
            "refund zero pieces",
            call!(|c| c.create_refund(req(pb::CreateRefundRequest { payment_id: payment, pieces: 0 }, SELLER))),
            IA,
            "Pieces",
        ),
        (
            "refund more than was bought",
            call!(|c| c.create_refund(req(pb::CreateRefundRequest { payment_id: payment, pieces: 2 }, SELLER))),
            IA,
            "Pieces",
        ),
        (
            "a stranger refunds",
            call!(|c| c.create_refund(req(pb::CreateRefundRequest { payment_id: payment, pieces: 1 }, OTHER))),
            NF,
            "",
        ),
        (
            "an empty message",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: public_id, ..Default::default() },
                BUYER
            ))),
            IA,
            "Text",
        ),
        (
            "too long a message",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: public_id, text: "x".repeat(4001), ..Default::default() },
                BUYER
            ))),
            IA,
            "Text",
        ),
        (
            "a message with an unknown image",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest {
                    invoice_id: public_id,
                    text: "see".into(),
                    image_ids: vec![unknown_guid.clone()],
                    ..Default::default()
                },
                BUYER
            ))),
            IA,
            "ImageIds[0]",
        ),
        (
            "the seller writes to no one",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: public_id, text: "hi".into(), ..Default::default() },
                SELLER
            ))),
            IA,
            "ToUserId",
        ),
        (
            "the seller writes to a ghost",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest {
                    invoice_id: public_id,
                    to_user_id: guid(3),
                    text: "hi".into(),
                    ..Default::default()
                },
                SELLER
            ))),
            IA,
            "ToUserId",
        ),
        (
            "a stranger writes about a private invoice",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: private_id, text: "hi".into(), ..Default::default() },
                OTHER
            ))),
            NF,
            "",
        ),
        (
            "a stranger writes about a payment",
            call!(|c| c.send_invoice_payment_message(req(
                pb::SendInvoicePaymentMessageRequest { payment_id: payment, text: "hi".into(), image_ids: vec![] },
                OTHER
            ))),
            NF,
            "",
        ),
        (
            "conversations by nothing",
            call!(|c| c.get_conversations_by_id(req(
                pb::GetConversationsByIdRequest { ids: None, ..Default::default() },
                BUYER
            ))),
            IA,
            "Ids",
        ),
        (
            "the seller writes on a private invoice to a third user",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest {
                    invoice_id: private_id,
                    to_user_id: other_id.clone(),
                    text: "hi".into(),
                    ..Default::default()
                },
                SELLER
            ))),
            IA,
            "ToUserId",
        ),
        (
            "store under a malformed GUID",
            call!(|c| c.store_image(req(pb::StoreImageRequest { id: "img-1".into(), data: png(4, 4) }, SELLER))),
            IA,
            "Id",
        ),
        (
            "store something that is not an image",
            call!(|c| c.store_image(req(
                pb::StoreImageRequest { id: guid(11), data: b"%PDF-1.7 not an image".to_vec() },
                SELLER
            ))),
            IA,
            "Data",
        ),
        (
            "store nothing",
            call!(|c| c.store_image(req(pb::StoreImageRequest { id: guid(12), data: vec![] }, SELLER))),
            IA,
            "Data",
        ),
        (
            "store a truncated PNG",
            call!(|c| c
                .store_image(req(pb::StoreImageRequest { id: guid(13), data: png(40, 40)[..60].to_vec() }, SELLER))),
            IA,
            "Data",
        ),
        (
            "read a malformed GUID",
            call!(|c| c.get_image(req(pb::GetImageRequest { id: "x".into(), is_preview: true }, SELLER))),
            IA,
            "Id",
        ),
        (
            "read an unknown image",
            call!(|c| c.get_image(req(pb::GetImageRequest { id: guid(14), is_preview: true }, SELLER))),
            NF,
            "",
        ),
    ];
    assert!(cases.len() >= 60, "the catalogue has {} cases", cases.len());
    let client = s.client().await;
    let before = s.fingerprint().await;
    let mut problems = Vec::new();
    let total = cases.len();
    for (name, call, code, field) in cases {
        match call(client.clone()).await {
            Ok(()) => problems.push(format!("{name}: succeeded")),
            Err(e) => {
                if e.code() != code {
                    problems.push(format!("{name}: {:?} {:?}, want {code:?}", e.code(), e.message()));
                } else if !field.is_empty() && !e.message().starts_with(&format!("{field}: ")) {
                    problems.push(format!("{name}: message {:?} does not name {field}", e.message()));
                } else if e.message().is_empty() {
                    problems.push(format!("{name}: no message"));
                }
            }
        }
        if s.fingerprint().await != before {
            problems.push(format!("{name}: changed the data"));
            break;
        }
    }
    assert!(problems.is_empty(), "{} of {} cases wrong:\n{}", problems.len(), total, problems.join("\n"));
}

/// A request without `authorization`: a guest's.
fn guest<T>(message: T) -> tonic::Request<T> {
    tonic::Request::new(message)
}

fn auth<T>(token: Option<&str>, message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    if let Some(t) = token {
        r.metadata_mut().insert("authorization", t.parse().unwrap());
    }
    r
}

/// Every call of the service, made with `token` (None: no `authorization` at all) on the
/// fixture's data, each with a request a logged-in party could make successfully.
async fn every_call(
    client: &TradeApiClient<Channel>,
    token: Option<&str>,
    fx: &Fixture,
) -> Vec<(&'static str, Result<(), Status>)> {
    use pb::get_conversations_by_id_request::Ids;
    let mut c = client.clone();
    let public_id = fx.public;
    vec![
        ("CreateInvoice", c.create_invoice(auth(token, public("x"))).await.map(|_| ())),
        ("UpdatePublicInvoice", c.update_public_invoice(auth(token, update(public_id, |_| {}))).await.map(|_| ())),
        (
            "DeleteInvoice",
            c.delete_invoice(auth(token, pb::DeleteInvoiceRequest { invoice_id: public_id })).await.map(|_| ()),
        ),
        ("GetInvoices", c.get_invoices(auth(token, pb::GetInvoicesRequest::default())).await.map(|_| ())),
        (
            "GetInvoiceById",
            c.get_invoice_by_id(auth(token, pb::GetInvoiceByIdRequest { invoice_id: public_id })).await.map(|_| ()),
        ),
        (
            "SendInvoiceMessage",
            c.send_invoice_message(auth(
                token,
                pb::SendInvoiceMessageRequest { invoice_id: public_id, text: "hi".into(), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "GetInvoiceSecrets",
            c.get_invoice_secrets(auth(token, pb::GetInvoiceSecretsRequest { invoice_id: public_id, is_sold: false }))
                .await
                .map(|_| ()),
        ),
        (
            "ChangeInvoiceSecret",
            c.change_invoice_secret(auth(token, pb::ChangeInvoiceSecretRequest { secret_id: fx.secret, operation: 2 }))
                .await
                .map(|_| ()),
        ),
        (
            "CreateInvoiceSecret",
            c.create_invoice_secret(auth(
                token,
                pb::CreateInvoiceSecretRequest { invoice_id: public_id, text: "t".into(), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "UpdateInvoiceSecret",
            c.update_invoice_secret(auth(
                token,
                pb::UpdateInvoiceSecretRequest { secret_id: fx.secret, text: "t".into(), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "PayInvoiceFromBalance",
            c.pay_invoice_from_balance(auth(
                token,
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 1, ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "GetInvoicePayments",
            c.get_invoice_payments(auth(token, pb::GetInvoicePaymentsRequest::default())).await.map(|_| ()),
        ),
        (
            "CancelInvoicePayment",
            c.cancel_invoice_payment(auth(token, pb::CancelInvoicePaymentRequest { payment_id: fx.payment }))
                .await
                .map(|_| ()),
        ),
        (
            "CreateRefund",
            c.create_refund(auth(token, pb::CreateRefundRequest { payment_id: fx.payment, pieces: 1 }))
                .await
                .map(|_| ()),
        ),
        ("GetConversations", c.get_conversations(auth(token, ())).await.map(|_| ())),
        (
            "GetConversationsById",
            c.get_conversations_by_id(auth(
                token,
                pb::GetConversationsByIdRequest { ids: Some(Ids::InvoiceId(public_id)), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "SendInvoicePaymentMessage",
            c.send_invoice_payment_message(auth(
                token,
                pb::SendInvoicePaymentMessageRequest { payment_id: fx.payment, text: "hi".into(), image_ids: vec![] },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "StoreImage",
            c.store_image(auth(token, pb::StoreImageRequest { id: guid(120), data: png(4, 4) })).await.map(|_| ()),
        ),
        (
            "GetImage",
            c.get_image(auth(token, pb::GetImageRequest { id: fx.images.public.clone(), is_preview: true }))
                .await
                .map(|_| ()),
        ),
        (
            "IsUserExist",
            c.is_user_exist(auth(token, pb::IsUserExistRequest { user_name: "seller".into() })).await.map(|_| ()),
        ),
        ("GetVariables", c.get_variables(auth(token, ())).await.map(|_| ())),
        ("GetMyProfile", c.get_my_profile(auth(token, ())).await.map(|_| ())),
        ("SubscribeNewEvents", c.subscribe_new_events(auth(token, ())).await.map(|_| ())),
    ]
}

/// The calls a guest may make (a shared link's page); every other call needs a login.
const GUEST_CALLS: [&str; 4] = ["GetInvoices", "GetInvoiceById", "GetImage", "GetVariables"];

/// The anonymous row of the matrix: a guest (no `authorization` metadata) reads what a
/// shared link shows and nothing else; every other call is UNAUTHENTICATED. A token that is
/// sent but not valid is UNAUTHENTICATED for every call, the guest's four included: it is
/// never read as a guest. Nothing changes either way.
#[tokio::test]
async fn every_call_needs_a_valid_token() {
    let s = Server::start().await;
    let fx = fixture(&s).await;
    let client = s.client().await;
    let before = s.fingerprint().await;
    for token in [None, Some("Bearer nope"), Some("Basic dXNlcg=="), Some("Bearer "), Some("bearer  ")] {
        let results = every_call(&client, token, &fx).await;
        assert_eq!(results.len(), 23, "every call of the service");
        for (call, result) in results {
            if token.is_none() && GUEST_CALLS.contains(&call) {
                assert!(result.is_ok(), "a guest may call {call}: {result:?}");
                continue;
            }
            let e = result.expect_err(call);
            assert_eq!(e.code(), Code::Unauthenticated, "{call} with {token:?}: {e:?}");
            assert!(!e.message().is_empty());
        }
        assert_eq!(s.fingerprint().await, before, "calls with {token:?} changed the data");
    }
}

/// Owner, target buyer and another buyer against a private invoice: each sees exactly
/// what is theirs, and the others' data never leaks (not even its existence).
#[tokio::test]
async fn private_data_does_not_leak_across_users() {
    let s = Server::start().await;
    let fx = fixture(&s).await;
    let mut c = s.client().await;
    let id = fx.private;
    let read = |token: &'static str| {
        let mut c = c.clone();
        async move { c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: id }, token)).await.map(|_| ()) }
    };
    assert!(read(SELLER).await.is_ok());
    assert!(read(BUYER).await.is_ok());
    assert_eq!(read(OTHER).await.unwrap_err().code(), Code::NotFound);
    // Indistinguishable from a missing invoice, for another user and for a guest alike.
    for token in [Some(OTHER), None] {
        let get = |invoice_id| match token {
            Some(t) => req(pb::GetInvoiceByIdRequest { invoice_id }, t),
            None => tonic::Request::new(pb::GetInvoiceByIdRequest { invoice_id }),
        };
        let missing = c.get_invoice_by_id(get(999_999)).await.unwrap_err();
        let hidden = c.get_invoice_by_id(get(id)).await.unwrap_err();
        assert_eq!((missing.code(), hidden.code()), (Code::NotFound, Code::NotFound), "{token:?}");
        assert_eq!(missing.message().replace("999999", "N"), hidden.message().replace(&id.to_string(), "N"));
    }

    // The anonymous row: a guest reads the public invoice and its image, lists public
    // invoices only, and every hidden image is "not found" exactly like an unknown one.
    let seen = c.get_invoice_by_id(guest(pb::GetInvoiceByIdRequest { invoice_id: fx.public })).await.unwrap();
    assert_eq!(seen.into_inner().invoices[0].id, fx.public);
    let listed = c
        .get_invoices(guest(pb::GetInvoicesRequest { count: 100, ..Default::default() }))
        .await
        .unwrap()
        .into_inner()
        .invoices;
    assert!(listed.iter().any(|i| i.id == fx.public));
    assert!(listed.iter().all(|i| !i.is_private), "a guest lists public invoices only");
    for filter in [
        pb::GetInvoicesRequest { is_private: true, is_private_has_value: true, ..Default::default() },
        pb::GetInvoicesRequest { is_owner: true, is_owner_has_value: true, ..Default::default() },
        pb::GetInvoicesRequest { to_user: "buyer".into(), ..Default::default() },
        pb::GetInvoicesRequest { id, ..Default::default() },
    ] {
        let got = c.get_invoices(guest(filter.clone())).await.unwrap().into_inner().invoices;
        assert!(got.is_empty(), "{filter:?} showed a guest {got:?}");
    }
    let not_mine = c
        .get_invoices(guest(pb::GetInvoicesRequest { is_owner: false, is_owner_has_value: true, ..Default::default() }))
        .await
        .unwrap()
        .into_inner()
        .invoices;
    assert_eq!(not_mine.iter().map(|i| i.id).collect::<Vec<_>>(), listed.iter().map(|i| i.id).collect::<Vec<_>>());
    for preview in [true, false] {
        let image = c
            .get_image(guest(pb::GetImageRequest { id: fx.images.public.clone(), is_preview: preview }))
            .await
            .unwrap()
            .into_inner();
        assert!(!(if preview { image.preview } else { image.original }).is_empty());
    }
    let unknown = guid(199);
    let missing = c.get_image(guest(pb::GetImageRequest { id: unknown.clone(), is_preview: true })).await.unwrap_err();
    for hidden in [&fx.images.secret, &fx.images.private, &fx.images.message, &fx.images.loose] {
        for preview in [true, false] {
            let e =
                c.get_image(guest(pb::GetImageRequest { id: hidden.clone(), is_preview: preview })).await.unwrap_err();
            assert_eq!(e.code(), Code::NotFound, "image {hidden}");
            assert_eq!(e.message().replace(hidden.as_str(), "G"), missing.message().replace(&unknown, "G"));
        }
    }
    // The same hidden images for a logged-in stranger.
    for hidden in [&fx.images.secret, &fx.images.private, &fx.images.message, &fx.images.loose] {
        let e =
            c.get_image(req(pb::GetImageRequest { id: hidden.clone(), is_preview: true }, OTHER)).await.unwrap_err();
        assert_eq!(e.code(), Code::NotFound, "image {hidden} for another user");
    }

    for (token, want) in [(BUYER, Code::PermissionDenied), (OTHER, Code::NotFound)] {
        let secrets = c
            .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: id, is_sold: false }, token))
            .await
            .unwrap_err();
        assert_eq!(secrets.code(), want, "secrets for {token}");
        let update = c.update_public_invoice(req(update(id, |_| {}), token)).await.unwrap_err();
        assert_eq!(update.code(), want, "update by {token}");
    }
    // Its recipient may decline it (parties.rs); anyone else does not even see it.
    let delete = c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: id }, OTHER)).await.unwrap_err();
    assert_eq!(delete.code(), Code::NotFound, "delete by a stranger");
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: id, pieces: 0, ..Default::default() },
            OTHER,
        ))
        .await
        .unwrap_err();
    assert_eq!(pay.code(), Code::NotFound);
    let listed = c
        .get_invoices(req(pb::GetInvoicesRequest { count: 100, ..Default::default() }, OTHER))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.invoices.iter().all(|i| i.id != id));
    // The buyer's payment on the public invoice: visible to its pair only.
    let theirs = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest { payment_id: fx.payment, ..Default::default() },
            OTHER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(theirs.payments.is_empty());
    let sellers = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest {
                payment_id: fx.payment,
                is_to_me: true,
                is_to_me_has_value: true,
                ..Default::default()
            },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sellers.payments.len(), 1);
    assert_eq!(sellers.payments[0].secrets.len(), 1, "the seller sees what was delivered");
    let buyers = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest { is_to_me: false, is_to_me_has_value: true, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(buyers.payments.iter().map(|p| p.id).collect::<Vec<_>>(), vec![fx.payment]);
}
