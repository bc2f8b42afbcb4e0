//! Payments: pay from balance, list, read one, cancel, refund.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb;
use schet_api::rpc::rpcs;

/// PayInvoiceFromBalance (`pieces` is ignored by the service for private invoices) with the
/// BTC amount the buyer agreed to: another price is refused (`Refusal::PriceChanged`).
pub async fn pay(
    settings: &Settings,
    invoice_id: u64,
    pieces: u32,
    agreed: rust_decimal::Decimal,
) -> Result<pb::InvoicePayment, ApiError> {
    let mut call = Call::new(settings)?;
    let agreed_amount = Some(schet_api::decimal::to_pb(agreed).map_err(|e| ApiError::Other(e.to_string()))?);
    let request = pb::PayInvoiceFromBalanceRequest { invoice_id, pieces, agreed_amount };
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

/// One payment by its number (GetInvoicePayments with PaymentId), as its buyer or seller
/// sees it; NotFound for anyone else, exactly as for a number that does not exist.
pub async fn get(settings: &Settings, payment_id: u64) -> Result<pb::InvoicePayment, ApiError> {
    list(settings, None, payment_id, 0, 1)
        .await?
        .into_iter()
        .find(|p| p.id == payment_id)
        .ok_or_else(|| ApiError::NotFound(format!("payment {payment_id} was not found")))
}

/// The payments I made for invoice `invoice`, newest first. GetInvoicePayments has no
/// invoice filter, so this pages through the payments I made, newest first, and stops at
/// the first one older than the invoice (none after it can be for it), or after `max_pages`.
pub async fn mine_for_invoice(
    settings: &Settings,
    invoice: &pb::Invoice,
    max_pages: usize,
) -> Result<Vec<pb::InvoicePayment>, ApiError> {
    const PAGE: u32 = 20;
    let created = invoice.created_at.as_ref().map_or(0, |t| t.seconds);
    let mut found = Vec::new();
    let mut last = 0;
    for _ in 0..max_pages {
        let page = list(settings, Some(false), 0, last, PAGE).await?;
        let full = page.len() as u32 == PAGE;
        let mut older = false;
        for p in page {
            last = p.id;
            older |= p.created_at.as_ref().is_some_and(|t| t.seconds < created);
            if p.invoice.as_ref().is_some_and(|i| i.id == invoice.id) {
                found.push(p);
            }
        }
        if older || !full {
            break;
        }
    }
    Ok(found)
}

/// CreateRefund: a refund invoice for `pieces` of a paid payment (the seller then pays it).
/// Returns the payment as it now is and the refund invoice.
pub async fn refund(
    settings: &Settings,
    payment_id: u64,
    pieces: u32,
) -> Result<(pb::InvoicePayment, pb::Invoice), ApiError> {
    let mut call = Call::new(settings)?;
    let response = call.unary::<rpcs::CreateRefund>(pb::CreateRefundRequest { payment_id, pieces }).await?;
    match (response.payment, response.refund) {
        (Some(payment), Some(refund)) => Ok((payment, refund)),
        _ => Err(ApiError::WrongEndpoint("CreateRefund answered without the payment or the refund".into())),
    }
}
