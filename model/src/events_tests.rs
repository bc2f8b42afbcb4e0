use super::*;
use crate::codec::{Codec, Proto};
use pb::event::Payload;
use proptest::prelude::*;

const SELLER: &str = "s";
const BUYER: &str = "b";

fn user(id: &str) -> pb::UserInfo {
    pb::UserInfo { id: id.into(), username: format!("name-{id}"), ..Default::default() }
}

fn btc(nanos: i32) -> Option<pb::Decimal> {
    Some(pb::Decimal { units: 0, nanos })
}

fn ts(seconds: i64) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds, nanos: 0 })
}

fn private(id: u64, refund_of: u64) -> pb::Invoice {
    pb::Invoice {
        id,
        is_private: true,
        owner: Some(user(SELLER)),
        nullable_target_user: Some(NullableTargetUser::TargetUser(user(BUYER))),
        nullable_refund: Some(if refund_of == 0 {
            NullableRefund::RefundIsNull(true)
        } else {
            NullableRefund::RefundPaymentId(refund_of)
        }),
        current_crypto_price: btc(20_000_000),
        created_at: ts(100 + id as i64),
        ..Default::default()
    }
}

fn public(id: u64) -> pb::Invoice {
    pb::Invoice {
        id,
        owner: Some(user(SELLER)),
        nullable_target_user: Some(NullableTargetUser::TargetUserIsNull(true)),
        ..Default::default()
    }
}

fn payment(id: u64, invoice: pb::Invoice, pieces: u32) -> pb::InvoicePayment {
    pb::InvoicePayment {
        id,
        invoice: Some(invoice),
        owner: Some(user(BUYER)),
        pieces,
        crypto_amount: btc(30_000_000),
        status: InvoicePaymentStatus::Paid as i32,
        created_at: ts(200 + id as i64),
        ..Default::default()
    }
}

fn event(kind: EventType, payload: Payload) -> pb::Event {
    pb::Event { r#type: kind as i32, created_at: ts(1_000), payload: Some(payload) }
}

fn kinds(log: &Log) -> Vec<Kind> {
    log.notes.iter().map(Note::kind).collect()
}

#[test]
fn an_invoice_made_out_to_me_is_news_to_me_only() {
    let e = event(EventType::InvoiceUpdated, Payload::Invoice(private(7, 0)));
    let mut mine = Log::default();
    let n = mine.record(&e, BUYER).expect("news to its recipient");
    assert_eq!((n.kind(), n.invoice_id, n.who.as_str(), n.amount.as_str()), (Kind::InvoiceToMe, 7, "name-s", "0.02"));
    assert_eq!(n.link(), "/invoice/7");
    assert_eq!(Log::default().record(&e, SELLER), None, "its owner made it");
    assert_eq!(mine.record(&e, BUYER), None, "a second copy is no news");
    assert_eq!(kinds(&mine), vec![Kind::InvoiceToMe]);
    // A refund invoice made out to a seller is theirs to pay.
    let mut seller = Log::default();
    let mut refund = private(9, 3);
    refund.owner = Some(user(BUYER));
    refund.nullable_target_user = Some(NullableTargetUser::TargetUser(user(SELLER)));
    let n = seller.record(&event(EventType::InvoiceUpdated, Payload::Invoice(refund)), SELLER).unwrap();
    assert_eq!((n.kind(), n.payment_id, n.link().as_str()), (Kind::RefundToPay, 3, "/invoice/9"));
}

#[test]
fn payments_are_news_to_the_seller_not_to_the_buyer_who_made_them() {
    let mut log = Log::default();
    let bought = event(EventType::PaymentNew, Payload::Payment(payment(4, public(2), 3)));
    assert_eq!(Log::default().record(&bought, BUYER), None);
    let n = log.record(&bought, SELLER).unwrap();
    assert_eq!((n.kind(), n.pieces, n.amount.as_str(), n.who.as_str()), (Kind::PaymentReceived, 3, "0.03", "name-b"));
    assert_eq!(n.link(), "/payment/4");
    let paid = event(EventType::InvoicePaid, Payload::Payment(payment(5, private(7, 0), 1)));
    assert_eq!(log.record(&paid, SELLER).map(|n| (n.kind(), n.pieces)), Some((Kind::InvoicePaid, 0)));
    // The seller paid the buyer's refund invoice: the buyer got their money back.
    let mut refund = private(9, 4);
    refund.owner = Some(user(BUYER));
    let mut paid_back = payment(6, refund, 1);
    paid_back.owner = Some(user(SELLER));
    let e = event(EventType::InvoicePaid, Payload::Payment(paid_back));
    assert_eq!(Log::default().record(&e, BUYER).map(|n| n.kind()), Some(Kind::RefundReceived));
    assert_eq!(Log::default().record(&e, SELLER), None);
}

#[test]
fn deletions_name_who_withdrew_or_declined() {
    let mut gone = private(7, 0);
    gone.status = InvoiceStatus::Deleted as i32;
    let e = event(EventType::InvoiceDeleted, Payload::Invoice(gone));
    let withdrawn = Log::default().record(&e, BUYER).unwrap();
    assert_eq!((withdrawn.kind(), withdrawn.who.as_str()), (Kind::InvoiceWithdrawn, "name-s"));
    let declined = Log::default().record(&e, SELLER).unwrap();
    assert_eq!((declined.kind(), declined.who.as_str()), (Kind::InvoiceDeclined, "name-b"));
    let e = event(EventType::InvoiceDeleted, Payload::Invoice(public(3)));
    assert_eq!(Log::default().record(&e, SELLER), None, "a public invoice has nobody to tell");
}

#[test]
fn each_change_of_a_payment_is_told_once() {
    let mut log = Log::default();
    let mut p = payment(4, public(2), 3);
    p.refunding = 2;
    let asked = event(EventType::PaymentUpdated, Payload::Payment(p.clone()));
    let n = log.record(&asked, BUYER).unwrap();
    assert_eq!((n.kind(), n.pieces, n.who.as_str()), (Kind::RefundRequested, 2, "name-s"));
    assert_eq!(log.record(&asked, BUYER), None);
    p.refunding = 0;
    p.refunded = 2;
    assert_eq!(
        log.record(&event(EventType::PaymentUpdated, Payload::Payment(p.clone())), BUYER).map(|n| n.kind()),
        Some(Kind::PaymentChanged)
    );
    p.status = InvoicePaymentStatus::Canceled as i32;
    assert_eq!(
        log.record(&event(EventType::PaymentUpdated, Payload::Payment(p)), BUYER).map(|n| n.kind()),
        Some(Kind::PaymentCancelled)
    );
    assert_eq!(kinds(&log).len(), 3);
}

#[test]
fn a_message_is_news_from_the_other_party_only() {
    let c = |owner: &str| pb::Conversation {
        id: 11,
        seller: Some(user(SELLER)),
        buyer: Some(user(BUYER)),
        parent: Some(pb::conversation::Parent::Payment(payment(4, public(2), 1))),
        messages: vec![pb::ConversationMessage {
            id: 30,
            owner_id: owner.into(),
            text: "hi".into(),
            ..Default::default()
        }],
        has_older_messages: false,
    };
    let e = event(EventType::NewMessage, Payload::Conversation(c(BUYER)));
    let n = Log::default().record(&e, SELLER).unwrap();
    assert_eq!((n.kind(), n.conversation_id, n.message_id, n.payment_id, n.invoice_id), (Kind::Message, 11, 30, 4, 2));
    assert_eq!((n.who.as_str(), n.link().as_str()), ("name-b", "/inbox/11"));
    assert_eq!(Log::default().record(&e, BUYER), None, "my own message");
    let keep_alive = pb::Event { r#type: EventType::KeepAlive as i32, ..Default::default() };
    assert_eq!(Log::default().record(&keep_alive, SELLER), None);
}

#[test]
fn unread_counts_notes_not_messages_until_read() {
    let mut log = Log::default();
    log.record(&event(EventType::PaymentNew, Payload::Payment(payment(4, public(2), 1))), SELLER);
    log.record(&event(EventType::PaymentNew, Payload::Payment(payment(5, public(2), 1))), SELLER);
    let c = pb::Conversation {
        id: 1,
        seller: Some(user(SELLER)),
        buyer: Some(user(BUYER)),
        messages: vec![pb::ConversationMessage { id: 2, owner_id: BUYER.into(), ..Default::default() }],
        ..Default::default()
    };
    log.record(&event(EventType::NewMessage, Payload::Conversation(c)), SELLER);
    assert_eq!((log.notes.len(), log.unread()), (3, 2));
    let first = log.notes.iter().find(|n| n.payment_id == 4).unwrap().id;
    assert!(log.mark_read(first));
    assert!(!log.mark_read(first), "already read");
    assert_eq!(log.unread(), 1);
    assert!(log.mark_all_read());
    assert!(!log.mark_all_read());
    assert_eq!(log.unread(), 0);
    assert!(log.notes.iter().all(|n| n.read));
}

#[test]
fn the_catch_up_notes_only_what_came_after_the_first_look() {
    let mut log = Log::default();
    let old = [payment(3, public(2), 1)];
    assert!(log.catch_up(&old, &[private(7, 0)], SELLER).is_empty(), "the first look is not news");
    assert!(log.looked);
    assert_eq!(log.notes.iter().map(|n| (n.payment_id, n.read)).collect::<Vec<_>>(), vec![(3, true)], "but history");
    assert_eq!(log.unread(), 0);
    // Meanwhile one payment arrived live.
    log.record(&event(EventType::PaymentNew, Payload::Payment(payment(5, public(2), 2))), SELLER);
    let mut cancelled = payment(6, public(2), 1);
    cancelled.status = InvoicePaymentStatus::Canceled as i32;
    let page = [cancelled, payment(5, public(2), 2), payment(4, public(2), 1), payment(3, public(2), 1)];
    let added = log.catch_up(&page, &[], SELLER);
    assert_eq!(
        added.iter().map(|n| n.payment_id).collect::<Vec<_>>(),
        vec![4],
        "not 3 or 5 again, not the cancelled 6"
    );
    assert_eq!(log.unread(), 2, "4 and 5");
    assert_eq!(log.payments_upto, 6);
    assert!(log.catch_up(&page, &[], SELLER).is_empty(), "nothing new the second time");
    // Invoices made out to me while I was away; a deleted one is no longer news.
    let mut buyer = Log::default();
    buyer.catch_up(&[], &[private(7, 0)], BUYER);
    let mut deleted = private(9, 0);
    deleted.status = InvoiceStatus::Deleted as i32;
    let added = buyer.catch_up(&[], &[deleted, private(8, 0), private(7, 0)], BUYER);
    assert_eq!(added.iter().map(|n| (n.kind(), n.invoice_id)).collect::<Vec<_>>(), vec![(Kind::InvoiceToMe, 8)]);
}

#[test]
fn the_log_keeps_the_newest_notes_newest_first() {
    let mut log = Log::default();
    for id in 1..=(KEEP as u64 + 20) {
        log.record(&event(EventType::PaymentNew, Payload::Payment(payment(id, public(2), 1))), SELLER);
    }
    assert_eq!(log.notes.len(), KEEP);
    assert_eq!(log.notes.first().map(|n| n.payment_id), Some(KEEP as u64 + 20));
    assert!(log.notes.windows(2).all(|w| w[0].at >= w[1].at));
}

proptest! {
    /// What is kept reads back the same after a reload, and damaged text reads as nothing.
    #[test]
    fn the_log_survives_a_reload(ids in proptest::collection::vec(1u64..500, 0..30), read in any::<bool>()) {
        let mut log = Log::default();
        for id in ids {
            log.record(&event(EventType::PaymentNew, Payload::Payment(payment(id, public(id), 2))), SELLER);
        }
        if read {
            log.mark_all_read();
        }
        log.looked = true;
        let text = Proto::<Log>::encode(&log).unwrap();
        prop_assert_eq!(Proto::<Log>::decode(&text), Some(log));
        prop_assert_eq!(Proto::<Log>::decode(&text[..text.len() - 1]), None);
    }
}
