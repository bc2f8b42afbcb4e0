//! What every screen shares, provided through the context by [`AppShell`]: the settings
//! ([`AppState`]), the address (`crate::nav`), the language, who is logged in ([`Profile`])
//! and the live events ([`Live`], with the notifications they bring: [`Activity`],
//! [`notify`]). Screens read it with [`use_app`], [`use_profile`] and [`use_live`].

mod activity;
mod live;
pub mod notify;
mod profile;

pub use activity::Activity;
pub use live::{Link, Live, use_live};
pub use profile::{Profile, Who, use_profile};

use crate::settings::{MerchantSettings, Settings};
use crate::tasks::Signal;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;

/// The settings, shared by every view through the context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub settings: RwSignal<Settings>,
    pub merchant: RwSignal<MerchantSettings>,
}

impl AppState {
    pub fn new(settings: Settings) -> AppState {
        AppState { settings: RwSignal::new(settings), merchant: RwSignal::new(MerchantSettings::load()) }
    }

    /// Changes the settings and saves them.
    pub fn update(&self, f: impl FnOnce(&mut Settings)) {
        self.settings.update(|s| {
            f(s);
            s.save();
        });
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// Provides [`AppState`] (from saved settings unless one is given), the address
/// ([`crate::nav::Nav`]), the language, the profile and the live events to `children`, and
/// keeps the document's language and theme
/// in step with the settings.
#[component]
pub fn AppShell(#[prop(optional)] state: Option<AppState>, children: Children) -> impl IntoView {
    let state = state.unwrap_or_else(|| AppState::new(Settings::load()));
    provide_context(state);
    crate::nav::Nav::provide();
    let lang = Memo::new(move |_| state.settings.with(|s| s.lang));
    crate::i18n::provide_lang(lang.into());
    let profile = profile::provide(state);
    live::provide(state, Signal::derive(move || profile.user_id()));
    crate::tasks::effect(move |_| {
        let (lang, theme) = state.settings.with(|s| (s.lang, s.theme));
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", lang.code());
            let _ = root.set_attribute("data-theme", theme.code());
        }
    });
    children()
}
