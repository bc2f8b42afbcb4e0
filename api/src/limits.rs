//! Every bound the service enforces, in one place (the browser shows the same numbers).

use rust_decimal::Decimal;

/// User names: this many characters, from `[A-Za-z0-9_.-]`.
pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
/// Invoice comment, in characters.
pub const COMMENT_MAX: usize = 2000;
/// Invoice lifetime in minutes: one minute to one year.
pub const TTL_MIN_MINUTES: u32 = 1;
pub const TTL_MAX_MINUTES: u32 = 525_600;
/// Pieces a public invoice may be sold in at once.
pub const PIECES_MAX: u32 = 1_000_000;
/// Images attached to one invoice, secret or message.
pub const IMAGES_MAX: usize = 10;
/// Secrets sent with one CreateInvoice.
pub const INITIAL_SECRETS_MAX: usize = 100;
/// Secrets an invoice may hold in all.
pub const SECRETS_PER_INVOICE_MAX: usize = 10_000;
/// A secret's text and a chat message's text, in characters.
pub const SECRET_TEXT_MAX: usize = 4000;
pub const MESSAGE_TEXT_MAX: usize = 4000;
/// URLs (redirect, webhook).
pub const URL_MAX: usize = 2048;
/// One PEM block (certificate or key), in bytes.
pub const PEM_MAX: usize = 16 * 1024;
/// Decimal places of a BTC amount (satoshi).
pub const BTC_SCALE: u32 = 8;
/// GetInvoices' Statuses: each status at most once, so no more than there are.
pub const STATUSES_MAX: usize = 5;
/// GetInvoices / GetInvoicePayments page size: default when 0, and maximum.
pub const PAGE_DEFAULT: u32 = 20;
pub const PAGE_MAX: u32 = 100;
/// Stored image size in bytes.
pub const IMAGE_MAX_BYTES: usize = 5 * 1024 * 1024;

/// The largest gRPC message either side sends or accepts (an image upload of up to
/// [`IMAGE_MAX_BYTES`] plus framing fits).
pub const MESSAGE_MAX_BYTES: usize = 8 * 1024 * 1024;
/// A list reply (payments, conversations) is cut to about this size; a client reads the
/// rest with the next page. Half the message limit: room for the one item that may pass it.
pub const REPLY_BUDGET_BYTES: usize = MESSAGE_MAX_BYTES / 2;
/// The secrets of one invoice, sold and unsold, as the secrets list carries them: at most
/// this many bytes, so that the list (and a payment that delivers all of them) always fits
/// in one reply.
pub const SECRETS_BYTES_PER_INVOICE: usize = 2 * 1024 * 1024;
/// Refund invoices one payment may have had (each lists in the payment).
pub const REFUNDS_PER_PAYMENT_MAX: usize = 20;
/// Messages of a conversation in one reply: the newest this many by default, at most
/// [`CONVERSATION_PAGE_MAX`] when asked (older ones page back with BeforeMessageId).
pub const CONVERSATION_PAGE_DEFAULT: u32 = 30;
pub const CONVERSATION_PAGE_MAX: u32 = 100;
/// Conversations GetConversations lists, latest first.
pub const CONVERSATIONS_LISTED_MAX: u32 = 200;

/// The encoded size of one secret in a list, at most: its text, its images, and the
/// numbers around them (an upper bound, so that [`SECRETS_BYTES_PER_INVOICE`] holds).
pub fn secret_wire_bytes(text: &str, images: usize) -> usize {
    // id ≤ 11, text key and length ≤ 4, order ≤ 6, payment ≤ 12, framing ≤ 4; each image
    // GUID 36 characters + 2.
    40 + text.len() + images * 38
}

/// The largest BTC price: all bitcoins there will ever be.
pub fn btc_price_max() -> Decimal {
    Decimal::from(21_000_000)
}

/// The largest fiat price.
pub fn fiat_price_max() -> Decimal {
    Decimal::from(1_000_000_000_000i64)
}

/// Per-user quotas, the service's defaults (an operator may choose others): bytes of stored
/// images (originals and previews), invoices not deleted, and unsold secrets.
pub const IMAGE_BYTES_PER_USER: u64 = 200 * 1024 * 1024;
pub const LIVE_INVOICES_PER_USER: u64 = 1_000;
pub const UNSOLD_SECRETS_PER_USER: u64 = 100_000;
/// Chat rate limits, the service's defaults: messages one user may send a minute, and one
/// conversation may receive a minute (both parties together).
pub const MESSAGES_PER_MINUTE_PER_USER: u32 = 60;
pub const MESSAGES_PER_MINUTE_PER_CONVERSATION: u32 = 20;
/// …and bytes of message text a minute, per user and per conversation (the largest message,
/// 4,000 four-byte characters, always fits).
pub const MESSAGE_BYTES_PER_MINUTE_PER_USER: u32 = 512 * 1024;
pub const MESSAGE_BYTES_PER_MINUTE_PER_CONVERSATION: u32 = 256 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::invoice::InvoiceStatus;

    #[test]
    fn statuses_max_is_the_number_of_statuses() {
        let statuses = (-10..100).filter(|n| InvoiceStatus::try_from(*n).is_ok()).count();
        assert_eq!(STATUSES_MAX, statuses);
    }
}
