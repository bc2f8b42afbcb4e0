//! The app: the shell (state, top bar) around the page. A shared link's page
//! (`/invoice/:id`) is shown on its own, as it was opened; every other address, and any
//! page after the first move, is shown by the router with every screen
//! ([`routes`]: in the split release build, the lazy module `screens`, with the router's
//! code). Each screen is independent of the others; the login gate shows a guest a way to log
//! in instead of a screen that is someone's own.

use crate::components::login::LoginGate;
use crate::components::{TopBar, part_or_retry};
use crate::i18n::tr;
use crate::lazy::lazily;
use crate::nav::{Follow, use_nav};
use crate::params;
use crate::settings::Settings;
use crate::state::{AppShell, AppState};
use crate::views;
use crate::views::invoice::InvoicePage;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use schet_model::address;

/// The whole app. Props: `state`, the settings to start from (default: the saved ones).
#[component]
pub fn App(#[prop(optional)] state: Option<AppState>) -> impl IntoView {
    let state = state.unwrap_or_else(|| AppState::new(Settings::load()));
    view! {
        <AppShell state=state>
            <TopBar />
            <main id="main"><Page /></main>
        </AppShell>
    }
}

/// The page at the address: a shared link's invoice on its own, else the router's.
#[component]
fn Page() -> impl IntoView {
    let nav = use_nav();
    // The router's code failed to load (the lazy module): asked for again on retry.
    let reload = RwSignal::new(0u32);
    let retry = Callback::new(move |()| reload.update(|n| *n += 1));
    move || {
        if nav.routed() {
            reload.track();
            Suspend::new(async move {
                let shown = lazily!(routes);
                if shown.is_ok() {
                    // The lazy module is here: what waits for the first view need wait no more.
                    crate::lazy::settle();
                }
                part_or_retry(shown, retry)
            })
            .into_any()
        } else {
            let id = Signal::derive(move || address::invoice_id(&nav.path()));
            view! { <InvoicePage id=id /> }.into_any()
        }
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! { <section class="page"><p>{tr(|t| t.page_not_found)}</p></section> }
}

/// Every page, through the router. In the split release build (`--features split`, built by
/// `cargo xtask`) this and every screen it reaches are in the wasm module `screens` (one
/// module per screen cost 96 KB more in all: see xtask/src/release.rs), loaded when the app
/// is opened elsewhere than at a shared link, or leaves it; boot.js prefetches it after the
/// first view. In every other build (Trunk, browser tests) it is an ordinary function.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn routes() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    use views::{chat, events, invoice_form, invoices, merchant, payment, payments, secrets, settings};
    let invoice = || view! { <InvoicePage id=params::invoice_id() /> };
    Ok(view! {
        <Router>
            <Follow />
            <LoginGate>
                <Routes fallback=NotFound>
                    <Route path=path!("/invoice/:id") view=invoice />
                    <Route path=path!("/") view=invoices::InvoiceListPage />
                    <Route path=path!("/invoices") view=invoices::InvoiceListPage />
                    <Route path=path!("/settings") view=settings::SettingsPage />
                    <Route path=path!("/invoices/new") view=invoice_form::CreateInvoicePage />
                    <Route path=path!("/merchant") view=merchant::MerchantPage />
                    <Route path=path!("/invoice/:id/edit") view=invoice_form::EditInvoicePage />
                    <Route path=path!("/invoice/:id/secrets") view=secrets::SecretsPage />
                    <Route path=path!("/inbox") view=chat::InboxPage />
                    <Route path=path!("/inbox/:conversation") view=chat::ConversationPage />
                    <Route path=path!("/payments") view=payments::PaymentsPage />
                    <Route path=path!("/inbox/payment/:payment") view=chat::PaymentChatPage />
                    <Route path=path!("/events") view=events::EventsPage />
                    <Route path=path!("/payment/:id") view=payment::PaymentPage />
                </Routes>
            </LoginGate>
        </Router>
    }
    .into_any())
}
