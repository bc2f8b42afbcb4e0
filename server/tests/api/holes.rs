//! Issue 14, the smaller holes: images attach only by their uploader, a cancelled refund
//! payment keeps the refund counts right, connections time out and are capped, and quotas
//! hold per user.

use crate::harness::*;
use schet_api::pb;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::Code;

#[tokio::test]
async fn an_image_is_attached_only_by_the_user_who_stored_it() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let hidden = guid(40);
    c.store_image(req(pb::StoreImageRequest { id: hidden.clone(), data: png(8, 8) }, SELLER)).await.unwrap();
    let mut create = public("goods");
    create.secrets = vec![pb::CreateInvoiceSecretRequest { images: vec![hidden.clone()], ..secret("key", 1) }];
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let before = s.fingerprint().await;
    // Another user names the secret's image on their own invoice and in a message…
    let mut theirs = public("look");
    theirs.images = vec![hidden.clone()];
    let e = c.create_invoice(req(theirs, OTHER)).await.unwrap_err();
    assert_eq!((e.code(), e.message().starts_with("Images[0]: ")), (Code::InvalidArgument, true), "{e:?}");
    let m = pb::SendInvoiceMessageRequest {
        invoice_id: inv.id,
        text: "see".into(),
        image_ids: vec![hidden.clone()],
        ..Default::default()
    };
    let e = c.send_invoice_message(req(m, OTHER)).await.unwrap_err();
    assert!(e.message().starts_with("ImageIds[0]: "), "{}", e.message());
    // …and is told exactly what an unknown GUID gets.
    let unknown = pb::SendInvoiceMessageRequest {
        invoice_id: inv.id,
        text: "see".into(),
        image_ids: vec![guid(41)],
        ..Default::default()
    };
    assert_eq!(c.send_invoice_message(req(unknown, OTHER)).await.unwrap_err().message(), e.message());
    assert_eq!(s.fingerprint().await, before);
    // The image stays hidden until bought.
    let get = pb::GetImageRequest { id: hidden.clone(), is_preview: true };
    assert_eq!(c.get_image(req(get.clone(), OTHER)).await.unwrap_err().code(), Code::NotFound);
    c.pay_invoice_from_balance(req(pay(inv.id, 1), OTHER)).await.unwrap();
    c.get_image(req(get, OTHER)).await.unwrap();
}

#[tokio::test]
async fn cancelling_a_refund_payment_puts_its_pieces_back_in_refund() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("two pieces"), SELLER)).await.unwrap().into_inner();
    let bought = c.pay_invoice_from_balance(req(pay(inv.id, 2), BUYER)).await.unwrap().into_inner();
    let refund = c
        .create_refund(req(pb::CreateRefundRequest { payment_id: bought.id, pieces: 1 }, SELLER))
        .await
        .unwrap()
        .into_inner()
        .refund
        .unwrap();
    let refund_payment = c.pay_invoice_from_balance(req(pay(refund.id, 0), SELLER)).await.unwrap().into_inner();
    let counts = |c: &mut pb::trade_api_client::TradeApiClient<tonic::transport::Channel>| {
        let mut c = c.clone();
        async move {
            let m = pb::GetInvoicePaymentsRequest { payment_id: bought.id, ..Default::default() };
            let p = c.get_invoice_payments(req(m, BUYER)).await.unwrap().into_inner().payments.remove(0);
            (p.refunded, p.refunding)
        }
    };
    assert_eq!(counts(&mut c).await, (1, 0));
    // The refund invoice is the buyer's: they cancel its payment (and return the money).
    c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: refund_payment.id }, BUYER))
        .await
        .unwrap();
    assert_eq!(counts(&mut c).await, (0, 1), "the piece is in refund again, not refunded");
    // And the refund can be paid again, settling it once.
    c.pay_invoice_from_balance(req(pay(refund.id, 0), SELLER)).await.unwrap();
    assert_eq!(counts(&mut c).await, (1, 0));
}

/// Reads until the server closes the connection (within 10 s).
async fn closed_by_server(stream: &mut tokio::net::TcpStream) {
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read).await.expect("the server closed the connection");
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_and_their_number_is_capped() {
    let s = Server::start_with(|o| {
        o.connections.max = 6;
        o.connections.per_ip = 6;
        o.connections.header_read = Duration::from_millis(300);
        o.connections.idle = Duration::from_millis(300);
    })
    .await;
    let mut c = s.client().await; // one connection, in use
    let inv = c.create_invoice(req(public("still served"), SELLER)).await.unwrap().into_inner();
    let mut events = c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    // Five more: silent, and a half-sent request head.
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(tokio::net::TcpStream::connect(s.addr).await.unwrap());
    }
    let mut half = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    half.write_all(b"POST /CoreSchema.V1.TradeApi/GetMyProfile HTTP/1.1\r\nhost: x\r\n").await.unwrap();
    // The cap is reached: one more is closed at once.
    let mut extra = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    closed_by_server(&mut extra).await;
    // The silent and half-sent ones are closed in time; the live stream is not idle.
    for stream in &mut silent {
        closed_by_server(stream).await;
    }
    closed_by_server(&mut half).await;
    c.send_invoice_message(req(
        pb::SendInvoiceMessageRequest { invoice_id: inv.id, text: "still there?".into(), ..Default::default() },
        BUYER,
    ))
    .await
    .unwrap();
    loop {
        let e = events.message().await.expect("the stream is alive").unwrap();
        if e.r#type == pb::event::EventType::NewMessage as i32 {
            break;
        }
    }
    // Freed places serve new clients.
    let mut fresh = s.client().await;
    fresh.get_my_profile(req((), OTHER)).await.unwrap();
}

#[tokio::test]
async fn quotas_cover_image_bytes_invoices_and_unsold_secrets() {
    let s = Server::start_with(|o| {
        o.limits.quotas.image_bytes_per_user = 40 * 1024;
        o.limits.quotas.live_invoices_per_user = 3;
        o.limits.quotas.unsold_secrets_per_user = 4;
    })
    .await;
    let mut c = s.client().await;
    // Images: until their bytes pass the quota.
    let mut stored = 0;
    let e = loop {
        match c.store_image(req(pb::StoreImageRequest { id: guid(100 + stored), data: png(64, 64) }, SELLER)).await {
            Ok(_) => stored += 1,
            Err(e) => break e,
        }
        assert!(stored < 50, "the image quota never applied");
    };
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert!(stored > 0);
    // Another user's quota is their own.
    c.store_image(req(pb::StoreImageRequest { id: guid(200), data: png(64, 64) }, BUYER)).await.unwrap();
    // Invoices: three not deleted; deleting one makes room.
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(c.create_invoice(req(public(&format!("n{n}")), SELLER)).await.unwrap().into_inner().id);
    }
    let e = c.create_invoice(req(public("fourth"), SELLER)).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: ids[0] }, SELLER)).await.unwrap();
    let fourth = c.create_invoice(req(public("fourth"), SELLER)).await.unwrap().into_inner().id;
    // Unsold secrets: four across the user's invoices.
    for (n, invoice_id) in [ids[1], ids[1], ids[2], fourth].into_iter().enumerate() {
        let add = pb::CreateInvoiceSecretRequest { invoice_id, text: format!("s{n}"), ..Default::default() };
        c.create_invoice_secret(req(add, SELLER)).await.unwrap();
    }
    let add = pb::CreateInvoiceSecretRequest { invoice_id: fourth, text: "fifth".into(), ..Default::default() };
    assert_eq!(c.create_invoice_secret(req(add.clone(), SELLER)).await.unwrap_err().code(), Code::ResourceExhausted);
    // Selling one makes room.
    c.pay_invoice_from_balance(req(pay(fourth, 1), BUYER)).await.unwrap();
    c.create_invoice_secret(req(add, SELLER)).await.unwrap();
}

/// Issue 15: the quota of live invoices is a count the database keeps per owner. It follows
/// every change that makes an invoice live or ends it: a private invoice paid (ended) and its
/// payment cancelled (live again), a deletion, a refund invoice (its owner's: the buyer's)
/// and its payment, and expiry, counted out at once, before the sweeper marks it.
#[tokio::test]
async fn the_live_invoice_quota_follows_payments_cancellations_refunds_and_expiry() {
    let s = Server::start_with(|o| o.limits.quotas.live_invoices_per_user = 2).await;
    let mut c = s.client().await;
    let refused = |r: Result<tonic::Response<pb::Invoice>, tonic::Status>| match r {
        Ok(i) => panic!("created past the quota: {:?}", i.into_inner().id),
        Err(e) => assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}"),
    };
    let private = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    let first = c.create_invoice(req(public("first"), SELLER)).await.unwrap().into_inner();
    refused(c.create_invoice(req(public("third"), SELLER)).await);
    // Paid, the private invoice is no longer live: a place.
    let payment = c.pay_invoice_from_balance(req(pay(private.id, 1), BUYER)).await.unwrap().into_inner();
    let second = c.create_invoice(req(public("second"), SELLER)).await.unwrap().into_inner();
    refused(c.create_invoice(req(public("third"), SELLER)).await);
    // The payment cancelled, it is live again (three: over the quota until two are deleted).
    c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: payment.id }, SELLER)).await.unwrap();
    c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: second.id }, SELLER)).await.unwrap();
    refused(c.create_invoice(req(public("third"), SELLER)).await);
    // Expired (not yet swept): a place at once; the sweep changes nothing more.
    let store = s.store().await;
    let mut tx = store.begin().await.unwrap();
    let expire = schet_server::db::dynamic("UPDATE invoices SET valid_to = 0 WHERE id = $1".into());
    expire.bind(first.id as i64).execute(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let bought = c.create_invoice(req(public("to be bought"), SELLER)).await.unwrap().into_inner();
    refused(c.create_invoice(req(public("fourth"), SELLER)).await);
    let service = schet_server::service::Service::new(store.clone(), schet_server::rates::Rates::default());
    assert_eq!(service.sweep_expired().await.unwrap(), 1);
    store.close().await;
    refused(c.create_invoice(req(public("fourth"), SELLER)).await);
    // A refund invoice is its owner's (the buyer's), and ends when it is paid.
    let payment = c.pay_invoice_from_balance(req(pay(bought.id, 1), BUYER)).await.unwrap().into_inner();
    c.create_invoice(req(public("the buyer's own"), BUYER)).await.unwrap();
    let refund = pb::CreateRefundRequest { payment_id: payment.id, pieces: 1 };
    let refund = c.create_refund(req(refund, BUYER)).await.unwrap().into_inner().refund.unwrap();
    refused(c.create_invoice(req(public("the buyer's third"), BUYER)).await);
    c.pay_invoice_from_balance(req(pay(refund.id, 1), SELLER)).await.unwrap();
    c.create_invoice(req(public("the buyer's second"), BUYER)).await.unwrap();
    refused(c.create_invoice(req(public("the buyer's third"), BUYER)).await);
}
