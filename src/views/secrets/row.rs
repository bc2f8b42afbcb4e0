//! The rows of the secrets manager: one per secret, with reveal, copy, edit, move (buttons
//! and drag-and-drop) and remove.

use super::{Change, Ctx};
use crate::api::secrets::Move;
use crate::components::Rows;
use crate::components::thumbs::Thumbs;
use crate::i18n::chat::tr as tr_chat;
use crate::i18n::chat::{ChatTexts, use_texts as use_chat_texts};
use crate::tasks::StoredValue;
use leptos::prelude::*;
use schet_api::pb;
use schet_model::queue::payment_of;

/// One tab's list.
#[component]
pub(super) fn SecretList(ctx: Ctx, sold: bool) -> impl IntoView {
    let tc = use_chat_texts();
    let items = move || {
        ctx.data.with(|d| d.as_ref().map(|s| if sold { s.sold.clone() } else { s.unsold.clone() }).unwrap_or_default())
    };
    let hint = move || if sold { tc.get().sold_hint } else { tc.get().queue_hint };
    view! {
        <p class="hint">{hint}</p>
        {move || items().is_empty().then(|| view! {
            <p class="empty muted">{move || if sold { tc.get().no_sold } else { tc.get().no_unsold }}</p>
        })}
        <ol class="secret-list" class:sold=sold>
            <Rows each=items key=|s| (s.id, s.order, s.text.clone(), s.images.clone()) let:secret>
                <SecretRow ctx=ctx secret=secret />
            </Rows>
        </ol>
    }
}

#[component]
fn SecretRow(ctx: Ctx, secret: pb::InvoiceSecret) -> impl IntoView {
    let tc = use_chat_texts();
    let id = secret.id;
    let order = secret.order;
    let payment = payment_of(&secret);
    let sold = payment.is_some();
    let stored = StoredValue::new(secret);
    let shown = move || ctx.revealed.with(|r| r.contains(&id));
    let last = move || ctx.data.with(|d| d.as_ref().and_then(|s| s.unsold.last()).map(|x| x.id) == Some(id));
    let first = move || ctx.data.with(|d| d.as_ref().and_then(|s| s.unsold.first()).map(|x| x.id) == Some(id));
    let copy = move |_| {
        let text = stored.with_value(|s| s.text.clone());
        let Some(window) = web_sys::window() else { return };
        let promise = window.navigator().clipboard().write_text(&text);
        leptos::task::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            ctx.copied.set(Some((id, ok)));
        });
    };
    let remove = move |_| {
        ctx.confirming.set(None);
        ctx.change.dispatch(Change::Remove(stored.get_value()));
    };
    let mv = move |op: Move| {
        move |_| {
            ctx.change.dispatch(Change::Move { id, op });
        }
    };
    let label = move |f: fn(&ChatTexts) -> &'static str| move || format!("{} #{order}", f(tc.get()));
    let text = stored.with_value(|s| s.text.clone());
    let url = stored.with_value(|s| s.url.clone());
    let images = stored.with_value(|s| s.images.clone());
    let n_images = images.len();
    let drag_events = !sold;
    view! {
        <li class="secret" class:dragging=move || ctx.dragged.get() == Some(id) class:drop-target=move || ctx.over.get() == Some(id) && ctx.dragged.get() != Some(id)
            data-id=id.to_string() data-order=order.to_string()
            draggable=move || (drag_events && ctx.editing.get() != Some(id)).to_string()
            on:dragstart=move |ev: web_sys::DragEvent| {
                if !drag_events { return; }
                ctx.dragged.set(Some(id));
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &id.to_string());
                    dt.set_effect_allowed("move");
                }
            }
            on:dragover=move |ev: web_sys::DragEvent| {
                if drag_events && ctx.dragged.get_untracked().is_some() {
                    ev.prevent_default();
                    if ctx.over.get_untracked() != Some(id) { ctx.over.set(Some(id)); }
                }
            }
            on:drop=move |ev: web_sys::DragEvent| {
                if !drag_events { return; }
                ev.prevent_default();
                let from = ctx.dragged.get_untracked().or_else(|| {
                    ev.data_transfer().and_then(|d| d.get_data("text/plain").ok()).and_then(|s| s.parse().ok())
                });
                if let Some(from) = from { ctx.drop_on(from, id); }
            }
            on:dragend=move |_| { ctx.dragged.set(None); ctx.over.set(None); }>
            {move || if ctx.editing.get() == Some(id) {
                view! { <super::editor::EditSecret ctx=ctx secret=stored.get_value() /> }.into_any()
            } else {
                let text = text.clone();
                let url = url.clone();
                let images = images.clone();
                view! {
                    <div class="secret-main">
                        {(!sold).then(|| view! { <span class="drag-handle" aria-hidden="true" title=tr_chat(|t| t.drag_hint)>"⠿"</span> })}
                        <span class="secret-order">{if sold { String::from("✓") } else { format!("#{order}") }}</span>
                        <div class="secret-body">
                            {move || if shown() {
                                view! { <p class="secret-text">{text.clone()}</p> }.into_any()
                            } else {
                                view! { <p class="secret-text masked" aria-label=tr_chat(|t| t.hidden)>"•••••••••••••"</p> }.into_any()
                            }}
                            {(n_images > 0).then(|| {
                                let images = images.clone();
                                move || if shown() {
                                    view! { <Thumbs images=images.clone() /> }.into_any()
                                } else {
                                    view! { <p class="muted small">{n_images}" "{tr_chat(|t| t.images_hidden)}</p> }.into_any()
                                }
                            })}
                            {(!url.is_empty()).then(|| view! { <p class="small">"URL: "<span class="mono secret-url">{url.clone()}</span></p> })}
                            {payment.map(|p| view! { <p class="small sold-by">{tr_chat(|t| t.sold_in_payment)}" "<a href=format!("/payment/{p}")>"#"{p}</a></p> })}
                        </div>
                    </div>
                    <div class="secret-actions">
                        <button type="button" class="button small-button reveal" aria-pressed=move || shown().to_string()
                            on:click=move |_| ctx.revealed.update(|r| { if !r.remove(&id) { r.insert(id); } })>
                            {move || if shown() { tc.get().hide } else { tc.get().reveal }}
                        </button>
                        <button type="button" class="button small-button" on:click=copy aria-label=label(|t| t.copy)>
                            {move || match ctx.copied.get() {
                                Some((c, true)) if c == id => tc.get().copied,
                                Some((c, false)) if c == id => tc.get().copy_failed,
                                _ => tc.get().copy,
                            }}
                        </button>
                        {(!sold).then(|| view! {
                            <button type="button" class="button small-button edit-button" disabled=move || ctx.busy()
                                on:click=move |_| ctx.editing.set(Some(id))>{tr_chat(|t| t.edit)}</button>
                            <span class="move-buttons" role="group" aria-label=label(|t| t.move_group)>
                                <button type="button" class="button icon" aria-label=label(|t| t.move_top) title=tr_chat(|t| t.move_top)
                                    disabled=move || ctx.busy() || first() on:click=mv(Move::ToTop)>"⤒"</button>
                                <button type="button" class="button icon" aria-label=label(|t| t.move_up) title=tr_chat(|t| t.move_up)
                                    disabled=move || ctx.busy() || first() on:click=mv(Move::ToUp)>"↑"</button>
                                <button type="button" class="button icon" aria-label=label(|t| t.move_down) title=tr_chat(|t| t.move_down)
                                    disabled=move || ctx.busy() || last() on:click=mv(Move::ToDown)>"↓"</button>
                                <button type="button" class="button icon" aria-label=label(|t| t.move_bottom) title=tr_chat(|t| t.move_bottom)
                                    disabled=move || ctx.busy() || last() on:click=mv(Move::ToBottom)>"⤓"</button>
                            </span>
                            <button type="button" class="button small-button danger" disabled=move || ctx.busy()
                                aria-label=label(|t| t.remove) on:click=move |_| ctx.confirming.set(Some(id))>{tr_chat(|t| t.remove)}</button>
                        })}
                    </div>
                    {move || (ctx.confirming.get() == Some(id)).then(|| view! {
                        <div class="confirm" role="alertdialog" aria-label=tr_chat(|t| t.remove_confirm)>
                            <span>{tr_chat(|t| t.remove_confirm)}</span>
                            <button type="button" class="button danger confirm-remove" on:click=remove>{tr_chat(|t| t.remove)}</button>
                            <button type="button" class="button" on:click=move |_| ctx.confirming.set(None)>{tr_chat(|t| t.cancel)}</button>
                        </div>
                    })}
                }.into_any()
            }}
        </li>
    }
}
