//! Chat: the inbox (`/inbox`), one conversation (`/inbox/:conversation`) and a payment's
//! conversation (`/inbox/payment/:payment`, which the first message creates). Conversations
//! come from [`Live`](crate::state::Live) (read once, then kept up to date by the event
//! stream); a conversation's messages and composer are the `ThreadView` component, with a
//! summary of its invoice or payment beside it and the other party's track record.

use crate::api::ApiError;
use crate::api::payments;
use crate::components::link_state::LinkState;
use crate::components::subject::Subject;
use crate::components::{ErrorView, Person, thread::ThreadView};
use crate::format;
use crate::i18n::activity::{ActivityTexts, tr as tr_act, use_texts as use_act_texts};
use crate::i18n::chat::tr as tr_chat;
use crate::i18n::chat::{ChatTexts, use_texts as use_chat_texts};
use crate::i18n::invoices::{InvoiceTexts, use_texts as use_inv_texts};
use crate::i18n::tr;
use crate::i18n::{Texts, use_texts};
use crate::nav;
use crate::state::{use_app, use_live};
use crate::tasks::Memo;
use crate::tasks::Signal;
use crate::tasks::{self, Resource};
use leptos::prelude::*;
use schet_api::pb::{self, conversation::Parent};
use schet_model::conversations::{Thread, other_party};

/// What a conversation is about, for people: "Invoice #12" / "Payment #7".
fn subject(c: &pb::Conversation, t: &Texts, tc: &ChatTexts) -> (String, Option<String>) {
    match &c.parent {
        Some(Parent::Invoice(i)) => (format!("{} #{}", t.invoice, i.id), Some(format!("/invoice/{}", i.id))),
        Some(Parent::Payment(p)) => {
            let invoice = p.invoice.as_ref().map(|i| format!(" ({} #{})", t.invoice, i.id)).unwrap_or_default();
            (format!("{} #{}{invoice}", tc.payment, p.id), Some(format!("/payment/{}", p.id)))
        }
        None => (format!("#{}", c.id), None),
    }
}

/// Its invoice's or payment's state in one line, for the inbox: `Active · 0.01 BTC` /
/// `Paid · 0.03 BTC · 3 pcs`.
fn summary(c: &pb::Conversation, t: &Texts, ti: &InvoiceTexts, ta: &ActivityTexts) -> String {
    match &c.parent {
        Some(Parent::Invoice(i)) => format!("{} · {}", format::status(i.status, t).0, format::price(i)),
        Some(Parent::Payment(p)) => format!(
            "{} · {} · {} {}",
            crate::components::payment_card::status_text(p.status, ti, t).0,
            format::btc(p.crypto_amount.as_ref()),
            p.pieces,
            ta.pieces_short
        ),
        None => String::new(),
    }
}

/// Whether I am known yet (the live state has my id): the conversations are mine, so their
/// screens wait for it.
fn known() -> Memo<bool> {
    let live = use_live();
    Memo::new(move |_| live.me.with(Option::is_some))
}

fn skeleton() -> AnyView {
    view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }.into_any()
}

/// The `/inbox` route: my conversations, latest first, with unread counts.
#[component]
pub fn InboxPage() -> impl IntoView {
    let known = known();
    move || if known.get() { view! { <Inbox /> }.into_any() } else { skeleton() }
}

#[component]
fn Inbox() -> impl IntoView {
    let t = use_texts();
    let tc = use_chat_texts();
    let ti = use_inv_texts();
    let ta = use_act_texts();
    let live = use_live();
    let read = read_mine();
    let failure = move || read.get().and_then(Result::err);
    let me = move || live.me.get().unwrap_or_default();
    view! {
        <section class="page inbox" aria-busy=move || (!live.loaded.get() && failure().is_none()).to_string()>
            <div class="row spread">
                <h1>{tr_chat(|t| t.inbox_title)}</h1>
                <div class="row">
                    <LinkState />
                    <button type="button" class="button" on:click=move |_| read.refetch()>{tr(|t| t.refresh)}</button>
                </div>
            </div>
            {move || failure().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| read.refetch()) /> })}
            {move || {
                if !live.loaded.get() {
                    return failure().is_none().then(|| view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }).into_any();
                }
                let list = live.conversations.get();
                if list.is_empty() {
                    return view! { <p class="empty muted">{tr_chat(|t| t.inbox_empty)}</p> }.into_any();
                }
                view! {
                    <ul class="conv-list">
                        {list.iter().cloned().map(|c| {
                            let me = me();
                            let (t, tc) = (t.get(), tc.get());
                            let other = other_party(&c, &me).cloned().unwrap_or_default();
                            let (title, _) = subject(&c, t, tc);
                            let about = summary(&c, t, ti.get(), ta.get());
                            let last = c.messages.last().cloned().unwrap_or_default();
                            let preview = {
                                let who = if last.owner_id == me { format!("{}: ", tc.you) } else { String::new() };
                                let body = if last.text.is_empty() && !last.images.is_empty() {
                                    tc.image_only.to_string()
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
                                            <span class="conv-with"><Person user=other /></span>
                                            {move || (unread.get() > 0).then(|| view! {
                                                <span class="unread-badge" aria-label=move || format!("{} {}", unread.get(), t.unread)>{unread.get()}</span>
                                            })}
                                        </span>
                                        <span class="conv-about muted small">{about}</span>
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
    let id = nav::path_number();
    move || match id.get() {
        Some(id) => view! { <ConversationView id=id /> }.into_any(),
        None => view! { <p class="page">{tr_chat(|t| t.conversation_missing)}</p> }.into_any(),
    }
}

/// What the conversation page shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    Thread(Thread),
    Failed(ApiError),
    /// Read, and not among mine.
    Missing,
}

/// My conversations, read again into the live list.
fn read_mine() -> Resource<Result<(), ApiError>> {
    let app = use_app();
    let live = use_live();
    tasks::resource(move || {
        let settings = app.settings.get();
        async move { live.refresh(&settings).await }
    })
}

/// Conversation `id` (one of mine), read from the service if not known yet. Others' are
/// "not found": the service only ever lists the caller's own.
#[component]
pub fn ConversationView(id: u64) -> impl IntoView {
    let known = known();
    move || if known.get() { view! { <Conversation id=id /> }.into_any() } else { skeleton() }
}

#[component]
fn Conversation(id: u64) -> impl IntoView {
    let t = use_texts();
    let tc = use_chat_texts();
    let live = use_live();
    let read = read_mine();
    let conv = Memo::new(move |_| live.by_id(id));
    let thread = Memo::new(move |_| conv.with(|c| c.as_ref().and_then(Thread::of)));
    let parent = Memo::new(move |_| conv.with(|c| c.as_ref().and_then(|c| c.parent.clone())));
    let shown = Memo::new(move |_| match (thread.get(), read.get()) {
        (Some(thread), Some(_)) => Shown::Thread(thread),
        (None, Some(Err(e))) => Shown::Failed(e),
        (None, Some(Ok(()))) => Shown::Missing,
        (_, None) => Shown::Loading,
    });
    view! {
        <section class="page conversation">
            <p><a href="/inbox">{tr_chat(|t| t.back_to_inbox)}</a></p>
            {move || match shown.get() {
                Shown::Thread(thread) => {
                    let c = conv.get_untracked().unwrap_or_default();
                    let me = live.me.get_untracked().unwrap_or_default();
                    let other = other_party(&c, &me).cloned().unwrap_or_default();
                    let (title, href) = subject(&c, t.get_untracked(), tc.get_untracked());
                    let title = match href {
                        Some(h) => view! { <a href=h>{title}</a> }.into_any(),
                        None => view! { <span>{title}</span> }.into_any(),
                    };
                    view! { <Discussion title=title other=other thread=thread parent=parent.into() /> }.into_any()
                }
                Shown::Failed(e) => view! { <ErrorView error=e on_retry=Callback::new(move |()| read.refetch()) /> }.into_any(),
                Shown::Missing => view! {
                    <div class="error-banner" role="alert">
                        <strong class="error-headline">{tr_chat(|t| t.conversation_missing)}</strong>
                        <p class="error-detail">{tr_chat(|t| t.conversation_missing_detail)}</p>
                    </div>
                }.into_any(),
                Shown::Loading => view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }.into_any(),
            }}
        </section>
    }
}

/// A conversation laid out: its title, the other party with their track record, the
/// messages and composer, and what it is about beside them.
#[component]
fn Discussion(title: AnyView, other: pb::UserInfo, thread: Thread, parent: Signal<Option<Parent>>) -> impl IntoView {
    view! {
        <div class="row spread">
            <h1>{title}</h1>
            <span class="muted conv-party">{tr_chat(|t| t.with)}" "<Person user=other /></span>
        </div>
        <div class="conv-layout">
            <ThreadView thread=thread />
            {move || parent.get().map(|p| view! { <Subject parent=p /> })}
        </div>
    }
}

/// The `/inbox/payment/:payment` route: the conversation about one of my payments, which my
/// first message starts if there is none yet.
#[component]
pub fn PaymentChatPage() -> impl IntoView {
    let id = nav::path_number();
    let known = known();
    move || match (id.get(), known.get()) {
        (Some(id), true) => view! { <PaymentChat id=id /> }.into_any(),
        (Some(_), false) => skeleton(),
        (None, _) => view! { <p class="page">{tr_act(|t| t.payment_missing)}</p> }.into_any(),
    }
}

#[component]
fn PaymentChat(id: u64) -> impl IntoView {
    let app = use_app();
    let live = use_live();
    let ta = use_act_texts();
    // The payment (only its buyer and seller find it) and its conversation, if there is one.
    let payment = tasks::resource(move || {
        let settings = app.settings.get();
        async move {
            let found = payments::list(&settings, None, id, 0, 1).await?.into_iter().next();
            if found.is_some() {
                live.refresh_payment(&settings, id).await?;
            }
            Ok::<_, ApiError>(found)
        }
    });
    let retry = Callback::new(move |()| payment.refetch());
    view! {
        <section class="page conversation">
            <p><a href="/inbox">{tr_chat(|t| t.back_to_inbox)}</a></p>
            <Transition fallback=skeleton>
                {move || payment.get().map(|found| match found {
                    Ok(Some(p)) => {
                        let me = live.me.get_untracked().unwrap_or_default();
                        let buyer = p.owner.clone().unwrap_or_default();
                        let seller = p.invoice.as_ref().and_then(|i| i.owner.clone()).unwrap_or_default();
                        let other = if buyer.id == me { seller } else { buyer };
                        let title = view! { <span>{move || ta.get().payment_chat_title}" #"{id}</span> }.into_any();
                        let parent = Signal::stored(Some(Parent::Payment(p)));
                        view! { <Discussion title=title other=other thread=Thread::Payment { payment_id: id } parent=parent /> }.into_any()
                    }
                    Ok(None) => view! {
                        <div class="error-banner" role="alert"><strong class="error-headline">{tr_act(|t| t.payment_missing)}</strong></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e on_retry=retry /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
