//! How values are kept as text in the browser's storage: one [`Codec`] per kind of value.
//! The storage itself (`localStorage`) is the app's `storage` module; this is the plain part.

use std::collections::HashMap;
use std::marker::PhantomData;

/// Text ⇄ value. `encode` returning None means "nothing to keep" (the key is removed).
pub trait Codec {
    type Value;
    fn encode(value: &Self::Value) -> Option<String>;
    /// None when the text is not one of ours (the value is then absent).
    fn decode(text: &str) -> Option<Self::Value>;
}

/// Text as is; empty text is not kept.
pub struct Text;

impl Codec for Text {
    type Value = String;

    fn encode(value: &String) -> Option<String> {
        (!value.is_empty()).then(|| value.clone())
    }

    fn decode(text: &str) -> Option<String> {
        Some(text.to_string())
    }
}

/// A yes/no kept as `1`; no is not kept.
pub struct Flag;

impl Codec for Flag {
    type Value = bool;

    fn encode(value: &bool) -> Option<String> {
        value.then(|| "1".to_string())
    }

    fn decode(text: &str) -> Option<bool> {
        Some(text == "1")
    }
}

/// A protobuf message as hex (a draft: a few bytes per field); an empty message (every
/// field at its default) is not kept.
pub struct Proto<M>(PhantomData<M>);

impl<M: prost::Message + Default> Codec for Proto<M> {
    type Value = M;

    fn encode(value: &M) -> Option<String> {
        let bytes = value.encode_to_vec();
        (!bytes.is_empty()).then(|| bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    fn decode(text: &str) -> Option<M> {
        if !text.len().is_multiple_of(2) {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..text.len())
            .step_by(2)
            .map(|i| text.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
            .collect();
        M::decode(&bytes?[..]).ok()
    }
}

/// Read state: conversation id → last message id seen, as `c:m,c:m`.
pub struct Seen;

impl Codec for Seen {
    type Value = HashMap<u64, u64>;

    fn encode(value: &HashMap<u64, u64>) -> Option<String> {
        Some(value.iter().map(|(c, m)| format!("{c}:{m}")).collect::<Vec<_>>().join(","))
    }

    fn decode(text: &str) -> Option<HashMap<u64, u64>> {
        Some(
            text.split(',')
                .filter_map(|pair| {
                    let (c, m) = pair.split_once(':')?;
                    Some((c.parse().ok()?, m.parse().ok()?))
                })
                .collect(),
        )
    }
}

/// The storage key of draft `what` for a login (the service's base URL and the token):
/// drafts are per service and login, so a second person on the same browser never gets the
/// first one's typing (an invoice draft can hold secrets). The key holds a 64-bit FNV-1a
/// hash, never the token.
pub fn draft_key(base_url: &str, token: &str, what: &str) -> String {
    format!("schet.draft.{:016x}.{what}", fnv(base_url, token.trim()))
}

/// The storage key of `what` kept for a user of a service (their read state, their
/// notifications): per service and user, whatever token they logged in with. The service
/// appears as a 64-bit FNV-1a hash of its base URL.
pub fn login_key(base_url: &str, user_id: &str, what: &str) -> String {
    format!("schet.{what}.{:016x}.{user_id}", fnv(base_url, ""))
}

/// FNV-1a over `a`, a zero byte, and `b`.
fn fnv(a: &str, b: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.bytes().chain([0]).chain(b.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::{BulkDraft, CreatedLine};
    use proptest::prelude::*;

    fn round<C: Codec>(value: &C::Value) -> Option<C::Value> {
        C::decode(&C::encode(value)?)
    }

    #[test]
    fn empty_values_are_not_kept() {
        assert_eq!(Text::encode(&String::new()), None);
        assert_eq!(Flag::encode(&false), None);
        assert_eq!(Proto::<BulkDraft>::encode(&BulkDraft::default()), None);
    }

    #[test]
    fn damaged_text_reads_as_absent() {
        assert_eq!(Proto::<BulkDraft>::decode("zz"), None);
        assert_eq!(Proto::<BulkDraft>::decode("0a0"), None, "odd length");
        assert_eq!(Proto::<BulkDraft>::decode("0aff"), None, "not a message");
        assert_eq!(Seen::decode("1:2,x:3,4:y,,5:6"), Some(HashMap::from([(1, 2), (5, 6)])));
    }

    #[test]
    fn draft_keys_are_per_login_and_hide_the_token() {
        let a = draft_key("https://a.example", "token-1", "invoice.new");
        assert_ne!(a, draft_key("https://a.example", "token-2", "invoice.new"));
        assert_ne!(a, draft_key("https://b.example", "token-1", "invoice.new"));
        assert_eq!(a, draft_key("https://a.example", " token-1 ", "invoice.new"));
        assert!(a.starts_with("schet.draft.") && a.ends_with(".invoice.new") && !a.contains("token"));
    }

    #[test]
    fn login_keys_are_per_service_and_user() {
        let a = login_key("https://a.example", "u1", "events");
        assert_ne!(a, login_key("https://b.example", "u1", "events"));
        assert_ne!(a, login_key("https://a.example", "u2", "events"));
        assert_ne!(a, login_key("https://a.example", "u1", "seen"));
        assert!(a.starts_with("schet.events.") && a.ends_with(".u1"));
    }

    proptest! {
        #[test]
        fn values_read_back(text in "\\PC{1,30}", seen in proptest::collection::hash_map(any::<u64>(), any::<u64>(), 0..8),
                            line in any::<u32>(), images in proptest::collection::vec("[a-f0-9-]{36}", 0..3)) {
            prop_assert_eq!(round::<Text>(&text), Some(text.clone()));
            prop_assert_eq!(round::<Flag>(&true), Some(true));
            prop_assert_eq!(round::<Seen>(&seen), Some(seen));
            let draft = BulkDraft { text: text.clone(), created: vec![CreatedLine { line, text, images }], unanswered: None };
            prop_assert_eq!(round::<Proto<BulkDraft>>(&draft), Some(draft));
        }
    }
}
