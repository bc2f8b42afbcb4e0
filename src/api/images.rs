//! Images: the client makes the GUID, uploads the bytes, then refers to the GUID.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::rpc::rpcs;
use schet_api::{Guid, pb};

/// A new random GUID from the browser's crypto generator.
pub fn new_guid() -> Guid {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    Guid::from_random_bytes(bytes)
}

/// StoreImage: uploads `data` under `id`; returns the service's preview (PNG or JPEG bytes).
pub async fn store(settings: &Settings, id: Guid, data: Vec<u8>) -> Result<Vec<u8>, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::StoreImage>(pb::StoreImageRequest { id: id.to_string(), data }).await?.preview)
}

/// GetImage: the preview (small) or the original bytes (a guest: public invoices' images).
pub async fn get(settings: &Settings, id: &str, preview: bool) -> Result<Vec<u8>, ApiError> {
    let mut call = Call::viewer(settings);
    let image = call.unary::<rpcs::GetImage>(pb::GetImageRequest { id: id.to_string(), is_preview: preview }).await?;
    Ok(if preview { image.preview } else { image.original })
}
