//! Conversations between a seller and a buyer: GetConversations, GetConversationsById,
//! SendInvoiceMessage, SendInvoicePaymentMessage.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb::{self, get_conversations_by_id_request::Ids};
use schet_api::rpc::rpcs;
use schet_api::validate;
pub use schet_model::conversations::Thread;

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

/// GetConversationsById with BeforeMessageId: the page of conversation `id` (of `thread`,
/// as user `me` sees it) before message `before`, newest last. A seller reads an invoice's
/// conversation through its buyer (one invoice may have many buyers, one user few threads).
pub async fn older(
    settings: &Settings,
    thread: &Thread,
    me: &str,
    id: u64,
    before: u64,
) -> Result<pb::Conversation, ApiError> {
    let ids = match thread {
        Thread::Invoice { invoice_id, buyer_id } if buyer_id == me => Ids::InvoiceId(*invoice_id),
        Thread::Invoice { buyer_id, .. } => Ids::UserId(buyer_id.clone()),
        Thread::Payment { payment_id } => Ids::PaymentId(*payment_id),
    };
    let mut call = Call::new(settings)?;
    let request = pb::GetConversationsByIdRequest { ids: Some(ids), before_message_id: before, messages_count: 0 };
    call.unary::<rpcs::GetConversationsById>(request)
        .await?
        .conversations
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("conversation {id} was not found")))
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
    validate::message(&text, &image_ids).first().map_err(ApiError::from)?;
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
