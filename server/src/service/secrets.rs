//! Secrets: the digital goods of an invoice, sold one per purchased piece in queue order.
//!
//! Unsold secrets have consecutive positions (their `Order` counts from the first): an edit
//! rewrites them as 1..n, a purchase takes the front of the queue, so the count of unsold
//! secrets is the last position minus the first plus one, and a purchase never rewrites the
//! rest. Only the invoice's owner sees or changes them; a buyer sees a secret only in the
//! payment that bought it.

use super::invoices::{Use, load_row, lock_row, may_see, not_found, record_image_uses};
use super::{Caller, Result, Service, ServiceError, join_ids, split_ids};
use crate::db::{Conn, Row, q};
use crate::sql;
use schet_api::pb::{self, change_invoice_secret_request::SecretOperations};
use schet_api::{FieldError, Rule, limits, validate};

/// A secret from its row; an unsold one's Order counts from `first`, the first unsold
/// position (a sold one keeps the Order it was sold at).
pub(crate) fn secret_from_row(row: &Row, first: i64) -> Result<pb::InvoiceSecret> {
    use pb::invoice_secret::NullablePayment;
    let payment: Option<i64> = row.get("payment_id")?;
    let position: i64 = row.get("position")?;
    Ok(pb::InvoiceSecret {
        id: row.get("id")?,
        text: row.get("text")?,
        images: split_ids(&row.get::<String>("images")?),
        order: if payment.is_some() { position } else { position - first + 1 } as u32,
        url: row.get("url")?,
        nullable_payment: Some(match payment {
            Some(p) => NullablePayment::PaymentId(p as u64),
            None => NullablePayment::PaymentIdIsNull(true),
        }),
    })
}

/// Unsold secrets in queue order, then sold ones by sale.
async fn list(conn: &mut Conn, invoice: i64, sold: Option<bool>) -> Result<Vec<pb::InvoiceSecret>> {
    let stmt = match sold {
        Some(true) => sql!(
            "SELECT * FROM invoice_secrets WHERE invoice_id = $1 AND payment_id IS NOT NULL ORDER BY payment_id, id"
        ),
        Some(false) => {
            sql!("SELECT * FROM invoice_secrets WHERE invoice_id = $1 AND payment_id IS NULL ORDER BY position, id")
        }
        None => sql!(
            "SELECT * FROM invoice_secrets WHERE invoice_id = $1
             ORDER BY payment_id IS NOT NULL, CASE WHEN payment_id IS NULL THEN position ELSE payment_id END, id"
        ),
    };
    let rows = q(stmt).bind(invoice).fetch_all(conn).await?;
    let first = rows.iter().find(|r| r.get::<Option<i64>>("payment_id").is_ok_and(|p| p.is_none()));
    let first: i64 = first.map(|r| r.get("position")).transpose()?.unwrap_or(1);
    rows.iter().map(|r| secret_from_row(r, first)).collect()
}

/// Unsold secret ids in queue order.
pub(crate) async fn queue(conn: &mut Conn, invoice: i64) -> Result<Vec<i64>> {
    Ok(q(sql!("SELECT id FROM invoice_secrets WHERE invoice_id = $1 AND payment_id IS NULL ORDER BY position, id"))
        .bind(invoice)
        .scalars(conn)
        .await?)
}

/// Writes positions 1..n in the given order, in one statement.
pub(crate) async fn write_queue(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    q(sql!(
        sqlite: "UPDATE invoice_secrets SET position = j.key + 1 FROM json_each($1) AS j WHERE invoice_secrets.id = j.value",
        postgres: "UPDATE invoice_secrets SET position = j.ord FROM unnest($1::BIGINT[]) WITH ORDINALITY AS j(id, ord)
                   WHERE invoice_secrets.id = j.id",
    ))
    .bind(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Where `order` puts an item in a queue of `len` others: 1-based; 0 or past the end means last.
fn slot(order: u32, len: usize) -> usize {
    if order == 0 { len } else { (order as usize - 1).min(len) }
}

impl Service {
    /// The invoice's secrets, with `bytes` more (in place of secret `replacing`), still fit
    /// in one list: checked before anything is written, so a call never commits a list it
    /// then cannot send.
    async fn check_secrets_fit(
        &self,
        conn: &mut Conn,
        invoice: i64,
        replacing: Option<i64>,
        bytes: usize,
    ) -> Result<()> {
        let stored: i64 = q(sql!(
            "SELECT CAST(COALESCE(SUM(wire_bytes), 0) AS BIGINT) FROM invoice_secrets
             WHERE invoice_id = $1 AND id IS DISTINCT FROM $2"
        ))
        .bind(invoice)
        .bind(replacing)
        .scalar(conn)
        .await?;
        let max = self.config.secrets_bytes_per_invoice;
        if stored as usize + bytes > max {
            return Err(ServiceError::ResourceExhausted(format!(
                "an invoice's secrets may take at most {max} bytes; they take {stored}, and this one {bytes}"
            )));
        }
        Ok(())
    }

    /// The invoice (by id) if the caller owns it: NotFound when they may not see it,
    /// PermissionDenied when they see it but it is not theirs. In a write transaction
    /// (`lock`), the invoice is locked: its secrets change one call at a time.
    async fn owned_invoice(&self, conn: &mut Conn, caller: &Caller, id: u64, lock: bool) -> Result<Row> {
        if id == 0 {
            return Err(FieldError::new("InvoiceId", Rule::Required).into());
        }
        let key = i64::try_from(id).map_err(|_| not_found(id))?;
        let row = if lock { lock_row(conn, key).await? } else { load_row(conn, key).await? };
        let row = row.ok_or_else(|| not_found(id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(id));
        }
        if row.get::<String>("owner_id")? != caller.id {
            return Err(ServiceError::PermissionDenied(
                "only the invoice's owner may see or change its secrets".into(),
            ));
        }
        Ok(row)
    }

    /// The invoice of secret `id` (locked) if the caller owns it, with whether the secret is sold.
    async fn owned_secret(&self, tx: &mut Conn, caller: &Caller, id: u64) -> Result<(i64, i64, bool)> {
        let missing = || ServiceError::NotFound(format!("secret {id} was not found"));
        if id == 0 {
            return Err(FieldError::new("SecretId", Rule::Required).into());
        }
        let key = i64::try_from(id).map_err(|_| missing())?;
        let invoice: i64 = q(sql!("SELECT invoice_id FROM invoice_secrets WHERE id = $1"))
            .bind(key)
            .scalar_opt(tx)
            .await?
            .ok_or_else(missing)?;
        // Others' secrets do not exist for the caller.
        let row = lock_row(tx, invoice).await?.ok_or_else(missing)?;
        if row.get::<String>("owner_id")? != caller.id {
            return Err(missing());
        }
        let payment: Option<Option<i64>> =
            q(sql!("SELECT payment_id FROM invoice_secrets WHERE id = $1")).bind(key).scalar_opt(tx).await?;
        let payment = payment.ok_or_else(missing)?;
        Ok((key, invoice, payment.is_some()))
    }

    pub async fn secrets(&self, caller: &Caller, req: &pb::GetInvoiceSecretsRequest) -> Result<pb::InvoiceSecretsList> {
        let mut conn = self.store.read().await?;
        let row = self.owned_invoice(&mut conn, caller, req.invoice_id, false).await?;
        let invoice: i64 = row.get("id")?;
        Ok(pb::InvoiceSecretsList { secrets: list(&mut conn, invoice, Some(req.is_sold)).await? })
    }

    pub async fn create_secret(
        &self,
        caller: &Caller,
        req: pb::CreateInvoiceSecretRequest,
    ) -> Result<pb::InvoiceSecretsList> {
        let mut errors = validate::Errors::default();
        validate::secret("", &req.text, &req.images, &mut errors);
        errors.first()?;
        self.check_images_owned(caller, &[("Images".to_string(), &req.images)]).await?;
        let mut tx = self.store.begin().await?;
        let row = self.owned_invoice(&mut tx, caller, req.invoice_id, true).await?;
        let invoice: i64 = row.get("id")?;
        self.check_owner_and_live(caller, &row, "add secrets to")?;
        let total: i64 =
            q(sql!("SELECT COUNT(*) FROM invoice_secrets WHERE invoice_id = $1")).bind(invoice).scalar(&mut tx).await?;
        if total as usize >= limits::SECRETS_PER_INVOICE_MAX {
            return Err(ServiceError::FailedPrecondition(format!(
                "an invoice can hold at most {} secrets",
                limits::SECRETS_PER_INVOICE_MAX
            )));
        }
        let bytes = limits::secret_wire_bytes(&req.text, req.images.len());
        self.check_secrets_fit(&mut tx, invoice, None, bytes).await?;
        self.check_unsold_secrets_quota(&mut tx, caller, 1).await?;
        let mut order = queue(&mut tx, invoice).await?;
        let id: i64 = q(sql!(
            "INSERT INTO invoice_secrets (invoice_id, text, images, position, wire_bytes) VALUES ($1, $2, $3, 0, $4)
             RETURNING id"
        ))
        .bind(invoice)
        .bind(&req.text)
        .bind(join_ids(&req.images))
        .bind(bytes as i64)
        .scalar(&mut tx)
        .await?;
        record_image_uses(&mut tx, Use::Secret(id), &req.images, false).await?;
        order.insert(slot(req.order, order.len()), id);
        write_queue(&mut tx, &order).await?;
        let secrets = list(&mut tx, invoice, None).await?;
        tx.commit().await?;
        Ok(pb::InvoiceSecretsList { secrets })
    }

    pub async fn update_secret(
        &self,
        caller: &Caller,
        req: pb::UpdateInvoiceSecretRequest,
    ) -> Result<pb::InvoiceSecretsList> {
        let mut errors = validate::Errors::default();
        validate::secret("", &req.text, &req.images, &mut errors);
        errors.first()?;
        let mut tx = self.store.begin().await?;
        let (id, invoice, sold) = self.owned_secret(&mut tx, caller, req.secret_id).await?;
        if sold {
            return Err(ServiceError::FailedPrecondition("a sold secret cannot be changed".into()));
        }
        let bytes = limits::secret_wire_bytes(&req.text, req.images.len());
        self.check_secrets_fit(&mut tx, invoice, Some(id), bytes).await?;
        self.check_images_owned(caller, &[("Images".to_string(), &req.images)]).await?;
        q(sql!("UPDATE invoice_secrets SET text = $1, images = $2, wire_bytes = $3 WHERE id = $4"))
            .bind(&req.text)
            .bind(join_ids(&req.images))
            .bind(bytes as i64)
            .bind(id)
            .execute(&mut tx)
            .await?;
        record_image_uses(&mut tx, Use::Secret(id), &req.images, true).await?;
        if req.order != 0 {
            let mut order = queue(&mut tx, invoice).await?;
            order.retain(|s| *s != id);
            order.insert(slot(req.order, order.len()), id);
            write_queue(&mut tx, &order).await?;
        }
        let secrets = list(&mut tx, invoice, None).await?;
        tx.commit().await?;
        Ok(pb::InvoiceSecretsList { secrets })
    }

    pub async fn change_secret(
        &self,
        caller: &Caller,
        req: &pb::ChangeInvoiceSecretRequest,
    ) -> Result<pb::InvoiceSecretsList> {
        let operation = SecretOperations::try_from(req.operation)
            .map_err(|_| FieldError::new("Operation", Rule::NotAnOperation { value: req.operation.into() }))?;
        let mut tx = self.store.begin().await?;
        let (id, invoice, sold) = self.owned_secret(&mut tx, caller, req.secret_id).await?;
        if sold {
            return Err(ServiceError::FailedPrecondition("a sold secret cannot be moved or removed".into()));
        }
        let mut order = queue(&mut tx, invoice).await?;
        let at =
            order.iter().position(|s| *s == id).ok_or_else(|| ServiceError::Internal("secret not in queue".into()))?;
        match operation {
            SecretOperations::ToUp if at > 0 => order.swap(at, at - 1),
            SecretOperations::ToDown if at + 1 < order.len() => order.swap(at, at + 1),
            SecretOperations::ToTop => {
                let s = order.remove(at);
                order.insert(0, s);
            }
            SecretOperations::ToBottom => {
                let s = order.remove(at);
                order.push(s);
            }
            SecretOperations::Remove => {
                order.remove(at);
                record_image_uses(&mut tx, Use::Secret(id), &[], true).await?;
                q(sql!("DELETE FROM invoice_secrets WHERE id = $1")).bind(id).execute(&mut tx).await?;
            }
            // Already first/last: nothing moves.
            SecretOperations::ToUp | SecretOperations::ToDown => {}
        }
        write_queue(&mut tx, &order).await?;
        let secrets = list(&mut tx, invoice, None).await?;
        tx.commit().await?;
        Ok(pb::InvoiceSecretsList { secrets })
    }
}
