//! Where a guest meets a screen that needs a login: the way to log in and come back to the
//! same place ([`LoginPrompt`], [`login_here`]), and [`LoginGate`], which shows that instead
//! of any screen a guest may not use (what they may: `schet_model::address::Screen::open_to_guests`).

use crate::i18n::TextSignal;
use crate::i18n::{tr, use_texts};
use crate::nav::use_nav;
use crate::state::use_app;
use crate::tasks::Memo;
use crate::tasks::Signal;
use leptos::prelude::*;
use schet_model::login::login_href;

/// The login page, coming back here (this path and query) afterwards, as a link's `href`.
pub fn login_here() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let nav = use_nav();
    move || {
        let search = nav.search();
        let query = if search.is_empty() { search } else { format!("?{search}") };
        login_href(&format!("{}{query}", nav.path()))
    }
}

/// Nobody is logged in (no token).
pub fn is_guest() -> Signal<bool> {
    let app = use_app();
    Signal::derive(move || app.settings.with(|s| s.token.trim().is_empty()))
}

/// "You need to log in to see this page" with a way to log in and come back. Not an error:
/// nothing went wrong. Props: `text`, said first (default: that this page needs a login).
#[component]
pub fn LoginPrompt(#[prop(optional, into)] text: Option<TextSignal>) -> impl IntoView {
    let t = use_texts();
    let text = text.unwrap_or_else(|| TextSignal::derive(move || t.get().login_needed));
    view! {
        <div class="notice login-prompt" role="status">
            <span>{move || text.get()}</span>
            <a href=login_here() class="button primary">{tr(|t| t.log_in)}</a>
        </div>
    }
}

/// Shows `children` (the screens), or to a guest on a screen that is someone's own, a
/// [`LoginPrompt`] in its place.
#[component]
pub fn LoginGate(children: ChildrenFn) -> impl IntoView {
    let nav = use_nav();
    let guest = is_guest();
    let refused = Memo::new(move |_| guest.get() && !nav.route().screen.open_to_guests());
    move || {
        if refused.get() {
            view! { <section class="page narrow login-gate"><LoginPrompt /></section> }.into_any()
        } else {
            children().into_any()
        }
    }
}
