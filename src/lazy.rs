//! Code the shared link's first view does without, loaded after it.
//!
//! In the split release build (`--features split`, made by `cargo xtask`), a function marked
//!
//! ```ignore
//! #[cfg_attr(feature = "split", leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split))]
//! fn part(…) -> AnyView { … }
//! ```
//!
//! is cut out of the main wasm module into the lazy module `screens` (with every lazy route:
//! see `app.rs`), together with all the code only it reaches. Its callers get an `async`
//! wrapper that fetches `screens` first (once; boot.js also prefetches it after the first
//! view). In every other build (Trunk, the browser tests) it is an ordinary function.
//! [`lazily!`] calls such a function the same way in both builds.
//!
//! With the `fallible` option the function returns `Result<_, SplitLoaderError>` and a failed
//! fetch is an `Err` to handle; without it a failed fetch is a panic, as for a lazy route.
//!
//! A part of the first screen that is lazy waits for [`after_first_view`] before it asks for
//! the module, so that the first view never shares the line with it.

use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::JsCast;

/// The first view has settled (once true, stays true).
static SETTLED: AtomicBool = AtomicBool::new(false);

/// Resolves once the first screen shows its data and the browser is idle: boot.js's
/// `window.__schetSettled`, when boot.js prefetches the lazy module. At once where there
/// is no such promise (the browser tests mount the app without boot.js), and from then on.
pub async fn after_first_view() {
    if SETTLED.load(Ordering::Relaxed) {
        return;
    }
    let settled = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"__schetSettled".into()).ok())
        .and_then(|v| v.dyn_into::<js_sys::Promise>().ok());
    if let Some(settled) = settled {
        // wasm is single-threaded: the wrapper only makes the future fit a view's `Suspend`.
        let _ = send_wrapper::SendWrapper::new(wasm_bindgen_futures::JsFuture::from(settled)).await;
    }
    SETTLED.store(true, Ordering::Relaxed);
}

/// `lazily!(f, args…)`: calls `f`, a function marked as in the [module's](self) docs, and
/// evaluates to its result; in an `async` block (the split build awaits the module's fetch).
macro_rules! lazily {
    ($f:path $(, $arg:expr)* $(,)?) => {{
        #[cfg(feature = "split")]
        let out = $f($($arg),*).await;
        #[cfg(not(feature = "split"))]
        let out = $f($($arg),*);
        out
    }};
}

pub(crate) use lazily;
