//! One conversation's messages (kept live) and a composer, with a visible
//! sending / failed / retry state per message sent. The newest page of messages comes
//! first; older pages are read on request ("Show older messages", or scrolling to the top),
//! keeping what was on screen in place.

use crate::api::{ApiError, chat};
use crate::components::{ErrorView, Rows, composer::Composer, error_view::error_detail, thumbs::Thumbs};
use crate::format;
use crate::i18n::chat::tr as tr_chat;
use crate::i18n::tr;
use crate::i18n::{chat::use_texts as use_chat_texts, use_texts};
use crate::state::{use_app, use_live};
use crate::tasks;
use crate::tasks::StoredValue;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use schet_api::pb;
use schet_model::conversations::{Thread, last_id, oldest_id};

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
                    live.upsert(c, schet_model::conversations::Arrived::Newest);
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
    tasks::effect(move |_| {
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
    // Older messages: read on request ("Show older messages", which stays the way when the
    // first page does not fill the view), or on scrolling to the top.
    let older = tasks::action(move |c: &pb::Conversation| {
        let (settings, c) = (app.settings.get_untracked(), c.clone());
        async move { live.read_older(&settings, &c).await }
    });
    let list = NodeRef::<leptos::html::Ol>::new();
    // How far from the bottom the view was when older messages were asked for: kept there.
    let anchor = StoredValue::new(None::<i32>);
    // Whether the newest message is in view: a new one then stays in view.
    let at_bottom = StoredValue::new(true);
    let has_older = Memo::new(move |_| conv.with(|c| c.as_ref().is_some_and(|c| c.has_older_messages)));
    let failed_older = move || older.value().and_then(Result::err);
    let read_older = move || {
        if older.pending() || !has_older.get_untracked() {
            return;
        }
        if let (Some(c), Some(el)) = (conv.get_untracked(), list.get_untracked()) {
            anchor.set_value(Some(el.scroll_height() - el.scroll_top()));
            older.dispatch(c);
        }
    };
    let on_scroll = move |_| {
        if let Some(el) = list.get_untracked() {
            at_bottom.set_value(el.scroll_height() - el.scroll_top() - el.client_height() < 48);
            if el.scroll_top() < 24 && failed_older().is_none() {
                read_older();
            }
        }
    };
    let span = Memo::new(move |_| conv.with(|c| c.as_ref().map_or((0, 0), |c| (oldest_id(c), last_id(c)))));
    tasks::effect(move |before: Option<((u64, u64), usize)>| {
        let now = (span.get(), outbox.with(Vec::len));
        let Some(el) = list.get() else { return now };
        match before {
            // Older messages above: what was on screen stays where it was.
            Some(((oldest, _), _)) if oldest != now.0.0 && anchor.get_value().is_some() => {
                if let Some(from_bottom) = anchor.get_value() {
                    el.set_scroll_top(el.scroll_height() - from_bottom);
                }
                anchor.set_value(None);
            }
            // A message of mine on its way, or a new one while the newest was in view.
            Some((span, sending)) if now.1 > sending || (span.1 != now.0.1 && at_bottom.get_value()) => {
                el.set_scroll_top(el.scroll_height());
            }
            Some(_) => {}
            None => el.set_scroll_top(el.scroll_height()),
        }
        now
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
            <ol class="messages" node_ref=list aria-live="polite" aria-label=tr_chat(|t| t.messages) on:scroll=on_scroll>
                {move || has_older.get().then(|| view! {
                    <li class="older">
                        <button type="button" class="button small-button show-older" disabled=move || older.pending()
                            aria-busy=move || older.pending().to_string() on:click=move |_| read_older()>
                            {move || if older.pending() { tc.get().loading_older } else { tc.get().show_older }}
                        </button>
                    </li>
                })}
                {move || failed_older().map(|e| view! {
                    <li class="older"><ErrorView error=e on_retry=Callback::new(move |()| read_older()) /></li>
                })}
                {move || (messages().is_empty() && outbox.with(|o| o.is_empty())).then(|| view! {
                    <li class="muted empty">{tr_chat(|t| t.no_messages)}</li>
                })}
                <Rows each=messages key=|m| m.id let:m>
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
                </Rows>
                <Rows each=move || outbox.get() key=|p| (p.key, p.failed.is_some()) let:p>
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
                </Rows>
            </ol>
            <Composer thread=thread me=me on_send=on_send />
        </div>
    }
    .into_any()
}
