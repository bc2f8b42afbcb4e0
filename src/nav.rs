//! Where the app is, and going elsewhere: the app's own router.
//!
//! [`Nav`] holds the address (path and query) as signals, and [`Nav::route`] the screen it
//! shows, read by `schet_model::address::route` (the route table, tested natively). The app
//! shows that screen (`app.rs`). The address changes three ways, as a router's does:
//! * a plain left click on a link to a page of this app (links are plain `<a href>`; one
//!   listener on the window takes the clicks): pushed onto the history, no page load;
//! * [`Nav::go`] from code (after a save, a login, a filter change);
//! * the browser's back and forward buttons (`popstate`), and a notification's click, which
//!   pushes its page and says so the same way.
//!
//! No router crate: the shared link's first view must be small (see ARCHITECTURE.md), and
//! this is all of the routing the app needs.

use crate::tasks::Signal;
use leptos::prelude::*;
use schet_model::address::{self, Route};

/// The address as the app sees it; in the context (provided by `AppShell`).
#[derive(Clone, Copy)]
pub struct Nav {
    path: RwSignal<String>,
    /// The query, without its `?`.
    search: RwSignal<String>,
    route: Memo<Route>,
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The browser's address: path and query (without its `?`).
fn browser_address() -> (String, String) {
    let path = location().and_then(|l| l.pathname().ok()).unwrap_or_else(|| "/".into());
    let search = location().and_then(|l| l.search().ok()).unwrap_or_default();
    (path, search.trim_start_matches('?').to_string())
}

impl Nav {
    /// Reads the address the page was opened at and provides the [`Nav`]. The listeners for
    /// link clicks and the history go with the calling owner.
    pub fn provide() -> Nav {
        let (path, search) = browser_address();
        let path = RwSignal::new(path);
        let nav =
            Nav { path, search: RwSignal::new(search), route: Memo::new(move |_| path.with(|p| address::route(p))) };
        provide_context(nav);
        let clicks = window_event_listener(leptos::ev::click, move |ev| nav.take_click(&ev));
        let history = window_event_listener(leptos::ev::popstate, move |_| {
            let (path, search) = browser_address();
            nav.set(path, search);
        });
        on_cleanup(move || {
            clicks.remove();
            history.remove();
        });
        nav
    }

    fn set(&self, path: String, search: String) {
        if self.search.with_untracked(|s| *s != search) {
            self.search.set(search);
        }
        if self.path.with_untracked(|p| *p != path) {
            self.path.set(path);
        }
    }

    /// The path (tracked).
    pub fn path(&self) -> String {
        self.path.get()
    }

    /// The query, without its `?` (tracked).
    pub fn search(&self) -> String {
        self.search.get()
    }

    /// The screen at the address and the number its path names (tracked).
    pub fn route(&self) -> Route {
        self.route.get()
    }

    /// Every `key=value` of the query, decoded (tracked).
    pub fn query(&self) -> Vec<(String, String)> {
        self.search.with(|s| address::query_pairs(s))
    }

    /// The value of `key` in the query, not tracked.
    pub fn query_untracked(&self, key: &str) -> Option<String> {
        self.search.with_untracked(|s| address::query_value(s, key))
    }

    /// Goes to `href` (a path of this app, with its query), in place of the current entry
    /// of the history when `replace`. A new page starts at the top.
    pub fn go(&self, href: &str, replace: bool) {
        let (path, search) = address::split_href(href);
        let new_page = self.path.with_untracked(|p| p != path);
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = if replace {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            };
        }
        self.set(path.to_string(), search.to_string());
        if new_page && let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }

    /// A plain left click on a link to a page of this app goes there through [`Nav::go`].
    /// A link to a place on this page (`#main`) is the browser's to follow.
    fn take_click(&self, ev: &web_sys::MouseEvent) {
        use wasm_bindgen::JsCast;
        if ev.default_prevented()
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
        let here = location().and_then(|l| Some((l.pathname().ok()?, l.search().ok()?)));
        if !a.hash().is_empty() && here.is_some_and(|(p, s)| p == a.pathname() && s == a.search()) {
            return;
        }
        ev.prevent_default();
        self.go(&format!("{}{}{}", a.pathname(), a.search(), a.hash()), false);
    }
}

pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}

/// The query's `key=value` pairs, decoded, for the screen being built: as [`path_number`],
/// it keeps its last value while the address moves to another screen.
pub fn screen_query() -> Signal<Vec<(String, String)>> {
    let nav = use_nav();
    let screen = nav.route.get_untracked().screen;
    let query = Memo::new(move |last: Option<&Vec<(String, String)>>| match last {
        Some(last) if nav.route().screen != screen => last.clone(),
        _ => nav.query(),
    });
    Signal::derive(move || query.get())
}

/// The number the path names (`/invoice/:id`, `/payment/:id`, `/inbox/:conversation`,
/// `/inbox/payment/:payment`), for the screen being built: None when it is not a whole
/// number above 0. It keeps its last value while the address moves to another screen, so a
/// screen on its way out never loads with another screen's number.
pub fn path_number() -> Signal<Option<u64>> {
    let nav = use_nav();
    let screen = nav.route.get_untracked().screen;
    let number = Memo::new(move |last: Option<&Option<u64>>| {
        let now = nav.route();
        if now.screen == screen { now.number } else { last.copied().flatten() }
    });
    Signal::derive(move || number.get())
}
