//! The catalogue of bad requests (each: the status code, the field named, nothing changed)
//! and the authorization matrix (owner, target buyer, other buyer, anonymous).

use crate::harness::*;
use schet_api::pb::{self, trade_api_client::TradeApiClient};
use std::future::Future;
use std::pin::Pin;
use tonic::transport::Channel;
use tonic::{Code, Status};

type Call = Box<dyn FnOnce(TradeApiClient<Channel>) -> Pin<Box<dyn Future<Output = Result<(), Status>> + Send>>>;

/// A case of the catalogue: its name, the call, the code expected and the field named.
type Case = (&'static str, Call, Code, &'static str);

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

mod invoices;
mod matrix;
mod messages;
mod payments;

#[tokio::test]
async fn every_bad_request_names_its_field_and_changes_nothing() {
    let s = Server::start().await;
    let fx = fixture(&s).await;
    let mut cases: Vec<(&str, Call, Code, &str)> = invoices::cases(&fx);
    cases.extend(payments::cases(&fx));
    cases.extend(messages::cases(&fx, s.ids.other.clone()));
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
