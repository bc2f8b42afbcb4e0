//! The routes: which screen answers which path, inside the shell (state, top bar, and the
//! login gate: a guest meets a way to log in instead of a screen that is someone's own).
//! Each screen is independent of the others, so a route can be loaded on its own.

use crate::components::TopBar;
use crate::components::login::LoginGate;
use crate::i18n::tr;
use crate::settings::Settings;
use crate::state::{AppShell, AppState};
use crate::views::{chat, invoice, invoice_form, invoices, merchant, payment, payments, secrets, settings};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

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
                        <Route path=path!("/") view=invoices::InvoiceListPage />
                        <Route path=path!("/settings") view=settings::SettingsPage />
                        <Route path=path!("/invoices") view=invoices::InvoiceListPage />
                        <Route path=path!("/invoices/new") view=invoice_form::CreateInvoicePage />
                        <Route path=path!("/invoice/:id") view=invoice::InvoicePage />
                        <Route path=path!("/merchant") view=merchant::MerchantPage />
                        <Route path=path!("/invoice/:id/edit") view=invoice_form::EditInvoicePage />
                        <Route path=path!("/invoice/:id/secrets") view=secrets::SecretsPage />
                        <Route path=path!("/inbox") view=chat::InboxPage />
                        <Route path=path!("/inbox/:conversation") view=chat::ConversationPage />
                        <Route path=path!("/payments") view=payments::PaymentsPage />
                        <Route path=path!("/payment/:id") view=payment::PaymentPage />
                    </Routes>
                    </LoginGate>
                </main>
            </Router>
        </AppShell>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! { <section class="page"><p>{tr(|t| t.page_not_found)}</p></section> }
}
