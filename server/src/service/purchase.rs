//! PayInvoiceFromBalance: a buyer pays pieces of an invoice from their BTC balance.
//!
//! Every purchase is *taken* (the buyer's money held, stock and secrets set aside) and
//! *settled* (the seller is paid, the payment is Paid) or *released* (all of it put back,
//! the payment Canceled). Without a webhook both happen at once, in one transaction of a
//! few statements. With one, no transaction waits on the network:
//! 1. take (a Pending payment), and commit (its id and idempotency key are now permanent);
//! 2. deliver the webhook, outside any transaction, with that key;
//! 3. settle (delivered, or an optional webhook failed) or release (a required one failed)
//!    in a second transaction (`settlement.rs`).
//!
//! A crash between the steps leaves a Pending payment; `release_stale_reservations`
//! (on start, and every half minute) releases those older than the webhook timeout, so
//! nothing is charged twice and nothing is lost.
//!
//! Concurrency: the invoice's row is locked first (PostgreSQL: `FOR UPDATE`), then the two
//! balances in id order; two purchases of one invoice take turns, so stock never goes below
//! zero and a secret is sold once. (SQLite runs one write transaction at a time.)

use super::events::event;
use super::invoices::{effective_status, lock_row, may_see, not_found};
use super::payment_views::Detail;
use super::payments::lock_balances;
use super::settlement::{NewBalances, apply};
use super::{Caller, Result, Service, ServiceError, random_bytes};
use crate::db::{Conn, now_ms, q};
use crate::sql;
use crate::webhook::{self, WebhookError};
use rust_decimal::Decimal;
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};
use schet_api::{FieldError, Rule, decimal};

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
pub(super) struct Plan {
    pub invoice_id: i64,
    pub seller: String,
    pub is_private: bool,
    pub limit_liquidity: bool,
    pub pieces: u32,
    pub amount: Decimal,
    /// The invoice's stock (PiecesMax) and total paid, as locked.
    pub stock: i64,
    pub total: Decimal,
    /// The first unsold secret's position, when the invoice sells secrets (one per piece).
    pub first_secret: Option<i64>,
    pub webhook: Option<pb::Webhook>,
    /// A refund invoice: the payment it refunds, and how many of its pieces.
    pub refund_of: Option<(i64, i64)>,
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
        let mut tx = self.store.begin().await?;
        let plan = self.plan(&mut tx, caller, req, agreed).await?;
        let balances = lock_balances(&mut tx, &[&caller.id, &plan.seller]).await?;
        let have = balances[&caller.id];
        if have < plan.amount {
            return Err(super::payments::balance_low(have, plan.amount));
        }
        let idempotency_key: String = random_bytes::<16>().iter().map(|b| format!("{b:02x}")).collect();
        let Some(hook) = plan.webhook.clone() else {
            // Taken and settled at once.
            let after = NewBalances { buyer: have - plan.amount, seller: Some(balances[&plan.seller] + plan.amount) };
            let payment_id = self.take(&mut tx, caller, &plan, &idempotency_key, after).await?;
            let (buyer_view, seller_view) = self.views(&mut tx, caller, &plan.seller, payment_id).await?;
            tx.commit().await?;
            self.announce_paid(&plan, caller, buyer_view.clone(), seller_view);
            return Ok(buyer_view);
        };
        let after = NewBalances { buyer: have - plan.amount, seller: None };
        let payment_id = self.take(&mut tx, caller, &plan, &idempotency_key, after).await?;
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
        let mut tx = self.store.begin().await?;
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
        self.publish(&plan.seller, event(EventType::PaymentUpdated, Some(pb::event::Payload::Payment(seller_view))));
        let why = match outcome {
            Err(e) => e.to_string(),
            Ok(()) => WebhookError::Timeout(self.config.webhooks.timeout).to_string(),
        };
        Err(ServiceError::FailedPrecondition(format!("the purchase was not completed: {why}; nothing was charged")))
    }

    /// Every check of a purchase, with the invoice locked.
    async fn plan(
        &self,
        tx: &mut Conn,
        caller: &Caller,
        req: &pb::PayInvoiceFromBalanceRequest,
        agreed: Option<Decimal>,
    ) -> Result<Plan> {
        let key = i64::try_from(req.invoice_id).map_err(|_| not_found(req.invoice_id))?;
        let row = lock_row(tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(req.invoice_id));
        }
        let invoice = self.invoice_from_row(&row, caller)?;
        let seller: String = row.get("owner_id")?;
        if seller == caller.id {
            return Err(ServiceError::FailedPrecondition("you cannot pay your own invoice".into()));
        }
        match InvoiceStatus::try_from(effective_status(row.get("status")?, row.get("valid_to")?, now_ms())) {
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
        // Secrets: one per piece, the front of the queue; if the invoice sells secrets,
        // there must be enough of them. Counted here, in a statement of its own, after the
        // lock is held: not from `secrets_unsold` in the locked row, whose subquery keeps
        // the snapshot of a statement that may have waited for the lock (PostgreSQL, READ
        // COMMITTED: only the locked row is read again), and so may still count secrets a
        // purchase that held the lock before us has sold. Every change to an invoice's
        // secrets holds its lock, so this count stays true until we commit.
        let queue = q(sql!(
            "SELECT MIN(position) AS first, MAX(position) AS last FROM invoice_secrets
             WHERE invoice_id = $1 AND payment_id IS NULL"
        ))
        .bind(key)
        .fetch_one(tx)
        .await?;
        let (first, last): (Option<i64>, Option<i64>) = (queue.get("first")?, queue.get("last")?);
        let (first_secret, unsold) = match (first, last) {
            (Some(first), Some(last)) => (Some(first), last - first + 1),
            _ => {
                let any = q(sql!("SELECT id FROM invoice_secrets WHERE invoice_id = $1 LIMIT 1"))
                    .bind(key)
                    .scalar_opt::<i64>(tx)
                    .await?;
                (any.map(|_| 0), 0)
            }
        };
        if first_secret.is_some() && unsold < i64::from(pieces) {
            return Err(ServiceError::FailedPrecondition(format!(
                "only {unsold} secret(s) are left for {pieces} piece(s)"
            )));
        }
        let webhook = if row.get::<i64>("integration")? == 2 {
            Some(pb::Webhook {
                url: row.get("webhook_url")?,
                client_crt: row.get("webhook_client_crt")?,
                client_key: row.get("webhook_client_key")?,
                server_crt: row.get("webhook_server_crt")?,
                required: row.get("webhook_required")?,
            })
        } else {
            None
        };
        let refund_of = match row.get::<Option<i64>>("refund_payment_id")? {
            Some(original) => Some((original, row.get("pieces_max")?)),
            None => None,
        };
        Ok(Plan {
            invoice_id: key,
            seller,
            is_private: invoice.is_private,
            limit_liquidity: invoice.limit_liquidity,
            pieces,
            amount,
            stock: row.get("pieces_max")?,
            total: row.get("total_payed_crypto")?,
            first_secret,
            webhook,
            refund_of,
        })
    }

    /// Takes the purchase: the payment (Pending; Paid when the seller is paid at once), its
    /// secrets, the invoice's stock and status, the balances.
    async fn take(
        &self,
        tx: &mut Conn,
        caller: &Caller,
        plan: &Plan,
        idempotency_key: &str,
        after: NewBalances,
    ) -> Result<i64> {
        let settled = after.seller.is_some();
        let now = now_ms();
        let confirmation: String = random_bytes::<8>().iter().map(|b| format!("{b:02x}")).collect();
        let status = if settled { InvoicePaymentStatus::Paid } else { InvoicePaymentStatus::Pending };
        let payment_id: i64 = q(sql!(
            "INSERT INTO payments (invoice_id, buyer_id, seller_id, pieces, crypto_amount, status, confirmation,
                created_at, idempotency_key, reserved_at, is_refund)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        ))
        .bind(plan.invoice_id)
        .bind(&caller.id)
        .bind(&plan.seller)
        .bind(plan.pieces)
        .bind(plan.amount.normalize())
        .bind(status as i32)
        .bind(&confirmation)
        .bind(now)
        .bind(idempotency_key)
        .bind(if settled { None } else { Some(now) })
        .bind(settled && plan.refund_of.is_some())
        .scalar(tx)
        .await?;
        if let Some(first) = plan.first_secret {
            // The front of the queue is sold, keeping the Order it was sold at (1..pieces).
            let sold = q(sql!(
                "UPDATE invoice_secrets SET payment_id = $1, position = position - $2
                 WHERE invoice_id = $3 AND payment_id IS NULL AND position < $4"
            ))
            .bind(payment_id)
            .bind(first - 1)
            .bind(plan.invoice_id)
            .bind(first + i64::from(plan.pieces))
            .execute(tx)
            .await?;
            // Never a purchase that pays for secrets it does not get (rolled back).
            if sold != u64::from(plan.pieces) {
                return Err(ServiceError::Internal(format!(
                    "invoice {}: {sold} secret(s) left for {} piece(s) bought",
                    plan.invoice_id, plan.pieces
                )));
            }
        }
        let stock = if plan.limit_liquidity { plan.stock - i64::from(plan.pieces) } else { plan.stock };
        let status = if plan.is_private {
            if settled { InvoiceStatus::Payed } else { InvoiceStatus::PendingPay }
        } else if plan.limit_liquidity && stock <= 0 {
            InvoiceStatus::NoPieces
        } else {
            InvoiceStatus::Active
        };
        let (total, count) = if settled { (plan.total + plan.amount, 1) } else { (plan.total, 0) };
        // Balances (and a refunded payment) before the invoice's status: a status that ends
        // a private invoice changes its owner's count of live invoices, the last lock taken
        // (migrations/postgres/0007_live_invoices.sql).
        apply(tx, &caller.id, &plan.seller, after, plan.refund_of).await?;
        q(sql!(
            "UPDATE invoices SET pieces_max = $1, status = $2, total_payed_crypto = $3,
                payments_count = payments_count + $4 WHERE id = $5"
        ))
        .bind(stock)
        .bind(status as i32)
        .bind(total.normalize())
        .bind(count)
        .bind(plan.invoice_id)
        .execute(tx)
        .await?;
        Ok(payment_id)
    }

    /// The webhook with its client key opened (stored sealed).
    fn open_webhook(&self, mut hook: pb::Webhook) -> std::result::Result<pb::Webhook, WebhookError> {
        hook.client_key = self.open_key(&hook.client_key).map_err(|e| WebhookError::Config(e.to_string()))?;
        Ok(hook)
    }

    /// The payment as its buyer and as its seller see it (read once).
    async fn views(
        &self,
        tx: &mut Conn,
        buyer: &Caller,
        seller: &str,
        payment_id: i64,
    ) -> Result<(pb::InvoicePayment, pb::InvoicePayment)> {
        let loaded = self.load_payments(tx, &[payment_id], Detail::New, None).await?;
        let seller = Caller { id: seller.to_string(), username: String::new() };
        let missing = || ServiceError::Internal(format!("payment {payment_id} vanished"));
        let buyer_view = self.show_payments(&loaded, buyer, true)?.pop().ok_or_else(missing)?;
        let seller_view = self.show_payments(&loaded, &seller, true)?.pop().ok_or_else(missing)?;
        Ok((buyer_view, seller_view))
    }

    fn announce_paid(
        &self,
        plan: &Plan,
        buyer: &Caller,
        buyer_view: pb::InvoicePayment,
        seller_view: pb::InvoicePayment,
    ) {
        tracing::debug!(payment = buyer_view.id, invoice = plan.invoice_id, pieces = plan.pieces, "invoice paid");
        let kind = if plan.is_private { EventType::InvoicePaid } else { EventType::PaymentNew };
        self.publish(&plan.seller, event(kind, Some(pb::event::Payload::Payment(summary(seller_view)))));
        self.publish(&buyer.id, event(EventType::PaymentNew, Some(pb::event::Payload::Payment(summary(buyer_view)))));
    }
}

/// A payment for an event or a conversation: without its goods and refund invoices (the
/// client reads those with GetInvoicePayments), so that it stays small.
pub(crate) fn summary(mut p: pb::InvoicePayment) -> pb::InvoicePayment {
    p.secrets.clear();
    p.refunds.clear();
    p
}
