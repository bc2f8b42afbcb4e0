//! Invoices: create, read, list, update, delete.

use super::{ApiError, Call};
use crate::settings::Settings;
use prost::Message;
use schet_api::pb;
use schet_api::rpc::{Rpc, rpcs};

/// GetInvoiceById: the invoice, or NotFound (also for others' private invoices, and for
/// every private one to a guest).
pub async fn get_by_id(settings: &Settings, id: u64) -> Result<pb::Invoice, ApiError> {
    // A shared link's first read: boot.js may have asked already, while the app loaded.
    let key = schet_model::head_start::key(&settings.base_url(), settings.token.trim(), id);
    if let Some(invoice) = super::head_start::take(&key).await.and_then(|body| carried_invoice(&body, id)) {
        return Ok(invoice);
    }
    let mut call = Call::viewer(settings);
    let response = call.unary::<rpcs::GetInvoiceById>(pb::GetInvoiceByIdRequest { invoice_id: id }).await?;
    response.invoices.into_iter().next().ok_or_else(|| ApiError::NotFound(format!("invoice {id} was not found")))
}

/// What the shared link's page showed a guest of invoice `id`, for someone logged in to see
/// until [`get_by_id`] answers (which, for them, may say more). None when the page carried
/// nothing for it (a private invoice, another service, another page).
pub fn provisional(settings: &Settings, id: u64) -> Option<pb::Invoice> {
    let key = schet_model::head_start::key(&settings.base_url(), settings.token.trim(), id);
    carried_invoice(&super::head_start::provisional(&key)?, id)
}

/// Invoice `id` from a GetInvoiceById reply message that boot.js or the page brought.
fn carried_invoice(message: &[u8], id: u64) -> Option<pb::Invoice> {
    let response = <rpcs::GetInvoiceById as Rpc>::Response::decode(message).ok()?;
    response.invoices.into_iter().next().filter(|i| i.id == id)
}

/// CreateInvoice, after the same checks the service makes (so a bad form never leaves
/// the browser).
pub async fn create(settings: &Settings, request: pb::CreateInvoiceRequest) -> Result<pb::Invoice, ApiError> {
    schet_api::validate::create_invoice(&request).first().map_err(ApiError::from)?;
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::CreateInvoice>(request).await?)
}

/// GetInvoices: one page, newest first (a guest: public invoices only).
pub async fn list(settings: &Settings, request: pb::GetInvoicesRequest) -> Result<Vec<pb::Invoice>, ApiError> {
    let mut call = Call::viewer(settings);
    Ok(call.unary::<rpcs::GetInvoices>(request).await?.invoices)
}

/// UpdatePublicInvoice (`key_stored`: an empty ClientKey keeps the stored one).
pub async fn update(
    settings: &Settings,
    request: pb::UpdatePublicInvoiceRequest,
    key_stored: bool,
) -> Result<pb::Invoice, ApiError> {
    schet_api::validate::update_public_invoice(&request, key_stored).first().map_err(ApiError::from)?;
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::UpdatePublicInvoice>(request).await?)
}

/// DeleteInvoice; for a refund invoice, the payment whose refund was abandoned.
pub async fn delete(settings: &Settings, id: u64) -> Result<Option<pb::InvoicePayment>, ApiError> {
    let mut call = Call::new(settings)?;
    let response = call.unary::<rpcs::DeleteInvoice>(pb::DeleteInvoiceRequest { invoice_id: id }).await?;
    Ok(match response.refund {
        Some(pb::delete_invoice_response::Refund::PaymentRefund(p)) => Some(p),
        _ => None,
    })
}

/// GetVariables: the rate variables a fiat price can follow, with their values.
pub async fn variables(settings: &Settings) -> Result<Vec<(String, pb::Decimal)>, ApiError> {
    let mut call = Call::viewer(settings);
    let mut vars: Vec<_> = call.unary::<rpcs::GetVariables>(()).await?.variables.into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(vars)
}

/// IsUserExist: is there a user with this name (for a private invoice's buyer)?
pub async fn user_exists(settings: &Settings, name: &str) -> Result<bool, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::IsUserExist>(pb::IsUserExistRequest { user_name: name.to_string() }).await?.is_exist)
}
