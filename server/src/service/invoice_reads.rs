//! Reading invoices: one by id, lists with filters and keyset paging (`invoice_list.rs`),
//! and the contract's Invoice as one viewer may see it.

use super::invoice_list::{self, Filter};
use super::invoices::{effective_status, load_row, may_see, not_found, to_i64};
use super::{Result, Service, Viewer, WEBHOOK_KEY_STORED, pb_dec, split_ids};
use crate::db::{Row, dynamic, now_ms, q, timestamp};
use crate::sql;
use rust_decimal::Decimal;
use schet_api::pb;
use schet_api::{FieldError, Rule, limits, validate};

impl Service {
    /// GetInvoiceById (a guest: public invoices only).
    pub async fn invoice_by_id<'a>(&self, viewer: impl Into<Viewer<'a>>, id: u64) -> Result<pb::Invoice> {
        let viewer = viewer.into();
        let key = to_i64(id, "InvoiceId")?;
        let mut conn = self.store.read().await?;
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
        let mut statuses = if req.is_status_has_value { validate::statuses(&req.statuses)? } else { Vec::new() };
        statuses.sort();
        statuses.dedup();
        if !req.to_user.is_empty() {
            validate::username(&req.to_user).map_err(|rule| FieldError::new("ToUser", rule))?;
        }
        let last_id = i64::try_from(req.last_id).map_err(|_| FieldError::new("lastId", Rule::OutOfRange))?;
        let id = i64::try_from(req.id).map_err(|_| FieldError::new("Id", Rule::OutOfRange))?;
        let mut conn = self.store.read().await?;
        let target: Option<String> = if req.to_user.is_empty() {
            None
        } else {
            let found = q(sql!("SELECT id FROM users WHERE lower(username) = lower($1)"))
                .bind(&req.to_user)
                .scalar_opt::<String>(&mut conn)
                .await?;
            // Nobody by that name: nothing is addressed to them.
            let Some(found) = found else { return Ok(Vec::new()) };
            Some(found)
        };
        let filter = Filter {
            guest: viewer.user_id().is_none(),
            owner: req.is_owner_has_value.then_some(req.is_owner),
            private: req.is_private_has_value.then_some(req.is_private),
            statuses: statuses.into_iter().map(|s| s as i32).collect(),
            id: id != 0,
            to_user: target.as_ref().map(|t| viewer.is(t)),
        };
        let Some(sql) = invoice_list::sql(&filter) else { return Ok(Vec::new()) };
        let rows = dynamic(sql)
            .bind(now_ms())
            .bind(viewer.user_id())
            .bind(i64::from(count))
            .bind(if last_id == 0 { i64::MAX } else { last_id })
            .bind(id)
            .bind(target)
            .fetch_all(&mut conn)
            .await?;
        rows.iter().map(|row| self.invoice_from_row(row, viewer)).collect()
    }

    /// The contract's Invoice for `viewer` from a row of [`invoice_columns`].
    ///
    /// Only the owner sees where the goods are collected (`Redirect`) and the webhook's
    /// settings; everyone else sees which integration it is, with those stripped. (A buyer
    /// gets the redirect URL with their payment: `payment_views.rs`.)
    pub(crate) fn invoice_from_row<'a>(&self, row: &Row, viewer: impl Into<Viewer<'a>>) -> Result<pb::Invoice> {
        use pb::invoice::{Integration, NullableRefund, NullableTargetUser};
        let owner_id: String = row.get("owner_id")?;
        let is_owner = viewer.into().is(&owner_id);
        let target_id: Option<String> = row.get("target_user_id")?;
        let is_base_crypto: bool = row.get("is_base_crypto")?;
        let price: Decimal = row.get("price")?;
        let fiat: String = row.get("fiat_currency")?;
        let variable: String = row.get("price_variable")?;
        let valid_to: i64 = row.get("valid_to")?;
        let status = effective_status(row.get("status")?, valid_to, now_ms());
        let current = if is_base_crypto {
            price
        } else {
            self.rates.btc_for_fiat(price, &fiat, &variable).unwrap_or(Decimal::ZERO)
        };
        let refund: Option<i64> = row.get("refund_payment_id")?;
        let integration = match row.get::<i64>("integration")? {
            1 => Integration::Redirect(if is_owner { row.get("redirect_url")? } else { String::new() }),
            2 => {
                let required: bool = row.get("webhook_required")?;
                // Only the owner sees the endpoint and certificates; nobody sees the key.
                Integration::Webhook(if is_owner {
                    let key: String = row.get("webhook_client_key")?;
                    pb::Webhook {
                        url: row.get("webhook_url")?,
                        client_crt: row.get("webhook_client_crt")?,
                        client_key: if key.is_empty() { String::new() } else { WEBHOOK_KEY_STORED.to_string() },
                        server_crt: row.get("webhook_server_crt")?,
                        required,
                    }
                } else {
                    pb::Webhook { required, ..Default::default() }
                })
            }
            _ => Integration::NoIntegration(true),
        };
        Ok(pb::Invoice {
            id: row.get("id")?,
            is_private: row.get("is_private")?,
            is_base_crypto,
            price: pb_dec(price)?,
            fiat_currency: fiat,
            price_variable: variable,
            ttl_minutes: row.get("ttl_minutes")?,
            comment: row.get("comment")?,
            pieces_min: row.get("pieces_min")?,
            pieces_max: row.get("pieces_max")?,
            status,
            total_payed_crypto: pb_dec(row.get("total_payed_crypto")?)?,
            payments_count: row.get("payments_count")?,
            owner: Some(self.user_info(row, "o", owner_id)?),
            nullable_target_user: Some(match target_id {
                Some(id) => NullableTargetUser::TargetUser(self.user_info(row, "t", id)?),
                None => NullableTargetUser::TargetUserIsNull(true),
            }),
            created_at: Some(timestamp(row.get("created_at")?)),
            valid_to: Some(timestamp(valid_to)),
            fee: pb_dec(row.get("fee")?)?,
            limit_liquidity: row.get("limit_liquidity")?,
            current_crypto_price: pb_dec(current)?,
            nullable_refund: Some(match refund {
                Some(p) => NullableRefund::RefundPaymentId(p as u64),
                None => NullableRefund::RefundIsNull(true),
            }),
            service: row.get("service")?,
            images: split_ids(&row.get::<String>("images")?),
            secrets_count: row.get("secrets_unsold")?,
            integration: Some(integration),
        })
    }
}
