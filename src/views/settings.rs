//! Log in and settings: endpoint and token (checked with GetMyProfile before they are
//! kept), language, theme. A login link (`/settings?token=…`, as `cargo xtask run` prints)
//! asks first, naming the account, and its token leaves the address and the history at
//! once, whether it is used or not. `?next=/path` comes back there once logged in.

use crate::api::{self, ApiError};
use crate::components::ErrorView;
use crate::components::field::{Control, Field};
use crate::i18n::{Lang, tr, use_texts};
use crate::nav::use_nav;
use crate::settings::{Settings, Theme};
use crate::state::{AppState, use_app, use_profile};
use crate::tasks;
use crate::tasks::RwSignal;
use crate::tasks::StoredValue;
use leptos::prelude::*;
use schet_api::pb;
use schet_model::login::{query_without, safe_next};

/// What became of a login link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkChoice {
    Asking,
    Accepted,
    Declined,
}

/// Keeps a checked login: the token (and endpoint); with `merchant`, the merchant section
/// uses the same login.
fn keep(app: AppState, candidate: &Settings, merchant: bool) {
    app.update(|s| {
        s.endpoint = candidate.endpoint.clone();
        s.token = candidate.token.clone();
    });
    if merchant {
        app.merchant.update(|m| {
            m.use_login_of(candidate);
            m.save();
        });
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let current = app.settings.get_untracked();
    let (endpoint, set_endpoint) = signal(current.endpoint.clone());
    let (token, set_token) = signal(current.token.clone());
    let nav = use_nav();
    let from_link = nav.query_untracked("token").map(|t| t.trim().to_string()).unwrap_or_default();
    // Where to go back to once logged in (a path of this site only).
    let next = nav.query_untracked("next").and_then(|n| safe_next(&n).map(str::to_string));
    // `&merchant=login`: the merchant section uses this login too (demo links).
    let merchant_login = nav.query_untracked("merchant").as_deref() == Some("login");
    // `?lang=ru&theme=dark` in the link set those too (demo links, screenshots).
    let (lang, theme) = (nav.query_untracked("lang"), nav.query_untracked("theme"));
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
    let coming_back = next.is_some() && from_link.is_empty();
    let go_next = StoredValue::new(move || {
        if let Some(next) = &next {
            nav.go(next, false);
        }
    });

    // A token from a link: out of the address and the history right away (replaceState),
    // then checked, and kept only once the person says so.
    let link = RwSignal::new(LinkChoice::Asking);
    let link_check = tasks::action(move |candidate: &Settings| {
        let candidate = candidate.clone();
        async move { api::profile::my_profile(&candidate).await.map(|p| (candidate, p)) }
    });
    if !from_link.is_empty() {
        let pairs = untrack(|| nav.query());
        let clean = format!("{}{}", untrack(|| nav.path()), query_without(&pairs, &["token"]));
        tasks::effect(move |_| nav.go(&clean, true));
        let mut candidate = current.clone();
        candidate.token = from_link;
        link_check.dispatch(candidate);
    }
    let accept = move |_| {
        if let Some(Ok((candidate, _))) = link_check.value() {
            keep(app, &candidate, merchant_login);
            link.set(LinkChoice::Accepted);
            go_next.with_value(|go| go());
        }
    };

    let check = tasks::action(move |candidate: &Settings| {
        let candidate = candidate.clone();
        async move { api::profile::my_profile(&candidate).await.map(|p| (candidate, p.username)) }
    });
    // Once the service accepted the token typed in, keep it and go back.
    tasks::effect(move |_| {
        if let Some(Ok((candidate, _))) = check.value() {
            keep(app, &candidate, merchant_login);
            go_next.with_value(|go| go());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut candidate = app.settings.get_untracked();
        candidate.endpoint = endpoint.get_untracked().trim().to_string();
        candidate.token = token.get_untracked().trim().to_string();
        check.dispatch(candidate);
    };
    let log_out = move |_| {
        app.update(|s| s.token.clear());
        set_token.set(String::new());
        check.clear();
        link_check.clear();
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
            {move || {
                let value = link_check.value();
                (link_check.pending() || value.is_some())
                    .then(|| view! { <LinkPrompt value=value choice=link accept=Callback::new(accept) /> })
            }}
            {coming_back.then(|| view! { <p class="notice" role="status">{tr(|t| t.login_back_to)}</p> })}
            <p class="muted">{tr(|t| t.settings_intro)}</p>
            <form class="stack" on:submit=submit novalidate>
                <Field id="settings-endpoint" label=tr(|t| t.endpoint_label) control=Control::Url autocomplete="url"
                    placeholder=|| "https://…".to_string() hint=move || t.get().endpoint_hint.to_string()
                    value=move || endpoint.get() on_input=Callback::new(move |v: String| set_endpoint.set(v)) />
                <Field id="settings-token" label=tr(|t| t.token_label) control=Control::Secret autocomplete="current-password"
                    hint=move || t.get().token_hint.to_string()
                    value=move || token.get() on_input=Callback::new(move |v: String| set_token.set(v)) />
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

/// A login link's question: who it would log in as, and whether to. Props: `value`, the
/// link's check (None while it runs); `choice`, what the person decided; `accept`.
#[component]
fn LinkPrompt(
    value: Option<Result<(Settings, pb::MyProfileResponse), ApiError>>,
    choice: RwSignal<LinkChoice>,
    accept: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let profile = use_profile();
    let Some(value) = value else {
        return view! { <p class="notice" role="status">{tr(|t| t.link_checking)}</p> }.into_any();
    };
    let (candidate, who) = match value {
        Ok(ok) => ok,
        Err(e) => {
            return view! {
                <div class="link-login">
                    <ErrorView error=e />
                    <p class="muted">{tr(|t| t.link_removed)}</p>
                </div>
            }
            .into_any();
        }
    };
    let name = who.username.clone();
    let same = app.settings.with_untracked(|s| s.token == candidate.token && s.base_url() == candidate.base_url());
    if same && choice.get_untracked() == LinkChoice::Asking {
        choice.set(LinkChoice::Accepted);
    }
    let now_as = profile.username().filter(|n| *n != name && !same);
    (move || match choice.get() {
        LinkChoice::Accepted => view! {
            <p class="success" role="status">{tr(|t| t.login_ok)}" "<strong>{name.clone()}</strong></p>
        }
        .into_any(),
        LinkChoice::Declined => view! { <p class="notice" role="status">{tr(|t| t.link_declined)}</p> }.into_any(),
        LinkChoice::Asking => {
            let (name, now_as) = (name.clone(), now_as.clone());
            view! {
                <div class="notice link-login" role="alertdialog" aria-labelledby="link-login-question">
                    <p id="link-login-question">{tr(|t| t.link_question)}" "<strong>{name.clone()}</strong>"?"</p>
                    <p class="small">{tr(|t| t.link_warning)}</p>
                    {now_as.map(|n| view! { <p class="small">{tr(|t| t.link_switch)}" "<strong>{n}</strong>"."</p> })}
                    <div class="row">
                        <button type="button" id="login-confirm" class="button primary" on:click=move |_| accept.run(())>
                            {tr(|t| t.link_confirm)}" "{name.clone()}
                        </button>
                        <button type="button" id="login-cancel" class="button" on:click=move |_| choice.set(LinkChoice::Declined)>
                            {tr(|t| t.link_cancel)}
                        </button>
                    </div>
                </div>
            }
            .into_any()
        }
    })
    .into_any()
}
