//! The chat section of an invoice page.

use crate::components::{ErrorView, thread::ThreadView};
use crate::i18n::chat::tr as tr_chat;
use crate::i18n::chat::use_texts as use_chat_texts;
use crate::state::{use_app, use_live};
use crate::tasks;
use leptos::prelude::*;
use schet_api::pb::{self, conversation::Parent};
use schet_model::conversations::Thread;

/// The chat section of an invoice page: the buyer writes to the seller; the seller picks a
/// buyer among those who wrote (or the private invoice's buyer).
///
/// Props: `invoice`, of which only the id, the owner and the buyer are read. Shown once I am
/// known (the conversations are mine).
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
    let live = use_live();
    let id = invoice.id;
    let owner = invoice.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
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
    // The buyers who wrote about this invoice (live), and the private invoice's buyer.
    let owner2 = owner.clone();
    let buyers = Memo::new(move |_| {
        let mut out: Vec<pb::UserInfo> = live.conversations.with(|l| {
            l.iter()
                .filter(|c| matches!(&c.parent, Some(Parent::Invoice(i)) if i.id == id))
                .filter_map(|c| c.buyer.clone())
                .collect()
        });
        if let Some(u) = target.clone().filter(|u| u.id != owner2 && !out.iter().any(|b| b.id == u.id)) {
            out.push(u);
        }
        out
    });
    let picked = RwSignal::new(None::<String>);
    let chosen = move || picked.get().or_else(|| buyers.with(|b| b.first().map(|u| u.id.clone())));
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
                                        {move || buyers.get().into_iter().map(|u| {
                                            let selected = chosen().as_deref() == Some(u.id.as_str());
                                            let c = live.find(&Thread::Invoice { invoice_id: id, buyer_id: u.id.clone() });
                                            let unread = c.map(|c| live.unread(&c)).unwrap_or(0);
                                            let label = if unread > 0 { format!("{} ({unread})", u.username) } else { u.username.clone() };
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
