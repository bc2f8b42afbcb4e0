//! The bar on every page: home, who is logged in, language and theme switches, settings.

use crate::api;
use crate::settings::{Lang, Theme, use_app, use_texts};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TopBar() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    // Who am I, refetched whenever the endpoint or token changes.
    let profile = LocalResource::new(move || {
        let settings = app.settings.get();
        async move { if settings.token.is_empty() { None } else { Some(api::profile::my_profile(&settings).await) } }
    });
    let who = move || match profile.get() {
        Some(Some(Ok(p))) => {
            view! { <span class="who" title=move || t.get().logged_in_as>{p.username}</span> }.into_any()
        }
        Some(Some(Err(_))) | Some(None) => {
            view! { <span class="who muted">{move || t.get().not_logged_in}</span> }.into_any()
        }
        None => view! { <span class="who muted">"…"</span> }.into_any(),
    };
    let toggle_lang = move |_| app.update(|s| s.lang = if s.lang == Lang::En { Lang::Ru } else { Lang::En });
    let cycle_theme = move |_| app.update(|s| s.theme = s.theme.next());
    let theme_text = move || {
        let t = t.get();
        match app.settings.with(|s| s.theme) {
            Theme::System => t.theme_system,
            Theme::Light => t.theme_light,
            Theme::Dark => t.theme_dark,
        }
    };
    view! {
        <header class="top-bar">
            <A href="/" attr:class="brand">"Schet"</A>
            <nav class="top-actions">
                {who}
                <button type="button" class="link-button" on:click=toggle_lang>{move || t.get().switch_language}</button>
                <button type="button" class="link-button" on:click=cycle_theme aria-label=move || t.get().theme_label>{theme_text}</button>
                <A href="/settings" attr:class="link-button">{move || t.get().nav_settings}</A>
            </nav>
        </header>
    }
}
