//! Issue 14, findings 3–5: replies stay under the limit however much is stored, nothing
//! commits and then fails to answer, messages are rate limited, and a buyer pays the price
//! they agreed to. Sizes are scaled down through the service's limits.

use crate::harness::*;
use rust_decimal::Decimal;
use schet_api::pb::{self, get_conversations_by_id_request::Ids};
use std::str::FromStr;
use tonic::Code;

fn by_invoice(invoice_id: u64, before: u64, count: u32) -> pb::GetConversationsByIdRequest {
    pb::GetConversationsByIdRequest {
        ids: Some(Ids::InvoiceId(invoice_id)),
        before_message_id: before,
        messages_count: count,
    }
}

const BUDGET: usize = 256 * 1024;

#[tokio::test]
async fn a_flooded_conversation_still_answers_and_pages_back_to_its_first_message() {
    let s = Server::start_with(|o| {
        o.limits.reply_budget_bytes = BUDGET;
        o.limits.quotas.messages_per_minute_per_user = 10_000;
        o.limits.quotas.messages_per_minute_per_conversation = 10_000;
        o.limits.quotas.message_bytes_per_minute_per_user = u32::MAX;
        o.limits.quotas.message_bytes_per_minute_per_conversation = u32::MAX;
    })
    .await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("flooded"), SELLER)).await.unwrap().into_inner();
    let mut events = c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();
    // 80 messages of 16 KB: five times the reply budget.
    let long = "日本".repeat(1998);
    for n in 0..80 {
        let m =
            pb::SendInvoiceMessageRequest { invoice_id: inv.id, text: format!("{n:03} {long}"), ..Default::default() };
        let reply = c.send_invoice_message(req(m, BUYER)).await.unwrap().into_inner();
        assert!(prost::Message::encoded_len(&reply) <= BUDGET, "the reply to a send stays in budget");
    }
    // Every call on the inbox still answers, within the budget.
    let all = c.get_conversations(req((), SELLER)).await.unwrap().into_inner();
    assert!(prost::Message::encoded_len(&all) <= BUDGET + 1024);
    let newest = &all.conversations[0];
    assert!(newest.has_older_messages);
    assert_eq!(newest.messages.last().unwrap().text[..3], *"079");
    let answer = pb::SendInvoiceMessageRequest {
        invoice_id: inv.id,
        to_user_id: s.ids.buyer.clone(),
        text: "I see".into(),
        ..Default::default()
    };
    c.send_invoice_message(req(answer, SELLER)).await.unwrap();
    // The seller's live stream is alive and well.
    loop {
        let e = events.message().await.unwrap().unwrap();
        if let Some(pb::event::Payload::Conversation(conv)) = e.payload
            && conv.messages[0].text == "I see"
        {
            break;
        }
    }
    // Paging back walks every message once, oldest last.
    let mut seen = Vec::new();
    let mut before = 0;
    loop {
        let page = c.get_conversations_by_id(req(by_invoice(inv.id, before, 100), SELLER)).await.unwrap().into_inner();
        let conv = &page.conversations[0];
        assert!(prost::Message::encoded_len(&page) <= BUDGET + 1024);
        assert!(conv.messages.windows(2).all(|w| w[0].id < w[1].id), "oldest first within a page");
        seen.splice(0..0, conv.messages.iter().map(|m| m.id));
        if !conv.has_older_messages {
            break;
        }
        before = conv.messages[0].id;
    }
    assert_eq!(seen.len(), 81);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let e = c.get_conversations_by_id(req(by_invoice(inv.id, 0, 101), SELLER)).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().starts_with("MessagesCount: "), "{}", e.message());
}

#[tokio::test]
async fn messages_are_rate_limited_per_conversation_and_per_user() {
    let s = Server::start_with(|o| {
        o.limits.quotas.messages_per_minute_per_conversation = 5;
        o.limits.quotas.messages_per_minute_per_user = 8;
    })
    .await;
    let mut c = s.client().await;
    let a = c.create_invoice(req(public("a"), SELLER)).await.unwrap().into_inner().id;
    let b = c.create_invoice(req(public("b"), SELLER)).await.unwrap().into_inner().id;
    let send = |invoice_id| pb::SendInvoiceMessageRequest { invoice_id, text: "hi".into(), ..Default::default() };
    for _ in 0..5 {
        c.send_invoice_message(req(send(a), BUYER)).await.unwrap();
    }
    let before = s.fingerprint().await;
    let e = c.send_invoice_message(req(send(a), BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert!(e.message().contains("one conversation"), "{}", e.message());
    assert_eq!(s.fingerprint().await, before, "nothing was stored");
    // Another conversation is fine, up to the user's own rate.
    for _ in 0..3 {
        c.send_invoice_message(req(send(b), BUYER)).await.unwrap();
    }
    let e = c.send_invoice_message(req(send(b), BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert!(e.message().contains("one user"), "{}", e.message());
    // Another user is not held back by them.
    c.send_invoice_message(req(send(b), OTHER)).await.unwrap();
}

#[tokio::test]
async fn long_messages_are_limited_by_their_bytes_per_conversation_and_per_user() {
    let s = Server::start_with(|o| {
        o.limits.quotas.message_bytes_per_minute_per_conversation = 40 * 1024;
        o.limits.quotas.message_bytes_per_minute_per_user = 64 * 1024;
    })
    .await;
    let mut c = s.client().await;
    let a = c.create_invoice(req(public("a"), SELLER)).await.unwrap().into_inner().id;
    let b = c.create_invoice(req(public("b"), SELLER)).await.unwrap().into_inner().id;
    let long = "ж".repeat(4000); // 8 KB
    let send = |invoice_id| pb::SendInvoiceMessageRequest { invoice_id, text: long.clone(), ..Default::default() };
    for _ in 0..5 {
        c.send_invoice_message(req(send(a), BUYER)).await.unwrap();
    }
    let before = s.fingerprint().await;
    let e = c.send_invoice_message(req(send(a), BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted);
    assert!(e.message().contains("one conversation may send at most 40960 bytes"), "{}", e.message());
    assert_eq!(s.fingerprint().await, before);
    // Far below 20 messages a minute: it is their bytes. Another conversation, to the user's own bytes.
    for _ in 0..3 {
        c.send_invoice_message(req(send(b), BUYER)).await.unwrap();
    }
    let e = c.send_invoice_message(req(send(b), BUYER)).await.unwrap_err();
    assert!(e.message().contains("one user may send at most 65536 bytes"), "{}", e.message());
}

#[tokio::test]
async fn secrets_that_would_not_fit_in_a_reply_are_refused_before_anything_is_stored() {
    let s = Server::start_with(|o| o.limits.secrets_bytes_per_invoice = 64 * 1024).await;
    let mut c = s.client().await;
    let big = "秘".repeat(4000); // 12 KB
    let inv = c.create_invoice(req(public("codes"), SELLER)).await.unwrap().into_inner();
    let add =
        |text: &str| pb::CreateInvoiceSecretRequest { invoice_id: inv.id, text: text.into(), ..Default::default() };
    for _ in 0..5 {
        c.create_invoice_secret(req(add(&big), SELLER)).await.unwrap();
    }
    let before = s.fingerprint().await;
    let e = c.create_invoice_secret(req(add(&big), SELLER)).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    assert_eq!(s.fingerprint().await, before, "refused before commit: a retry makes no duplicate");
    let list = c
        .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: inv.id, is_sold: false }, SELLER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.secrets.len(), 5);
    // A small one still fits; growing it past the bound is refused.
    let small = c.create_invoice_secret(req(add("small"), SELLER)).await.unwrap().into_inner();
    let small = small.secrets.iter().find(|s| s.text == "small").unwrap().id;
    let before = s.fingerprint().await;
    let grow = pb::UpdateInvoiceSecretRequest { secret_id: small, text: big.clone(), ..Default::default() };
    assert_eq!(c.update_invoice_secret(req(grow, SELLER)).await.unwrap_err().code(), Code::ResourceExhausted);
    assert_eq!(s.fingerprint().await, before);
    // At creation as well.
    let mut many = public("too many");
    many.secrets = (0..6).map(|n| secret(&big, n)).collect();
    let before = s.fingerprint().await;
    assert_eq!(c.create_invoice(req(many, SELLER)).await.unwrap_err().code(), Code::ResourceExhausted);
    assert_eq!(s.fingerprint().await, before);
    // Buying every piece delivers all of them in a reply that fits, and the list reads.
    let bought = c.pay_invoice_from_balance(req(pay(inv.id, 5), BUYER)).await.unwrap().into_inner();
    assert_eq!(bought.secrets.len(), 5);
    c.get_invoice_payments(req(pb::GetInvoicePaymentsRequest::default(), BUYER)).await.unwrap();
}

#[tokio::test]
async fn a_page_of_payments_is_cut_to_the_budget_and_the_rest_follows() {
    let s = Server::start_with(|o| {
        o.limits.reply_budget_bytes = 40 * 1024;
        o.limits.secrets_bytes_per_invoice = 64 * 1024;
    })
    .await;
    let mut c = s.client().await;
    let big = "秘".repeat(4000);
    let mut create = public("heavy goods");
    create.secrets = (1..=4).map(|n| secret(&big, n)).collect();
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    for _ in 0..4 {
        c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut last_id = 0;
    loop {
        let page = c
            .get_invoice_payments(req(
                pb::GetInvoicePaymentsRequest { last_id, count: 100, ..Default::default() },
                BUYER,
            ))
            .await
            .unwrap()
            .into_inner();
        if page.payments.is_empty() {
            break;
        }
        assert!(page.payments.len() < 4, "cut to the budget");
        last_id = page.payments.last().unwrap().id;
        seen.extend(page.payments.iter().map(|p| p.id));
    }
    assert_eq!(seen.len(), 4);
    assert!(seen.windows(2).all(|w| w[0] > w[1]));
}

#[tokio::test]
async fn a_buyer_pays_the_price_they_agreed_to_or_nothing() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("price moves"), SELLER)).await.unwrap().into_inner();
    let agreed = inv.current_crypto_price; // 0.01 BTC, one piece
    // The seller raises the price after the buyer looked.
    let update = pb::UpdatePublicInvoiceRequest {
        invoice_id: inv.id,
        is_base_crypto: true,
        price: btc(0, 500_000_000),
        comment: inv.comment.clone(),
        pieces_min: 1,
        pieces_max: 5,
        ..Default::default()
    };
    c.update_public_invoice(req(update, SELLER)).await.unwrap();
    let before = s.fingerprint().await;
    let with_agreed = pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, agreed_amount: agreed };
    let e = c.pay_invoice_from_balance(req(with_agreed, BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("0.5") && e.message().contains("0.01"), "says both prices: {}", e.message());
    let refusal = schet_api::Refusal::from_status(e.message(), e.details());
    let expected = schet_api::Refusal::PriceChanged { pieces: "1".into(), now: "0.5".into(), agreed: "0.01".into() };
    assert_eq!(refusal, expected, "a code the app can word");
    assert_eq!(s.fingerprint().await, before, "nothing charged");
    // Agreeing to the new price (for two pieces: the whole purchase) goes through.
    let two = pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 2, agreed_amount: btc(1, 0) };
    c.pay_invoice_from_balance(req(two, BUYER)).await.unwrap();
    assert_eq!(s.balance(&s.ids.buyer).await, Decimal::from(1));
    // A client that does not send the field works as with the production service.
    c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap();
    assert_eq!(s.balance(&s.ids.buyer).await, Decimal::from_str("0.5").unwrap());
}
