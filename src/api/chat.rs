//! Conversations between a seller and a buyer: GetConversations, GetConversationsById,
//! SendInvoiceMessage, SendInvoicePaymentMessage. Also what the browser keeps about them
//! (read state and drafts, per user, in `localStorage`).

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb::{self, conversation::Parent, get_conversations_by_id_request::Ids};
use schet_api::rpc::rpcs;
use schet_api::validate;

/// Which conversation: one per (invoice, buyer), one per payment. Known before the
/// conversation exists (a buyer's first message on an invoice page).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Thread {
    Invoice { invoice_id: u64, buyer_id: String },
    Payment { payment_id: u64 },
}

impl Thread {
    pub fn of(c: &pb::Conversation) -> Option<Thread> {
        match &c.parent {
            Some(Parent::Invoice(i)) => {
                Some(Thread::Invoice { invoice_id: i.id, buyer_id: c.buyer.as_ref().map(|b| b.id.clone())? })
            }
            Some(Parent::Payment(p)) => Some(Thread::Payment { payment_id: p.id }),
            None => None,
        }
    }

    /// A stable name for keys in storage.
    pub fn key(&self) -> String {
        match self {
            Thread::Invoice { invoice_id, buyer_id } => format!("i{invoice_id}.{buyer_id}"),
            Thread::Payment { payment_id } => format!("p{payment_id}"),
        }
    }
}

/// The other party of `c` for the user `me`.
pub fn other_party<'a>(c: &'a pb::Conversation, me: &str) -> Option<&'a pb::UserInfo> {
    let seller = c.seller.as_ref();
    if seller.is_some_and(|s| s.id == me) { c.buyer.as_ref() } else { seller }
}

/// Messages from the other party after `seen` (the last message id read).
pub fn unread(c: &pb::Conversation, me: &str, seen: u64) -> usize {
    c.messages.iter().filter(|m| m.id > seen && m.owner_id != me).count()
}

/// GetConversations: all of mine, latest first.
pub async fn all(settings: &Settings) -> Result<Vec<pb::Conversation>, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::GetConversations>(()).await?.conversations)
}

/// GetConversationsById: mine about one invoice (a seller: one per buyer).
pub async fn of_invoice(settings: &Settings, invoice_id: u64) -> Result<Vec<pb::Conversation>, ApiError> {
    by(settings, Ids::InvoiceId(invoice_id)).await
}

/// GetConversationsById: mine about one payment.
pub async fn of_payment(settings: &Settings, payment_id: u64) -> Result<Vec<pb::Conversation>, ApiError> {
    by(settings, Ids::PaymentId(payment_id)).await
}

async fn by(settings: &Settings, ids: Ids) -> Result<Vec<pb::Conversation>, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call
        .unary::<rpcs::GetConversationsById>(pb::GetConversationsByIdRequest { ids: Some(ids), ..Default::default() })
        .await?
        .conversations)
}

/// Sends a message in `thread` as user `me`: SendInvoiceMessage (a seller names the buyer
/// with ToUserId) or SendInvoicePaymentMessage. Returns the whole conversation.
pub async fn send(
    settings: &Settings,
    thread: &Thread,
    me: &str,
    text: String,
    image_ids: Vec<String>,
) -> Result<pb::Conversation, ApiError> {
    validate::message(&text, &image_ids).first().map_err(ApiError::Invalid)?;
    let mut call = Call::new(settings)?;
    let response = match thread {
        Thread::Invoice { invoice_id, buyer_id } => {
            let to_user_id = if buyer_id == me { String::new() } else { buyer_id.clone() };
            let request = pb::SendInvoiceMessageRequest { to_user_id, invoice_id: *invoice_id, text, image_ids };
            call.unary::<rpcs::SendInvoiceMessage>(request).await?
        }
        Thread::Payment { payment_id } => {
            let request = pb::SendInvoicePaymentMessageRequest { payment_id: *payment_id, text, image_ids };
            call.unary::<rpcs::SendInvoicePaymentMessage>(request).await?
        }
    };
    Ok(response)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn seen_key(user: &str) -> String {
    format!("schet.chat.seen.{user}")
}

/// Read state of `user`: conversation id → the last message id they saw.
pub fn load_seen(user: &str) -> std::collections::HashMap<u64, u64> {
    let raw = storage().and_then(|s| s.get_item(&seen_key(user)).ok().flatten()).unwrap_or_default();
    raw.split(',')
        .filter_map(|pair| {
            let (c, m) = pair.split_once(':')?;
            Some((c.parse().ok()?, m.parse().ok()?))
        })
        .collect()
}

pub fn save_seen(user: &str, seen: &std::collections::HashMap<u64, u64>) {
    let raw: Vec<String> = seen.iter().map(|(c, m)| format!("{c}:{m}")).collect();
    if let Some(s) = storage() {
        let _ = s.set_item(&seen_key(user), &raw.join(","));
    }
}

fn draft_key(user: &str, thread: &Thread) -> String {
    format!("schet.chat.draft.{user}.{}", thread.key())
}

/// The unsent text of `thread`, kept across reloads.
pub fn load_draft(user: &str, thread: &Thread) -> String {
    storage().and_then(|s| s.get_item(&draft_key(user, thread)).ok().flatten()).unwrap_or_default()
}

pub fn save_draft(user: &str, thread: &Thread, text: &str) {
    if let Some(s) = storage() {
        let key = draft_key(user, thread);
        let _ = if text.is_empty() { s.remove_item(&key) } else { s.set_item(&key, text) };
    }
}
