//! Chat: the inbox (`/inbox`), one conversation (`/inbox/:conversation`), and the chat
//! section of an invoice page. Conversations come from [`Live`] (read once, then kept up to
//! date by the event stream); messages are sent with a visible sending/failed/retry state.

use crate::api::ApiError;
use crate::api::chat::{self, Thread};
use crate::api::events::{Link, use_live};
use crate::components::{ErrorView, composer::Composer, thumbs::Thumbs};
use crate::format;
use crate::settings::{use_app, use_texts};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use schet_api::pb::{self, conversation::Parent};

/// What a conversation is about, for people: "Invoice #12" / "Payment #7".
fn subject(c: &pb::Conversation, t: &crate::i18n::Texts) -> (String, Option<String>) {
    match &c.parent {
        Some(Parent::Invoice(i)) => (format!("{} #{}", t.invoice, i.id), Some(format!("/invoice/{}", i.id))),
        Some(Parent::Payment(p)) => {
            let invoice = p.invoice.as_ref().map(|i| format!(" ({} #{})", t.invoice, i.id)).unwrap_or_default();
            (format!("{} #{}{invoice}", t.chat.payment, p.id), p.invoice.as_ref().map(|i| format!("/invoice/{}", i.id)))
        }
        None => (format!("#{}", c.id), None),
    }
}

fn link_text(link: Link, t: &crate::i18n::Texts) -> String {
    match link {
        Link::Off => t.chat.link_off.to_string(),
        Link::Connecting => t.chat.link_connecting.to_string(),
        Link::Live => t.chat.link_live.to_string(),
        Link::Down(s) => format!("{} {s} s", t.chat.link_down),
    }
}

/// The `/inbox` route: my conversations, latest first, with unread counts.
#[component]
pub fn InboxPage() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let live = use_live();
    let failure = RwSignal::new(None::<ApiError>);
    let refresh = move || {
        let settings = app.settings.get_untracked();
        leptos::task::spawn_local(async move {
            failure.set(live.refresh(&settings).await.err());
        });
    };
    // Once I am known (the live state resets when the user changes).
    Effect::new(move |_| {
        if live.me.with(|m| m.is_some()) {
            refresh();
        }
    });
    let me = move || live.me.get().unwrap_or_default();
    view! {
        <section class="page inbox" aria-busy=move || (!live.loaded.get() && failure.get().is_none()).to_string()>
            <div class="row spread">
                <h1>{move || t.get().chat.inbox_title}</h1>
                <div class="row">
                    <span class="link-state muted small" role="status">{move || link_text(live.link.get(), t.get())}</span>
                    <button type="button" class="button" on:click=move |_| refresh()>{move || t.get().refresh}</button>
                </div>
            </div>
            {move || failure.get().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| refresh()) /> })}
            {move || {
                if !live.loaded.get() {
                    return (failure.with(|f| f.is_none())).then(|| view! { <div class="skeleton" aria-label=move || t.get().loading></div> }).into_any();
                }
                let list = live.conversations.get();
                if list.is_empty() {
                    return view! { <p class="empty muted">{move || t.get().chat.inbox_empty}</p> }.into_any();
                }
                view! {
                    <ul class="conv-list">
                        {list.into_iter().map(|c| {
                            let me = me();
                            let t = t.get();
                            let other = chat::other_party(&c, &me).map(|u| u.username.clone()).unwrap_or_default();
                            let (title, _) = subject(&c, t);
                            let last = c.messages.last().cloned().unwrap_or_default();
                            let preview = {
                                let who = if last.owner_id == me { format!("{}: ", t.chat.you) } else { String::new() };
                                let body = if last.text.is_empty() && !last.images.is_empty() {
                                    t.chat.image_only.to_string()
                                } else {
                                    let mut s: String = last.text.chars().take(140).collect();
                                    if last.text.chars().count() > 140 { s.push('…'); }
                                    s
                                };
                                format!("{who}{body}")
                            };
                            let when = format::datetime(last.created_at.as_ref(), t);
                            let c2 = c.clone();
                            let unread = Signal::derive(move || live.unread(&c2));
                            view! {
                                <li>
                                    <a class="conv-item" class:has-unread=move || { unread.get() > 0 } href=format!("/inbox/{}", c.id)>
                                        <span class="conv-head">
                                            <strong class="conv-title">{title}</strong>
                                            <span class="conv-with">{other}</span>
                                            {move || (unread.get() > 0).then(|| view! {
                                                <span class="unread-badge" aria-label=move || format!("{} {}", unread.get(), t.chat.unread)>{unread.get()}</span>
                                            })}
                                        </span>
                                        <span class="conv-last">{preview}</span>
                                        <time class="muted small">{when}</time>
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The `/inbox/:conversation` route.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let t = use_texts();
    move || match params.with(|p| p.get("conversation")).and_then(|s| s.parse::<u64>().ok()).filter(|n| *n > 0) {
        Some(id) => view! { <ConversationView id=id /> }.into_any(),
        None => view! { <p class="page">{move || t.get().chat.conversation_missing}</p> }.into_any(),
    }
}

/// Conversation `id` (one of mine), read from the service if not known yet. Others' are
/// "not found": the service only ever lists the caller's own.
#[component]
pub fn ConversationView(id: u64) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let live = use_live();
    let checked = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    let check = move || {
        let settings = app.settings.get_untracked();
        leptos::task::spawn_local(async move {
            let result = live.refresh(&settings).await;
            failure.set(result.err());
            checked.set(true);
        });
    };
    Effect::new(move |_| {
        if live.me.with(|m| m.is_some()) {
            check();
        }
    });
    let conv = Memo::new(move |_| live.by_id(id));
    let thread = Memo::new(move |_| conv.with(|c| c.as_ref().and_then(Thread::of)));
    let state = Memo::new(move |_| (thread.get(), checked.get() && live.me.with(|m| m.is_some()), failure.get()));
    view! {
        <section class="page conversation">
            <p><a href="/inbox">{move || t.get().chat.back_to_inbox}</a></p>
            {move || match state.get() {
                (Some(thread), true, _) => {
                    let c = conv.get_untracked().unwrap_or_default();
                    let me = live.me.get_untracked().unwrap_or_default();
                    let other = chat::other_party(&c, &me).map(|u| u.username.clone()).unwrap_or_default();
                    let (title, href) = subject(&c, t.get_untracked());
                    view! {
                        <div class="row spread">
                            <h1>{match href {
                                Some(h) => view! { <a href=h>{title}</a> }.into_any(),
                                None => view! { <span>{title}</span> }.into_any(),
                            }}</h1>
                            <span class="muted">{move || t.get().chat.with}" "<strong>{other}</strong></span>
                        </div>
                        <ThreadView thread=thread />
                    }.into_any()
                }
                (_, _, Some(e)) => view! { <ErrorView error=e on_retry=Callback::new(move |()| check()) /> }.into_any(),
                (None, true, None) => view! {
                    <div class="error-banner" role="alert">
                        <strong class="error-headline">{move || t.get().chat.conversation_missing}</strong>
                        <p class="error-detail">{move || t.get().chat.conversation_missing_detail}</p>
                    </div>
                }.into_any(),
                (_, false, None) => view! { <div class="skeleton" aria-label=move || t.get().loading></div> }.into_any(),
            }}
        </section>
    }
}

#[derive(Clone, PartialEq)]
struct Pending {
    key: u32,
    text: String,
    images: Vec<String>,
    failed: Option<String>,
}

/// The messages of `thread` (kept live) and a composer. The conversation need not exist yet:
/// the first message creates it.
#[component]
pub fn ThreadView(thread: Thread) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let live = use_live();
    let Some(me) = live.me.get_untracked() else {
        return view! { <ErrorView error=ApiError::NoToken /> }.into_any();
    };
    let th = StoredValue::new(thread.clone());
    let conv = Memo::new(move |_| th.with_value(|th| live.find(th)));
    let outbox = RwSignal::new(Vec::<Pending>::new());
    let next = StoredValue::new(0u32);
    let me2 = StoredValue::new(me.clone());
    let deliver = move |key: u32| {
        let Some(p) = outbox.with_untracked(|o| o.iter().find(|p| p.key == key).cloned()) else { return };
        outbox.update(|o| o.iter_mut().filter(|p| p.key == key).for_each(|p| p.failed = None));
        let settings = app.settings.get_untracked();
        let (thread, me) = (th.get_value(), me2.get_value());
        leptos::task::spawn_local(async move {
            match chat::send(&settings, &thread, &me, p.text, p.images).await {
                Ok(c) => {
                    live.upsert(c);
                    outbox.update(|o| o.retain(|p| p.key != key));
                }
                Err(e) => outbox.update(|o| {
                    o.iter_mut().filter(|p| p.key == key).for_each(|p| p.failed = Some(e.detail()));
                }),
            }
        });
    };
    let on_send = Callback::new(move |(text, images): (String, Vec<String>)| {
        let key = next.get_value();
        next.set_value(key + 1);
        outbox.update(|o| o.push(Pending { key, text, images, failed: None }));
        deliver(key);
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
            return t.get_untracked().chat.you.to_string();
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
            <ol class="messages" node_ref=list aria-live="polite" aria-label=move || t.get().chat.messages>
                {move || (messages().is_empty() && outbox.with(|o| o.is_empty())).then(|| view! {
                    <li class="muted empty">{move || t.get().chat.no_messages}</li>
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
                <For each=move || outbox.get() key=|p| (p.key, p.failed.clone()) let:p>
                    {
                        let key = p.key;
                        let failed = p.failed.clone();
                        view! {
                            <li class="msg mine pending" class:failed=failed.is_some()>
                                <div class="msg-meta">
                                    <strong class="msg-author">{move || t.get().chat.you}</strong>
                                    <span class="msg-state small" role="status">
                                        {match failed.clone() {
                                            Some(e) => format!("{}: {e}", t.get_untracked().chat.not_sent),
                                            None => t.get_untracked().chat.sending.to_string(),
                                        }}
                                    </span>
                                </div>
                                {(!p.text.is_empty()).then(|| view! { <p class="msg-text">{p.text.clone()}</p> })}
                                {(!p.images.is_empty()).then(|| view! { <p class="muted small">{p.images.len()}" "{move || t.get().chat.images_attached}</p> })}
                                {failed.is_some().then(|| view! {
                                    <div class="row">
                                        <button type="button" class="button small-button msg-retry" on:click=move |_| deliver(key)>{move || t.get().retry}</button>
                                        <button type="button" class="button small-button" on:click=move |_| outbox.update(|o| o.retain(|x| x.key != key))>
                                            {move || t.get().chat.discard}
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

/// The chat section of an invoice page: the buyer writes to the seller; the seller picks a
/// buyer among those who wrote (or the private invoice's buyer).
#[component]
pub fn InvoiceChat(invoice: pb::Invoice) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let live = use_live();
    let id = invoice.id;
    let owner = invoice.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
    let target = match &invoice.nullable_target_user {
        Some(pb::invoice::NullableTargetUser::TargetUser(u)) => Some(u.clone()),
        _ => None,
    };
    let failure = RwSignal::new(None::<ApiError>);
    let load = move || {
        let settings = app.settings.get_untracked();
        leptos::task::spawn_local(async move {
            match chat::of_invoice(&settings, id).await {
                Ok(list) => {
                    failure.set(None);
                    list.into_iter().for_each(|c| live.upsert(c));
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        if live.me.with(|m| m.is_some()) {
            load();
        }
    });
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
                <h2 id="invoice-chat-title">{move || if seller { t.get().chat.conversations } else { t.get().chat.chat_with_seller }}</h2>
                {move || failure.get().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| load()) /> })}
                {if seller {
                    view! {
                        {move || if buyers.with(|b| b.is_empty()) {
                            view! { <p class="muted">{move || t.get().chat.no_buyers}</p> }.into_any()
                        } else {
                            view! {
                                <div class="field narrow-field">
                                    <label for="chat-buyer">{move || t.get().chat.pick_buyer}</label>
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

/// What the invoice page adds for chat and secrets: the owner's way to the secrets manager,
/// and the invoice's conversation(s). Loads the invoice once (the page's own view refreshes
/// every 20 s; this keeps its composer and choice of buyer meanwhile).
#[component]
pub fn InvoiceExtras(id: u64) -> impl IntoView {
    let app = use_app();
    let invoice = LocalResource::new(move || {
        let settings = app.settings.get();
        async move { crate::api::invoices::get_by_id(&settings, id).await.ok() }
    });
    move || {
        invoice.get().flatten().map(|inv| {
            Suspend::new(async move {
                #[cfg(feature = "split")]
                return extras(inv).await;
                #[cfg(not(feature = "split"))]
                return extras(inv);
            })
        })
    }
}

/// In the split release build this code is its own module, fetched once the invoice is on
/// screen: the shared link's first view does without chat and secrets.
#[cfg_attr(feature = "split", leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split))]
fn extras(inv: pb::Invoice) -> AnyView {
    view! {
        <crate::views::secrets::SecretsLink invoice=inv.clone() />
        <InvoiceChat invoice=inv />
    }
    .into_any()
}
