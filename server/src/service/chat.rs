//! Conversations: one per (invoice, buyer) and one per payment, between the seller and
//! the buyer only. A stranger can neither read nor write another pair's conversation.
//!
//! Bounded whatever their length: a conversation lists its newest messages
//! ([`limits::CONVERSATION_PAGE_DEFAULT`]; older ones page back with `BeforeMessageId`), a
//! payment parent comes without its goods, and a list is cut to the reply budget. Sending is
//! rate limited per user and per conversation (RESOURCE_EXHAUSTED), and a live event carries
//! the new message alone.

use super::events::event;
use super::invoices::{load_row, may_see, not_found};
use super::purchase::summary;
use super::{Caller, Result, Service, ServiceError, join_ids, split_ids};
use crate::store::{now_ms, timestamp};
use prost::Message;
use schet_api::pb::{self, event::EventType};
use schet_api::{FieldError, Rule, limits, validate};
use sqlx::Row;
use sqlx::sqlite::SqliteConnection;

/// Which messages of a conversation to list: those before `before` (0: the newest), at most
/// `count`, and within `budget` bytes (at least one).
#[derive(Debug, Clone, Copy)]
struct Page {
    before: i64,
    count: u32,
    budget: usize,
}

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

const CONVERSATION_SELECT: &str = "SELECT c.*,
    s.username AS s_name, s.created_at AS s_created, s.last_online AS s_online,
    s.invoices_created AS s_ic, s.payments_payed AS s_pp, s.payments_received AS s_pr,
    b.username AS b_name, b.created_at AS b_created, b.last_online AS b_online,
    b.invoices_created AS b_ic, b.payments_payed AS b_pp, b.payments_received AS b_pr
  FROM conversations c JOIN users s ON s.id = c.seller_id JOIN users b ON b.id = c.buyer_id";

impl Service {
    async fn conversation(
        &self,
        conn: &mut SqliteConnection,
        caller: &Caller,
        id: i64,
        page: Page,
    ) -> Result<pb::Conversation> {
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
            (None, Some(p)) => Some(Parent::Payment(summary(self.payment_in(conn, caller, p, true).await?))),
            (None, None) => None,
        };
        // The newest `count` before `before`, and whether there are older ones.
        let rows = sqlx::query(
            "SELECT * FROM messages WHERE conversation_id = ? AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3",
        )
        .bind(id)
        .bind(page.before)
        .bind(i64::from(page.count) + 1)
        .fetch_all(&mut *conn)
        .await?;
        let mut has_older = rows.len() > page.count as usize;
        let mut messages = rows
            .iter()
            .take(page.count as usize)
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
        let mut conversation = pb::Conversation {
            id: id as u64,
            seller: Some(self.user_info(&row, "s", row.try_get("seller_id")?)?),
            buyer: Some(self.user_info(&row, "b", row.try_get("buyer_id")?)?),
            parent,
            messages: Vec::new(),
            has_older_messages: false,
        };
        // Within the budget: the newest first, older ones while they fit.
        let mut size = conversation.encoded_len();
        let mut kept = Vec::with_capacity(messages.len());
        for m in messages.drain(..) {
            let more = m.encoded_len() + 4;
            if !kept.is_empty() && size + more > page.budget {
                has_older = true;
                break;
            }
            size += more;
            kept.push(m);
        }
        kept.reverse();
        conversation.messages = kept;
        conversation.has_older_messages = has_older;
        Ok(conversation)
    }

    fn page(&self, before: i64, count: u32) -> Page {
        Page { before, count, budget: self.config.reply_budget_bytes }
    }

    /// Appends a message (creating the conversation if needed) and tells the other party.
    async fn post(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
        caller: &Caller,
        to: Thread<'_>,
        text: &str,
        images: &[String],
    ) -> Result<pb::Conversation> {
        let Thread { key, seller, buyer } = to;
        let rate = rate_key(key, buyer);
        self.check_message_rate(caller, &rate, text.len(), false)?;
        self.check_images_owned(&mut tx, caller, "ImageIds", images).await?;
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
        let mine = self.conversation(&mut tx, caller, id, self.page(0, limits::CONVERSATION_PAGE_DEFAULT)).await?;
        // The events carry the new message alone (the clients hold the rest).
        let other_id = if caller.id == seller { buyer } else { seller };
        let other = Caller { id: other_id.to_string(), username: String::new() };
        let theirs = self.conversation(&mut tx, &other, id, self.page(0, 1)).await?;
        let echo = self.conversation(&mut tx, caller, id, self.page(0, 1)).await?;
        // Posts run one at a time on the write connection: checked and counted in one go.
        self.check_message_rate(caller, &rate, text.len(), true)?;
        tx.commit().await?;
        self.events.publish(other_id, event(EventType::NewMessage, Some(pb::event::Payload::Conversation(theirs))));
        self.events.publish(&caller.id, event(EventType::NewMessage, Some(pb::event::Payload::Conversation(echo))));
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
        let to = Thread { key: (None, Some(key)), seller: &seller, buyer: &buyer };
        self.post(tx, caller, to, &req.text, &req.image_ids).await
    }

    /// GetConversations: every conversation the caller is a party to, latest first.
    pub async fn conversations(&self, caller: &Caller) -> Result<Vec<pb::Conversation>> {
        self.conversations_where(caller, "1 = 1", None, 0, limits::CONVERSATION_PAGE_DEFAULT).await
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
                let key = Key::Int(id_key(*id, "InvoiceId")?);
                self.conversations_where(caller, "c.invoice_id = ?2", Some(key), before, count).await
            }
            Some(Ids::PaymentId(id)) if *id > 0 => {
                let key = Key::Int(id_key(*id, "PaymentId")?);
                self.conversations_where(caller, "c.payment_id = ?2", Some(key), before, count).await
            }
            Some(Ids::UserId(id)) if !id.is_empty() => {
                if id.len() > 64 {
                    return Err(FieldError::new("UserId", Rule::CharsMax { max: 64 }).into());
                }
                let key = Key::Text(id.to_ascii_lowercase());
                self.conversations_where(caller, "(c.seller_id = ?2 OR c.buyer_id = ?2)", Some(key), before, count)
                    .await
            }
            Some(Ids::InvoiceId(_)) => Err(FieldError::new("InvoiceId", Rule::Required).into()),
            Some(Ids::PaymentId(_)) => Err(FieldError::new("PaymentId", Rule::Required).into()),
            Some(Ids::UserId(_)) => Err(FieldError::new("UserId", Rule::Required).into()),
            None => Err(FieldError::new("Ids", Rule::OneOfIds).into()),
        }
    }

    /// The caller's conversations matching `filter`, latest first, each with a page of
    /// messages; the list is cut where it would pass the reply budget.
    async fn conversations_where(
        &self,
        caller: &Caller,
        filter: &str,
        key: Option<Key>,
        before: i64,
        count: u32,
    ) -> Result<Vec<pb::Conversation>> {
        let sql = format!(
            "SELECT c.id FROM conversations c WHERE (c.seller_id = ?1 OR c.buyer_id = ?1) AND {filter}
             ORDER BY c.updated_at DESC, c.id DESC LIMIT {}",
            limits::CONVERSATIONS_LISTED_MAX
        );
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(&caller.id);
        query = match key {
            Some(Key::Int(v)) => query.bind(v),
            Some(Key::Text(v)) => query.bind(v),
            None => query,
        };
        let mut conn = self.store.read.acquire().await?;
        let ids: Vec<i64> = query.fetch_all(&mut *conn).await?;
        let mut left = self.config.reply_budget_bytes;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let c = self.conversation(&mut conn, caller, id, Page { before, count, budget: left }).await?;
            let size = c.encoded_len() + 8;
            if !out.is_empty() && size > left {
                break;
            }
            left = left.saturating_sub(size);
            out.push(c);
        }
        Ok(out)
    }
}

enum Key {
    Int(i64),
    Text(String),
}
