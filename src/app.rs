//! The application: state, routes, and the page frame.

use crate::components::TopBar;
use crate::settings::{AppState, Settings, use_texts};
use crate::views::invoice_form::{CreateInvoicePage, EditInvoicePage};
use crate::views::{invoice::InvoicePage, invoices::InvoiceListPage, settings::SettingsPage};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// Provides [`AppState`] (from saved settings unless one is given) to `children`, and keeps
/// the document's language and theme in step with it.
#[component]
pub fn AppShell(#[prop(optional)] state: Option<AppState>, children: Children) -> impl IntoView {
    let state = state.unwrap_or_else(|| AppState::new(Settings::load()));
    provide_context(state);
    // Who am I, refetched whenever the endpoint or token changes.
    let profile = LocalResource::new(move || {
        let settings = state.settings.get();
        async move { if settings.token.is_empty() { None } else { Some(crate::api::profile::my_profile(&settings).await) } }
    });
    provide_context(Profile(profile));
    // Live events and the conversations' unread counts, for every view (api/events.rs).
    crate::api::events::start(state, Signal::derive(move || Profile(profile).user_id()));
    Effect::new(move |_| {
        let (lang, theme) = state.settings.with(|s| (s.lang, s.theme));
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", lang.code());
            let _ = root.set_attribute("data-theme", theme.code());
        }
    });
    children()
}

/// The logged-in user, as the service knows them (None: logged out, or not loaded yet).
#[derive(Clone, Copy)]
pub struct Profile(pub LocalResource<Option<Result<schet_api::pb::MyProfileResponse, crate::api::ApiError>>>);

impl Profile {
    /// The user's name once known.
    pub fn username(&self) -> Option<String> {
        match self.0.get() {
            Some(Some(Ok(p))) => Some(p.username),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<String> {
        match self.0.get() {
            Some(Some(Ok(p))) => Some(p.user_id),
            _ => None,
        }
    }
}

pub fn use_profile() -> Profile {
    expect_context::<Profile>()
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppShell>
            <Router>
                <TopBar />
                <main id="main">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=InvoiceListPage />
                        <Route path=path!("/settings") view=SettingsPage />
                        <Route path=path!("/invoices") view=InvoiceListPage />
                        <Route path=path!("/invoices/new") view=CreateInvoicePage />
                        <Route path=path!("/invoice/:id") view=InvoicePage />
                        <Route path=path!("/merchant") view=crate::views::merchant::MerchantPage />
                        <Route path=path!("/invoice/:id/edit") view=EditInvoicePage />
                        <Route path=path!("/invoice/:id/secrets") view=crate::views::secrets::SecretsPage />
                        <Route path=path!("/inbox") view=crate::views::chat::InboxPage />
                        <Route path=path!("/inbox/:conversation") view=crate::views::chat::ConversationPage />
                        <Route path=path!("/payments") view=crate::views::payments::PaymentsPage />
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
