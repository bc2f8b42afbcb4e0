//! The application: state, routes, and the page frame.

use crate::components::TopBar;
use crate::settings::{AppState, Settings, use_texts};
use crate::views::{home::Home, invoice::InvoicePage, settings::SettingsPage};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// Provides [`AppState`] (from saved settings unless one is given) to `children`, and keeps
/// the document's language and theme in step with it.
#[component]
pub fn AppShell(#[prop(optional)] state: Option<AppState>, children: Children) -> impl IntoView {
    let state = state.unwrap_or_else(|| AppState::new(Settings::load()));
    provide_context(state);
    Effect::new(move |_| {
        let (lang, theme) = state.settings.with(|s| (s.lang, s.theme));
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", lang.code());
            let _ = root.set_attribute("data-theme", theme.code());
        }
    });
    children()
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppShell>
            <Router>
                <TopBar />
                <main id="main">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=Home />
                        <Route path=path!("/settings") view=SettingsPage />
                        <Route path=path!("/invoice/:id") view=InvoicePage />
                    </Routes>
                </main>
            </Router>
        </AppShell>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let t = use_texts();
    view! { <section class="page"><p>{move || t.get().page_not_found}</p></section> }
}
