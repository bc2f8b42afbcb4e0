//! What one user may take: message rates (token buckets, in memory) and stored quotas
//! (counted in the database before a write). Every refusal is RESOURCE_EXHAUSTED.

use super::{Caller, Result, Service, ServiceError};
use crate::db::{Conn, now_ms, q};
use crate::sql;
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
    /// Bytes of message text a minute (at least one largest message).
    pub message_bytes_per_minute_per_user: u32,
    pub message_bytes_per_minute_per_conversation: u32,
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
            message_bytes_per_minute_per_user: l::MESSAGE_BYTES_PER_MINUTE_PER_USER,
            message_bytes_per_minute_per_conversation: l::MESSAGE_BYTES_PER_MINUTE_PER_CONVERSATION,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets by key: `per_minute` units, refilled evenly over a minute; a burst of up
/// to `per_minute` is fine, a steady rate above it is not. An action takes `weight` units
/// (one message; or its bytes).
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

    /// Whether `key` may act now with `weight`, without taking anything; Err: when it may.
    pub fn check(&self, key: &str, weight: u32, now: Instant) -> std::result::Result<(), Duration> {
        let weight = f64::from(weight.min(self.per_minute));
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let Some(mut b) = buckets.get(key).copied() else { return Ok(()) };
        self.refill(&mut b, now);
        if b.tokens >= weight {
            Ok(())
        } else {
            Err(Duration::from_secs_f64((weight - b.tokens) * 60.0 / f64::from(self.per_minute)))
        }
    }

    /// Takes `weight` for `key` (call after [`Rate::check`] passed, when the action happened).
    pub fn take(&self, key: &str, weight: u32, now: Instant) {
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
        b.tokens = (b.tokens - f64::from(weight)).max(0.0);
    }
}

impl Service {
    /// A new invoice fits the caller's quota of invoices not deleted. One row whatever the
    /// caller has: the count of their live statuses kept by the database's triggers
    /// (`migrations/*/0007_live_invoices.sql`), `counted` when the caller already read it in
    /// this transaction, else read here locked (PostgreSQL: a write that ends or revives one
    /// of theirs meanwhile is waited for). Those expired but not yet marked by the sweeper
    /// are in that count; they are counted (the expiry index: only those unmarked) and left
    /// out when the count reaches the quota.
    pub(crate) async fn check_live_invoices_quota(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        counted: Option<i64>,
    ) -> Result<()> {
        let max = self.config.quotas.live_invoices_per_user;
        let counted: i64 = match counted {
            Some(n) => n,
            None => q(sql!(lock: "SELECT n FROM live_invoices WHERE owner_id = $1"))
                .bind(&caller.id)
                .scalar_opt(conn)
                .await?
                .unwrap_or(0),
        };
        if (counted.max(0) as u64) < max {
            return Ok(());
        }
        let lapsed: i64 =
            q(sql!("SELECT COUNT(*) FROM invoices WHERE status IN (0, 1, 2) AND valid_to <= $2 AND owner_id = $1"))
                .bind(&caller.id)
                .bind(now_ms())
                .scalar(conn)
                .await?;
        let live = counted - lapsed;
        if live.max(0) as u64 >= max {
            return Err(ServiceError::ResourceExhausted(format!(
                "you have {live} invoices that are not deleted, the most one user may have ({max}): delete some first"
            )));
        }
        Ok(())
    }

    /// `adding` more unsold secrets fit the caller's quota.
    pub(crate) async fn check_unsold_secrets_quota(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        adding: usize,
    ) -> Result<()> {
        if adding == 0 {
            return Ok(());
        }
        let max = self.config.quotas.unsold_secrets_per_user;
        // Counted up to the quota at most: the cost is bounded by it.
        let unsold: i64 = q(sql!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM invoices i JOIN invoice_secrets s ON s.invoice_id = i.id
                AND s.payment_id IS NULL WHERE i.owner_id = $1 AND i.status IN (0, 1, 2) LIMIT $2) AS unsold"
        ))
        .bind(&caller.id)
        .bind(i64::try_from(max).unwrap_or(i64::MAX - 1) + 1)
        .scalar(conn)
        .await?;
        if unsold as u64 + adding as u64 > max {
            return Err(ServiceError::ResourceExhausted(format!(
                "you have {unsold} unsold secrets; one user may have at most {max}"
            )));
        }
        Ok(())
    }

    /// `adding` more bytes of images fit the caller's quota.
    pub(crate) async fn check_image_bytes_quota(&self, conn: &mut Conn, caller: &Caller, adding: u64) -> Result<()> {
        let max = self.config.quotas.image_bytes_per_user;
        let used: i64 = q(sql!("SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM images WHERE owner_id = $1"))
            .bind(&caller.id)
            .scalar(conn)
            .await?;
        if used as u64 + adding > max {
            return Err(ServiceError::ResourceExhausted(format!(
                "your images take {used} bytes; one user may store at most {max} (this one needs {adding})"
            )));
        }
        Ok(())
    }

    /// The caller may send `bytes` of message in `conversation` now (by count and by bytes,
    /// per user and per conversation); takes them when `take`.
    pub(crate) fn check_message_rate(
        &self,
        caller: &Caller,
        conversation: &str,
        bytes: usize,
        take: bool,
    ) -> Result<()> {
        let now = Instant::now();
        let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
        let rates = [
            (&self.user_messages, caller.id.as_str(), 1, "one user", "messages"),
            (&self.conversation_messages, conversation, 1, "one conversation", "messages"),
            (&self.user_message_bytes, caller.id.as_str(), bytes, "one user", "bytes of messages"),
            (&self.conversation_message_bytes, conversation, bytes, "one conversation", "bytes of messages"),
        ];
        for (rate, key, weight, who, what) in rates {
            if let Err(wait) = rate.check(key, weight, now) {
                return Err(ServiceError::ResourceExhausted(format!(
                    "{who} may send at most {} {what} a minute: try again in {} s",
                    rate.per_minute(),
                    wait.as_secs() + 1
                )));
            }
        }
        if take {
            for (rate, key, weight, _, _) in rates {
                rate.take(key, weight, now);
            }
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
            rate.check("a", 1, t0).unwrap();
            rate.take("a", 1, t0);
        }
        let wait = rate.check("a", 1, t0).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(rate.check("b", 1, t0).is_ok(), "keys are separate");
        assert!(rate.check("a", 1, t0 + Duration::from_secs(20)).is_ok(), "one token back after 20 s");
        rate.take("a", 1, t0 + Duration::from_secs(20));
        assert!(rate.check("a", 1, t0 + Duration::from_secs(21)).is_err());
        assert!(rate.check("a", 1, t0 + Duration::from_secs(120)).is_ok());
    }

    #[test]
    fn weights_count_bytes() {
        let rate = Rate::new(10_000);
        let t0 = Instant::now();
        rate.take("a", 8_000, t0);
        assert!(rate.check("a", 2_000, t0).is_ok());
        assert!(rate.check("a", 2_001, t0).is_err());
        // A weight above the whole bucket still passes once the bucket is full.
        assert!(rate.check("b", 50_000, t0).is_ok());
    }
}
