//! The fields of a loaded invoice, for a person, in two parts: what a buyer decides on
//! (price in its own unit, today's BTC and the rate between them, seller, pieces, countdown),
//! shown above what can be done with it, and every other field below. User text (comment,
//! names, URLs) is always rendered as text nodes, never as HTML.

use crate::components::{Person, StatusBadge};
use crate::format;
use crate::i18n::{Texts, tr, use_texts};
use crate::tasks::RwSignal;
use crate::tasks::Signal;
use crate::tasks::StoredValue;
use leptos::prelude::*;
use schet_api::pb::{self, invoice};
use std::time::Duration;

fn integration_text(i: Option<&invoice::Integration>, t: &Texts) -> String {
    match i {
        None | Some(invoice::Integration::NoIntegration(_)) => t.integration_none.into(),
        // The service gives the address to the owner and to a buyer with their payment only.
        Some(invoice::Integration::Redirect(url)) if url.trim().is_empty() => t.redirect_after_payment.into(),
        Some(invoice::Integration::Redirect(url)) => format!("{}: {url}", t.integration_redirect),
        Some(invoice::Integration::Webhook(w)) if w.required => {
            format!("{} ({})", t.integration_webhook, t.webhook_required)
        }
        Some(invoice::Integration::Webhook(_)) => t.integration_webhook.into(),
    }
}

/// A clock for countdowns, ticking every 30 s while shown.
fn clock() -> Signal<f64> {
    let now = RwSignal::new(js_sys::Date::now());
    let tick = set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(30));
    on_cleanup(move || {
        if let Ok(h) = tick {
            h.clear();
        }
    });
    now.into()
}

/// A row's label, and its value from the invoice.
type Label = fn(&Texts) -> &'static str;
type Value = fn(&pb::Invoice, &Texts) -> String;

/// Makes `<dt>`/`<dd>` rows of `invoice` in the current language.
fn rows(invoice: StoredValue<pb::Invoice>) -> impl Fn(Label, Value) -> AnyView + Copy {
    let t = use_texts();
    move |label, value| {
        view! { <dt>{move || label(t.get())}</dt><dd>{move || invoice.with_value(|i| value(i, t.get()))}</dd> }
            .into_any()
    }
}

/// What a buyer decides on, first: status, countdown, description, price (and today's BTC
/// and the rate for a fiat price), seller, pieces.
#[component]
pub fn InvoiceSummary(invoice: pb::Invoice) -> impl IntoView {
    let t = use_texts();
    let inv = StoredValue::new(invoice);
    let row = rows(inv);
    let status = inv.with_value(|i| i.status);
    let private = inv.with_value(|i| i.is_private);
    let comment = inv.with_value(|i| i.comment.clone());
    let owner = inv.with_value(|i| i.owner.clone().unwrap_or_default());
    let target = inv.with_value(|i| match &i.nullable_target_user {
        Some(invoice::NullableTargetUser::TargetUser(u)) => Some(u.clone()),
        _ => None,
    });
    let now = clock();
    let countdown = move || inv.with_value(|i| format::countdown(i.valid_to.as_ref(), now.get(), t.get()));
    view! {
        <div class="invoice-head row">
            <StatusBadge status=status />
            <span class="chip">{move || if private { t.get().private_invoice } else { t.get().public_invoice }}</span>
            <span class="muted countdown">{countdown}</span>
        </div>
        <div class="comment">
            {if comment.is_empty() {
                view! { <p class="muted">{tr(|t| t.no_comment)}</p> }.into_any()
            } else {
                view! { <p class="comment-text">{comment}</p> }.into_any()
            }}
        </div>
        <dl class="fields compact key-fields">
            {row(|t| t.field_price, |i, t| {
                if i.is_private { format::price(i) } else { format!("{} ({})", format::price(i), t.field_price_per_piece.to_lowercase()) }
            })}
            {row(|t| t.field_current_btc, |i, _| format::btc(i.current_crypto_price.as_ref()))}
            {(!inv.with_value(|i| i.is_base_crypto)).then(|| row(|t| t.field_rate_variable, |i, _| format::rate(i)))}
            <dt>{tr(|t| t.field_owner)}</dt><dd><Person user=owner /></dd>
            {target.map(|u| view! { <dt>{tr(|t| t.field_target)}</dt><dd><Person user=u /></dd> })}
            {(!private).then(|| row(|t| t.field_pieces, |i, _| format::pieces(i)))}
        </dl>
    }
}

/// Every other field of the invoice.
#[component]
pub fn InvoiceDetails(invoice: pb::Invoice) -> impl IntoView {
    let inv = StoredValue::new(invoice);
    let row = rows(inv);
    let private = inv.with_value(|i| i.is_private);
    let refund_of = inv.with_value(|i| match i.nullable_refund {
        Some(invoice::NullableRefund::RefundPaymentId(p)) => Some(p),
        _ => None,
    });
    view! {
        <dl class="fields compact">
            {row(|t| t.field_created, |i, t| format::datetime(i.created_at.as_ref(), t))}
            {row(|t| t.field_valid_to, |i, t| format::datetime(i.valid_to.as_ref(), t))}
            {row(|t| t.field_ttl, |i, t| format!("{} {}", i.ttl_minutes, t.minutes_short))}
            {private.then(|| row(|t| t.field_fee, |i, _| format::btc(i.fee.as_ref())))}
            {(!private).then(|| row(|t| t.field_limit_liquidity, |i, t| (if i.limit_liquidity { t.yes } else { t.no }).into()))}
            {row(|t| t.field_paid_total, |i, _| format::btc(i.total_payed_crypto.as_ref()))}
            {row(|t| t.field_payments, |i, _| i.payments_count.to_string())}
            {row(|t| t.field_secrets, |i, _| i.secrets_count.to_string())}
            {row(|t| t.field_images, |i, _| i.images.len().to_string())}
            {row(|t| t.field_integration, |i, t| integration_text(i.integration.as_ref(), t))}
            {row(|t| t.field_service, |i, t| match invoice::ServiceType::try_from(i.service) {
                Ok(invoice::ServiceType::AutoPrice) => t.service_autoprice.into(),
                _ => t.service_none.into(),
            })}
            {refund_of.map(|p| view! {
                <dt>{tr(|t| t.field_refund_of)}</dt>
                <dd><a href=format!("/payment/{p}")>{format!("#{p}")}</a></dd>
            })}
        </dl>
    }
}
