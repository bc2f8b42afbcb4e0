//! Languages beyond English, loaded when a reader uses one.
//!
//! English is in the app's first module (it is also what a text falls back to); every
//! Russian text and wording function is reached only through [`russian`], so in the split
//! release build they are the lazy module `ru`, which a reader of English never downloads
//! (5.6 KB of brotli, measured). A Russian reader's browser fetches it alongside the app
//! (boot.js, from the saved or the browser's language); the app loads it before its first
//! paint ([`load`]), and again when the reader switches to Russian.
//!
//! Until it is here a text of [`Lang::Ru`] is the English one, and the language the app
//! provides ([`super::provide_lang`]) stays English, so nothing shows half translated.

use super::{Lang, Texts, activity, chat, invoices, merchant, payments, refusals, rules};
use schet_api::Refusal;
use schet_api::rule::Rule;
use std::sync::OnceLock;

/// Every text of one language but English, and its wording of rules and refusals.
pub struct Pack {
    pub texts: &'static Texts,
    pub activity: &'static activity::ActivityTexts,
    pub chat: &'static chat::ChatTexts,
    pub invoices: &'static invoices::InvoiceTexts,
    pub merchant: &'static merchant::MerchantTexts,
    pub payments: &'static payments::PaymentTexts,
    pub rule: fn(&Rule) -> String,
    pub merchant_rule: fn(&schet_api::merchant::Rule) -> String,
    pub refusal: fn(&Refusal) -> String,
}

const RUSSIAN: Pack = Pack {
    texts: &super::RU,
    activity: &activity::RU,
    chat: &chat::RU,
    invoices: &invoices::RU,
    merchant: &merchant::RU,
    payments: &payments::RU,
    rule: rules::ru,
    merchant_rule: merchant::ru,
    refusal: refusals::ru,
};

/// The Russian pack: in the split release build, where the module `ru` is fetched (once; a
/// failed fetch is an `Err`: the app stays in English).
#[cfg_attr(feature = "split", leptos::wasm_split::wasm_split(ru, wasm_split_path = ::leptos::wasm_split, fallible))]
fn russian() -> Result<&'static Pack, leptos::wasm_split::SplitLoaderError> {
    Ok(&RUSSIAN)
}

static LOADED: OnceLock<&'static Pack> = OnceLock::new();

/// `lang`'s texts, when they are here (None for English, which needs none).
pub fn pack(lang: Lang) -> Option<&'static Pack> {
    match lang {
        Lang::En => None,
        Lang::Ru => LOADED.get().copied().or_else(now),
    }
}

/// Where no module is fetched (Trunk, the browser tests), the pack is simply there.
fn now() -> Option<&'static Pack> {
    #[cfg(not(feature = "split"))]
    return russian().ok();
    #[cfg(feature = "split")]
    None
}

/// Whether `lang`'s texts are here.
pub fn ready(lang: Lang) -> bool {
    lang == Lang::En || pack(lang).is_some()
}

/// Brings `lang`'s texts (once): whether they are here now.
pub async fn load(lang: Lang) -> bool {
    if ready(lang) {
        return true;
    }
    match crate::lazy::lazily!(russian) {
        Ok(pack) => {
            let _ = LOADED.set(pack);
            true
        }
        Err(_) => false,
    }
}
