//! Languages beyond English, loaded when a reader uses one.
//!
//! English is in the app's first module (it is also what a text falls back to). Every
//! Russian table and wording function is reached only through a lazy function of the module
//! `ru` (`i18n::russian_value!`), so in the split release build a reader of English
//! never downloads them (7.1 KB of brotli, measured). A Russian reader's browser fetches the
//! module alongside the app (boot.js, from the saved or the browser's language); the app
//! loads it before its first paint ([`load`]), and again when the reader switches to it.
//!
//! Until it is here a text of [`Lang::Ru`] is the English one, and the language the app
//! provides ([`super::provide_lang`]) stays English, so nothing shows half translated.

use super::{Lang, activity, chat, invoices, merchant, payments, refusals, rules};
use std::sync::atomic::{AtomicBool, Ordering};

/// Every file's Russian is here: once [`load`] has brought them all (at once where nothing
/// is fetched: Trunk, the browser tests).
static RUSSIAN: AtomicBool = AtomicBool::new(cfg!(not(feature = "split")));

/// Whether `lang`'s texts are here.
pub fn ready(lang: Lang) -> bool {
    lang == Lang::En || RUSSIAN.load(Ordering::Relaxed)
}

/// Brings `lang`'s texts (once): whether they are here now. (One module holds them all: the
/// first call fetches it, the others find it there.)
pub async fn load(lang: Lang) -> bool {
    if ready(lang) {
        return true;
    }
    let all = super::russian::load().await
        && activity::russian::load().await
        && chat::russian::load().await
        && invoices::russian::load().await
        && merchant::russian::load().await
        && merchant::russian_rules::load().await
        && payments::russian::load().await
        && refusals::russian::load().await
        && rules::russian::load().await;
    RUSSIAN.store(all, Ordering::Relaxed);
    all
}
