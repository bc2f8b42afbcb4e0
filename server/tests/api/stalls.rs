//! Issue 14, finding 1: one seller's slow webhook, or authentication's activity write, must
//! not hold anyone else up. (The times are figures for the report: `figures.rs`.)

use crate::harness::*;
use crate::hook::{Answer, Receiver};
use rust_decimal::Decimal;
use schet_api::pb;
use schet_server::db::dynamic;
use std::str::FromStr;
use std::time::Duration;

/// A call that must answer while something else is held: a deadline, so that a regression
/// fails instead of hanging.
async fn promptly<T>(what: &str, call: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(5), call).await.unwrap_or_else(|_| panic!("{what} did not answer"))
}

#[tokio::test]
async fn a_webhook_that_never_answers_holds_no_lock_and_stalls_no_one_else() {
    let s = Server::start().await;
    let mut hook = Receiver::start(Answer::Manual).await;
    let mut c = s.client().await;
    let mut create = public("tarpit");
    create.integration = Some(pb::create_invoice_request::Integration::Webhook(hook.webhook(true)));
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let buys: Vec<_> = (0..4)
        .map(|_| {
            let mut c = c.clone();
            tokio::spawn(async move { c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await })
        })
        .collect();
    // All four reach the seller's system while none is answered: no purchase waits for
    // another's webhook (they used to run one after another, inside the write transaction).
    let mut hits = Vec::new();
    for _ in 0..4 {
        hits.push(hook.hit().await);
    }
    // Meanwhile other users write and read.
    promptly("another user's CreateInvoice", c.create_invoice(req(public("meanwhile"), OTHER))).await.unwrap();
    promptly("a read", c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, OTHER)))
        .await
        .unwrap();
    promptly("a guest's list", c.get_invoices(tonic::Request::new(pb::GetInvoicesRequest::default()))).await.unwrap();
    // Each delivery has its own key, the one its payment keeps.
    let mut keys: Vec<&str> = hits.iter().map(|h| h.idempotency_key.as_str()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 4, "an idempotency key per payment");
    for h in &hits {
        assert_eq!(h.body["idempotency_key"], h.idempotency_key.as_str());
    }
    for h in hits {
        h.respond(200);
    }
    for b in buys {
        let paid = promptly("a purchase", b).await.unwrap().unwrap().into_inner();
        assert_eq!(paid.status, pb::invoice_payment::InvoicePaymentStatus::Paid as i32);
    }
    assert_eq!(s.balance(&s.ids.buyer).await, Decimal::from_str("1.96").unwrap());
    assert_eq!(s.balance(&s.ids.seller).await, Decimal::from_str("1.04").unwrap());
}

#[tokio::test]
async fn authentication_never_waits_on_the_write_connection() {
    let mut s = Server::start().await;
    let store = s.store().await;
    // The buyer was last seen long ago: the next call notes activity.
    let mut tx = store.begin().await.unwrap();
    dynamic("UPDATE users SET last_online = 1000 WHERE id = $1".into())
        .bind(&s.ids.buyer)
        .execute(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Another connection holds the database's write lock (a long write anywhere).
    let mut held = store.begin().await.unwrap();
    dynamic("UPDATE users SET balance = balance WHERE id = $1".into())
        .bind(&s.ids.other)
        .execute(&mut held)
        .await
        .unwrap();
    let mut c = s.client().await;
    let me = promptly("GetMyProfile", c.get_my_profile(req((), BUYER))).await.unwrap().into_inner();
    assert_eq!(me.username, "buyer");
    promptly("GetInvoices", c.get_invoices(req(pb::GetInvoicesRequest::default(), BUYER))).await.unwrap();
    drop(held);
    // The activity is written in the background (at the latest when the service stops).
    s.shutdown().await;
    let mut conn = store.read().await.unwrap();
    let seen: i64 = dynamic("SELECT last_online FROM users WHERE id = $1".into())
        .bind(&s.ids.buyer)
        .scalar(&mut conn)
        .await
        .unwrap();
    drop(conn);
    assert!(seen > 1000, "last_online was written: {seen}");
    store.close().await;
}
