//! Live events for SubscribeNewEvents: every change is published to the users it concerns,
//! each receiving its own copy (rendered for that user, so nothing private leaks).
//!
//! Bounded by construction:
//! - an event carries one new message, or a summary (an invoice, a payment without its
//!   goods), never a whole conversation or a payment's secrets (the service builds them so);
//! - each stream has a queue of [`Limits::queue`] events; a stream whose reader falls that
//!   far behind is closed with [`Ended::Lagged`] (the client reconnects and reloads), so a
//!   reader that never reads holds at most that much;
//! - a user has at most [`Limits::per_user`] streams: a new one replaces the oldest (which
//!   is closed with [`Ended::Replaced`]); a closed stream is forgotten at once;
//! - publishing touches only the streams of the user concerned.

use schet_api::pb;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::Stream;

/// A KeepAlive this often, so that a dead connection is noticed on both sides.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How far a stream may fall behind, and how many one user may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub queue: usize,
    pub per_user: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { queue: 64, per_user: 8 }
    }
}

/// Why a stream ended before its client closed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Ended {
    #[error("the event stream fell too far behind and was closed: reconnect and reload")]
    Lagged,
    #[error("too many event streams are open for this user: this one was replaced by a newer one")]
    Replaced,
}

struct Entry {
    id: u64,
    tx: mpsc::Sender<pb::Event>,
    end: Arc<Mutex<Option<Ended>>>,
}

struct Inner {
    users: Mutex<HashMap<String, Vec<Entry>>>,
    next_id: AtomicU64,
    limits: Limits,
    stopping: tokio::sync::watch::Sender<bool>,
}

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(Limits::default())
    }
}

impl Hub {
    pub fn new(limits: Limits) -> Hub {
        Hub {
            inner: Arc::new(Inner {
                users: Mutex::default(),
                next_id: AtomicU64::new(1),
                limits: Limits { queue: limits.queue.max(1), per_user: limits.per_user.max(1) },
                stopping: tokio::sync::watch::channel(false).0,
            }),
        }
    }

    fn users(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Entry>>> {
        self.inner.users.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sends `event` to `user_id`'s streams (none listening is fine). A stream whose queue
    /// is full is closed as lagging; nothing here waits.
    pub fn publish(&self, user_id: &str, event: pb::Event) {
        let mut users = self.users();
        let Some(list) = users.get_mut(user_id) else { return };
        list.retain(|entry| match entry.tx.try_send(event.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                *entry.end.lock().unwrap_or_else(|p| p.into_inner()) = Some(Ended::Lagged);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        if list.is_empty() {
            users.remove(user_id);
        }
    }

    /// A new stream of `user_id`'s events (replacing their oldest when they hold the most).
    pub fn subscribe(&self, user_id: &str) -> Subscription {
        let (tx, rx) = mpsc::channel(self.inner.limits.queue);
        let end = Arc::new(Mutex::new(None));
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut users = self.users();
            let list = users.entry(user_id.to_string()).or_default();
            while list.len() >= self.inner.limits.per_user {
                let oldest = list.remove(0);
                *oldest.end.lock().unwrap_or_else(|p| p.into_inner()) = Some(Ended::Replaced);
            }
            list.push(Entry { id, tx, end: end.clone() });
        }
        let mut beat = tokio::time::interval(KEEP_ALIVE);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Subscription {
            hub: self.clone(),
            user: user_id.to_string(),
            id,
            rx,
            end,
            beat,
            stopped: Box::pin(self.stopped()),
            done: false,
        }
    }

    /// Whether `user_id` has a stream here.
    pub fn has(&self, user_id: &str) -> bool {
        self.users().contains_key(user_id)
    }

    /// Closes every stream as lagging (events may have been missed: clients reconnect and
    /// reload).
    pub fn lag_all(&self) {
        let mut users = self.users();
        for entry in users.values().flatten() {
            *entry.end.lock().unwrap_or_else(|p| p.into_inner()) = Some(Ended::Lagged);
        }
        users.clear();
    }

    /// Open streams (all users).
    pub fn streams(&self) -> usize {
        self.users().values().map(Vec::len).sum()
    }

    /// Ends every subscription (on shutdown, so that open streams do not hold it up).
    pub fn stop(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// Resolves once [`Hub::stop`] was called.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }

    fn forget(&self, user_id: &str, id: u64) {
        let mut users = self.users();
        if let Some(list) = users.get_mut(user_id) {
            list.retain(|e| e.id != id);
            if list.is_empty() {
                users.remove(user_id);
            }
        }
    }
}

/// One client's stream: its events, a KeepAlive every [`KEEP_ALIVE`], and at the end, if the
/// service closed it, why. Dropping it (the client went away) forgets it at once.
pub struct Subscription {
    hub: Hub,
    user: String,
    id: u64,
    rx: mpsc::Receiver<pb::Event>,
    end: Arc<Mutex<Option<Ended>>>,
    beat: tokio::time::Interval,
    stopped: Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    done: bool,
}

impl Stream for Subscription {
    type Item = Result<pb::Event, Ended>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if self.stopped.as_mut().poll(cx).is_ready() {
            self.done = true;
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(event)) => return Poll::Ready(Some(Ok(event))),
            Poll::Ready(None) => {
                self.done = true;
                let end = *self.end.lock().unwrap_or_else(|p| p.into_inner());
                return Poll::Ready(end.map(Err));
            }
            Poll::Pending => {}
        }
        if self.beat.poll_tick(cx).is_ready() {
            return Poll::Ready(Some(Ok(event(pb::event::EventType::KeepAlive, None))));
        }
        Poll::Pending
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.forget(&self.user, self.id);
    }
}

pub fn event(kind: pb::event::EventType, payload: Option<pb::event::Payload>) -> pb::Event {
    pb::Event { r#type: kind as i32, created_at: Some(crate::db::timestamp(crate::db::now_ms())), payload }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pb::event::EventType;
    use tokio_stream::StreamExt;

    fn message(n: u64) -> pb::Event {
        let conversation = pb::Conversation {
            id: n,
            messages: vec![pb::ConversationMessage { id: n, ..Default::default() }],
            ..Default::default()
        };
        event(EventType::NewMessage, Some(pb::event::Payload::Conversation(conversation)))
    }

    async fn next(s: &mut Subscription) -> Option<Result<pb::Event, Ended>> {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), s.next()).await.expect("an item within 5 s") {
                Some(Ok(e)) if e.r#type == EventType::KeepAlive as i32 => continue,
                other => return other,
            }
        }
    }

    #[tokio::test]
    async fn each_user_gets_only_their_events_in_order() {
        let hub = Hub::default();
        let (mut a, mut b) = (hub.subscribe("a"), hub.subscribe("b"));
        hub.publish("a", message(1));
        hub.publish("b", message(2));
        hub.publish("a", message(3));
        hub.publish("nobody", message(4));
        let ids = |e: pb::Event| match e.payload {
            Some(pb::event::Payload::Conversation(c)) => c.id,
            _ => 0,
        };
        assert_eq!(ids(next(&mut a).await.unwrap().unwrap()), 1);
        assert_eq!(ids(next(&mut a).await.unwrap().unwrap()), 3);
        assert_eq!(ids(next(&mut b).await.unwrap().unwrap()), 2);
    }

    #[tokio::test]
    async fn a_stream_that_falls_behind_is_closed_as_lagging() {
        let hub = Hub::new(Limits { queue: 4, per_user: 8 });
        let mut slow = hub.subscribe("a");
        let mut fine = hub.subscribe("a");
        for n in 0..4 {
            hub.publish("a", message(n));
            next(&mut fine).await.unwrap().unwrap();
        }
        hub.publish("a", message(99)); // the fifth: slow's queue is full
        assert_eq!(hub.streams(), 1, "only the reading stream is kept");
        for _ in 0..4 {
            assert!(next(&mut slow).await.unwrap().is_ok(), "what was queued still arrives");
        }
        assert_eq!(next(&mut slow).await, Some(Err(Ended::Lagged)));
        assert_eq!(next(&mut slow).await, None);
        assert!(next(&mut fine).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_user_holds_at_most_the_cap_and_closed_streams_are_forgotten() {
        let hub = Hub::new(Limits { queue: 4, per_user: 2 });
        let mut first = hub.subscribe("a");
        let second = hub.subscribe("a");
        let _third = hub.subscribe("a");
        assert_eq!(hub.streams(), 2);
        assert_eq!(next(&mut first).await, Some(Err(Ended::Replaced)));
        drop(second);
        drop(first);
        assert_eq!(hub.streams(), 1);
    }

    #[tokio::test]
    async fn stop_ends_every_stream() {
        let hub = Hub::default();
        let mut s = hub.subscribe("a");
        hub.stop();
        assert_eq!(next(&mut s).await, None);
    }
}
