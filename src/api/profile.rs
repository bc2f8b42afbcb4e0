//! Who am I.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb;
use schet_api::rpc::rpcs;

pub async fn my_profile(settings: &Settings) -> Result<pb::MyProfileResponse, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::GetMyProfile>(()).await?)
}
