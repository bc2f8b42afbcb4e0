//! Compression Dictionary Transport (RFC 9842) for the web app's lazy modules.
//!
//! The release build (xtask/src/dcb.rs) writes beside each lazy module `<file>.dcb`: the
//! module brotli-compressed with the main wasm module as a raw dictionary, behind the `dcb`
//! header (`FF 44 43 42`, then the dictionary's SHA-256). Here:
//!
//! * the main wasm module is sent with `Use-As-Dictionary: match="/split_*.wasm"`, so that
//!   the browser keeps it as a dictionary for the lazy modules (the build names them so, and
//!   nothing else: no page, no gRPC call, not the next release's main module);
//! * a lazy module asked for with `Available-Dictionary` naming that dictionary's SHA-256 and
//!   `dcb` in `Accept-Encoding` is sent as its `.dcb` copy (`Content-Encoding: dcb`); any
//!   other hash (an older release's main module), an absent or malformed header, or no `dcb`
//!   in `Accept-Encoding`: the `.br`/`.gz`/plain file as before. Either way with
//!   `Vary: accept-encoding, available-dictionary`, so that no cache mixes them up.
//!
//! The directory is read once, at start: which files have a `.dcb` copy (kept in memory,
//! with the hash from its header) and which file is the dictionary (the one whose SHA-256
//! those headers name). Content-hashed names never change content, so what was read stays
//! true for as long as the file is there.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// The files that may use the dictionary, as a URL pattern: the lazy modules, and only them.
pub const LAZY_MODULES: &str = "/split_*.wasm";

/// The `dcb` header's magic number (RFC 9842, section 5.1); the dictionary's SHA-256 follows.
const MAGIC: [u8; 4] = [0xFF, 0x44, 0x43, 0x42];
const HEADER_LEN: usize = MAGIC.len() + 32;

pub const USE_AS_DICTIONARY: HeaderName = HeaderName::from_static("use-as-dictionary");
pub const AVAILABLE_DICTIONARY: HeaderName = HeaderName::from_static("available-dictionary");
const VARY: &str = "accept-encoding, available-dictionary";

/// A `.dcb` copy: the hash of the dictionary it needs, and the whole body as sent.
struct Copy {
    dictionary: [u8; 32],
    body: Bytes,
}

/// What the static directory holds for dictionary transport (see the module's comment).
#[derive(Default)]
pub struct Dictionaries {
    /// File names sent with `Use-As-Dictionary` (the main wasm module).
    dictionaries: HashSet<String>,
    /// File name → its `.dcb` copy.
    copies: HashMap<String, Copy>,
    use_as_dictionary: Option<HeaderValue>,
}

impl Dictionaries {
    /// Reads `dir`. A copy that cannot be read or has no `dcb` header is left out (its file
    /// is then sent as it would be without it); nothing here stops the server.
    pub fn scan(dir: &Path) -> Dictionaries {
        let names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        let mut copies = HashMap::new();
        for name in &names {
            let Some(file) = name.strip_suffix(".dcb") else { continue };
            // Only wasm: the one type the build compresses so (see `negotiate`).
            if !file.ends_with(".wasm") || !names.iter().any(|n| n == file) {
                continue;
            }
            let Ok(body) = std::fs::read(dir.join(name)) else { continue };
            if body.len() <= HEADER_LEN || body[..MAGIC.len()] != MAGIC {
                tracing::warn!(file = %name, "not a dcb copy: left out");
                continue;
            }
            let dictionary: [u8; 32] = body[MAGIC.len()..HEADER_LEN].try_into().expect("32 bytes");
            copies.insert(file.to_string(), Copy { dictionary, body: body.into() });
        }
        let wanted: HashSet<[u8; 32]> = copies.values().map(|c| c.dictionary).collect();
        let dictionaries: HashSet<String> = if wanted.is_empty() {
            HashSet::new()
        } else {
            names
                .iter()
                .filter(|n| n.ends_with(".wasm"))
                .filter(|n| {
                    std::fs::read(dir.join(n)).is_ok_and(|b| wanted.contains(&<[u8; 32]>::from(Sha256::digest(&b))))
                })
                .cloned()
                .collect()
        };
        if !copies.is_empty() {
            tracing::info!(dictionaries = ?dictionaries, copies = copies.len(), "compression dictionaries");
        }
        let mut value = sfv::DictSerializer::new();
        value.bare_item(sfv::key_ref("match"), sfv::string_ref(LAZY_MODULES));
        let use_as_dictionary = value.finish().and_then(|v| HeaderValue::try_from(v).ok());
        Dictionaries { dictionaries, copies, use_as_dictionary }
    }
}

/// Middleware in front of the static files: `Use-As-Dictionary` on the dictionary, the `.dcb`
/// copy of a lazy module when the browser has that dictionary, `Vary` on every answer for a
/// file that has a copy.
pub async fn negotiate(State(dictionaries): State<Arc<Dictionaries>>, req: Request, next: Next) -> Response {
    let name = req.uri().path().strip_prefix('/').unwrap_or_default();
    if let Some(copy) = dictionaries.copies.get(name) {
        if req.method() == Method::GET
            && accepts_dcb(req.headers())
            && available(req.headers()) == Some(copy.dictionary)
        {
            let mut response = Response::new(Body::from(copy.body.clone()));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/wasm"));
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("dcb"));
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(copy.body.len()));
            headers.insert(header::VARY, HeaderValue::from_static(VARY));
            return response;
        }
        let mut response = next.run(req).await;
        response.headers_mut().insert(header::VARY, HeaderValue::from_static(VARY));
        return response;
    }
    let dictionary = dictionaries.dictionaries.contains(name);
    let mut response = next.run(req).await;
    if dictionary
        && response.status().is_success()
        && let Some(value) = &dictionaries.use_as_dictionary
    {
        response.headers_mut().insert(USE_AS_DICTIONARY, value.clone());
    }
    response
}

/// The SHA-256 an `Available-Dictionary` header names (one field, an sf-binary of 32 bytes);
/// none for anything else.
fn available(headers: &HeaderMap) -> Option<[u8; 32]> {
    let mut values = headers.get_all(AVAILABLE_DICTIONARY).iter();
    let (Some(value), None) = (values.next(), values.next()) else { return None };
    let item: sfv::Item = sfv::Parser::new(value.as_bytes()).parse().ok()?;
    item.bare_item.as_byte_sequence()?.try_into().ok()
}

/// Whether `Accept-Encoding` lists `dcb` (and not with `q=0`). Its codings are a plain
/// comma-separated list, each with optional `;q=` weight.
fn accepts_dcb(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts.next().is_some_and(|c| c.eq_ignore_ascii_case("dcb"))
                && parts.all(|p| {
                    let q = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="));
                    q.is_none_or(|q| q.parse::<f32>().is_ok_and(|q| q > 0.0))
                })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::{accepts_dcb, available};
    use http::{HeaderMap, HeaderValue, header};

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        h
    }

    #[test]
    fn available_dictionary_is_one_binary_item_of_32_bytes_or_nothing() {
        let hash = [7u8; 32];
        let good = format!(":{}:", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, hash));
        assert_eq!(available(&headers(&[("available-dictionary", good.as_bytes())])), Some(hash));
        let with_param = format!("{good};x=1");
        assert_eq!(available(&headers(&[("available-dictionary", with_param.as_bytes())])), Some(hash));
        let short = format!(":{}:", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 31]));
        for bad in [
            &b""[..],
            b":",
            b"::",
            b":not base64!:",
            short.as_bytes(),
            b"\"a string\"",
            b"token",
            b":AAAA:, :AAAA:",
            &[0xff, 0xfe],
            good.trim_end_matches(':').as_bytes(),
        ] {
            assert_eq!(available(&headers(&[("available-dictionary", bad)])), None, "{bad:?}");
        }
        assert_eq!(available(&headers(&[])), None);
        let twice = [("available-dictionary", good.as_bytes()), ("available-dictionary", good.as_bytes())];
        assert_eq!(available(&headers(&twice)), None, "two fields are not one dictionary");
    }

    #[test]
    fn dcb_is_accepted_when_listed_without_a_zero_weight() {
        let accept = |v: &[u8]| accepts_dcb(&headers(&[("accept-encoding", v)]));
        assert!(accept(b"gzip, deflate, br, zstd, dcb, dcz"));
        assert!(accept(b"DCB;q=0.5"));
        assert!(accept(b"br,dcb"));
        assert!(!accept(b"gzip, br, zstd"));
        assert!(!accept(b"dcb;q=0, br"));
        assert!(!accept(b"dcb;q=0.000"));
        assert!(!accept(b"dcbx, xdcb"));
        assert!(!accept(&[0xff, b'd', b'c', b'b']));
        assert!(!accepts_dcb(&HeaderMap::new()));
        let mut two = HeaderMap::new();
        two.append(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        two.append(header::ACCEPT_ENCODING, HeaderValue::from_static("dcb"));
        assert!(accepts_dcb(&two));
    }
}
