//! Notifications (`/events`): what the live events told me (invoices made out to me,
//! payments, deletions, refunds, new messages), newest first, each new until opened or
//! "Mark all read"; unread messages the events did not bring (they came while I was away)
//! are counted at the top. Also where the browser's own notifications are turned on.

use crate::components::Rows;
use crate::components::link_state::LinkState;
use crate::components::payment_chat;
use crate::format;
use crate::i18n::activity::{ActivityTexts, tr as tr_act, use_texts as use_act_texts};
use crate::i18n::{Texts, use_texts};
use crate::state::notify::{self, Permission};
use crate::state::{Live, use_live};
use crate::tasks::StoredValue;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use schet_model::events::{Kind, Note};

/// A message's note is new while the message is unread in its conversation.
fn is_new(live: &Live, n: &Note) -> bool {
    if n.read {
        return false;
    }
    if n.kind() != Kind::Message {
        return true;
    }
    let seen = live.seen.with(|s| s.get(&n.conversation_id).copied().unwrap_or(0));
    n.message_id > seen
}

/// The text of a message's note, when its conversation is loaded.
fn message_text(live: &Live, n: &Note) -> Option<String> {
    let c = live.by_id(n.conversation_id)?;
    let m = c.messages.iter().find(|m| m.id == n.message_id)?;
    Some(format::first_line(&m.text, 140))
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let live = use_live();
    let notes = Memo::new(move |_| live.activity.log.with(|l| l.notes.clone()));
    let unread = Memo::new(move |_| live.unread_all());
    let messages_unread = Memo::new(move |_| live.unread_total());
    view! {
        <section class="page events" aria-busy=move || (!(live.loaded.get() && live.activity.caught_up.get())).to_string()>
            <div class="row spread">
                <h1>{tr_act(|t| t.events_title)}</h1>
                <div class="row">
                    <LinkState />
                    <button type="button" class="button" disabled=move || unread.get() == 0
                        on:click=move |_| live.mark_all_read()>{tr_act(|t| t.mark_all_read)}</button>
                </div>
            </div>
            <NotifyOffer />
            {move || (messages_unread.get() > 0).then(|| view! {
                <p class="notice unread-messages">
                    <span>{tr_act(|t| t.unread_messages)}": "<strong>{messages_unread.get()}</strong></span>
                    <a class="button" href="/inbox">{tr_act(|t| t.open_inbox)}</a>
                </p>
            })}
            {move || notes.with(Vec::is_empty).then(|| view! { <p class="empty muted">{tr_act(|t| t.events_empty)}</p> })}
            <ul class="event-list" aria-live="polite">
                <Rows each=move || notes.get() key=|n| (n.id, n.read) let:note>
                    <EventRow note=note />
                </Rows>
            </ul>
        </section>
    }
}

/// One note: what happened, about what, who, how much, when; new until opened.
#[component]
fn EventRow(note: Note) -> impl IntoView {
    let live = use_live();
    let t = use_texts();
    let ta = use_act_texts();
    let n = StoredValue::new(note);
    let new = Memo::new(move |_| n.with_value(|n| is_new(&live, n)));
    let id = n.with_value(|n| n.id);
    let open = move |_| live.activity.mark_read(id);
    let when = move || {
        let at = n.with_value(|n| n.at);
        let ts = prost_types::Timestamp { seconds: at, nanos: 0 };
        format::datetime((at > 0).then_some(&ts), t.get())
    };
    let headline = move || ta.get().headline(n.with_value(Note::kind));
    let text = move || n.with_value(|n| message_text(&live, n));
    view! {
        <li class="event" class:new=move || new.get()>
            <div class="event-head">
                {move || new.get().then(|| view! { <span class="new-mark">{tr_act(|t| t.new_mark)}</span> })}
                <a class="event-title" href=n.with_value(Note::link) on:click=open>{headline}</a>
                <time class="muted small">{when}</time>
            </div>
            <p class="event-about">{move || n.with_value(|n| about(n, t.get(), ta.get()))}</p>
            {move || text().map(|s| view! { <p class="event-text">{s}</p> })}
        </li>
    }
}

/// What the note is about, as links and words: the payment, the invoice, who, how much.
fn about(n: &Note, t: &'static Texts, ta: &'static ActivityTexts) -> AnyView {
    let payment = (n.payment_id != 0 && n.kind() != Kind::RefundToPay).then(|| {
        let href = if n.kind() == Kind::Message { payment_chat::href(n.payment_id) } else { n.link() };
        view! { <a href=href>{format!("{} #{}", ta.payment, n.payment_id)}</a> }
    });
    let invoice = (n.invoice_id != 0).then(
        || view! { <a href=format!("/invoice/{}", n.invoice_id)>{format!("{} #{}", t.invoice, n.invoice_id)}</a> },
    );
    let mut rest = Vec::new();
    if !n.who.is_empty() {
        rest.push(n.who.clone());
    }
    if !n.amount.is_empty() {
        rest.push(format::btc_text(&n.amount));
    }
    if n.pieces > 0 {
        let what = if n.kind() == Kind::RefundRequested { format!(" {}", ta.in_refund) } else { String::new() };
        rest.push(format!("{} {}{what}", n.pieces, ta.pieces_short));
    }
    view! {
        {payment}
        {invoice}
        {rest.into_iter().map(|s| view! { <span>{s}</span> }).collect_view()}
    }
    .into_any()
}

/// Offers the browser's own notifications (asked at the click, once the browser has an
/// answer it is not offered again), or says they are on or blocked.
#[component]
fn NotifyOffer() -> impl IntoView {
    let state = RwSignal::new(notify::permission());
    let ask = move |_| {
        leptos::task::spawn_local(async move {
            state.set(notify::ask().await);
        });
    };
    move || match state.get() {
        Permission::Unsupported => ().into_any(),
        Permission::Ask => view! {
            <div class="notice notify-offer">
                <span>{tr_act(|t| t.notify_offer)}</span>
                <button type="button" class="button" on:click=ask>{tr_act(|t| t.notify_turn_on)}</button>
            </div>
        }
        .into_any(),
        Permission::Granted => view! { <p class="muted small">{tr_act(|t| t.notify_on)}</p> }.into_any(),
        Permission::Denied => view! { <p class="muted small">{tr_act(|t| t.notify_blocked)}</p> }.into_any(),
    }
}
