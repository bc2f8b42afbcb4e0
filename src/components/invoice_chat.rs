//! The chat section of an invoice page.

use crate::api::payments;
use crate::components::{ErrorView, thread::ThreadView};
use crate::i18n::activity::use_texts as use_act_texts;
use crate::i18n::chat::tr as tr_chat;
use crate::i18n::chat::use_texts as use_chat_texts;
use crate::settings::Settings;
use crate::state::{use_app, use_live};
use crate::tasks;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use schet_api::pb::{self, conversation::Parent};
use schet_model::conversations::{Thread, buyers_of, more_buyers_after};

/// Received payments read per page, and at most this many pages, looking for buyers.
const PAGE: u32 = 100;
const PAGES: usize = 10;

/// Who bought from invoice `invoice_id` (created at `created`), newest first: the payments I
/// received, page after page until they are older than the invoice.
async fn buyers(settings: &Settings, invoice_id: u64, created: Option<prost_types::Timestamp>) -> Vec<pb::UserInfo> {
    let mut found: Vec<pb::UserInfo> = Vec::new();
    let mut last = 0;
    for _ in 0..PAGES {
        let Ok(page) = payments::list(settings, Some(true), 0, last, PAGE).await else { break };
        for u in buyers_of(invoice_id, &page) {
            if !found.iter().any(|f| f.id == u.id) {
                found.push(u);
            }
        }
        if !more_buyers_after(&page, PAGE, created.as_ref()) {
            break;
        }
        last = page.last().map_or(0, |p| p.id);
    }
    found
}

/// The chat section of an invoice page: the buyer writes to the seller; the seller picks a
/// buyer among those who wrote, who bought (a seller may write first) or the private
/// invoice's buyer.
///
/// Props: `invoice`, of which only the id, the owner, the buyer and the creation time are
/// read. Shown once I am known (the conversations are mine).
#[component]
pub fn InvoiceChat(invoice: pb::Invoice) -> impl IntoView {
    let live = use_live();
    let known = Memo::new(move |_| live.me.with(Option::is_some));
    move || known.get().then(|| view! { <Chat invoice=invoice.clone() /> })
}

#[component]
fn Chat(invoice: pb::Invoice) -> impl IntoView {
    let app = use_app();
    let tc = use_chat_texts();
    let ta = use_act_texts();
    let live = use_live();
    let id = invoice.id;
    let created = invoice.created_at;
    let owner = invoice.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
    let selling = live.me.get_untracked().as_deref() == Some(owner.as_str());
    let target = match &invoice.nullable_target_user {
        Some(pb::invoice::NullableTargetUser::TargetUser(u)) => Some(u.clone()),
        _ => None,
    };
    // This invoice's conversations, into the live list.
    let read = tasks::resource(move || {
        let settings = app.settings.get();
        async move { live.refresh_invoice(&settings, id).await }
    });
    let failure = move || read.get().and_then(Result::err);
    // A payment of this invoice arriving (live) may bring a new buyer.
    let paid = Memo::new(move |before: Option<&u64>| {
        let now = live.last_event.with(|e| match e.as_ref().and_then(|e| e.payload.as_ref()) {
            Some(pb::event::Payload::Payment(p)) if p.invoice.as_ref().is_some_and(|i| i.id == id) => Some(p.id),
            _ => None,
        });
        now.or(before.copied()).unwrap_or(0)
    });
    // Who bought it: its seller may write to them first (a private invoice has its buyer).
    let public = target.is_none();
    let bought = tasks::resource(move || {
        paid.track();
        let settings = app.settings.get();
        async move { if selling && public { buyers(&settings, id, created).await } else { Vec::new() } }
    });
    // The buyers who wrote about this invoice (live), the private invoice's buyer, and those
    // who bought it (marked so).
    let owner2 = owner.clone();
    let buyers = Memo::new(move |_| {
        let mut out: Vec<(pb::UserInfo, bool)> = live.conversations.with(|l| {
            l.iter()
                .filter(|c| matches!(&c.parent, Some(Parent::Invoice(i)) if i.id == id))
                .filter_map(|c| c.buyer.clone().map(|b| (b, false)))
                .collect()
        });
        let more = target.clone().map(|u| (u, false)).into_iter();
        let more = more.chain(bought.get().unwrap_or_default().into_iter().map(|u| (u, true)));
        for (u, from_payment) in more {
            if u.id != owner2 && !out.iter().any(|(b, _)| b.id == u.id) {
                out.push((u, from_payment));
            }
        }
        out
    });
    let picked = RwSignal::new(None::<String>);
    let chosen = move || picked.get().or_else(|| buyers.with(|b| b.first().map(|(u, _)| u.id.clone())));
    move || {
        let me = live.me.get()?;
        let seller = me == owner;
        Some(view! {
            <section class="invoice-chat" aria-labelledby="invoice-chat-title">
                <h2 id="invoice-chat-title">{move || if seller { tc.get().conversations } else { tc.get().chat_with_seller }}</h2>
                {move || failure().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| read.refetch()) /> })}
                {if seller {
                    view! {
                        {move || if buyers.with(|b| b.is_empty()) {
                            view! { <p class="muted">{tr_chat(|t| t.no_buyers)}</p> }.into_any()
                        } else {
                            view! {
                                <div class="field narrow-field">
                                    <label for="chat-buyer">{tr_chat(|t| t.pick_buyer)}</label>
                                    <select id="chat-buyer" on:change=move |ev| picked.set(Some(event_target_value(&ev)))>
                                        {move || buyers.get().into_iter().map(|(u, from_payment)| {
                                            let selected = chosen().as_deref() == Some(u.id.as_str());
                                            let c = live.find(&Thread::Invoice { invoice_id: id, buyer_id: u.id.clone() });
                                            let unread = c.as_ref().map(|c| live.unread(c)).unwrap_or(0);
                                            let label = match (unread, from_payment && c.is_none()) {
                                                (0, false) => u.username.clone(),
                                                (0, true) => format!("{} ({})", u.username, ta.get().bought),
                                                (n, _) => format!("{} ({n})", u.username),
                                            };
                                            view! { <option value=u.id.clone() selected=selected>{label}</option> }
                                        }).collect_view()}
                                    </select>
                                </div>
                            }.into_any()
                        }}
                        {move || chosen().map(|buyer| view! { <ThreadView thread=Thread::Invoice { invoice_id: id, buyer_id: buyer } /> })}
                    }.into_any()
                } else {
                    view! { <ThreadView thread=Thread::Invoice { invoice_id: id, buyer_id: me.clone() } /> }.into_any()
                }}
            </section>
        })
    }
}
