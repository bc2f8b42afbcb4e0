//! The two parties of a private invoice or a payment: the recipient declines, and each hears
//! live of what the other did (SubscribeNewEvents).

use crate::harness::*;
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus};
use std::time::Duration;
use tonic::Code;

type Events = tonic::Streaming<pb::Event>;

/// The next event of `kind` on the stream (others skipped), within 10 s.
async fn next_of(events: &mut Events, kind: EventType) -> pb::Event {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(10), events.message())
            .await
            .unwrap_or_else(|_| panic!("no {kind:?} event within 10 s"))
            .unwrap()
            .expect("the stream is open");
        if e.r#type == kind as i32 {
            return e;
        }
    }
}

fn invoice_of(e: pb::Event) -> pb::Invoice {
    match e.payload {
        Some(pb::event::Payload::Invoice(i)) => i,
        other => panic!("not an invoice: {other:?}"),
    }
}

fn payment_of(e: pb::Event) -> pb::InvoicePayment {
    match e.payload {
        Some(pb::event::Payload::Payment(p)) => p,
        other => panic!("not a payment: {other:?}"),
    }
}

fn delete(id: u64, token: &str) -> tonic::Request<pb::DeleteInvoiceRequest> {
    req(pb::DeleteInvoiceRequest { invoice_id: id }, token)
}

#[tokio::test]
async fn the_recipient_declines_a_private_invoice_and_its_owner_hears_of_it() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    let mut seller_events = c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();

    // A stranger does not even see it; nothing changes.
    let before = s.fingerprint().await;
    assert_eq!(c.delete_invoice(delete(inv.id, OTHER)).await.unwrap_err().code(), Code::NotFound);
    assert_eq!(s.fingerprint().await, before);

    // Its recipient declines it: deleted, and the owner hears of it live.
    let answer = c.delete_invoice(delete(inv.id, BUYER)).await.unwrap().into_inner();
    assert_eq!(answer.refund, Some(pb::delete_invoice_response::Refund::RefundIsNull(true)));
    let heard = invoice_of(next_of(&mut seller_events, EventType::InvoiceDeleted).await);
    assert_eq!((heard.id, heard.status), (inv.id, InvoiceStatus::Deleted as i32));
    let read =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, SELLER)).await.unwrap().into_inner();
    assert_eq!(read.invoices[0].status, InvoiceStatus::Deleted as i32);
    let again = c.delete_invoice(delete(inv.id, BUYER)).await.unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition, "declined once: {}", again.message());

    // A paid invoice cannot be declined.
    let paid = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    c.pay_invoice_from_balance(req(
        pb::PayInvoiceFromBalanceRequest { invoice_id: paid.id, pieces: 0, ..Default::default() },
        BUYER,
    ))
    .await
    .unwrap();
    let before = s.fingerprint().await;
    assert_eq!(c.delete_invoice(delete(paid.id, BUYER)).await.unwrap_err().code(), Code::FailedPrecondition);
    assert_eq!(s.fingerprint().await, before);

    // A public invoice has no recipient: only its owner deletes it.
    let public_one = c.create_invoice(req(public("for all"), SELLER)).await.unwrap().into_inner();
    let before = s.fingerprint().await;
    assert_eq!(c.delete_invoice(delete(public_one.id, BUYER)).await.unwrap_err().code(), Code::PermissionDenied);
    assert_eq!(s.fingerprint().await, before);

    // The owner deleting one still tells its recipient.
    let third = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    let mut buyer_events = c.subscribe_new_events(req((), BUYER)).await.unwrap().into_inner();
    c.delete_invoice(delete(third.id, SELLER)).await.unwrap();
    assert_eq!(invoice_of(next_of(&mut buyer_events, EventType::InvoiceDeleted).await).id, third.id);
}

#[tokio::test]
async fn a_refund_is_told_to_the_party_who_did_not_ask_for_it() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("refundable"), SELLER)).await.unwrap().into_inner();
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 3, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();

    // The seller refunds a piece: the buyer hears the payment now has one in refund.
    let mut buyer_events = c.subscribe_new_events(req((), BUYER)).await.unwrap().into_inner();
    c.create_refund(req(pb::CreateRefundRequest { payment_id: pay.id, pieces: 1 }, SELLER)).await.unwrap();
    let heard = payment_of(next_of(&mut buyer_events, EventType::PaymentUpdated).await);
    assert_eq!((heard.id, heard.refunding), (pay.id, 1));

    // The buyer asks for another: the seller hears of the payment and gets the refund
    // invoice, made out to them.
    let mut seller_events = c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    let asked = c
        .create_refund(req(pb::CreateRefundRequest { payment_id: pay.id, pieces: 1 }, BUYER))
        .await
        .unwrap()
        .into_inner();
    let heard = payment_of(next_of(&mut seller_events, EventType::PaymentUpdated).await);
    assert_eq!((heard.id, heard.refunding), (pay.id, 2));
    let refund = invoice_of(next_of(&mut seller_events, EventType::InvoiceUpdated).await);
    assert_eq!(refund.id, asked.refund.unwrap().id);
    assert_eq!(refund.nullable_refund, Some(pb::invoice::NullableRefund::RefundPaymentId(pay.id)));
    match refund.nullable_target_user {
        Some(pb::invoice::NullableTargetUser::TargetUser(u)) => assert_eq!(u.id, s.ids.seller),
        other => panic!("the refund invoice is made out to the seller: {other:?}"),
    }
}
