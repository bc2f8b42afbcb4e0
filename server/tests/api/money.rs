//! What a person needs to understand a refusal about money: the balance in the profile, and
//! FAILED_PRECONDITION carrying a code the app words in its user's language.

use crate::harness::*;
use rust_decimal::Decimal;
use schet_api::{Refusal, pb};
use std::str::FromStr;
use tonic::Code;

fn refusal(e: &tonic::Status) -> Refusal {
    assert_eq!(e.code(), Code::FailedPrecondition, "{e:?}");
    Refusal::from_status(e.message(), e.details())
}

#[tokio::test]
async fn the_profile_carries_the_balance_and_follows_a_purchase() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let me = c.get_my_profile(req((), BUYER)).await.unwrap().into_inner();
    assert_eq!((me.username.as_str(), me.user_id.as_str()), ("buyer", s.ids.buyer.as_str()));
    assert_eq!(me.balance, btc(2, 0));
    let inv = c.create_invoice(req(public("one piece"), SELLER)).await.unwrap().into_inner();
    c.pay_invoice_from_balance(req(
        pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
        BUYER,
    ))
    .await
    .unwrap();
    let unit = schet_api::decimal::from_pb_or_zero(inv.price.as_ref()).unwrap();
    let after = c.get_my_profile(req((), BUYER)).await.unwrap().into_inner().balance;
    assert_eq!(schet_api::decimal::from_pb_or_zero(after.as_ref()).unwrap(), Decimal::from(2) - unit);
    assert_eq!(s.balance(&s.ids.buyer).await, Decimal::from(2) - unit);
}

#[tokio::test]
async fn a_balance_too_low_and_open_refunds_are_refused_with_their_codes() {
    let s = Server::start().await;
    let mut c = s.client().await;
    // 0.5 BTC cannot buy a piece of 0.8 BTC.
    let dear = pb::CreateInvoiceRequest { price: btc(0, 800_000_000), ..public("dear") };
    let dear = c.create_invoice(req(dear, SELLER)).await.unwrap().into_inner();
    let before = s.fingerprint().await;
    let e = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: dear.id, pieces: 1, ..Default::default() },
            OTHER,
        ))
        .await
        .unwrap_err();
    assert_eq!(refusal(&e), Refusal::BalanceLow { have: "0.5".into(), need: "0.8".into() });
    assert_eq!(e.message(), "insufficient balance: you have 0.5 BTC, this takes 0.8 BTC", "English for any client");
    assert_eq!(before, s.fingerprint().await, "nothing changed");

    // A payment with a refund under way cannot be cancelled.
    let inv = c.create_invoice(req(public("three"), SELLER)).await.unwrap().into_inner();
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 3, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    c.create_refund(req(pb::CreateRefundRequest { payment_id: pay.id, pieces: 1 }, SELLER)).await.unwrap();
    let e = c
        .cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: pay.id }, SELLER))
        .await
        .unwrap_err();
    assert_eq!(refusal(&e), Refusal::RefundsOpen);

    // Returning more than the seller holds: their balance is named.
    let other = pb::CreateInvoiceRequest { price: btc(0, 400_000_000), ..public("from other") };
    let sold = c.create_invoice(req(other, OTHER)).await.unwrap().into_inner();
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: sold.id, pieces: 1, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    // Other (now 0.9 BTC) spends 0.8 on the dear invoice and keeps 0.1: too little to return 0.4.
    c.pay_invoice_from_balance(req(
        pb::PayInvoiceFromBalanceRequest { invoice_id: dear.id, pieces: 1, ..Default::default() },
        OTHER,
    ))
    .await
    .unwrap();
    let e =
        c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: pay.id }, OTHER)).await.unwrap_err();
    assert_eq!(refusal(&e), Refusal::BalanceLow { have: "0.1".into(), need: "0.4".into() });
    assert_eq!(s.balance(&s.ids.other).await, Decimal::from_str("0.1").unwrap());
}
