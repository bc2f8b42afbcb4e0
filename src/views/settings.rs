//! Log in and settings: endpoint and token (checked with GetMyProfile before they are
//! kept), language, theme.

use crate::api;
use crate::components::ErrorView;
use crate::components::field::{Control, Field};
use crate::i18n::{Lang, tr, use_texts};
use crate::settings::{Settings, Theme};
use crate::state::use_app;
use crate::tasks;
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
            if let Some(lang) = lang.as_deref().and_then(Lang::from_code) {
                s.lang = lang;
            }
            if let Some(theme) = theme.as_deref().and_then(Theme::from_code) {
                s.theme = theme;
            }
        });
    }
    let (token, set_token) = signal(if from_link.is_empty() { current.token.clone() } else { from_link.clone() });
    let check = tasks::action(move |candidate: &Settings| {
        let candidate = candidate.clone();
        async move { api::profile::my_profile(&candidate).await.map(|p| (candidate, p.username)) }
    });
    // `&merchant=login`: the merchant section uses this login too (demo links).
    let merchant_login = query.with_untracked(|q| q.get("merchant")).as_deref() == Some("login");
    // Once the service accepted the token, keep it.
    Effect::new(move |_| {
        if let Some(Ok((candidate, _))) = check.value() {
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
        check.clear();
    };
    let outcome = move || match check.value() {
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
                <Field id="settings-endpoint" label=tr(|t| t.endpoint_label) control=Control::Url autocomplete="url"
                    placeholder=|| "https://…".to_string() hint=move || t.get().endpoint_hint.to_string()
                    value=endpoint on_input=Callback::new(move |v: String| set_endpoint.set(v)) />
                <Field id="settings-token" label=tr(|t| t.token_label) control=Control::Secret autocomplete="current-password"
                    hint=move || t.get().token_hint.to_string()
                    value=token on_input=Callback::new(move |v: String| set_token.set(v)) />
                <div class="row">
                    <button type="submit" class="button primary" disabled=move || check.pending()>
                        {move || if check.pending() { t.get().checking } else { t.get().save_and_check }}
                    </button>
                    <button type="button" class="button" on:click=log_out>{tr(|t| t.log_out)}</button>
                </div>
            </form>
            {outcome}
        </section>
    }
}
