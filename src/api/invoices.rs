//! Invoices: create, read, list, update, delete.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb;

/// GetInvoiceById: the invoice, or NotFound (also for others' private invoices).
pub async fn get_by_id(settings: &Settings, id: u64) -> Result<pb::Invoice, ApiError> {
    let mut call = Call::new(settings)?;
    let request = call.request(pb::GetInvoiceByIdRequest { invoice_id: id })?;
    let response = call.client.get_invoice_by_id(request).await?.into_inner();
    response.invoices.into_iter().next().ok_or_else(|| ApiError::NotFound(format!("invoice {id} was not found")))
}

/// CreateInvoice, after the same checks the service makes (so a bad form never leaves
/// the browser).
pub async fn create(settings: &Settings, request: pb::CreateInvoiceRequest) -> Result<pb::Invoice, ApiError> {
    schet_api::validate::create_invoice(&request).first().map_err(ApiError::Invalid)?;
    let mut call = Call::new(settings)?;
    let request = call.request(request)?;
    Ok(call.client.create_invoice(request).await?.into_inner())
}

/// GetInvoices: one page, newest first.
pub async fn list(settings: &Settings, request: pb::GetInvoicesRequest) -> Result<Vec<pb::Invoice>, ApiError> {
    let mut call = Call::new(settings)?;
    let request = call.request(request)?;
    Ok(call.client.get_invoices(request).await?.into_inner().invoices)
}

/// UpdatePublicInvoice (`key_stored`: an empty ClientKey keeps the stored one).
pub async fn update(
    settings: &Settings,
    request: pb::UpdatePublicInvoiceRequest,
    key_stored: bool,
) -> Result<pb::Invoice, ApiError> {
    schet_api::validate::update_public_invoice(&request, key_stored).first().map_err(ApiError::Invalid)?;
    let mut call = Call::new(settings)?;
    let request = call.request(request)?;
    Ok(call.client.update_public_invoice(request).await?.into_inner())
}

/// DeleteInvoice; for a refund invoice, the payment whose refund was abandoned.
pub async fn delete(settings: &Settings, id: u64) -> Result<Option<pb::InvoicePayment>, ApiError> {
    let mut call = Call::new(settings)?;
    let request = call.request(pb::DeleteInvoiceRequest { invoice_id: id })?;
    let response = call.client.delete_invoice(request).await?.into_inner();
    Ok(match response.refund {
        Some(pb::delete_invoice_response::Refund::PaymentRefund(p)) => Some(p),
        _ => None,
    })
}

/// GetVariables: the rate variables a fiat price can follow, with their values.
pub async fn variables(settings: &Settings) -> Result<Vec<(String, pb::Decimal)>, ApiError> {
    let mut call = Call::new(settings)?;
    let request = call.request(())?;
    let mut vars: Vec<_> = call.client.get_variables(request).await?.into_inner().variables.into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(vars)
}

/// IsUserExist: is there a user with this name (for a private invoice's buyer)?
pub async fn user_exists(settings: &Settings, name: &str) -> Result<bool, ApiError> {
    let mut call = Call::new(settings)?;
    let request = call.request(pb::IsUserExistRequest { user_name: name.to_string() })?;
    Ok(call.client.is_user_exist(request).await?.into_inner().is_exist)
}
