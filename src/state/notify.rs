//! The browser's own notifications: offered on the events view and asked for at a click
//! (never on load), shown for news while the tab is hidden; a click on one brings the tab
//! forward at what it is about.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::NotificationPermission;

/// What the browser allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// This browser has no notifications.
    Unsupported,
    /// Not asked yet (or the question was dismissed): may be asked at a click.
    Ask,
    Granted,
    /// Refused: only the browser's site settings can change it.
    Denied,
}

fn supported() -> bool {
    web_sys::window().is_some_and(|w| js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false))
}

pub fn permission() -> Permission {
    if !supported() {
        return Permission::Unsupported;
    }
    match web_sys::Notification::permission() {
        NotificationPermission::Granted => Permission::Granted,
        NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

/// Asks the browser (call it from a click: browsers ignore a question nobody asked for).
pub async fn ask() -> Permission {
    if permission() == Permission::Ask
        && let Ok(promise) = web_sys::Notification::request_permission()
    {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    permission()
}

/// The tab is in the background (or minimised).
pub fn hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// Shows a notification when the tab is hidden and the user allowed them. `tag`: the same
/// news from two tabs shows once. A click focuses the tab and opens `link` in the app.
pub fn show(title: &str, body: &str, tag: &str, link: &str) {
    if !hidden() || permission() != Permission::Granted {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    let Ok(shown) = web_sys::Notification::new_with_options(title, &options) else { return };
    let (link, again) = (link.to_string(), shown.clone());
    let open = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
            // The app follows history changes it hears of as popstate (`nav`).
            if let Ok(h) = w.history() {
                let _ = h.push_state_with_url(&JsValue::NULL, "", Some(&link));
            }
            if let Ok(e) = web_sys::Event::new("popstate") {
                let _ = w.dispatch_event(&e);
            }
        }
        again.close();
    });
    shown.set_onclick(Some(open.unchecked_ref()));
}
