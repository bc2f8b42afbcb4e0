//! The domain: who may do what, and what it does to the data. Knows nothing of gRPC:
//! it takes and returns the contract's plain messages and [`ServiceError`]s; `grpc.rs`
//! translates those to and from the wire.

mod chat;
pub mod events;
mod images;
mod invoices;
mod payments;
mod secrets;

use crate::rates::Rates;
use crate::store::{Store, now_ms, timestamp};
use rust_decimal::Decimal;
use schet_api::pb;
use schet_api::{FieldError, Rule, decimal, validate};
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
    /// A FAILED_PRECONDITION with a code the client words itself.
    #[error("{0}")]
    Refused(schet_api::Refusal),
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

/// Who reads: a logged-in user, or a guest (a call without any `authorization` metadata),
/// who sees public invoices, their images and the rate variables, and nothing else.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    Guest,
    User(&'a Caller),
}

impl<'a> From<&'a Caller> for Viewer<'a> {
    fn from(caller: &'a Caller) -> Self {
        Viewer::User(caller)
    }
}

impl<'a> From<Option<&'a Caller>> for Viewer<'a> {
    fn from(caller: Option<&'a Caller>) -> Self {
        caller.map_or(Viewer::Guest, Viewer::User)
    }
}

impl Viewer<'_> {
    /// The user's id; None for a guest (binds as SQL NULL, which equals nothing).
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Viewer::Guest => None,
            Viewer::User(c) => Some(c.id.as_str()),
        }
    }

    /// True when this viewer is the user `id`.
    pub fn is(&self, id: &str) -> bool {
        self.user_id() == Some(id)
    }
}

/// Fee for issuing a private invoice: this share of its BTC amount.
pub(crate) const PRIVATE_FEE_RATE: Decimal = Decimal::from_parts(5, 0, 0, false, 3); // 0.005

pub struct Service {
    pub store: Store,
    pub rates: Rates,
    pub events: events::Hub,
    /// Image decodes running at once.
    pub image_slots: tokio::sync::Semaphore,
    /// Token hash → (caller, when checked against the database).
    sessions: std::sync::Mutex<std::collections::HashMap<Vec<u8>, (Caller, i64)>>,
}

pub(crate) fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random generator is available");
    b
}

/// A new bearer token: 32 random bytes, hex.
pub fn new_token() -> String {
    random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn dec(row: &SqliteRow, col: &str) -> Result<Decimal> {
    let text: String = row.try_get(col)?;
    Decimal::from_str(&text).map_err(|e| ServiceError::Internal(format!("{col}: {e}")))
}

pub(crate) fn pb_dec(value: Decimal) -> Result<Option<pb::Decimal>> {
    decimal::to_pb(value).map(Some).map_err(|e| ServiceError::Internal(e.to_string()))
}

pub(crate) fn split_ids(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Normalizes GUIDs to lower case so that the same image is always spelled the same.
pub(crate) fn join_ids(ids: &[String]) -> String {
    ids.iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>().join(",")
}

pub(crate) const INVOICE_SELECT: &str = "SELECT i.*,
    o.username AS o_name, o.created_at AS o_created, o.last_online AS o_online,
    o.invoices_created AS o_ic, o.payments_payed AS o_pp, o.payments_received AS o_pr,
    t.username AS t_name, t.created_at AS t_created, t.last_online AS t_online,
    t.invoices_created AS t_ic, t.payments_payed AS t_pp, t.payments_received AS t_pr,
    (SELECT COUNT(*) FROM invoice_secrets s WHERE s.invoice_id = i.id AND s.payment_id IS NULL) AS secrets_unsold
  FROM invoices i JOIN users o ON o.id = i.owner_id LEFT JOIN users t ON t.id = i.target_user_id";

pub(crate) fn user_info(row: &SqliteRow, prefix: &str, id: String) -> Result<pb::UserInfo> {
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
        Service {
            store,
            rates,
            events: events::Hub::default(),
            image_slots: tokio::sync::Semaphore::new(2),
            sessions: Default::default(),
        }
    }

    // ------------------------------------------------------------------ users

    /// Creates a user with a balance; returns the user's id and bearer token.
    pub async fn add_user(&self, username: &str, balance: Decimal, token: Option<&str>) -> Result<(String, String)> {
        validate::username(username).map_err(|rule| FieldError::new("UserName", rule))?;
        if balance < Decimal::ZERO || balance.scale() > schet_api::limits::BTC_SCALE {
            return Err(FieldError::new("Balance", Rule::Balance).into());
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
        let hash = hash_token(token);
        // Recently seen tokens skip the database (and the once-a-minute activity write).
        let now = now_ms();
        if let Some((caller, seen)) = self.sessions.lock().expect("sessions lock").get(&hash)
            && now - *seen < 60_000
        {
            return Ok(caller.clone());
        }
        let row = sqlx::query("SELECT id, username, last_online FROM users WHERE token_hash = ?")
            .bind(&hash)
            .fetch_optional(&self.store.read)
            .await?
            .ok_or(ServiceError::Unauthenticated("the token is not valid: log in again"))?;
        let caller = Caller { id: row.try_get("id")?, username: row.try_get("username")? };
        // Record activity at most once a minute: reads should not turn into writes.
        let last: i64 = row.try_get("last_online")?;
        if now - last > 60_000 {
            sqlx::query("UPDATE users SET last_online = ? WHERE id = ?")
                .bind(now)
                .bind(&caller.id)
                .execute(&self.store.write)
                .await?;
        }
        let mut sessions = self.sessions.lock().expect("sessions lock");
        if sessions.len() > 10_000 {
            sessions.retain(|_, (_, seen)| now - *seen < 60_000);
        }
        sessions.insert(hash, (caller.clone(), now));
        Ok(caller)
    }

    /// GetMyProfile: who the caller is, and their BTC balance.
    pub async fn my_profile(&self, caller: Caller) -> Result<pb::MyProfileResponse> {
        let text: String = sqlx::query_scalar("SELECT balance FROM users WHERE id = ?")
            .bind(&caller.id)
            .fetch_one(&self.store.read)
            .await?;
        let balance = Decimal::from_str(&text).map_err(|e| ServiceError::Internal(format!("balance: {e}")))?;
        Ok(pb::MyProfileResponse { user_id: caller.id, username: caller.username, balance: pb_dec(balance)? })
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
}
