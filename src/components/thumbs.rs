//! Read-only thumbnails of image GUIDs (a secret's or a message's images): the service's
//! previews (GetImage with IsPreview); activating one shows the original in place.

use super::files;
use crate::api;
use crate::i18n::{chat::use_texts as use_chat_texts, use_texts};
use crate::state::use_app;
use crate::tasks::RwSignal;
use leptos::prelude::*;

#[derive(Clone, PartialEq)]
struct Shown {
    id: String,
    preview: Option<String>,
    original: Option<String>,
    large: bool,
    failed: bool,
}

/// Props: `images`, the GUIDs in order.
#[component]
pub fn Thumbs(images: Vec<String>) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let tc = use_chat_texts();
    if images.is_empty() {
        return ().into_any();
    }
    let shown = RwSignal::new(
        images
            .iter()
            .map(|id| Shown { id: id.clone(), preview: None, original: None, large: false, failed: false })
            .collect::<Vec<_>>(),
    );
    let set = move |id: &str, f: &dyn Fn(&mut Shown)| {
        shown.update(|s| s.iter_mut().filter(|x| x.id == id).for_each(f));
    };
    for id in images {
        let settings = app.settings.get_untracked();
        leptos::task::spawn_local(async move {
            match api::images::get(&settings, &id, true).await {
                Ok(bytes) => {
                    let url = files::image_url(&bytes);
                    if shown
                        .try_update(|s| s.iter_mut().filter(|x| x.id == id).for_each(|x| x.preview = url.clone()))
                        .is_none()
                    {
                        url.as_deref().map(files::revoke);
                    }
                }
                Err(_) => set(&id, &|x| x.failed = true),
            }
        });
    }
    let toggle = move |id: String| {
        let need = shown.with_untracked(|s| s.iter().any(|x| x.id == id && x.original.is_none() && !x.large));
        set(&id, &|x| x.large = !x.large);
        if need {
            let settings = app.settings.get_untracked();
            leptos::task::spawn_local(async move {
                if let Ok(bytes) = api::images::get(&settings, &id, false).await {
                    let url = files::image_url(&bytes);
                    set(&id, &|x| x.original = url.clone());
                }
            });
        }
    };
    on_cleanup(move || {
        shown.with_untracked(|s| {
            s.iter().flat_map(|x| [x.preview.as_deref(), x.original.as_deref()]).flatten().for_each(files::revoke)
        })
    });
    view! {
        <ul class="thumbs view-thumbs">
            {move || shown.get().into_iter().enumerate().map(|(i, x)| {
                let id = x.id.clone();
                let alt = format!("{} {}", tc.get().image, i + 1);
                let src = if x.large { x.original.clone().or(x.preview.clone()) } else { x.preview.clone() };
                view! {
                    <li class="thumb" class:large=x.large>
                        {match (src, x.failed) {
                            (Some(src), _) => view! {
                                <button type="button" class="thumb-open" aria-pressed=x.large.to_string()
                                    aria-label=format!("{alt}: {}", tc.get().enlarge) on:click=move |_| toggle(id.clone())>
                                    <img src=src alt=alt.clone() />
                                </button>
                            }.into_any(),
                            (None, true) => view! { <span class="field-error">{tc.get().image_failed}</span> }.into_any(),
                            (None, false) => view! { <span class="muted" role="status">{t.get().loading}</span> }.into_any(),
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
