//! Where the app is, and going elsewhere, with or without the router.
//!
//! A shared link's page (`/invoice/:id`) is shown before the router is there: in the split
//! release build the router and every other screen are in the lazy module `screens` (see
//! `app.rs`), which the first view does without. So what that page and the shell need of the
//! address goes through [`Nav`]:
//! * before the router: the address as the page was opened. A click on one of the app's
//!   own links, or [`Nav::go`] to another page, pushes the new address and brings the
//!   router in, which shows it. A new query on the same page (`?buy=N` dropped) only
//!   changes the address.
//! * with the router: [`Follow`], mounted inside it, makes [`Nav`] read the router's own
//!   location (so that what depends on the address changes with the router's page, in the
//!   same turn) and sends [`Nav::go`] through the router.
//!
//! Links are plain `<a href>`: the router takes clicks on them from the whole window, and
//! before the router this module does.

use leptos::prelude::*;
use schet_model::address;
use std::sync::Arc;

type Go = Arc<dyn Fn(&str, bool) + Send + Sync>;

/// The address as the app sees it; in the context (provided by `AppShell`).
#[derive(Clone, Copy)]
pub struct Nav {
    path: RwSignal<String>,
    /// The query, without its `?`.
    search: RwSignal<String>,
    /// The router is there (or on its way): it shows the page.
    routed: RwSignal<bool>,
    /// How the router goes to an address (once [`Follow`] is mounted).
    router_go: StoredValue<Option<Go>>,
    /// The router's path and query (once [`Follow`] is mounted): read in place of `path`
    /// and `search`.
    router_at: RwSignal<Option<(Memo<String>, Memo<String>)>>,
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

impl Nav {
    /// Reads the address the page was opened at and provides the [`Nav`]; without the
    /// router if it is an invoice's page. Until the router is there, clicks on the app's
    /// links are taken here (the listener goes with the calling owner).
    pub fn provide() -> Nav {
        let path = location().and_then(|l| l.pathname().ok()).unwrap_or_else(|| "/".into());
        let search = location().and_then(|l| l.search().ok()).unwrap_or_default();
        let nav = Nav {
            routed: RwSignal::new(!address::is_invoice_page(&path)),
            path: RwSignal::new(path),
            search: RwSignal::new(search.trim_start_matches('?').to_string()),
            router_go: StoredValue::new(None),
            router_at: RwSignal::new(None),
        };
        provide_context(nav);
        let clicks = window_event_listener(leptos::ev::click, move |ev| nav.take_click(&ev));
        on_cleanup(move || clicks.remove());
        nav
    }

    /// The path (tracked).
    pub fn path(&self) -> String {
        match self.router_at.get() {
            Some((path, _)) => path.get(),
            None => self.path.get(),
        }
    }

    /// The query, without its `?` (tracked).
    pub fn search(&self) -> String {
        match self.router_at.get() {
            Some((_, search)) => search.get().trim_start_matches('?').to_string(),
            None => self.search.get(),
        }
    }

    /// The value of `key` in the query, not tracked.
    pub fn query_untracked(&self, key: &str) -> Option<String> {
        untrack(|| address::query_value(&self.search(), key))
    }

    /// Whether the router shows the page (tracked): false only on a shared link's page as
    /// it was opened.
    pub fn routed(&self) -> bool {
        self.routed.get()
    }

    /// Goes to `href` (a path of this app, with its query), in place of the current entry
    /// of the history when `replace`.
    pub fn go(&self, href: &str, replace: bool) {
        if let Some(go) = self.router_go.get_value() {
            return go(href, replace);
        }
        let (path, search) = address::split_href(href);
        let same_page = self.path.with_untracked(|p| p == path);
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = if replace || same_page {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            };
        }
        self.search.set(search.to_string());
        if !same_page {
            self.path.set(path.to_string());
            // The router reads the new address when it starts.
            self.routed.set(true);
            if let Some(w) = web_sys::window() {
                let _ = w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }
    }

    /// Before the router: a plain left click on a link to a page of this app goes there
    /// through [`Nav::go`] (as the router does once it is there).
    fn take_click(&self, ev: &web_sys::MouseEvent) {
        use wasm_bindgen::JsCast;
        if self.routed.get_untracked()
            || ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.alt_key()
            || ev.ctrl_key()
            || ev.shift_key()
        {
            return;
        }
        let Some(a) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        let own = location().and_then(|l| l.origin().ok()).is_some_and(|origin| a.origin() == origin);
        if !own || !a.target().is_empty() || a.has_attribute("download") {
            return;
        }
        ev.prevent_default();
        self.go(&format!("{}{}{}", a.pathname(), a.search(), a.hash()), false);
    }
}

pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}

/// Inside the router: makes [`Nav`] read the router's location, and sends [`Nav::go`]
/// through the router.
#[component]
pub fn Follow() -> impl IntoView {
    use leptos_router::NavigateOptions;
    use leptos_router::hooks::{use_location, use_navigate};
    let nav = use_nav();
    let location = use_location();
    let navigate = use_navigate();
    nav.router_go.set_value(Some(Arc::new(move |href: &str, replace: bool| {
        navigate(href, NavigateOptions { replace, scroll: !replace, ..Default::default() })
    })));
    nav.router_at.set(Some((location.pathname, location.search)));
    on_cleanup(move || {
        nav.router_go.set_value(None);
        nav.router_at.set(None);
    });
}
