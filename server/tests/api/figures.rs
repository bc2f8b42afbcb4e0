//! Figures for issue 14's report, printed, not asserted (timing belongs in reports):
//! `cargo test -p schet-server --test api figures -- --ignored --nocapture --test-threads 1`
//!
//! - the tarpit: four purchases from an invoice whose webhook never answers, with another
//!   user's calls meanwhile, and their times;
//! - a stalled event stream: the server process's memory before, during and after;
//! - the inbox flood: a conversation of 600 long messages, and the calls on it.

use crate::crash::{Process, temp_db};
use crate::harness::*;
use crate::hook::{Answer, Receiver};
use rust_decimal::Decimal;
use schet_api::pb;
use schet_server::db::Store;
use schet_server::rates::Rates;
use schet_server::service::Service;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::test]
#[ignore = "prints figures for the report"]
async fn figures_tarpit_webhook() {
    let s = Server::start_with(|o| o.webhooks.timeout = Duration::from_secs(10)).await;
    let mut hook = Receiver::start(Answer::Never).await;
    let mut c = s.client().await;
    let mut create = public("tarpit");
    create.integration = Some(pb::create_invoice_request::Integration::Webhook(hook.webhook(true)));
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let started = Instant::now();
    let buys: Vec<_> = (0..4)
        .map(|n| {
            let mut c = c.clone();
            tokio::spawn(async move {
                let result = c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await;
                (n, started.elapsed(), result.map(|_| ()).map_err(|e| e.code()))
            })
        })
        .collect();
    for _ in 0..4 {
        hook.hit().await;
    }
    println!("tarpit: 4 purchases reached the seller's system after {}", ms(started.elapsed()));
    let mut calls = Vec::new();
    for (what, token) in [("CreateInvoice (another user)", OTHER), ("GetInvoiceById (another user)", OTHER)] {
        let t = Instant::now();
        if what.starts_with("Create") {
            c.create_invoice(req(public("meanwhile"), token)).await.unwrap();
        } else {
            c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, token)).await.unwrap();
        }
        calls.push(format!("{what}: {}", ms(t.elapsed())));
    }
    let store = s.store().await;
    let mut tx = store.begin().await.unwrap();
    schet_server::db::dynamic("UPDATE users SET last_online = 0 WHERE id = $1".into())
        .bind(&s.ids.other)
        .execute(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    let t = Instant::now();
    c.get_my_profile(req((), OTHER)).await.unwrap();
    calls.push(format!("GetMyProfile needing a last_online write: {}", ms(t.elapsed())));
    for line in calls {
        println!("tarpit: meanwhile {line}");
    }
    for b in buys {
        let (n, at, result) = b.await.unwrap();
        println!("tarpit: purchase {n} finished after {} with {result:?}", ms(at));
    }
}

/// The process's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
#[ignore = "prints figures for the report"]
async fn figures_stalled_stream_memory() {
    let (dir, db) = temp_db().await;
    let buyers: Vec<String> = (0..10).map(|n| format!("t-fig-buyer-{n}")).collect();
    {
        let store = Store::open(&db).await.unwrap();
        let service = Service::new(store.clone(), Rates::default());
        service.add_user("seller", Decimal::ZERO, Some(SELLER)).await.unwrap();
        for (n, token) in buyers.iter().enumerate() {
            service.add_user(&format!("buyer{n}"), Decimal::ZERO, Some(token)).await.unwrap();
        }
        store.close().await;
    }
    let server = Process::start_with(&db, &[]);
    let pid = server.child.id();
    let mut c = server.client().await;
    let long = "ж".repeat(3990);
    // 10 buyers post one 8 KB message each into their conversation about `invoice`.
    let post = |c: &mut pb::trade_api_client::TradeApiClient<tonic::transport::Channel>, invoice: u64, round: usize| {
        let mut c = c.clone();
        let (buyers, long) = (buyers.clone(), long.clone());
        async move {
            let mut refused = 0;
            for token in &buyers {
                let m = pb::SendInvoiceMessageRequest {
                    invoice_id: invoice,
                    text: format!("{round} {long}"),
                    ..Default::default()
                };
                if c.send_invoice_message(req(m, token)).await.is_err() {
                    refused += 1;
                }
            }
            refused
        }
    };
    // Warm up without streams: 200 posts (the database's caches grow with its data).
    let warm = c.create_invoice(req(public("warm-up"), SELLER)).await.unwrap().into_inner().id;
    for round in 0..20 {
        post(&mut c, warm, round).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = rss_kib(pid);
    println!("stalled stream: server memory after warm-up (200 posts, no streams): {baseline} KiB");
    for cycle in 1..=3 {
        let inv = c.create_invoice(req(public("busy"), SELLER)).await.unwrap().into_inner().id;
        // A stream that never reads, with HTTP/2's smallest window; and 500 more streams, on
        // a connection of their own (streams nobody reads hold its window).
        let channel = tonic::transport::Channel::from_shared(server.addr.clone())
            .unwrap()
            .initial_stream_window_size(Some(65_535))
            .initial_connection_window_size(Some(65_535))
            .connect()
            .await
            .unwrap();
        let stalled =
            pb::trade_api_client::TradeApiClient::new(channel).subscribe_new_events(req((), SELLER)).await.unwrap();
        let mut streams = server.client().await;
        let mut idle = Vec::new();
        for _ in 0..500 {
            idle.push(streams.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner());
        }
        let started = Instant::now();
        let mut refused = 0;
        for round in 0..15 {
            refused += post(&mut c, inv, round).await;
        }
        let posting = started.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let during = rss_kib(pid);
        // How each of the 500 ended: replaced by a newer one, closed as lagging, or open.
        let (mut replaced, mut lagged, mut open) = (0, 0, 0);
        for s in &mut idle {
            loop {
                match tokio::time::timeout(Duration::from_millis(50), s.message()).await {
                    Ok(Ok(Some(_))) => continue,
                    Ok(Err(status)) if status.message().contains("replaced") => replaced += 1,
                    Ok(Err(_)) => lagged += 1,
                    Ok(Ok(None)) => {}
                    Err(_) => open += 1,
                }
                break;
            }
        }
        drop(stalled);
        drop(idle);
        drop(streams);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = rss_kib(pid);
        println!(
            "stalled stream, cycle {cycle}: 501 streams opened (one never reading), 150 posts of 8 KB in {} \
             ({refused} refused); of the 500: {replaced} replaced, {lagged} closed as lagging, {open} open; \
             server memory {during} KiB with the streams, {after} KiB after they closed",
            ms(posting),
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
#[ignore = "prints figures for the report"]
async fn figures_inbox_flood() {
    let s = Server::start_with(|o| {
        o.limits.quotas.messages_per_minute_per_user = 100_000;
        o.limits.quotas.messages_per_minute_per_conversation = 100_000;
        o.limits.quotas.message_bytes_per_minute_per_user = u32::MAX;
        o.limits.quotas.message_bytes_per_minute_per_conversation = u32::MAX;
    })
    .await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("flooded"), SELLER)).await.unwrap().into_inner();
    let long = "日本".repeat(1998);
    let started = Instant::now();
    for n in 0..600 {
        let m =
            pb::SendInvoiceMessageRequest { invoice_id: inv.id, text: format!("{n:03} {long}"), ..Default::default() };
        c.send_invoice_message(req(m, BUYER)).await.unwrap();
    }
    println!("inbox flood: 600 messages of 12 KB (7.2 MB of text) sent in {}", ms(started.elapsed()));
    let t = Instant::now();
    let all = c.get_conversations(req((), SELLER)).await.unwrap().into_inner();
    println!(
        "inbox flood: GetConversations answered in {}, {} bytes, {} messages of the newest",
        ms(t.elapsed()),
        prost::Message::encoded_len(&all),
        all.conversations[0].messages.len()
    );
    let t = Instant::now();
    let by = pb::GetConversationsByIdRequest {
        ids: Some(pb::get_conversations_by_id_request::Ids::InvoiceId(inv.id)),
        ..Default::default()
    };
    let one = c.get_conversations_by_id(req(by, SELLER)).await.unwrap().into_inner();
    println!(
        "inbox flood: GetConversationsById answered in {}, {} bytes",
        ms(t.elapsed()),
        prost::Message::encoded_len(&one)
    );
    let t = Instant::now();
    let answer = pb::SendInvoiceMessageRequest {
        invoice_id: inv.id,
        to_user_id: s.ids.buyer.clone(),
        text: "still here".into(),
        ..Default::default()
    };
    let sent = c.send_invoice_message(req(answer, SELLER)).await.unwrap().into_inner();
    println!(
        "inbox flood: SendInvoiceMessage answered in {}, {} bytes",
        ms(t.elapsed()),
        prost::Message::encoded_len(&sent)
    );
    // With the service's default limits, the flood itself stops early.
    let s = s.restart_with(|_| {}).await;
    let mut c = s.client().await;
    let mut accepted = 0;
    for n in 0..600 {
        let m =
            pb::SendInvoiceMessageRequest { invoice_id: inv.id, text: format!("{n:03} {long}"), ..Default::default() };
        if c.send_invoice_message(req(m, BUYER)).await.is_err() {
            break;
        }
        accepted += 1;
    }
    println!("inbox flood: with the default limits, {accepted} messages were accepted before RESOURCE_EXHAUSTED");
}
