//! One payment as its buyer or seller sees it: amount, pieces, status, and the goods
//! delivered (secrets, the redirect URL).

use crate::components::{Person, payment_chat::PaymentChatLink};
use crate::format;
use crate::i18n::invoices::{InvoiceTexts, tr as tr_inv, use_texts as use_inv_texts};
use crate::i18n::{Texts, tr, use_texts};
use leptos::prelude::*;
use schet_api::pb::{self, invoice_payment::InvoicePaymentStatus};

/// A payment's status in words, and its badge's CSS modifier.
pub fn status_text(status: i32, ti: &InvoiceTexts, t: &Texts) -> (&'static str, &'static str) {
    match InvoicePaymentStatus::try_from(status) {
        Ok(InvoicePaymentStatus::Pending) => (ti.payment_pending, "pending"),
        Ok(InvoicePaymentStatus::Paid) => (ti.payment_paid, "active"),
        Ok(InvoicePaymentStatus::Canceled) => (ti.payment_canceled, "deleted"),
        Err(_) => (t.status_unknown, "unknown"),
    }
}

/// A URL that may be a link: only http(s), anything else is shown as text.
pub fn safe_link(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_string())
}

/// Props: `payment`; `actions`, extra buttons (e.g. cancel) shown under it.
#[component]
pub fn PaymentCard(payment: pb::InvoicePayment, #[prop(optional)] actions: Option<AnyView>) -> impl IntoView {
    let t = use_texts();
    let status = payment.status;
    let ti = use_inv_texts();
    let badge = move || status_text(status, ti.get(), t.get());
    let invoice_id = payment.invoice.as_ref().map_or(0, |i| i.id);
    let buyer = payment.owner.clone().unwrap_or_default();
    let seller = payment.invoice.as_ref().and_then(|i| i.owner.clone()).unwrap_or_default();
    let chat = payment.clone();
    let amount = format::btc(payment.crypto_amount.as_ref());
    let created = payment.created_at;
    let redirect: Option<String> =
        payment.secrets.iter().map(|s| s.url.clone()).find(|u| !u.is_empty()).or_else(|| {
            match payment.invoice.as_ref().and_then(|i| i.integration.clone()) {
                Some(pb::invoice::Integration::Redirect(u)) => Some(u),
                _ => None,
            }
        });
    let secrets = payment.secrets.clone();
    view! {
        <article class="payment-card page">
            <div class="row spread">
                <h2><a href=format!("/payment/{}", payment.id)>{tr_inv(|t| t.payment)}" #"{payment.id}</a></h2>
                <span class=move || format!("badge badge-{}", badge().1)>{move || badge().0}</span>
            </div>
            <dl class="fields">
                <dt>{tr(|t| t.invoice)}</dt><dd><a href=format!("/invoice/{invoice_id}")>{format!("#{invoice_id}")}</a></dd>
                <dt>{tr_inv(|t| t.amount)}</dt><dd>{amount}</dd>
                <dt>{tr_inv(|t| t.pieces)}</dt><dd>{payment.pieces}</dd>
                <dt>{tr_inv(|t| t.buyer)}</dt><dd><Person user=buyer /></dd>
                <dt>{tr(|t| t.field_owner)}</dt><dd><Person user=seller /></dd>
                <dt>{tr(|t| t.field_created)}</dt><dd>{move || format::datetime(created.as_ref(), t.get())}</dd>
            </dl>
            <h3>{tr_inv(|t| t.secrets_received)}</h3>
            {if secrets.is_empty() {
                view! { <p class="muted">{tr_inv(|t| t.no_secrets)}</p> }.into_any()
            } else {
                view! {
                    <ol class="secrets-received">
                        {secrets.into_iter().map(|s| view! { <li><span class="mono comment-text">{s.text}</span></li> }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {redirect.map(|u| view! {
                <p>{tr_inv(|t| t.collect_at)}": "
                    {match safe_link(&u) {
                        Some(href) => view! { <a href=href rel="noopener noreferrer" target="_blank">{u.clone()}</a> }.into_any(),
                        None => view! { <span>{u.clone()}</span> }.into_any(),
                    }}
                </p>
            })}
            <div class="actions"><PaymentChatLink payment=chat /></div>
            {actions}
        </article>
    }
}
