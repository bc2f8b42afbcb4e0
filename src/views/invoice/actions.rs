//! What the viewer of an invoice can do with it: the owner edits, deletes or manages the
//! secrets; anyone else buys or pays while it is for sale (a guest after logging in: the
//! guest's part is the first view's, the rest is loaded after it in the split build) and
//! sees what they bought.

use super::buy::{Bought, BuyBox, GuestBuyBox};
use crate::api;
use crate::components::decline::Decline;
use crate::components::login::is_guest;
use crate::components::{ErrorView, PaymentCard, part_or_retry};
use crate::i18n::invoices::tr as tr_inv;
use crate::lazy::{after_first_view, lazily};
use crate::state::{use_app, use_profile};
use crate::tasks;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use schet_api::pb::{self, invoice::InvoiceStatus};

/// Who is looking at the invoice, as far as its actions go.
#[derive(Debug, Clone, PartialEq)]
enum Viewer {
    /// Not known yet (the profile is being read).
    Unknown,
    Guest,
    Owner,
    /// Anyone else: a buyer, once they buy.
    Other,
}

/// What the viewer can do: the owner edits, deletes or manages the secrets; anyone else
/// buys or pays while it is for sale (a guest after logging in) and sees what they bought.
/// Each part is made again only when who may do what changes, not on every refresh.
#[component]
pub(super) fn InvoiceActions(invoice: Memo<Option<pb::Invoice>>, on_change: Callback<()>) -> impl IntoView {
    let profile = use_profile();
    let guest = is_guest();
    let viewer = Memo::new(move |_| {
        if guest.get() {
            return Viewer::Guest;
        }
        let Some(me) = profile.user_id() else { return Viewer::Unknown };
        let owner = invoice.with(|i| i.as_ref().and_then(|i| i.owner.as_ref()).map(|o| o.id == me));
        if owner == Some(true) { Viewer::Owner } else { Viewer::Other }
    });
    let for_sale =
        Memo::new(move |_| invoice.with(|i| i.as_ref().is_some_and(|i| i.status == InvoiceStatus::Active as i32)));
    let to_me = Memo::new(move |_| {
        let me = profile.user_id();
        invoice.with(|i| match i.as_ref().and_then(|i| i.nullable_target_user.as_ref()) {
            Some(pb::invoice::NullableTargetUser::TargetUser(u)) => me.is_some_and(|me| me == u.id),
            _ => false,
        })
    });
    let owner_key = Memo::new(move |_| invoice.with(|i| i.as_ref().map(|i| (i.status, i.is_private))));
    // What was paid on this page, kept while the parts around it are made again.
    let paid = RwSignal::new(Vec::<pb::InvoicePayment>::new());
    let on_paid = Callback::new(move |p: pb::InvoicePayment| {
        paid.update(|list| list.insert(0, p));
        on_change.run(());
    });
    // A failed fetch of the lazy part's code is shown with a retry, which asks again.
    let reload = RwSignal::new(0u32);
    let retry = Callback::new(move |()| reload.update(|n| *n += 1));
    move || match viewer.get() {
        Viewer::Unknown => ().into_any(),
        Viewer::Owner => (move || {
            owner_key.track();
            reload.track();
            invoice.get_untracked().map(|inv| {
                Suspend::new(async move {
                    after_first_view().await;
                    part_or_retry(lazily!(owner_actions, inv, on_change), retry)
                })
            })
        })
        .into_any(),
        Viewer::Guest => (move || for_sale.get().then(|| view! { <GuestBuyBox invoice=invoice /> })).into_any(),
        Viewer::Other => (move || {
            reload.track();
            Suspend::new(async move {
                after_first_view().await;
                part_or_retry(lazily!(buyer_actions, invoice, paid, on_paid, on_change, for_sale, to_me), retry)
            })
        })
        .into_any(),
    }
}

/// A logged-in viewer's part (the owner's is [`OwnerActions`]), loaded after the first
/// view in the split build (`crate::lazy`): what they bought here, and buying or paying
/// while it is for sale.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn buyer_actions(
    invoice: Memo<Option<pb::Invoice>>,
    paid: RwSignal<Vec<pb::InvoicePayment>>,
    on_paid: Callback<pb::InvoicePayment>,
    on_change: Callback<()>,
    for_sale: Memo<bool>,
    to_me: Memo<bool>,
) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <BuyerActions invoice=invoice paid=paid on_paid=on_paid on_change=on_change for_sale=for_sale to_me=to_me /> }
        .into_any())
}

#[component]
fn BuyerActions(
    invoice: Memo<Option<pb::Invoice>>,
    paid: RwSignal<Vec<pb::InvoicePayment>>,
    on_paid: Callback<pb::InvoicePayment>,
    on_change: Callback<()>,
    for_sale: Memo<bool>,
    to_me: Memo<bool>,
) -> impl IntoView {
    view! {
        <Bought invoice=invoice paid=paid />
        {move || for_sale.get().then(|| {
            // The recipient of a private invoice pays it or declines it.
            let declinable = to_me.get().then(|| invoice.with_untracked(|i| i.as_ref().map(|i| i.id))).flatten();
            view! {
                <div class="row pay-or-decline">
                    <BuyBox invoice=invoice on_paid=on_paid on_stale=on_change />
                    {declinable.map(|id| view! { <Decline invoice_id=id on_done=on_change /> })}
                </div>
            }
        })}
    }
}

/// The owner's part, loaded after the first view in the split build (`crate::lazy`).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn owner_actions(invoice: pb::Invoice, on_change: Callback<()>) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <OwnerActions invoice=invoice on_change=on_change /> }.into_any())
}

#[component]
fn OwnerActions(invoice: pb::Invoice, on_change: Callback<()>) -> impl IntoView {
    let app = use_app();
    let id = invoice.id;
    let confirming = RwSignal::new(false);
    let deletable = invoice.status != InvoiceStatus::Deleted as i32 && invoice.status != InvoiceStatus::Payed as i32;
    // DeleteInvoice; for a refund invoice, the payment whose refund was abandoned.
    let delete = tasks::action(move |()| {
        let settings = app.settings.get_untracked();
        async move {
            let result = api::invoices::delete(&settings, id).await;
            confirming.set(false);
            if result.is_ok() {
                on_change.run(());
            }
            result
        }
    });
    view! {
        <div class="actions">
            {if invoice.is_private {
                view! { <p class="hint">{tr_inv(|t| t.not_editable_private)}</p> }.into_any()
            } else {
                view! { <a class="button" href=format!("/invoice/{id}/edit")>{tr_inv(|t| t.edit)}</a> }.into_any()
            }}
            {deletable.then(|| view! {
                <button type="button" class="button" on:click=move |_| confirming.set(true)>{tr_inv(|t| t.delete)}</button>
            })}
        </div>
        <p class="secrets-link">
            <a class="button" href=format!("/invoice/{id}/secrets")>{tr_inv(|t| t.manage_secrets)}</a>
        </p>
        {move || confirming.get().then(|| view! {
            <div class="error-banner" role="alertdialog" aria-label=tr_inv(|t| t.delete)>
                <p>{tr_inv(|t| t.delete_confirm)}</p>
                <div class="row">
                    <button type="button" class="button primary" disabled=move || delete.pending()
                        on:click=move |_| { delete.dispatch(()); }>{tr_inv(|t| t.confirm)}</button>
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{tr_inv(|t| t.cancel)}</button>
                </div>
            </div>
        })}
        {move || delete.value().map(|result| match result {
            Ok(Some(p)) => view! { <p>{tr_inv(|t| t.deleted_refund)}</p><PaymentCard payment=p /> }.into_any(),
            Ok(None) => ().into_any(),
            Err(e) => view! { <ErrorView error=e /> }.into_any(),
        })}
    }
}
