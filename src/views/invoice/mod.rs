//! One invoice, every field presented for a person (GetInvoiceById), to anyone it is
//! shared with, guests included; what its viewer can do with it (edit, delete, buy, see what
//! they bought); its conversations.

mod actions;
mod buy;
mod fields;

use crate::api::{self, ApiError};
use crate::components::invoice_chat::InvoiceChat;
use crate::components::login::{LoginPrompt, is_guest};
use crate::components::{ErrorView, QrCode, files, part_or_retry};
use crate::i18n::TextSignal;
use crate::i18n::invoices::use_texts as use_inv_texts;
use crate::i18n::payments::use_texts as use_pay_texts;
use crate::i18n::tr;
use crate::lazy::{after_first_view, lazily};
use crate::state::{use_app, use_live};
use crate::tasks;
use crate::tasks::Signal;
use crate::tasks::StoredValue;
use crate::tasks::{Memo, RwSignal};
use actions::InvoiceActions;
use fields::{InvoiceDetails, InvoiceSummary};
use leptos::prelude::*;
use schet_api::pb;
use std::time::Duration;

/// The `/invoice/:id` page: the shared link's. Props: `id`, the address's invoice number
/// (None when it is not a whole number above 0).
#[component]
pub fn InvoicePage(#[prop(into)] id: Signal<Option<u64>>) -> impl IntoView {
    move || match id.get() {
        Some(id) => view! { <InvoiceView id=id /> }.into_any(),
        None => view! { <p class="page">{tr(|t| t.invoice_id_rule)}</p> }.into_any(),
    }
}

/// What the chat needs of an invoice: the parts that never change, so that a refresh of the
/// invoice keeps the conversation, its composer and the chosen buyer as they are.
fn chat_part(i: &pb::Invoice) -> pb::Invoice {
    pb::Invoice {
        id: i.id,
        owner: i.owner.clone(),
        nullable_target_user: i.nullable_target_user.clone(),
        created_at: i.created_at,
        ..Default::default()
    }
}

/// What the page shows in place of the invoice.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    Invoice,
    /// Not there, or not mine to see: the same either way.
    Missing,
    Failed(ApiError),
}

/// Loads invoice `id` with the current settings and shows it, with loading and error
/// states; refreshes itself every 20 s and on a live event about it, keeping the page as it
/// is meanwhile (a refresh that changes nothing changes nothing on screen; the pieces being
/// typed stay).
///
/// Props: `id`, the invoice number.
#[component]
pub fn InvoiceView(id: u64) -> impl IntoView {
    let app = use_app();
    let live = use_live();
    // Someone logged in who followed a shared link: the guest's view the page carried, shown
    // until their own answer arrives (read before the resource starts, which takes the rest).
    let carried = app.settings.with_untracked(|s| api::invoices::provisional(s, id));
    let invoice = tasks::resource(move || {
        let settings = app.settings.get();
        async move { api::invoices::get_by_id(&settings, id).await }
    });
    let retry = Callback::new(move |()| invoice.refetch());
    let refresh = set_interval_with_handle(move || invoice.refetch(), Duration::from_secs(20));
    on_cleanup(move || {
        if let Ok(h) = refresh {
            h.clear();
        }
    });
    // An event about this invoice or a payment of it: read it again.
    tasks::effect(move |seen: Option<()>| {
        let about = live.last_event.with(|e| match e.as_ref().and_then(|e| e.payload.as_ref()) {
            Some(pb::event::Payload::Invoice(i)) => i.id == id,
            Some(pb::event::Payload::Payment(p)) => p.invoice.as_ref().is_some_and(|i| i.id == id),
            _ => false,
        });
        if seen.is_some() && about {
            invoice.refetch();
        }
    });
    // The invoice as last read (kept while it is read again), at first what the page carried.
    let current = Memo::new(move |last: Option<&Option<pb::Invoice>>| match invoice.get() {
        Some(Ok(i)) => Some(i),
        _ => last.cloned().flatten().or_else(|| carried.clone()),
    });
    let shown = Memo::new(move |_| {
        if current.with(Option::is_some) {
            return Shown::Invoice;
        }
        invoice.with(|r| match r {
            None => Shown::Loading,
            Some(Ok(_)) => Shown::Invoice,
            Some(Err(ApiError::NotFound(_))) => Shown::Missing,
            Some(Err(e)) => Shown::Failed(e.clone()),
        })
    });
    // A later read that failed, shown above the invoice as it was.
    let stale =
        move || invoice.with(|r| r.and_then(|r| r.as_ref().err()).cloned()).filter(|_| current.with(Option::is_some));
    let chat = Memo::new(move |_| current.with(|i| i.as_ref().map(chat_part)));
    // The chat's code failed to load (the lazy module): asked for again on retry.
    let chat_reload = RwSignal::new(0u32);
    let chat_retry = Callback::new(move |()| chat_reload.update(|n| *n += 1));
    let images = Memo::new(move |_| current.with(|i| i.as_ref().map(|i| i.images.clone()).unwrap_or_default()));
    view! {
        <section class="page invoice" aria-busy=move || (shown.get() == Shown::Loading).to_string()>
            <div class="row spread">
                <h1>{tr(|t| t.invoice)}" #"{id}</h1>
                <button type="button" class="button" on:click=move |_| invoice.refetch()>{tr(|t| t.refresh)}</button>
            </div>
            {move || stale().map(|e| view! { <ErrorView error=e on_retry=retry /> })}
            {move || match shown.get() {
                Shown::Loading => view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }.into_any(),
                Shown::Missing => view! { <Missing id=id /> }.into_any(),
                Shown::Failed(e) => view! { <ErrorView error=e on_retry=retry /> }.into_any(),
                Shown::Invoice => view! {
                    {move || current.get().map(|inv| view! { <InvoiceSummary invoice=inv /> })}
                    {move || view! { <Gallery images=images.get() /> }}
                    <InvoiceActions invoice=current on_change=retry />
                    {move || current.get().map(|inv| view! { <InvoiceDetails invoice=inv /> })}
                    <ShareLink id=id />
                }.into_any(),
            }}
            {move || { chat_reload.track(); chat.get() }.map(|inv| Suspend::new(async move {
                after_first_view().await;
                part_or_retry(lazily!(chat_view, inv), chat_retry)
            }))}
        </section>
    }
}

/// The invoice's conversations. In the split release build this code is in the lazy module
/// `screens` (`crate::lazy`), fetched once the first view has settled: the shared link's
/// first view does without it.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn chat_view(inv: pb::Invoice) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <InvoiceChat invoice=inv /> }.into_any())
}

/// No invoice #id for this viewer: it does not exist, or it is not theirs to see (the
/// service does not say which, and neither does this page). A guest may log in.
#[component]
fn Missing(id: u64) -> impl IntoView {
    let tp = use_pay_texts();
    let guest = is_guest();
    view! {
        <div class="not-found">
            <p>{move || tp.get().invoice_missing.replace("{id}", &id.to_string())}</p>
            {move || guest.get().then(|| view! { <LoginPrompt text=TextSignal::derive(move || tp.get().invoice_missing_guest) /> })}
        </div>
    }
}

/// The invoice's images, as previews fetched from the service.
#[component]
fn Gallery(images: Vec<String>) -> impl IntoView {
    let app = use_app();
    let previews = tasks::resource(move || {
        let (settings, images) = (app.settings.get(), images.clone());
        async move {
            let mut urls = Vec::new();
            for id in images {
                if let Ok(bytes) = api::images::get(&settings, &id, true).await
                    && let Some(url) = files::image_url(&bytes)
                {
                    urls.push((id, url));
                }
            }
            urls
        }
    });
    let shown = StoredValue::new(Vec::<String>::new());
    tasks::effect(move |_| {
        if let Some(list) = previews.get() {
            shown.with_value(|old| old.iter().for_each(|u| files::revoke(u)));
            shown.set_value(list.into_iter().map(|(_, url)| url).collect());
        }
    });
    on_cleanup(move || shown.with_value(|u| u.iter().for_each(|url| files::revoke(url))));
    view! {
        <div class="gallery">
            {move || previews.get().unwrap_or_default().into_iter().map(|(id, url)| view! { <img src=url alt=id /> }).collect_view()}
        </div>
    }
}

/// Copy-link button and a QR code of the invoice's address.
#[component]
fn ShareLink(id: u64) -> impl IntoView {
    let ti = use_inv_texts();
    let link = format!("{}/invoice/{id}", crate::settings::origin());
    let copied = RwSignal::new(false);
    let show_qr = RwSignal::new(false);
    let link2 = link.clone();
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&link2);
            copied.set(true);
        }
    };
    view! {
        <div class="row share">
            <button type="button" class="button" on:click=copy>{move || if copied.get() { ti.get().copied } else { ti.get().copy_link }}</button>
            <button type="button" class="button" aria-expanded=move || show_qr.get().to_string() on:click=move |_| show_qr.update(|v| *v = !*v)>"QR"</button>
            <span class="mono muted">{link.clone()}</span>
        </div>
        {move || show_qr.get().then(|| view! { <QrCode text=link.clone() label=TextSignal::derive(move || ti.get().qr_label) /> })}
    }
}
