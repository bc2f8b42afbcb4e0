//! One invoice, every field presented for a person (GetInvoiceById); what its viewer can do
//! with it (edit, delete, buy); its conversations.

use crate::api::{self, ApiError};
use crate::components::invoice_chat::InvoiceChat;
use crate::components::{ErrorView, PaymentCard, QrCode, StatusBadge, files};
use crate::format;
use crate::i18n::invoices::{tr as tr_inv, use_texts as use_inv_texts};
use crate::i18n::{Texts, tr, use_texts};
use crate::params;
use crate::state::{use_app, use_profile};
use crate::tasks;
use leptos::prelude::*;
use schet_api::pb::{self, invoice};
use std::time::Duration;

/// The `/invoice/:id` route.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let id = params::invoice_id();
    move || match id.get() {
        Some(id) => view! { <InvoiceView id=id /> }.into_any(),
        None => view! { <p class="page">{tr(|t| t.invoice_id_rule)}</p> }.into_any(),
    }
}

/// What the chat needs of an invoice: the parts that never change, so that a refresh of the
/// invoice keeps the conversation, its composer and the chosen buyer as they are.
fn chat_part(i: &pb::Invoice) -> pb::Invoice {
    pb::Invoice {
        id: i.id,
        owner: i.owner.clone(),
        nullable_target_user: i.nullable_target_user.clone(),
        ..Default::default()
    }
}

/// Loads invoice `id` with the current settings and shows it, with loading and error
/// states; refreshes itself every 20 s while open, keeping the last good view meanwhile.
///
/// Props: `id`, the invoice number.
#[component]
pub fn InvoiceView(id: u64) -> impl IntoView {
    let app = use_app();
    let invoice = tasks::resource(move || {
        let settings = app.settings.get();
        async move { api::invoices::get_by_id(&settings, id).await }
    });
    let retry = Callback::new(move |()| invoice.refetch());
    let refresh = set_interval_with_handle(move || invoice.refetch(), Duration::from_secs(20));
    on_cleanup(move || {
        if let Ok(h) = refresh {
            h.clear();
        }
    });
    let chat = Memo::new(move |last: Option<&Option<pb::Invoice>>| match invoice.get() {
        Some(Ok(i)) => Some(chat_part(&i)),
        _ => last.cloned().flatten(),
    });
    view! {
        <section class="page invoice" aria-busy=move || invoice.with(|i| i.is_none()).to_string()>
            <div class="row spread">
                <h1>{tr(|t| t.invoice)}" #"{id}</h1>
                <button type="button" class="button" on:click=move |_| invoice.refetch()>{tr(|t| t.refresh)}</button>
            </div>
            <Transition fallback=move || view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }>
                {move || invoice.get().map(|result: Result<pb::Invoice, ApiError>| match result {
                    Ok(inv) => view! {
                        <InvoiceFields invoice=inv.clone() />
                        <Gallery images=inv.images.clone() />
                        <ShareLink id=id />
                        <InvoiceActions invoice=inv on_change=retry />
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e on_retry=retry /> }.into_any(),
                })}
            </Transition>
            {move || chat.get().map(|inv| view! { <InvoiceChat invoice=inv /> })}
        </section>
    }
}

/// The invoice's images, as previews fetched from the service.
#[component]
fn Gallery(images: Vec<String>) -> impl IntoView {
    let app = use_app();
    let previews = tasks::resource(move || {
        let (settings, images) = (app.settings.get(), images.clone());
        async move {
            let mut urls = Vec::new();
            for id in images {
                if let Ok(bytes) = api::images::get(&settings, &id, true).await
                    && let Some(url) = files::image_url(&bytes)
                {
                    urls.push((id, url));
                }
            }
            urls
        }
    });
    let shown = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(list) = previews.get() {
            shown.with_value(|old| old.iter().for_each(|u| files::revoke(u)));
            shown.set_value(list.into_iter().map(|(_, url)| url).collect());
        }
    });
    on_cleanup(move || shown.with_value(|u| u.iter().for_each(|url| files::revoke(url))));
    view! {
        <div class="gallery">
            {move || previews.get().unwrap_or_default().into_iter().map(|(id, url)| view! { <img src=url alt=id /> }).collect_view()}
        </div>
    }
}

/// Copy-link button and a QR code of the invoice's address.
#[component]
fn ShareLink(id: u64) -> impl IntoView {
    let ti = use_inv_texts();
    let link = format!("{}/invoice/{id}", crate::settings::origin());
    let copied = RwSignal::new(false);
    let show_qr = RwSignal::new(false);
    let link2 = link.clone();
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&link2);
            copied.set(true);
        }
    };
    view! {
        <div class="row share">
            <button type="button" class="button" on:click=copy>{move || if copied.get() { ti.get().copied } else { ti.get().copy_link }}</button>
            <button type="button" class="button" aria-expanded=move || show_qr.get().to_string() on:click=move |_| show_qr.update(|v| *v = !*v)>"QR"</button>
            <span class="mono muted">{link.clone()}</span>
        </div>
        {move || show_qr.get().then(|| view! { <QrCode text=link.clone() label=Signal::derive(move || ti.get().qr_label) /> })}
    }
}

/// What the viewer can do: the owner edits, deletes or manages the secrets; a buyer buys or
/// pays.
#[component]
fn InvoiceActions(invoice: pb::Invoice, on_change: Callback<()>) -> impl IntoView {
    let me = use_profile().user_id().unwrap_or_default();
    let owner = invoice.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
    let live = invoice.status == invoice::InvoiceStatus::Active as i32;
    if me.is_empty() {
        ().into_any()
    } else if owner == me {
        view! { <OwnerActions invoice=invoice on_change=on_change /> }.into_any()
    } else if live {
        view! { <BuyBox invoice=invoice on_change=on_change /> }.into_any()
    } else {
        ().into_any()
    }
}

#[component]
fn OwnerActions(invoice: pb::Invoice, on_change: Callback<()>) -> impl IntoView {
    let app = use_app();
    let id = invoice.id;
    let confirming = RwSignal::new(false);
    let deletable = invoice.status != invoice::InvoiceStatus::Deleted as i32
        && invoice.status != invoice::InvoiceStatus::Payed as i32;
    // DeleteInvoice; for a refund invoice, the payment whose refund was abandoned.
    let delete = tasks::action(move |()| {
        let settings = app.settings.get_untracked();
        async move {
            let result = api::invoices::delete(&settings, id).await;
            confirming.set(false);
            if result.is_ok() {
                on_change.run(());
            }
            result
        }
    });
    view! {
        <div class="actions">
            {if invoice.is_private {
                view! { <p class="hint">{tr_inv(|t| t.not_editable_private)}</p> }.into_any()
            } else {
                view! { <a class="button" href=format!("/invoice/{id}/edit")>{tr_inv(|t| t.edit)}</a> }.into_any()
            }}
            {deletable.then(|| view! {
                <button type="button" class="button" on:click=move |_| confirming.set(true)>{tr_inv(|t| t.delete)}</button>
            })}
        </div>
        <p class="secrets-link">
            <a class="button" href=format!("/invoice/{id}/secrets")>{tr_inv(|t| t.manage_secrets)}</a>
        </p>
        {move || confirming.get().then(|| view! {
            <div class="error-banner" role="alertdialog" aria-label=tr_inv(|t| t.delete)>
                <p>{tr_inv(|t| t.delete_confirm)}</p>
                <div class="row">
                    <button type="button" class="button primary" disabled=move || delete.pending()
                        on:click=move |_| { delete.dispatch(()); }>{tr_inv(|t| t.confirm)}</button>
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{tr_inv(|t| t.cancel)}</button>
                </div>
            </div>
        })}
        {move || delete.value().map(|result| match result {
            Ok(Some(p)) => view! { <p>{tr_inv(|t| t.deleted_refund)}</p><PaymentCard payment=p /> }.into_any(),
            Ok(None) => ().into_any(),
            Err(e) => view! { <ErrorView error=e /> }.into_any(),
        })}
    }
}

/// Buying: pieces within the allowed range (public) or the whole invoice (private to me),
/// a confirmation with the BTC amount, then what was bought.
#[component]
fn BuyBox(invoice: pb::Invoice, on_change: Callback<()>) -> impl IntoView {
    use rust_decimal::Decimal;
    let app = use_app();
    let ti = use_inv_texts();
    let id = invoice.id;
    let private = invoice.is_private;
    let low = invoice.pieces_min.min(invoice.pieces_max).max(1);
    let high = invoice.pieces_max.max(low);
    let unit = schet_api::decimal::from_pb_or_zero(invoice.current_crypto_price.as_ref()).unwrap_or_default();
    let pieces = RwSignal::new(low.to_string());
    let parsed = move || pieces.with(|p| p.trim().parse::<u32>().ok()).filter(|n| private || (low..=high).contains(n));
    let confirming = RwSignal::new(false);
    let total =
        move || parsed().map(|n| schet_api::decimal::format_btc(unit * Decimal::from(if private { 1 } else { n })));
    // PayInvoiceFromBalance (`pieces` is ignored for a private invoice).
    let pay = tasks::action(move |n: &u32| {
        let (settings, n) = (app.settings.get_untracked(), *n);
        async move {
            let result = api::payments::pay(&settings, id, if private { 0 } else { n }).await;
            confirming.set(false);
            if result.is_ok() {
                on_change.run(());
            }
            result
        }
    });
    let bought = move || pay.value().and_then(Result::ok);
    view! {
        {move || bought().is_none().then(|| view! {
            <div class="buy-box">
                {(!private).then(|| view! {
                    <div class="field">
                        <label for="buy-pieces">{tr_inv(|t| t.pieces_to_buy)}" ("{low}"–"{high}")"</label>
                        <input id="buy-pieces" type="number" min=low max=high prop:value=move || pieces.get()
                            aria-invalid=move || parsed().is_none().to_string()
                            on:input=move |ev| { pieces.set(event_target_value(&ev)); confirming.set(false); } />
                    </div>
                })}
                <button type="button" class="button primary" disabled=move || parsed().is_none()
                    on:click=move |_| confirming.set(true)>{move || if private { ti.get().pay } else { ti.get().buy }}</button>
                {move || confirming.get().then(|| view! {
                    <div class="notice" role="alertdialog" aria-label=tr_inv(|t| t.pay_confirm)>
                        <span>{tr_inv(|t| t.pay_confirm)}": "<strong>{move || total().unwrap_or_default()}" BTC"</strong></span>
                        <div class="row">
                            <button type="button" class="button primary" disabled=move || pay.pending()
                                on:click=move |_| { if let Some(n) = parsed() { pay.dispatch(n); } }>
                                {move || if pay.pending() { ti.get().paying } else { ti.get().confirm }}
                            </button>
                            <button type="button" class="button" on:click=move |_| confirming.set(false)>{tr_inv(|t| t.cancel)}</button>
                        </div>
                    </div>
                })}
            </div>
        })}
        {move || pay.value().and_then(Result::err).map(|e| view! { <ErrorView error=e /> })}
        {move || bought().map(|p| view! { <h2>{tr_inv(|t| t.paid_title)}</h2><PaymentCard payment=p /> })}
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
                view! { <p class="muted">{tr(|t| t.no_comment)}</p> }.into_any()
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
            {(!private).then(|| row(|t| t.field_pieces, |i, _| format::pieces(i)))}
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
