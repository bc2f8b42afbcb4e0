//! Secrets: the digital goods of an invoice, sold one per purchased piece in queue order.
//!
//! Unsold secrets always have dense positions 1..n (their `Order`); every change rewrites
//! the positions so the queue stays dense and stable. Only the invoice's owner sees or
//! changes them; a buyer sees a secret only in the payment that bought it.

use super::invoices::{load_row, may_see, not_found};
use super::{Caller, Result, Service, ServiceError, join_ids, split_ids};
use schet_api::pb::{self, change_invoice_secret_request::SecretOperations};
use schet_api::{FieldError, Rule, limits, validate};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

pub(crate) fn secret_from_row(row: &SqliteRow) -> Result<pb::InvoiceSecret> {
    use pb::invoice_secret::NullablePayment;
    let payment: Option<i64> = row.try_get("payment_id")?;
    Ok(pb::InvoiceSecret {
        id: row.try_get::<i64, _>("id")? as u64,
        text: row.try_get("text")?,
        images: split_ids(&row.try_get::<String, _>("images")?),
        order: row.try_get::<i64, _>("position")? as u32,
        url: row.try_get("url")?,
        nullable_payment: Some(match payment {
            Some(p) => NullablePayment::PaymentId(p as u64),
            None => NullablePayment::PaymentIdIsNull(true),
        }),
    })
}

/// Unsold secrets in queue order, then sold ones by sale.
async fn list(conn: &mut SqliteConnection, invoice: i64, sold: Option<bool>) -> Result<Vec<pb::InvoiceSecret>> {
    let filter = match sold {
        Some(true) => "AND payment_id IS NOT NULL",
        Some(false) => "AND payment_id IS NULL",
        None => "",
    };
    let sql = format!(
        "SELECT * FROM invoice_secrets WHERE invoice_id = ? {filter}
         ORDER BY payment_id IS NOT NULL, CASE WHEN payment_id IS NULL THEN position ELSE payment_id END, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(invoice).fetch_all(conn).await?;
    rows.iter().map(secret_from_row).collect()
}

/// Unsold secret ids in queue order.
async fn queue(conn: &mut SqliteConnection, invoice: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM invoice_secrets WHERE invoice_id = ? AND payment_id IS NULL ORDER BY position, id",
    )
    .bind(invoice)
    .fetch_all(conn)
    .await?)
}

/// Writes positions 1..n in the given order.
pub(crate) async fn write_queue(conn: &mut SqliteConnection, ids: &[i64]) -> Result<()> {
    for (i, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE invoice_secrets SET position = ? WHERE id = ?")
            .bind(i as i64 + 1)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Where `order` puts an item in a queue of `len` others: 1-based; 0 or past the end means last.
fn slot(order: u32, len: usize) -> usize {
    if order == 0 { len } else { (order as usize - 1).min(len) }
}

impl Service {
    /// The invoice (by id) if the caller owns it: NotFound when they may not see it,
    /// PermissionDenied when they see it but it is not theirs.
    async fn owned_invoice(&self, conn: &mut SqliteConnection, caller: &Caller, id: u64, field: &str) -> Result<i64> {
        if id == 0 {
            return Err(FieldError::new(field, Rule::Required).into());
        }
        let key = i64::try_from(id).map_err(|_| not_found(id))?;
        let row = load_row(conn, key).await?.ok_or_else(|| not_found(id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(id));
        }
        if row.try_get::<String, _>("owner_id")? != caller.id {
            return Err(ServiceError::PermissionDenied(
                "only the invoice's owner may see or change its secrets".into(),
            ));
        }
        Ok(key)
    }

    /// The invoice of secret `id` if the caller owns it, with whether the secret is sold.
    async fn owned_secret(&self, conn: &mut SqliteConnection, caller: &Caller, id: u64) -> Result<(i64, i64, bool)> {
        let missing = || ServiceError::NotFound(format!("secret {id} was not found"));
        if id == 0 {
            return Err(FieldError::new("SecretId", Rule::Required).into());
        }
        let key = i64::try_from(id).map_err(|_| missing())?;
        let row = sqlx::query(
            "SELECT s.invoice_id, s.payment_id, i.owner_id FROM invoice_secrets s JOIN invoices i ON i.id = s.invoice_id WHERE s.id = ?",
        )
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(missing)?;
        // Others' secrets do not exist for the caller.
        if row.try_get::<String, _>("owner_id")? != caller.id {
            return Err(missing());
        }
        let sold = row.try_get::<Option<i64>, _>("payment_id")?.is_some();
        Ok((key, row.try_get("invoice_id")?, sold))
    }

    pub async fn secrets(&self, caller: &Caller, req: &pb::GetInvoiceSecretsRequest) -> Result<pb::InvoiceSecretsList> {
        let mut conn = self.store.read.acquire().await?;
        let invoice = self.owned_invoice(&mut conn, caller, req.invoice_id, "InvoiceId").await?;
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
        let mut tx = self.store.write.begin().await?;
        let invoice = self.owned_invoice(&mut tx, caller, req.invoice_id, "InvoiceId").await?;
        let row = load_row(&mut tx, invoice).await?.ok_or_else(|| not_found(req.invoice_id))?;
        self.check_owner_and_live(caller, &row, "add secrets to")?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoice_secrets WHERE invoice_id = ?")
            .bind(invoice)
            .fetch_one(&mut *tx)
            .await?;
        if total as usize >= limits::SECRETS_PER_INVOICE_MAX {
            return Err(ServiceError::FailedPrecondition(format!(
                "an invoice can hold at most {} secrets",
                limits::SECRETS_PER_INVOICE_MAX
            )));
        }
        self.check_images_exist(&mut tx, "Images", &req.images).await?;
        let mut order = queue(&mut tx, invoice).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invoice_secrets (invoice_id, text, images, position) VALUES (?, ?, ?, 0) RETURNING id",
        )
        .bind(invoice)
        .bind(&req.text)
        .bind(join_ids(&req.images))
        .fetch_one(&mut *tx)
        .await?;
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
        let mut tx = self.store.write.begin().await?;
        let (id, invoice, sold) = self.owned_secret(&mut tx, caller, req.secret_id).await?;
        if sold {
            return Err(ServiceError::FailedPrecondition("a sold secret cannot be changed".into()));
        }
        self.check_images_exist(&mut tx, "Images", &req.images).await?;
        sqlx::query("UPDATE invoice_secrets SET text = ?, images = ? WHERE id = ?")
            .bind(&req.text)
            .bind(join_ids(&req.images))
            .bind(id)
            .execute(&mut *tx)
            .await?;
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
        let mut tx = self.store.write.begin().await?;
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
                sqlx::query("DELETE FROM invoice_secrets WHERE id = ?").bind(id).execute(&mut *tx).await?;
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
