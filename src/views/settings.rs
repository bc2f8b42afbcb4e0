//! Log in and settings: endpoint and token (checked with GetMyProfile before they are
//! kept), language, theme.

use crate::api;
use crate::components::ErrorView;
use crate::settings::{Settings, tr, use_app, use_texts};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let current = app.settings.get_untracked();
    let (endpoint, set_endpoint) = signal(current.endpoint.clone());
    // A token handed over in the link (`/settings?token=…`, printed by `cargo xtask run`)
    // fills the field; it is kept only once checked.
    let query = use_query_map();
    let from_link = query.with_untracked(|q| q.get("token")).unwrap_or_default();
    // `?lang=ru&theme=dark` in the link set those too (demo links, screenshots).
    let (lang, theme) = query.with_untracked(|q| (q.get("lang"), q.get("theme")));
    if lang.is_some() || theme.is_some() {
        app.update(|s| {
            match lang.as_deref() {
                Some("ru") => s.lang = crate::settings::Lang::Ru,
                Some("en") => s.lang = crate::settings::Lang::En,
                _ => {}
            }
            match theme.as_deref() {
                Some("dark") => s.theme = crate::settings::Theme::Dark,
                Some("light") => s.theme = crate::settings::Theme::Light,
                Some("system") => s.theme = crate::settings::Theme::System,
                _ => {}
            }
        });
    }
    let (token, set_token) = signal(if from_link.is_empty() { current.token.clone() } else { from_link.clone() });
    let check = Action::new_local(move |candidate: &Settings| {
        let candidate = candidate.clone();
        async move { api::profile::my_profile(&candidate).await.map(|p| (candidate, p.username)) }
    });
    // `&merchant=login`: the merchant section uses this login too (demo links).
    let merchant_login = query.with_untracked(|q| q.get("merchant")).as_deref() == Some("login");
    // Once the service accepted the token, keep it.
    Effect::new(move |_| {
        if let Some(Ok((candidate, _))) = check.value().get() {
            app.update(|s| {
                s.endpoint = candidate.endpoint.clone();
                s.token = candidate.token.clone();
            });
            if merchant_login {
                app.merchant.update(|m| {
                    m.use_login_of(&candidate);
                    m.save();
                });
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut candidate = app.settings.get_untracked();
        candidate.endpoint = endpoint.get_untracked().trim().to_string();
        candidate.token = token.get_untracked().trim().to_string();
        check.dispatch(candidate);
    };
    if !from_link.is_empty() {
        let mut candidate = app.settings.get_untracked();
        candidate.token = from_link;
        check.dispatch(candidate);
    }
    let log_out = move |_| {
        app.update(|s| s.token.clear());
        set_token.set(String::new());
        check.value().set(None);
    };
    let outcome = move || match check.value().get() {
        Some(Ok((_, name))) => view! {
            <p class="success" role="status">{tr(|t| t.login_ok)}" "<strong>{name.clone()}</strong></p>
        }
        .into_any(),
        Some(Err(e)) => view! { <ErrorView error=e /> }.into_any(),
        None => ().into_any(),
    };
    view! {
        <section class="page narrow">
            <h1>{tr(|t| t.settings_title)}</h1>
            <p class="muted">{tr(|t| t.settings_intro)}</p>
            <form class="stack" on:submit=submit novalidate>
                <div class="field">
                    <label for="settings-endpoint">{tr(|t| t.endpoint_label)}</label>
                    <input id="settings-endpoint" type="url" autocomplete="url" placeholder="https://…"
                        aria-describedby="settings-endpoint-hint"
                        prop:value=endpoint on:input=move |ev| set_endpoint.set(event_target_value(&ev)) />
                    <small id="settings-endpoint-hint" class="hint">{tr(|t| t.endpoint_hint)}</small>
                </div>
                <div class="field">
                    <label for="settings-token">{tr(|t| t.token_label)}</label>
                    <input id="settings-token" type="password" autocomplete="current-password"
                        aria-describedby="settings-token-hint"
                        prop:value=token on:input=move |ev| set_token.set(event_target_value(&ev)) />
                    <small id="settings-token-hint" class="hint">{tr(|t| t.token_hint)}</small>
                </div>
                <div class="row">
                    <button type="submit" class="button primary" disabled=move || check.pending().get()>
                        {move || if check.pending().get() { t.get().checking } else { t.get().save_and_check }}
                    </button>
                    <button type="button" class="button" on:click=log_out>{tr(|t| t.log_out)}</button>
                </div>
            </form>
            {outcome}
        </section>
    }
}
