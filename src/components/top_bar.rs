//! The bar on every page: home, the sections, who is logged in and their balance, language
//! and theme switches, settings; for a guest, "Log in" in place of the account's items.
//! Only common strings: the shell reads no screen's texts.

use crate::components::events_link::EventsLink;
use crate::components::inbox_link::InboxLink;
use crate::components::login::{is_guest, login_here};
use crate::format;
use crate::i18n::{Lang, tr, use_texts};
use crate::settings::Theme;
use crate::state::{Who, use_app, use_profile};
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let profile = use_profile();
    let who = move || match profile.who() {
        Who::User(p) => {
            let balance = p.balance.map(|b| format::btc(Some(&b)));
            view! {
                <span class="who" title=tr(|t| t.logged_in_as)>{p.username}</span>
                {balance.map(|b| view! { <span class="balance muted" title=tr(|t| t.balance_label)>{b}</span> })}
            }
            .into_any()
        }
        Who::Guest | Who::Failed(_) => view! { <span class="who muted">{tr(|t| t.not_logged_in)}</span> }.into_any(),
        Who::Loading => view! { <span class="who muted">"…"</span> }.into_any(),
    };
    // A guest gets "Log in" (and back here) in place of the account's items.
    let guest = is_guest();
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
            <a href="/" class="brand">"Schet"</a>
            <nav class="top-actions">
                <a href="/invoices" class="link-button">{tr(|t| t.nav_invoices)}</a>
                {move || (!guest.get()).then(|| view! {
                    <a href="/merchant" class="link-button">{tr(|t| t.nav_merchant)}</a>
                    <InboxLink />
                    <EventsLink />
                    <a href="/payments" class="link-button">{tr(|t| t.nav_payments)}</a>
                    {who}
                })}
                <button type="button" class="link-button" on:click=toggle_lang>{tr(|t| t.switch_language)}</button>
                <button type="button" class="link-button" on:click=cycle_theme aria-label=tr(|t| t.theme_label)>{theme_text}</button>
                {move || if guest.get() {
                    view! { <a href=login_here() class="button primary log-in">{tr(|t| t.log_in)}</a> }.into_any()
                } else {
                    view! { <a href="/settings" class="link-button">{tr(|t| t.nav_settings)}</a> }.into_any()
                }}
            </nav>
        </header>
    }
}
