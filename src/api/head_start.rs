//! The shared link's head start, as boot.js left it on `window.__schetHeadStart`: the
//! request for the invoice of an `/invoice/:id` address, sent while the app was still
//! downloading. Taken once; what it holds is read by `schet_model::head_start`. For someone
//! logged in, it may also hold the guest's answer the page carried: [`provisional`].

use js_sys::{Promise, Reflect, Uint8Array};
use schet_model::head_start;
use wasm_bindgen::{JsCast, JsValue};

const NAME: &str = "__schetHeadStart";

fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(object, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// Whether boot.js's head start `started` is for `key` (the same address, login and
/// invoice) and younger than [`head_start::FRESH_MS`].
fn for_now(window: &web_sys::Window, started: &JsValue, key: &str) -> Option<bool> {
    let age = window.performance()?.now() - field(started, "at")?.as_f64()?;
    Some(field(started, "key")?.as_string()? == key && (0.0..=head_start::FRESH_MS).contains(&age))
}

/// The reply message boot.js got for `key` (see [`head_start::key`]), once: None when there
/// is none, when it was for another address, login or invoice, when it is older than
/// [`head_start::FRESH_MS`], or when it is not a clean success. The caller then asks the
/// ordinary way.
pub async fn take(key: &str) -> Option<Vec<u8>> {
    let window = web_sys::window()?;
    let started = field(&window, NAME)?;
    // Once only: a later read of the same invoice (a refresh) asks the service.
    let _ = Reflect::delete_property(&window, &JsValue::from_str(NAME));
    if !for_now(&window, &started, key)? {
        return None;
    }
    let answer: Promise = field(&started, "answer")?.dyn_into().ok()?;
    let reply = wasm_bindgen_futures::JsFuture::from(answer).await.ok()?;
    let status = field(&reply, "status").and_then(|s| s.as_string());
    let body = field(&reply, "body")?.dyn_into::<Uint8Array>().ok()?.to_vec();
    head_start::unary_message(&body, status.as_deref()).map(<[u8]>::to_vec)
}

/// The guest's answer the page carried for `key`'s invoice, when someone is logged in (see
/// boot.js): what the page shows until their own answer arrives. Once, and only while fresh;
/// None when there is none, or it is not a clean success.
pub fn provisional(key: &str) -> Option<Vec<u8>> {
    let window = web_sys::window()?;
    let started = field(&window, NAME)?;
    let carried = field(&started, "provisional")?.dyn_into::<Uint8Array>().ok()?.to_vec();
    let _ = Reflect::delete_property(started.unchecked_ref::<js_sys::Object>(), &JsValue::from_str("provisional"));
    if !for_now(&window, &started, key)? {
        return None;
    }
    head_start::unary_message(&carried, None).map(<[u8]>::to_vec)
}
