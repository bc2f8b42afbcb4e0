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

use crate::i18n::{Lang, languages};
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
    // The language shown: the chosen one once its texts are here (i18n::languages: English
    // is always here; another is fetched when chosen), English until then.
    let chosen = Memo::new(move |_| state.settings.with(|s| s.lang));
    let arrived = RwSignal::new(0u32);
    let lang = Memo::new(move |_| {
        arrived.track();
        Some(chosen.get()).filter(|l| languages::ready(*l)).unwrap_or(Lang::En)
    });
    crate::tasks::effect(move |_| {
        let wanted = chosen.get();
        if !languages::ready(wanted) {
            leptos::task::spawn_local(async move {
                if languages::load(wanted).await {
                    arrived.update(|n| *n += 1);
                }
            });
        }
    });
    crate::i18n::provide_lang(lang.into());
    let profile = profile::provide(state);
    live::provide(state, Signal::derive(move || profile.user_id()));
    crate::tasks::effect(move |_| {
        let (lang, theme) = (lang.get(), state.settings.with(|s| s.theme));
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", lang.code());
            let _ = root.set_attribute("data-theme", theme.code());
        }
    });
    children()
}
