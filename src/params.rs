//! Route parameters, typed: each is parsed once, the same way for every screen.

use leptos::Params;
use leptos::prelude::*;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use std::num::NonZeroU64;

/// `/invoice/:id`, `/invoice/:id/edit`, `/invoice/:id/secrets`.
#[derive(Params, Debug, Clone, PartialEq)]
pub struct InvoiceRoute {
    pub id: Option<NonZeroU64>,
}

/// `/payment/:id`.
#[derive(Params, Debug, Clone, PartialEq)]
pub struct PaymentRoute {
    pub id: Option<NonZeroU64>,
}

/// `/inbox/:conversation`.
#[derive(Params, Debug, Clone, PartialEq)]
pub struct ConversationRoute {
    pub conversation: Option<NonZeroU64>,
}

/// `/inbox/payment/:payment`.
#[derive(Params, Debug, Clone, PartialEq)]
pub struct ChatPaymentRoute {
    pub payment: Option<NonZeroU64>,
}

/// The route's invoice number; None when it is missing or not a whole number above 0.
pub fn invoice_id() -> Signal<Option<u64>> {
    let params = use_params::<InvoiceRoute>();
    Signal::derive(move || params.with(|p| p.as_ref().ok().and_then(|p| p.id).map(NonZeroU64::get)))
}

/// The route's conversation number, as [`invoice_id`].
pub fn conversation_id() -> Signal<Option<u64>> {
    let params = use_params::<ConversationRoute>();
    Signal::derive(move || params.with(|p| p.as_ref().ok().and_then(|p| p.conversation).map(NonZeroU64::get)))
}

/// The payment number of `/inbox/payment/:payment`, as [`invoice_id`].
pub fn chat_payment_id() -> Signal<Option<u64>> {
    let params = use_params::<ChatPaymentRoute>();
    Signal::derive(move || params.with(|p| p.as_ref().ok().and_then(|p| p.payment).map(NonZeroU64::get)))
}

/// The route's payment number, as [`invoice_id`].
pub fn payment_id() -> Signal<Option<u64>> {
    let params = use_params::<PaymentRoute>();
    Signal::derive(move || params.with(|p| p.as_ref().ok().and_then(|p| p.id).map(NonZeroU64::get)))
}
