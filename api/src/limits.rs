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
/// GetInvoices / GetInvoicePayments page size: default when 0, and maximum.
pub const PAGE_DEFAULT: u32 = 20;
pub const PAGE_MAX: u32 = 100;
/// Stored image size in bytes.
pub const IMAGE_MAX_BYTES: usize = 5 * 1024 * 1024;

/// The largest BTC price: all bitcoins there will ever be.
pub fn btc_price_max() -> Decimal {
    Decimal::from(21_000_000)
}

/// The largest fiat price.
pub fn fiat_price_max() -> Decimal {
    Decimal::from(1_000_000_000_000i64)
}
