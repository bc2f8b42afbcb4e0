//! What the user chose: endpoint, token, language, theme. Kept in `localStorage`
//! (`schet.*` keys) so a reload keeps them; provided to every view as [`AppState`].

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The browser's preferred language, if it is one of ours.
    fn from_browser() -> Lang {
        let nav = web_sys::window().map(|w| w.navigator());
        let lang = nav.and_then(|n| n.language()).unwrap_or_default();
        if lang.to_ascii_lowercase().starts_with("ru") { Lang::Ru } else { Lang::En }
    }
}

/// `System` follows `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn code(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn from_code(code: &str) -> Option<Theme> {
        match code {
            "system" => Some(Theme::System),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
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

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

const KEY_ENDPOINT: &str = "schet.endpoint";
const KEY_TOKEN: &str = "schet.token";
const KEY_LANG: &str = "schet.lang";
const KEY_THEME: &str = "schet.theme";

impl Settings {
    /// Reads the saved settings, with defaults for what was never saved.
    pub fn load() -> Settings {
        let get = |key: &str| storage().and_then(|s| s.get_item(key).ok().flatten());
        Settings {
            endpoint: get(KEY_ENDPOINT).unwrap_or_default(),
            token: get(KEY_TOKEN).unwrap_or_default(),
            lang: get(KEY_LANG).as_deref().and_then(Lang::from_code).unwrap_or_else(Lang::from_browser),
            theme: get(KEY_THEME).as_deref().and_then(Theme::from_code).unwrap_or(Theme::System),
        }
    }

    /// Writes every field. Storage errors (private mode, quota) are not fatal: the
    /// settings stay in memory for this visit.
    pub fn save(&self) {
        if let Some(s) = storage() {
            let _ = s.set_item(KEY_ENDPOINT, &self.endpoint);
            let _ = s.set_item(KEY_TOKEN, &self.token);
            let _ = s.set_item(KEY_LANG, self.lang.code());
            let _ = s.set_item(KEY_THEME, self.theme.code());
        }
    }

    /// The endpoint to call: the chosen one without a trailing slash, or this page's origin.
    pub fn base_url(&self) -> String {
        let chosen = self.endpoint.trim().trim_end_matches('/');
        if !chosen.is_empty() {
            return chosen.to_string();
        }
        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
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

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

impl MerchantSettings {
    pub fn load() -> MerchantSettings {
        let get = |s: Option<web_sys::Storage>, key: &str| s.and_then(|s| s.get_item(key).ok().flatten());
        let remembered = get(storage(), KEY_MERCHANT_KEY);
        MerchantSettings {
            url: get(storage(), KEY_MERCHANT_URL).unwrap_or_default(),
            remember: remembered.is_some(),
            key: remembered.or_else(|| get(session_storage(), KEY_MERCHANT_KEY)).unwrap_or_default(),
            use_login: get(storage(), KEY_MERCHANT_USE_LOGIN).as_deref() == Some("1"),
        }
    }

    /// Writes the URL, and the key where the user chose (removing it from the other place).
    pub fn save(&self) {
        let (keep, drop) = if self.remember { (storage(), session_storage()) } else { (session_storage(), storage()) };
        if let Some(s) = storage() {
            let _ = s.set_item(KEY_MERCHANT_URL, &self.url);
            let _ = if self.use_login {
                s.set_item(KEY_MERCHANT_USE_LOGIN, "1")
            } else {
                s.remove_item(KEY_MERCHANT_USE_LOGIN)
            };
        }
        if let Some(s) = drop {
            let _ = s.remove_item(KEY_MERCHANT_KEY);
        }
        if let Some(s) = keep {
            let _ = if self.key.is_empty() {
                s.remove_item(KEY_MERCHANT_KEY)
            } else {
                s.set_item(KEY_MERCHANT_KEY, &self.key)
            };
        }
    }

    /// The API base: the chosen URL without a trailing slash, or this page's origin.
    pub fn base_url(&self) -> String {
        Settings { endpoint: self.url.clone(), token: String::new(), lang: Lang::En, theme: Theme::System }.base_url()
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

/// Shared by every view through the context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub settings: RwSignal<Settings>,
    pub merchant: RwSignal<MerchantSettings>,
}

impl AppState {
    pub fn new(settings: Settings) -> AppState {
        AppState { settings: RwSignal::new(settings), merchant: RwSignal::new(MerchantSettings::load()) }
    }

    /// Changes the settings and saves them.
    pub fn update(&self, f: impl FnOnce(&mut Settings)) {
        self.settings.update(|s| {
            f(s);
            s.save();
        });
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// One translated string as reactive text. Every call has the same concrete type, so the
/// hundreds of labels in the app cost one copy of the rendering code, not one each.
pub fn tr(pick: fn(&'static crate::i18n::Texts) -> &'static str) -> Signal<&'static str> {
    let app = use_app();
    Signal::derive(move || pick(crate::i18n::texts(app.settings.with(|s| s.lang))))
}

/// The strings of the current language, reactively.
pub fn use_texts() -> Signal<&'static crate::i18n::Texts> {
    let app = use_app();
    Signal::derive(move || crate::i18n::texts(app.settings.with(|s| s.lang)))
}
