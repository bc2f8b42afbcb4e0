//! Dictionary-compressed copies of the lazy modules (Compression Dictionary Transport,
//! RFC 9842, content coding `dcb`): each lazy module brotli-compressed with the main wasm
//! module, as served, for a raw (LZ77 prefix) dictionary. The main module and the lazy ones
//! come from one program, so much of a lazy module's code repeats the main module's; alone,
//! a lazy module's brotli stream cannot refer to any of it.
//!
//! The server (server/src/dictionary.rs) sends the main module with `Use-As-Dictionary` for
//! the lazy modules' names ([`LAZY_PREFIX`]); a browser that kept it asks for a lazy module
//! with `Available-Dictionary` (its SHA-256), and gets `<file>.dcb` when that hash is the one
//! the copy was made with: `FF 44 43 42`, the dictionary's SHA-256, then the brotli stream.

use anyhow::{Context, Result, ensure};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Every lazy module's file name starts with this, and no other file's does: the server's
/// `Use-As-Dictionary` names the lazy modules by it (`match="/split_*.wasm"`).
pub const LAZY_PREFIX: &str = "split_";

/// The `dcb` header's magic number (RFC 9842, section 5.1).
const MAGIC: [u8; 4] = [0xFF, 0x44, 0x43, 0x42];

/// One lazy module's sizes: its `.br` copy and its `.dcb` copy (written only when smaller).
pub struct Sizes {
    pub file: String,
    pub br: u64,
    pub dcb: u64,
}

/// Writes `<file>.dcb` beside each of `lazy` (names in `dir`) when it is smaller than its
/// `.br`, with `dictionary` (a name in `dir`: the main wasm module) as the dictionary.
pub fn write_copies(dir: &Path, dictionary: &str, lazy: &[&str]) -> Result<Vec<Sizes>> {
    let dict = std::fs::read(dir.join(dictionary)).with_context(|| format!("reading {dictionary}"))?;
    let hash: [u8; 32] = Sha256::digest(&dict).into();
    let mut sizes = Vec::new();
    for file in lazy {
        ensure!(file.starts_with(LAZY_PREFIX), "the lazy module {file} is not named {LAZY_PREFIX}*");
        let bytes = std::fs::read(dir.join(file)).with_context(|| format!("reading {file}"))?;
        let br = std::fs::metadata(dir.join(format!("{file}.br"))).map_or(u64::MAX, |m| m.len());
        let mut dcb = Vec::with_capacity(bytes.len() / 3);
        dcb.extend_from_slice(&MAGIC);
        dcb.extend_from_slice(&hash);
        // Decoded and compared with the module inside.
        dcb.extend_from_slice(&crate::compress::brotli(&bytes, &dict).with_context(|| format!("{file}.dcb"))?);
        if (dcb.len() as u64) < br {
            let path = dir.join(format!("{file}.dcb"));
            std::fs::write(&path, &dcb).with_context(|| format!("writing {}", path.display()))?;
        }
        sizes.push(Sizes { file: file.to_string(), br, dcb: dcb.len() as u64 });
    }
    Ok(sizes)
}
