//! Users: creating them, authenticating tokens, last-seen times, the rate variables.

use super::{Caller, Result, Service, ServiceError, hash_token, new_token, random_bytes};
use crate::db::{now_ms, q};
use crate::sql;
use rust_decimal::Decimal;
use schet_api::pb;
use schet_api::{FieldError, Rule, decimal, validate};

impl Service {
    /// Creates a user with a balance; returns the user's id and bearer token.
    pub async fn add_user(&self, username: &str, balance: Decimal, token: Option<&str>) -> Result<(String, String)> {
        validate::username(username).map_err(|rule| FieldError::new("UserName", rule))?;
        if balance < Decimal::ZERO || balance.scale() > schet_api::limits::BTC_SCALE {
            return Err(FieldError::new("Balance", Rule::Balance).into());
        }
        let id = schet_api::Guid::from_random_bytes(random_bytes()).to_string();
        let token = token.map_or_else(new_token, str::to_string);
        let now = now_ms();
        let mut tx = self.store.begin().await?;
        // Names are unique in any letter case (an index on lower(username)): a name taken
        // meanwhile by another instance inserts nothing.
        let made: Option<String> = q(sql!(
            "INSERT INTO users (id, username, token_hash, balance, created_at, last_online)
             SELECT $1, $2, $3, $4, $5, $5 WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(username) = lower($2))
             ON CONFLICT DO NOTHING RETURNING id"
        ))
        .bind(&id)
        .bind(username)
        .bind(hash_token(&token))
        .bind(balance.normalize())
        .bind(now)
        .scalar_opt(&mut tx)
        .await?;
        if made.is_none() {
            return Err(ServiceError::FailedPrecondition(format!("user name {username} is taken")));
        }
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
        let mut conn = self.store.read().await?;
        let row = q(sql!("SELECT id, username, last_online FROM users WHERE token_hash = $1"))
            .bind(&hash)
            .fetch_optional(&mut conn)
            .await?
            .ok_or(ServiceError::Unauthenticated("the token is not valid: log in again"))?;
        let caller = Caller { id: row.get("id")?, username: row.get("username")? };
        // Activity is noted in memory and written in the background ([`Service::flush_activity`]):
        // a call never waits on the write connection for it.
        let last: i64 = row.get("last_online")?;
        if now - last > 60_000 {
            self.activity.lock().unwrap_or_else(|p| p.into_inner()).insert(caller.id.clone(), now);
        }
        let mut sessions = self.sessions.lock().expect("sessions lock");
        if sessions.len() > 10_000 {
            sessions.retain(|_, (_, seen)| now - *seen < 60_000);
        }
        sessions.insert(hash, (caller.clone(), now));
        Ok(caller)
    }

    /// Writes the last-seen times noted since the last flush (by this instance), in one
    /// transaction. Returns how many users were written.
    pub async fn flush_activity(&self) -> Result<usize> {
        // Kept in memory until written, so that reads never see it go back in between.
        let seen = self.activity.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if seen.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store.begin().await?;
        for (user, at) in &seen {
            q(sql!("UPDATE users SET last_online = $1 WHERE id = $2 AND last_online < $1"))
                .bind(*at)
                .bind(user)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        self.activity
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|user, at| seen.get(user).is_none_or(|written| *at > *written));
        Ok(seen.len())
    }

    /// GetMyProfile: who the caller is, and their BTC balance.
    pub async fn my_profile(&self, caller: Caller) -> Result<pb::MyProfileResponse> {
        let mut conn = self.store.read().await?;
        let balance: Decimal =
            q(sql!("SELECT balance FROM users WHERE id = $1")).bind(&caller.id).scalar(&mut conn).await?;
        Ok(pb::MyProfileResponse { user_id: caller.id, username: caller.username, balance: super::pb_dec(balance)? })
    }

    pub async fn is_user_exist(&self, username: &str) -> Result<bool> {
        Ok(self.user_id(username).await?.is_some())
    }

    /// The id of the user with this name (any letter case).
    pub async fn user_id(&self, username: &str) -> Result<Option<String>> {
        let mut conn = self.store.read().await?;
        Ok(q(sql!("SELECT id FROM users WHERE lower(username) = lower($1)"))
            .bind(username)
            .scalar_opt(&mut conn)
            .await?)
    }

    pub fn variables(&self) -> Result<pb::Variables> {
        let mut variables = std::collections::HashMap::new();
        for (name, value) in &self.rates.variables {
            variables.insert(name.clone(), decimal::to_pb(*value).map_err(|e| ServiceError::Internal(e.to_string()))?);
        }
        Ok(pb::Variables { variables, keep_alive: false })
    }
}
