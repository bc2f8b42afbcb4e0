//! Image GUIDs. The client makes them (random, version 4), uploads the bytes with
//! `StoreImage`, then puts them into `Images`/`ImageIds` fields.

use std::fmt;
use std::str::FromStr;

/// A non-nil GUID in the canonical hyphenated form (`8-4-4-4-12` hex digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(uuid::Uuid);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GuidError {
    #[error("must be a GUID like 123e4567-e89b-42d3-a456-426614174000")]
    Format,
    #[error("must not be the all-zero GUID")]
    Nil,
}

impl Guid {
    /// A new random (version 4) GUID from 16 random bytes supplied by the caller
    /// (`crypto.getRandomValues` in the browser, the OS generator on the server).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Guid(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }
}

impl FromStr for Guid {
    type Err = GuidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        let hyphens_ok = b.len() == 36 && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-');
        if !hyphens_ok {
            return Err(GuidError::Format);
        }
        let id = uuid::Uuid::try_parse(s).map_err(|_| GuidError::Format)?;
        if id.is_nil() {
            return Err(GuidError::Nil);
        }
        Ok(Guid(id))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_canonical_form_any_case_and_prints_lowercase() {
        let g: Guid = "123E4567-E89B-42D3-A456-426614174000".parse().unwrap();
        assert_eq!(g.to_string(), "123e4567-e89b-42d3-a456-426614174000");
    }

    #[test]
    fn rejects_other_forms() {
        for s in [
            "",
            "123e4567e89b42d3a456426614174000",
            "{123e4567-e89b-42d3-a456-426614174000}",
            "urn:uuid:123e4567-e89b-42d3-a456-426614174000",
            "123e4567-e89b-42d3-a456-42661417400g",
            "123e4567-e89b-42d3-a456-4266141740000",
            " 123e4567-e89b-42d3-a456-42661417400",
        ] {
            assert_eq!(s.parse::<Guid>(), Err(GuidError::Format), "{s:?}");
        }
        assert_eq!("00000000-0000-0000-0000-000000000000".parse::<Guid>(), Err(GuidError::Nil));
    }

    proptest! {
        #[test]
        fn random_guids_round_trip(bytes in any::<[u8; 16]>()) {
            let g = Guid::from_random_bytes(bytes);
            let text = g.to_string();
            prop_assert_eq!(text.len(), 36);
            prop_assert_eq!(&text[14..15], "4");
            prop_assert_eq!(text.parse::<Guid>().unwrap(), g);
        }
    }
}
