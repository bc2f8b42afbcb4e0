//! The domain: who may do what, and what it does to the data. Knows nothing of gRPC:
//! it takes and returns the contract's plain messages and [`ServiceError`]s; `grpc.rs`
//! translates those to and from the wire. Its SQL runs on either store (`crate::db`).

/// The columns `invoice_from_row` reads: the invoice (`i`), its owner (`o_…`) and target
/// (`t_…`), and how many secrets are unsold (their positions are consecutive: the last
/// minus the first, two index seeks).
macro_rules! invoice_columns {
    () => {
        "i.*,
    o.username AS o_name, o.created_at AS o_created, o.last_online AS o_online,
    o.invoices_created AS o_ic, o.payments_payed AS o_pp, o.payments_received AS o_pr,
    t.username AS t_name, t.created_at AS t_created, t.last_online AS t_online,
    t.invoices_created AS t_ic, t.payments_payed AS t_pp, t.payments_received AS t_pr,
    COALESCE((SELECT MAX(s.position) FROM invoice_secrets s WHERE s.invoice_id = i.id AND s.payment_id IS NULL)
      - (SELECT MIN(s.position) FROM invoice_secrets s WHERE s.invoice_id = i.id AND s.payment_id IS NULL) + 1, 0)
      AS secrets_unsold"
    };
}

/// The users an invoice row joins ([`invoice_columns`]).
macro_rules! invoice_users {
    () => {
        " JOIN users o ON o.id = i.owner_id LEFT JOIN users t ON t.id = i.target_user_id"
    };
}

mod chat;
mod chat_reads;
pub mod coins;
pub mod events;
mod images;
mod invoice_list;
pub use invoice_list::shapes as invoice_list_shapes;
mod invoice_reads;
mod invoices;
pub mod merchant;
mod parties;
mod payment_views;
mod payments;
mod purchase;
pub mod quota;
pub mod relay;
mod secrets;
mod settlement;
mod users;

use crate::db::{Row, Store, q, timestamp};
pub(crate) use crate::random::random_bytes;
use crate::rates::Rates;
use crate::sealed::Sealer;
use crate::sql;
use rust_decimal::Decimal;
use schet_api::pb;
use schet_api::{FieldError, decimal};
use sha2::{Digest, Sha256};

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
    /// A quota, a rate or a size limit: try later, or with less.
    #[error("{0}")]
    ResourceExhausted(String),
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
pub(crate) const PRIVATE_FEE_RATE: Decimal = rust_decimal_macros::dec!(0.005);

/// What an operator chooses; the defaults suit production (tests scale them down).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where people reach this service, without a trailing slash (merchant payment links).
    pub public_url: String,
    pub webhooks: crate::webhook::Policy,
    pub quotas: quota::Quotas,
    pub events: events::Limits,
    /// An invoice's secrets in a list, at most this many bytes.
    pub secrets_bytes_per_invoice: usize,
    /// List replies are cut at about this size.
    pub reply_budget_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            public_url: "http://localhost".into(),
            webhooks: Default::default(),
            quotas: Default::default(),
            events: Default::default(),
            secrets_bytes_per_invoice: schet_api::limits::SECRETS_BYTES_PER_INVOICE,
            reply_budget_bytes: schet_api::limits::REPLY_BUDGET_BYTES,
        }
    }
}

pub struct Service {
    pub store: Store,
    pub rates: Rates,
    pub config: Config,
    /// This instance's open event streams.
    pub events: events::Hub,
    /// Several instances (PostgreSQL): events travel through the database to whichever
    /// instance holds the user's stream.
    pub relay: Option<relay::Relay>,
    /// Image decodes running at once.
    pub image_slots: tokio::sync::Semaphore,
    /// Token hash → (caller, when checked against the database).
    sessions: std::sync::Mutex<std::collections::HashMap<Vec<u8>, (Caller, i64)>>,
    /// User id → when last seen, not yet written (written in the background, so that no
    /// call waits on the write connection for it).
    activity: std::sync::Mutex<std::collections::HashMap<String, i64>>,
    /// Seals webhook client keys at rest; None: the service cannot take webhook keys.
    sealer: Option<Sealer>,
    /// Chat messages sent, by user and by conversation.
    user_messages: quota::Rate,
    conversation_messages: quota::Rate,
    user_message_bytes: quota::Rate,
    conversation_message_bytes: quota::Rate,
}

pub(crate) fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new bearer token: 32 random bytes, hex.
pub fn new_token() -> String {
    random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect()
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

impl Service {
    /// A user's public information from columns `{prefix}_…` of `row`. Last seen is the
    /// later of what is stored and what is noted but not yet written, so that it reads the
    /// same before and after the background write.
    pub(crate) fn user_info(&self, row: &Row, prefix: &str, id: String) -> Result<pb::UserInfo> {
        let c = |name: &str| format!("{prefix}_{name}");
        let stored: i64 = row.get(&c("online"))?;
        let noted = self.activity.lock().unwrap_or_else(|p| p.into_inner()).get(&id).copied().unwrap_or(0);
        Ok(pb::UserInfo {
            username: row.get(&c("name"))?,
            created_at: Some(timestamp(row.get(&c("created"))?)),
            last_online: Some(timestamp(stored.max(noted))),
            invoices_created_count: row.get(&c("ic"))?,
            payments_payed_count: row.get(&c("pp"))?,
            payments_received_count: row.get(&c("pr"))?,
            id,
        })
    }
}

/// What a stored webhook key looks like to its owner: that one is set, never the key.
pub const WEBHOOK_KEY_STORED: &str = "(stored)";

impl Service {
    /// A service with the default configuration and no key for webhook secrets (the admin
    /// commands and tests).
    pub fn new(store: Store, rates: Rates) -> Self {
        Service::with_config(store, rates, Config::default(), None)
    }

    pub fn with_config(store: Store, rates: Rates, mut config: Config, sealer: Option<Sealer>) -> Self {
        config.public_url = config.public_url.trim_end_matches('/').to_string();
        Service {
            store,
            rates,
            events: events::Hub::new(config.events),
            relay: None,
            image_slots: tokio::sync::Semaphore::new(2),
            sessions: Default::default(),
            activity: Default::default(),
            sealer,
            user_messages: quota::Rate::new(config.quotas.messages_per_minute_per_user),
            conversation_messages: quota::Rate::new(config.quotas.messages_per_minute_per_conversation),
            user_message_bytes: quota::Rate::new(config.quotas.message_bytes_per_minute_per_user),
            conversation_message_bytes: quota::Rate::new(config.quotas.message_bytes_per_minute_per_conversation),
            config,
        }
    }

    /// Sends `event` to `user_id`'s streams, on whichever instance they are.
    pub(crate) fn publish(&self, user_id: &str, event: pb::Event) {
        match &self.relay {
            Some(relay) => relay.publish(user_id, event),
            None => self.events.publish(user_id, event),
        }
    }

    pub fn public_url(&self) -> &str {
        &self.config.public_url
    }

    // ------------------------------------------------------------------ webhook keys at rest

    /// A webhook client key as stored: sealed (empty stays empty).
    pub(crate) fn seal_key(&self, plain: &str) -> Result<String> {
        if plain.is_empty() || Sealer::is_sealed(plain) {
            return Ok(plain.to_string());
        }
        let sealer = self.sealer.as_ref().ok_or_else(|| {
            ServiceError::FailedPrecondition(
                "this service cannot keep webhook keys: it was started without a key to seal them \
                 (--webhook-key-file or SCHET_WEBHOOK_KEY)"
                    .into(),
            )
        })?;
        Ok(sealer.seal(plain))
    }

    /// A stored webhook client key, opened.
    pub(crate) fn open_key(&self, stored: &str) -> std::result::Result<String, crate::sealed::SealError> {
        if !Sealer::is_sealed(stored) {
            return Ok(stored.to_string());
        }
        self.sealer.as_ref().ok_or(crate::sealed::SealError::Open)?.open(stored)
    }

    /// On start: seals the webhook keys stored in plain text by earlier versions. Refuses to
    /// go on without a key when any webhook key is stored.
    pub async fn seal_stored_webhook_keys(&self) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let stored: Vec<(i64, String)> =
            q(sql!("SELECT id, webhook_client_key FROM invoices WHERE webhook_client_key <> ''"))
                .fetch_all(&mut tx)
                .await?
                .iter()
                .map(|r| Ok((r.at(0)?, r.at(1)?)))
                .collect::<Result<_>>()?;
        if stored.is_empty() {
            return Ok(0);
        }
        let Some(sealer) = &self.sealer else {
            return Err(ServiceError::FailedPrecondition(format!(
                "{} webhook key(s) are stored: start with the key that seals them \
                 (--webhook-key-file or SCHET_WEBHOOK_KEY)",
                stored.len()
            )));
        };
        let mut sealed = 0;
        for (id, key) in stored {
            if Sealer::is_sealed(&key) {
                sealer.open(&key).map_err(|e| ServiceError::FailedPrecondition(format!("invoice {id}: {e}")))?;
                continue;
            }
            q(sql!("UPDATE invoices SET webhook_client_key = $1 WHERE id = $2"))
                .bind(sealer.seal(&key))
                .bind(id)
                .execute(&mut tx)
                .await?;
            sealed += 1;
        }
        tx.commit().await?;
        Ok(sealed)
    }
}
