//! The application: state, routes, and the page frame.

use crate::components::TopBar;
use crate::settings::{AppState, Settings, use_texts};
use crate::views::invoice::InvoicePage;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, path};

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
                        // The shared link's screen is in the main module; every other screen is
                        // a lazy route (see `lazy_screen!` below).
                        <Route path=path!("/invoice/:id") view=InvoicePage />
                        <Route path=path!("/") view={Lazy::<ListScreen>::new()} />
                        <Route path=path!("/invoices") view={Lazy::<ListScreen>::new()} />
                        <Route path=path!("/settings") view={Lazy::<SettingsScreen>::new()} />
                        <Route path=path!("/invoices/new") view={Lazy::<CreateScreen>::new()} />
                        <Route path=path!("/merchant") view={Lazy::<MerchantScreen>::new()} />
                        <Route path=path!("/invoice/:id/edit") view={Lazy::<EditScreen>::new()} />
                        <Route path=path!("/invoice/:id/secrets") view={Lazy::<SecretsScreen>::new()} />
                        <Route path=path!("/inbox") view={Lazy::<InboxScreen>::new()} />
                        <Route path=path!("/inbox/:conversation") view={Lazy::<ConversationScreen>::new()} />
                        <Route path=path!("/payments") view={Lazy::<PaymentsScreen>::new()} />
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

/// A screen whose code loads on first use. In the split release build (`--features split`,
/// built by `cargo xtask`), `wasm_split` (what Leptos's `#[lazy]` expands to) puts it in the
/// wasm module `screens`, which every lazy screen shares (one module per screen cost 96 KB
/// more in all: see xtask/src/release.rs); the router loads it when the route first matches,
/// and boot.js prefetches it after the first view. In every other build (Trunk, browser
/// tests) it is an ordinary view.
macro_rules! lazy_screen {
    ($route:ident, $load:ident, $preload:ident, $page:path) => {
        pub struct $route;

        #[cfg_attr(feature = "split", leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, preload($preload)))]
        fn $load() -> AnyView {
            use $page as Page;
            view! { <Page /> }.into_any()
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                #[cfg(feature = "split")]
                return $load().await;
                #[cfg(not(feature = "split"))]
                return $load();
            }

            async fn preload() {
                #[cfg(feature = "split")]
                $preload().await;
            }
        }
    };
}

lazy_screen!(ListScreen, list_screen, __preload_list_screen, crate::views::invoices::InvoiceListPage);
lazy_screen!(SettingsScreen, settings_screen, __preload_settings_screen, crate::views::settings::SettingsPage);
lazy_screen!(CreateScreen, create_screen, __preload_create_screen, crate::views::invoice_form::CreateInvoicePage);
lazy_screen!(EditScreen, edit_screen, __preload_edit_screen, crate::views::invoice_form::EditInvoicePage);
lazy_screen!(MerchantScreen, merchant_screen, __preload_merchant_screen, crate::views::merchant::MerchantPage);
lazy_screen!(SecretsScreen, secrets_screen, __preload_secrets_screen, crate::views::secrets::SecretsPage);
lazy_screen!(InboxScreen, inbox_screen, __preload_inbox_screen, crate::views::chat::InboxPage);
lazy_screen!(
    ConversationScreen,
    conversation_screen,
    __preload_conversation_screen,
    crate::views::chat::ConversationPage
);
lazy_screen!(PaymentsScreen, payments_screen, __preload_payments_screen, crate::views::payments::PaymentsPage);
