//! One payment (`/payment/:id`), for its buyer and its seller: every field of it, its refund
//! invoices and their state, the goods bought (secrets with their images and URLs) with a
//! warning when fewer secrets came than pieces were paid for, refunds and cancelling as the
//! service allows them, and the conversation about it. Kept current: what a change answers
//! replaces what is shown, and a live event about payments reads it again.

mod actions;
mod goods;

use crate::api::{self, ApiError};
use crate::components::ErrorView;
use crate::components::payment_card::status_text;
use crate::components::thread::ThreadView;
use crate::format;
use crate::i18n::invoices::use_texts as use_inv_texts;
use crate::i18n::payments::{PaymentTexts, tr as tr_pay, use_texts as use_pay_texts};
use crate::i18n::{Texts, tr, use_texts};
use crate::nav;
use crate::state::{use_app, use_live, use_profile};
use crate::tasks;
use crate::tasks::StoredValue;
use crate::tasks::{Memo, RwSignal};
use actions::{Actions, Refunds};
use goods::Goods;
use leptos::prelude::*;
use schet_api::pb;
use schet_model::conversations::{Arrived, Thread};
use schet_model::payment::role;

/// The `/payment/:id` route.
#[component]
pub fn PaymentPage() -> impl IntoView {
    let id = nav::path_number();
    move || match id.get() {
        Some(id) => view! { <PaymentView id=id /> }.into_any(),
        None => view! { <p class="page">{tr(|t| t.invoice_id_rule)}</p> }.into_any(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    Payment,
    /// Not there, or not mine: the same either way.
    Missing,
    Failed(ApiError),
}

/// Loads payment `id` and shows it. Props: `id`.
#[component]
pub fn PaymentView(id: u64) -> impl IntoView {
    let app = use_app();
    let live = use_live();
    let profile = use_profile();
    let read = tasks::resource(move || {
        let settings = app.settings.get();
        async move { api::payments::get(&settings, id).await }
    });
    // What is shown: the last read, or what a change answered since.
    let latest = RwSignal::new(None::<pb::InvoicePayment>);
    tasks::effect(move |_| {
        if let Some(Ok(p)) = read.get() {
            latest.set(Some(p));
        }
    });
    let reload = Callback::new(move |()| read.refetch());
    let update = Callback::new(move |p: pb::InvoicePayment| latest.set(Some(p)));
    // Money moved (a refund paid, a payment cancelled): read the payment and my balance again.
    let moved = Callback::new(move |()| {
        read.refetch();
        profile.refresh();
    });
    // A payment or invoice event may be this payment, one of its refunds, or its invoice.
    tasks::effect(move |seen: Option<()>| {
        let relevant = live.last_event.with(|e| {
            matches!(
                e.as_ref().and_then(|e| e.payload.as_ref()),
                Some(pb::event::Payload::Payment(_) | pb::event::Payload::Invoice(_))
            )
        });
        if seen.is_some() && relevant {
            read.refetch();
        }
    });
    let payment = Memo::new(move |_| latest.get());
    let shown = Memo::new(move |_| {
        if payment.with(Option::is_some) {
            return Shown::Payment;
        }
        read.with(|r| match r {
            None => Shown::Loading,
            // Shown once it is what is shown (set from the read right after).
            Some(Ok(_)) => Shown::Loading,
            Some(Err(ApiError::NotFound(_))) => Shown::Missing,
            Some(Err(e)) => Shown::Failed(e.clone()),
        })
    });
    let tp = use_pay_texts();
    let me = Memo::new(move |_| profile.user_id().unwrap_or_default());
    let my_role = Memo::new(move |_| payment.with(|p| p.as_ref().and_then(|p| role(p, &me.get()))));
    view! {
        <section class="page payment-page" aria-busy=move || (shown.get() == Shown::Loading).to_string()>
            <div class="row spread">
                <h1>{tr_pay(|t| t.payment)}" #"{id}</h1>
                <button type="button" class="button" on:click=move |_| read.refetch()>{tr(|t| t.refresh)}</button>
            </div>
            {move || match shown.get() {
                Shown::Loading => view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }.into_any(),
                Shown::Missing => view! {
                    <p class="not-found">{move || tp.get().payment_missing.replace("{id}", &id.to_string())}</p>
                }.into_any(),
                Shown::Failed(e) => view! { <ErrorView error=e on_retry=reload /> }.into_any(),
                Shown::Payment => view! {
                    {move || payment.get().map(|p| view! { <Fields payment=p /> })}
                    <Actions payment=payment role=my_role update=update moved=moved />
                    <Refunds payment=payment role=my_role update=update moved=moved />
                    <Goods id=id payment=payment role=my_role />
                    <Conversation id=id />
                }.into_any(),
            }}
        </section>
    }
}

/// The first line of a comment, shortened: what the invoice was for.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 80 { format!("{}…", line.chars().take(80).collect::<String>()) } else { line.into() }
}

fn name(u: Option<&pb::UserInfo>) -> String {
    u.map(|u| u.username.clone()).unwrap_or_else(|| "—".into())
}

/// Every field of the payment. User text (names, the invoice's comment) as text only.
#[component]
fn Fields(payment: pb::InvoicePayment) -> impl IntoView {
    let t = use_texts();
    let ti = use_inv_texts();
    let tp = use_pay_texts();
    let status = payment.status;
    let badge = move || status_text(status, ti.get(), t.get());
    let invoice = payment.invoice.clone().unwrap_or_default();
    let refund_of = match invoice.nullable_refund {
        Some(pb::invoice::NullableRefund::RefundPaymentId(p)) if payment.is_refund => Some(p),
        _ => None,
    };
    let p = StoredValue::new(payment);
    let row = move |label: fn(&PaymentTexts) -> &'static str, value: String| {
        view! { <dt>{move || label(tp.get())}</dt><dd>{value}</dd> }
    };
    let number = |n: u32| n.to_string();
    let (pieces, refunding, refunded) = p.with_value(|p| (p.pieces, p.refunding, p.refunded));
    let created = p.with_value(|p| p.created_at);
    let common = |label: fn(&Texts) -> &'static str| move || label(t.get());
    view! {
        <div class="row payment-head">
            <span class=move || format!("badge badge-{}", badge().1)>{move || badge().0}</span>
            {refund_of.is_some().then(|| view! { <span class="chip">{tr_pay(|t| t.is_refund)}</span> })}
        </div>
        <dl class="fields compact payment-fields">
            <dt>{common(|t| t.invoice)}</dt>
            <dd>
                <a href=format!("/invoice/{}", invoice.id)>{format!("#{}", invoice.id)}</a>
                {(!invoice.comment.is_empty()).then(|| view! { " "<span class="muted">{first_line(&invoice.comment)}</span> })}
            </dd>
            {refund_of.map(|o| view! {
                <dt>{tr_pay(|t| t.refund_of)}</dt>
                <dd><a href=format!("/payment/{o}")>{format!("#{o}")}</a></dd>
            })}
            {row(|t| t.seller, name(invoice.owner.as_ref()))}
            {row(|t| t.buyer, p.with_value(|p| name(p.owner.as_ref())))}
            {row(|t| t.amount, p.with_value(|p| format::btc(p.crypto_amount.as_ref())))}
            {row(|t| t.pieces_label, number(pieces))}
            {row(|t| t.refunding, number(refunding))}
            {row(|t| t.refunded, number(refunded))}
            <dt>{tr_pay(|t| t.confirmation)}</dt>
            <dd class="mono">{p.with_value(|p| if p.confirmation.is_empty() { "—".to_string() } else { p.confirmation.clone() })}</dd>
            <dt>{common(|t| t.field_created)}</dt>
            <dd>{move || format::datetime(created.as_ref(), t.get())}</dd>
        </dl>
    }
}

/// The conversation about this payment (the first message starts it), read into the live
/// list so it stays current.
#[component]
fn Conversation(id: u64) -> impl IntoView {
    let app = use_app();
    let live = use_live();
    let read = tasks::resource(move || {
        let settings = app.settings.get();
        async move {
            let found = api::chat::of_payment(&settings, id).await?;
            found.into_iter().for_each(|c| live.upsert(c, Arrived::Newest));
            Ok::<(), ApiError>(())
        }
    });
    let known = Memo::new(move |_| live.me.with(Option::is_some));
    view! {
        <section class="payment-chat" id="payment-chat" aria-labelledby="payment-chat-title">
            <h2 id="payment-chat-title">{tr_pay(|t| t.conversation)}</h2>
            {move || read.get().and_then(Result::err).map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| read.refetch()) /> })}
            {move || known.get().then(|| view! { <ThreadView thread=Thread::Payment { payment_id: id } /> })}
        </section>
    }
}

/// Moves to the conversation's text box (from "Contact the seller").
pub(crate) fn go_to_conversation(id: u64) {
    use wasm_bindgen::JsCast;
    let document = web_sys::window().and_then(|w| w.document());
    let area =
        document.and_then(|d| d.get_element_by_id(&format!("msg-{}-text", Thread::Payment { payment_id: id }.key())));
    if let Some(area) = area.and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok()) {
        area.scroll_into_view();
        let _ = area.focus();
    }
}
