//! The event stream itself: SubscribeNewEvents kept open with its reconnects, the catch-up
//! after each, what each event changes, and the polling fallback's reads. Nobody needs it
//! before the first view (a guest never does), so the split build keeps it in the lazy
//! module `screens` (`crate::lazy`): [`launch`] fetches that module and then starts [`run`].

use super::{BACKOFF_MAX, BACKOFF_MIN, Link, Live};
use crate::api::{self, ApiError};
use crate::lazy::{after_first_view, lazily};
use crate::settings::Settings;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use schet_api::pb::{self, event::EventType};
use schet_model::conversations::Arrived;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

/// Ends a running subscription: wakes whatever it waits on.
#[derive(Default)]
pub(super) struct Cancel {
    done: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Cancel {
    pub(super) fn cancel(&self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(w) = self.waker.lock().ok().and_then(|mut w| w.take()) {
            w.wake();
        }
    }

    fn is_done(&self) -> bool {
        self.done.load(Ordering::Relaxed)
    }

    /// `fut`'s output, or None once cancelled (dropping `fut`, which aborts its fetch).
    async fn or_cancel<F: Future>(&self, fut: F) -> Option<F::Output> {
        let mut fut = std::pin::pin!(fut);
        std::future::poll_fn(|cx| {
            if self.is_done() {
                return Poll::Ready(None);
            }
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                return Poll::Ready(Some(v));
            }
            if let Ok(mut w) = self.waker.lock() {
                *w = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

/// Resolves after `d` (a browser timer).
async fn sleep(d: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, d.as_millis() as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Starts the stream (see [`run`]) once the first view has settled and the stream's code is
/// there: while the lazy module cannot be fetched (offline), the link shows as down and the
/// fetch is tried again with the same backoff as a reconnect.
pub(super) async fn launch(live: Live, settings: Settings, cancel: Arc<Cancel>) {
    live.link.set(Link::Connecting);
    if cancel.or_cancel(after_first_view()).await.is_none() {
        return;
    }
    let mut backoff = BACKOFF_MIN;
    loop {
        if cancel.is_done() {
            return;
        }
        live.link.set(Link::Connecting);
        if lazily!(start, live, settings.clone(), cancel.clone()).is_ok() {
            return;
        }
        if cancel.is_done() {
            return;
        }
        live.link.set(Link::Down(backoff.as_secs()));
        if cancel.or_cancel(sleep(backoff)).await.is_none() {
            return;
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn start(live: Live, settings: Settings, cancel: Arc<Cancel>) -> Result<(), SplitLoaderError> {
    leptos::task::spawn_local(run(live, settings, cancel));
    Ok(())
}

/// The polling fallback's one read: GetConversations into the list (a failure, of the read
/// or of fetching its code, waits for the next turn).
pub(super) async fn poll(live: Live, settings: Settings) {
    after_first_view().await;
    let _ = lazily!(read_conversations, live, settings);
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn read_conversations(live: Live, settings: Settings) -> Result<(), SplitLoaderError> {
    leptos::task::spawn_local(async move {
        let _ = live.refresh(&settings).await;
    });
    Ok(())
}

/// Keeps the stream open until cancelled.
async fn run(live: Live, settings: Settings, cancel: Arc<Cancel>) {
    let mut backoff = BACKOFF_MIN;
    loop {
        // Cancelled before its code arrived, or while waiting: leave the link as it is.
        if cancel.is_done() {
            return;
        }
        live.link.set(Link::Connecting);
        let Some(opened) = cancel.or_cancel(api::events::subscribe(&settings)).await else { return };
        match opened {
            Ok(mut stream) => {
                live.link.set(Link::Live);
                // Catch up with what happened while we were not listening.
                let (s, c) = (settings.clone(), cancel.clone());
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = api::chat::all(&s).await
                        && !c.is_done()
                    {
                        live.merge_read(fresh);
                    }
                    if !c.is_done()
                        && let (Some(Some(me)), Some(lang)) =
                            (live.me.try_get_untracked(), live.lang.try_get_untracked())
                    {
                        live.activity.catch_up(&s, &me, lang).await;
                    }
                });
                loop {
                    let Some(next) = cancel.or_cancel(stream.message()).await else { return };
                    match next {
                        Ok(Some(event)) => {
                            backoff = BACKOFF_MIN;
                            live.handle(event);
                        }
                        Ok(None) | Err(_) => break,
                    }
                }
            }
            // Retrying cannot help until the settings change (which restarts this).
            Err(ApiError::Unauthenticated(_) | ApiError::NoToken) => {
                live.link.set(Link::Off);
                return;
            }
            Err(_) => {}
        }
        live.link.set(Link::Down(backoff.as_secs()));
        if cancel.or_cancel(sleep(backoff)).await.is_none() {
            return;
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

impl Live {
    /// What one event changes: the notes (and a browser notification), the conversations,
    /// or the latest event about invoices and payments.
    fn handle(&self, event: pb::Event) {
        if let Some(me) = self.me.get_untracked()
            && event.r#type != EventType::KeepAlive as i32
        {
            self.activity.record(&event, &me, self.lang.get_untracked());
        }
        match (EventType::try_from(event.r#type), event.payload) {
            (Ok(EventType::KeepAlive), _) => {}
            (_, Some(pb::event::Payload::Conversation(c))) => self.upsert(c, Arrived::New),
            (_, payload) => self.last_event.set(Some(pb::Event { payload, ..event })),
        }
    }
}
