//! The secrets manager of one invoice (`/invoice/:id/secrets`, owner only): the sale queue
//! and the sold ones; add, edit in place, move (buttons and drag-and-drop), remove with undo,
//! bulk import. Every change answers with the whole list, and that list is what is shown.

mod bulk;
mod editor;
mod row;

pub use bulk::bulk_draft;
pub use editor::{AddDraft, add_draft};

use crate::api::ApiError;
use crate::api::secrets::{self as api_secrets, Move, Secrets};
use crate::components::ErrorView;
use crate::i18n::chat::{ChatTexts, tr as tr_chat, use_texts as use_chat_texts};
use crate::i18n::tr;
use crate::nav;
use crate::state::{use_app, use_live};
use crate::tasks;
use crate::tasks::{Act, Resource};
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use schet_api::pb;
use std::collections::HashSet;

/// The `/invoice/:id/secrets` route.
#[component]
pub fn SecretsPage() -> impl IntoView {
    let id = nav::path_number();
    move || match id.get() {
        Some(id) => view! { <SecretsManager id=id /> }.into_any(),
        None => view! { <p class="page">{tr(|t| t.invoice_id_rule)}</p> }.into_any(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    /// No list could be read.
    Failed(ApiError),
    Loaded,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Unsold,
    Sold,
}

/// A change to the list. Each answers with the whole list.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// A new secret at queue position `order` (0: last).
    Add {
        text: String,
        images: Vec<String>,
        order: u32,
    },
    /// New text and images (the place stays).
    Edit {
        id: u64,
        text: String,
        images: Vec<String>,
    },
    Move {
        id: u64,
        op: Move,
    },
    /// Dragged onto another: takes its Order.
    Drop {
        secret: pb::InvoiceSecret,
        order: u32,
    },
    Remove(pb::InvoiceSecret),
    /// A removed secret back at its old place.
    Undo(pb::InvoiceSecret),
}

/// Everything the rows share.
#[derive(Clone, Copy)]
struct Ctx {
    invoice: u64,
    load: Resource<Result<Secrets, ApiError>>,
    /// The list shown: the last one read or answered (a failed background read keeps it).
    data: Memo<Option<Secrets>>,
    change: Act<Change, (Change, Result<Secrets, ApiError>)>,
    revealed: RwSignal<HashSet<u64>>,
    editing: RwSignal<Option<u64>>,
    confirming: RwSignal<Option<u64>>,
    copied: RwSignal<Option<(u64, bool)>>,
    removed: RwSignal<Option<pb::InvoiceSecret>>,
    dragged: RwSignal<Option<u64>>,
    over: RwSignal<Option<u64>>,
}

impl Ctx {
    fn new(invoice: u64) -> Ctx {
        let app = use_app();
        let load = tasks::resource(move || {
            let settings = app.settings.get();
            async move { api_secrets::load(&settings, invoice).await }
        });
        let data = Memo::new(move |last: Option<&Option<Secrets>>| match load.get() {
            Some(Ok(s)) => Some(s),
            _ => last.cloned().flatten(),
        });
        let (editing, removed) = (RwSignal::new(None), RwSignal::new(None));
        let change = tasks::action(move |change: &Change| {
            let (change, settings) = (change.clone(), app.settings.get_untracked());
            async move {
                let s = &settings;
                let result = match change.clone() {
                    Change::Add { text, images, order } => api_secrets::create(s, invoice, text, images, order).await,
                    Change::Edit { id, text, images } => api_secrets::update(s, id, text, images, 0).await,
                    Change::Move { id, op } => api_secrets::change(s, id, op).await,
                    Change::Drop { secret, order } => {
                        api_secrets::update(s, secret.id, secret.text, secret.images, order).await
                    }
                    Change::Remove(secret) => api_secrets::change(s, secret.id, Move::Remove).await,
                    Change::Undo(secret) => {
                        api_secrets::create(s, invoice, secret.text, secret.images, secret.order).await
                    }
                };
                // What a change does besides showing its answer.
                if let Ok(list) = &result {
                    load.set(Ok(list.clone()));
                    match &change {
                        Change::Edit { .. } => editing.set(None),
                        Change::Remove(secret) => removed.set(Some(secret.clone())),
                        Change::Undo(_) => removed.set(None),
                        Change::Add { .. } | Change::Move { .. } | Change::Drop { .. } => {}
                    }
                }
                (change, result)
            }
        });
        Ctx {
            invoice,
            load,
            data,
            change,
            revealed: RwSignal::new(HashSet::new()),
            editing,
            confirming: RwSignal::new(None),
            copied: RwSignal::new(None),
            removed,
            dragged: RwSignal::new(None),
            over: RwSignal::new(None),
        }
    }

    fn busy(self) -> bool {
        self.change.pending()
    }

    /// A list the service answered with: what is shown from now on.
    fn show(self, list: Secrets) {
        self.load.set(Ok(list));
    }

    fn unsold(self) -> Vec<pb::InvoiceSecret> {
        self.data.with_untracked(|d| d.as_ref().map(|s| s.unsold.clone()).unwrap_or_default())
    }

    /// A drop of `dragged` on `target`: an UpdateInvoiceSecret with the target's Order.
    fn drop_on(self, dragged: u64, target: u64) {
        self.over.set(None);
        self.dragged.set(None);
        let queue = self.unsold();
        let order = schet_model::queue::drop_order(&queue, dragged, target);
        if let (Some(order), Some(secret)) = (order, queue.into_iter().find(|s| s.id == dragged)) {
            self.change.dispatch(Change::Drop { secret, order });
        }
    }
}

/// Loads and manages the secrets of invoice `id`.
#[component]
pub fn SecretsManager(id: u64) -> impl IntoView {
    let tc = use_chat_texts();
    let live = use_live();
    let ctx = Ctx::new(id);
    let tab = RwSignal::new(Tab::Unsold);
    let failure = move || match ctx.change.value() {
        Some((_, Err(e))) if !ctx.busy() => Some(e),
        _ => None,
    };
    // A purchase of this invoice moves secrets to "sold": read again when one is reported.
    tasks::effect(move |_| {
        let concerns = live.last_event.with(|e| match e.as_ref().and_then(|e| e.payload.as_ref()) {
            Some(pb::event::Payload::Payment(p)) => p.invoice.as_ref().is_none_or(|i| i.id == id),
            Some(pb::event::Payload::Invoice(i)) => i.id == id,
            _ => false,
        });
        if concerns && !untrack(|| ctx.busy()) {
            ctx.load.refetch();
        }
    });
    // Loading, failed (with no list to show), or loaded: the page's frame changes only with
    // this, so typing and imports survive every new list.
    let phase = Memo::new(move |_| {
        if ctx.data.with(Option::is_some) {
            Phase::Loaded
        } else {
            match ctx.load.get() {
                Some(Err(e)) => Phase::Failed(e),
                _ => Phase::Loading,
            }
        }
    });
    let counts = move || ctx.data.with(|d| d.as_ref().map_or((0, 0), |s| (s.unsold.len(), s.sold.len())));
    let all_revealed = move || {
        ctx.data.with(|d| match d {
            Some(s) => !s.unsold.is_empty() && ctx.revealed.with(|r| s.ids().all(|id| r.contains(&id))),
            None => false,
        })
    };
    let reveal_all = move |_| {
        let show = !all_revealed();
        ctx.revealed.update(|r| {
            r.clear();
            if show {
                ctx.data.with_untracked(|d| r.extend(d.iter().flat_map(|s| s.ids())));
            }
        });
    };
    let tab_button =
        move |which: Tab, id: &'static str, panel: &'static str, label: fn(&'static ChatTexts) -> &'static str| {
            let count = move || if which == Tab::Unsold { counts().0 } else { counts().1 };
            view! {
                <button type="button" role="tab" class="tab" id=id aria-controls=panel
                    aria-selected=move || (tab.get() == which).to_string() on:click=move |_| tab.set(which)>
                    {tr_chat(label)}" ("{count}")"
                </button>
            }
        };
    let loaded = move || {
        view! {
            <div class="row spread">
                <div class="tabs" role="tablist">
                    {tab_button(Tab::Unsold, "tab-unsold", "panel-unsold", |t| t.tab_unsold)}
                    {tab_button(Tab::Sold, "tab-sold", "panel-sold", |t| t.tab_sold)}
                </div>
                <button type="button" class="button" aria-pressed=move || all_revealed().to_string() on:click=reveal_all>
                    {move || if all_revealed() { tc.get().hide_all } else { tc.get().reveal_all }}
                </button>
            </div>
            <UndoBar ctx=ctx />
            {move || failure().map(|e| view! { <ErrorView error=e /> })}
            <div id="panel-unsold" role="tabpanel" aria-labelledby="tab-unsold" hidden=move || tab.get() != Tab::Unsold>
                <row::SecretList ctx=ctx sold=false />
                <editor::AddSecret ctx=ctx />
                <bulk::BulkImport ctx=ctx />
            </div>
            <div id="panel-sold" role="tabpanel" aria-labelledby="tab-sold" hidden=move || tab.get() != Tab::Sold>
                <row::SecretList ctx=ctx sold=true />
            </div>
        }
    };
    view! {
        <section class="page secrets" aria-busy=move || (ctx.data.with(Option::is_none) || ctx.busy()).to_string()>
            <div class="row spread">
                <h1>{tr_chat(|t| t.secrets_title)}" #"{id}</h1>
                <div class="row">
                    <a class="button" href=format!("/invoice/{id}")>{tr_chat(|t| t.back_to_invoice)}</a>
                    <button type="button" class="button" on:click=move |_| ctx.load.refetch()>{tr(|t| t.refresh)}</button>
                </div>
            </div>
            // Not a <Transition>: the frame must outlive every new list (typing, an import
            // running), so it follows `phase` only.
            {move || match phase.get() {
                Phase::Failed(ApiError::PermissionDenied(_) | ApiError::NotFound(_)) => view! {
                    <div class="error-banner not-yours" role="alert">
                        <strong class="error-headline">{tr_chat(|t| t.not_yours)}</strong>
                        <p class="error-detail">{tr_chat(|t| t.not_yours_detail)}</p>
                        <a class="button" href=format!("/invoice/{id}")>{tr_chat(|t| t.back_to_invoice)}</a>
                    </div>
                }.into_any(),
                Phase::Failed(e) => view! { <ErrorView error=e on_retry=Callback::new(move |()| ctx.load.refetch()) /> }.into_any(),
                Phase::Loading => view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }.into_any(),
                Phase::Loaded => loaded().into_any(),
            }}
        </section>
    }
}

/// "Removed — Undo": re-creates the removed secret at its old position.
#[component]
fn UndoBar(ctx: Ctx) -> impl IntoView {
    move || {
        ctx.removed.get().map(|s| {
            let order = s.order;
            view! {
                <div class="notice undo" role="status">
                    <span>{tr_chat(|t| t.removed)}" #"{order}</span>
                    <div class="row">
                        <button type="button" class="button primary undo-button" disabled=move || ctx.busy()
                            on:click=move |_| { ctx.change.dispatch(Change::Undo(s.clone())); }>
                            {tr_chat(|t| t.undo)}
                        </button>
                        <button type="button" class="button" on:click=move |_| ctx.removed.set(None)>{tr_chat(|t| t.dismiss)}</button>
                    </div>
                </div>
            }
        })
    }
}
