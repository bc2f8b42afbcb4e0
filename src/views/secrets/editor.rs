//! Writing one secret: adding a new one (kept as a draft while typed) and editing one in
//! place.

use super::{Change, Ctx};
use crate::components::ImagePicker;
use crate::components::field::{Control, Field};
use crate::i18n::chat::{tr as tr_chat, use_texts as use_chat_texts};
use crate::i18n::{rules::rule_text, use_lang};
use crate::settings::Settings;
use crate::state::use_app;
use crate::storage::Stored;
use crate::tasks::RwSignal;
use crate::tasks::Signal;
use crate::tasks::StoredValue;
use leptos::prelude::*;
use schet_api::{Rule, pb};
use schet_model::codec::Proto;

/// Editing a secret in place: text and images (its place in the queue stays).
#[component]
pub(super) fn EditSecret(ctx: Ctx, secret: pb::InvoiceSecret) -> impl IntoView {
    let id = secret.id;
    let text = RwSignal::new(secret.text.clone());
    let images = RwSignal::new(secret.images.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ctx.change.dispatch(Change::Edit { id, text: text.get_untracked(), images: images.get_untracked() });
    };
    let area = format!("secret-{id}-text");
    view! {
        <form class="form-grid edit-secret" on:submit=save>
            <div class="field">
                <label for=area.clone()>{tr_chat(|t| t.secret_text)}</label>
                <textarea id=area rows="3" prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" { ctx.editing.set(None); }></textarea>
            </div>
            <ImagePicker images=images input_id=format!("secret-{id}-images") label=tr_chat(|t| t.images_label) />
            <div class="row">
                <button type="submit" class="button primary" disabled=move || ctx.busy()>{tr_chat(|t| t.save)}</button>
                <button type="button" class="button" on:click=move |_| ctx.editing.set(None)>{tr_chat(|t| t.cancel)}</button>
            </div>
        </form>
    }
}

/// The "add a secret" form as typed (a draft).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AddDraft {
    #[prost(string, tag = "1")]
    pub text: String,
    #[prost(string, repeated, tag = "2")]
    pub images: Vec<String>,
    #[prost(string, tag = "3")]
    pub position: String,
}

/// Where the "add a secret" draft of `invoice` is kept for this login.
pub fn add_draft(settings: &Settings, invoice: u64) -> Stored<Proto<AddDraft>> {
    settings.draft(&format!("secret.{invoice}"))
}

/// Adding one secret: text, images, position (empty: last).
#[component]
pub(super) fn AddSecret(ctx: Ctx) -> impl IntoView {
    let tc = use_chat_texts();
    let lang = use_lang();
    let kept = StoredValue::new(add_draft(&use_app().settings.get_untracked(), ctx.invoice));
    let draft: AddDraft = kept.with_value(Stored::load).unwrap_or_default();
    let text = RwSignal::new(draft.text);
    let images = RwSignal::new(draft.images);
    let position = RwSignal::new(draft.position);
    let picker = RwSignal::new(0u32);
    // Kept while typing; emptied (so removed) once the secret was created.
    crate::tasks::effect(move |_| {
        let draft = AddDraft { text: text.get(), images: images.get(), position: position.get() };
        kept.with_value(|k| k.save(&draft));
    });
    let parsed = move || {
        position.with(|p| if p.trim().is_empty() { Some(0) } else { p.trim().parse::<u32>().ok().filter(|n| *n > 0) })
    };
    let position_error =
        Signal::derive(move || parsed().is_none().then(|| rule_text(&Rule::AtLeast { min: 1 }, lang.get())));
    // Created: the form starts afresh (changes finished before this form was made are not
    // its own).
    let made_at = untrack(|| ctx.change.version());
    crate::tasks::effect(move |_| {
        if ctx.change.version() <= made_at {
            return;
        }
        if let Some((Change::Add { .. }, Ok(_))) = untrack(|| ctx.change.value()) {
            text.set(String::new());
            images.set(Vec::new());
            position.set(String::new());
            picker.update(|n| *n += 1);
        }
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(order) = parsed() else { return };
        ctx.change.dispatch(Change::Add { text: text.get_untracked(), images: images.get_untracked(), order });
    };
    view! {
        <details class="add-secret" open>
            <summary>{tr_chat(|t| t.add_title)}</summary>
            <form class="form-grid" on:submit=add>
                <Field id="new-secret-text" label=tr_chat(|t| t.secret_text) control=Control::Area rows=3
                    value=text on_input=Callback::new(move |v: String| text.set(v)) />
                {move || { picker.track(); view! {
                    <ImagePicker images=images input_id="new-secret-images" label=tr_chat(|t| t.images_label) />
                } }}
                <Field id="new-secret-position" label=tr_chat(|t| t.position) control=Control::Number class="narrow-field"
                    hint=move || tc.get().position_hint.to_string() error=position_error
                    value=position on_input=Callback::new(move |v: String| position.set(v)) />
                <div class="row">
                    <button type="submit" class="button primary add-secret-button" disabled=move || ctx.busy()>
                        {tr_chat(|t| t.add)}
                    </button>
                </div>
            </form>
        </details>
    }
}
