//! What every browser test file needs: the live server and its users (set at compile time
//! by `cargo xtask test`), waiting on a condition with a deadline, mounting into the page.
#![allow(dead_code)]

use schet::i18n::Lang;
use schet::settings::{Settings, Theme};
use schet_api::pb;
use wasm_bindgen::JsCast;

/// A value `cargo xtask test` sets at compile time.
pub fn env(value: Option<&'static str>, name: &str) -> &'static str {
    value.unwrap_or_else(|| panic!("{name} is not set: run the browser tests with `cargo xtask test`"))
}

/// The live reference server.
pub fn endpoint() -> String {
    env(option_env!("SCHET_TEST_ENDPOINT"), "SCHET_TEST_ENDPOINT").to_string()
}

pub fn seller_token() -> &'static str {
    env(option_env!("SCHET_TEST_TOKEN_SELLER"), "SCHET_TEST_TOKEN_SELLER")
}

pub fn buyer_token() -> &'static str {
    env(option_env!("SCHET_TEST_TOKEN_BUYER"), "SCHET_TEST_TOKEN_BUYER")
}

pub fn stranger_token() -> &'static str {
    env(option_env!("SCHET_TEST_TOKEN_STRANGER"), "SCHET_TEST_TOKEN_STRANGER")
}

/// Settings of a user of the live server, in English.
pub fn as_user(token: &str) -> Settings {
    Settings { endpoint: endpoint(), token: token.to_string(), lang: Lang::En, theme: Theme::System }
}

pub fn seller() -> Settings {
    as_user(seller_token())
}

pub fn buyer() -> Settings {
    as_user(buyer_token())
}

pub fn stranger() -> Settings {
    as_user(stranger_token())
}

/// Lets the browser run (network, timers, rendering) for a moment.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits until `cond` holds, failing with `what` if it never does (about 15 s).
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..1500 {
        if cond() {
            return;
        }
        yield_to_browser().await;
    }
    panic!("never happened: {what}");
}

/// As [`wait_until`], saying what `host` showed when it never happened.
pub async fn wait_on(host: &web_sys::HtmlElement, what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..1500 {
        if cond() {
            return;
        }
        yield_to_browser().await;
    }
    panic!("never happened: {what}; the page shows: {}", text(host));
}

/// A fresh element in the test page to mount into.
pub fn new_host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    host
}

pub fn text(el: &web_sys::HtmlElement) -> String {
    el.text_content().unwrap_or_default()
}

pub fn by_id(host: &web_sys::HtmlElement, id: &str) -> web_sys::Element {
    host.query_selector(&format!("#{id}")).unwrap().unwrap_or_else(|| panic!("no #{id}"))
}

/// Types into an input, textarea or select as a person would (value, then input/change).
pub fn type_into(host: &web_sys::HtmlElement, id: &str, value: &str) {
    let el = by_id(host, id);
    if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        i.set_value(value);
    } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.set_value(value);
    } else if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.set_value(value);
    }
    for kind in ["input", "change"] {
        el.dispatch_event(&web_sys::Event::new(kind).unwrap()).unwrap();
    }
}

pub fn click(host: &web_sys::HtmlElement, selector: &str) {
    let el: web_sys::HtmlElement =
        host.query_selector(selector).unwrap().unwrap_or_else(|| panic!("nothing matches {selector}")).unchecked_into();
    el.click();
}

/// The button whose text is exactly `label`, if one is shown.
pub fn button(host: &web_sys::HtmlElement, label: &str) -> Option<web_sys::HtmlElement> {
    let buttons = host.query_selector_all("button, a.button").unwrap();
    (0..buttons.length())
        .map(|i| buttons.get(i).unwrap().unchecked_into::<web_sys::HtmlElement>())
        .find(|b| b.text_content().unwrap_or_default().trim() == label)
}

/// Clicks the button whose text is exactly `label`.
pub fn click_button(host: &web_sys::HtmlElement, label: &str) {
    match button(host, label) {
        Some(b) => b.click(),
        None => panic!("no button {label:?} in {}", text(host)),
    }
}

pub fn error_shown(host: &web_sys::HtmlElement, id: &str) -> Option<String> {
    let el: web_sys::HtmlElement = host.query_selector(&format!("#{id}-error")).unwrap()?.unchecked_into();
    (!el.hidden()).then(|| text(&el)).filter(|t| !t.is_empty())
}

/// The whole app (router, shell, top bar, live events) opened at `path` for the user of
/// `settings`, as a person gets it; unmounted when dropped.
pub struct Opened {
    pub host: web_sys::HtmlElement,
    app: Option<Box<dyn std::any::Any>>,
    /// The app's owner's parent: cleaned up when dropped, so that nothing of the app (say the
    /// router's listener for link clicks on the window) outlives it.
    owner: leptos::prelude::Owner,
}

impl Drop for Opened {
    fn drop(&mut self) {
        self.host.remove();
        drop(self.app.take());
        self.owner.cleanup();
        let history = web_sys::window().unwrap().history().unwrap();
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/")).unwrap();
    }
}

pub fn open(path: &str, settings: Settings) -> Opened {
    use leptos::prelude::*;
    let history = web_sys::window().unwrap().history().unwrap();
    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).unwrap();
    let state = schet::state::AppState::new(settings);
    let host = new_host();
    let owner = Owner::new();
    let app = owner.with(|| leptos::mount::mount_to(host.clone(), move || view! { <schet::App state=state /> }));
    Opened { host, app: Some(Box::new(app)), owner }
}

/// The whole app (router, shell, top bar, live events) as a person has it in a tab, opened at
/// a path with the settings saved in the browser; unmounted when dropped.
pub struct Tab {
    pub host: web_sys::HtmlElement,
    app: Option<Box<dyn std::any::Any>>,
    /// Owns the app's reactive owner: cleaned up on unmount, so that nothing of an app gone
    /// (the router's click listener, the event stream) outlives it.
    owner: leptos::prelude::Owner,
}

fn history() -> web_sys::History {
    web_sys::window().unwrap().history().unwrap()
}

/// This page's address as the browser shows it.
pub fn href() -> String {
    web_sys::window().unwrap().location().href().unwrap()
}

thread_local! {
    /// The tab open now. A test that fails never drops its tab (no unwinding on wasm): the
    /// next one closes it, so its router and event stream do not act on the next test.
    static OPEN: std::cell::RefCell<Option<(leptos::prelude::Owner, web_sys::HtmlElement)>> = const { std::cell::RefCell::new(None) };
}

impl Tab {
    /// Saves `settings` as the app keeps them, then opens the app at `path` (one tab at a
    /// time: one left open is closed first).
    pub fn open(path: &str, settings: Settings) -> Tab {
        if let Some((owner, host)) = OPEN.with(|o| o.borrow_mut().take()) {
            owner.cleanup();
            host.remove();
        }
        settings.save();
        history().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)).unwrap();
        let mut tab = Tab { host: new_host(), app: None, owner: leptos::prelude::Owner::new() };
        OPEN.with(|o| *o.borrow_mut() = Some((tab.owner.clone(), tab.host.clone())));
        tab.mount();
        tab
    }

    fn mount(&mut self) {
        let state = schet::state::AppState::new(Settings::load());
        let host = self.host.clone();
        let app = self.owner.with(|| {
            leptos::mount::mount_to(host, move || {
                use leptos::prelude::*;
                view! { <schet::App state=state /> }
            })
        });
        self.app = Some(Box::new(app));
    }

    fn unmount(&mut self) {
        self.app = None;
        self.owner.cleanup();
    }

    /// A reload: the app goes away and starts again at the same address, from what the
    /// browser kept.
    pub fn reload(&mut self) {
        self.unmount();
        self.mount();
    }

    pub fn text(&self) -> String {
        text(&self.host)
    }

    /// Waits until `cond` holds (about 15 s), failing with `what` and the page's text.
    pub async fn wait(&self, what: &str, mut cond: impl FnMut() -> bool) {
        for _ in 0..1500 {
            if cond() {
                return;
            }
            yield_to_browser().await;
        }
        panic!("never happened: {what}\n--- the page ---\n{}", self.text());
    }

    /// The link whose text is exactly `label`.
    pub fn link(&self, label: &str) -> web_sys::HtmlAnchorElement {
        let links = self.host.query_selector_all("a").unwrap();
        (0..links.length())
            .map(|i| links.get(i).unwrap().unchecked_into::<web_sys::HtmlAnchorElement>())
            .find(|a| a.text_content().unwrap_or_default().trim() == label)
            .unwrap_or_else(|| panic!("no link {label:?} in {}", self.text()))
    }
}

impl Drop for Tab {
    fn drop(&mut self) {
        self.unmount();
        self.host.remove();
        Settings { token: String::new(), ..Settings::load() }.save();
        history().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/")).unwrap();
    }
}

/// A guest of the live server: its address, nobody logged in.
pub fn guest() -> Settings {
    as_user("")
}

/// The user of `settings` buys `pieces` of invoice `id` as the app does: the invoice read,
/// then paid at the amount it showed (its BTC price times the pieces; one for a private one).
pub async fn pay(
    settings: &Settings,
    id: u64,
    pieces: u32,
) -> Result<schet_api::pb::InvoicePayment, schet::api::ApiError> {
    let invoice = schet::api::invoices::get_by_id(settings, id).await?;
    let unit = schet_api::decimal::from_pb_or_zero(invoice.current_crypto_price.as_ref()).unwrap_or_default();
    let agreed = unit * rust_decimal::Decimal::from(if invoice.is_private { 1 } else { pieces });
    schet::api::payments::pay(settings, id, pieces, agreed).await
}

/// A public invoice of the seller at `price` BTC a piece, 1–3 pieces a purchase, with
/// `secrets` queued in order.
pub async fn public_invoice(comment: &str, price: Option<pb::Decimal>, secrets: &[&str]) -> pb::Invoice {
    let request = pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price,
        ttl_minutes: 90,
        comment: comment.into(),
        pieces_min: 1,
        pieces_max: 3,
        secrets: secrets
            .iter()
            .enumerate()
            .map(|(i, t)| pb::CreateInvoiceSecretRequest {
                text: t.to_string(),
                order: i as u32 + 1,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    schet::api::invoices::create(&seller(), request).await.expect("create")
}

/// Something in the tab matches `selector`.
pub fn shown(tab: &Tab, selector: &str) -> bool {
    tab.host.query_selector(selector).unwrap().is_some()
}

/// Waits for an async condition (a server query), polling.
pub async fn wait_for_server<F: std::future::Future<Output = bool>>(what: &str, mut cond: impl FnMut() -> F) {
    for _ in 0..300 {
        if cond().await {
            return;
        }
        yield_to_browser().await;
    }
    panic!("never happened: {what}");
}

/// A real PNG of `width` × `height` made by the browser's canvas.
pub fn canvas_png(width: u32, height: u32) -> Vec<u8> {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let url = canvas.to_data_url_with_type("image/png").unwrap();
    let bin = web_sys::window().unwrap().atob(url.split_once(',').unwrap().1).unwrap();
    bin.chars().map(|c| c as u8).collect()
}
