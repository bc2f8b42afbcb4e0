//! Payments: how one looks to each party, listing, cancelling, refunds. (Paying:
//! `purchase.rs`.)

use super::events::event;
use super::invoices::{load_row, not_found};
use super::secrets::secret_from_row;
use super::{Caller, Result, Service, ServiceError, dec, pb_dec};
use crate::store::{now_ms, timestamp};
use rust_decimal::Decimal;
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};
use schet_api::{FieldError, Refusal, Rule, decimal, limits};
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;
use std::str::FromStr;

/// The payer has `have` BTC, the change takes `need`.
pub(super) fn balance_low(have: Decimal, need: Decimal) -> ServiceError {
    ServiceError::Refused(Refusal::BalanceLow { have: decimal::format_btc(have), need: decimal::format_btc(need) })
}

pub(super) fn payment_not_found(id: u64) -> ServiceError {
    ServiceError::NotFound(format!("payment {id} was not found"))
}

pub(super) async fn balance(conn: &mut SqliteConnection, user: &str) -> Result<Decimal> {
    let text: String =
        sqlx::query_scalar("SELECT balance FROM users WHERE id = ?").bind(user).fetch_one(&mut *conn).await?;
    Decimal::from_str(&text).map_err(|e| ServiceError::Internal(format!("balance: {e}")))
}

pub(super) async fn add_balance(conn: &mut SqliteConnection, user: &str, delta: Decimal) -> Result<()> {
    let new = balance(conn, user).await? + delta;
    if new < Decimal::ZERO {
        return Err(ServiceError::Internal("balance would go negative".into()));
    }
    sqlx::query("UPDATE users SET balance = ? WHERE id = ?")
        .bind(new.normalize().to_string())
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Service {
    /// A payment as the caller sees it (buyer or seller); `any_party` false means the caller
    /// must be one of them.
    pub(crate) async fn payment_in(
        &self,
        conn: &mut SqliteConnection,
        caller: &Caller,
        id: i64,
        any_party: bool,
    ) -> Result<pb::InvoicePayment> {
        let row = sqlx::query(
            "SELECT p.*, u.username AS b_name, u.created_at AS b_created, u.last_online AS b_online,
                u.invoices_created AS b_ic, u.payments_payed AS b_pp, u.payments_received AS b_pr, i.owner_id AS seller_id
             FROM payments p JOIN users u ON u.id = p.buyer_id JOIN invoices i ON i.id = p.invoice_id WHERE p.id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| payment_not_found(id as u64))?;
        let buyer: String = row.try_get("buyer_id")?;
        let seller: String = row.try_get("seller_id")?;
        if !any_party && caller.id != buyer && caller.id != seller {
            return Err(payment_not_found(id as u64));
        }
        let invoice_id: i64 = row.try_get("invoice_id")?;
        let invoice_row = load_row(conn, invoice_id).await?.ok_or_else(|| not_found(invoice_id as u64))?;
        let mut invoice = self.invoice_from_row(&invoice_row, caller)?;
        let status: i32 = row.try_get("status")?;
        // A purchase still in progress (its webhook not yet answered) has delivered nothing.
        let delivered = status != InvoicePaymentStatus::Pending as i32 || caller.id == seller;
        let secrets = if delivered {
            sqlx::query("SELECT * FROM invoice_secrets WHERE payment_id = ? ORDER BY id")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(secret_from_row)
                .collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        // The redirect URL travels with the delivered goods: the buyer sees it in their
        // payment (the invoice alone shows it to its owner only).
        let redirect = match &invoice.integration {
            Some(pb::invoice::Integration::Redirect(_)) if delivered => {
                invoice_row.try_get::<String, _>("redirect_url")?
            }
            _ => String::new(),
        };
        if caller.id == buyer && !redirect.is_empty() {
            invoice.integration = Some(pb::invoice::Integration::Redirect(redirect.clone()));
        }
        let secrets = secrets.into_iter().map(|mut s| {
            if s.url.is_empty() {
                s.url = redirect.clone();
            }
            s
        });
        let refund_rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE i.refund_payment_id = ? ORDER BY i.id LIMIT {}",
            super::INVOICE_SELECT,
            limits::REFUNDS_PER_PAYMENT_MAX
        )))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let refunds = refund_rows.iter().map(|r| self.invoice_from_row(r, caller)).collect::<Result<Vec<_>>>()?;
        Ok(pb::InvoicePayment {
            id: id as u64,
            crypto_amount: pb_dec(dec(&row, "crypto_amount")?)?,
            created_at: Some(timestamp(row.try_get("created_at")?)),
            confirmation: row.try_get("confirmation")?,
            owner: Some(self.user_info(&row, "b", buyer)?),
            invoice: Some(invoice),
            status,
            pieces: row.try_get::<i64, _>("pieces")? as u32,
            is_refund: row.try_get("is_refund")?,
            refunds,
            refunded: row.try_get::<i64, _>("refunded")? as u32,
            refunding: row.try_get::<i64, _>("refunding")? as u32,
            secrets: secrets.collect(),
            // What the seller's system answered is the seller's to read.
            webhook_detail: if caller.id == seller { row.try_get("webhook_detail")? } else { String::new() },
        })
    }

    /// GetInvoicePayments: payments the caller made (IsToMe false), received (true) or both.
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
        let side = match (req.is_to_me_has_value, req.is_to_me) {
            (false, _) => "(p.buyer_id = ?1 OR i.owner_id = ?1)",
            (true, true) => "i.owner_id = ?1",
            (true, false) => "p.buyer_id = ?1",
        };
        let sql = format!(
            "SELECT p.id FROM payments p JOIN invoices i ON i.id = p.invoice_id
             WHERE {side} AND (?2 = 0 OR p.id = ?2) AND (?3 = 0 OR p.id < ?3) ORDER BY p.id DESC LIMIT ?4"
        );
        let mut conn = self.store.read.acquire().await?;
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(&caller.id)
            .bind(payment_id)
            .bind(last_id)
            .bind(i64::from(count))
            .fetch_all(&mut *conn)
            .await?;
        // The page is cut where it would pass the reply budget (never below one payment,
        // which fits by construction); the client goes on from the last one with LastId.
        let (budget, mut used) = (self.config.reply_budget_bytes, 0);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let payment = self.payment_in(&mut conn, caller, id, false).await?;
            let size = prost::Message::encoded_len(&payment) + 8;
            if !out.is_empty() && used + size > budget {
                break;
            }
            used += size;
            out.push(payment);
        }
        Ok(out)
    }

    /// CancelInvoicePayment: the seller cancels a paid payment and returns the money; the
    /// pieces go back on sale (limited stock), a private invoice can be paid again. The
    /// secrets the buyer already saw stay with the cancelled payment.
    pub async fn cancel_payment(&self, caller: &Caller, payment_id: u64) -> Result<pb::InvoicePayment> {
        if payment_id == 0 {
            return Err(FieldError::new("PaymentId", Rule::Required).into());
        }
        let key = i64::try_from(payment_id).map_err(|_| payment_not_found(payment_id))?;
        let mut tx = self.store.write.begin().await?;
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
        let have = balance(&mut tx, &seller).await?;
        if have < amount {
            return Err(balance_low(have, amount));
        }
        add_balance(&mut tx, &seller, -amount).await?;
        add_balance(&mut tx, &buyer, amount).await?;
        sqlx::query("UPDATE payments SET status = ? WHERE id = ?")
            .bind(InvoicePaymentStatus::Canceled as i32)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        // A cancelled refund payment un-settles its pieces of the refunded payment: they
        // are in refund again (the refund invoice may be paid again).
        if let Some(pb::invoice::NullableRefund::RefundPaymentId(original)) = invoice.nullable_refund {
            let n = i64::from(invoice.pieces_max);
            sqlx::query("UPDATE payments SET refunded = MAX(refunded - ?, 0), refunding = refunding + ? WHERE id = ?")
                .bind(n)
                .bind(n)
                .bind(original as i64)
                .execute(&mut *tx)
                .await?;
        }
        let invoice_key = invoice.id as i64;
        let total = decimal::from_pb_or_zero(invoice.total_payed_crypto.as_ref()).unwrap_or_default() - amount;
        if invoice.is_private {
            sqlx::query("UPDATE invoices SET status = ?, total_payed_crypto = ? WHERE id = ? AND status = ?")
                .bind(InvoiceStatus::Active as i32)
                .bind(total.max(Decimal::ZERO).normalize().to_string())
                .bind(invoice_key)
                .bind(InvoiceStatus::Payed as i32)
                .execute(&mut *tx)
                .await?;
        } else {
            let restore = if invoice.limit_liquidity { i64::from(payment.pieces) } else { 0 };
            sqlx::query(
                "UPDATE invoices SET pieces_max = pieces_max + ?, total_payed_crypto = ?,
                    status = CASE WHEN status = ? THEN ? ELSE status END WHERE id = ?",
            )
            .bind(restore)
            .bind(total.max(Decimal::ZERO).normalize().to_string())
            .bind(InvoiceStatus::NoPieces as i32)
            .bind(InvoiceStatus::Active as i32)
            .bind(invoice_key)
            .execute(&mut *tx)
            .await?;
        }
        let updated = self.payment_in(&mut tx, caller, key, false).await?;
        let buyer_view =
            self.payment_in(&mut tx, &Caller { id: buyer.clone(), username: String::new() }, key, false).await?;
        tx.commit().await?;
        self.events.publish(&buyer, event(EventType::PaymentUpdated, Some(pb::event::Payload::Payment(buyer_view))));
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
        let mut tx = self.store.write.begin().await?;
        let payment = self.payment_in(&mut tx, caller, key, false).await?;
        if payment.status != InvoicePaymentStatus::Paid as i32 {
            return Err(ServiceError::FailedPrecondition("only a paid payment can be refunded".into()));
        }
        let refunds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE refund_payment_id = ?")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
        if refunds as usize >= limits::REFUNDS_PER_PAYMENT_MAX {
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
        let refund_id: i64 = sqlx::query_scalar(
            "INSERT INTO invoices (owner_id, target_user_id, is_private, is_base_crypto, price, fiat_currency,
                price_variable, ttl_minutes, comment, pieces_min, pieces_max, limit_liquidity, status, created_at,
                valid_to, fee, refund_payment_id)
             VALUES (?, ?, 1, 1, ?, '', '', ?, ?, 1, ?, 0, ?, ?, ?, '0', ?) RETURNING id",
        )
        .bind(&buyer)
        .bind(&seller)
        .bind(amount.to_string())
        .bind(7 * 24 * 60)
        .bind(format!("Refund of {} piece(s) of payment #{}", req.pieces, payment.id))
        .bind(i64::from(req.pieces))
        .bind(InvoiceStatus::Active as i32)
        .bind(now)
        .bind(now + 7 * 24 * 60 * 60_000)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE payments SET refunding = refunding + ? WHERE id = ?")
            .bind(i64::from(req.pieces))
            .bind(key)
            .execute(&mut *tx)
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
