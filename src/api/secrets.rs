//! Secrets of an invoice (the digital goods sold one per piece, in queue order):
//! GetInvoiceSecrets, CreateInvoiceSecret, UpdateInvoiceSecret, ChangeInvoiceSecret.
//! Every change answers with the whole list, which the screen shows as is.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb;
use schet_api::rpc::rpcs;
use schet_api::validate;
pub use schet_model::queue::Secrets;

pub use schet_api::pb::change_invoice_secret_request::SecretOperations as Move;

fn check(text: &str, images: &[String]) -> Result<(), ApiError> {
    let mut errors = validate::Errors::default();
    validate::secret("", text, images, &mut errors);
    errors.first().map_err(ApiError::from)
}

/// Both tabs: GetInvoiceSecrets for the unsold and for the sold ones.
pub async fn load(settings: &Settings, invoice_id: u64) -> Result<Secrets, ApiError> {
    let mut all = list(settings, invoice_id, false).await?;
    all.extend(list(settings, invoice_id, true).await?);
    Ok(Secrets::from_list(all))
}

/// GetInvoiceSecrets: unsold (`sold` false) in queue order, or sold. Only the owner may ask:
/// others get PermissionDenied (or NotFound for an invoice they cannot see).
pub async fn list(settings: &Settings, invoice_id: u64, sold: bool) -> Result<Vec<pb::InvoiceSecret>, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::GetInvoiceSecrets>(pb::GetInvoiceSecretsRequest { invoice_id, is_sold: sold }).await?.secrets)
}

/// CreateInvoiceSecret at queue position `order` (1-based; 0 = last).
pub async fn create(
    settings: &Settings,
    invoice_id: u64,
    text: String,
    images: Vec<String>,
    order: u32,
) -> Result<Secrets, ApiError> {
    check(&text, &images)?;
    let mut call = Call::new(settings)?;
    Ok(Secrets::from_list(
        call.unary::<rpcs::CreateInvoiceSecret>(pb::CreateInvoiceSecretRequest { invoice_id, text, images, order })
            .await?
            .secrets,
    ))
}

/// UpdateInvoiceSecret: new text and images; `order` non-zero also moves it there.
pub async fn update(
    settings: &Settings,
    secret_id: u64,
    text: String,
    images: Vec<String>,
    order: u32,
) -> Result<Secrets, ApiError> {
    check(&text, &images)?;
    let mut call = Call::new(settings)?;
    Ok(Secrets::from_list(
        call.unary::<rpcs::UpdateInvoiceSecret>(pb::UpdateInvoiceSecretRequest { secret_id, text, images, order })
            .await?
            .secrets,
    ))
}

/// ChangeInvoiceSecret: move up/down/top/bottom, or remove.
pub async fn change(settings: &Settings, secret_id: u64, operation: Move) -> Result<Secrets, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(Secrets::from_list(
        call.unary::<rpcs::ChangeInvoiceSecret>(pb::ChangeInvoiceSecretRequest {
            secret_id,
            operation: operation as i32,
        })
        .await?
        .secrets,
    ))
}
