//! The browser's storage, one way for everything the app keeps: a key, a place
//! (`localStorage` or `sessionStorage`) and a codec from `schet_model::codec` that says how
//! the value is written. Storage failures (private mode, a full quota) are not errors: the
//! value then lives in memory for this visit only.

use schet_model::codec::Codec;
use std::marker::PhantomData;

/// Where a value is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Kept across visits.
    Local,
    /// Gone with the tab.
    Session,
}

/// One stored value: where, under which key, written by codec `C`.
pub struct Stored<C> {
    place: Place,
    key: String,
    codec: PhantomData<C>,
}

impl<C> Clone for Stored<C> {
    fn clone(&self) -> Self {
        Stored { place: self.place, key: self.key.clone(), codec: PhantomData }
    }
}

fn storage(place: Place) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    match place {
        Place::Local => window.local_storage(),
        Place::Session => window.session_storage(),
    }
    .ok()
    .flatten()
}

impl<C: Codec> Stored<C> {
    pub fn new(place: Place, key: impl Into<String>) -> Self {
        Stored { place, key: key.into(), codec: PhantomData }
    }

    pub fn local(key: impl Into<String>) -> Self {
        Self::new(Place::Local, key)
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value kept, if any and readable.
    pub fn load(&self) -> Option<C::Value> {
        let text = storage(self.place)?.get_item(&self.key).ok()??;
        C::decode(&text)
    }

    /// Keeps `value`; a value the codec keeps nothing of (say an empty draft) removes the key.
    pub fn save(&self, value: &C::Value) {
        let Some(s) = storage(self.place) else { return };
        let _ = match C::encode(value) {
            Some(text) => s.set_item(&self.key, &text),
            None => s.remove_item(&self.key),
        };
    }

    pub fn clear(&self) {
        if let Some(s) = storage(self.place) {
            let _ = s.remove_item(&self.key);
        }
    }
}
