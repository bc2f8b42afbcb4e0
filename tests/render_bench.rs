//! Benchmark, not a test: `cargo xtask bench` runs it (release profile, headless Chromium).
//! 1,000 invoices rendered by the app's list (`InvoiceTable`) against plain DOM code making
//! the same table; prints the ratio of the medians (the budget is 1.3).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use schet::i18n::Lang;
use schet::settings::{Settings, Theme};
use schet::state::AppState;
use schet::tasks::Signal;
use schet::views::invoices::{InvoiceTable, Labels, RowTexts};
use schet_api::pb;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROWS: u64 = 1000;
const ROUNDS: usize = 21;

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
            comment: format!("Gift card {id}\nwith a second line"),
            secrets_count: (id % 7) as u32,
            payments_count: (id % 11) as u32,
            owner: Some(pb::UserInfo {
                username: format!("seller{}", id % 17),
                created_at: Some(prost_types::Timestamp { seconds: 1_700_000_000, nanos: 0 }),
                last_online: Some(prost_types::Timestamp { seconds: 1_760_000_000, nanos: 0 }),
                invoices_created_count: (id % 13) as u32,
                ..Default::default()
            }),
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

/// The same table with plain DOM calls: the same texts (the app's `RowTexts`), one element
/// per cell and the same attributes, so the ratio measures rendering alone.
fn plain(parent: &web_sys::Element, list: &[pb::Invoice]) {
    let d = web_sys::window().unwrap().document().unwrap();
    let texts = schet::i18n::texts(Lang::En);
    let inv = &schet::i18n::invoices::EN;
    let act = &schet::i18n::activity::EN;
    let labels = Labels::new(texts, act);
    let wrap = d.create_element("div").unwrap();
    wrap.set_class_name("table-wrap");
    let table = d.create_element("table").unwrap();
    table.set_class_name("invoice-table");
    let head = d.create_element("thead").unwrap();
    let head_row = d.create_element("tr").unwrap();
    let titles = [
        "#",
        texts.field_status,
        texts.field_comment,
        texts.field_price,
        "BTC",
        inv.pieces,
        act.col_secrets,
        act.col_payments,
        inv.partner,
        texts.field_valid_to,
    ];
    for title in titles {
        let th = d.create_element("th").unwrap();
        th.set_attribute("scope", "col").unwrap();
        th.set_text_content(Some(title));
        head_row.append_child(&th).unwrap();
    }
    head.append_child(&head_row).unwrap();
    table.append_child(&head).unwrap();
    let body = d.create_element("tbody").unwrap();
    for i in list {
        let r = RowTexts::new(i, 0.0, "", &labels);
        let tr = d.create_element("tr").unwrap();
        if !r.class.is_empty() {
            tr.set_class_name(r.class);
        }
        let cell = |text: &str| {
            let td = d.create_element("td").unwrap();
            td.set_text_content(Some(text));
            tr.append_child(&td).unwrap();
            td
        };
        let td = d.create_element("td").unwrap();
        let a = d.create_element("a").unwrap();
        a.set_attribute("href", &r.href).unwrap();
        a.set_text_content(Some(&r.id));
        td.append_child(&a).unwrap();
        tr.append_child(&td).unwrap();
        let badge = d.create_element("span").unwrap();
        badge.set_class_name(&r.badge_class);
        badge.set_text_content(Some(r.status));
        cell("").append_child(&badge).unwrap();
        cell(&r.comment);
        cell(&r.price);
        cell(&r.btc);
        cell(&r.pieces).set_attribute("data-label", labels.pieces).unwrap();
        cell(&r.secrets).set_attribute("data-label", labels.secrets).unwrap();
        cell(&r.payments).set_attribute("data-label", labels.payments).unwrap();
        cell(&r.partner).set_attribute("title", &r.partner_track).unwrap();
        cell(&r.countdown).set_attribute("data-label", labels.valid_to).unwrap();
        body.append_child(&tr).unwrap();
    }
    table.append_child(&body).unwrap();
    wrap.append_child(&table).unwrap();
    parent.append_child(&wrap).unwrap();
}

/// One side of a round: `make` builds the list into `host`; returns (DOM built, laid out) in
/// ms. "Laid out" forces style and layout by reading the host's height, which is what a person
/// waits for before the list can be painted.
fn measure(make: impl FnOnce(&web_sys::HtmlElement) -> Box<dyn std::any::Any>) -> (f64, f64) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let start = now();
    let keep = make(&host);
    let built = now() - start;
    assert!(host.offset_height() > 0, "the list has a height once laid out");
    let shown = now() - start;
    assert_eq!(host.query_selector_all("tbody tr").unwrap().length() as u64, ROWS);
    drop(keep);
    host.remove();
    (built, shown)
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: cargo xtask bench runs it"]
fn render_1000_invoices_against_plain_dom() {
    let list = invoices();
    let (mut app, mut dom) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    let app_side = |list: Vec<pb::Invoice>| {
        measure(move |host| {
            let handle = leptos::mount::mount_to(host.clone(), move || {
                let state = AppState::new(Settings {
                    endpoint: String::new(),
                    token: String::new(),
                    lang: Lang::En,
                    theme: Theme::Light,
                });
                let rows = Signal::stored(list);
                view! { <schet::AppShell state=state><InvoiceTable invoices=rows now=Signal::stored(0.0) me=Signal::stored(String::new()) /></schet::AppShell> }
            });
            Box::new(handle)
        })
    };
    let plain_side = |list: &[pb::Invoice]| {
        measure(|host| {
            plain(host, list);
            Box::new(())
        })
    };
    for round in 0..ROUNDS {
        // Alternate who goes first, so neither side always pays for the other's garbage.
        let (a, d) = if round % 2 == 0 {
            let a = app_side(list.clone());
            (a, plain_side(&list))
        } else {
            let d = plain_side(&list);
            (app_side(list.clone()), d)
        };
        app.0.push(a.0);
        app.1.push(a.1);
        dom.0.push(d.0);
        dom.1.push(d.1);
    }
    let (a_built, a_shown, d_built, d_shown) = (median(app.0), median(app.1), median(dom.0), median(dom.1));
    web_sys::console::log_1(
        &format!(
            "render  1000 invoices, built and laid out: app {a_shown:.1} ms, plain DOM {d_shown:.1} ms; ratio {:.2} (budget 1.30)\n\
             render  1000 invoices, DOM building alone: app {a_built:.1} ms, plain DOM {d_built:.1} ms; ratio {:.2}",
            a_shown / d_shown,
            a_built / d_built
        )
        .into(),
    );
}
