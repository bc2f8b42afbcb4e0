//! The domain: who may do what, and what it does to the data. Knows nothing of gRPC:
//! it takes and returns the contract's plain messages and [`ServiceError`]s; `grpc.rs`
//! translates those to and from the wire.

use crate::rates::Rates;
use crate::store::{Store, now_ms, timestamp};
use rust_decimal::{Decimal, RoundingStrategy};
use schet_api::pb::{self, invoice::InvoiceStatus};
use schet_api::{FieldError, decimal, validate};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use std::str::FromStr;

/// Why a call did not happen. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("internal error")]
    Internal(String),
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(e)
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// The authenticated user making a call.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: String,
    pub username: String,
}

/// Fee for issuing a private invoice: this share of its BTC amount.
const PRIVATE_FEE_RATE: Decimal = Decimal::from_parts(5, 0, 0, false, 3); // 0.005

pub struct Service {
    pub store: Store,
    pub rates: Rates,
}

fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random generator is available");
    b
}

/// A new bearer token: 32 random bytes, hex.
pub fn new_token() -> String {
    random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect()
}

fn dec(row: &SqliteRow, col: &str) -> Result<Decimal> {
    let text: String = row.try_get(col)?;
    Decimal::from_str(&text).map_err(|e| ServiceError::Internal(format!("{col}: {e}")))
}

fn pb_dec(value: Decimal) -> Result<Option<pb::Decimal>> {
    decimal::to_pb(value).map(Some).map_err(|e| ServiceError::Internal(e.to_string()))
}

fn split_ids(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Normalizes GUIDs to lower case so that the same image is always spelled the same.
fn join_ids(ids: &[String]) -> String {
    ids.iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>().join(",")
}

const INVOICE_SELECT: &str = "SELECT i.*,
    o.username AS o_name, o.created_at AS o_created, o.last_online AS o_online,
    o.invoices_created AS o_ic, o.payments_payed AS o_pp, o.payments_received AS o_pr,
    t.username AS t_name, t.created_at AS t_created, t.last_online AS t_online,
    t.invoices_created AS t_ic, t.payments_payed AS t_pp, t.payments_received AS t_pr,
    (SELECT COUNT(*) FROM invoice_secrets s WHERE s.invoice_id = i.id AND s.payment_id IS NULL) AS secrets_unsold
  FROM invoices i JOIN users o ON o.id = i.owner_id LEFT JOIN users t ON t.id = i.target_user_id";

fn user_info(row: &SqliteRow, prefix: &str, id: String) -> Result<pb::UserInfo> {
    let c = |name: &str| format!("{prefix}_{name}");
    Ok(pb::UserInfo {
        id,
        username: row.try_get(c("name").as_str())?,
        created_at: Some(timestamp(row.try_get(c("created").as_str())?)),
        last_online: Some(timestamp(row.try_get(c("online").as_str())?)),
        invoices_created_count: row.try_get::<i64, _>(c("ic").as_str())? as u32,
        payments_payed_count: row.try_get::<i64, _>(c("pp").as_str())? as u32,
        payments_received_count: row.try_get::<i64, _>(c("pr").as_str())? as u32,
    })
}

/// What a stored webhook key looks like to its owner: that one is set, never the key.
pub const WEBHOOK_KEY_STORED: &str = "(stored)";

impl Service {
    pub fn new(store: Store, rates: Rates) -> Self {
        Service { store, rates }
    }

    // ------------------------------------------------------------------ users

    /// Creates a user with a balance; returns the user's id and bearer token.
    pub async fn add_user(&self, username: &str, balance: Decimal, token: Option<&str>) -> Result<(String, String)> {
        validate::username(username).map_err(|rule| FieldError::new("UserName", rule))?;
        if balance < Decimal::ZERO || balance.scale() > schet_api::limits::BTC_SCALE {
            return Err(
                FieldError::new("Balance", "must be a non-negative BTC amount with at most 8 decimal places").into()
            );
        }
        let id = schet_api::Guid::from_random_bytes(random_bytes()).to_string();
        let token = token.map_or_else(new_token, str::to_string);
        let now = now_ms();
        let mut tx = self.store.write.begin().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(ServiceError::FailedPrecondition(format!("user name {username} is taken")));
        }
        sqlx::query(
            "INSERT INTO users (id, username, token_hash, balance, created_at, last_online) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(username)
        .bind(hash_token(&token))
        .bind(balance.normalize().to_string())
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((id, token))
    }

    /// The user a bearer token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<Caller> {
        let row = sqlx::query("SELECT id, username, last_online FROM users WHERE token_hash = ?")
            .bind(hash_token(token))
            .fetch_optional(&self.store.read)
            .await?
            .ok_or(ServiceError::Unauthenticated("the token is not valid: log in again"))?;
        let caller = Caller { id: row.try_get("id")?, username: row.try_get("username")? };
        // Record activity at most once a minute: reads should not turn into writes.
        let last: i64 = row.try_get("last_online")?;
        let now = now_ms();
        if now - last > 60_000 {
            sqlx::query("UPDATE users SET last_online = ? WHERE id = ?")
                .bind(now)
                .bind(&caller.id)
                .execute(&self.store.write)
                .await?;
        }
        Ok(caller)
    }

    pub async fn is_user_exist(&self, username: &str) -> Result<bool> {
        let found: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.store.read)
            .await?;
        Ok(found.is_some())
    }

    pub fn variables(&self) -> Result<pb::Variables> {
        let mut variables = std::collections::HashMap::new();
        for (name, value) in &self.rates.variables {
            variables.insert(name.clone(), decimal::to_pb(*value).map_err(|e| ServiceError::Internal(e.to_string()))?);
        }
        Ok(pb::Variables { variables, keep_alive: false })
    }

    // ------------------------------------------------------------------ invoices

    /// CreateInvoice: validates every field, prices it, stores it with its secrets.
    pub async fn create_invoice(&self, caller: &Caller, req: pb::CreateInvoiceRequest) -> Result<pb::Invoice> {
        validate::create_invoice(&req).first()?;
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
            let target = target.ok_or_else(|| FieldError::new("UserName", "no user has this name"))?;
            if target == caller.id {
                return Err(FieldError::new("UserName", "must be another user, not yourself").into());
            }
            Some(target)
        } else {
            None
        };
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
            Some(Integration::Webhook(w)) => (2, String::new(), w.clone()),
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
            sqlx::query("INSERT INTO invoice_secrets (invoice_id, text, images, position) VALUES (?, ?, ?, ?)")
                .bind(id)
                .bind(&s.text)
                .bind(join_ids(&s.images))
                .bind(position as i64 + 1)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE users SET invoices_created = invoices_created + 1 WHERE id = ?")
            .bind(&caller.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(invoice = id, owner = %caller.username, private = req.is_private, "invoice created");
        self.invoice_by_id(caller, id as u64).await
    }

    /// BTC amount of a price: itself for BTC prices, converted at the variable's rate for fiat.
    fn crypto_price(&self, base_crypto: bool, price: Decimal, fiat: &str, variable: &str) -> Result<Decimal> {
        if base_crypto {
            return Ok(price);
        }
        if !self.rates.variables.contains_key(variable) {
            let known: Vec<&str> = self.rates.variables.keys().map(String::as_str).collect();
            return Err(FieldError::new("PriceVariable", format!("must be one of: {}", known.join(", "))).into());
        }
        self.rates
            .btc_for_fiat(price, fiat, variable)
            .ok_or_else(|| FieldError::new("FiatCurrency", "has no exchange rate on this service").into())
    }

    /// GetInvoiceById: the invoice, if the caller may see it (public, or theirs as owner
    /// or target). Others' private invoices are reported as not found, like missing ones.
    pub async fn invoice_by_id(&self, caller: &Caller, id: u64) -> Result<pb::Invoice> {
        if id == 0 {
            return Err(FieldError::new("InvoiceId", "is required").into());
        }
        let not_found = || ServiceError::NotFound(format!("invoice {id} was not found"));
        let id = i64::try_from(id).map_err(|_| not_found())?;
        let sql = format!("{INVOICE_SELECT} WHERE i.id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.store.read)
            .await?
            .ok_or_else(not_found)?;
        let invoice = self.invoice_from_row(&row, caller)?;
        if !self.may_see(caller, &row)? {
            return Err(not_found());
        }
        Ok(invoice)
    }

    fn may_see(&self, caller: &Caller, row: &SqliteRow) -> Result<bool> {
        let private: bool = row.try_get("is_private")?;
        let owner: String = row.try_get("owner_id")?;
        let target: Option<String> = row.try_get("target_user_id")?;
        Ok(!private || owner == caller.id || target.as_deref() == Some(caller.id.as_str()))
    }

    fn invoice_from_row(&self, row: &SqliteRow, caller: &Caller) -> Result<pb::Invoice> {
        use pb::invoice::{Integration, NullableRefund, NullableTargetUser};
        let owner_id: String = row.try_get("owner_id")?;
        let is_owner = owner_id == caller.id;
        let target_id: Option<String> = row.try_get("target_user_id")?;
        let is_base_crypto: bool = row.try_get("is_base_crypto")?;
        let price = dec(row, "price")?;
        let fiat: String = row.try_get("fiat_currency")?;
        let variable: String = row.try_get("price_variable")?;
        let valid_to: i64 = row.try_get("valid_to")?;
        let mut status: i32 = row.try_get("status")?;
        // Between two sweeps an expired invoice still reads as deleted.
        let live = [InvoiceStatus::Active, InvoiceStatus::PendingPay, InvoiceStatus::NoPieces].map(|s| s as i32);
        if valid_to <= now_ms() && live.contains(&status) {
            status = InvoiceStatus::Deleted as i32;
        }
        let current = if is_base_crypto {
            price
        } else {
            self.rates.btc_for_fiat(price, &fiat, &variable).unwrap_or(Decimal::ZERO)
        };
        let refund: Option<i64> = row.try_get("refund_payment_id")?;
        let integration = match row.try_get::<i64, _>("integration")? {
            1 => Integration::Redirect(row.try_get("redirect_url")?),
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
            owner: Some(user_info(row, "o", owner_id)?),
            nullable_target_user: Some(match target_id {
                Some(id) => NullableTargetUser::TargetUser(user_info(row, "t", id)?),
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
