//! Notifications, as the events view and the top bar's badge show them: each live event
//! noted as what it means to me (`schet_model::events`), kept per login (service and user)
//! in localStorage, so that a reload keeps them and what was read; after each (re)connect a
//! catch-up reads what the stream could not deliver. While the tab is hidden, news also shows
//! as the browser's own notification, when the user allowed it ([`super::notify`]).

use super::notify;
use crate::api;
use crate::format;
use crate::i18n::{Lang, Strings, Texts, activity::ActivityTexts};
use crate::settings::Settings;
use crate::storage::Stored;
use crate::tasks::RwSignal;
use leptos::prelude::*;
use schet_api::pb;
use schet_model::codec::Proto;
use schet_model::events::{Kind, Log, Note};

/// How many of the newest payments and invoices the catch-up reads.
const CATCH_UP_PAGE: u32 = 20;

/// The notes of whoever is logged in.
#[derive(Clone, Copy)]
pub struct Activity {
    pub log: RwSignal<Log>,
    /// The catch-up after connecting has run (the notes say all there is to say).
    pub caught_up: RwSignal<bool>,
    /// Where the current login's notes are kept (None: nobody is logged in).
    key: RwSignal<Option<String>>,
}

fn store(key: &str) -> Stored<Proto<Log>> {
    Stored::local(key)
}

impl Activity {
    pub(super) fn new() -> Activity {
        Activity { log: RwSignal::new(Log::default()), caught_up: RwSignal::new(false), key: RwSignal::new(None) }
    }

    /// Switches to the notes kept under `key` (None: logged out, no notes).
    pub(super) fn open(&self, key: Option<String>) {
        let log = key.as_deref().and_then(|k| store(k).load()).unwrap_or_default();
        self.key.set(key);
        self.log.set(log);
        self.caught_up.set(false);
    }

    /// Where the notes are kept now.
    pub(super) fn key(&self) -> Option<String> {
        self.key.try_get_untracked().flatten()
    }

    /// Reads the notes again if `key` is theirs (another tab changed them).
    pub(super) fn reload(&self, key: &str) {
        if self.key().as_deref() == Some(key)
            && let Some(log) = store(key).load()
        {
            self.log.set(log);
        }
    }

    /// Changes the notes kept under `key` as they are now (another tab may have changed
    /// them), keeps and shows the result; None when another login is current (or the app is
    /// gone: a catch-up may finish after it).
    fn change<T>(&self, key: &str, f: impl FnOnce(&mut Log) -> T) -> Option<T> {
        if self.key().as_deref() != Some(key) {
            return None;
        }
        let kept = store(key).load();
        let mut log = kept.clone().or_else(|| self.log.try_get_untracked())?;
        let out = f(&mut log);
        if kept.as_ref() != Some(&log) {
            store(key).save(&log);
        }
        if self.log.try_with_untracked(|now| *now != log) == Some(true) {
            self.log.try_set(log);
        }
        Some(out)
    }

    /// Notes what `event` means to `me`; tells the news in a browser notification when the
    /// tab is hidden.
    pub(super) fn record(&self, event: &pb::Event, me: &str, lang: Lang) {
        let Some(key) = self.key() else { return };
        if let Some(note) = self.change(&key, |log| log.record(event, me)).flatten() {
            tell(&note, event, lang);
        }
    }

    /// Reads the newest payments received and invoices made out to me, and notes those that
    /// came while the stream was not there to tell.
    pub(super) async fn catch_up(&self, settings: &Settings, me: &str, lang: Lang) {
        let Some(key) = self.key() else { return };
        let received = api::payments::list(settings, Some(true), 0, 0, CATCH_UP_PAGE).await;
        let to_me = pb::GetInvoicesRequest {
            is_owner: false,
            is_owner_has_value: true,
            is_private: true,
            is_private_has_value: true,
            count: CATCH_UP_PAGE,
            ..Default::default()
        };
        let to_me = api::invoices::list(settings, to_me).await;
        if let (Ok(received), Ok(to_me)) = (received, to_me) {
            for note in self.change(&key, |log| log.catch_up(&received, &to_me, me)).unwrap_or_default() {
                tell(&note, &pb::Event::default(), lang);
            }
        }
        if self.key().as_deref() == Some(key.as_str()) {
            self.caught_up.try_set(true);
        }
    }

    /// Notes not read, messages aside (tracked).
    pub fn unread(&self) -> usize {
        self.log.with(Log::unread)
    }

    pub fn mark_read(&self, id: u64) {
        if let Some(key) = self.key() {
            self.change(&key, |log| log.mark_read(id));
        }
    }

    pub fn mark_all_read(&self) {
        if let Some(key) = self.key() {
            self.change(&key, Log::mark_all_read);
        }
    }
}

/// The browser's notification of `note` (when hidden and allowed). A message shows its text.
fn tell(note: &Note, event: &pb::Event, lang: Lang) {
    let ta = ActivityTexts::of(lang);
    let body = match &event.payload {
        Some(pb::event::Payload::Conversation(c)) if note.kind() == Kind::Message => {
            let text = c.messages.iter().find(|m| m.id == note.message_id).map(|m| m.text.as_str()).unwrap_or_default();
            let short: String = text.chars().take(140).collect();
            format!("{}: {short}", note.who)
        }
        _ => format::note_subject(note, Texts::of(lang), ta),
    };
    notify::show(ta.headline(note.kind()), &body, &note.key, &note.link());
}
