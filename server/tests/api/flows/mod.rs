//! Every call doing its job, and the rules a person relies on.

use crate::harness::*;
use rust_decimal::Decimal;
use schet_api::pb::{self, change_invoice_secret_request::SecretOperations as Op, invoice::InvoiceStatus};
use std::str::FromStr;
use tonic::Code;

mod conversations;
mod integrations;
mod lifecycle;

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
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 2, ..Default::default() },
            BUYER,
        ))
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
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 2, ..Default::default() },
            OTHER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert!(e.message().starts_with("Pieces: "), "{}", e.message());
    assert_eq!(before, s.fingerprint().await);
    c.pay_invoice_from_balance(req(
        pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
        OTHER,
    ))
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
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 0, ..Default::default() },
            OTHER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound, "a stranger does not even see it");
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 0, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pay.invoice.as_ref().unwrap().status, InvoiceStatus::Payed as i32);
    let e = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 0, ..Default::default() },
            BUYER,
        ))
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
        pb::PayInvoiceFromBalanceRequest { invoice_id: refund_invoice.id, pieces: 0, ..Default::default() },
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
    c.pay_invoice_from_balance(req(
        pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
        BUYER,
    ))
    .await
    .unwrap();
    assert!(c.get_image(req(get(&hidden, true), BUYER)).await.is_ok(), "and shown after it");
    assert_eq!(c.get_image(req(get(&hidden, true), OTHER)).await.unwrap_err().code(), Code::NotFound);
}
