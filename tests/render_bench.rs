//! Benchmark, not a test: `cargo xtask bench` runs it (release profile, headless Chromium).
//! 1,000 invoices rendered by the app's list (`InvoiceTable`) against plain DOM code making
//! the same table; prints the ratio of the medians (the budget is 1.3).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use schet::settings::{AppState, Lang, Settings, Theme};
use schet::views::invoices::InvoiceTable;
use schet_api::pb;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROWS: u64 = 1000;
const ROUNDS: usize = 7;

fn invoices() -> Vec<pb::Invoice> {
    (1..=ROWS)
        .map(|id| pb::Invoice {
            id,
            is_base_crypto: id % 2 == 0,
            price: Some(pb::Decimal { units: (id % 50) as i64, nanos: 250_000_000 }),
            fiat_currency: "USD".into(),
            current_crypto_price: Some(pb::Decimal { units: 0, nanos: 1_234_567 }),
            pieces_min: 1,
            pieces_max: 5,
            status: (id % 5) as i32,
            owner: Some(pb::UserInfo { username: format!("seller{}", id % 17), ..Default::default() }),
            valid_to: Some(prost_types::Timestamp { seconds: 2_000_000_000, nanos: 0 }),
            ..Default::default()
        })
        .collect()
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// The same table with plain DOM calls: the texts the app shows, one element per cell.
fn plain(parent: &web_sys::Element, list: &[pb::Invoice]) {
    let d = web_sys::window().unwrap().document().unwrap();
    let table = d.create_element("table").unwrap();
    let body = d.create_element("tbody").unwrap();
    for i in list {
        let tr = d.create_element("tr").unwrap();
        let cell = |text: &str| {
            let td = d.create_element("td").unwrap();
            td.set_text_content(Some(text));
            tr.append_child(&td).unwrap();
            td
        };
        let td = d.create_element("td").unwrap();
        let a = d.create_element("a").unwrap();
        a.set_attribute("href", &format!("/invoice/{}", i.id)).unwrap();
        a.set_text_content(Some(&i.id.to_string()));
        td.append_child(&a).unwrap();
        tr.append_child(&td).unwrap();
        let badge = d.create_element("span").unwrap();
        badge.set_class_name("badge badge-active");
        badge.set_text_content(Some("Active"));
        cell("").append_child(&badge).unwrap();
        cell(&schet::format::price(i));
        cell(&schet::format::btc(i.current_crypto_price.as_ref()));
        cell(&format!("{}–{}", i.pieces_min, i.pieces_max));
        cell(i.owner.as_ref().map(|o| o.username.as_str()).unwrap_or(""));
        cell("12 d 3 h");
        body.append_child(&tr).unwrap();
    }
    table.append_child(&body).unwrap();
    parent.append_child(&table).unwrap();
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: cargo xtask bench runs it"]
fn render_1000_invoices_against_plain_dom() {
    let list = invoices();
    let document = web_sys::window().unwrap().document().unwrap();
    let (mut app, mut dom) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
        document.body().unwrap().append_child(&host).unwrap();
        let data = list.clone();
        let start = now();
        let handle = leptos::mount::mount_to(host.clone(), move || {
            let state = AppState::new(Settings {
                endpoint: String::new(),
                token: String::new(),
                lang: Lang::En,
                theme: Theme::Light,
            });
            let rows = Signal::stored(data);
            view! { <schet::AppShell state=state><InvoiceTable invoices=rows now=Signal::stored(0.0) me=Signal::stored(String::new()) /></schet::AppShell> }
        });
        app.push(now() - start);
        assert_eq!(host.query_selector_all("tbody tr").unwrap().length() as u64, ROWS);
        drop(handle);
        host.remove();

        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let start = now();
        plain(&host, &list);
        dom.push(now() - start);
        host.remove();
    }
    let (a, d) = (median(app), median(dom));
    web_sys::console::log_1(
        &format!("render  1000 invoices: app {a:.1} ms, plain DOM {d:.1} ms; ratio {:.2} (budget 1.30)", a / d).into(),
    );
}
