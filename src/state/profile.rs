//! Who is logged in, as the service knows them: read again whenever the endpoint or the
//! token changes.

use super::AppState;
use crate::api::{self, ApiError};
use crate::tasks::{self, Resource};
use leptos::prelude::*;
use schet_api::pb;

/// Who the app runs for.
#[derive(Debug, Clone, PartialEq)]
pub enum Who {
    /// Not known yet.
    Loading,
    /// No token: nobody is logged in.
    Guest,
    User(pb::MyProfileResponse),
    /// The service refused the token or could not be asked.
    Failed(ApiError),
}

/// The logged-in user, shared through the context.
#[derive(Clone, Copy)]
pub struct Profile(Resource<Who>);

pub(super) fn provide(state: AppState) -> Profile {
    let profile = Profile(tasks::resource(move || {
        let settings = state.settings.get();
        async move {
            if settings.token.trim().is_empty() {
                return Who::Guest;
            }
            match api::profile::my_profile(&settings).await {
                Ok(p) => Who::User(p),
                Err(e) => Who::Failed(e),
            }
        }
    }));
    provide_context(profile);
    profile
}

impl Profile {
    /// Who it is (tracked).
    pub fn who(&self) -> Who {
        self.0.get().unwrap_or(Who::Loading)
    }

    fn user<T>(&self, f: impl FnOnce(&pb::MyProfileResponse) -> T) -> Option<T> {
        self.0.with(|w| match w {
            Some(Who::User(p)) => Some(f(p)),
            _ => None,
        })
    }

    /// The user's name once known (tracked).
    pub fn username(&self) -> Option<String> {
        self.user(|p| p.username.clone())
    }

    /// The user's id once known (tracked).
    pub fn user_id(&self) -> Option<String> {
        self.user(|p| p.user_id.clone())
    }

    /// The user's BTC balance, when the service tells it (tracked).
    pub fn balance(&self) -> Option<pb::Decimal> {
        self.user(|p| p.balance).flatten()
    }

    /// Reads the profile again (after money moved), keeping the one shown meanwhile.
    pub fn refresh(&self) {
        self.0.refetch();
    }
}

pub fn use_profile() -> Profile {
    expect_context::<Profile>()
}
