//! Payments (GetInvoicePayments): received / made, keyset "Load more", cancel where allowed.

use crate::api::{self, ApiError};
use crate::components::{ErrorView, PaymentCard};
use crate::i18n::invoices::{InvoiceTexts, tr as tr_inv};
use crate::i18n::tr;
use crate::state::{use_app, use_profile};
use crate::tasks;
use leptos::prelude::*;
use schet_api::pb::{self, invoice_payment::InvoicePaymentStatus};

const PAGE: u32 = 20;

/// Which payments: received, made, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Both,
    Received,
    Made,
}

impl Side {
    /// `IsToMe` as the request says it.
    fn to_me(self) -> Option<bool> {
        match self {
            Side::Both => None,
            Side::Received => Some(true),
            Side::Made => Some(false),
        }
    }
}

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let app = use_app();
    let profile = use_profile();
    let side = RwSignal::new(Side::Both);
    let first = tasks::resource(move || {
        let (settings, side) = (app.settings.get(), side.get());
        async move { api::payments::list(&settings, side.to_me(), 0, 0, PAGE).await }
    });
    // What is shown: the first page, the pages loaded after it, cancellations applied.
    let payments = RwSignal::new(Vec::<pb::InvoicePayment>::new());
    let more_left = RwSignal::new(false);
    // The page after `last`, appended unless the tab changed meanwhile.
    let more = tasks::action(move |(from, last): &(Side, u64)| {
        let (settings, from, last) = (app.settings.get_untracked(), *from, *last);
        async move {
            let page = api::payments::list(&settings, from.to_me(), 0, last, PAGE).await?;
            if side.get_untracked() == from {
                more_left.set(page.len() as u32 == PAGE);
                payments.update(|p| p.extend(page));
            }
            Ok::<(), ApiError>(())
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = first.get() {
            more_left.set(page.len() as u32 == PAGE);
            payments.set(page);
            more.clear();
        }
    });
    let load_more = move || {
        let last = payments.with_untracked(|p| p.last().map_or(0, |p| p.id));
        more.dispatch((side.get_untracked(), last));
    };
    let more_failed = move || more.value().and_then(Result::err).filter(|_| !more.pending());
    let tab = move |value: Side, label: fn(&'static InvoiceTexts) -> &'static str| {
        view! {
            <button type="button" role="tab" class="tab" aria-selected=move || (side.get() == value).to_string()
                on:click=move |_| side.set(value)>{tr_inv(label)}</button>
        }
    };
    let replace = Callback::new(move |p: pb::InvoicePayment| {
        payments.update(|list| {
            if let Some(x) = list.iter_mut().find(|x| x.id == p.id) {
                *x = p;
            }
        })
    });
    view! {
        <section class="page">
            <h1>{tr_inv(|t| t.payments_title)}</h1>
            <div class="tabs" role="tablist">
                {tab(Side::Both, |t| t.tab_all)}
                {tab(Side::Received, |t| t.to_me)}
                {tab(Side::Made, |t| t.from_me)}
            </div>
            <Transition fallback=move || view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }>
                {move || first.get().map(|r| match r {
                    Err(e) => view! { <ErrorView error=e on_retry=Callback::new(move |()| first.refetch()) /> }.into_any(),
                    Ok(page) if page.is_empty() => view! { <p class="muted">{tr_inv(|t| t.empty)}</p> }.into_any(),
                    Ok(_) => view! {
                        <For each=move || payments.get() key=|p| (p.id, p.status) let:payment>
                            {
                                let me = profile.user_id().unwrap_or_default();
                                let seller = payment.invoice.as_ref().and_then(|i| i.owner.as_ref()).map(|o| o.id.clone()).unwrap_or_default();
                                let cancellable = seller == me && payment.status == InvoicePaymentStatus::Paid as i32;
                                let actions = cancellable.then(|| view! { <CancelPayment id=payment.id on_done=replace /> }.into_any());
                                view! { <PaymentCard payment=payment actions=actions.unwrap_or_else(|| ().into_any()) /> }
                            }
                        </For>
                    }.into_any(),
                })}
            </Transition>
            {move || more_failed().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| load_more()) /> })}
            {move || more_left.get().then(|| view! {
                <button type="button" class="button" disabled=move || more.pending() on:click=move |_| load_more()>{tr_inv(|t| t.load_more)}</button>
            })}
        </section>
    }
}

/// The seller's "cancel and return the money", with a confirmation.
#[component]
fn CancelPayment(id: u64, on_done: Callback<pb::InvoicePayment>) -> impl IntoView {
    let app = use_app();
    let confirming = RwSignal::new(false);
    let cancel = tasks::action(move |()| {
        let settings = app.settings.get_untracked();
        async move {
            let result = api::payments::cancel(&settings, id).await;
            confirming.set(false);
            result.map(|p| on_done.run(p))
        }
    });
    view! {
        <div class="actions">
            <button type="button" class="button" on:click=move |_| confirming.set(true)>{tr_inv(|t| t.cancel_payment)}</button>
        </div>
        {move || confirming.get().then(|| view! {
            <div class="error-banner" role="alertdialog" aria-label=tr_inv(|t| t.cancel_payment)>
                <p>{tr_inv(|t| t.cancel_payment_confirm)}</p>
                <div class="row">
                    <button type="button" class="button primary" disabled=move || cancel.pending()
                        on:click=move |_| { cancel.dispatch(()); }>{tr_inv(|t| t.confirm)}</button>
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{tr_inv(|t| t.cancel)}</button>
                </div>
            </div>
        })}
        {move || cancel.value().and_then(Result::err).map(|e| view! { <ErrorView error=e /> })}
    }
}
