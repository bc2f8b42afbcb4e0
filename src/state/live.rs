//! Live updates: SubscribeNewEvents (server streaming over gRPC-web) kept open while
//! logged in, reconnecting with exponential backoff (1 s doubling to 30 s, back to 1 s once
//! an event arrives); while it is down, GetConversations every 20 s instead. Also the
//! user's conversations as last known (merged by message, `schet_model::conversations`),
//! with local read state for the unread badges; every event is also noted for the events
//! view ([`Activity`]), and the one unread count is unread notes + unread messages. Read
//! state and notes are kept per login (service and user) and follow other tabs' changes.
//! The stream's own code is in [`stream`], which the split build fetches after the first
//! view, and only for someone logged in; what the top bar shows stays here.

mod stream;

use super::AppState;
use super::activity::Activity;
use crate::api::{self, ApiError};
use crate::i18n::Lang;
use crate::settings::Settings;
use crate::storage::Stored;
use crate::tasks::Signal;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use schet_api::pb;
use schet_model::codec::{Seen, login_key};
use schet_model::conversations::{self, Arrived, Conversations, Thread};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stream::Cancel;

const BACKOFF_MIN: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
const POLL_EVERY: Duration = Duration::from_secs(20);

/// The state of the event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not logged in (or the token was refused): nothing to listen to.
    Off,
    Connecting,
    Live,
    /// Down; the next attempt is this many seconds after the failure.
    Down(u64),
}

/// The live state, shared through the context.
#[derive(Clone, Copy)]
pub struct Live {
    /// My conversations, latest message first.
    pub conversations: RwSignal<Conversations>,
    /// The list was read from the service at least once.
    pub loaded: RwSignal<bool>,
    pub link: RwSignal<Link>,
    /// Conversation id → the last message id I saw (kept per user).
    pub seen: RwSignal<HashMap<u64, u64>>,
    /// My user id, once known.
    pub me: RwSignal<Option<String>>,
    /// The latest event about invoices or payments (views watching one refresh on it).
    pub last_event: RwSignal<Option<pb::Event>>,
    /// What the events told me, for the events view.
    pub activity: Activity,
    lang: Signal<Lang>,
    /// Where the read state of the current login is kept.
    seen_key: RwSignal<Option<String>>,
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// The read state kept under `key`, or (once) where it was kept before it was per service.
fn load_seen(key: &str, user: &str) -> HashMap<u64, u64> {
    let legacy = || Stored::<Seen>::local(format!("schet.chat.seen.{user}")).load();
    Stored::<Seen>::local(key).load().or_else(legacy).unwrap_or_default()
}

impl Live {
    fn new(lang: Signal<Lang>) -> Live {
        Live {
            conversations: RwSignal::new(Conversations::default()),
            loaded: RwSignal::new(false),
            link: RwSignal::new(Link::Off),
            seen: RwSignal::new(HashMap::new()),
            me: RwSignal::new(None),
            last_event: RwSignal::new(None),
            activity: Activity::new(),
            lang,
            seen_key: RwSignal::new(None),
        }
    }

    /// Puts what the service sent about a conversation into the list.
    pub fn upsert(&self, c: pb::Conversation, arrived: Arrived) {
        self.conversations.update(|list| list.merge(c, arrived));
    }

    fn merge_read(&self, fresh: Vec<pb::Conversation>) {
        self.conversations.update(|list| list.merge_all(fresh));
        self.loaded.set(true);
    }

    /// GetConversations into the list.
    pub async fn refresh(&self, settings: &Settings) -> Result<(), ApiError> {
        let fresh = api::chat::all(settings).await?;
        self.merge_read(fresh);
        Ok(())
    }

    /// GetConversationsById for one invoice into the list.
    pub async fn refresh_invoice(&self, settings: &Settings, invoice_id: u64) -> Result<(), ApiError> {
        let fresh = api::chat::of_invoice(settings, invoice_id).await?;
        self.conversations.update(|list| list.merge_all(fresh));
        Ok(())
    }

    /// GetConversationsById for one payment into the list.
    pub async fn refresh_payment(&self, settings: &Settings, payment_id: u64) -> Result<(), ApiError> {
        let fresh = api::chat::of_payment(settings, payment_id).await?;
        self.conversations.update(|list| list.merge_all(fresh));
        Ok(())
    }

    /// Reads the page of `c`'s messages before its oldest known one into the list.
    pub async fn read_older(&self, settings: &Settings, c: &pb::Conversation) -> Result<(), ApiError> {
        let Some(thread) = Thread::of(c) else { return Ok(()) };
        let me = self.me.get_untracked().unwrap_or_default();
        let page = api::chat::older(settings, &thread, &me, c.id, conversations::oldest_id(c)).await?;
        self.upsert(page, Arrived::Older);
        Ok(())
    }

    /// The conversation `thread`, if known (tracked).
    pub fn find(&self, thread: &Thread) -> Option<pb::Conversation> {
        self.conversations.with(|l| l.iter().find(|c| Thread::of(c).as_ref() == Some(thread)).cloned())
    }

    pub fn by_id(&self, id: u64) -> Option<pb::Conversation> {
        self.conversations.with(|l| l.iter().find(|c| c.id == id).cloned())
    }

    /// Unread messages in `c` (tracked).
    pub fn unread(&self, c: &pb::Conversation) -> usize {
        let me = self.me.get().unwrap_or_default();
        let seen = self.seen.with(|s| s.get(&c.id).copied().unwrap_or(0));
        conversations::unread(c, &me, seen)
    }

    /// Unread messages in all conversations (tracked).
    pub fn unread_total(&self) -> usize {
        let me = self.me.get().unwrap_or_default();
        self.seen.with(|seen| self.conversations.with(|l| conversations::unread_total(l, &me, seen)))
    }

    /// Marks everything in `c` up to its last message as read.
    pub fn mark_seen(&self, c: &pb::Conversation) {
        let last = conversations::last_id(c);
        if self.seen.with_untracked(|s| s.get(&c.id).copied().unwrap_or(0)) >= last {
            return;
        }
        self.save_seen(&[(c.id, last)]);
    }

    /// Marks `read` (conversation → last message id) and keeps it, with what other tabs kept.
    fn save_seen(&self, read: &[(u64, u64)]) {
        let Some(key) = self.seen_key.get_untracked() else { return };
        self.seen.update(|s| {
            let kept = Stored::<Seen>::local(key.as_str()).load().unwrap_or_default();
            for (c, m) in kept.into_iter().chain(read.iter().copied()) {
                let at = s.entry(c).or_insert(0);
                *at = (*at).max(m);
            }
            Stored::<Seen>::local(key.as_str()).save(s);
        });
    }

    /// Unread notifications and messages together: the top bar's one count (tracked).
    pub fn unread_all(&self) -> usize {
        self.unread_total() + self.activity.unread()
    }

    /// Marks every notification and every message read.
    pub fn mark_all_read(&self) {
        let read: Vec<(u64, u64)> =
            self.conversations.with_untracked(|l| l.iter().map(|c| (c.id, conversations::last_id(c))).collect());
        self.save_seen(&read);
        self.activity.mark_all_read();
    }
}

/// Creates and provides [`Live`]; (re)starts the subscription whenever the endpoint, the
/// token or the user changes, and stops it when the owner (the app) goes away.
pub(super) fn provide(state: AppState, me: Signal<Option<String>>) -> Live {
    let live = Live::new(crate::i18n::use_lang());
    provide_context(live);
    let current: Arc<Mutex<Option<Arc<Cancel>>>> = Arc::default();
    let stop = {
        let current = current.clone();
        move || {
            if let Some(c) = current.lock().ok().and_then(|mut c| c.take()) {
                c.cancel();
            }
        }
    };
    let stop2 = stop.clone();
    let key = Memo::new(move |_| {
        let (endpoint, token) = state.settings.with(|s| (s.endpoint.clone(), s.token.clone()));
        (endpoint, token, me.get())
    });
    crate::tasks::effect(move |_| {
        let (_, token, user) = key.get();
        stop();
        live.loaded.set(false);
        live.conversations.set(Conversations::default());
        live.link.set(Link::Off);
        let base_url = state.settings.with_untracked(Settings::base_url);
        let seen_key = user.as_deref().map(|u| login_key(&base_url, u, "seen"));
        live.seen.set(seen_key.as_deref().zip(user.as_deref()).map(|(k, u)| load_seen(k, u)).unwrap_or_default());
        live.seen_key.set(seen_key);
        live.activity.open(user.as_deref().map(|u| login_key(&base_url, u, "events")));
        live.me.set(user.clone());
        if token.trim().is_empty() || user.is_none() {
            return;
        }
        let cancel = Arc::new(Cancel::default());
        if let Ok(mut c) = current.lock() {
            *c = Some(cancel.clone());
        }
        let settings = state.settings.get_untracked();
        leptos::task::spawn_local(stream::launch(live, settings, cancel));
    });
    // The polling fallback: while the stream is down, read the list every 20 s.
    let poll = set_interval_with_handle(
        move || {
            if matches!(live.link.try_get_untracked(), Some(Link::Down(_) | Link::Connecting)) {
                let Some(settings) = state.settings.try_get_untracked() else { return };
                leptos::task::spawn_local(stream::poll(live, settings));
            }
        },
        POLL_EVERY,
    );
    // Another tab read messages or notifications of the same login: show it here too.
    let other_tab = window_event_listener(leptos::ev::storage, move |e| {
        let Some(key) = e.key() else { return };
        if live.seen_key.try_with_untracked(|k| k.as_deref() == Some(key.as_str())) == Some(true) {
            let kept = Stored::<Seen>::local(key.as_str()).load().unwrap_or_default();
            live.seen.update(|s| {
                for (c, m) in kept {
                    let at = s.entry(c).or_insert(0);
                    *at = (*at).max(m);
                }
            });
        }
        live.activity.reload(&key);
    });
    on_cleanup(move || {
        stop2();
        other_tab.remove();
        if let Ok(h) = poll {
            h.clear();
        }
    });
    live
}
