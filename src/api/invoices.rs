//! Invoices: create, read.

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
