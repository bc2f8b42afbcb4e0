//! What the user chose: endpoint, token, language, theme; and the merchant API's address and
//! key. Kept in the browser's storage (`schet.*` keys) so a reload keeps them. Plain data:
//! the reactive state that holds them is [`crate::state`].

use crate::i18n::Lang;
use crate::storage::{Place, Stored};
use schet_model::codec::{Flag, Proto, Text};

/// `System` follows `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn code(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_code(code: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Base URL of the TradeApi service; empty means the origin that served the app.
    pub endpoint: String,
    /// Bearer token; empty when logged out.
    pub token: String,
    pub lang: Lang,
    pub theme: Theme,
}

fn text(key: &str) -> Stored<Text> {
    Stored::local(key)
}

const KEY_ENDPOINT: &str = "schet.endpoint";
const KEY_TOKEN: &str = "schet.token";
const KEY_LANG: &str = "schet.lang";
const KEY_THEME: &str = "schet.theme";

/// This page's origin (`https://schet.example`).
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// `chosen` without a trailing slash, or this page's origin when empty.
fn base_url(chosen: &str) -> String {
    let chosen = chosen.trim().trim_end_matches('/');
    if chosen.is_empty() { origin() } else { chosen.to_string() }
}

impl Settings {
    /// Reads the saved settings, with defaults for what was never saved.
    pub fn load() -> Settings {
        Settings {
            endpoint: text(KEY_ENDPOINT).load().unwrap_or_default(),
            token: text(KEY_TOKEN).load().unwrap_or_default(),
            lang: text(KEY_LANG).load().as_deref().and_then(Lang::from_code).unwrap_or_else(Lang::from_browser),
            theme: text(KEY_THEME).load().as_deref().and_then(Theme::from_code).unwrap_or(Theme::System),
        }
    }

    /// Writes every field.
    pub fn save(&self) {
        text(KEY_ENDPOINT).save(&self.endpoint);
        text(KEY_TOKEN).save(&self.token);
        text(KEY_LANG).save(&self.lang.code().to_string());
        text(KEY_THEME).save(&self.theme.code().to_string());
    }

    /// The endpoint to call: the chosen one without a trailing slash, or this page's origin.
    pub fn base_url(&self) -> String {
        base_url(&self.endpoint)
    }

    /// Draft `what` of the logged-in user (see `schet_model::codec::draft_key`).
    pub fn draft<M: prost::Message + Default>(&self, what: &str) -> Stored<Proto<M>> {
        Stored::local(schet_model::codec::draft_key(&self.base_url(), &self.token, what))
    }
}

/// The merchant API (CryptoCloud-compatible, `views/merchant.rs`): its base URL and key.
/// The URL is kept in `localStorage`; the key there too only when `remember` is chosen,
/// otherwise in `sessionStorage` (gone with the tab). The key is never shown back in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MerchantSettings {
    /// Base URL of the merchant API; empty means the origin that served the app.
    pub url: String,
    pub key: String,
    pub remember: bool,
    /// Send the Schet login token as the key. The reference service takes a user's token
    /// as their merchant API key; the token goes only to the service that issued it (see
    /// [`MerchantSettings::for_request`]), and no second copy of it is stored.
    pub use_login: bool,
}

const KEY_MERCHANT_URL: &str = "schet.merchant.url";
const KEY_MERCHANT_KEY: &str = "schet.merchant.key";
const KEY_MERCHANT_USE_LOGIN: &str = "schet.merchant.use_login";

fn merchant_key(place: Place) -> Stored<Text> {
    Stored::new(place, KEY_MERCHANT_KEY)
}

impl MerchantSettings {
    pub fn load() -> MerchantSettings {
        let remembered = merchant_key(Place::Local).load();
        MerchantSettings {
            url: text(KEY_MERCHANT_URL).load().unwrap_or_default(),
            remember: remembered.is_some(),
            key: remembered.or_else(|| merchant_key(Place::Session).load()).unwrap_or_default(),
            use_login: Stored::<Flag>::local(KEY_MERCHANT_USE_LOGIN).load().unwrap_or(false),
        }
    }

    /// Writes the URL, and the key where the user chose (removing it from the other place).
    pub fn save(&self) {
        let (keep, drop) = if self.remember { (Place::Local, Place::Session) } else { (Place::Session, Place::Local) };
        text(KEY_MERCHANT_URL).save(&self.url);
        Stored::<Flag>::local(KEY_MERCHANT_USE_LOGIN).save(&self.use_login);
        merchant_key(drop).clear();
        merchant_key(keep).save(&self.key);
    }

    /// The API base: the chosen URL without a trailing slash, or this page's origin.
    pub fn base_url(&self) -> String {
        base_url(&self.url)
    }

    /// Points the merchant API at the service the user is logged in to, with their login
    /// token as the key.
    pub fn use_login_of(&mut self, login: &Settings) {
        self.url = login.endpoint.clone();
        self.use_login = true;
    }

    /// What a request uses: with `use_login`, the login token as the key, but only while
    /// the merchant API is the service that issued it (a URL changed since gets no token).
    pub fn for_request(&self, login: &Settings) -> MerchantSettings {
        let mut s = self.clone();
        if s.use_login && s.base_url() == login.base_url() {
            s.key = login.token.clone();
        }
        s
    }

    /// The key as it may be shown: its last 4 characters (all hidden if it is short).
    pub fn key_hint(&self) -> String {
        let chars: Vec<char> = self.key.chars().collect();
        let shown = if chars.len() >= 8 { chars[chars.len() - 4..].iter().collect() } else { String::new() };
        format!("…{shown}")
    }
}
