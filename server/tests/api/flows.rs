//! Every call doing its job, and the rules a person relies on.

use crate::harness::*;
use rust_decimal::Decimal;
use schet_api::pb::{self, change_invoice_secret_request::SecretOperations as Op, invoice::InvoiceStatus};
use std::str::FromStr;
use tonic::Code;

fn dec(d: &Option<pb::Decimal>) -> Decimal {
    schet_api::decimal::from_pb_or_zero(d.as_ref()).unwrap()
}

fn texts(list: &pb::InvoiceSecretsList) -> Vec<(String, u32)> {
    list.secrets
        .iter()
        .filter(|s| matches!(s.nullable_payment, Some(pb::invoice_secret::NullablePayment::PaymentIdIsNull(_))))
        .map(|s| (s.text.clone(), s.order))
        .collect()
}

#[tokio::test]
async fn buying_pieces_delivers_the_queue_front_and_moves_money_and_stock() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let mut create = public("Gift codes");
    create.limit_liquidity = true;
    create.pieces_max = 3;
    create.secrets = vec![secret("C", 3), secret("A", 1), secret("B", 2)];
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    assert_eq!(inv.secrets_count, 3);

    let pay = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 2 }, BUYER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pay.status, pb::invoice_payment::InvoicePaymentStatus::Paid as i32);
    assert_eq!(pay.pieces, 2);
    assert_eq!(dec(&pay.crypto_amount), Decimal::from_str("0.02").unwrap());
    let got: Vec<&str> = pay.secrets.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(got, ["A", "B"], "the front of the queue, in order");
    assert_eq!(s.balance(&s.ids.buyer).await, Decimal::from_str("1.98").unwrap());
    assert_eq!(s.balance(&s.ids.seller).await, Decimal::from_str("1.02").unwrap());

    let after =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap().into_inner();
    let after = &after.invoices[0];
    assert_eq!((after.pieces_max, after.secrets_count, after.payments_count), (1, 1, 1));
    assert_eq!(dec(&after.total_payed_crypto), Decimal::from_str("0.02").unwrap());

    // The seller's queue: C is now first; A and B are sold to that payment.
    let unsold = c
        .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: inv.id, is_sold: false }, SELLER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(texts(&unsold), [("C".to_string(), 1)]);
    let sold = c
        .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: inv.id, is_sold: true }, SELLER))
        .await
        .unwrap()
        .into_inner();
    assert!(
        sold.secrets.iter().all(|s| s.nullable_payment == Some(pb::invoice_secret::NullablePayment::PaymentId(pay.id)))
    );

    // Buying more than is left fails and changes nothing; the last piece sells out.
    let before = s.fingerprint().await;
    let e = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 2 }, OTHER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().starts_with("Pieces: "), "{}", e.message());
    assert_eq!(before, s.fingerprint().await);
    c.pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1 }, OTHER))
        .await
        .unwrap();
    let inv2 = c
        .get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, SELLER))
        .await
        .unwrap()
        .into_inner()
        .invoices
        .remove(0);
    assert_eq!((inv2.status, inv2.pieces_max), (InvoiceStatus::NoPieces as i32, 0));

    // The seller cancels the first payment: money back, pieces back on sale.
    let cancelled = c
        .cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: pay.id }, SELLER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cancelled.status, pb::invoice_payment::InvoicePaymentStatus::Canceled as i32);
    assert_eq!(s.balance(&s.ids.buyer).await, Decimal::from(2));
    let inv3 = c
        .get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, SELLER))
        .await
        .unwrap()
        .into_inner()
        .invoices
        .remove(0);
    assert_eq!((inv3.status, inv3.pieces_max), (InvoiceStatus::Active as i32, 2));
    // The buyer cannot cancel (only the seller returns money).
    let e =
        c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: pay.id }, BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn private_invoice_is_paid_once_by_its_buyer_and_a_refund_goes_back() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    assert_eq!(dec(&inv.fee), Decimal::from_str("0.0001").unwrap(), "0.5% of 0.02 BTC");
    let e = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 0 }, OTHER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound, "a stranger does not even see it");
    let pay = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 0 }, BUYER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pay.invoice.as_ref().unwrap().status, InvoiceStatus::Payed as i32);
    let e = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 0 }, BUYER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);

    let refund = c
        .create_refund(req(pb::CreateRefundRequest { payment_id: pay.id, pieces: 1 }, SELLER))
        .await
        .unwrap()
        .into_inner();
    let refund_invoice = refund.refund.unwrap();
    assert_eq!(refund.payment.unwrap().refunding, 1);
    assert_eq!(refund_invoice.nullable_refund, Some(pb::invoice::NullableRefund::RefundPaymentId(pay.id)));
    // The seller pays the refund invoice: the buyer gets the money back.
    let before = s.balance(&s.ids.buyer).await;
    c.pay_invoice_from_balance(req(
        pb::PayInvoiceFromBalanceRequest { invoice_id: refund_invoice.id, pieces: 0 },
        SELLER,
    ))
    .await
    .unwrap();
    assert_eq!(s.balance(&s.ids.buyer).await, before + Decimal::from_str("0.02").unwrap());
    let listed = c
        .get_invoice_payments(req(pb::GetInvoicePaymentsRequest { payment_id: pay.id, ..Default::default() }, BUYER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((listed.payments[0].refunded, listed.payments[0].refunding), (1, 0));
}

#[tokio::test]
async fn get_invoices_filters_pages_and_hides_others_private_invoices() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let mut ids = Vec::new();
    for n in 0..7 {
        ids.push(c.create_invoice(req(public(&format!("p{n}")), SELLER)).await.unwrap().into_inner().id);
    }
    let to_buyer = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner().id;
    let to_other = c.create_invoice(req(private_to("other"), SELLER)).await.unwrap().into_inner().id;
    let mine = c.create_invoice(req(public("buyer's own"), BUYER)).await.unwrap().into_inner().id;
    c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: ids[0] }, SELLER)).await.unwrap();

    let list = |r: pb::GetInvoicesRequest| {
        let mut c = c.clone();
        async move {
            c.get_invoices(req(r, BUYER)).await.unwrap().into_inner().invoices.iter().map(|i| i.id).collect::<Vec<_>>()
        }
    };
    let all = list(pb::GetInvoicesRequest::default()).await;
    assert!(!all.contains(&to_other), "others' private invoices never show");
    assert!(all.contains(&to_buyer));
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert_eq!(all.len(), 9);

    // Keyset paging: pages of 4 cover the same list without overlap.
    let mut paged = Vec::new();
    let mut last = 0;
    loop {
        let page = list(pb::GetInvoicesRequest { count: 4, last_id: last, ..Default::default() }).await;
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 4);
        last = *page.last().unwrap();
        paged.extend(page);
    }
    assert_eq!(paged, all);

    assert_eq!(
        list(pb::GetInvoicesRequest { is_owner: true, is_owner_has_value: true, ..Default::default() }).await,
        vec![mine]
    );
    assert!(
        !list(pb::GetInvoicesRequest { is_owner: false, is_owner_has_value: true, ..Default::default() })
            .await
            .contains(&mine)
    );
    assert_eq!(
        list(pb::GetInvoicesRequest { is_private: true, is_private_has_value: true, ..Default::default() }).await,
        vec![to_buyer]
    );
    assert_eq!(list(pb::GetInvoicesRequest { to_user: "BUYER".into(), ..Default::default() }).await, vec![to_buyer]);
    assert_eq!(list(pb::GetInvoicesRequest { id: ids[3], ..Default::default() }).await, vec![ids[3]]);
    assert_eq!(list(pb::GetInvoicesRequest { id: to_other, ..Default::default() }).await, Vec::<u64>::new());
    let deleted = list(pb::GetInvoicesRequest {
        statuses: vec![InvoiceStatus::Deleted as i32],
        is_status_has_value: true,
        ..Default::default()
    })
    .await;
    assert_eq!(deleted, vec![ids[0]]);
    // Statuses listed but the flag off: ignored.
    let ignored =
        list(pb::GetInvoicesRequest { statuses: vec![InvoiceStatus::Deleted as i32], ..Default::default() }).await;
    assert_eq!(ignored, all);
    // Default page size 20, maximum 100.
    let e = c.get_invoices(req(pb::GetInvoicesRequest { count: 101, ..Default::default() }, BUYER)).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::InvalidArgument, "count: must be at most 100"));
    // The rule travels as a code too, for clients that word it in their user's language.
    let rule = schet_api::FieldError::from_status(e.message(), e.details()).expect("the rule");
    assert_eq!(rule, schet_api::FieldError::new("count", schet_api::Rule::AtMost { max: 100 }));
}

#[tokio::test]
async fn secrets_keep_a_dense_queue_through_every_move() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("queue"), SELLER)).await.unwrap().into_inner();
    let mut list = pb::InvoiceSecretsList::default();
    for t in ["a", "b", "c", "d"] {
        list = c
            .create_invoice_secret(req(
                pb::CreateInvoiceSecretRequest { invoice_id: inv.id, text: t.into(), ..Default::default() },
                SELLER,
            ))
            .await
            .unwrap()
            .into_inner();
    }
    let order = |l: &pb::InvoiceSecretsList| texts(l).into_iter().map(|(t, _)| t).collect::<String>();
    let dense = |l: &pb::InvoiceSecretsList| texts(l).iter().enumerate().all(|(i, (_, o))| *o == i as u32 + 1);
    assert_eq!(order(&list), "abcd");
    let id = |l: &pb::InvoiceSecretsList, t: &str| l.secrets.iter().find(|s| s.text == t).unwrap().id;
    let mut mv = async |l: &pb::InvoiceSecretsList, t: &str, op: Op| {
        c.change_invoice_secret(req(
            pb::ChangeInvoiceSecretRequest { secret_id: id(l, t), operation: op as i32 },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner()
    };
    list = mv(&list, "c", Op::ToUp).await;
    assert_eq!(order(&list), "acbd");
    list = mv(&list, "a", Op::ToDown).await;
    assert_eq!(order(&list), "cabd");
    list = mv(&list, "d", Op::ToTop).await;
    assert_eq!(order(&list), "dcab");
    list = mv(&list, "d", Op::ToBottom).await;
    assert_eq!(order(&list), "cabd");
    list = mv(&list, "c", Op::ToUp).await;
    assert_eq!(order(&list), "cabd", "the first stays first");
    list = mv(&list, "a", Op::Remove).await;
    assert_eq!(order(&list), "cbd");
    assert!(dense(&list));
    // Insert at position 2, then move by Order in an update.
    list = c
        .create_invoice_secret(req(
            pb::CreateInvoiceSecretRequest { invoice_id: inv.id, text: "x".into(), order: 2, ..Default::default() },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(order(&list), "cxbd");
    list = c
        .update_invoice_secret(req(
            pb::UpdateInvoiceSecretRequest { secret_id: id(&list, "d"), text: "D".into(), images: vec![], order: 1 },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(order(&list), "Dcxb");
    assert!(dense(&list));
    // Nobody else sees or moves them.
    let e = c
        .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: inv.id, is_sold: false }, BUYER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    let e = c
        .change_invoice_secret(req(
            pb::ChangeInvoiceSecretRequest { secret_id: id(&list, "b"), operation: Op::Remove as i32 },
            BUYER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
}

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
            pb::GetConversationsByIdRequest { ids: Some(pb::get_conversations_by_id_request::Ids::InvoiceId(inv.id)) },
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
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1 }, BUYER))
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
            pb::GetConversationsByIdRequest { ids: Some(pb::get_conversations_by_id_request::Ids::PaymentId(pay.id)) },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_payment.conversations[0].messages[0].text, "thanks");
}

#[tokio::test]
async fn images_store_with_a_preview_and_secret_images_stay_hidden_until_bought() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let (shown, hidden) = (guid(1), guid(2));
    let stored = c
        .store_image(req(pb::StoreImageRequest { id: shown.clone(), data: png(600, 300) }, SELLER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.id, shown);
    let preview = image::load_from_memory(&stored.preview).unwrap();
    assert_eq!((preview.width(), preview.height()), (256, 128));
    c.store_image(req(pb::StoreImageRequest { id: hidden.clone(), data: png(20, 20) }, SELLER)).await.unwrap();
    // Retrying the same upload is fine; taking the GUID with other bytes is not.
    c.store_image(req(pb::StoreImageRequest { id: hidden.clone(), data: png(20, 20) }, SELLER)).await.unwrap();
    let e =
        c.store_image(req(pb::StoreImageRequest { id: hidden.clone(), data: png(21, 20) }, BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);

    let mut create = public("with pictures");
    create.images = vec![shown.clone()];
    create.secrets = vec![pb::CreateInvoiceSecretRequest {
        text: "key".into(),
        images: vec![hidden.clone()],
        order: 1,
        invoice_id: 0,
    }];
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    assert_eq!(inv.images, vec![shown.clone()]);

    let get = |id: &str, preview: bool| pb::GetImageRequest { id: id.to_string(), is_preview: preview };
    let original = c.get_image(req(get(&shown, false), BUYER)).await.unwrap().into_inner();
    assert_eq!(original.original, png(600, 300));
    let e = c.get_image(req(get(&hidden, true), BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound, "a secret's image is hidden before the purchase");
    c.pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1 }, BUYER))
        .await
        .unwrap();
    assert!(c.get_image(req(get(&hidden, true), BUYER)).await.is_ok(), "and shown after it");
    assert_eq!(c.get_image(req(get(&hidden, true), OTHER)).await.unwrap_err().code(), Code::NotFound);
}

#[tokio::test]
async fn update_keeps_the_webhook_key_write_only_and_private_invoices_are_not_editable() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("v1"), SELLER)).await.unwrap().into_inner();
    let updated = c
        .update_public_invoice(req(
            pb::UpdatePublicInvoiceRequest {
                invoice_id: inv.id,
                is_base_crypto: false,
                price: btc(45, 0),
                fiat_currency: "USD".into(),
                price_variable: "Average".into(),
                comment: "v2".into(),
                pieces_min: 2,
                pieces_max: 4,
                limit_liquidity: true,
                images: vec![],
                integration: Some(pb::update_public_invoice_request::Integration::Redirect(
                    "https://example.com/get".into(),
                )),
            },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((updated.comment.as_str(), updated.pieces_min, updated.fiat_currency.as_str()), ("v2", 2, "USD"));
    assert_eq!(dec(&updated.current_crypto_price), Decimal::from_str("0.0005").unwrap(), "45 USD at 90000 USD/BTC");
    let e = c
        .update_public_invoice(req(pb::UpdatePublicInvoiceRequest { invoice_id: inv.id, ..Default::default() }, BUYER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    let private = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    let e = c
        .update_public_invoice(req(
            pb::UpdatePublicInvoiceRequest {
                invoice_id: private.id,
                is_base_crypto: true,
                price: btc(1, 0),
                pieces_min: 1,
                pieces_max: 1,
                ..Default::default()
            },
            SELLER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn data_survives_a_restart() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("persisted"), SELLER)).await.unwrap().into_inner();
    c.pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1 }, BUYER))
        .await
        .unwrap();
    let before = s.fingerprint().await;
    let s = s.restart().await;
    assert_eq!(s.fingerprint().await, before);
    let mut c = s.client().await;
    let read =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap().into_inner();
    assert_eq!((read.invoices[0].comment.as_str(), read.invoices[0].payments_count), ("persisted", 1));
}

#[tokio::test]
async fn shutdown_ends_open_event_streams() {
    let mut s = Server::start().await;
    let mut c = s.client().await;
    let mut events = c.subscribe_new_events(req((), BUYER)).await.unwrap().into_inner();
    s.shutdown().await; // would hang if the stream held the server up
    let end = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(_)) = events.message().await {}
    })
    .await;
    assert!(end.is_ok(), "the stream ended");
}

#[tokio::test]
async fn an_expired_invoice_reads_as_deleted_before_and_after_the_sweep() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("short-lived"), SELLER)).await.unwrap().into_inner();
    let store = schet_server::store::Store::open(&s.db).await.unwrap();
    sqlx::query("UPDATE invoices SET valid_to = 0 WHERE id = ?")
        .bind(inv.id as i64)
        .execute(&store.write)
        .await
        .unwrap();
    let read =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap().into_inner();
    assert_eq!(read.invoices[0].status, InvoiceStatus::Deleted as i32, "not Active, even before the sweep");
    let e = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1 }, BUYER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    let service = schet_server::service::Service::new(store.clone(), schet_server::rates::Rates::default());
    assert_eq!(service.sweep_expired().await.unwrap(), 1);
    let status: i64 = sqlx::query_scalar("SELECT status FROM invoices WHERE id = ?")
        .bind(inv.id as i64)
        .fetch_one(&store.read)
        .await
        .unwrap();
    assert_eq!(status, InvoiceStatus::Deleted as i64);
    store.close().await;
}

fn webhook_to_nowhere(required: bool) -> pb::Webhook {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
    pb::Webhook {
        url: "https://127.0.0.1:9/hook".into(), // nothing listens there
        client_crt: cert.pem(),
        client_key: key.serialize_pem(),
        server_crt: cert.pem(),
        required,
    }
}

#[tokio::test]
async fn a_failing_required_webhook_rolls_the_purchase_back_an_optional_one_does_not() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let mut required = public("required hook");
    required.integration = Some(pb::create_invoice_request::Integration::Webhook(webhook_to_nowhere(true)));
    let inv = c.create_invoice(req(required, SELLER)).await.unwrap().into_inner();
    // The key never comes back, not even to its owner.
    match inv.integration {
        Some(pb::invoice::Integration::Webhook(ref w)) => {
            assert_eq!(w.client_key, schet_server::service::WEBHOOK_KEY_STORED);
            assert!(!w.client_crt.is_empty());
        }
        ref other => panic!("{other:?}"),
    }
    let seen_by_buyer =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap().into_inner();
    match &seen_by_buyer.invoices[0].integration {
        Some(pb::invoice::Integration::Webhook(w)) => {
            assert!(w.client_key.is_empty() && w.url.is_empty() && w.client_crt.is_empty())
        }
        other => panic!("{other:?}"),
    }
    let before = s.fingerprint().await;
    let e = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1 }, BUYER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("nothing was charged"), "{}", e.message());
    assert_eq!(s.fingerprint().await, before, "rolled back");

    let mut optional = public("optional hook");
    optional.integration = Some(pb::create_invoice_request::Integration::Webhook(webhook_to_nowhere(false)));
    let inv = c.create_invoice(req(optional, SELLER)).await.unwrap().into_inner();
    let pay = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1 }, BUYER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pay.status, pb::invoice_payment::InvoicePaymentStatus::Paid as i32);
}

/// Where the goods are collected (`Redirect`) is the owner's to see, and the buyer's with
/// their payment; the buyer before paying, other users and guests see only that the
/// invoice delivers by redirect.
#[tokio::test]
async fn a_redirect_url_is_shown_to_the_owner_and_to_the_buyer_with_their_payment() {
    use pb::invoice::Integration;
    let s = Server::start().await;
    let mut c = s.client().await;
    let url = "https://example.com/collect/7f3a";
    let mut create = public("download");
    create.integration = Some(pb::create_invoice_request::Integration::Redirect(url.into()));
    create.secrets = vec![secret("licence key", 1)];
    let created = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let shown = Some(Integration::Redirect(url.into()));
    let stripped = Some(Integration::Redirect(String::new()));
    assert_eq!(created.integration, shown, "the owner's own reply");

    let reader = c.clone();
    let by_id = |token: Option<&'static str>| {
        let mut c = reader.clone();
        let id = created.id;
        async move {
            let r = match token {
                Some(t) => req(pb::GetInvoiceByIdRequest { invoice_id: id }, t),
                None => tonic::Request::new(pb::GetInvoiceByIdRequest { invoice_id: id }),
            };
            c.get_invoice_by_id(r).await.unwrap().into_inner().invoices.remove(0).integration
        }
    };
    let listed = |token: Option<&'static str>| {
        let mut c = reader.clone();
        let id = created.id;
        async move {
            let m = pb::GetInvoicesRequest { id, ..Default::default() };
            let r = match token {
                Some(t) => req(m, t),
                None => tonic::Request::new(m),
            };
            c.get_invoices(r).await.unwrap().into_inner().invoices.remove(0).integration
        }
    };
    assert_eq!(by_id(Some(SELLER)).await, shown);
    assert_eq!(listed(Some(SELLER)).await, shown);
    for viewer in [Some(BUYER), Some(OTHER), None] {
        assert_eq!(by_id(viewer).await, stripped, "GetInvoiceById for {viewer:?} before paying");
        assert_eq!(listed(viewer).await, stripped, "GetInvoices for {viewer:?} before paying");
    }

    let paid = c
        .pay_invoice_from_balance(req(pb::PayInvoiceFromBalanceRequest { invoice_id: created.id, pieces: 1 }, BUYER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(paid.invoice.as_ref().unwrap().integration, shown, "with the payment");
    assert_eq!(paid.secrets[0].url, url, "and with the goods delivered");
    let payments = |token: &'static str| {
        let mut c = reader.clone();
        let id = paid.id;
        async move {
            let m = pb::GetInvoicePaymentsRequest { payment_id: id, ..Default::default() };
            c.get_invoice_payments(req(m, token)).await.unwrap().into_inner().payments
        }
    };
    assert_eq!(payments(BUYER).await[0].invoice.as_ref().unwrap().integration, shown);
    assert_eq!(payments(SELLER).await[0].invoice.as_ref().unwrap().integration, shown);
    assert!(payments(OTHER).await.is_empty());
    // Outside the payment, the invoice still shows it to its owner only.
    assert_eq!(by_id(Some(BUYER)).await, stripped);
    for viewer in [Some(OTHER), None] {
        assert_eq!(by_id(viewer).await, stripped, "{viewer:?} after another's purchase");
    }
    // The buyer's conversation about the invoice carries the invoice, not the payment.
    let conv = c
        .send_invoice_message(req(
            pb::SendInvoiceMessageRequest { invoice_id: created.id, text: "thanks".into(), ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    match conv.parent {
        Some(pb::conversation::Parent::Invoice(i)) => assert_eq!(i.integration, stripped),
        other => panic!("{other:?}"),
    }
}
