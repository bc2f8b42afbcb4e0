//! The web app's plain logic, with no browser in it (nothing of web-sys or Leptos): what a
//! screen holds and decides, tested natively with `cargo test -p schet-model`.
//!
//! * [`invoice_form`]: the invoice form as typed and its CreateInvoice / UpdatePublicInvoice
//!   requests with every broken rule.
//! * [`secret_line`]: the one reader of secrets given as lines (form and bulk import).
//! * [`bulk`]: the bulk import as a state machine (retries never send a line twice).
//! * [`checkout`]: confirming a purchase: the amount agreed to, a moved price asked again.
//! * [`filters`]: the invoice list's filters, their URL query and their request.
//! * [`queue`]: an invoice's secrets: queue and sold, drop order, line ranges.
//! * [`conversations`]: threads, unread counts, merging messages by id.
//! * [`events`]: notifications: what the live events mean to me, kept per login, unread.
//! * [`codec`]: values as text for the browser's storage; draft and login keys.
//! * [`dates`]: quick date ranges.
//! * [`login`]: what a guest may open, the way to the login page and back, a purchase
//!   carried through the login.
//! * [`payment`]: a payment's parties, refunds, cancelling, refund states, shortfalls.
//! * [`plural`]: plural forms of counted words.
//! * [`head_start`]: the shared link's invoice, asked for by boot.js while the app loads.
//! * [`address`]: the app's route table: which screen an address shows, its invoice
//!   number, the query's values.

pub mod address;
pub mod bulk;
pub mod checkout;
pub mod codec;
pub mod conversations;
pub mod dates;
pub mod events;
pub mod filters;
pub mod head_start;
pub mod invoice_form;
pub mod login;
pub mod payment;
pub mod plural;
pub mod queue;
pub mod secret_line;
