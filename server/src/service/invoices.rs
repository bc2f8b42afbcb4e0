//! Invoices: create, update, delete, expire; who may see one (reading: `invoice_reads.rs`).

use super::events::event;
use super::{Caller, PRIVATE_FEE_RATE, Result, Service, ServiceError, Viewer, WEBHOOK_KEY_STORED, join_ids};
use crate::db::{Conn, Row, now_ms, q};
use crate::{sql, sql_in};
use rust_decimal::{Decimal, RoundingStrategy};
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus};
use schet_api::{FieldError, Rule, decimal, limits, validate};

const LIVE: [i32; 3] = [InvoiceStatus::Active as i32, InvoiceStatus::PendingPay as i32, InvoiceStatus::NoPieces as i32];

/// The status a person should see: a live invoice past its ValidTo is deleted, even before
/// the sweeper has written that down.
pub(crate) fn effective_status(status: i32, valid_to: i64, now: i64) -> i32 {
    if valid_to <= now && LIVE.contains(&status) { InvoiceStatus::Deleted as i32 } else { status }
}

/// The row of invoice `id` with its owner and target, or None.
pub(crate) async fn load_row(conn: &mut Conn, id: i64) -> Result<Option<Row>> {
    let stmt = sql!(concat!("SELECT ", invoice_columns!(), " FROM invoices i", invoice_users!(), " WHERE i.id = $1"));
    Ok(q(stmt).bind(id).fetch_optional(conn).await?)
}

/// [`load_row`] in a write transaction that will change the invoice (or its secrets, stock,
/// payments): PostgreSQL locks its row until the end of the transaction, so that two
/// purchases, edits or refunds of one invoice take turns.
pub(crate) async fn lock_row(tx: &mut Conn, id: i64) -> Result<Option<Row>> {
    let stmt = sql!(
        sqlite: concat!("SELECT ", invoice_columns!(), " FROM invoices i", invoice_users!(), " WHERE i.id = $1"),
        postgres: concat!(
            "SELECT ", invoice_columns!(), " FROM invoices i", invoice_users!(), " WHERE i.id = $1 FOR UPDATE OF i"
        ),
    );
    Ok(q(stmt).bind(id).fetch_optional(tx).await?)
}

/// An invoice row the viewer may see: public ones, and private ones they own or are the
/// target of (a guest: public ones only). Others' private invoices are "not found", exactly
/// like missing ones.
pub(crate) fn may_see<'a>(viewer: impl Into<Viewer<'a>>, row: &Row) -> Result<bool> {
    let viewer = viewer.into();
    let private: bool = row.get("is_private")?;
    let owner: String = row.get("owner_id")?;
    let target: Option<String> = row.get("target_user_id")?;
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

/// Where an image is shown, for GetImage's check of who may see it.
#[derive(Clone, Copy)]
pub(crate) enum Use {
    Invoice(i64),
    Secret(i64),
    Message(i64),
}

/// Records that `images` are shown by `at` (replacing what it showed before).
pub(crate) async fn record_image_uses(tx: &mut Conn, at: Use, images: &[String], replace: bool) -> Result<()> {
    if replace {
        match at {
            Use::Invoice(id) => q(sql!("DELETE FROM image_uses WHERE invoice_id = $1")).bind(id).execute(tx).await?,
            Use::Secret(id) => q(sql!("DELETE FROM image_uses WHERE secret_id = $1")).bind(id).execute(tx).await?,
            Use::Message(_) => 0,
        };
    }
    for image in images {
        let image = image.to_ascii_lowercase();
        let stmt = match at {
            Use::Invoice(_) => sql!("INSERT INTO image_uses (image_id, invoice_id) VALUES ($1, $2)"),
            Use::Secret(_) => sql!("INSERT INTO image_uses (image_id, secret_id) VALUES ($1, $2)"),
            Use::Message(_) => sql!("INSERT INTO image_uses (image_id, message_id) VALUES ($1, $2)"),
        };
        let (Use::Invoice(id) | Use::Secret(id) | Use::Message(id)) = at;
        q(stmt).bind(image).bind(id).execute(tx).await?;
    }
    Ok(())
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
        // Users and images are never deleted: checked before the write transaction.
        let target_id: Option<String> = if req.is_private {
            let target = self.user_id(&req.user_name).await?;
            let target = target.ok_or_else(|| FieldError::new("UserName", Rule::NoSuchUser))?;
            if target == caller.id {
                return Err(FieldError::new("UserName", Rule::NotYourself).into());
            }
            Some(target)
        } else {
            None
        };
        let mut lists = vec![("Images".to_string(), &req.images)];
        for (i, s) in req.secrets.iter().enumerate() {
            lists.push((format!("Secrets[{i}].Images"), &s.images));
        }
        self.check_images_owned(caller, &lists).await?;

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
        let mut tx = self.store.begin().await?;
        // Counted first: on PostgreSQL this locks the caller's row, so that two creates of
        // one user take turns at the quotas below (rolled back with them). SQLite (one
        // writer: nothing changes between) reads the caller's count of live invoices in the
        // same statement; PostgreSQL reads it after this lock ([`Service::check_live_invoices_quota`]).
        let live: Option<i64> = q(sql!(
            sqlite: "UPDATE users SET invoices_created = invoices_created + 1 WHERE id = $1
                RETURNING COALESCE((SELECT n FROM live_invoices WHERE owner_id = $1), 0)",
            postgres: "UPDATE users SET invoices_created = invoices_created + 1 WHERE id = $1
                RETURNING CAST(NULL AS BIGINT)",
        ))
        .bind(&caller.id)
        .scalar(&mut tx)
        .await?;
        self.check_live_invoices_quota(&mut tx, caller, live).await?;
        self.check_unsold_secrets_quota(&mut tx, caller, req.secrets.len()).await?;
        let id: i64 = q(sql!(
            "INSERT INTO invoices (owner_id, target_user_id, is_private, is_base_crypto, price, fiat_currency,
                price_variable, ttl_minutes, comment, pieces_min, pieces_max, limit_liquidity, status,
                created_at, valid_to, fee, images, integration, redirect_url, webhook_url,
                webhook_client_crt, webhook_client_key, webhook_server_crt, webhook_required)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                $21, $22, $23, $24) RETURNING id"
        ))
        .bind(&caller.id)
        .bind(&target_id)
        .bind(req.is_private)
        .bind(req.is_base_crypto)
        .bind(price.normalize())
        .bind(&fiat)
        .bind(&variable)
        .bind(req.ttl_minutes)
        .bind(&req.comment)
        .bind(pieces_min)
        .bind(pieces_max)
        .bind(req.limit_liquidity && !req.is_private)
        .bind(InvoiceStatus::Active as i32)
        .bind(now)
        .bind(valid_to)
        .bind(fee)
        .bind(join_ids(&req.images))
        .bind(kind)
        .bind(&redirect)
        .bind(&webhook.url)
        .bind(&webhook.client_crt)
        .bind(&webhook.client_key)
        .bind(&webhook.server_crt)
        .bind(webhook.required)
        .scalar(&mut tx)
        .await?;
        record_image_uses(&mut tx, Use::Invoice(id), &req.images, false).await?;
        // The queue: by the requested Order, ties in the order given; stored as 1..n.
        let mut secrets: Vec<&pb::CreateInvoiceSecretRequest> = req.secrets.iter().collect();
        secrets.sort_by_key(|s| s.order);
        for (position, s) in secrets.iter().enumerate() {
            let secret: i64 = q(sql!(
                "INSERT INTO invoice_secrets (invoice_id, text, images, position, wire_bytes)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id"
            ))
            .bind(id)
            .bind(&s.text)
            .bind(join_ids(&s.images))
            .bind(position as i64 + 1)
            .bind(limits::secret_wire_bytes(&s.text, s.images.len()) as i64)
            .scalar(&mut tx)
            .await?;
            record_image_uses(&mut tx, Use::Secret(secret), &s.images, false).await?;
        }
        let row = load_row(&mut tx, id).await?.ok_or_else(|| not_found(id as u64))?;
        let created = self.invoice_from_row(&row, caller)?;
        let target_view = match &target_id {
            Some(t) => {
                Some((t.clone(), self.invoice_from_row(&row, &Caller { id: t.clone(), username: String::new() })?))
            }
            None => None,
        };
        tx.commit().await?;
        tracing::debug!(invoice = id, owner = %caller.username, private = req.is_private, "invoice created");
        if let Some((target, view)) = target_view {
            self.publish(&target, event(EventType::InvoiceUpdated, Some(pb::event::Payload::Invoice(view))));
        }
        Ok(created)
    }

    /// Checks that every image GUID of each (field, list) names an image the caller stored
    /// (the client uploads first), in one query. Another user's image is refused exactly
    /// like a missing one: attaching it would show it (a secret's image, say) to whoever
    /// sees what it is attached to. Images are never deleted, so this needs no transaction.
    pub(crate) async fn check_images_owned(&self, caller: &Caller, lists: &[(String, &Vec<String>)]) -> Result<()> {
        let all: Vec<String> = lists.iter().flat_map(|(_, ids)| ids.iter().map(|i| i.to_ascii_lowercase())).collect();
        if all.is_empty() {
            return Ok(());
        }
        let mut conn = self.store.read().await?;
        let owned: std::collections::HashSet<String> =
            q(sql_in!(["SELECT id FROM images WHERE owner_id = $1 AND id"] 2 []))
                .bind(&caller.id)
                .bind(&all)
                .scalars(&mut conn)
                .await?
                .into_iter()
                .collect();
        for (field, ids) in lists {
            if let Some(i) = ids.iter().position(|id| !owned.contains(&id.to_ascii_lowercase())) {
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
        self.check_images_owned(caller, &[("Images".to_string(), &req.images)]).await?;
        let mut tx = self.store.begin().await?;
        let row = lock_row(&mut tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(req.invoice_id));
        }
        self.check_owner_and_live(caller, &row, "change")?;
        if row.get::<bool>("is_private")? {
            return Err(ServiceError::FailedPrecondition(
                "a private invoice cannot be edited; delete it and issue a new one".into(),
            ));
        }
        let stored_key: String = row.get("webhook_client_key")?;
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
        let status: i32 = row.get("status")?;
        // Stock was refilled: a sold-out invoice is on sale again.
        let status = if status == InvoiceStatus::NoPieces as i32 { InvoiceStatus::Active as i32 } else { status };
        q(sql!(
            "UPDATE invoices SET is_base_crypto = $1, price = $2, fiat_currency = $3, price_variable = $4,
                comment = $5, pieces_min = $6, pieces_max = $7, limit_liquidity = $8, images = $9, integration = $10,
                redirect_url = $11, webhook_url = $12, webhook_client_crt = $13, webhook_client_key = $14,
                webhook_server_crt = $15, webhook_required = $16, status = $17 WHERE id = $18"
        ))
        .bind(req.is_base_crypto)
        .bind(price.normalize())
        .bind(&fiat)
        .bind(&variable)
        .bind(&req.comment)
        .bind(req.pieces_min)
        .bind(req.pieces_max)
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
        .execute(&mut tx)
        .await?;
        record_image_uses(&mut tx, Use::Invoice(key), &req.images, true).await?;
        let row = load_row(&mut tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        let updated = self.invoice_from_row(&row, caller)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The caller owns the invoice and it is not deleted or expired.
    pub(crate) fn check_owner_and_live(&self, caller: &Caller, row: &Row, what: &str) -> Result<()> {
        let owner: String = row.get("owner_id")?;
        if owner != caller.id {
            return Err(ServiceError::PermissionDenied(format!("only the invoice's owner may {what} it")));
        }
        let status = effective_status(row.get("status")?, row.get("valid_to")?, now_ms());
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
        let mut tx = self.store.begin().await?;
        let row = lock_row(&mut tx, key).await?.ok_or_else(|| not_found(id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(id));
        }
        let declining = self.declines(caller, &row)?;
        if !declining {
            self.check_owner_and_live(caller, &row, "delete")?;
        }
        if row.get::<i32>("status")? == InvoiceStatus::Payed as i32 {
            return Err(ServiceError::FailedPrecondition("a paid invoice cannot be deleted".into()));
        }
        let refund_of: Option<i64> = row.get("refund_payment_id")?;
        if let Some(payment_id) = refund_of {
            let pieces: i64 = row.get("pieces_max")?;
            q(sql!(
                "UPDATE payments SET refunding = CASE WHEN refunding > $1 THEN refunding - $1 ELSE 0 END
                 WHERE id = $2"
            ))
            .bind(pieces)
            .bind(payment_id)
            .execute(&mut tx)
            .await?;
        }
        // After the payment: the status change takes the owner's count of live invoices, the
        // last lock (migrations/postgres/0007_live_invoices.sql).
        q(sql!("UPDATE invoices SET status = $1 WHERE id = $2"))
            .bind(InvoiceStatus::Deleted as i32)
            .bind(key)
            .execute(&mut tx)
            .await?;
        let refund = match refund_of {
            Some(payment_id) => Refund::PaymentRefund(self.payment_in(&mut tx, caller, payment_id, true).await?),
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
        let mut tx = self.store.begin().await?;
        q(sql!(
            "UPDATE invoices SET valid_to = CASE WHEN valid_to < created_at - 1 THEN valid_to ELSE created_at - 1 END
             WHERE id = $1"
        ))
        .bind(key)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks live invoices past their ValidTo as deleted. Returns how many. (Several
    /// instances: one at a time sweeps; the others skip.)
    pub async fn sweep_expired(&self) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        if !tx.try_job_lock(crate::db::JOB_SWEEP).await? {
            return Ok(0);
        }
        let swept = q(sql!("UPDATE invoices SET status = $1 WHERE status IN (0, 1, 2) AND valid_to <= $2"))
            .bind(InvoiceStatus::Deleted as i32)
            .bind(now_ms())
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(swept)
    }
}
