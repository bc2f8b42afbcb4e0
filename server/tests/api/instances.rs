//! Issue 13: several instances over one PostgreSQL database. Any instance serves any call; a
//! live event reaches the user's stream on whichever instance holds it; a periodic job runs
//! on one instance at a time. (These need PostgreSQL: `cargo xtask test` runs them on its
//! throwaway cluster; on SQLite, one file has one instance.)

use crate::harness::*;
use schet_api::pb::{self, event::EventType};
use std::time::Duration;
use tonic::codec::Streaming;

/// The next event that is not a KeepAlive (within 10 s).
async fn next(events: &mut Streaming<pb::Event>) -> pb::Event {
    loop {
        let got = tokio::time::timeout(Duration::from_secs(10), events.message()).await.expect("an event within 10 s");
        match got.expect("the stream is open").expect("the stream goes on") {
            e if e.r#type == EventType::KeepAlive as i32 => continue,
            e => return e,
        }
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo xtask test runs it on its cluster"]
async fn a_payment_through_one_instance_reaches_the_sellers_stream_on_the_other() {
    assert!(postgres().is_some(), "SCHET_TEST_POSTGRES must name the test cluster");
    let a = Server::start().await;
    let b = a.another().await;
    let mut on_a = a.client().await;
    let mut on_b = b.client().await;
    let mut seller_events = on_a.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    let mut buyer_events = on_a.subscribe_new_events(req((), BUYER)).await.unwrap().into_inner();
    // Made on A, read and paid through B.
    let inv = on_a.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    let issued = next(&mut buyer_events).await;
    assert_eq!(issued.r#type, EventType::InvoiceUpdated as i32, "the buyer on A hears of the invoice made on A");
    let seen = on_b.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap();
    assert_eq!(seen.into_inner().invoices[0].id, inv.id, "B serves what A wrote");
    let paid = on_b.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap().into_inner();
    let event = next(&mut seller_events).await;
    assert_eq!(event.r#type, EventType::InvoicePaid as i32);
    match event.payload {
        Some(pb::event::Payload::Payment(p)) => {
            assert_eq!(p.id, paid.id);
            assert!(p.secrets.is_empty() && p.refunds.is_empty(), "an event carries a summary");
        }
        other => panic!("the payment, not {other:?}"),
    }
    let mine = next(&mut buyer_events).await;
    assert_eq!(mine.r#type, EventType::PaymentNew as i32, "and the buyer's own stream on A");
    // The other way round: a message sent through A reaches the seller's stream on B.
    let mut seller_on_b = on_b.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    let public = on_b.create_invoice(req(public("ask me"), SELLER)).await.unwrap().into_inner();
    let ask =
        pb::SendInvoiceMessageRequest { invoice_id: public.id, text: "hello from A".into(), ..Default::default() };
    on_a.send_invoice_message(req(ask, BUYER)).await.unwrap();
    let message = next(&mut seller_on_b).await;
    assert_eq!(message.r#type, EventType::NewMessage as i32);
    match message.payload {
        Some(pb::event::Payload::Conversation(c)) => assert_eq!(c.messages[0].text, "hello from A"),
        other => panic!("the message, not {other:?}"),
    }
    // The seller's stream on A hears it too, once: nothing more is waiting there.
    let echo = next(&mut seller_events).await;
    assert_eq!(echo.r#type, EventType::NewMessage as i32, "every instance delivers to its own streams");
    let more = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            if let Ok(Some(e)) = seller_events.message().await
                && e.r#type != EventType::KeepAlive as i32
            {
                return e;
            }
        }
    })
    .await;
    assert!(more.is_err(), "no event twice: {more:?}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo xtask test runs it on its cluster"]
async fn a_periodic_job_runs_on_one_instance_at_a_time() {
    assert!(postgres().is_some(), "SCHET_TEST_POSTGRES must name the test cluster");
    let a = Server::start().await;
    let one = a.store().await;
    let other = a.store().await;
    let turn = one.job(schet_server::db::JOB_SWEEP).await.unwrap();
    assert!(turn.is_some(), "the first instance takes the job");
    assert!(other.job(schet_server::db::JOB_SWEEP).await.unwrap().is_none(), "the second skips it meanwhile");
    turn.unwrap().finish().await.unwrap();
    assert!(other.job(schet_server::db::JOB_SWEEP).await.unwrap().is_some(), "and takes it once it is free");
}
