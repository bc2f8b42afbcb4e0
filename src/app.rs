//! The routes: which screen answers which path, inside the shell (state, top bar, and the
//! login gate: a guest meets a way to log in instead of a screen that is someone's own).
//! Each screen is independent of the others, so a route can be loaded on its own.

use crate::components::login::LoginGate;
use crate::components::{TopBar, part_or_retry};
use crate::i18n::tr;
use crate::settings::Settings;
use crate::state::{AppShell, AppState};
use crate::views::invoice;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, path};

/// The whole app. Props: `state`, the settings to start from (default: the saved ones).
#[component]
pub fn App(#[prop(optional)] state: Option<AppState>) -> impl IntoView {
    let state = state.unwrap_or_else(|| AppState::new(Settings::load()));
    view! {
        <AppShell state=state>
            <Router>
                <TopBar />
                <main id="main">
                    <LoginGate>
                    <Routes fallback=NotFound>
                        // The shared link's screen is in the main module; every other screen is
                        // a lazy route (`lazy_screen!` below).
                        <Route path=path!("/invoice/:id") view=invoice::InvoicePage />
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
                        <Route path=path!("/inbox/payment/:payment") view={Lazy::<PaymentChatScreen>::new()} />
                        <Route path=path!("/events") view={Lazy::<EventsScreen>::new()} />
                        <Route path=path!("/payment/:id") view={Lazy::<PaymentScreen>::new()} />
                    </Routes>
                    </LoginGate>
                </main>
            </Router>
        </AppShell>
    }
}

fn reload_page() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! { <section class="page"><p>{tr(|t| t.page_not_found)}</p></section> }
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

        #[cfg_attr(
                    feature = "split",
                    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, preload($preload), fallible)
                )]
        fn $load() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
            use $page as Page;
            Ok(view! { <Page /> }.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                match crate::lazy::lazily!($load) {
                    Ok(view) => {
                        // The lazy module is here: what waits for the first view need wait no more.
                        crate::lazy::settle();
                        view
                    }
                    // The screen's code could not be fetched (the network): said so, with a
                    // retry that loads the page again.
                    Err(e) => part_or_retry(Err(e), Callback::new(|()| reload_page())),
                }
            }

            async fn preload() {
                // A failed prefetch is tried again when the screen is opened.
                #[cfg(feature = "split")]
                let _ = $preload().await;
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
lazy_screen!(
    PaymentChatScreen,
    payment_chat_screen,
    __preload_payment_chat_screen,
    crate::views::chat::PaymentChatPage
);
lazy_screen!(EventsScreen, events_screen, __preload_events_screen, crate::views::events::EventsPage);
lazy_screen!(PaymentScreen, payment_screen, __preload_payment_screen, crate::views::payment::PaymentPage);
