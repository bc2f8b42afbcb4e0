//! Drafts: what a person typed, kept in `localStorage` so that neither a reload nor a failed
//! request loses it. A draft is a protobuf message stored as hex (a few bytes per field);
//! each form restores its draft when it opens and clears it once the service accepted it.

use crate::settings::Settings;
use prost::Message;

/// The storage key of draft `what` for the logged-in user: drafts are per service and
/// login, so a second person on the same browser never gets the first one's typing (an
/// invoice draft can hold secrets). The key holds a 64-bit FNV-1a hash, never the token.
pub fn key(settings: &Settings, what: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in settings.base_url().bytes().chain([0]).chain(settings.token.trim().bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("schet.draft.{hash:016x}.{what}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The draft saved under `key`; `None` if there is none or it cannot be read.
pub fn load<M: Message + Default>(key: &str) -> Option<M> {
    let hex = storage()?.get_item(key).ok()??;
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
    M::decode(&bytes?[..]).ok()
}

/// Saves `draft` under `key`; an empty draft (every field at its default) removes it.
pub fn save<M: Message>(key: &str, draft: &M) {
    let bytes = draft.encode_to_vec();
    if bytes.is_empty() {
        clear(key);
        return;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(s) = storage() {
        let _ = s.set_item(key, &hex);
    }
}

pub fn clear(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
