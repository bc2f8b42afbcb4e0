//! Step 3 of a purchase (see `purchase.rs`): settling a Pending payment (the seller is
//! paid) or releasing it (everything taken goes back), and releasing the ones a stop left
//! Pending. Each locks the invoice, then the payment, then the balances (in id order).

use super::payment_views::payment_not_found;
use super::payments::{lock_balances, lock_payment, write_balances};
use super::secrets::{queue, write_queue};
use super::{Result, Service};
use crate::db::{Conn, now_ms, q};
use crate::sql;
use rust_decimal::Decimal;
use schet_api::pb::{invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};

/// The balances after a purchase: the buyer's, and the seller's when they are paid now
/// (their counters move with it).
pub(super) struct NewBalances {
    pub buyer: Decimal,
    pub seller: Option<Decimal>,
}

/// Writes the balances of a purchase (read locked), with the purchase counted for both
/// parties once the seller is paid; paying a refund invoice settles that many pieces of the
/// refunded payment.
pub(super) async fn apply(
    tx: &mut Conn,
    buyer: &str,
    seller: &str,
    after: NewBalances,
    refund_of: Option<(i64, i64)>,
) -> Result<()> {
    let Some(seller_balance) = after.seller else {
        return write_balances(tx, &[(buyer, after.buyer)]).await;
    };
    if after.buyer < Decimal::ZERO || seller_balance < Decimal::ZERO {
        return Err(super::ServiceError::Internal("balance would go negative".into()));
    }
    q(sql!(
        sqlite: "UPDATE users SET balance = CASE WHEN id = $1 THEN $2 ELSE $3 END,
            payments_payed = payments_payed + CASE WHEN id = $1 THEN 1 ELSE 0 END,
            payments_received = payments_received + CASE WHEN id = $4 THEN 1 ELSE 0 END
         WHERE id IN ($1, $4)",
        postgres: "UPDATE users SET balance = CASE WHEN id = $1 THEN CAST($2 AS NUMERIC) ELSE CAST($3 AS NUMERIC) END,
            payments_payed = payments_payed + CASE WHEN id = $1 THEN 1 ELSE 0 END,
            payments_received = payments_received + CASE WHEN id = $4 THEN 1 ELSE 0 END
         WHERE id IN ($1, $4)",
    ))
    .bind(buyer)
    .bind(after.buyer.normalize())
    .bind(seller_balance.normalize())
    .bind(seller)
    .execute(tx)
    .await?;
    if let Some((original, pieces)) = refund_of {
        q(sql!(
            "UPDATE payments SET refunded = refunded + $1,
                refunding = CASE WHEN refunding > $1 THEN refunding - $1 ELSE 0 END WHERE id = $2"
        ))
        .bind(pieces)
        .bind(original)
        .execute(tx)
        .await?;
    }
    Ok(())
}

/// A Pending payment's buyer, invoice, pieces and amount (read after the locks).
struct Taken {
    buyer: String,
    pieces: i64,
    amount: Decimal,
}

async fn pending(tx: &mut Conn, payment_id: i64) -> Result<Option<Taken>> {
    let row = q(sql!("SELECT buyer_id, pieces, crypto_amount, status FROM payments WHERE id = $1"))
        .bind(payment_id)
        .fetch_optional(tx)
        .await?
        .ok_or_else(|| payment_not_found(payment_id as u64))?;
    if row.get::<i32>("status")? != InvoicePaymentStatus::Pending as i32 {
        return Ok(None);
    }
    Ok(Some(Taken { buyer: row.get("buyer_id")?, pieces: row.get("pieces")?, amount: row.get("crypto_amount")? }))
}

impl Service {
    /// Step 3, success: the seller is paid and the payment is Paid. False when the payment
    /// was no longer Pending (released meanwhile): nothing changes then.
    pub(super) async fn settle(&self, tx: &mut Conn, payment_id: i64, webhook_detail: &str) -> Result<bool> {
        let invoice = lock_payment(tx, payment_id).await?.ok_or_else(|| payment_not_found(payment_id as u64))?;
        let Some(p) = pending(tx, payment_id).await? else { return Ok(false) };
        let invoice_id: i64 = invoice.get("id")?;
        let seller: String = invoice.get("owner_id")?;
        let refund_of = match invoice.get::<Option<i64>>("refund_payment_id")? {
            Some(original) => Some((original, invoice.get("pieces_max")?)),
            None => None,
        };
        let balances = lock_balances(tx, &[&p.buyer, &seller]).await?;
        q(sql!(
            "UPDATE payments SET status = $1, reserved_at = NULL, webhook_detail = $2, is_refund = $3 WHERE id = $4"
        ))
        .bind(InvoicePaymentStatus::Paid as i32)
        .bind(webhook_detail)
        .bind(refund_of.is_some())
        .bind(payment_id)
        .execute(tx)
        .await?;
        let total = invoice.get::<Decimal>("total_payed_crypto")? + p.amount;
        let status: i32 = invoice.get("status")?;
        let private: bool = invoice.get("is_private")?;
        let status =
            if private && status == InvoiceStatus::PendingPay as i32 { InvoiceStatus::Payed as i32 } else { status };
        // Balances before the invoice's status, whose change may take the owner's count of
        // live invoices: the last lock (migrations/postgres/0007_live_invoices.sql).
        let after = NewBalances { buyer: balances[&p.buyer], seller: Some(balances[&seller] + p.amount) };
        apply(tx, &p.buyer, &seller, after, refund_of).await?;
        q(sql!("UPDATE invoices SET status = $1, total_payed_crypto = $2, payments_count = payments_count + 1 WHERE id = $3"))
            .bind(status)
            .bind(total.normalize())
            .bind(invoice_id)
            .execute(tx)
            .await?;
        Ok(true)
    }

    /// Step 3, failure (or recovery): everything taken goes back; the payment is Canceled
    /// with what happened. Nothing happens to a payment that is no longer Pending.
    pub(crate) async fn release(&self, tx: &mut Conn, payment_id: i64, detail: &str) -> Result<bool> {
        let invoice = lock_payment(tx, payment_id).await?.ok_or_else(|| payment_not_found(payment_id as u64))?;
        let Some(p) = pending(tx, payment_id).await? else { return Ok(false) };
        let invoice_id: i64 = invoice.get("id")?;
        let balances = lock_balances(tx, &[&p.buyer]).await?;
        write_balances(tx, &[(&p.buyer, balances[&p.buyer] + p.amount)]).await?;
        q(sql!("UPDATE payments SET status = $1, reserved_at = NULL, webhook_detail = $2 WHERE id = $3"))
            .bind(InvoicePaymentStatus::Canceled as i32)
            .bind(detail)
            .bind(payment_id)
            .execute(tx)
            .await?;
        // Its secrets go back to the front of the queue, in the order they were sold in.
        let mine: Vec<i64> = q(sql!("SELECT id FROM invoice_secrets WHERE payment_id = $1 ORDER BY position, id"))
            .bind(payment_id)
            .scalars(tx)
            .await?;
        if !mine.is_empty() {
            q(sql!("UPDATE invoice_secrets SET payment_id = NULL WHERE payment_id = $1"))
                .bind(payment_id)
                .execute(tx)
                .await?;
            let taken: std::collections::HashSet<i64> = mine.iter().copied().collect();
            let rest: Vec<i64> = queue(tx, invoice_id).await?.into_iter().filter(|id| !taken.contains(id)).collect();
            write_queue(tx, &[mine, rest].concat()).await?;
        }
        let private: bool = invoice.get("is_private")?;
        if private {
            q(sql!("UPDATE invoices SET status = $1 WHERE id = $2 AND status = $3"))
                .bind(InvoiceStatus::Active as i32)
                .bind(invoice_id)
                .bind(InvoiceStatus::PendingPay as i32)
                .execute(tx)
                .await?;
        } else if invoice.get::<bool>("limit_liquidity")? {
            q(sql!(
                "UPDATE invoices SET pieces_max = pieces_max + $1,
                    status = CASE WHEN status = $2 THEN $3 ELSE status END WHERE id = $4"
            ))
            .bind(p.pieces)
            .bind(InvoiceStatus::NoPieces as i32)
            .bind(InvoiceStatus::Active as i32)
            .bind(invoice_id)
            .execute(tx)
            .await?;
        }
        Ok(true)
    }

    /// Releases reservations older than `older_than` (their webhook cannot still be in
    /// flight): after a crash, on start, and every half minute after. Returns how many.
    /// (Several instances: one at a time does it; each release is idempotent anyway.)
    pub async fn release_stale_reservations(&self, older_than: std::time::Duration) -> Result<u64> {
        let Some(turn) = self.store.job(crate::db::JOB_RELEASE).await? else { return Ok(0) };
        let before = now_ms() - older_than.as_millis() as i64;
        let mut conn = self.store.read().await?;
        let stale: Vec<i64> = q(sql!(
            "SELECT id FROM payments WHERE reserved_at IS NOT NULL AND reserved_at < $1 AND status = $2 ORDER BY id"
        ))
        .bind(before)
        .bind(InvoicePaymentStatus::Pending as i32)
        .scalars(&mut conn)
        .await?;
        drop(conn);
        let mut released = 0;
        for id in stale {
            let mut tx = self.store.begin().await?;
            if self
                .release(
                    &mut tx,
                    id,
                    "the service stopped before the seller's system confirmed; the purchase was released",
                )
                .await?
            {
                released += 1;
            }
            tx.commit().await?;
            tracing::warn!(payment = id, "stale reservation released");
        }
        turn.finish().await?;
        Ok(released)
    }
}
