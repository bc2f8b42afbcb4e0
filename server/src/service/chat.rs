//! Conversations: one per (invoice, buyer) and one per payment, between the seller and
//! the buyer only. A stranger can neither read nor write another pair's conversation.

use super::events::event;
use super::invoices::{load_row, may_see, not_found};
use super::{Caller, Result, Service, ServiceError, join_ids, split_ids, user_info};
use crate::store::{now_ms, timestamp};
use schet_api::pb::{self, event::EventType};
use schet_api::{FieldError, Rule, validate};
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

const CONVERSATION_SELECT: &str = "SELECT c.*,
    s.username AS s_name, s.created_at AS s_created, s.last_online AS s_online,
    s.invoices_created AS s_ic, s.payments_payed AS s_pp, s.payments_received AS s_pr,
    b.username AS b_name, b.created_at AS b_created, b.last_online AS b_online,
    b.invoices_created AS b_ic, b.payments_payed AS b_pp, b.payments_received AS b_pr
  FROM conversations c JOIN users s ON s.id = c.seller_id JOIN users b ON b.id = c.buyer_id";

impl Service {
    async fn conversation(&self, conn: &mut SqliteConnection, caller: &Caller, id: i64) -> Result<pb::Conversation> {
        use pb::conversation::Parent;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{CONVERSATION_SELECT} WHERE c.id = ?")))
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        let invoice: Option<i64> = row.try_get("invoice_id")?;
        let payment: Option<i64> = row.try_get("payment_id")?;
        let parent = match (invoice, payment) {
            (Some(i), _) => {
                let r = load_row(conn, i).await?.ok_or_else(|| not_found(i as u64))?;
                Some(Parent::Invoice(self.invoice_from_row(&r, caller)?))
            }
            (None, Some(p)) => Some(Parent::Payment(self.payment_in(conn, caller, p, true).await?)),
            (None, None) => None,
        };
        let messages = sqlx::query("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|m| {
                Ok(pb::ConversationMessage {
                    id: m.try_get::<i64, _>("id")? as u64,
                    owner_id: m.try_get("owner_id")?,
                    text: m.try_get("text")?,
                    created_at: Some(timestamp(m.try_get("created_at")?)),
                    images: split_ids(&m.try_get::<String, _>("images")?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(pb::Conversation {
            id: id as u64,
            seller: Some(user_info(&row, "s", row.try_get("seller_id")?)?),
            buyer: Some(user_info(&row, "b", row.try_get("buyer_id")?)?),
            parent,
            messages,
        })
    }

    /// Appends a message (creating the conversation if needed) and tells the other party.
    async fn post(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
        caller: &Caller,
        key: (Option<i64>, Option<i64>),
        seller: &str,
        buyer: &str,
        text: &str,
        images: &[String],
    ) -> Result<pb::Conversation> {
        self.check_images_exist(&mut tx, "ImageIds", images).await?;
        let now = now_ms();
        let existing: Option<i64> = match key {
            (Some(invoice), _) => {
                sqlx::query_scalar("SELECT id FROM conversations WHERE invoice_id = ? AND buyer_id = ?")
                    .bind(invoice)
                    .bind(buyer)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            (None, Some(payment)) => {
                sqlx::query_scalar("SELECT id FROM conversations WHERE payment_id = ?")
                    .bind(payment)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            (None, None) => None,
        };
        let id = match existing {
            Some(id) => id,
            None => {
                sqlx::query_scalar(
                    "INSERT INTO conversations (invoice_id, payment_id, seller_id, buyer_id, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(key.0)
                .bind(key.1)
                .bind(seller)
                .bind(buyer)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        sqlx::query(
            "INSERT INTO messages (conversation_id, owner_id, text, images, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(&caller.id)
        .bind(text)
        .bind(join_ids(images))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE conversations SET updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mine = self.conversation(&mut tx, caller, id).await?;
        let other_id = if caller.id == seller { buyer } else { seller };
        let other = Caller { id: other_id.to_string(), username: String::new() };
        let theirs = self.conversation(&mut tx, &other, id).await?;
        tx.commit().await?;
        self.events.publish(other_id, event(EventType::NewMessage, Some(pb::event::Payload::Conversation(theirs))));
        self.events
            .publish(&caller.id, event(EventType::NewMessage, Some(pb::event::Payload::Conversation(mine.clone()))));
        Ok(mine)
    }

    /// SendInvoiceMessage: a buyer writes to the invoice's owner; the owner names the buyer.
    pub async fn send_invoice_message(
        &self,
        caller: &Caller,
        req: pb::SendInvoiceMessageRequest,
    ) -> Result<pb::Conversation> {
        validate::message(&req.text, &req.image_ids).first()?;
        if req.invoice_id == 0 {
            return Err(FieldError::new("InvoiceId", Rule::Required).into());
        }
        let key = i64::try_from(req.invoice_id).map_err(|_| not_found(req.invoice_id))?;
        let mut tx = self.store.write.begin().await?;
        let row = load_row(&mut tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(req.invoice_id));
        }
        let owner: String = row.try_get("owner_id")?;
        let buyer = if caller.id == owner {
            if req.to_user_id.is_empty() {
                return Err(FieldError::new("ToUserId", Rule::NameTheBuyer).into());
            }
            let buyer_id = req.to_user_id.to_ascii_lowercase();
            if buyer_id == owner {
                return Err(FieldError::new("ToUserId", Rule::BuyerNotYourself).into());
            }
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = ?")
                .bind(&buyer_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(FieldError::new("ToUserId", Rule::NoSuchUserId).into());
            }
            // A private invoice's conversation is with its buyer only.
            let target: Option<String> = row.try_get("target_user_id")?;
            if target.as_ref().is_some_and(|t| *t != buyer_id) {
                return Err(FieldError::new("ToUserId", Rule::BuyerOnly).into());
            }
            buyer_id
        } else {
            caller.id.clone()
        };
        self.post(tx, caller, (Some(key), None), &owner, &buyer, &req.text, &req.image_ids).await
    }

    /// SendInvoicePaymentMessage: the buyer or the seller of a payment writes about it.
    pub async fn send_payment_message(
        &self,
        caller: &Caller,
        req: pb::SendInvoicePaymentMessageRequest,
    ) -> Result<pb::Conversation> {
        validate::message(&req.text, &req.image_ids).first()?;
        if req.payment_id == 0 {
            return Err(FieldError::new("PaymentId", Rule::Required).into());
        }
        let missing = || ServiceError::NotFound(format!("payment {} was not found", req.payment_id));
        let key = i64::try_from(req.payment_id).map_err(|_| missing())?;
        let tx = self.store.write.begin().await?;
        let mut tx = tx;
        let parties: Option<(String, String)> = sqlx::query_as(
            "SELECT p.buyer_id, i.owner_id FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.id = ?",
        )
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let (buyer, seller) = parties.ok_or_else(missing)?;
        if caller.id != buyer && caller.id != seller {
            return Err(missing());
        }
        self.post(tx, caller, (None, Some(key)), &seller, &buyer, &req.text, &req.image_ids).await
    }

    /// GetConversations: every conversation the caller is a party to, latest first.
    pub async fn conversations(&self, caller: &Caller) -> Result<Vec<pb::Conversation>> {
        self.conversations_where(caller, "1 = 1", None).await
    }

    /// GetConversationsById: by invoice, by payment, or with one other user.
    pub async fn conversations_by(
        &self,
        caller: &Caller,
        req: &pb::GetConversationsByIdRequest,
    ) -> Result<Vec<pb::Conversation>> {
        use pb::get_conversations_by_id_request::Ids;
        match &req.ids {
            Some(Ids::InvoiceId(id)) if *id > 0 => {
                self.conversations_where(caller, "c.invoice_id = ?2", Some(Key::Int(*id as i64))).await
            }
            Some(Ids::PaymentId(id)) if *id > 0 => {
                self.conversations_where(caller, "c.payment_id = ?2", Some(Key::Int(*id as i64))).await
            }
            Some(Ids::UserId(id)) if !id.is_empty() => {
                self.conversations_where(
                    caller,
                    "(c.seller_id = ?2 OR c.buyer_id = ?2)",
                    Some(Key::Text(id.to_ascii_lowercase())),
                )
                .await
            }
            Some(Ids::InvoiceId(_)) => Err(FieldError::new("InvoiceId", Rule::Required).into()),
            Some(Ids::PaymentId(_)) => Err(FieldError::new("PaymentId", Rule::Required).into()),
            Some(Ids::UserId(_)) => Err(FieldError::new("UserId", Rule::Required).into()),
            None => Err(FieldError::new("Ids", Rule::OneOfIds).into()),
        }
    }

    async fn conversations_where(
        &self,
        caller: &Caller,
        filter: &str,
        key: Option<Key>,
    ) -> Result<Vec<pb::Conversation>> {
        let sql = format!(
            "SELECT c.id FROM conversations c WHERE (c.seller_id = ?1 OR c.buyer_id = ?1) AND {filter} ORDER BY c.updated_at DESC, c.id DESC LIMIT 200"
        );
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&caller.id);
        query = match key {
            Some(Key::Int(v)) => query.bind(v),
            Some(Key::Text(v)) => query.bind(v),
            None => query,
        };
        let mut conn = self.store.read.acquire().await?;
        let ids: Vec<i64> = query.fetch_all(&mut *conn).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.conversation(&mut conn, caller, id).await?);
        }
        Ok(out)
    }
}

enum Key {
    Int(i64),
    Text(String),
}
