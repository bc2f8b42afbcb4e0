//! Writing a message: a text box (Enter sends, Shift+Enter starts a new line), images through
//! [`ImagePicker`](super::ImagePicker), and the draft kept per conversation in the browser.

use crate::components::ImagePicker;
use crate::i18n::TextSignal;
use crate::i18n::chat::tr as tr_chat;
use crate::i18n::{chat::use_texts as use_chat_texts, use_lang};
use crate::storage::Stored;
use crate::tasks::RwSignal;
use crate::tasks::StoredValue;
use leptos::prelude::*;
use schet_api::{limits, validate};
use schet_model::codec::Text;
use schet_model::conversations::Thread;

/// Where `user`'s unsent text of `thread` is kept.
pub fn draft(user: &str, thread: &Thread) -> Stored<Text> {
    Stored::local(format!("schet.chat.draft.{user}.{}", thread.key()))
}

/// Props:
/// * `thread`: the conversation written to (its draft is kept under it).
/// * `me`: my user id (drafts are per user).
/// * `on_send`: gets the text and the image GUIDs; the composer clears itself.
#[component]
pub fn Composer(thread: Thread, me: String, on_send: Callback<(String, Vec<String>)>) -> impl IntoView {
    let tc = use_chat_texts();
    let lang = use_lang();
    let base = format!("msg-{}", thread.key().replace('.', "-"));
    let kept = StoredValue::new(draft(&me, &thread));
    let text = RwSignal::new(kept.with_value(Stored::load).unwrap_or_default());
    let images = RwSignal::new(Vec::<String>::new());
    let picker = RwSignal::new(0u32);
    let error = RwSignal::new(None::<schet_api::FieldError>);
    let save = move |value: &str| kept.with_value(|k| k.save(&value.to_string()));
    let send = move || {
        let body = text.get_untracked().trim().to_string();
        let ids = images.get_untracked();
        if body.is_empty() && ids.is_empty() {
            return;
        }
        if let Err(e) = validate::message(&body, &ids).first() {
            error.set(Some(e));
            return;
        }
        error.set(None);
        on_send.run((body, ids));
        text.set(String::new());
        save("");
        images.set(Vec::new());
        picker.update(|n| *n += 1);
    };
    let count = move || text.with(|s| s.chars().count());
    let (area_id, files_id) = (format!("{base}-text"), format!("{base}-files"));
    let area_id2 = area_id.clone();
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <label for=area_id.clone() class="composer-label">{tr_chat(|t| t.message_label)}</label>
            <textarea id=area_id2 rows="3" maxlength=limits::MESSAGE_TEXT_MAX.to_string()
                aria-describedby=format!("{base}-hint")
                prop:value=move || text.get()
                on:input=move |ev| { let v = event_target_value(&ev); save(&v); text.set(v); }
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send();
                    }
                }></textarea>
            <div class="row spread composer-bar">
                <span id=format!("{base}-hint") class="muted small">{tr_chat(|t| t.enter_hint)}
                    {move || (count() > limits::MESSAGE_TEXT_MAX - 500).then(|| format!(" · {} / {}", count(), limits::MESSAGE_TEXT_MAX))}
                </span>
                <button type="submit" class="button primary"
                    disabled=move || text.with(|s| s.trim().is_empty()) && images.with(|i| i.is_empty())>
                    {tr_chat(|t| t.send)}
                </button>
            </div>
            <details class="attach">
                <summary>{tr_chat(|t| t.attach)}{move || { let n = images.with(|i| i.len()); (n > 0).then(|| format!(" ({n})")) }}</summary>
                {move || { picker.track(); let id = files_id.clone();
                    view! { <ImagePicker images=images input_id=id label=TextSignal::derive(move || tc.get().images_label) /> } }}
            </details>
            {move || error.get().map(|e| view! {
                <p class="field-error" role="alert">{move || crate::i18n::rules::field_error_text(&e, None, lang.get())}</p>
            })}
        </form>
    }
}
