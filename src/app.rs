//! The app: the shell (state, top bar) around the screen at the address ([`Nav::route`]).
//! A shared link's page (`/invoice/:id`) is in the main wasm module; every other screen is
//! in [`screens`] (in the split release build, the lazy module `screens`), loaded when the
//! app is opened elsewhere or leaves the invoice. Each screen is independent of the others;
//! the login gate shows a guest a way to log in instead of a screen that is someone's own.

use crate::components::login::LoginGate;
use crate::components::{TopBar, part_or_retry};
use crate::i18n::tr;
use crate::lazy::lazily;
use crate::nav::{Nav, use_nav};
use crate::settings::Settings;
use crate::state::{AppShell, AppState};
use crate::tasks::{Memo, RwSignal};
use crate::views;
use crate::views::invoice::InvoicePage;
use leptos::prelude::*;
use schet_model::address::Screen;

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

/// The screen at the address: an invoice's page from the main module, any other from
/// [`screens`].
#[component]
fn Page() -> impl IntoView {
    let nav = use_nav();
    // The screens' code failed to load (the lazy module): asked for again on retry.
    let reload = RwSignal::new(0u32);
    let retry = Callback::new(move |()| reload.update(|n| *n += 1));
    let on_invoice = Memo::new(move |_| nav.route().screen == Screen::Invoice);
    move || {
        if on_invoice.get() {
            let id = crate::nav::path_number();
            view! { <InvoicePage id=id /> }.into_any()
        } else {
            reload.track();
            Suspend::new(async move {
                let shown = lazily!(screens);
                if shown.is_ok() {
                    // The lazy module is here: what waits for the first view need wait no more.
                    crate::lazy::settle();
                }
                part_or_retry(shown, retry)
            })
            .into_any()
        }
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! { <section class="page"><p>{tr(|t| t.page_not_found)}</p></section> }
}

/// Every screen but an invoice's page. In the split release build (`--features split`,
/// built by `cargo xtask`) this and all it reaches are the wasm module `screens` (one module
/// per screen cost 96 KB more in all: see xtask/src/release.rs), loaded when the app is
/// opened elsewhere than at a shared link, or leaves it; boot.js prefetches it after the
/// first view. In every other build (Trunk, browser tests) it is an ordinary function.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn screens() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <LoginGate><Screens /></LoginGate> }.into_any())
}

/// The screen at the address; the same screen at another number (`/invoice/5/edit` →
/// `/invoice/6/edit`) stays, and follows the number.
#[component]
fn Screens() -> impl IntoView {
    use views::{chat, events, invoice_form, invoices, merchant, payment, payments, secrets, settings};
    let nav: Nav = use_nav();
    let screen = Memo::new(move |_| nav.route().screen);
    move || match screen.get() {
        Screen::InvoiceList => view! { <invoices::InvoiceListPage /> }.into_any(),
        Screen::NewInvoice => view! { <invoice_form::CreateInvoicePage /> }.into_any(),
        Screen::EditInvoice => view! { <invoice_form::EditInvoicePage /> }.into_any(),
        Screen::Secrets => view! { <secrets::SecretsPage /> }.into_any(),
        Screen::Settings => view! { <settings::SettingsPage /> }.into_any(),
        Screen::Merchant => view! { <merchant::MerchantPage /> }.into_any(),
        Screen::Inbox => view! { <chat::InboxPage /> }.into_any(),
        Screen::Conversation => view! { <chat::ConversationPage /> }.into_any(),
        Screen::PaymentChat => view! { <chat::PaymentChatPage /> }.into_any(),
        Screen::Payments => view! { <payments::PaymentsPage /> }.into_any(),
        Screen::Payment => view! { <payment::PaymentPage /> }.into_any(),
        Screen::Events => view! { <events::EventsPage /> }.into_any(),
        Screen::NotFound => view! { <NotFound /> }.into_any(),
        // Shown by `Page`, from the main module.
        Screen::Invoice => ().into_any(),
    }
}
