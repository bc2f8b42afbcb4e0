//! Presenting contract values to a person: money, times, statuses.

use crate::i18n::Texts;
use crate::i18n::activity::ActivityTexts;
use rust_decimal::Decimal;
use schet_api::{decimal, pb};
use schet_model::events::{Kind, Note};

/// A wire decimal as text; a malformed one is shown as such rather than guessed.
pub fn amount(value: Option<&pb::Decimal>) -> String {
    match decimal::from_pb_or_zero(value) {
        Ok(v) => v.normalize().to_string(),
        Err(_) => "?".into(),
    }
}

/// A BTC amount: `0.000115 BTC`.
pub fn btc(value: Option<&pb::Decimal>) -> String {
    match decimal::from_pb_or_zero(value) {
        Ok(v) => format!("{} BTC", decimal::format_btc(v)),
        Err(_) => "? BTC".into(),
    }
}

/// The price in its own unit: BTC, or the fiat currency.
pub fn price(invoice: &pb::Invoice) -> String {
    if invoice.is_base_crypto {
        btc(invoice.price.as_ref())
    } else {
        format!("{} {}", amount(invoice.price.as_ref()), invoice.fiat_currency)
    }
}

/// A fiat invoice's rate today, from its price and its BTC price (rounded to the satoshi, so
/// the rate is about that): `1 BTC ≈ 90000 USD (Average)`; just the rate variable while
/// there is no BTC price.
pub fn rate(invoice: &pb::Invoice) -> String {
    let price = decimal::from_pb_or_zero(invoice.price.as_ref()).unwrap_or_default();
    let btc = decimal::from_pb_or_zero(invoice.current_crypto_price.as_ref()).unwrap_or_default();
    if invoice.is_base_crypto || btc <= Decimal::ZERO {
        return invoice.price_variable.clone();
    }
    let per_btc = price / btc;
    let per_btc = if per_btc >= Decimal::ONE_HUNDRED { per_btc.round_dp(0) } else { per_btc.round_dp(2) };
    format!("1 BTC ≈ {} {} ({})", per_btc.normalize(), invoice.fiat_currency, invoice.price_variable)
}

/// Pieces one purchase may take, `1–3`; a dash when there is nothing to choose (a private
/// invoice) or nothing left to buy (sold out: PiecesMax fell below PiecesMin).
pub fn pieces(invoice: &pb::Invoice) -> String {
    if invoice.is_private || invoice.pieces_max < invoice.pieces_min || invoice.pieces_max == 0 {
        "—".into()
    } else {
        format!("{}–{}", invoice.pieces_min, invoice.pieces_max)
    }
}

pub fn is_zero(value: Option<&pb::Decimal>) -> bool {
    decimal::from_pb_or_zero(value) == Ok(Decimal::ZERO)
}

fn millis(ts: &prost_types::Timestamp) -> f64 {
    ts.seconds as f64 * 1000.0 + f64::from(ts.nanos) / 1e6
}

/// Date and time in the browser's time zone, in the chosen language.
pub fn datetime(ts: Option<&prost_types::Timestamp>, t: &Texts) -> String {
    let Some(ts) = ts else { return "—".into() };
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis(ts)));
    date.to_locale_string(t.lang_code, &wasm_bindgen::JsValue::UNDEFINED).into()
}

/// Time left until `ts`, e.g. `2 d 3 h`, `15 min`; or "expired".
pub fn countdown(ts: Option<&prost_types::Timestamp>, now_ms: f64, t: &Texts) -> String {
    let Some(ts) = ts else { return "—".into() };
    let left = ((millis(ts) - now_ms) / 60_000.0).floor();
    if left < 0.0 {
        return t.expired.into();
    }
    let minutes = left as u64;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let (ds, hs) = if t.lang_code == "ru" { ("д", "ч") } else { ("d", "h") };
    match (d, h) {
        (0, 0) => format!("{m} {}", t.minutes_short),
        (0, _) => format!("{h} {hs} {m} {}", t.minutes_short),
        _ => format!("{d} {ds} {h} {hs}"),
    }
}

/// Status text and its CSS modifier.
pub fn status(code: i32, t: &Texts) -> (&'static str, &'static str) {
    use pb::invoice::InvoiceStatus as S;
    match S::try_from(code) {
        Ok(S::Active) => (t.status_active, "active"),
        Ok(S::PendingPay) => (t.status_pending_pay, "pending"),
        Ok(S::NoPieces) => (t.status_no_pieces, "nopieces"),
        Ok(S::Payed) => (t.status_payed, "payed"),
        Ok(S::Deleted) => (t.status_deleted, "deleted"),
        Err(_) => (t.status_unknown, "unknown"),
    }
}

/// The date alone, in the browser's time zone and the chosen language.
pub fn date(ts: Option<&prost_types::Timestamp>, t: &Texts) -> String {
    let Some(ts) = ts.filter(|ts| ts.seconds > 0) else { return "—".into() };
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis(ts)));
    date.to_locale_date_string(t.lang_code, &wasm_bindgen::JsValue::UNDEFINED).into()
}

/// How long ago `ts` was: `just now`, `5 min ago`, `3 h ago`, `2 d ago`; after 30 days, the
/// date. `just_now` and `ago` are the words of the chosen language.
pub fn ago(ts: Option<&prost_types::Timestamp>, now_ms: f64, t: &Texts, just_now: &str, ago: &str) -> String {
    let Some(ts) = ts.filter(|ts| ts.seconds > 0) else { return "—".into() };
    let minutes = ((now_ms - millis(ts)) / 60_000.0).floor().max(0.0) as u64;
    let (ds, hs) = if t.lang_code == "ru" { ("д", "ч") } else { ("d", "h") };
    match minutes {
        0 => just_now.to_string(),
        1..60 => format!("{minutes} {} {ago}", t.minutes_short),
        60..1440 => format!("{} {hs} {ago}", minutes / 60),
        1440..43_200 => format!("{} {ds} {ago}", minutes / 1440),
        _ => date(Some(ts), t),
    }
}

/// A BTC amount kept as text (a note's): `0.03 BTC`; empty stays empty.
pub fn btc_text(amount: &str) -> String {
    match amount.parse::<Decimal>() {
        Ok(v) => format!("{} BTC", decimal::format_btc(v)),
        Err(_) if amount.is_empty() => String::new(),
        Err(_) => format!("{amount} BTC"),
    }
}

/// What a notification is about, in one line: `Payment #7 · Invoice #12 · bob · 0.03 BTC · 3 pcs`.
pub fn note_subject(note: &Note, t: &Texts, ta: &ActivityTexts) -> String {
    let mut parts = Vec::new();
    if note.payment_id != 0 && note.kind() != Kind::RefundToPay {
        parts.push(format!("{} #{}", ta.payment, note.payment_id));
    }
    if note.invoice_id != 0 {
        parts.push(format!("{} #{}", t.invoice, note.invoice_id));
    }
    if !note.who.is_empty() {
        parts.push(note.who.clone());
    }
    if !note.amount.is_empty() {
        parts.push(btc_text(&note.amount));
    }
    if note.pieces > 0 {
        parts.push(format!("{} {}", note.pieces, ta.pieces_short));
    }
    parts.join(" · ")
}

/// The first line of a text that has one (a comment), at most `max` characters (then `…`).
pub fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    let mut out: String = line.chars().take(max).collect();
    if line.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// Names of fiat currencies in the language `lang` (`en`, `ru`), as the browser words them
/// (`Intl.DisplayNames`): a function from an ISO 4217 code to its name, None where the
/// browser has none (an old browser, or a code it does not know).
pub fn currency_names(lang: &str) -> impl Fn(&str) -> Option<String> {
    let names = display_names(lang);
    move |code| {
        let (names, of) = names.as_ref()?;
        let name = of.call1(names, &code.into()).ok()?.as_string()?;
        // A code it does not know comes back as it went.
        (name != code).then_some(name)
    }
}

/// An `Intl.DisplayNames` for currencies in `lang`, and its `of` method.
fn display_names(lang: &str) -> Option<(wasm_bindgen::JsValue, js_sys::Function)> {
    use js_sys::{Array, Function, Object, Reflect};
    use wasm_bindgen::JsCast;
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let class = Reflect::get(&intl, &"DisplayNames".into()).ok()?.dyn_into::<Function>().ok()?;
    let options = Object::new();
    Reflect::set(&options, &"type".into(), &"currency".into()).ok()?;
    let names = Reflect::construct(&class, &Array::of2(&lang.into(), &options)).ok()?;
    let of = Reflect::get(&names, &"of".into()).ok()?.dyn_into::<Function>().ok()?;
    Some((names, of))
}
