//! Code the shared link's first view does without, loaded after it.
//!
//! In the split release build (`--features split`, made by `cargo xtask`), a function marked
//!
//! ```ignore
//! #[cfg_attr(feature = "split", leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible))]
//! fn part(…) -> Result<AnyView, SplitLoaderError> { Ok(…) }
//! ```
//!
//! is cut out of the main wasm module into the lazy module `screens` (with every screen
//! but the shared invoice's: see `app.rs`), together with all the code only it reaches. Its callers get an `async`
//! wrapper that fetches `screens` first (once; boot.js also prefetches it after the first
//! view). In every other build (Trunk, the browser tests) it is an ordinary function.
//! [`lazily!`] calls such a function the same way in both builds.
//!
//! With the `fallible` option a failed fetch is an `Err` to handle (every lazy function in the
//! app has it: `components::part_or_retry` shows the error with a retry); without it, a
//! failed fetch would be a panic, which ends the release build's app.
//!
//! A lazy part of the first screen waits for [`after_first_view`] before it asks for the
//! module, so that the first view never shares the line with it.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Poll, Waker};
use wasm_bindgen::JsCast;

/// The first view has settled (once true, stays true).
static SETTLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Who waits for [`SETTLED`].
    static WAITING: RefCell<Vec<Waker>> = const { RefCell::new(Vec::new()) };
    /// boot.js's promise is being watched.
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Marks the first view settled and wakes whoever waits for it. Called when boot.js says so,
/// and by the app once a screen other than the shared invoice's is there: it came from
/// the lazy module, so nothing is saved by waiting (and the screen may wait on what waits here, as the
/// notifications wait on the live stream).
pub fn settle() {
    SETTLED.store(true, Ordering::Relaxed);
    for waker in WAITING.with(|w| w.take()) {
        waker.wake();
    }
}

/// Watches boot.js's `window.__schetSettled` (the first screen shows its data and the
/// browser is idle: when boot.js prefetches the lazy module); without it (the browser tests
/// mount the app without boot.js) the first view counts as settled at once.
fn watch_boot() {
    let settled = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"__schetSettled".into()).ok())
        .and_then(|v| v.dyn_into::<js_sys::Promise>().ok());
    match settled {
        Some(p) => leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            settle();
        }),
        None => settle(),
    }
}

/// Resolves once the first view has settled ([`settle`]); at once from then on.
pub fn after_first_view() -> impl Future<Output = ()> + Send + 'static {
    std::future::poll_fn(|cx| {
        if !SETTLED.load(Ordering::Relaxed) && !WATCHING.replace(true) {
            watch_boot();
        }
        if SETTLED.load(Ordering::Relaxed) {
            return Poll::Ready(());
        }
        WAITING.with(|w| w.borrow_mut().push(cx.waker().clone()));
        Poll::Pending
    })
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
