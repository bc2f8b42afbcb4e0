//! Conversations: one per (invoice, buyer) and one per payment, between the seller and
//! the buyer only. A stranger can neither read nor write another pair's conversation.
//!
//! Bounded whatever their length: a conversation lists its newest messages
//! ([`limits::CONVERSATION_PAGE_DEFAULT`]; older ones page back with `BeforeMessageId`), a
//! payment parent comes without its goods, and a list is cut to the reply budget (reading:
//! `chat_reads.rs`). Sending is rate limited per user and per conversation
//! (RESOURCE_EXHAUSTED), and a live event carries the new message alone.

use super::events::event;
use super::invoices::{Use, load_row, may_see, not_found, record_image_uses};
use super::{Caller, Result, Service, ServiceError, join_ids};
use crate::db::{Conn, now_ms, q};
use crate::sql;
use schet_api::pb::{self, event::EventType};
use schet_api::{FieldError, Rule, limits, validate};

/// Where a message goes: (invoice, payment) and the two parties.
struct Thread<'a> {
    key: (Option<i64>, Option<i64>),
    seller: &'a str,
    buyer: &'a str,
}

/// The rate key of a conversation, known before it exists.
fn rate_key(key: (Option<i64>, Option<i64>), buyer: &str) -> String {
    match key {
        (Some(invoice), _) => format!("i{invoice}:{buyer}"),
        (None, Some(payment)) => format!("p{payment}"),
        (None, None) => String::new(),
    }
}

impl Service {
    /// Appends a message (creating the conversation if needed) and tells the other party.
    async fn post(
        &self,
        mut tx: Conn,
        caller: &Caller,
        to: Thread<'_>,
        text: &str,
        images: &[String],
    ) -> Result<pb::Conversation> {
        let Thread { key, seller, buyer } = to;
        let rate = rate_key(key, buyer);
        self.check_message_rate(caller, &rate, text.len(), false)?;
        self.check_images_owned(caller, &[("ImageIds".to_string(), &images.to_vec())]).await?;
        let now = now_ms();
        // Made by whichever message comes first (another instance may be making it now: the
        // unique keys keep one, and both messages go to it).
        q(sql!(
            "INSERT INTO conversations (invoice_id, payment_id, seller_id, buyer_id, updated_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
        ))
        .bind(key.0)
        .bind(key.1)
        .bind(seller)
        .bind(buyer)
        .bind(now)
        .execute(&mut tx)
        .await?;
        let id: i64 = match key {
            (Some(invoice), _) => {
                q(sql!(lock: "SELECT id FROM conversations WHERE invoice_id = $1 AND buyer_id = $2"))
                    .bind(invoice)
                    .bind(buyer)
                    .scalar(&mut tx)
                    .await?
            }
            (None, payment) => {
                q(sql!(lock: "SELECT id FROM conversations WHERE payment_id = $1"))
                    .bind(payment)
                    .scalar(&mut tx)
                    .await?
            }
        };
        let message: i64 = q(sql!(
            "INSERT INTO messages (conversation_id, owner_id, text, images, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id"
        ))
        .bind(id)
        .bind(&caller.id)
        .bind(text)
        .bind(join_ids(images))
        .bind(now)
        .scalar(&mut tx)
        .await?;
        record_image_uses(&mut tx, Use::Message(message), images, false).await?;
        q(sql!("UPDATE conversations SET updated_at = $1 WHERE id = $2")).bind(now).bind(id).execute(&mut tx).await?;
        // The caller's reply, and the events: each carries the new message alone (the
        // clients hold the rest). Read once, shown three ways.
        let other_id = if caller.id == seller { buyer } else { seller };
        let other = Caller { id: other_id.to_string(), username: String::new() };
        let budget = self.config.reply_budget_bytes;
        let loaded = self.load_conversations(&mut tx, &[id], 0, limits::CONVERSATION_PAGE_DEFAULT).await?;
        let shown = vec![
            self.cut_conversations(&loaded, caller, limits::CONVERSATION_PAGE_DEFAULT, budget, false)?,
            self.cut_conversations(&loaded, &other, 1, budget, false)?,
            self.cut_conversations(&loaded, caller, 1, budget, false)?,
        ];
        let mut shown = self.finish_conversations(&mut tx, shown).await?.into_iter().flatten();
        let missing = || ServiceError::Internal(format!("conversation {id} vanished"));
        let (mine, theirs, echo) =
            (shown.next().ok_or_else(missing)?, shown.next().ok_or_else(missing)?, shown.next().ok_or_else(missing)?);
        // Posts run one at a time per conversation (its row is locked): checked and counted in one go.
        self.check_message_rate(caller, &rate, text.len(), true)?;
        tx.commit().await?;
        self.publish(other_id, event(EventType::NewMessage, Some(pb::event::Payload::Conversation(theirs))));
        self.publish(&caller.id, event(EventType::NewMessage, Some(pb::event::Payload::Conversation(echo))));
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
        let mut tx = self.store.begin().await?;
        let row = load_row(&mut tx, key).await?.ok_or_else(|| not_found(req.invoice_id))?;
        if !may_see(caller, &row)? {
            return Err(not_found(req.invoice_id));
        }
        let owner: String = row.get("owner_id")?;
        let buyer = if caller.id == owner {
            if req.to_user_id.is_empty() {
                return Err(FieldError::new("ToUserId", Rule::NameTheBuyer).into());
            }
            let buyer_id = req.to_user_id.to_ascii_lowercase();
            if buyer_id == owner {
                return Err(FieldError::new("ToUserId", Rule::BuyerNotYourself).into());
            }
            let exists: Option<String> =
                q(sql!("SELECT id FROM users WHERE id = $1")).bind(&buyer_id).scalar_opt(&mut tx).await?;
            if exists.is_none() {
                return Err(FieldError::new("ToUserId", Rule::NoSuchUserId).into());
            }
            // A private invoice's conversation is with its buyer only.
            let target: Option<String> = row.get("target_user_id")?;
            if target.as_ref().is_some_and(|t| *t != buyer_id) {
                return Err(FieldError::new("ToUserId", Rule::BuyerOnly).into());
            }
            buyer_id
        } else {
            caller.id.clone()
        };
        let to = Thread { key: (Some(key), None), seller: &owner, buyer: &buyer };
        self.post(tx, caller, to, &req.text, &req.image_ids).await
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
        let mut tx = self.store.begin().await?;
        let parties = q(sql!(
            "SELECT p.buyer_id, i.owner_id FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.id = $1"
        ))
        .bind(key)
        .fetch_optional(&mut tx)
        .await?
        .ok_or_else(missing)?;
        let (buyer, seller): (String, String) = (parties.at(0)?, parties.at(1)?);
        if caller.id != buyer && caller.id != seller {
            return Err(missing());
        }
        let to = Thread { key: (None, Some(key)), seller: &seller, buyer: &buyer };
        self.post(tx, caller, to, &req.text, &req.image_ids).await
    }

    /// GetConversations: every conversation the caller is a party to, latest first.
    pub async fn conversations(&self, caller: &Caller) -> Result<Vec<pb::Conversation>> {
        self.conversations_where(caller, By::All, 0, limits::CONVERSATION_PAGE_DEFAULT).await
    }

    /// GetConversationsById: by invoice, by payment, or with one other user.
    pub async fn conversations_by(
        &self,
        caller: &Caller,
        req: &pb::GetConversationsByIdRequest,
    ) -> Result<Vec<pb::Conversation>> {
        use pb::get_conversations_by_id_request::Ids;
        let count = match req.messages_count {
            0 => limits::CONVERSATION_PAGE_DEFAULT,
            n if n > limits::CONVERSATION_PAGE_MAX => {
                let max = u64::from(limits::CONVERSATION_PAGE_MAX);
                return Err(FieldError::new("MessagesCount", Rule::AtMost { max }).into());
            }
            n => n,
        };
        let before =
            i64::try_from(req.before_message_id).map_err(|_| FieldError::new("BeforeMessageId", Rule::OutOfRange))?;
        let id_key = |id: u64, field: &str| i64::try_from(id).map_err(|_| FieldError::new(field, Rule::OutOfRange));
        match &req.ids {
            Some(Ids::InvoiceId(id)) if *id > 0 => {
                self.conversations_where(caller, By::Invoice(id_key(*id, "InvoiceId")?), before, count).await
            }
            Some(Ids::PaymentId(id)) if *id > 0 => {
                self.conversations_where(caller, By::Payment(id_key(*id, "PaymentId")?), before, count).await
            }
            Some(Ids::UserId(id)) if !id.is_empty() => {
                if id.len() > 64 {
                    return Err(FieldError::new("UserId", Rule::CharsMax { max: 64 }).into());
                }
                self.conversations_where(caller, By::User(id.to_ascii_lowercase()), before, count).await
            }
            Some(Ids::InvoiceId(_)) => Err(FieldError::new("InvoiceId", Rule::Required).into()),
            Some(Ids::PaymentId(_)) => Err(FieldError::new("PaymentId", Rule::Required).into()),
            Some(Ids::UserId(_)) => Err(FieldError::new("UserId", Rule::Required).into()),
            None => Err(FieldError::new("Ids", Rule::OneOfIds).into()),
        }
    }

    /// The caller's conversations `by` a filter, latest first, each with a page of messages;
    /// the list is cut where it would pass the reply budget. Each filter reads index ranges
    /// (the caller as seller, as buyer: disjoint, merged).
    async fn conversations_where(
        &self,
        caller: &Caller,
        by: By,
        before: i64,
        count: u32,
    ) -> Result<Vec<pb::Conversation>> {
        let mut conn = self.store.read().await?;
        let max = i64::from(limits::CONVERSATIONS_LISTED_MAX);
        let (stmt, key) = match &by {
            By::All => (
                sql!(
                    "SELECT id, updated_at FROM (SELECT id, updated_at FROM conversations WHERE seller_id = $1
                        ORDER BY updated_at DESC, id DESC LIMIT $3) AS sold
                     UNION ALL SELECT id, updated_at FROM (SELECT id, updated_at FROM conversations WHERE buyer_id = $1
                        ORDER BY updated_at DESC, id DESC LIMIT $3) AS bought
                     ORDER BY updated_at DESC, id DESC LIMIT $3"
                ),
                None,
            ),
            By::Invoice(id) => (
                sql!(
                    "SELECT id FROM conversations WHERE invoice_id = $2 AND (seller_id = $1 OR buyer_id = $1)
                     ORDER BY updated_at DESC, id DESC LIMIT $3"
                ),
                Some(crate::db::Value::from(*id)),
            ),
            By::Payment(id) => (
                sql!(
                    "SELECT id FROM conversations WHERE payment_id = $2 AND (seller_id = $1 OR buyer_id = $1)
                     ORDER BY updated_at DESC, id DESC LIMIT $3"
                ),
                Some(crate::db::Value::from(*id)),
            ),
            By::User(other) => (
                sql!(
                    "SELECT id, updated_at FROM (SELECT id, updated_at FROM conversations WHERE seller_id = $1
                        AND buyer_id = $2 ORDER BY updated_at DESC, id DESC LIMIT $3) AS sold
                     UNION ALL SELECT id, updated_at FROM (SELECT id, updated_at FROM conversations
                        WHERE seller_id = $2 AND buyer_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $3) AS bought
                     ORDER BY updated_at DESC, id DESC LIMIT $3"
                ),
                Some(crate::db::Value::from(other.as_str())),
            ),
        };
        let ids: Vec<i64> = q(stmt)
            .bind(&caller.id)
            .bind(key.unwrap_or(crate::db::Value::Int(None)))
            .bind(max)
            .scalars(&mut conn)
            .await?;
        let loaded = self.load_conversations(&mut conn, &ids, before, count).await?;
        let shown = self.cut_conversations(&loaded, caller, count, self.config.reply_budget_bytes, true)?;
        Ok(self.finish_conversations(&mut conn, vec![shown]).await?.into_iter().flatten().collect())
    }
}

/// Which of the caller's conversations to list.
enum By {
    All,
    Invoice(i64),
    Payment(i64),
    User(String),
}
