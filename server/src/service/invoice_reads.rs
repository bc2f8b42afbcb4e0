//! Reading invoices: one by id, lists with filters and keyset paging, and the contract's
//! Invoice as one viewer may see it.

use super::invoices::{EFFECTIVE_STATUS_SQL, effective_status, load_row, may_see, not_found, to_i64};
use super::{INVOICE_SELECT, Result, Service, Viewer, WEBHOOK_KEY_STORED, dec, pb_dec, split_ids};
use crate::store::{now_ms, timestamp};
use rust_decimal::Decimal;
use schet_api::pb;
use schet_api::{FieldError, Rule, limits, validate};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};

impl Service {
    /// GetInvoiceById (a guest: public invoices only).
    pub async fn invoice_by_id<'a>(&self, viewer: impl Into<Viewer<'a>>, id: u64) -> Result<pb::Invoice> {
        let viewer = viewer.into();
        let key = to_i64(id, "InvoiceId")?;
        let mut conn = self.store.read.acquire().await?;
        let row = load_row(&mut conn, key).await?.ok_or_else(|| not_found(id))?;
        if !may_see(viewer, &row)? {
            return Err(not_found(id));
        }
        self.invoice_from_row(&row, viewer)
    }

    /// GetInvoices: every filter with its HasValue flag, newest first, keyset paging. A guest
    /// sees public invoices only (their own filters then match nothing: they own none).
    pub async fn invoices<'a>(
        &self,
        viewer: impl Into<Viewer<'a>>,
        req: &pb::GetInvoicesRequest,
    ) -> Result<Vec<pb::Invoice>> {
        let viewer = viewer.into();
        let count = match req.count {
            0 => limits::PAGE_DEFAULT,
            n if n > limits::PAGE_MAX => {
                return Err(FieldError::new("count", Rule::AtMost { max: limits::PAGE_MAX.into() }).into());
            }
            n => n,
        };
        let statuses = if req.is_status_has_value { validate::statuses(&req.statuses)? } else { Vec::new() };
        if !req.to_user.is_empty() {
            validate::username(&req.to_user).map_err(|rule| FieldError::new("ToUser", rule))?;
        }
        let last_id = i64::try_from(req.last_id).map_err(|_| FieldError::new("lastId", Rule::OutOfRange))?;
        let id = i64::try_from(req.id).map_err(|_| FieldError::new("Id", Rule::OutOfRange))?;

        // ?1 now, ?2 the viewer (NULL for a guest: equal to nothing); then one numbered
        // parameter per filter value. (sqlx numbers anonymous `?`s on its own, so every
        // parameter here is numbered explicitly.)
        let mut sql = format!("{INVOICE_SELECT} WHERE (i.is_private = 0 OR i.owner_id = ?2 OR i.target_user_id = ?2)");
        let mut binds: Vec<Bind> = vec![Bind::Int(now_ms()), Bind::Text(viewer.user_id().map(str::to_string))];
        let param = |binds: &mut Vec<Bind>, value: Bind| {
            binds.push(value);
            format!("?{}", binds.len())
        };
        if req.is_owner_has_value {
            sql += if req.is_owner { " AND i.owner_id = ?2" } else { " AND i.owner_id IS NOT ?2" };
        }
        if req.is_private_has_value {
            sql += &format!(" AND i.is_private = {}", param(&mut binds, Bind::Int(i64::from(req.is_private))));
        }
        if !statuses.is_empty() {
            let marks: Vec<String> = statuses.iter().map(|s| param(&mut binds, Bind::Int(*s as i64))).collect();
            sql += &format!(" AND {EFFECTIVE_STATUS_SQL} IN ({})", marks.join(", "));
        }
        if id != 0 {
            sql += &format!(" AND i.id = {}", param(&mut binds, Bind::Int(id)));
        }
        if !req.to_user.is_empty() {
            sql += &format!(
                " AND t.username = {} COLLATE NOCASE",
                param(&mut binds, Bind::Text(Some(req.to_user.clone())))
            );
        }
        if last_id != 0 {
            sql += &format!(" AND i.id < {}", param(&mut binds, Bind::Int(last_id)));
        }
        sql += &format!(" ORDER BY i.id DESC LIMIT {}", param(&mut binds, Bind::Int(i64::from(count))));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for b in binds {
            query = match b {
                Bind::Int(v) => query.bind(v),
                Bind::Text(v) => query.bind(v),
            };
        }
        let rows = query.fetch_all(&self.store.read).await?;
        rows.iter().map(|row| self.invoice_from_row(row, viewer)).collect()
    }

    /// The contract's Invoice for `viewer` from a row of [`INVOICE_SELECT`].
    ///
    /// Only the owner sees where the goods are collected (`Redirect`) and the webhook's
    /// settings; everyone else sees which integration it is, with those stripped. (A buyer
    /// gets the redirect URL with their payment: `payment_in`.)
    pub(crate) fn invoice_from_row<'a>(&self, row: &SqliteRow, viewer: impl Into<Viewer<'a>>) -> Result<pb::Invoice> {
        use pb::invoice::{Integration, NullableRefund, NullableTargetUser};
        let owner_id: String = row.try_get("owner_id")?;
        let is_owner = viewer.into().is(&owner_id);
        let target_id: Option<String> = row.try_get("target_user_id")?;
        let is_base_crypto: bool = row.try_get("is_base_crypto")?;
        let price = dec(row, "price")?;
        let fiat: String = row.try_get("fiat_currency")?;
        let variable: String = row.try_get("price_variable")?;
        let valid_to: i64 = row.try_get("valid_to")?;
        let status = effective_status(row.try_get("status")?, valid_to, now_ms());
        let current = if is_base_crypto {
            price
        } else {
            self.rates.btc_for_fiat(price, &fiat, &variable).unwrap_or(Decimal::ZERO)
        };
        let refund: Option<i64> = row.try_get("refund_payment_id")?;
        let integration = match row.try_get::<i64, _>("integration")? {
            1 => Integration::Redirect(if is_owner { row.try_get("redirect_url")? } else { String::new() }),
            2 => {
                let required: bool = row.try_get("webhook_required")?;
                // Only the owner sees the endpoint and certificates; nobody sees the key.
                Integration::Webhook(if is_owner {
                    let key: String = row.try_get("webhook_client_key")?;
                    pb::Webhook {
                        url: row.try_get("webhook_url")?,
                        client_crt: row.try_get("webhook_client_crt")?,
                        client_key: if key.is_empty() { String::new() } else { WEBHOOK_KEY_STORED.to_string() },
                        server_crt: row.try_get("webhook_server_crt")?,
                        required,
                    }
                } else {
                    pb::Webhook { required, ..Default::default() }
                })
            }
            _ => Integration::NoIntegration(true),
        };
        Ok(pb::Invoice {
            id: row.try_get::<i64, _>("id")? as u64,
            is_private: row.try_get("is_private")?,
            is_base_crypto,
            price: pb_dec(price)?,
            fiat_currency: fiat,
            price_variable: variable,
            ttl_minutes: row.try_get::<i64, _>("ttl_minutes")? as u32,
            comment: row.try_get("comment")?,
            pieces_min: row.try_get::<i64, _>("pieces_min")? as u32,
            pieces_max: row.try_get::<i64, _>("pieces_max")? as u32,
            status,
            total_payed_crypto: pb_dec(dec(row, "total_payed_crypto")?)?,
            payments_count: row.try_get::<i64, _>("payments_count")? as u32,
            owner: Some(self.user_info(row, "o", owner_id)?),
            nullable_target_user: Some(match target_id {
                Some(id) => NullableTargetUser::TargetUser(self.user_info(row, "t", id)?),
                None => NullableTargetUser::TargetUserIsNull(true),
            }),
            created_at: Some(timestamp(row.try_get("created_at")?)),
            valid_to: Some(timestamp(valid_to)),
            fee: pb_dec(dec(row, "fee")?)?,
            limit_liquidity: row.try_get("limit_liquidity")?,
            current_crypto_price: pb_dec(current)?,
            nullable_refund: Some(match refund {
                Some(p) => NullableRefund::RefundPaymentId(p as u64),
                None => NullableRefund::RefundIsNull(true),
            }),
            service: row.try_get::<i64, _>("service")? as i32,
            images: split_ids(&row.try_get::<String, _>("images")?),
            secrets_count: row.try_get::<i64, _>("secrets_unsold")? as u32,
            integration: Some(integration),
        })
    }
}

enum Bind {
    Int(i64),
    Text(Option<String>),
}
