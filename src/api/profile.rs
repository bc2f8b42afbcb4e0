//! Who am I.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb;

pub async fn my_profile(settings: &Settings) -> Result<pb::MyProfileResponse, ApiError> {
    let mut call = Call::new(settings)?;
    let request = call.request(())?;
    Ok(call.client.get_my_profile(request).await?.into_inner())
}
