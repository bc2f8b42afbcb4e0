//! One conversation's messages (kept live) and a composer, with a visible
//! sending / failed / retry state per message sent.

use crate::api::{ApiError, chat};
use crate::components::{ErrorView, composer::Composer, error_view::error_detail, thumbs::Thumbs};
use crate::format;
use crate::i18n::chat::tr as tr_chat;
use crate::i18n::tr;
use crate::i18n::{chat::use_texts as use_chat_texts, use_texts};
use crate::state::{use_app, use_live};
use crate::tasks;
use leptos::prelude::*;
use schet_api::pb;
use schet_model::conversations::Thread;

/// A message on its way: sending, or failed (then offered again).
#[derive(Clone, PartialEq)]
struct Pending {
    key: u32,
    text: String,
    images: Vec<String>,
    failed: Option<ApiError>,
}

/// The messages of `thread` (kept live) and a composer. The conversation need not exist yet:
/// the first message creates it.
#[component]
pub fn ThreadView(thread: Thread) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let tc = use_chat_texts();
    let live = use_live();
    let Some(me) = live.me.get_untracked() else {
        return view! { <ErrorView error=ApiError::NoToken /> }.into_any();
    };
    let th = StoredValue::new(thread.clone());
    let conv = Memo::new(move |_| th.with_value(|th| live.find(th)));
    let outbox = RwSignal::new(Vec::<Pending>::new());
    let next = StoredValue::new(0u32);
    let me2 = StoredValue::new(me.clone());
    // Sends (or sends again) outbox message `key`. Several may be on their way at once, so
    // each keeps its own state in the outbox.
    let deliver = tasks::action(move |key: &u32| {
        let key = *key;
        let pending = outbox.with_untracked(|o| o.iter().find(|p| p.key == key).cloned());
        outbox.update(|o| o.iter_mut().filter(|p| p.key == key).for_each(|p| p.failed = None));
        let settings = app.settings.get_untracked();
        let (thread, me) = (th.get_value(), me2.get_value());
        async move {
            let Some(p) = pending else { return };
            match chat::send(&settings, &thread, &me, p.text, p.images).await {
                Ok(c) => {
                    live.upsert(c);
                    outbox.update(|o| o.retain(|p| p.key != key));
                }
                Err(e) => outbox.update(|o| {
                    o.iter_mut().filter(|p| p.key == key).for_each(|p| p.failed = Some(e.clone()));
                }),
            }
        }
    });
    let on_send = Callback::new(move |(text, images): (String, Vec<String>)| {
        let key = next.get_value();
        next.set_value(key + 1);
        outbox.update(|o| o.push(Pending { key, text, images, failed: None }));
        deliver.dispatch(key);
    });
    // Read when shown: mark the messages seen while the page is visible.
    let visible = || web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden());
    Effect::new(move |_| {
        if let Some(c) = conv.get()
            && visible()
        {
            live.mark_seen(&c);
        }
    });
    let handle = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if visible()
            && let Some(c) = conv.get_untracked()
        {
            live.mark_seen(&c);
        }
    });
    on_cleanup(move || handle.remove());
    // Keep the newest message in view.
    let list = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        conv.track();
        outbox.track();
        if let Some(el) = list.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    let author = move |c: &Option<pb::Conversation>, owner: &str, me: &str| -> String {
        if owner == me {
            return tc.get_untracked().you.to_string();
        }
        c.as_ref()
            .and_then(|c| [c.seller.as_ref(), c.buyer.as_ref()].into_iter().flatten().find(|u| u.id == owner))
            .map(|u| u.username.clone())
            .unwrap_or_default()
    };
    let me3 = me.clone();
    let messages = move || conv.with(|c| c.as_ref().map(|c| c.messages.clone()).unwrap_or_default());
    view! {
        <div class="thread">
            <ol class="messages" node_ref=list aria-live="polite" aria-label=tr_chat(|t| t.messages)>
                {move || (messages().is_empty() && outbox.with(|o| o.is_empty())).then(|| view! {
                    <li class="muted empty">{tr_chat(|t| t.no_messages)}</li>
                })}
                <For each=messages key=|m| m.id let:m>
                    {
                        let mine = m.owner_id == me3;
                        let who = conv.with_untracked(|c| author(c, &m.owner_id, &me3));
                        view! {
                            <li class="msg" class:mine=mine data-id=m.id.to_string()>
                                <div class="msg-meta">
                                    <strong class="msg-author">{who}</strong>
                                    <time class="muted small">{move || format::datetime(m.created_at.as_ref(), t.get())}</time>
                                </div>
                                {(!m.text.is_empty()).then(|| view! { <p class="msg-text">{m.text.clone()}</p> })}
                                <Thumbs images=m.images.clone() />
                            </li>
                        }
                    }
                </For>
                <For each=move || outbox.get() key=|p| (p.key, p.failed.is_some()) let:p>
                    {
                        let key = p.key;
                        let failed = p.failed.clone();
                        view! {
                            <li class="msg mine pending" class:failed=failed.is_some()>
                                <div class="msg-meta">
                                    <strong class="msg-author">{tr_chat(|t| t.you)}</strong>
                                    <span class="msg-state small" role="status">
                                        {let failed = failed.clone(); move || match &failed {
                                            Some(e) => format!("{}: {}", tc.get().not_sent, error_detail(e, t.get())),
                                            None => tc.get().sending.to_string(),
                                        }}
                                    </span>
                                </div>
                                {(!p.text.is_empty()).then(|| view! { <p class="msg-text">{p.text.clone()}</p> })}
                                {(!p.images.is_empty()).then(|| view! { <p class="muted small">{p.images.len()}" "{tr_chat(|t| t.images_attached)}</p> })}
                                {failed.is_some().then(|| view! {
                                    <div class="row">
                                        <button type="button" class="button small-button msg-retry" on:click=move |_| { deliver.dispatch(key); }>{tr(|t| t.retry)}</button>
                                        <button type="button" class="button small-button" on:click=move |_| outbox.update(|o| o.retain(|x| x.key != key))>
                                            {tr_chat(|t| t.discard)}
                                        </button>
                                    </div>
                                })}
                            </li>
                        }
                    }
                </For>
            </ol>
            <Composer thread=thread me=me on_send=on_send />
        </div>
    }
    .into_any()
}
