//! Live events for SubscribeNewEvents: every change is published to the users it concerns,
//! each receiving its own copy (rendered for that user, so nothing private leaks).

use schet_api::pb;
use tokio::sync::broadcast;

/// Events buffered per subscriber; a subscriber that falls further behind is told to
/// reload (a `KeepAlive` with no payload after a gap) rather than blocking the service.
const BUFFER: usize = 1024;

#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<(String, pb::Event)>,
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub { sender: broadcast::channel(BUFFER).0, stopping: tokio::sync::watch::channel(false).0 }
    }
}

impl Hub {
    /// Sends `event` to `user_id`'s subscriptions (none listening is fine).
    pub fn publish(&self, user_id: &str, event: pb::Event) {
        let _ = self.sender.send((user_id.to_string(), event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<(String, pb::Event)> {
        self.sender.subscribe()
    }

    /// Ends every subscription (on shutdown, so that open streams do not hold it up).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once [`Hub::stop`] was called.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }
}

pub fn event(kind: pb::event::EventType, payload: Option<pb::event::Payload>) -> pb::Event {
    pb::Event { r#type: kind as i32, created_at: Some(crate::store::timestamp(crate::store::now_ms())), payload }
}
