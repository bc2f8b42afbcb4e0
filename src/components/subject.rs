//! What a conversation is about, beside it: its invoice (status, price, pieces, payments) or
//! its payment (status, amount, pieces, refunds), with links to them.

use crate::components::StatusBadge;
use crate::components::payment_card::status_text;
use crate::format;
use crate::i18n::activity::tr as tr_act;
use crate::i18n::invoices::use_texts as use_inv_texts;
use crate::i18n::{tr, use_texts};
use leptos::prelude::*;
use schet_api::pb::{self, conversation::Parent};

/// Props: `parent`, the conversation's invoice or payment as the service sent it.
#[component]
pub fn Subject(parent: Parent) -> impl IntoView {
    match parent {
        Parent::Invoice(i) => view! { <InvoiceSummary invoice=i /> }.into_any(),
        Parent::Payment(p) => view! { <PaymentSummary payment=p /> }.into_any(),
    }
}

#[component]
fn InvoiceSummary(invoice: pb::Invoice) -> impl IntoView {
    let t = use_texts();
    let id = invoice.id;
    let private = invoice.is_private;
    let comment = format::first_line(&invoice.comment, 120);
    view! {
        <aside class="subject" aria-labelledby="subject-title">
            <h2 id="subject-title">{tr_act(|t| t.about_invoice)}</h2>
            <p class="row">
                <a href=format!("/invoice/{id}")>{tr(|t| t.invoice)}" #"{id}</a>
                <StatusBadge status=invoice.status />
                <span class="chip">{move || if private { t.get().private_invoice } else { t.get().public_invoice }}</span>
            </p>
            {(!comment.is_empty()).then(|| view! { <p class="subject-comment">{comment}</p> })}
            <dl class="fields">
                <dt>{tr(|t| t.field_price)}</dt><dd>{format::price(&invoice)}</dd>
                <dt>{tr(|t| t.field_current_btc)}</dt><dd>{format::btc(invoice.current_crypto_price.as_ref())}</dd>
                {(!private).then(|| view! { <dt>{tr_act(|t| t.pieces)}</dt><dd>{format::pieces(&invoice)}</dd> })}
                <dt>{tr(|t| t.field_payments)}</dt><dd>{invoice.payments_count}</dd>
            </dl>
        </aside>
    }
}

#[component]
fn PaymentSummary(payment: pb::InvoicePayment) -> impl IntoView {
    let t = use_texts();
    let ti = use_inv_texts();
    let status = payment.status;
    let badge = move || status_text(status, ti.get(), t.get());
    let invoice_id = payment.invoice.as_ref().map_or(0, |i| i.id);
    let created = payment.created_at;
    let (refunding, refunded) = (payment.refunding, payment.refunded);
    view! {
        <aside class="subject" aria-labelledby="subject-title">
            <h2 id="subject-title">{tr_act(|t| t.about_payment)}</h2>
            <p class="row">
                <a href=format!("/payment/{}", payment.id)>{tr_act(|t| t.payment)}" #"{payment.id}</a>
                <span class=move || format!("badge badge-{}", badge().1)>{move || badge().0}</span>
                <a href=format!("/invoice/{invoice_id}")>{tr(|t| t.invoice)}" #"{invoice_id}</a>
            </p>
            <dl class="fields">
                <dt>{tr_act(|t| t.amount)}</dt><dd>{format::btc(payment.crypto_amount.as_ref())}</dd>
                <dt>{tr_act(|t| t.pieces)}</dt><dd>{payment.pieces}</dd>
                {(refunding > 0).then(|| view! { <dt>{tr_act(|t| t.refunding)}</dt><dd>{refunding}</dd> })}
                {(refunded > 0).then(|| view! { <dt>{tr_act(|t| t.refunded)}</dt><dd>{refunded}</dd> })}
                <dt>{tr(|t| t.field_created)}</dt><dd>{move || format::datetime(created.as_ref(), t.get())}</dd>
            </dl>
        </aside>
    }
}
