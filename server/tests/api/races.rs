//! Issue 13: purchases and refunds that race keep the books, on SQLite (one writer) and on
//! PostgreSQL (row locks under READ COMMITTED): balances sum to what they were, stock never
//! goes below zero, and no secret is delivered twice.

use crate::harness::*;
use rust_decimal::Decimal;
use schet_api::pb::{self, invoice::InvoiceStatus};
use std::collections::HashSet;
use std::str::FromStr;
use tonic::Code;

fn btc(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

#[tokio::test]
async fn twenty_buyers_race_for_the_last_five_pieces() {
    let s = Server::start().await;
    let buyers = s.add_users("racer", 20, "1").await;
    let mut c = s.client().await;
    let mut create = public("the last five");
    create.limit_liquidity = true;
    create.pieces_max = 5;
    create.secrets = (1..=5).map(|n| secret(&format!("code-{n}"), n)).collect();
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let before = s.total_balance().await;
    let mut tasks = Vec::new();
    for (_, token) in buyers.clone() {
        let mut c = s.client().await;
        tasks.push(tokio::spawn(async move { c.pay_invoice_from_balance(req(pay(inv.id, 1), &token)).await }));
    }
    let mut bought = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(p) => bought.push(p.into_inner()),
            Err(e) => assert_eq!(e.code(), Code::FailedPrecondition, "refused as sold out, not broken: {e:?}"),
        }
    }
    assert_eq!(bought.len(), 5, "exactly the stock was sold");
    let codes: Vec<String> = bought.iter().flat_map(|p| p.secrets.iter().map(|s| s.text.clone())).collect();
    assert_eq!(codes.len(), 5, "one secret per piece: {codes:?}");
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 5, "no secret delivered twice: {codes:?}");
    let after = c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, SELLER)).await.unwrap();
    let after = &after.into_inner().invoices[0];
    assert_eq!((after.pieces_max, after.status, after.secrets_count), (0, InvoiceStatus::NoPieces as i32, 0));
    assert_eq!(s.total_balance().await, before, "no money made or lost");
    assert_eq!(s.balance(&s.ids.seller).await, btc("1.05"));
    for (id, _) in &buyers {
        let paid = bought.iter().any(|p| p.owner.as_ref().is_some_and(|o| o.id == *id));
        assert_eq!(s.balance(id).await, if paid { btc("0.99") } else { btc("1") });
    }
    // The seller's list agrees: five sold, each once.
    let sold = c
        .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: inv.id, is_sold: true }, SELLER))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sold.secrets.len(), 5);
}

#[tokio::test]
async fn twenty_refunds_race_on_one_payment() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("five pieces"), SELLER)).await.unwrap().into_inner();
    let payment = c.pay_invoice_from_balance(req(pay(inv.id, 5), BUYER)).await.unwrap().into_inner();
    let before = s.total_balance().await;
    // Twenty refunds of one piece each, asked by both parties at once: five fit.
    let mut tasks = Vec::new();
    for n in 0..20 {
        let mut c = s.client().await;
        let token = if n % 2 == 0 { BUYER } else { SELLER };
        let ask = pb::CreateRefundRequest { payment_id: payment.id, pieces: 1 };
        tasks.push(tokio::spawn(async move { c.create_refund(req(ask, token)).await }));
    }
    let mut refunds = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => refunds.push(r.into_inner().refund.unwrap()),
            Err(e) => assert_eq!(e.code(), Code::InvalidArgument, "refused (no pieces left), not broken: {e:?}"),
        }
    }
    assert_eq!(refunds.len(), 5, "one refund per piece paid");
    // The seller pays them all, each twice at once, while more refunds are asked for.
    let mut tasks = Vec::new();
    for r in refunds.iter().chain(refunds.iter()) {
        let mut c = s.client().await;
        let id = r.id;
        tasks.push(tokio::spawn(async move { c.pay_invoice_from_balance(req(pay(id, 1), SELLER)).await.map(|_| ()) }));
    }
    for _ in 0..5 {
        let mut c = s.client().await;
        let ask = pb::CreateRefundRequest { payment_id: payment.id, pieces: 1 };
        tasks.push(tokio::spawn(async move { c.create_refund(req(ask, BUYER)).await.map(|_| ()) }));
    }
    let mut paid = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => paid += 1,
            Err(e) => assert!(
                matches!(e.code(), Code::FailedPrecondition | Code::InvalidArgument),
                "refused (already paid; nothing left to refund), not broken: {e:?}"
            ),
        }
    }
    assert_eq!(paid, 5, "each refund invoice is paid once");
    let mine = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest { payment_id: payment.id, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    let p = &mine.payments[0];
    assert_eq!((p.refunded, p.refunding), (5, 0), "every piece refunded once");
    assert_eq!(s.total_balance().await, before, "no money made or lost");
    assert_eq!(s.balance(&s.ids.buyer).await, btc("2"), "the buyer has it all back");
    assert_eq!(s.balance(&s.ids.seller).await, btc("1"));
}

/// Issue 15: the quota of live invoices is a count the database keeps (not a count of the
/// rows on every create); creates that race for its last places, while some of the user's
/// invoices are deleted, never pass it, and the count stays exact.
#[tokio::test]
async fn creates_race_for_the_last_places_of_the_quota() {
    let s = Server::start_with(|o| o.limits.quotas.live_invoices_per_user = 5).await;
    let mut c = s.client().await;
    let mut held = Vec::new();
    for n in 0..3 {
        held.push(c.create_invoice(req(public(&format!("held {n}")), SELLER)).await.unwrap().into_inner().id);
    }
    // Twenty creates at once (two places), while two of the three are deleted (two more).
    let mut creates = Vec::new();
    for n in 0..20 {
        let mut c = s.client().await;
        creates.push(tokio::spawn(async move { c.create_invoice(req(public(&format!("race {n}")), SELLER)).await }));
    }
    let mut deletes = Vec::new();
    for id in held[..2].to_vec() {
        let mut c = s.client().await;
        let delete = pb::DeleteInvoiceRequest { invoice_id: id };
        deletes.push(tokio::spawn(async move { c.delete_invoice(req(delete, SELLER)).await }));
    }
    for d in deletes {
        d.await.unwrap().unwrap();
    }
    let mut created = 0;
    for t in creates {
        match t.await.unwrap() {
            Ok(_) => created += 1,
            Err(e) => assert_eq!(e.code(), Code::ResourceExhausted, "refused by the quota, not broken: {e:?}"),
        }
    }
    assert!((2..=4).contains(&created), "two places, and at most two freed: {created} created");
    // The count is exact: exactly the places left can still be taken, then no more.
    for n in 1 + created..5 {
        c.create_invoice(req(public(&format!("after {n}")), SELLER)).await.unwrap();
    }
    let e = c.create_invoice(req(public("one too many"), SELLER)).await.unwrap_err();
    assert_eq!(e.code(), Code::ResourceExhausted, "{e:?}");
    let mine = pb::GetInvoicesRequest { is_owner: true, is_owner_has_value: true, count: 100, ..Default::default() };
    let listed = c.get_invoices(req(mine, SELLER)).await.unwrap().into_inner().invoices;
    let live = listed.iter().filter(|i| i.status == InvoiceStatus::Active as i32).count();
    assert_eq!(live, 5, "five live invoices, as the quota allows");
}

/// Issue 13 again, where the secrets alone limit a sale: the count of unsold secrets a
/// purchase checks is the one after it holds the invoice's lock, not one read before it
/// waited for that lock (PostgreSQL, READ COMMITTED: a statement's subqueries keep the
/// snapshot it started with). Rounds of buyers race for an invoice's N secrets, with
/// unlimited stock (only the secrets stop the sale) and with N pieces of stock; each buyer
/// asks for the same number of pieces (1, 2 or 4), so exactly N / pieces purchases go
/// through and N % pieces secrets are left. Every purchase gets one secret per piece, no
/// secret is sold twice, a refused buyer pays nothing, and the books balance.
#[tokio::test]
async fn buyers_race_for_the_last_secrets() {
    const N: usize = 6;
    const BUYERS: usize = 12;
    let s = Server::start().await;
    let buyers = s.add_users("secret-racer", BUYERS, "1").await;
    let mut c = s.client().await;
    let mut clients = Vec::new();
    for _ in 0..BUYERS {
        clients.push(s.client().await);
    }
    let before = s.total_balance().await;
    let mut spent = [Decimal::ZERO; BUYERS];
    let mut seller_got = Decimal::ZERO;
    let mut delivered = HashSet::new();
    for round in 0..12u32 {
        let limited = round % 2 == 1;
        let pieces = [1, 2, 4][round as usize / 2 % 3];
        let mut create = public(&format!("secrets round {round}"));
        if limited {
            create.limit_liquidity = true;
            create.pieces_max = N as u32;
        }
        create.secrets = (1..=N as u32).map(|n| secret(&format!("r{round}-code-{n}"), n)).collect();
        let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
        let mut tasks = Vec::new();
        for (k, (_, token)) in buyers.iter().enumerate() {
            let (mut c, token) = (clients[k].clone(), token.clone());
            tasks.push(tokio::spawn(async move { c.pay_invoice_from_balance(req(pay(inv.id, pieces), &token)).await }));
        }
        let mut sold = 0;
        for (k, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(p) => {
                    let p = p.into_inner();
                    let codes: Vec<String> = p.secrets.iter().map(|s| s.text.clone()).collect();
                    assert_eq!(codes.len(), pieces as usize, "round {round}: one secret per piece bought: {codes:?}");
                    for code in codes {
                        assert!(code.starts_with(&format!("r{round}-")), "round {round}: another invoice's {code}");
                        assert!(delivered.insert(code.clone()), "round {round}: {code} sold twice");
                    }
                    let amount = btc("0.01") * Decimal::from(pieces);
                    spent[k] += amount;
                    seller_got += amount;
                    sold += pieces as usize;
                }
                Err(e) => assert!(
                    matches!(e.code(), Code::FailedPrecondition | Code::InvalidArgument),
                    "round {round}: refused (sold out), not broken: {e:?}"
                ),
            }
        }
        let left = N % pieces as usize;
        assert_eq!(sold, N - left, "round {round} ({pieces} a purchase, limited stock {limited}): all that fit sold");
        let after = c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, SELLER)).await.unwrap();
        assert_eq!(after.into_inner().invoices[0].secrets_count, left as u32, "round {round}: the rest left");
        let list = pb::GetInvoiceSecretsRequest { invoice_id: inv.id, is_sold: true };
        let listed = c.get_invoice_secrets(req(list, SELLER)).await.unwrap().into_inner().secrets;
        assert_eq!(listed.len(), N - left, "round {round}: the seller's list has each sold once");
    }
    assert_eq!(s.total_balance().await, before, "no money made or lost");
    assert_eq!(s.balance(&s.ids.seller).await, btc("1") + seller_got);
    for (k, (id, _)) in buyers.iter().enumerate() {
        assert_eq!(s.balance(id).await, btc("1") - spent[k], "buyer {k} paid for exactly what they got");
    }
}
