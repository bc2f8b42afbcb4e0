//! Step 3 of a purchase (see `purchase.rs`): settling a Pending payment (the seller is
//! paid) or releasing it (everything taken goes back), and releasing the ones a stop left
//! Pending.

use super::invoices::{load_row, not_found};
use super::payments::{add_balance, payment_not_found};
use super::secrets::write_queue;
use super::{Result, Service, dec};
use crate::store::now_ms;
use rust_decimal::Decimal;
use schet_api::pb::{invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

impl Service {
    /// Step 3, success: the seller is paid and the payment is Paid. False when the payment
    /// was no longer Pending (released meanwhile): nothing changes then.
    pub(super) async fn settle(
        &self,
        tx: &mut SqliteConnection,
        payment_id: i64,
        webhook_detail: &str,
    ) -> Result<bool> {
        let Some(p) = pending(tx, payment_id).await? else { return Ok(false) };
        let invoice = load_row(tx, p.invoice_id).await?.ok_or_else(|| not_found(p.invoice_id as u64))?;
        let seller: String = invoice.try_get("owner_id")?;
        add_balance(tx, &seller, p.amount).await?;
        sqlx::query("UPDATE payments SET status = ?, reserved_at = NULL, webhook_detail = ? WHERE id = ?")
            .bind(InvoicePaymentStatus::Paid as i32)
            .bind(webhook_detail)
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
        let total = dec(&invoice, "total_payed_crypto")? + p.amount;
        let status: i32 = invoice.try_get("status")?;
        let private: bool = invoice.try_get("is_private")?;
        let status =
            if private && status == InvoiceStatus::PendingPay as i32 { InvoiceStatus::Payed as i32 } else { status };
        sqlx::query(
            "UPDATE invoices SET status = ?, total_payed_crypto = ?, payments_count = payments_count + 1 WHERE id = ?",
        )
        .bind(status)
        .bind(total.normalize().to_string())
        .bind(p.invoice_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET payments_payed = payments_payed + 1 WHERE id = ?")
            .bind(&p.buyer)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET payments_received = payments_received + 1 WHERE id = ?")
            .bind(&seller)
            .execute(&mut *tx)
            .await?;
        // Paying a refund invoice settles that many pieces of the refunded payment.
        if let Some(original) = invoice.try_get::<Option<i64>, _>("refund_payment_id")? {
            let n: i64 = invoice.try_get("pieces_max")?;
            sqlx::query("UPDATE payments SET is_refund = 1 WHERE id = ?").bind(payment_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE payments SET refunded = refunded + ?, refunding = MAX(refunding - ?, 0) WHERE id = ?")
                .bind(n)
                .bind(n)
                .bind(original)
                .execute(&mut *tx)
                .await?;
        }
        Ok(true)
    }

    /// Step 3, failure (or recovery): everything taken goes back; the payment is Canceled
    /// with what happened. Nothing happens to a payment that is no longer Pending.
    pub(crate) async fn release(&self, tx: &mut SqliteConnection, payment_id: i64, detail: &str) -> Result<bool> {
        let Some(p) = pending(tx, payment_id).await? else { return Ok(false) };
        let invoice = load_row(tx, p.invoice_id).await?.ok_or_else(|| not_found(p.invoice_id as u64))?;
        add_balance(tx, &p.buyer, p.amount).await?;
        sqlx::query("UPDATE payments SET status = ?, reserved_at = NULL, webhook_detail = ? WHERE id = ?")
            .bind(InvoicePaymentStatus::Canceled as i32)
            .bind(detail)
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
        // Its secrets go back to the front of the queue, in the order they were sold in.
        let mine: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM invoice_secrets WHERE payment_id = ? ORDER BY position, id")
                .bind(payment_id)
                .fetch_all(&mut *tx)
                .await?;
        if !mine.is_empty() {
            sqlx::query("UPDATE invoice_secrets SET payment_id = NULL WHERE payment_id = ?")
                .bind(payment_id)
                .execute(&mut *tx)
                .await?;
            let unsold: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM invoice_secrets WHERE invoice_id = ? AND payment_id IS NULL ORDER BY position, id",
            )
            .bind(p.invoice_id)
            .fetch_all(&mut *tx)
            .await?;
            let taken: std::collections::HashSet<i64> = mine.iter().copied().collect();
            let rest: Vec<i64> = unsold.into_iter().filter(|id| !taken.contains(id)).collect();
            write_queue(tx, &[mine, rest].concat()).await?;
        }
        let private: bool = invoice.try_get("is_private")?;
        if private {
            sqlx::query("UPDATE invoices SET status = ? WHERE id = ? AND status = ?")
                .bind(InvoiceStatus::Active as i32)
                .bind(p.invoice_id)
                .bind(InvoiceStatus::PendingPay as i32)
                .execute(&mut *tx)
                .await?;
        } else if invoice.try_get::<bool, _>("limit_liquidity")? {
            sqlx::query(
                "UPDATE invoices SET pieces_max = pieces_max + ?,
                    status = CASE WHEN status = ? THEN ? ELSE status END WHERE id = ?",
            )
            .bind(p.pieces)
            .bind(InvoiceStatus::NoPieces as i32)
            .bind(InvoiceStatus::Active as i32)
            .bind(p.invoice_id)
            .execute(&mut *tx)
            .await?;
        }
        Ok(true)
    }

    /// Releases reservations older than `older_than` (their webhook cannot still be in
    /// flight): after a crash, on start, and every half minute after. Returns how many.
    pub async fn release_stale_reservations(&self, older_than: std::time::Duration) -> Result<u64> {
        let before = now_ms() - older_than.as_millis() as i64;
        let stale: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM payments WHERE status = ? AND reserved_at IS NOT NULL AND reserved_at < ? ORDER BY id",
        )
        .bind(InvoicePaymentStatus::Pending as i32)
        .bind(before)
        .fetch_all(&self.store.read)
        .await?;
        let mut released = 0;
        for id in stale {
            let mut tx = self.store.write.begin().await?;
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
        Ok(released)
    }
}

/// A Pending payment's buyer, invoice, pieces and amount; None when it is not Pending.
struct Taken {
    buyer: String,
    invoice_id: i64,
    pieces: i64,
    amount: Decimal,
}

async fn pending(tx: &mut SqliteConnection, payment_id: i64) -> Result<Option<Taken>> {
    let row = sqlx::query("SELECT buyer_id, invoice_id, pieces, crypto_amount, status FROM payments WHERE id = ?")
        .bind(payment_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| payment_not_found(payment_id as u64))?;
    if row.try_get::<i32, _>("status")? != InvoicePaymentStatus::Pending as i32 {
        return Ok(None);
    }
    Ok(Some(Taken {
        buyer: row.try_get("buyer_id")?,
        invoice_id: row.try_get("invoice_id")?,
        pieces: row.try_get("pieces")?,
        amount: dec(&row, "crypto_amount")?,
    }))
}
