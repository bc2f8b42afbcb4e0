//! Issue 14, finding 2: live events stay bounded: small events, a bounded queue per stream
//! (a stream that falls behind is closed, saying so), a bounded number of streams per user.

use crate::harness::*;
use schet_api::pb::{self, event::EventType};
use std::time::Duration;
use tonic::Code;
use tonic::codec::Streaming;

/// The next event that is not a KeepAlive (within 10 s).
async fn next(events: &mut Streaming<pb::Event>) -> Result<pb::Event, tonic::Status> {
    loop {
        let got = tokio::time::timeout(Duration::from_secs(10), events.message()).await.expect("an event within 10 s");
        match got {
            Ok(Some(e)) if e.r#type == EventType::KeepAlive as i32 => continue,
            Ok(Some(e)) => return Ok(e),
            Ok(None) => panic!("the stream ended without a status"),
            Err(status) => return Err(status),
        }
    }
}

fn message(invoice_id: u64, text: &str) -> pb::SendInvoiceMessageRequest {
    pb::SendInvoiceMessageRequest { invoice_id, text: text.into(), ..Default::default() }
}

#[tokio::test]
async fn an_event_carries_the_new_message_or_a_summary_never_the_whole_conversation() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let mut create = public("chatty");
    create.secrets = vec![secret("the code", 1)];
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let mut events = c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    for n in 0..5 {
        c.send_invoice_message(req(message(inv.id, &format!("message {n}")), BUYER)).await.unwrap();
    }
    for n in 0..5 {
        match next(&mut events).await.unwrap().payload {
            Some(pb::event::Payload::Conversation(conv)) => {
                assert_eq!(conv.messages.len(), 1, "only the new message");
                assert_eq!(conv.messages[0].text, format!("message {n}"));
                assert!(conv.has_older_messages == (n > 0));
            }
            other => panic!("{other:?}"),
        }
    }
    let bought = c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap().into_inner();
    assert_eq!(bought.secrets.len(), 1, "the buyer's reply carries the goods");
    match next(&mut events).await.unwrap().payload {
        Some(pb::event::Payload::Payment(p)) => {
            assert_eq!(p.id, bought.id);
            assert!(p.secrets.is_empty(), "the event is a summary");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_stream_that_never_reads_is_closed_as_lagging_while_the_others_keep_everything() {
    let s = Server::start_with(|o| {
        o.limits.events.queue = 4;
        o.limits.quotas.messages_per_minute_per_user = 1000;
        o.limits.quotas.messages_per_minute_per_conversation = 1000;
        o.limits.quotas.message_bytes_per_minute_per_user = u32::MAX;
        o.limits.quotas.message_bytes_per_minute_per_conversation = u32::MAX;
    })
    .await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("busy"), SELLER)).await.unwrap().into_inner();
    // Two streams of the seller, on connections of their own: one never reads (and takes no
    // more than HTTP/2's smallest window in its client).
    let small = tonic::transport::Channel::from_shared(format!("http://{}", s.addr))
        .unwrap()
        .initial_stream_window_size(Some(65_535))
        .initial_connection_window_size(Some(65_535))
        .connect()
        .await
        .unwrap();
    let mut stalled = pb::trade_api_client::TradeApiClient::new(small)
        .subscribe_new_events(req((), SELLER))
        .await
        .unwrap()
        .into_inner();
    let mut reading = s.client().await.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    let reader = tokio::spawn(async move {
        let mut got = 0;
        while got < 120 {
            next(&mut reading).await.expect("the reading stream goes on");
            got += 1;
        }
        got
    });
    let long = "é".repeat(3990); // 8 KB a message
    for n in 0..120 {
        c.send_invoice_message(req(message(inv.id, &format!("{n} {long}")), BUYER)).await.unwrap();
    }
    assert_eq!(reader.await.unwrap(), 120, "a stream that reads misses nothing");
    // The stalled one gets what was queued for it, then the reason it was closed.
    let mut delivered = 0;
    let status = loop {
        match next(&mut stalled).await {
            Ok(_) => delivered += 1,
            Err(status) => break status,
        }
    };
    assert!(delivered < 120, "it was cut off, not kept growing ({delivered} delivered)");
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(status.message().contains("fell too far behind"), "{}", status.message());
    // Reconnecting works and catches up with GetConversations.
    let mut again = c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    c.send_invoice_message(req(message(inv.id, "after"), BUYER)).await.unwrap();
    assert!(next(&mut again).await.is_ok());
}

#[tokio::test]
async fn a_user_holds_a_bounded_number_of_streams_the_oldest_makes_way() {
    let s = Server::start_with(|o| o.limits.events.per_user = 3).await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("tabs"), SELLER)).await.unwrap().into_inner();
    let mut streams = Vec::new();
    for _ in 0..4 {
        streams.push(c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner());
    }
    let status = next(&mut streams[0]).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(status.message().contains("replaced by a newer one"), "{}", status.message());
    c.send_invoice_message(req(message(inv.id, "hello"), BUYER)).await.unwrap();
    for stream in &mut streams[1..] {
        assert!(next(stream).await.is_ok(), "the three newest get events");
    }
}
