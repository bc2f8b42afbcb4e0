//! The secrets manager of one invoice (`/invoice/:id/secrets`, owner only): the sale queue
//! and the sold ones; add, edit in place, move (buttons and drag-and-drop), remove with undo,
//! bulk import. Every change answers with the whole list, and that list is what is shown.

use crate::api::secrets::{self as api_secrets, BulkLine, Move, Secrets};
use crate::api::{ApiError, events::use_live};
use crate::components::{ErrorView, ImagePicker, error_view::error_detail, thumbs::Thumbs};
use crate::drafts;
use crate::i18n::Texts;
use crate::settings::{Settings, use_app, use_texts};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use schet_api::pb;
use std::collections::HashSet;

/// The `/invoice/:id/secrets` route.
#[component]
pub fn SecretsPage() -> impl IntoView {
    let params = use_params_map();
    let t = use_texts();
    move || match params.with(|p| p.get("id")).and_then(|s| s.parse::<u64>().ok()).filter(|n| *n > 0) {
        Some(id) => view! { <SecretsManager id=id /> }.into_any(),
        None => view! { <p class="page">{move || t.get().invoice_id_rule}</p> }.into_any(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Unsold,
    Sold,
}

/// Everything the rows share.
#[derive(Clone, Copy)]
struct Ctx {
    invoice: u64,
    data: RwSignal<Option<Result<Secrets, ApiError>>>,
    busy: RwSignal<bool>,
    failure: RwSignal<Option<ApiError>>,
    revealed: RwSignal<HashSet<u64>>,
    editing: RwSignal<Option<u64>>,
    confirming: RwSignal<Option<u64>>,
    copied: RwSignal<Option<(u64, bool)>>,
    removed: RwSignal<Option<pb::InvoiceSecret>>,
    dragged: RwSignal<Option<u64>>,
    over: RwSignal<Option<u64>>,
}

impl Ctx {
    fn unsold(&self) -> Vec<pb::InvoiceSecret> {
        self.data
            .with_untracked(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|s| s.unsold.clone()).unwrap_or_default())
    }

    /// Runs a change; the list it answers with replaces what is shown.
    fn run<F>(self, change: impl FnOnce(crate::settings::Settings) -> F + 'static, then: impl FnOnce(bool) + 'static)
    where
        F: std::future::Future<Output = Result<Secrets, ApiError>> + 'static,
    {
        let settings = expect_context::<crate::settings::AppState>().settings.get_untracked();
        self.busy.set(true);
        self.failure.set(None);
        leptos::task::spawn_local(async move {
            let result = change(settings).await;
            self.busy.set(false);
            match result {
                Ok(list) => {
                    self.data.set(Some(Ok(list)));
                    then(true);
                }
                Err(e) => {
                    self.failure.set(Some(e));
                    then(false);
                }
            }
        });
    }

    fn change(self, id: u64, op: Move) {
        self.run(move |s| async move { api_secrets::change(&s, id, op).await }, |_| {});
    }

    /// A drop of `dragged` on `target`: an UpdateInvoiceSecret with the target's Order.
    fn drop_on(self, dragged: u64, target: u64) {
        self.over.set(None);
        self.dragged.set(None);
        let queue = self.unsold();
        let (Some(order), Some(secret)) =
            (api_secrets::drop_order(&queue, dragged, target), queue.iter().find(|s| s.id == dragged).cloned())
        else {
            return;
        };
        self.run(
            move |s| async move { api_secrets::update(&s, secret.id, secret.text, secret.images, order).await },
            |_| {},
        );
    }
}

/// Loads and manages the secrets of invoice `id`.
#[component]
pub fn SecretsManager(id: u64) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let live = use_live();
    let ctx = Ctx {
        invoice: id,
        data: RwSignal::new(None),
        busy: RwSignal::new(false),
        failure: RwSignal::new(None),
        revealed: RwSignal::new(HashSet::new()),
        editing: RwSignal::new(None),
        confirming: RwSignal::new(None),
        copied: RwSignal::new(None),
        removed: RwSignal::new(None),
        dragged: RwSignal::new(None),
        over: RwSignal::new(None),
    };
    let tab = RwSignal::new(Tab::Unsold);
    let reload = move || {
        let settings = app.settings.get_untracked();
        leptos::task::spawn_local(async move {
            let result = api_secrets::load(&settings, id).await;
            // Keep showing the last good list when a background reload fails.
            if result.is_ok() || !ctx.data.with_untracked(|d| matches!(d, Some(Ok(_)))) {
                ctx.data.set(Some(result));
            }
        });
    };
    Effect::new(move |_| {
        app.settings.track();
        reload();
    });
    // A purchase of this invoice moves secrets to "sold": reload when one is reported.
    Effect::new(move |_| {
        let concerns = live.last_event.with(|e| match e.as_ref().and_then(|e| e.payload.as_ref()) {
            Some(pb::event::Payload::Payment(p)) => p.invoice.as_ref().is_none_or(|i| i.id == id),
            Some(pb::event::Payload::Invoice(i)) => i.id == id,
            _ => false,
        });
        if concerns && !ctx.busy.get_untracked() {
            reload();
        }
    });
    // Loading (None), failed (Some(Some)), or loaded (Some(None)): the page's frame only
    // changes with this, so typing and imports survive every new list.
    let phase = Memo::new(move |_| ctx.data.with(|d| d.as_ref().map(|r| r.as_ref().err().cloned())));
    let counts = move || {
        ctx.data.with(|d| match d {
            Some(Ok(s)) => (s.unsold.len(), s.sold.len()),
            _ => (0, 0),
        })
    };
    let all_revealed = move || {
        ctx.data.with(|d| match d {
            Some(Ok(s)) => {
                !s.unsold.is_empty() && ctx.revealed.with(|r| s.unsold.iter().chain(&s.sold).all(|x| r.contains(&x.id)))
            }
            _ => false,
        })
    };
    let reveal_all = move |_| {
        let show = !all_revealed();
        ctx.revealed.update(|r| {
            r.clear();
            if show {
                ctx.data.with_untracked(|d| {
                    if let Some(Ok(s)) = d {
                        r.extend(s.unsold.iter().chain(&s.sold).map(|x| x.id));
                    }
                });
            }
        });
    };
    view! {
        <section class="page secrets" aria-busy=move || (ctx.data.get().is_none() || ctx.busy.get()).to_string()>
            <div class="row spread">
                <h1>{move || t.get().chat.secrets_title}" #"{id}</h1>
                <div class="row">
                    <a class="button" href=format!("/invoice/{id}")>{move || t.get().chat.back_to_invoice}</a>
                    <button type="button" class="button" on:click=move |_| reload()>{move || t.get().refresh}</button>
                </div>
            </div>
            {move || match phase.get() {
                None => view! { <div class="skeleton" aria-label=move || t.get().loading></div> }.into_any(),
                Some(Some(ApiError::PermissionDenied(_) | ApiError::NotFound(_))) => view! {
                    <div class="error-banner not-yours" role="alert">
                        <strong class="error-headline">{move || t.get().chat.not_yours}</strong>
                        <p class="error-detail">{move || t.get().chat.not_yours_detail}</p>
                        <a class="button" href=format!("/invoice/{id}")>{move || t.get().chat.back_to_invoice}</a>
                    </div>
                }.into_any(),
                Some(Some(e)) => view! { <ErrorView error=e on_retry=Callback::new(move |()| reload()) /> }.into_any(),
                Some(None) => view! {
                    <div class="row spread">
                        <div class="tabs" role="tablist">
                            <button type="button" role="tab" class="tab" id="tab-unsold" aria-controls="panel-unsold"
                                aria-selected=move || (tab.get() == Tab::Unsold).to_string() on:click=move |_| tab.set(Tab::Unsold)>
                                {move || t.get().chat.tab_unsold}" ("{move || counts().0}")"
                            </button>
                            <button type="button" role="tab" class="tab" id="tab-sold" aria-controls="panel-sold"
                                aria-selected=move || (tab.get() == Tab::Sold).to_string() on:click=move |_| tab.set(Tab::Sold)>
                                {move || t.get().chat.tab_sold}" ("{move || counts().1}")"
                            </button>
                        </div>
                        <button type="button" class="button" aria-pressed=move || all_revealed().to_string() on:click=reveal_all>
                            {move || if all_revealed() { t.get().chat.hide_all } else { t.get().chat.reveal_all }}
                        </button>
                    </div>
                    <UndoBar ctx=ctx />
                    {move || ctx.failure.get().map(|e| view! { <ErrorView error=e /> })}
                    <div id="panel-unsold" role="tabpanel" aria-labelledby="tab-unsold" hidden=move || tab.get() != Tab::Unsold>
                        <SecretList ctx=ctx sold=false />
                        <AddSecret ctx=ctx />
                        <BulkImport ctx=ctx />
                    </div>
                    <div id="panel-sold" role="tabpanel" aria-labelledby="tab-sold" hidden=move || tab.get() != Tab::Sold>
                        <SecretList ctx=ctx sold=true />
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// "Removed — Undo": re-creates the removed secret at its old position.
#[component]
fn UndoBar(ctx: Ctx) -> impl IntoView {
    let t = use_texts();
    let undo = move |_| {
        let Some(s) = ctx.removed.get_untracked() else { return };
        let invoice = ctx.invoice;
        ctx.run(
            move |set| async move { api_secrets::create(&set, invoice, s.text, s.images, s.order).await },
            move |ok| {
                if ok {
                    ctx.removed.set(None);
                }
            },
        );
    };
    move || {
        ctx.removed.get().map(|s| {
            view! {
                <div class="notice undo" role="status">
                    <span>{move || t.get().chat.removed}" #"{s.order}</span>
                    <div class="row">
                        <button type="button" class="button primary undo-button" disabled=move || ctx.busy.get() on:click=undo>
                            {move || t.get().chat.undo}
                        </button>
                        <button type="button" class="button" on:click=move |_| ctx.removed.set(None)>{move || t.get().chat.dismiss}</button>
                    </div>
                </div>
            }
        })
    }
}

/// One tab's list.
#[component]
fn SecretList(ctx: Ctx, sold: bool) -> impl IntoView {
    let t = use_texts();
    let items = move || {
        ctx.data.with(|d| match d {
            Some(Ok(s)) => {
                if sold {
                    s.sold.clone()
                } else {
                    s.unsold.clone()
                }
            }
            _ => Vec::new(),
        })
    };
    let hint = move || if sold { t.get().chat.sold_hint } else { t.get().chat.queue_hint };
    view! {
        <p class="hint">{hint}</p>
        {move || items().is_empty().then(|| view! {
            <p class="empty muted">{move || if sold { t.get().chat.no_sold } else { t.get().chat.no_unsold }}</p>
        })}
        <ol class="secret-list" class:sold=sold>
            <For each=items key=|s| (s.id, s.order, s.text.clone(), s.images.clone()) let:secret>
                <SecretRow ctx=ctx secret=secret />
            </For>
        </ol>
    }
}

#[component]
fn SecretRow(ctx: Ctx, secret: pb::InvoiceSecret) -> impl IntoView {
    let t = use_texts();
    let id = secret.id;
    let order = secret.order;
    let payment = api_secrets::payment_of(&secret);
    let sold = payment.is_some();
    let stored = StoredValue::new(secret);
    let shown = move || ctx.revealed.with(|r| r.contains(&id));
    let last = move || {
        ctx.data.with(|d| match d {
            Some(Ok(s)) => s.unsold.last().map(|x| x.id) == Some(id),
            _ => false,
        })
    };
    let first = move || {
        ctx.data.with(|d| match d {
            Some(Ok(s)) => s.unsold.first().map(|x| x.id) == Some(id),
            _ => false,
        })
    };
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
        let secret = stored.get_value();
        ctx.confirming.set(None);
        ctx.run(
            move |s| async move { api_secrets::change(&s, id, Move::Remove).await },
            move |ok| {
                if ok {
                    ctx.removed.set(Some(secret));
                }
            },
        );
    };
    let mv = move |op: Move| move |_| ctx.change(id, op);
    let label = move |f: fn(&Texts) -> &'static str| move || format!("{} #{order}", f(t.get()));
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
                view! { <EditSecret ctx=ctx secret=stored.get_value() /> }.into_any()
            } else {
                let text = text.clone();
                let url = url.clone();
                let images = images.clone();
                view! {
                    <div class="secret-main">
                        {(!sold).then(|| view! { <span class="drag-handle" aria-hidden="true" title=move || t.get().chat.drag_hint>"⠿"</span> })}
                        <span class="secret-order">{if sold { String::from("✓") } else { format!("#{order}") }}</span>
                        <div class="secret-body">
                            {move || if shown() {
                                view! { <p class="secret-text">{text.clone()}</p> }.into_any()
                            } else {
                                view! { <p class="secret-text masked" aria-label=move || t.get().chat.hidden>"•••••••••••••"</p> }.into_any()
                            }}
                            {(n_images > 0).then(|| {
                                let images = images.clone();
                                move || if shown() {
                                    view! { <Thumbs images=images.clone() /> }.into_any()
                                } else {
                                    view! { <p class="muted small">{n_images}" "{move || t.get().chat.images_hidden}</p> }.into_any()
                                }
                            })}
                            {(!url.is_empty()).then(|| view! { <p class="small">"URL: "<span class="mono secret-url">{url.clone()}</span></p> })}
                            {payment.map(|p| view! { <p class="small sold-by">{move || t.get().chat.sold_in_payment}" #"{p}</p> })}
                        </div>
                    </div>
                    <div class="secret-actions">
                        <button type="button" class="button small-button reveal" aria-pressed=move || shown().to_string()
                            on:click=move |_| ctx.revealed.update(|r| { if !r.remove(&id) { r.insert(id); } })>
                            {move || if shown() { t.get().chat.hide } else { t.get().chat.reveal }}
                        </button>
                        <button type="button" class="button small-button" on:click=copy aria-label=label(|t| t.chat.copy)>
                            {move || match ctx.copied.get() {
                                Some((c, true)) if c == id => t.get().chat.copied,
                                Some((c, false)) if c == id => t.get().chat.copy_failed,
                                _ => t.get().chat.copy,
                            }}
                        </button>
                        {(!sold).then(|| view! {
                            <button type="button" class="button small-button edit-button" disabled=move || ctx.busy.get()
                                on:click=move |_| ctx.editing.set(Some(id))>{move || t.get().chat.edit}</button>
                            <span class="move-buttons" role="group" aria-label=label(|t| t.chat.move_group)>
                                <button type="button" class="button icon" aria-label=label(|t| t.chat.move_top) title=move || t.get().chat.move_top
                                    disabled=move || ctx.busy.get() || first() on:click=mv(Move::ToTop)>"⤒"</button>
                                <button type="button" class="button icon" aria-label=label(|t| t.chat.move_up) title=move || t.get().chat.move_up
                                    disabled=move || ctx.busy.get() || first() on:click=mv(Move::ToUp)>"↑"</button>
                                <button type="button" class="button icon" aria-label=label(|t| t.chat.move_down) title=move || t.get().chat.move_down
                                    disabled=move || ctx.busy.get() || last() on:click=mv(Move::ToDown)>"↓"</button>
                                <button type="button" class="button icon" aria-label=label(|t| t.chat.move_bottom) title=move || t.get().chat.move_bottom
                                    disabled=move || ctx.busy.get() || last() on:click=mv(Move::ToBottom)>"⤓"</button>
                            </span>
                            <button type="button" class="button small-button danger" disabled=move || ctx.busy.get()
                                aria-label=label(|t| t.chat.remove) on:click=move |_| ctx.confirming.set(Some(id))>{move || t.get().chat.remove}</button>
                        })}
                    </div>
                    {move || (ctx.confirming.get() == Some(id)).then(|| view! {
                        <div class="confirm" role="alertdialog" aria-label=move || t.get().chat.remove_confirm>
                            <span>{move || t.get().chat.remove_confirm}</span>
                            <button type="button" class="button danger confirm-remove" on:click=remove>{move || t.get().chat.remove}</button>
                            <button type="button" class="button" on:click=move |_| ctx.confirming.set(None)>{move || t.get().inv.cancel}</button>
                        </div>
                    })}
                }.into_any()
            }}
        </li>
    }
}

/// Editing a secret in place: text and images (its place in the queue stays).
#[component]
fn EditSecret(ctx: Ctx, secret: pb::InvoiceSecret) -> impl IntoView {
    let t = use_texts();
    let id = secret.id;
    let text = RwSignal::new(secret.text.clone());
    let images = RwSignal::new(secret.images.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (body, ids) = (text.get_untracked(), images.get_untracked());
        ctx.run(
            move |s| async move { api_secrets::update(&s, id, body, ids, 0).await },
            move |ok| {
                if ok {
                    ctx.editing.set(None);
                }
            },
        );
    };
    view! {
        <form class="form-grid edit-secret" on:submit=save>
            <div class="field">
                <label for=format!("secret-{id}-text")>{move || t.get().chat.secret_text}</label>
                <textarea id=format!("secret-{id}-text") rows="3" prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" { ctx.editing.set(None); }></textarea>
            </div>
            <ImagePicker images=images input_id=format!("secret-{id}-images") label=Signal::derive(move || t.get().chat.images_label) />
            <div class="row">
                <button type="submit" class="button primary" disabled=move || ctx.busy.get()>{move || t.get().chat.save}</button>
                <button type="button" class="button" on:click=move |_| ctx.editing.set(None)>{move || t.get().inv.cancel}</button>
            </div>
        </form>
    }
}

/// The "add a secret" form as typed (a draft, see [`drafts`]).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AddDraft {
    #[prost(string, tag = "1")]
    pub text: String,
    #[prost(string, repeated, tag = "2")]
    pub images: Vec<String>,
    #[prost(string, tag = "3")]
    pub position: String,
}

pub fn add_draft_key(settings: &Settings, invoice: u64) -> String {
    drafts::key(settings, &format!("secret.{invoice}"))
}

/// A bulk import in progress (a draft): the pasted text and what was already created from it,
/// so that after a reload a retry still sends only the rest.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BulkDraft {
    #[prost(string, tag = "1")]
    pub text: String,
    #[prost(message, repeated, tag = "2")]
    pub created: Vec<CreatedLine>,
    /// 1 + the index of the line whose create got no answer (0: none).
    #[prost(uint32, tag = "3")]
    pub unanswered: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct CreatedLine {
    #[prost(uint32, tag = "1")]
    pub line: u32,
    #[prost(string, tag = "2")]
    pub text: String,
    #[prost(string, repeated, tag = "3")]
    pub images: Vec<String>,
}

impl CreatedLine {
    fn of(line: &BulkLine) -> CreatedLine {
        CreatedLine { line: line.line as u32, text: line.text.clone(), images: line.images.clone() }
    }

    fn is(&self, line: &BulkLine) -> bool {
        self.line as usize == line.line && self.text == line.text && self.images == line.images
    }
}

pub fn bulk_draft_key(settings: &Settings, invoice: u64) -> String {
    drafts::key(settings, &format!("bulk.{invoice}"))
}

/// Adding one secret: text, images, position (empty: last).
#[component]
fn AddSecret(ctx: Ctx) -> impl IntoView {
    let t = use_texts();
    let key = add_draft_key(&use_app().settings.get_untracked(), ctx.invoice);
    let draft: AddDraft = drafts::load(&key).unwrap_or_default();
    let text = RwSignal::new(draft.text);
    let images = RwSignal::new(draft.images);
    let position = RwSignal::new(draft.position);
    let picker = RwSignal::new(0u32);
    // Kept while typing; emptied (so removed) once the secret was created.
    Effect::new(move |_| {
        let draft = AddDraft { text: text.get(), images: images.get(), position: position.get() };
        drafts::save(&key, &draft);
    });
    let parsed = move || {
        position.with(|p| if p.trim().is_empty() { Some(0) } else { p.trim().parse::<u32>().ok().filter(|n| *n > 0) })
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(order) = parsed() else { return };
        let (body, ids, invoice) = (text.get_untracked(), images.get_untracked(), ctx.invoice);
        ctx.run(
            move |s| async move { api_secrets::create(&s, invoice, body, ids, order).await },
            move |ok| {
                if ok {
                    text.set(String::new());
                    images.set(Vec::new());
                    position.set(String::new());
                    picker.update(|n| *n += 1);
                }
            },
        );
    };
    view! {
        <details class="add-secret" open>
            <summary>{move || t.get().chat.add_title}</summary>
            <form class="form-grid" on:submit=add>
                <div class="field">
                    <label for="new-secret-text">{move || t.get().chat.secret_text}</label>
                    <textarea id="new-secret-text" rows="3" prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </div>
                {move || { picker.track(); view! {
                    <ImagePicker images=images input_id="new-secret-images" label=Signal::derive(move || t.get().chat.images_label) />
                } }}
                <div class="field narrow-field">
                    <label for="new-secret-position">{move || t.get().chat.position}</label>
                    <input id="new-secret-position" type="number" min="1" inputmode="numeric" prop:value=move || position.get()
                        aria-invalid=move || parsed().is_none().to_string() aria-describedby="new-secret-position-hint"
                        on:input=move |ev| position.set(event_target_value(&ev)) />
                    <span id="new-secret-position-hint" class="muted small">{move || t.get().chat.position_hint}</span>
                </div>
                <div class="row">
                    <button type="submit" class="button primary add-secret-button"
                        disabled=move || ctx.busy.get()>
                        {move || t.get().chat.add}
                    </button>
                </div>
            </form>
        </details>
    }
}

#[derive(Clone, PartialEq)]
enum LineState {
    Ready,
    Invalid(schet_api::FieldError),
    Created,
    Failed(String),
    /// Not tried: an earlier line failed.
    Waiting,
}

/// Bulk import: paste, preview, create in order with progress; a failure stops the run and
/// says which lines were created; a retry sends only the others.
#[component]
fn BulkImport(ctx: Ctx) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let key = StoredValue::new(bulk_draft_key(&app.settings.get_untracked(), ctx.invoice));
    let draft: BulkDraft = key.with_value(|k| drafts::load(k)).unwrap_or_default();
    let restored = !draft.text.trim().is_empty();
    let input = RwSignal::new(draft.text);
    let lines = RwSignal::new(Vec::<(BulkLine, LineState)>::new());
    // The lines created so far: never sent again.
    let created = StoredValue::new(draft.created);
    // Secret ids that existed before or were created by this import.
    let known = StoredValue::new(HashSet::<u64>::new());
    let running = RwSignal::new(false);
    let ambiguous = StoredValue::new(draft.unanswered.checked_sub(1).map(|i| i as usize));
    let save_draft = move || {
        let draft = BulkDraft {
            text: input.get_untracked(),
            created: created.get_value(),
            unanswered: ambiguous.get_value().map_or(0, |i| i as u32 + 1),
        };
        key.with_value(|k| drafts::save(k, &draft));
    };
    let preview = move || {
        let parsed = api_secrets::parse_bulk(&input.get_untracked());
        let done = created.get_value();
        lines.set(
            parsed
                .into_iter()
                .map(|l| {
                    let state = if done.iter().any(|c| c.is(&l)) {
                        LineState::Created
                    } else if let Some(e) = &l.error {
                        LineState::Invalid(e.clone())
                    } else {
                        LineState::Ready
                    };
                    (l, state)
                })
                .collect(),
        );
    };
    if restored {
        preview();
    }
    let set_state = move |i: usize, s: LineState| lines.update(|l| l[i].1 = s);
    let import = move |_| {
        if running.get_untracked() {
            return;
        }
        running.set(true);
        ctx.failure.set(None);
        let settings = app.settings.get_untracked();
        let invoice = ctx.invoice;
        leptos::task::spawn_local(async move {
            let ids = |s: &Secrets| s.unsold.iter().chain(&s.sold).map(|x| x.id).collect::<HashSet<_>>();
            // What is there now (and whether an earlier attempt that lost its answer got through).
            match api_secrets::load(&settings, invoice).await {
                Ok(now) => {
                    if let Some(i) = ambiguous.get_value() {
                        let (line, _) = lines.with_untracked(|l| l[i].clone());
                        let new = now.unsold.iter().find(|s| {
                            !known.with_value(|k| k.contains(&s.id)) && s.text == line.text && s.images == line.images
                        });
                        if let Some(s) = new {
                            known.update_value(|k| {
                                k.insert(s.id);
                            });
                            created.update_value(|c| c.push(CreatedLine::of(&line)));
                            set_state(i, LineState::Created);
                        }
                        ambiguous.set_value(None);
                        save_draft();
                    }
                    known.update_value(|k| k.extend(ids(&now)));
                    ctx.data.set(Some(Ok(now)));
                }
                Err(e) => {
                    ctx.failure.set(Some(e));
                    running.set(false);
                    return;
                }
            }
            let todo: Vec<usize> = lines.with_untracked(|l| {
                l.iter()
                    .enumerate()
                    .filter(|(_, (_, s))| !matches!(s, LineState::Created | LineState::Invalid(_)))
                    .map(|(i, _)| i)
                    .collect()
            });
            todo.iter().for_each(|i| set_state(*i, LineState::Waiting));
            for i in todo {
                let (line, _) = lines.with_untracked(|l| l[i].clone());
                match api_secrets::create(&settings, invoice, line.text.clone(), line.images.clone(), 0).await {
                    Ok(list) => {
                        known.update_value(|k| k.extend(ids(&list)));
                        created.update_value(|c| c.push(CreatedLine::of(&line)));
                        set_state(i, LineState::Created);
                        save_draft();
                        ctx.data.set(Some(Ok(list)));
                    }
                    Err(e) => {
                        if matches!(e, ApiError::Unavailable(_) | ApiError::Other(_)) {
                            ambiguous.set_value(Some(i));
                        }
                        set_state(i, LineState::Failed(error_detail(&e, t.get_untracked())));
                        save_draft();
                        break;
                    }
                }
            }
            // Every line is in: nothing left to keep.
            if lines.with_untracked(|l| l.iter().all(|(_, s)| matches!(s, LineState::Created | LineState::Invalid(_))))
            {
                key.with_value(|k| drafts::clear(k));
            }
            running.set(false);
        });
    };
    let total = move || lines.with(|l| l.iter().filter(|(_, s)| !matches!(s, LineState::Invalid(_))).count());
    let done = move || lines.with(|l| l.iter().filter(|(_, s)| *s == LineState::Created).count());
    let list_of =
        move |f: fn(&LineState) -> bool| lines.with(|l| ranges(l.iter().filter(|(_, s)| f(s)).map(|(b, _)| b.line)));
    let failed = move || {
        lines.with(|l| {
            l.iter().find_map(|(b, s)| if let LineState::Failed(e) = s { Some((b.line, e.clone())) } else { None })
        })
    };
    view! {
        <details class="bulk-import" open=restored>
            <summary>{move || t.get().chat.bulk_title}</summary>
            <div class="form-grid">
                <div class="field">
                    <label for="bulk-input">{move || t.get().chat.bulk_label}</label>
                    <textarea id="bulk-input" rows="6" class="mono" aria-describedby="bulk-hint" prop:value=move || input.get()
                        on:input=move |ev| {
                            input.set(event_target_value(&ev));
                            save_draft();
                        }></textarea>
                    <span id="bulk-hint" class="muted small">{move || t.get().chat.bulk_hint}</span>
                </div>
                <div class="row">
                    <button type="button" class="button bulk-preview" disabled=move || running.get() on:click=move |_| preview()>
                        {move || t.get().chat.preview}
                    </button>
                    {move || (!lines.with(|l| l.is_empty())).then(|| view! {
                        <button type="button" class="button primary bulk-run" disabled=move || running.get() || done() == total() on:click=import>
                            {move || if failed().is_some() { t.get().chat.bulk_retry } else { t.get().chat.bulk_create }}
                            " ("{move || total() - done()}")"
                        </button>
                    })}
                </div>
                {move || (running.get() || done() > 0).then(|| view! {
                    <div class="progress-row">
                        <progress max=move || total().to_string() value=move || done().to_string() aria-labelledby="bulk-progress"></progress>
                        <span id="bulk-progress" role="status">{move || format!("{} {} / {}", t.get().chat.created, done(), total())}</span>
                    </div>
                })}
                {move || failed().map(|(line, e)| view! {
                    <div class="error-banner bulk-report" role="alert">
                        <strong class="error-headline">{move || format!("{} {line}: {e}", t.get().chat.bulk_failed_at)}</strong>
                        <p class="error-detail">{move || format!("{}: {}", t.get().chat.bulk_created_lines, or_none(list_of(|s| *s == LineState::Created), t.get()))}</p>
                        <p class="error-detail">{move || format!("{}: {}", t.get().chat.bulk_not_created, or_none(list_of(|s| matches!(s, LineState::Failed(_) | LineState::Waiting)), t.get()))}</p>
                    </div>
                })}
                {move || (!lines.with(|l| l.is_empty())).then(|| view! {
                    <div class="table-wrap">
                        <table class="data-table bulk-table">
                            <caption class="muted small">{move || t.get().chat.preview}</caption>
                            <thead><tr>
                                <th scope="col">{move || t.get().chat.line}</th>
                                <th scope="col">{move || t.get().chat.secret_text}</th>
                                <th scope="col">{move || t.get().chat.images_label}</th>
                                <th scope="col">{move || t.get().field_status}</th>
                            </tr></thead>
                            <tbody>
                                {move || lines.get().into_iter().map(|(b, s)| {
                                    let t = t.get();
                                    let (class, state) = match s {
                                        LineState::Ready => ("", t.chat.line_ready.to_string()),
                                        LineState::Waiting => ("", t.chat.line_waiting.to_string()),
                                        LineState::Created => ("ok", t.chat.line_created.to_string()),
                                        LineState::Invalid(e) => ("bad", format!("{}: {}", t.chat.line_invalid, crate::i18n::rules::field_error_text(&e, None, t.lang))),
                                        LineState::Failed(e) => ("bad", format!("{}: {e}", t.chat.line_failed)),
                                    };
                                    view! {
                                        <tr class=class>
                                            <td>{b.line}</td>
                                            <td class="bulk-text">{b.text}</td>
                                            <td>{b.images.len()}</td>
                                            <td class="bulk-state">{state}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })}
            </div>
        </details>
    }
}

fn or_none(s: String, t: &Texts) -> String {
    if s.is_empty() { t.chat.none.to_string() } else { s }
}

/// Line numbers as ranges: `1–3, 5, 7–9`.
fn ranges(lines: impl Iterator<Item = usize>) -> String {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for n in lines {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => out.push((n, n)),
        }
    }
    out.iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") }).collect::<Vec<_>>().join(", ")
}

/// The owner's way in from the invoice page.
#[component]
pub fn SecretsLink(invoice: pb::Invoice) -> impl IntoView {
    let t = use_texts();
    let profile = crate::app::use_profile();
    let owner = invoice.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
    let id = invoice.id;
    move || {
        profile.user_id().is_some_and(|me| me == owner).then(|| {
            view! {
                <p class="secrets-link">
                    <a class="button" href=format!("/invoice/{id}/secrets")>{move || t.get().chat.manage_secrets}</a>
                </p>
            }
        })
    }
}
