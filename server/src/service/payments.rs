//! Payments: listing, cancelling, refunds, and the balances they move. (How one looks to
//! each party: `payment_views.rs`; paying: `purchase.rs`.)

use super::events::event;
use super::invoices::{load_row, lock_row, not_found};
use super::payment_views::{Detail, payment_not_found};
use super::{Caller, Result, Service, ServiceError};
use crate::db::{Conn, Row, now_ms, q};
use crate::sql;
use rust_decimal::Decimal;
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};
use schet_api::{FieldError, Refusal, Rule, decimal, limits};
use std::collections::HashMap;

/// The payer has `have` BTC, the change takes `need`.
pub(super) fn balance_low(have: Decimal, need: Decimal) -> ServiceError {
    ServiceError::Refused(Refusal::BalanceLow { have: decimal::format_btc(have), need: decimal::format_btc(need) })
}

/// The balances of `users`, locked for this transaction (PostgreSQL: in id order, so that
/// two transactions never wait on each other the other way round).
pub(super) async fn lock_balances(tx: &mut Conn, users: &[&str]) -> Result<HashMap<String, Decimal>> {
    let mut ids: Vec<&str> = users.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let (a, b) = (ids[0], *ids.get(1).unwrap_or(&ids[0]));
    // PostgreSQL: NO KEY UPDATE, the lock a balance's write takes anyway: a row that
    // references the user (an invoice to them being created, holding its owner's row)
    // may still be written meanwhile, rather than wait in a cycle with this.
    let rows = q(sql!(
        sqlite: "SELECT id, balance FROM users WHERE id IN ($1, $2) ORDER BY id",
        postgres: "SELECT id, balance FROM users WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE",
    ))
    .bind(a)
    .bind(b)
    .fetch_all(tx)
    .await?;
    rows.iter().map(|r| Ok((r.get("id")?, r.get("balance")?))).collect()
}

/// Writes new balances (read with [`lock_balances`]); refuses a negative one.
pub(super) async fn write_balances(tx: &mut Conn, balances: &[(&str, Decimal)]) -> Result<()> {
    for (user, balance) in balances {
        if *balance < Decimal::ZERO {
            return Err(ServiceError::Internal("balance would go negative".into()));
        }
        q(sql!("UPDATE users SET balance = $1 WHERE id = $2"))
            .bind(balance.normalize())
            .bind(*user)
            .execute(tx)
            .await?;
    }
    Ok(())
}

/// The payment's invoice, locked (returned), then the payment itself: the order every
/// transaction that changes a payment takes.
pub(super) async fn lock_payment(tx: &mut Conn, payment_id: i64) -> Result<Option<Row>> {
    let Some(invoice) =
        q(sql!("SELECT invoice_id FROM payments WHERE id = $1")).bind(payment_id).scalar_opt(tx).await?
    else {
        return Ok(None);
    };
    let row = lock_row(tx, invoice).await?.ok_or_else(|| not_found(invoice as u64))?;
    q(sql!(lock: "SELECT id FROM payments WHERE id = $1")).bind(payment_id).fetch_one(tx).await?;
    Ok(Some(row))
}

impl Service {
    /// GetInvoicePayments: payments the caller made (IsToMe false), received (true) or both,
    /// newest first; the page is cut where it would pass the reply budget.
    pub async fn payments(
        &self,
        caller: &Caller,
        req: &pb::GetInvoicePaymentsRequest,
    ) -> Result<Vec<pb::InvoicePayment>> {
        let count = match req.count {
            0 => limits::PAGE_DEFAULT,
            n if n > limits::PAGE_MAX => {
                return Err(FieldError::new("Count", Rule::AtMost { max: limits::PAGE_MAX.into() }).into());
            }
            n => n,
        };
        let payment_id = i64::try_from(req.payment_id).map_err(|_| FieldError::new("PaymentId", Rule::OutOfRange))?;
        let last_id = i64::try_from(req.last_id).map_err(|_| FieldError::new("LastId", Rule::OutOfRange))?;
        let before = if last_id == 0 { i64::MAX } else { last_id };
        let mut conn = self.store.read().await?;
        let stmt = match (payment_id != 0, req.is_to_me_has_value, req.is_to_me) {
            (true, false, _) => {
                sql!("SELECT id FROM payments WHERE id = $2 AND id < $3 AND (buyer_id = $1 OR seller_id = $1) LIMIT $4")
            }
            (true, true, true) => sql!("SELECT id FROM payments WHERE id = $2 AND id < $3 AND seller_id = $1 LIMIT $4"),
            (true, true, false) => sql!("SELECT id FROM payments WHERE id = $2 AND id < $3 AND buyer_id = $1 LIMIT $4"),
            // Made and received are disjoint (nobody pays their own invoice): two index
            // ranges, merged.
            (false, false, _) => sql!(
                "SELECT id FROM (SELECT id FROM payments WHERE buyer_id = $1 AND id < $3
                    ORDER BY id DESC LIMIT $4) AS made
                 UNION ALL SELECT id FROM (SELECT id FROM payments WHERE seller_id = $1 AND id < $3
                    ORDER BY id DESC LIMIT $4) AS received
                 ORDER BY id DESC LIMIT $4"
            ),
            (false, true, true) => {
                sql!("SELECT id FROM payments WHERE seller_id = $1 AND id < $3 ORDER BY id DESC LIMIT $4")
            }
            (false, true, false) => {
                sql!("SELECT id FROM payments WHERE buyer_id = $1 AND id < $3 ORDER BY id DESC LIMIT $4")
            }
        };
        let ids: Vec<i64> =
            q(stmt).bind(&caller.id).bind(payment_id).bind(before).bind(i64::from(count)).scalars(&mut conn).await?;
        let loaded =
            self.load_payments(&mut conn, &ids, Detail::Full, Some((caller, self.config.reply_budget_bytes))).await?;
        self.show_payments(&loaded, caller, true)
    }

    /// CancelInvoicePayment: the seller cancels a paid payment and returns the money; the
    /// pieces go back on sale (limited stock), a private invoice can be paid again. The
    /// secrets the buyer already saw stay with the cancelled payment.
    pub async fn cancel_payment(&self, caller: &Caller, payment_id: u64) -> Result<pb::InvoicePayment> {
        if payment_id == 0 {
            return Err(FieldError::new("PaymentId", Rule::Required).into());
        }
        let key = i64::try_from(payment_id).map_err(|_| payment_not_found(payment_id))?;
        let mut tx = self.store.begin().await?;
        lock_payment(&mut tx, key).await?.ok_or_else(|| payment_not_found(payment_id))?;
        let payment = self.payment_in(&mut tx, caller, key, false).await?;
        let invoice = payment.invoice.clone().unwrap_or_default();
        let seller = invoice.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
        let buyer = payment.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
        if caller.id != seller {
            return Err(ServiceError::PermissionDenied(
                "only the seller may cancel a payment (and return the money)".into(),
            ));
        }
        if payment.status != InvoicePaymentStatus::Paid as i32 {
            return Err(ServiceError::FailedPrecondition("only a paid payment can be cancelled".into()));
        }
        if payment.refunded > 0 || payment.refunding > 0 {
            return Err(ServiceError::Refused(Refusal::RefundsOpen));
        }
        let amount = decimal::from_pb_or_zero(payment.crypto_amount.as_ref())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let balances = lock_balances(&mut tx, &[&seller, &buyer]).await?;
        let (from, to) = (balances[&seller], balances[&buyer]);
        if from < amount {
            return Err(balance_low(from, amount));
        }
        write_balances(&mut tx, &[(&seller, from - amount), (&buyer, to + amount)]).await?;
        q(sql!("UPDATE payments SET status = $1 WHERE id = $2"))
            .bind(InvoicePaymentStatus::Canceled as i32)
            .bind(key)
            .execute(&mut tx)
            .await?;
        // A cancelled refund payment un-settles its pieces of the refunded payment: they
        // are in refund again (the refund invoice may be paid again).
        if let Some(pb::invoice::NullableRefund::RefundPaymentId(original)) = invoice.nullable_refund {
            let n = i64::from(invoice.pieces_max);
            q(sql!(
                "UPDATE payments SET refunded = CASE WHEN refunded > $1 THEN refunded - $1 ELSE 0 END,
                    refunding = refunding + $1 WHERE id = $2"
            ))
            .bind(n)
            .bind(original as i64)
            .execute(&mut tx)
            .await?;
        }
        let invoice_key = invoice.id as i64;
        let total = decimal::from_pb_or_zero(invoice.total_payed_crypto.as_ref()).unwrap_or_default() - amount;
        if invoice.is_private {
            q(sql!("UPDATE invoices SET status = $1, total_payed_crypto = $2 WHERE id = $3 AND status = $4"))
                .bind(InvoiceStatus::Active as i32)
                .bind(total.max(Decimal::ZERO).normalize())
                .bind(invoice_key)
                .bind(InvoiceStatus::Payed as i32)
                .execute(&mut tx)
                .await?;
        } else {
            let restore = if invoice.limit_liquidity { i64::from(payment.pieces) } else { 0 };
            q(sql!(
                "UPDATE invoices SET pieces_max = pieces_max + $1, total_payed_crypto = $2,
                    status = CASE WHEN status = $3 THEN $4 ELSE status END WHERE id = $5"
            ))
            .bind(restore)
            .bind(total.max(Decimal::ZERO).normalize())
            .bind(InvoiceStatus::NoPieces as i32)
            .bind(InvoiceStatus::Active as i32)
            .bind(invoice_key)
            .execute(&mut tx)
            .await?;
        }
        let loaded = self.load_payments(&mut tx, &[key], Detail::Full, None).await?;
        let updated = self.show_payments(&loaded, caller, true)?.pop().ok_or_else(|| payment_not_found(payment_id))?;
        let buyer_view = self
            .show_payments(&loaded, &Caller { id: buyer.clone(), username: String::new() }, true)?
            .pop()
            .ok_or_else(|| payment_not_found(payment_id))?;
        tx.commit().await?;
        self.publish(&buyer, event(EventType::PaymentUpdated, Some(pb::event::Payload::Payment(buyer_view))));
        Ok(updated)
    }

    /// CreateRefund: a refund invoice for `pieces` of a paid payment: private, from the buyer
    /// (who receives the money) to the seller (who pays it), priced at what those pieces cost.
    pub async fn create_refund(
        &self,
        caller: &Caller,
        req: &pb::CreateRefundRequest,
    ) -> Result<pb::CreateRefundResponse> {
        if req.payment_id == 0 {
            return Err(FieldError::new("PaymentId", Rule::Required).into());
        }
        let key = i64::try_from(req.payment_id).map_err(|_| payment_not_found(req.payment_id))?;
        let mut tx = self.store.begin().await?;
        // Refunds of one payment take turns: each sees what the others left.
        q(sql!(lock: "SELECT id FROM payments WHERE id = $1"))
            .bind(key)
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| payment_not_found(req.payment_id))?;
        let payment = self.payment_in(&mut tx, caller, key, false).await?;
        if payment.status != InvoicePaymentStatus::Paid as i32 {
            return Err(ServiceError::FailedPrecondition("only a paid payment can be refunded".into()));
        }
        if payment.refunds.len() >= limits::REFUNDS_PER_PAYMENT_MAX {
            return Err(ServiceError::ResourceExhausted(format!(
                "a payment may have at most {} refund invoices",
                limits::REFUNDS_PER_PAYMENT_MAX
            )));
        }
        let left = payment.pieces.saturating_sub(payment.refunded + payment.refunding);
        if req.pieces == 0 || req.pieces > left {
            return Err(FieldError::new("Pieces", Rule::RefundPieces { max: left.into() }).into());
        }
        let invoice = payment.invoice.clone().unwrap_or_default();
        let seller = invoice.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
        let buyer = payment.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
        let amount = decimal::from_pb_or_zero(payment.crypto_amount.as_ref())
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            * Decimal::from(req.pieces)
            / Decimal::from(payment.pieces);
        let amount = amount.round_dp(8).normalize();
        let now = now_ms();
        let refund_id: i64 = q(sql!(
            "INSERT INTO invoices (owner_id, target_user_id, is_private, is_base_crypto, price, fiat_currency,
                price_variable, ttl_minutes, comment, pieces_min, pieces_max, limit_liquidity, status, created_at,
                valid_to, fee, refund_payment_id)
             VALUES ($1, $2, TRUE, TRUE, $3, '', '', $4, $5, 1, $6, FALSE, $7, $8, $9, $10, $11) RETURNING id"
        ))
        .bind(&buyer)
        .bind(&seller)
        .bind(amount)
        .bind(7 * 24 * 60)
        .bind(format!("Refund of {} piece(s) of payment #{}", req.pieces, payment.id))
        .bind(req.pieces)
        .bind(InvoiceStatus::Active as i32)
        .bind(now)
        .bind(now + 7 * 24 * 60 * 60_000)
        .bind(Decimal::ZERO)
        .bind(key)
        .scalar(&mut tx)
        .await?;
        q(sql!("UPDATE payments SET refunding = refunding + $1 WHERE id = $2"))
            .bind(req.pieces)
            .bind(key)
            .execute(&mut tx)
            .await?;
        let updated = self.payment_in(&mut tx, caller, key, false).await?;
        let row = load_row(&mut tx, refund_id).await?.ok_or_else(|| not_found(refund_id as u64))?;
        let refund = self.invoice_from_row(&row, caller)?;
        let notices = self.refund_notices(&mut tx, caller, &updated, &row).await?;
        tx.commit().await?;
        self.publish_all(notices);
        Ok(pb::CreateRefundResponse { payment: Some(updated), refund: Some(refund) })
    }
}
