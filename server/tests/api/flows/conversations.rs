//! Conversations about an invoice and a payment: private to their pair, with the events
//! arriving live.

use super::*;

#[tokio::test]
async fn conversations_are_private_to_their_pair_and_events_arrive_live() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("chat"), SELLER)).await.unwrap().into_inner();
    let mut events = c.subscribe_new_events(req((), SELLER)).await.unwrap().into_inner();

    let conv = c
        .send_invoice_message(req(
            pb::SendInvoiceMessageRequest { invoice_id: inv.id, text: "Is it available?".into(), ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(conv.buyer.as_ref().unwrap().username, "buyer");
    assert_eq!(conv.seller.as_ref().unwrap().username, "seller");
    // The seller hears it without asking.
    let got = loop {
        let e =
            tokio::time::timeout(std::time::Duration::from_secs(10), events.message()).await.unwrap().unwrap().unwrap();
        if e.r#type == pb::event::EventType::NewMessage as i32 {
            break e;
        }
    };
    match got.payload {
        Some(pb::event::Payload::Conversation(cv)) => assert_eq!(cv.messages.last().unwrap().text, "Is it available?"),
        other => panic!("unexpected payload {other:?}"),
    }
    // The seller must say to whom; then answers in the same conversation.
    let e = c
        .send_invoice_message(req(
            pb::SendInvoiceMessageRequest { invoice_id: inv.id, text: "yes".into(), ..Default::default() },
            SELLER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().starts_with("ToUserId: "));
    let conv2 = c
        .send_invoice_message(req(
            pb::SendInvoiceMessageRequest {
                invoice_id: inv.id,
                to_user_id: s.ids.buyer.clone(),
                text: "yes".into(),
                ..Default::default()
            },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(conv2.id, conv.id);
    assert_eq!(conv2.messages.len(), 2);

    // A stranger sees none of it.
    let theirs = c
        .get_conversations_by_id(req(
            pb::GetConversationsByIdRequest {
                ids: Some(pb::get_conversations_by_id_request::Ids::InvoiceId(inv.id)),
                ..Default::default()
            },
            OTHER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(theirs.conversations.is_empty());
    assert!(c.get_conversations(req((), OTHER)).await.unwrap().into_inner().conversations.is_empty());
    let mine = c.get_conversations(req((), BUYER)).await.unwrap().into_inner();
    assert_eq!(mine.conversations.len(), 1);

    // Payment conversations: the pair only.
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    c.send_invoice_payment_message(req(
        pb::SendInvoicePaymentMessageRequest { payment_id: pay.id, text: "thanks".into(), image_ids: vec![] },
        BUYER,
    ))
    .await
    .unwrap();
    let e = c
        .send_invoice_payment_message(req(
            pb::SendInvoicePaymentMessageRequest { payment_id: pay.id, text: "hi".into(), image_ids: vec![] },
            OTHER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
    let by_payment = c
        .get_conversations_by_id(req(
            pb::GetConversationsByIdRequest {
                ids: Some(pb::get_conversations_by_id_request::Ids::PaymentId(pay.id)),
                ..Default::default()
            },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_payment.conversations[0].messages[0].text, "thanks");
}
