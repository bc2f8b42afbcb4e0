//! One invoice, every field presented for a person (GetInvoiceById).

use crate::api::{self, ApiError};
use crate::components::{ErrorView, StatusBadge};
use crate::format;
use crate::i18n::Texts;
use crate::settings::{use_app, use_texts};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use schet_api::pb::{self, invoice};

/// The `/invoice/:id` route.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let t = use_texts();
    move || match params.with(|p| p.get("id")).and_then(|s| s.parse::<u64>().ok()).filter(|n| *n > 0) {
        Some(id) => view! { <InvoiceView id=id /> }.into_any(),
        None => view! { <p class="page">{move || t.get().invoice_id_rule}</p> }.into_any(),
    }
}

/// Loads invoice `id` with the current settings and shows it, with loading and error states.
///
/// Props: `id`, the invoice number.
#[component]
pub fn InvoiceView(id: u64) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let invoice = LocalResource::new(move || {
        let settings = app.settings.get();
        async move { api::invoices::get_by_id(&settings, id).await }
    });
    let retry = Callback::new(move |()| invoice.refetch());
    view! {
        <section class="page invoice" aria-busy=move || invoice.get().is_none().to_string()>
            <div class="row spread">
                <h1>{move || t.get().invoice}" #"{id}</h1>
                <button type="button" class="button" on:click=move |_| invoice.refetch()>{move || t.get().refresh}</button>
            </div>
            <Transition fallback=move || view! { <div class="skeleton" aria-label=move || t.get().loading></div> }>
                {move || invoice.get().map(|result: Result<pb::Invoice, ApiError>| match result {
                    Ok(inv) => view! { <InvoiceFields invoice=inv /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e on_retry=retry /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

fn user_name(u: Option<&pb::UserInfo>) -> String {
    u.map(|u| u.username.clone()).unwrap_or_else(|| "—".into())
}

fn integration_text(i: Option<&invoice::Integration>, t: &Texts) -> String {
    match i {
        None | Some(invoice::Integration::NoIntegration(_)) => t.integration_none.into(),
        Some(invoice::Integration::Redirect(url)) => format!("{}: {url}", t.integration_redirect),
        Some(invoice::Integration::Webhook(w)) if w.required => {
            format!("{} ({})", t.integration_webhook, t.webhook_required)
        }
        Some(invoice::Integration::Webhook(_)) => t.integration_webhook.into(),
    }
}

/// The fields of a loaded invoice. User text (comment, names, URLs) is always rendered as
/// text nodes, never as HTML.
#[component]
fn InvoiceFields(invoice: pb::Invoice) -> impl IntoView {
    let t = use_texts();
    let inv = StoredValue::new(invoice);
    let get = move |f: fn(&pb::Invoice, &Texts) -> String| move || inv.with_value(|i| f(i, t.get()));
    let row = move |label: fn(&Texts) -> &'static str, value: fn(&pb::Invoice, &Texts) -> String| {
        view! { <dt>{move || label(t.get())}</dt><dd>{get(value)}</dd> }
    };
    let status = inv.with_value(|i| i.status);
    let private = inv.with_value(|i| i.is_private);
    let comment = inv.with_value(|i| i.comment.clone());
    let now = js_sys::Date::now();
    let countdown = move || inv.with_value(|i| format::countdown(i.valid_to.as_ref(), now, t.get()));
    view! {
        <div class="invoice-head row">
            <StatusBadge status=status />
            <span class="chip">{move || if private { t.get().private_invoice } else { t.get().public_invoice }}</span>
            <span class="muted">{countdown}</span>
        </div>
        <div class="comment">
            {if comment.is_empty() {
                view! { <p class="muted">{move || t.get().no_comment}</p> }.into_any()
            } else {
                view! { <p class="comment-text">{comment}</p> }.into_any()
            }}
        </div>
        <dl class="fields">
            {row(|t| t.field_price, |i, t| {
                if i.is_private { format::price(i) } else { format!("{} ({})", format::price(i), t.field_price_per_piece.to_lowercase()) }
            })}
            {row(|t| t.field_current_btc, |i, _| format::btc(i.current_crypto_price.as_ref()))}
            {(!inv.with_value(|i| i.is_base_crypto)).then(|| row(|t| t.field_rate_variable, |i, _| i.price_variable.clone()))}
            {row(|t| t.field_owner, |i, _| user_name(i.owner.as_ref()))}
            {private.then(|| row(|t| t.field_target, |i, _| match &i.nullable_target_user {
                Some(invoice::NullableTargetUser::TargetUser(u)) => u.username.clone(),
                _ => "—".into(),
            }))}
            {row(|t| t.field_created, |i, t| format::datetime(i.created_at.as_ref(), t))}
            {row(|t| t.field_valid_to, |i, t| format::datetime(i.valid_to.as_ref(), t))}
            {row(|t| t.field_ttl, |i, t| format!("{} {}", i.ttl_minutes, t.minutes_short))}
            {private.then(|| row(|t| t.field_fee, |i, _| format::btc(i.fee.as_ref())))}
            {(!private).then(|| row(|t| t.field_pieces, |i, _| format!("{} – {}", i.pieces_min, i.pieces_max)))}
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
            {inv.with_value(|i| matches!(i.nullable_refund, Some(invoice::NullableRefund::RefundPaymentId(_))))
                .then(|| row(|t| t.field_refund_of, |i, _| match i.nullable_refund {
                    Some(invoice::NullableRefund::RefundPaymentId(p)) => format!("#{p}"),
                    _ => String::new(),
                }))}
        </dl>
    }
}
