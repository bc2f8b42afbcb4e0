//! Payments: pay from balance, list, cancel.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb;
use schet_api::rpc::rpcs;

/// PayInvoiceFromBalance (`pieces` is ignored by the service for private invoices).
pub async fn pay(settings: &Settings, invoice_id: u64, pieces: u32) -> Result<pb::InvoicePayment, ApiError> {
    let mut call = Call::new(settings)?;
    let request = pb::PayInvoiceFromBalanceRequest { invoice_id, pieces, ..Default::default() };
    Ok(call.unary::<rpcs::PayInvoiceFromBalance>(request).await?)
}

/// GetInvoicePayments: a page of payments, newest first. `to_me`: Some(true) received,
/// Some(false) made, None both.
pub async fn list(
    settings: &Settings,
    to_me: Option<bool>,
    payment_id: u64,
    last_id: u64,
    count: u32,
) -> Result<Vec<pb::InvoicePayment>, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call
        .unary::<rpcs::GetInvoicePayments>(pb::GetInvoicePaymentsRequest {
            payment_id,
            is_to_me: to_me.unwrap_or(false),
            is_to_me_has_value: to_me.is_some(),
            last_id,
            count,
        })
        .await?
        .payments)
}

/// CancelInvoicePayment (the seller returns the money).
pub async fn cancel(settings: &Settings, payment_id: u64) -> Result<pb::InvoicePayment, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::CancelInvoicePayment>(pb::CancelInvoicePaymentRequest { payment_id }).await?)
}
