//! The attachment component used by invoices, secrets and chat: drag-and-drop or file
//! picker, type and size checked in the browser, a new GUID per image, StoreImage with a
//! visible state per image, thumbnails from the service's previews, pasting an existing
//! GUID, remove and reorder (keyboard-usable buttons).

use super::{Rows, error_view::error_detail, files};
use crate::api::{self, ApiError};
use crate::i18n::TextSignal;
use crate::i18n::invoices::{tr as tr_inv, use_texts as use_inv_texts};
use crate::i18n::{rules::rule_text, use_texts};
use crate::state::use_app;
use crate::tasks::RwSignal;
use crate::tasks::Signal;
use leptos::prelude::*;
use schet_api::{Guid, Rule, limits};

/// Why an image is not attached, worded when shown (in the language of the moment).
#[derive(Clone, PartialEq)]
enum Problem {
    /// The browser could not read the file.
    Unreadable,
    Rule(Rule),
    Service(ApiError),
}

#[derive(Clone, PartialEq)]
enum State {
    Uploading,
    Ready,
    Failed(Problem),
}

#[derive(Clone, PartialEq)]
struct Slot {
    /// Unique per slot (a GUID, or a local key for a file that failed before getting one).
    id: String,
    name: String,
    state: State,
    url: Option<String>,
}

/// Props:
/// * `images`: the GUIDs attached, in order (only uploaded, readable ones).
/// * `input_id`: id of the file input (for the label and tests).
/// * `label`: the field's label.
/// * `error`: a rule broken by the list, shown under it.
#[component]
pub fn ImagePicker(
    images: RwSignal<Vec<String>>,
    #[prop(into)] input_id: String,
    #[prop(into)] label: TextSignal,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let ti = use_inv_texts();
    let slots = RwSignal::new(Vec::<Slot>::new());
    let sync = move || {
        let ready: Vec<String> =
            slots.with_untracked(|s| s.iter().filter(|s| s.state == State::Ready).map(|s| s.id.clone()).collect());
        if images.with_untracked(|i| *i != ready) {
            images.set(ready);
        }
    };
    let set_slot = move |id: &str, f: &dyn Fn(&mut Slot)| {
        // The picker may be gone when an upload finishes.
        slots.try_update(|s| {
            if let Some(slot) = s.iter_mut().find(|s| s.id == id) {
                f(slot);
            }
        });
        sync();
    };
    // Shows an existing GUID: fetch its preview.
    let show_existing = move |id: String| {
        slots.update(|s| s.push(Slot { id: id.clone(), name: id.clone(), state: State::Ready, url: None }));
        let settings = app.settings.get_untracked();
        leptos::task::spawn_local(async move {
            match api::images::get(&settings, &id, true).await {
                Ok(bytes) => set_slot(&id, &|s| s.url = files::image_url(&bytes)),
                Err(e) => set_slot(&id, &|s| s.state = State::Failed(Problem::Service(e.clone()))),
            }
        });
    };
    for id in images.get_untracked() {
        show_existing(id);
    }
    let upload = move |file: web_sys::File| {
        let settings = app.settings.get_untracked();
        let name = file.name();
        leptos::task::spawn_local(async move {
            let id = api::images::new_guid().to_string();
            let bytes = match files::bytes(&file).await {
                Ok(b) => b,
                Err(_) => {
                    let state = State::Failed(Problem::Unreadable);
                    slots.update(|s| s.push(Slot { id: id.clone(), name, state, url: None }));
                    return;
                }
            };
            let problem = if files::sniff_image(&bytes).is_none() {
                Some(Rule::ImageType)
            } else if bytes.len() > limits::IMAGE_MAX_BYTES {
                Some(Rule::FileTooLarge { max: limits::IMAGE_MAX_BYTES as u64, has: bytes.len() as u64 })
            } else {
                None
            };
            if let Some(rule) = problem {
                slots.update(|s| s.push(Slot { id, name, state: State::Failed(Problem::Rule(rule)), url: None }));
                return;
            }
            if slots.with_untracked(|s| s.len()) >= limits::IMAGES_MAX {
                return;
            }
            slots.update(|s| {
                s.push(Slot { id: id.clone(), name, state: State::Uploading, url: files::image_url(&bytes) })
            });
            let guid: Guid = id.parse().expect("made here");
            match api::images::store(&settings, guid, bytes).await {
                Ok(_) => set_slot(&id, &|s| s.state = State::Ready),
                Err(e) => set_slot(&id, &|s| s.state = State::Failed(Problem::Service(e.clone()))),
            }
        });
    };
    let remove = move |id: String| {
        slots.update(|s| {
            if let Some(url) = s.iter().find(|x| x.id == id).and_then(|x| x.url.clone()) {
                files::revoke(&url);
            }
            s.retain(|x| x.id != id);
        });
        sync();
    };
    let shift = move |id: String, by: isize| {
        slots.update(|s| {
            if let Some(i) = s.iter().position(|x| x.id == id) {
                let j = i as isize + by;
                if j >= 0 && (j as usize) < s.len() {
                    s.swap(i, j as usize);
                }
            }
        });
        sync();
    };
    on_cleanup(move || {
        slots.with_untracked(|s| s.iter().filter_map(|x| x.url.as_deref()).for_each(files::revoke));
    });
    let over = RwSignal::new(false);
    let pasted = RwSignal::new(String::new());
    let paste_error = RwSignal::new(None::<Rule>);
    let add_pasted = move || {
        let text = pasted.get_untracked().trim().to_string();
        match text.parse::<Guid>() {
            Ok(g) if slots.with_untracked(|s| s.iter().any(|x| x.id == g.to_string())) => pasted.set(String::new()),
            Ok(g) => {
                paste_error.set(None);
                pasted.set(String::new());
                show_existing(g.to_string());
                sync();
            }
            Err(e) => paste_error.set(Some(e.into())),
        }
    };
    let guid_input = format!("{input_id}-guid");
    let guid_input2 = guid_input.clone();
    let input_id2 = input_id.clone();
    view! {
        <div class="field image-picker">
            <label for=input_id.clone()>{move || label.get()}</label>
            <div class="dropzone" class:over=move || over.get()
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); over.set(true); }
                on:dragleave=move |_| over.set(false)
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    over.set(false);
                    files::from_drop(&ev).into_iter().for_each(upload);
                }>
                <p class="muted">{tr_inv(|t| t.drop_here)}</p>
                <input id=input_id2 type="file" multiple accept="image/png,image/jpeg,image/webp,image/gif"
                    on:change=move |ev| files::from_input(&ev).into_iter().for_each(upload) />
            </div>
            <ul class="thumbs">
                <Rows each=move || slots.get() key=|s| (s.id.clone(), s.url.clone(), matches!(s.state, State::Ready)) let:slot>
                    {
                        let id = slot.id.clone();
                        let (id2, id3) = (id.clone(), id.clone());
                        let status = match &slot.state {
                            State::Uploading => view! { <span role="status">{tr_inv(|t| t.uploading)}</span> }.into_any(),
                            State::Ready => view! { <span class="mono">{slot.id[..8].to_string()}</span> }.into_any(),
                            State::Failed(problem) => {
                                let problem = problem.clone();
                                let words = move || {
                                    let why = match &problem {
                                        Problem::Unreadable => ti.get().file_unreadable.to_string(),
                                        Problem::Rule(r) => rule_text(r, t.get().lang),
                                        Problem::Service(e) => error_detail(e, t.get()),
                                    };
                                    format!("{}: {why}", ti.get().upload_failed)
                                };
                                view! { <span class="field-error">{words}</span> }.into_any()
                            }
                        };
                        view! {
                            <li class="thumb">
                                {slot.url.clone().map(|u| view! { <img src=u alt=slot.name.clone() /> })}
                                {status}
                                <span class="thumb-actions">
                                    <button type="button" class="link-button" aria-label=tr_inv(|t| t.move_left) on:click=move |_| shift(id.clone(), -1)>"←"</button>
                                    <button type="button" class="link-button" aria-label=tr_inv(|t| t.move_right) on:click=move |_| shift(id2.clone(), 1)>"→"</button>
                                    <button type="button" class="link-button" aria-label=tr_inv(|t| t.remove) on:click=move |_| remove(id3.clone())>"×"</button>
                                </span>
                            </li>
                        }
                    }
                </Rows>
            </ul>
            <div class="inline-form">
                <label for=guid_input class="muted">{tr_inv(|t| t.paste_guid)}</label>
                <input id=guid_input2 type="text" class="mono" autocomplete="off" prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); add_pasted(); } />
                <button type="button" class="button" on:click=move |_| add_pasted()>{tr_inv(|t| t.add)}</button>
            </div>
            {move || paste_error.get().map(|r| view! { <p class="field-error">{move || rule_text(&r, t.get().lang)}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}
