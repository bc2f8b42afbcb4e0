//! What one user may take: message rates (token buckets, in memory) and stored quotas
//! (counted in the database before a write). Every refusal is RESOURCE_EXHAUSTED.

use super::{Caller, Result, Service, ServiceError};
use crate::store::now_ms;
use sqlx::sqlite::SqliteConnection;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Quotas and rates an operator may tune; the defaults are `schet_api::limits`'.
#[derive(Debug, Clone, Copy)]
pub struct Quotas {
    pub image_bytes_per_user: u64,
    pub live_invoices_per_user: u64,
    pub unsold_secrets_per_user: u64,
    pub messages_per_minute_per_user: u32,
    pub messages_per_minute_per_conversation: u32,
}

impl Default for Quotas {
    fn default() -> Self {
        use schet_api::limits as l;
        Quotas {
            image_bytes_per_user: l::IMAGE_BYTES_PER_USER,
            live_invoices_per_user: l::LIVE_INVOICES_PER_USER,
            unsold_secrets_per_user: l::UNSOLD_SECRETS_PER_USER,
            messages_per_minute_per_user: l::MESSAGES_PER_MINUTE_PER_USER,
            messages_per_minute_per_conversation: l::MESSAGES_PER_MINUTE_PER_CONVERSATION,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets by key: `per_minute` tokens, refilled evenly over a minute; a burst of up
/// to `per_minute` is fine, a steady rate above it is not.
#[derive(Debug)]
pub struct Rate {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Buckets kept before full ones are forgotten.
const KEEP: usize = 50_000;

impl Rate {
    pub fn new(per_minute: u32) -> Rate {
        Rate { per_minute: per_minute.max(1), buckets: Mutex::default() }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        let capacity = f64::from(self.per_minute);
        let gained = now.saturating_duration_since(b.at).as_secs_f64() * capacity / 60.0;
        b.tokens = (b.tokens + gained).min(capacity);
        b.at = now;
    }

    /// Whether `key` may act now, without taking anything; Err: when it may again.
    pub fn check(&self, key: &str, now: Instant) -> std::result::Result<(), Duration> {
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let Some(mut b) = buckets.get(key).copied() else { return Ok(()) };
        self.refill(&mut b, now);
        if b.tokens >= 1.0 {
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) * 60.0 / f64::from(self.per_minute)))
        }
    }

    /// Takes one token for `key` (call after [`Rate::check`] passed, when the action happened).
    pub fn take(&self, key: &str, now: Instant) {
        let capacity = f64::from(self.per_minute);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= KEEP && !buckets.contains_key(key) {
            let per_minute = self.per_minute;
            buckets.retain(|_, b| {
                let gained = now.saturating_duration_since(b.at).as_secs_f64() * f64::from(per_minute) / 60.0;
                b.tokens + gained < capacity
            });
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket { tokens: capacity, at: now });
        self.refill(b, now);
        b.tokens = (b.tokens - 1.0).max(0.0);
    }
}

impl Service {
    /// A new invoice fits the caller's quota of invoices not deleted.
    pub(crate) async fn check_live_invoices_quota(&self, conn: &mut SqliteConnection, caller: &Caller) -> Result<()> {
        let max = self.config.quotas.live_invoices_per_user;
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invoices WHERE owner_id = ? AND status IN (0, 1, 2) AND valid_to > ?",
        )
        .bind(&caller.id)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await?;
        if live as u64 >= max {
            return Err(ServiceError::ResourceExhausted(format!(
                "you have {live} invoices that are not deleted, the most one user may have ({max}): delete some first"
            )));
        }
        Ok(())
    }

    /// `adding` more unsold secrets fit the caller's quota.
    pub(crate) async fn check_unsold_secrets_quota(
        &self,
        conn: &mut SqliteConnection,
        caller: &Caller,
        adding: usize,
    ) -> Result<()> {
        if adding == 0 {
            return Ok(());
        }
        let max = self.config.quotas.unsold_secrets_per_user;
        let unsold: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invoice_secrets s JOIN invoices i ON i.id = s.invoice_id
             WHERE i.owner_id = ? AND s.payment_id IS NULL AND i.status IN (0, 1, 2)",
        )
        .bind(&caller.id)
        .fetch_one(&mut *conn)
        .await?;
        if unsold as u64 + adding as u64 > max {
            return Err(ServiceError::ResourceExhausted(format!(
                "you have {unsold} unsold secrets; one user may have at most {max}"
            )));
        }
        Ok(())
    }

    /// `adding` more bytes of images fit the caller's quota.
    pub(crate) async fn check_image_bytes_quota(
        &self,
        conn: &mut SqliteConnection,
        caller: &Caller,
        adding: u64,
    ) -> Result<()> {
        let max = self.config.quotas.image_bytes_per_user;
        let used: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(bytes), 0) FROM images WHERE owner_id = ?")
            .bind(&caller.id)
            .fetch_one(&mut *conn)
            .await?;
        if used as u64 + adding > max {
            return Err(ServiceError::ResourceExhausted(format!(
                "your images take {used} bytes; one user may store at most {max} (this one needs {adding})"
            )));
        }
        Ok(())
    }

    /// The caller may send a message in `conversation` now (both rates); takes a turn of
    /// each when `take`.
    pub(crate) fn check_message_rate(&self, caller: &Caller, conversation: &str, take: bool) -> Result<()> {
        let now = Instant::now();
        let per_user = self.user_messages.check(&caller.id, now);
        let per_conversation = self.conversation_messages.check(conversation, now);
        let refuse = |what: &str, per_minute: u32, wait: Duration| {
            ServiceError::ResourceExhausted(format!(
                "{what} may take at most {per_minute} messages a minute: try again in {} s",
                wait.as_secs() + 1
            ))
        };
        if let Err(wait) = per_user {
            return Err(refuse("one user", self.user_messages.per_minute(), wait));
        }
        if let Err(wait) = per_conversation {
            return Err(refuse("one conversation", self.conversation_messages.per_minute(), wait));
        }
        if take {
            self.user_messages.take(&caller.id, now);
            self.conversation_messages.take(conversation, now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_up_to_the_rate_then_one_per_interval() {
        let rate = Rate::new(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            rate.check("a", t0).unwrap();
            rate.take("a", t0);
        }
        let wait = rate.check("a", t0).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(rate.check("b", t0).is_ok(), "keys are separate");
        assert!(rate.check("a", t0 + Duration::from_secs(20)).is_ok(), "one token back after 20 s");
        rate.take("a", t0 + Duration::from_secs(20));
        assert!(rate.check("a", t0 + Duration::from_secs(21)).is_err());
        assert!(rate.check("a", t0 + Duration::from_secs(120)).is_ok());
    }
}
