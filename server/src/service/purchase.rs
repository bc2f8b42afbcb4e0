//! PayInvoiceFromBalance: a buyer pays pieces of an invoice from their BTC balance.
//!
//! Every purchase is *taken* (a Pending payment: the buyer's money held, stock and secrets
//! set aside) and then *settled* (the seller is paid, the payment is Paid) or *released*
//! (all of it put back, the payment Canceled). Without a webhook both happen in one
//! transaction. With one, no transaction waits on the network:
//! 1. take, and commit (the payment id and its idempotency key are now permanent);
//! 2. deliver the webhook, outside any transaction, with that key;
//! 3. settle (delivered, or an optional webhook failed) or release (a required one failed)
//!    in a second transaction.
//!
//! A crash between the steps leaves a Pending payment; `release_stale_reservations`
//! (on start, and every half minute) releases those older than the webhook timeout, so
//! nothing is charged twice and nothing is lost.

use super::events::event;
use super::invoices::{effective_status, load_row, may_see, not_found};
use super::payments::{add_balance, balance};
use super::secrets::write_queue;
use super::{Caller, Result, Service, ServiceError, random_bytes};
use crate::store::now_ms;
use crate::webhook::{self, WebhookError};
use rust_decimal::Decimal;
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};
use schet_api::{FieldError, Rule, decimal};
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

/// What the seller's system receives on a purchase.
#[derive(serde::Serialize)]
struct WebhookBody<'a> {
    event: &'static str,
    payment_id: u64,
    invoice_id: u64,
    pieces: u32,
    /// Exact decimal text.
    amount_btc: String,
    buyer: Buyer<'a>,
    confirmation: &'a str,
    created_at_unix: i64,
    /// The same as the `Idempotency-Key` header: one per payment, never reused.
    idempotency_key: &'a str,
}

#[derive(serde::Serialize)]
struct Buyer<'a> {
    id: &'a str,
    username: &'a str,
}

/// A purchase that passed every check, ready to take.
struct Plan {
    invoice_id: i64,
    seller: String,
    is_private: bool,
    limit_liquidity: bool,
    pieces: u32,
    amount: Decimal,
    /// Unsold secrets in queue order; the first `pieces` go with the payment when the
    /// invoice sells secrets.
    queue: Vec<i64>,
    sells_secrets: bool,
    webhook: Option<pb::Webhook>,
}

impl Service {
    /// PayInvoiceFromBalance: all or nothing (balances, stock, secrets and, with a required
    /// webhook, the seller's confirmation). With `AgreedAmount`, a price other than the one
    /// the buyer agreed to is refused.
    pub async fn pay_from_balance(
        &self,
        caller: &Caller,
        req: &pb::PayInvoiceFromBalanceRequest,
    ) -> Result<pb::InvoicePayment> {
        if req.invoice_id == 0 {
            return Err(FieldError::new("InvoiceId", Rule::Required).into());
        }
        let agreed = match &req.agreed_amount {
            Some(d) => Some(decimal::from_pb(d).map_err(|e| FieldError::new("AgreedAmount", e.into()))?),
            None => None,
        };
        let mut tx = self.store.write.begin().await?;
        let plan = self.plan(&mut tx, caller, req, agreed).await?;
        let idempotency_key: String = random_bytes::<16>().iter().map(|b| format!("{b:02x}")).collect();
        let payment_id = self.take(&mut tx, caller, &plan, &idempotency_key).await?;
        let Some(hook) = plan.webhook.clone() else {
            self.settle(&mut tx, payment_id, "").await?;
            let (buyer_view, seller_view) = self.views(&mut tx, caller, &plan.seller, payment_id).await?;
            tx.commit().await?;
            self.announce_paid(&plan, caller, buyer_view.clone(), seller_view);
            return Ok(buyer_view);
        };
        let body = {
            let p = self.payment_in(&mut tx, caller, payment_id, false).await?;
            let buyer = p.owner.clone().unwrap_or_default();
            serde_json::to_vec(&WebhookBody {
                event: "invoice_payment",
                payment_id: p.id,
                invoice_id: plan.invoice_id as u64,
                pieces: plan.pieces,
                amount_btc: plan.amount.normalize().to_string(),
                buyer: Buyer { id: &buyer.id, username: &buyer.username },
                confirmation: &p.confirmation,
                created_at_unix: p.created_at.map_or(0, |t| t.seconds),
                idempotency_key: &idempotency_key,
            })
            .map_err(|e| ServiceError::Internal(e.to_string()))?
        };
        // The reservation is permanent before anyone outside hears of it.
        tx.commit().await?;
        let outcome = match self.open_webhook(hook.clone()) {
            Ok(opened) => webhook::deliver(&opened, body, &idempotency_key, &self.config.webhooks).await,
            Err(e) => Err(e),
        };
        let mut tx = self.store.write.begin().await?;
        let done = match &outcome {
            Ok(()) => self.settle(&mut tx, payment_id, "").await?,
            Err(e) if !hook.required => {
                tracing::warn!(payment = payment_id, detail = %e.detail(), "optional webhook failed; purchase kept");
                self.settle(&mut tx, payment_id, &e.detail()).await?
            }
            Err(e) => {
                tracing::warn!(payment = payment_id, detail = %e.detail(), "required webhook failed; purchase released");
                self.release(&mut tx, payment_id, &e.detail()).await?;
                false
            }
        };
        let (buyer_view, seller_view) = self.views(&mut tx, caller, &plan.seller, payment_id).await?;
        tx.commit().await?;
        if done {
            self.announce_paid(&plan, caller, buyer_view.clone(), seller_view);
            return Ok(buyer_view);
        }
        self.events
            .publish(&plan.seller, event(EventType::PaymentUpdated, Some(pb::event::Payload::Payment(seller_view))));
        let why = match outcome {
            Err(e) => e.to_string(),
            Ok(()) => WebhookError::Timeout(self.config.webhooks.timeout).to_string(),
        };
        Err(ServiceError::FailedPrecondition(format!("the purchase was not completed: {why}; nothing was charged")))
    }

    /// Every check of a purchase, in the write transaction.
    async fn plan(
        &self,
        tx: &mut SqliteConnection,
        caller: &Caller,
        req: &pb::PayInvoiceFromBalanceRequest,
        agreed: Option<Decimal>,
    ) -> Result<Plan> {
        let key = i64::try_from(req.invoice_id).map_err(|_| not_found(req.invoice_id))?;
        let row = load_row(tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(req.invoice_id));
        }
        let invoice = self.invoice_from_row(&row, caller)?;
        let seller: String = row.try_get("owner_id")?;
        if seller == caller.id {
            return Err(ServiceError::FailedPrecondition("you cannot pay your own invoice".into()));
        }
        match InvoiceStatus::try_from(effective_status(row.try_get("status")?, row.try_get("valid_to")?, now_ms())) {
            Ok(InvoiceStatus::Active) => {}
            Ok(InvoiceStatus::NoPieces) => {
                return Err(ServiceError::FailedPrecondition("the invoice is sold out".into()));
            }
            Ok(InvoiceStatus::Payed) => {
                return Err(ServiceError::FailedPrecondition("the invoice is already paid".into()));
            }
            Ok(InvoiceStatus::PendingPay) => {
                return Err(ServiceError::FailedPrecondition("the invoice is awaiting another payment".into()));
            }
            _ => return Err(ServiceError::FailedPrecondition("the invoice is deleted or expired".into())),
        }
        let unit_price = decimal::from_pb_or_zero(invoice.current_crypto_price.as_ref())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        if unit_price <= Decimal::ZERO {
            return Err(ServiceError::FailedPrecondition("the invoice has no BTC price right now (no rate)".into()));
        }
        let pieces = if invoice.is_private {
            if req.pieces > 1 {
                return Err(FieldError::new("Pieces", Rule::PaidWhole).into());
            }
            1
        } else {
            // With limited stock the last pieces may be fewer than PiecesMin.
            let low = invoice.pieces_min.min(invoice.pieces_max).max(1);
            if req.pieces < low || req.pieces > invoice.pieces_max {
                let range = Rule::Between { min: low.into(), max: invoice.pieces_max.into() };
                return Err(FieldError::new("Pieces", range).into());
            }
            req.pieces
        };
        let amount = unit_price * Decimal::from(pieces);
        if let Some(agreed) = agreed
            && agreed != amount
        {
            return Err(ServiceError::Refused(schet_api::Refusal::PriceChanged {
                pieces: pieces.to_string(),
                now: decimal::format_btc(amount),
                agreed: decimal::format_btc(agreed),
            }));
        }
        let have = balance(tx, &caller.id).await?;
        if have < amount {
            return Err(super::payments::balance_low(have, amount));
        }
        // Secrets: one per piece, the front of the queue; if the invoice sells secrets,
        // there must be enough of them.
        let total_secrets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoice_secrets WHERE invoice_id = ?")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
        let queue: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM invoice_secrets WHERE invoice_id = ? AND payment_id IS NULL ORDER BY position, id",
        )
        .bind(key)
        .fetch_all(&mut *tx)
        .await?;
        if total_secrets > 0 && (queue.len() as u32) < pieces {
            return Err(ServiceError::FailedPrecondition(format!(
                "only {} secret(s) are left for {pieces} piece(s)",
                queue.len()
            )));
        }
        let webhook = if row.try_get::<i64, _>("integration")? == 2 {
            Some(pb::Webhook {
                url: row.try_get("webhook_url")?,
                client_crt: row.try_get("webhook_client_crt")?,
                client_key: row.try_get("webhook_client_key")?,
                server_crt: row.try_get("webhook_server_crt")?,
                required: row.try_get("webhook_required")?,
            })
        } else {
            None
        };
        Ok(Plan {
            invoice_id: key,
            seller,
            is_private: invoice.is_private,
            limit_liquidity: invoice.limit_liquidity,
            pieces,
            amount,
            queue,
            sells_secrets: total_secrets > 0,
            webhook,
        })
    }

    /// Step 1: a Pending payment; the buyer's money held, stock and secrets set aside.
    async fn take(
        &self,
        tx: &mut SqliteConnection,
        caller: &Caller,
        plan: &Plan,
        idempotency_key: &str,
    ) -> Result<i64> {
        let now = now_ms();
        let confirmation: String = random_bytes::<8>().iter().map(|b| format!("{b:02x}")).collect();
        let payment_id: i64 = sqlx::query_scalar(
            "INSERT INTO payments (invoice_id, buyer_id, pieces, crypto_amount, status, confirmation, created_at,
                idempotency_key, reserved_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(plan.invoice_id)
        .bind(&caller.id)
        .bind(i64::from(plan.pieces))
        .bind(plan.amount.normalize().to_string())
        .bind(InvoicePaymentStatus::Pending as i32)
        .bind(&confirmation)
        .bind(now)
        .bind(idempotency_key)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let (sold, rest) = plan.queue.split_at(if plan.sells_secrets { plan.pieces as usize } else { 0 });
        for id in sold {
            sqlx::query("UPDATE invoice_secrets SET payment_id = ? WHERE id = ?")
                .bind(payment_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        write_queue(tx, rest).await?;
        add_balance(tx, &caller.id, -plan.amount).await?;
        if plan.is_private {
            sqlx::query("UPDATE invoices SET status = ? WHERE id = ?")
                .bind(InvoiceStatus::PendingPay as i32)
                .bind(plan.invoice_id)
                .execute(&mut *tx)
                .await?;
        } else if plan.limit_liquidity {
            sqlx::query(
                "UPDATE invoices SET pieces_max = pieces_max - ?1,
                    status = CASE WHEN pieces_max - ?1 <= 0 THEN ?2 ELSE status END WHERE id = ?3",
            )
            .bind(i64::from(plan.pieces))
            .bind(InvoiceStatus::NoPieces as i32)
            .bind(plan.invoice_id)
            .execute(&mut *tx)
            .await?;
        }
        Ok(payment_id)
    }

    /// The webhook with its client key opened (stored sealed).
    fn open_webhook(&self, mut hook: pb::Webhook) -> std::result::Result<pb::Webhook, WebhookError> {
        hook.client_key = self.open_key(&hook.client_key).map_err(|e| WebhookError::Config(e.to_string()))?;
        Ok(hook)
    }

    /// The payment as its buyer and as its seller see it.
    async fn views(
        &self,
        tx: &mut SqliteConnection,
        buyer: &Caller,
        seller: &str,
        payment_id: i64,
    ) -> Result<(pb::InvoicePayment, pb::InvoicePayment)> {
        let buyer_view = self.payment_in(tx, buyer, payment_id, false).await?;
        let seller = Caller { id: seller.to_string(), username: String::new() };
        let seller_view = self.payment_in(tx, &seller, payment_id, false).await?;
        Ok((buyer_view, seller_view))
    }

    fn announce_paid(
        &self,
        plan: &Plan,
        buyer: &Caller,
        buyer_view: pb::InvoicePayment,
        seller_view: pb::InvoicePayment,
    ) {
        tracing::info!(payment = buyer_view.id, invoice = plan.invoice_id, pieces = plan.pieces, "invoice paid");
        let kind = if plan.is_private { EventType::InvoicePaid } else { EventType::PaymentNew };
        self.events.publish(&plan.seller, event(kind, Some(pb::event::Payload::Payment(summary(seller_view)))));
        self.events
            .publish(&buyer.id, event(EventType::PaymentNew, Some(pb::event::Payload::Payment(summary(buyer_view)))));
    }
}

/// A payment for an event or a conversation: without its goods and refund invoices (the
/// client reads those with GetInvoicePayments), so that it stays small.
pub(crate) fn summary(mut p: pb::InvoicePayment) -> pb::InvoicePayment {
    p.secrets.clear();
    p.refunds.clear();
    p
}
