//! SubscribeNewEvents: the live event stream (kept open by `state::Live`).

use super::{ApiError, Call, Responses};
use crate::settings::Settings;
use schet_api::rpc::rpcs;

/// Opens the stream of my events.
pub async fn subscribe(settings: &Settings) -> Result<Responses<rpcs::SubscribeNewEvents>, ApiError> {
    let mut call = Call::new(settings)?;
    call.server_streaming::<rpcs::SubscribeNewEvents>(()).await
}
