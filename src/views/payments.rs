//! Payments (GetInvoicePayments): received / made, keyset "Load more"; each links to its
//! page (refunds, cancelling); a payment or an invoice opened by number.

use crate::api::{self, ApiError};
use crate::components::lookup::Lookup;
use crate::components::{ErrorView, PaymentCard, Rows};
use crate::i18n::invoices::{InvoiceTexts, tr as tr_inv};
use crate::i18n::tr;
use crate::state::{use_app, use_live};
use crate::tasks;
use crate::tasks::RwSignal;
use leptos::prelude::*;
use schet_api::pb;

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
    let live = use_live();
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
    tasks::effect(move |_| {
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
    // A payment changed (cancelled, refunded) while the list is open: read it again.
    tasks::effect(move |seen: Option<()>| {
        let changed = live
            .last_event
            .with(|e| matches!(e.as_ref().and_then(|e| e.payload.as_ref()), Some(pb::event::Payload::Payment(_))));
        if seen.is_some() && changed {
            first.refetch();
        }
    });
    view! {
        <section class="page">
            <h1>{tr_inv(|t| t.payments_title)}</h1>
            <Lookup />
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
                        <Rows each=move || payments.get() key=|p| (p.id, p.status, p.refunded, p.refunding) let:payment>
                            <PaymentCard payment=payment />
                        </Rows>
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
