//! Payments (GetInvoicePayments): received / made, keyset "Load more", cancel where allowed.

use crate::api::{self, ApiError};
use crate::app::use_profile;
use crate::components::{ErrorView, PaymentCard};
use crate::settings::{tr, use_app, use_texts};
use leptos::prelude::*;
use schet_api::pb::{self, invoice_payment::InvoicePaymentStatus};

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let profile = use_profile();
    let side = RwSignal::new(None::<bool>);
    let payments = RwSignal::new(Vec::<pb::InvoicePayment>::new());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let more = RwSignal::new(false);
    let generation = StoredValue::new(0u32);
    const PAGE: u32 = 20;
    let load = move |reset: bool| {
        let settings = app.settings.get_untracked();
        let to_me = side.get_untracked();
        let last = if reset { 0 } else { payments.with_untracked(|p| p.last().map_or(0, |p| p.id)) };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        loading.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = api::payments::list(&settings, to_me, 0, last, PAGE).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    more.set(page.len() as u32 == PAGE);
                    if reset { payments.set(page) } else { payments.update(|p| p.extend(page)) }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        side.track();
        app.settings.track();
        load(true);
    });
    let tab = move |value: Option<bool>, label: fn(&crate::i18n::Texts) -> &'static str| {
        view! {
            <button type="button" role="tab" class="tab" aria-selected=move || (side.get() == value).to_string()
                on:click=move |_| side.set(value)>{move || label(t.get())}</button>
        }
    };
    view! {
        <section class="page">
            <h1>{tr(|t| t.inv.payments_title)}</h1>
            <div class="tabs" role="tablist">
                {tab(None, |t| t.inv.tab_all)}
                {tab(Some(true), |t| t.inv.to_me)}
                {tab(Some(false), |t| t.inv.from_me)}
            </div>
            {move || error.get().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| load(true)) /> })}
            <For each=move || payments.get() key=|p| (p.id, p.status) let:payment>
                {
                    let me = profile.user_id().unwrap_or_default();
                    let seller = payment.invoice.as_ref().and_then(|i| i.owner.as_ref()).map(|o| o.id.clone()).unwrap_or_default();
                    let cancellable = seller == me && payment.status == InvoicePaymentStatus::Paid as i32;
                    let id = payment.id;
                    let actions = cancellable.then(|| view! { <CancelPayment id=id on_done=Callback::new(move |p: pb::InvoicePayment| payments.update(|list| { if let Some(x) = list.iter_mut().find(|x| x.id == p.id) { *x = p; } })) /> }.into_any());
                    view! { <PaymentCard payment=payment actions=actions.unwrap_or_else(|| ().into_any()) /> }
                }
            </For>
            {move || (loading.get() && payments.with(Vec::is_empty)).then(|| view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> })}
            {move || (!loading.get() && error.with(Option::is_none) && payments.with(Vec::is_empty)).then(|| view! { <p class="muted">{tr(|t| t.inv.empty)}</p> })}
            {move || more.get().then(|| view! {
                <button type="button" class="button" disabled=move || loading.get() on:click=move |_| load(false)>{tr(|t| t.inv.load_more)}</button>
            })}
        </section>
    }
}

/// The seller's "cancel and return the money", with a confirmation.
#[component]
fn CancelPayment(id: u64, on_done: Callback<pb::InvoicePayment>) -> impl IntoView {
    let app = use_app();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let cancel = move |_| {
        let settings = app.settings.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::payments::cancel(&settings, id).await;
            busy.set(false);
            confirming.set(false);
            match result {
                Ok(p) => on_done.run(p),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div class="actions">
            <button type="button" class="button" on:click=move |_| confirming.set(true)>{tr(|t| t.inv.cancel_payment)}</button>
        </div>
        {move || confirming.get().then(|| view! {
            <div class="error-banner" role="alertdialog" aria-label=tr(|t| t.inv.cancel_payment)>
                <p>{tr(|t| t.inv.cancel_payment_confirm)}</p>
                <div class="row">
                    <button type="button" class="button primary" disabled=move || busy.get() on:click=cancel>{tr(|t| t.inv.confirm)}</button>
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{tr(|t| t.inv.cancel)}</button>
                </div>
            </div>
        })}
        {move || failure.get().map(|e| view! { <ErrorView error=e /> })}
    }
}
