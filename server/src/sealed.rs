//! Webhook client keys at rest: sealed with an AEAD (ChaCha20-Poly1305, *ring*) under the
//! service's key, a fresh random nonce each time. Stored as `sealed:v1:` and the hex of
//! nonce ‖ ciphertext ‖ tag; anything else in the column is a plain key from before, which
//! [`crate::service::Service::seal_stored_webhook_keys`] seals on start.
//!
//! The service's key is 32 random bytes, given as 64 hex digits in `SCHET_WEBHOOK_KEY` or in
//! a file (`--webhook-key-file`); with `--demo` and neither, one is made next to the
//! database. Losing it makes the stored webhook keys unreadable (sellers enter them again).

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::fmt;
use std::path::{Path, PathBuf};

const PREFIX: &str = "sealed:v1:";
/// Binds a sealed value to its purpose: it cannot be moved to another column's meaning.
const AAD: &[u8] = b"schet webhook client key";

/// Where the service's key comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySource {
    /// 64 hex digits.
    Hex(String),
    /// A file holding 64 hex digits.
    File(PathBuf),
    /// A file holding 64 hex digits, made (with a new random key) if it does not exist.
    FileOrNew(PathBuf),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Hex(_) => f.write_str("Hex(…)"),
            KeySource::File(p) => f.debug_tuple("File").field(p).finish(),
            KeySource::FileOrNew(p) => f.debug_tuple("FileOrNew").field(p).finish(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the webhook key must be 64 hex digits (32 random bytes)")]
    BadKey,
    #[error("cannot read or write the webhook key file {0}: {1}")]
    File(PathBuf, std::io::Error),
    #[error("a stored webhook key cannot be opened with this service's key")]
    Open,
}

/// Seals and opens webhook keys.
pub struct Sealer {
    key: LessSafeKey,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer(…)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

impl Sealer {
    pub fn from_hex(text: &str) -> Result<Sealer, SealError> {
        let bytes = unhex(text).filter(|b| b.len() == 32).ok_or(SealError::BadKey)?;
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| SealError::BadKey)?;
        Ok(Sealer { key: LessSafeKey::new(key) })
    }

    pub fn load(source: &KeySource) -> Result<Sealer, SealError> {
        match source {
            KeySource::Hex(text) => Sealer::from_hex(text),
            KeySource::File(path) => Sealer::from_file(path),
            KeySource::FileOrNew(path) if path.exists() => Sealer::from_file(path),
            KeySource::FileOrNew(path) => {
                let text = hex(&crate::random::random_bytes::<32>());
                write_private(path, &text).map_err(|e| SealError::File(path.clone(), e))?;
                tracing::info!(path = %path.display(), "made a new webhook key");
                Sealer::from_hex(&text)
            }
        }
    }

    fn from_file(path: &Path) -> Result<Sealer, SealError> {
        let text = std::fs::read_to_string(path).map_err(|e| SealError::File(path.to_path_buf(), e))?;
        Sealer::from_hex(&text)
    }

    /// True for a value this module wrote (as opposed to a plain key from before).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    pub fn seal(&self, plain: &str) -> String {
        let nonce_bytes = crate::random::random_bytes::<NONCE_LEN>();
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce_bytes), Aad::from(AAD), &mut data)
            .expect("ChaCha20-Poly1305 seals any length the service stores");
        format!("{PREFIX}{}{}", hex(&nonce_bytes), hex(&data))
    }

    pub fn open(&self, stored: &str) -> Result<String, SealError> {
        let bytes = stored.strip_prefix(PREFIX).and_then(unhex).ok_or(SealError::Open)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Open)?;
        let mut data = sealed.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::from(AAD), &mut data).map_err(|_| SealError::Open)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealError::Open)
    }
}

/// Writes a new file readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sealed_keys_open_only_with_the_same_key_and_never_show_the_plain_text() {
        let sealer = Sealer::from_hex(KEY).unwrap();
        let plain = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----\n";
        let (a, b) = (sealer.seal(plain), sealer.seal(plain));
        assert!(Sealer::is_sealed(&a) && !Sealer::is_sealed(plain));
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("MIGH") && !a.contains("PRIVATE"));
        assert_eq!(sealer.open(&a).unwrap(), plain);
        let other = Sealer::from_hex(&KEY.replace("1f", "20")).unwrap();
        assert!(matches!(other.open(&a), Err(SealError::Open)));
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('0') { '1' } else { '0' });
        assert!(sealer.open(&tampered).is_err());
        assert!(sealer.open("sealed:v1:zz").is_err());
    }

    #[test]
    fn keys_must_be_32_bytes_of_hex() {
        for bad in ["", "00", &KEY[..62], &format!("{KEY}00"), &KEY.replace('0', "g")] {
            assert!(matches!(Sealer::from_hex(bad), Err(SealError::BadKey)), "{bad}");
        }
        assert!(Sealer::from_hex(&format!(" {KEY}\n")).is_ok(), "a file's newline is fine");
    }

    #[test]
    fn a_demo_key_file_is_made_once_and_read_after() {
        let dir = std::env::temp_dir().join(format!("schet-sealed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("demo.db.webhook-key");
        let first = Sealer::load(&KeySource::FileOrNew(path.clone())).unwrap();
        let sealed = first.seal("k");
        let again = Sealer::load(&KeySource::FileOrNew(path.clone())).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "k");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(Sealer::load(&KeySource::File(dir.join("missing"))).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
