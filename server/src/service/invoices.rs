//! Invoices: create, update, delete, expire; who may see one (reading: `invoice_reads.rs`).

use super::events::event;
use super::{
    Caller, INVOICE_SELECT, PRIVATE_FEE_RATE, Result, Service, ServiceError, Viewer, WEBHOOK_KEY_STORED, join_ids,
};
use crate::store::now_ms;
use rust_decimal::{Decimal, RoundingStrategy};
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus};
use schet_api::{FieldError, Rule, decimal, limits, validate};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, Row};

const LIVE: [i32; 3] = [InvoiceStatus::Active as i32, InvoiceStatus::PendingPay as i32, InvoiceStatus::NoPieces as i32];

/// The status a person should see: a live invoice past its ValidTo is deleted, even before
/// the sweeper has written that down.
pub(crate) fn effective_status(status: i32, valid_to: i64, now: i64) -> i32 {
    if valid_to <= now && LIVE.contains(&status) { InvoiceStatus::Deleted as i32 } else { status }
}

/// SQL for the same rule, for filtering.
pub(crate) const EFFECTIVE_STATUS_SQL: &str =
    "(CASE WHEN i.valid_to <= ?1 AND i.status IN (0, 1, 2) THEN 4 ELSE i.status END)";

/// The row of invoice `id` with its owner and target, or None.
pub(crate) async fn load_row(conn: &mut SqliteConnection, id: i64) -> Result<Option<SqliteRow>> {
    let sql = format!("{INVOICE_SELECT} WHERE i.id = ?");
    Ok(sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?)
}

/// An invoice row the viewer may see: public ones, and private ones they own or are the
/// target of (a guest: public ones only). Others' private invoices are "not found", exactly
/// like missing ones.
pub(crate) fn may_see<'a>(viewer: impl Into<Viewer<'a>>, row: &SqliteRow) -> Result<bool> {
    let viewer = viewer.into();
    let private: bool = row.try_get("is_private")?;
    let owner: String = row.try_get("owner_id")?;
    let target: Option<String> = row.try_get("target_user_id")?;
    Ok(!private || viewer.is(&owner) || target.is_some_and(|t| viewer.is(&t)))
}

pub(crate) fn not_found(id: u64) -> ServiceError {
    ServiceError::NotFound(format!("invoice {id} was not found"))
}

pub(crate) fn to_i64(id: u64, field: &str) -> Result<i64> {
    if id == 0 {
        return Err(FieldError::new(field, Rule::Required).into());
    }
    i64::try_from(id).map_err(|_| FieldError::new(field, Rule::OutOfRange).into())
}

impl Service {
    /// CreateInvoice: validates every field, prices it, stores it with its secrets.
    pub async fn create_invoice(&self, caller: &Caller, req: pb::CreateInvoiceRequest) -> Result<pb::Invoice> {
        validate::create_invoice(&req).first()?;
        if let Some(pb::create_invoice_request::Integration::Webhook(w)) = &req.integration {
            crate::webhook::check(w, false, &self.config.webhooks)?;
        }
        let secret_bytes: usize = req.secrets.iter().map(|s| limits::secret_wire_bytes(&s.text, s.images.len())).sum();
        if secret_bytes > self.config.secrets_bytes_per_invoice {
            return Err(ServiceError::ResourceExhausted(format!(
                "an invoice's secrets may take at most {} bytes (these take {secret_bytes})",
                self.config.secrets_bytes_per_invoice
            )));
        }
        let price = decimal::from_pb(req.price.as_ref().expect("validated")).expect("validated");
        let (fiat, variable) = if req.is_base_crypto {
            (String::new(), String::new())
        } else {
            (req.fiat_currency.clone(), req.price_variable.clone())
        };
        let crypto_price = self.crypto_price(req.is_base_crypto, price, &fiat, &variable)?;

        let mut tx = self.store.write.begin().await?;
        let target_id: Option<String> = if req.is_private {
            let target: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
                .bind(&req.user_name)
                .fetch_optional(&mut *tx)
                .await?;
            let target = target.ok_or_else(|| FieldError::new("UserName", Rule::NoSuchUser))?;
            if target == caller.id {
                return Err(FieldError::new("UserName", Rule::NotYourself).into());
            }
            Some(target)
        } else {
            None
        };
        self.check_live_invoices_quota(&mut tx, caller).await?;
        self.check_unsold_secrets_quota(&mut tx, caller, req.secrets.len()).await?;
        self.check_images_owned(&mut tx, caller, "Images", &req.images).await?;
        for (i, s) in req.secrets.iter().enumerate() {
            self.check_images_owned(&mut tx, caller, &format!("Secrets[{i}].Images"), &s.images).await?;
        }
        let (pieces_min, pieces_max) = if req.is_private { (1, 1) } else { (req.pieces_min, req.pieces_max) };
        let fee = if req.is_private {
            (crypto_price * PRIVATE_FEE_RATE).round_dp_with_strategy(8, RoundingStrategy::AwayFromZero).normalize()
        } else {
            Decimal::ZERO
        };
        let now = now_ms();
        let valid_to = now + i64::from(req.ttl_minutes) * 60_000;
        use pb::create_invoice_request::Integration;
        let (kind, redirect, webhook) = match &req.integration {
            None | Some(Integration::NoIntegration(_)) => (0, String::new(), pb::Webhook::default()),
            Some(Integration::Redirect(url)) => (1, url.clone(), pb::Webhook::default()),
            Some(Integration::Webhook(w)) => {
                (2, String::new(), pb::Webhook { client_key: self.seal_key(&w.client_key)?, ..w.clone() })
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invoices (owner_id, target_user_id, is_private, is_base_crypto, price, fiat_currency,
                price_variable, ttl_minutes, comment, pieces_min, pieces_max, limit_liquidity, status,
                created_at, valid_to, fee, images, integration, redirect_url, webhook_url,
                webhook_client_crt, webhook_client_key, webhook_server_crt, webhook_required)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&caller.id)
        .bind(&target_id)
        .bind(req.is_private)
        .bind(req.is_base_crypto)
        .bind(price.normalize().to_string())
        .bind(&fiat)
        .bind(&variable)
        .bind(i64::from(req.ttl_minutes))
        .bind(&req.comment)
        .bind(i64::from(pieces_min))
        .bind(i64::from(pieces_max))
        .bind(req.limit_liquidity && !req.is_private)
        .bind(InvoiceStatus::Active as i32)
        .bind(now)
        .bind(valid_to)
        .bind(fee.to_string())
        .bind(join_ids(&req.images))
        .bind(kind)
        .bind(&redirect)
        .bind(&webhook.url)
        .bind(&webhook.client_crt)
        .bind(&webhook.client_key)
        .bind(&webhook.server_crt)
        .bind(webhook.required)
        .fetch_one(&mut *tx)
        .await?;
        // The queue: by the requested Order, ties in the order given; stored densely 1..n.
        let mut secrets: Vec<&pb::CreateInvoiceSecretRequest> = req.secrets.iter().collect();
        secrets.sort_by_key(|s| s.order);
        for (position, s) in secrets.iter().enumerate() {
            sqlx::query(
                "INSERT INTO invoice_secrets (invoice_id, text, images, position, wire_bytes) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(&s.text)
            .bind(join_ids(&s.images))
            .bind(position as i64 + 1)
            .bind(limits::secret_wire_bytes(&s.text, s.images.len()) as i64)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE users SET invoices_created = invoices_created + 1 WHERE id = ?")
            .bind(&caller.id)
            .execute(&mut *tx)
            .await?;
        let row = load_row(&mut tx, id).await?.ok_or_else(|| not_found(id as u64))?;
        let created = self.invoice_from_row(&row, caller)?;
        let target_view = match &target_id {
            Some(t) => {
                Some((t.clone(), self.invoice_from_row(&row, &Caller { id: t.clone(), username: String::new() })?))
            }
            None => None,
        };
        tx.commit().await?;
        tracing::info!(invoice = id, owner = %caller.username, private = req.is_private, "invoice created");
        if let Some((target, view)) = target_view {
            self.events.publish(&target, event(EventType::InvoiceUpdated, Some(pb::event::Payload::Invoice(view))));
        }
        Ok(created)
    }

    /// Checks that every image GUID names an image the caller stored (the client uploads
    /// first). Another user's image is refused exactly like a missing one: attaching it
    /// would show it (a secret's image, say) to whoever sees what it is attached to.
    pub(crate) async fn check_images_owned(
        &self,
        conn: &mut SqliteConnection,
        caller: &Caller,
        field: &str,
        ids: &[String],
    ) -> Result<()> {
        for (i, id) in ids.iter().enumerate() {
            let found: Option<String> = sqlx::query_scalar("SELECT id FROM images WHERE id = ? AND owner_id = ?")
                .bind(id.to_ascii_lowercase())
                .bind(&caller.id)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                return Err(FieldError::new(format!("{field}[{i}]"), Rule::NoSuchImage).into());
            }
        }
        Ok(())
    }

    /// BTC amount of a price: itself for BTC prices, converted at the variable's rate for fiat.
    pub(crate) fn crypto_price(
        &self,
        base_crypto: bool,
        price: Decimal,
        fiat: &str,
        variable: &str,
    ) -> Result<Decimal> {
        if base_crypto {
            return Ok(price);
        }
        if !self.rates.variables.contains_key(variable) {
            let known: Vec<&str> = self.rates.variables.keys().map(String::as_str).collect();
            return Err(FieldError::new("PriceVariable", Rule::OneOf { known: known.join(", ") }).into());
        }
        self.rates
            .btc_for_fiat(price, fiat, variable)
            .ok_or_else(|| FieldError::new("FiatCurrency", Rule::NoRate).into())
    }

    /// UpdatePublicInvoice: the owner changes price, pieces, comment, images, integration.
    pub async fn update_public_invoice(
        &self,
        caller: &Caller,
        req: pb::UpdatePublicInvoiceRequest,
    ) -> Result<pb::Invoice> {
        let key = to_i64(req.invoice_id, "InvoiceId")?;
        let mut tx = self.store.write.begin().await?;
        let row = load_row(&mut tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(req.invoice_id));
        }
        self.check_owner_and_live(caller, &row, "change")?;
        if row.try_get::<bool, _>("is_private")? {
            return Err(ServiceError::FailedPrecondition(
                "a private invoice cannot be edited; delete it and issue a new one".into(),
            ));
        }
        let stored_key: String = row.try_get("webhook_client_key")?;
        validate::update_public_invoice(&req, !stored_key.is_empty()).first()?;
        use pb::update_public_invoice_request::Integration;
        let (kind, redirect, mut webhook) = match &req.integration {
            None | Some(Integration::NoIntegration(_)) => (0, String::new(), pb::Webhook::default()),
            Some(Integration::Redirect(url)) => (1, url.clone(), pb::Webhook::default()),
            Some(Integration::Webhook(w)) => (2, String::new(), w.clone()),
        };
        if kind == 2 {
            // The write-only key is kept unless replaced; checked with the certificate in
            // the clear, stored sealed.
            let keep = webhook.client_key.is_empty() || webhook.client_key == WEBHOOK_KEY_STORED;
            if keep {
                webhook.client_key = self
                    .open_key(&stored_key)
                    .map_err(|_| FieldError::new("Webhook.ClientKey", Rule::KeyUnreadable))?;
            }
            crate::webhook::check(&webhook, false, &self.config.webhooks)?;
            webhook.client_key = if keep { stored_key } else { self.seal_key(&webhook.client_key)? };
        }
        let price = decimal::from_pb(req.price.as_ref().expect("validated")).expect("validated");
        let (fiat, variable) = if req.is_base_crypto {
            (String::new(), String::new())
        } else {
            (req.fiat_currency.clone(), req.price_variable.clone())
        };
        self.crypto_price(req.is_base_crypto, price, &fiat, &variable)?;
        self.check_images_owned(&mut tx, caller, "Images", &req.images).await?;
        let status: i32 = row.try_get("status")?;
        // Stock was refilled: a sold-out invoice is on sale again.
        let status = if status == InvoiceStatus::NoPieces as i32 { InvoiceStatus::Active as i32 } else { status };
        sqlx::query(
            "UPDATE invoices SET is_base_crypto = ?, price = ?, fiat_currency = ?, price_variable = ?, comment = ?,
                pieces_min = ?, pieces_max = ?, limit_liquidity = ?, images = ?, integration = ?, redirect_url = ?,
                webhook_url = ?, webhook_client_crt = ?, webhook_client_key = ?, webhook_server_crt = ?,
                webhook_required = ?, status = ? WHERE id = ?",
        )
        .bind(req.is_base_crypto)
        .bind(price.normalize().to_string())
        .bind(&fiat)
        .bind(&variable)
        .bind(&req.comment)
        .bind(i64::from(req.pieces_min))
        .bind(i64::from(req.pieces_max))
        .bind(req.limit_liquidity)
        .bind(join_ids(&req.images))
        .bind(kind)
        .bind(&redirect)
        .bind(&webhook.url)
        .bind(&webhook.client_crt)
        .bind(&webhook.client_key)
        .bind(&webhook.server_crt)
        .bind(webhook.required)
        .bind(status)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        let row = load_row(&mut tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        let updated = self.invoice_from_row(&row, caller)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The caller owns the invoice and it is not deleted or expired.
    pub(crate) fn check_owner_and_live(&self, caller: &Caller, row: &SqliteRow, what: &str) -> Result<()> {
        let owner: String = row.try_get("owner_id")?;
        if owner != caller.id {
            return Err(ServiceError::PermissionDenied(format!("only the invoice's owner may {what} it")));
        }
        let status = effective_status(row.try_get("status")?, row.try_get("valid_to")?, now_ms());
        if status == InvoiceStatus::Deleted as i32 {
            return Err(ServiceError::FailedPrecondition("the invoice is deleted or expired".into()));
        }
        Ok(())
    }

    /// DeleteInvoice: the owner deletes it, or the recipient declines it (`declines`). A refund
    /// invoice's deletion abandons the refund: its payment's pieces in refund are released, and
    /// that payment is returned. The other party hears of it.
    pub async fn delete_invoice(&self, caller: &Caller, id: u64) -> Result<pb::DeleteInvoiceResponse> {
        use pb::delete_invoice_response::Refund;
        let key = to_i64(id, "InvoiceId")?;
        let mut tx = self.store.write.begin().await?;
        let row = load_row(&mut tx, key).await?.ok_or_else(|| not_found(id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(id));
        }
        let declining = self.declines(caller, &row)?;
        if !declining {
            self.check_owner_and_live(caller, &row, "delete")?;
        }
        if row.try_get::<i32, _>("status")? == InvoiceStatus::Payed as i32 {
            return Err(ServiceError::FailedPrecondition("a paid invoice cannot be deleted".into()));
        }
        sqlx::query("UPDATE invoices SET status = ? WHERE id = ?")
            .bind(InvoiceStatus::Deleted as i32)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        let refund_of: Option<i64> = row.try_get("refund_payment_id")?;
        let refund = match refund_of {
            Some(payment_id) => {
                let pieces: i64 = row.try_get("pieces_max")?;
                sqlx::query("UPDATE payments SET refunding = MAX(refunding - ?, 0) WHERE id = ?")
                    .bind(pieces)
                    .bind(payment_id)
                    .execute(&mut *tx)
                    .await?;
                Refund::PaymentRefund(self.payment_in(&mut tx, caller, payment_id, true).await?)
            }
            None => Refund::RefundIsNull(true),
        };
        let deleted = load_row(&mut tx, key).await?.ok_or_else(|| not_found(id))?;
        let notices = self.deletion_notices(caller, &deleted)?;
        tx.commit().await?;
        self.publish_all(notices);
        Ok(pb::DeleteInvoiceResponse { refund: Some(refund) })
    }

    /// Ends an invoice's time: it reads as expired from now on (the demo's lapsed offer).
    pub async fn end_validity(&self, id: u64) -> Result<()> {
        let key = to_i64(id, "InvoiceId")?;
        sqlx::query("UPDATE invoices SET valid_to = MIN(valid_to, created_at - 1) WHERE id = ?")
            .bind(key)
            .execute(&self.store.write)
            .await?;
        Ok(())
    }

    /// Marks live invoices past their ValidTo as deleted. Returns how many.
    pub async fn sweep_expired(&self) -> Result<u64> {
        let done = sqlx::query("UPDATE invoices SET status = ? WHERE status IN (0, 1, 2) AND valid_to <= ?")
            .bind(InvoiceStatus::Deleted as i32)
            .bind(now_ms())
            .execute(&self.store.write)
            .await?;
        Ok(done.rows_affected())
    }
}
