//! Benchmark, not a test: `cargo xtask bench` runs it (release profile, headless Chromium)
//! against `server/examples/bench_transport.rs`. `GetInvoices` of 100 invoices over gRPC-web
//! against the same data as JSON from the same server: bytes on the wire (Resource Timing's
//! transfer size: headers and body) and the time to decode in the browser, each into typed
//! structs in wasm (prost for gRPC-web, serde_json for JSON; `JSON.parse` into JS objects
//! shown for reference).
#![cfg(target_arch = "wasm32")]

use prost::Message;
use schet_api::pb;
use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROUNDS: usize = 31;
/// Decodes per timed sample: the browser's clock is coarse (0.1 ms).
const BATCH: usize = 20;
const TOKEN: &str = "Bearer bench-seller";

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserJson {
    id: String,
    username: String,
    created_at: Option<i64>,
    last_online: Option<i64>,
    invoices_created_count: u32,
    payments_payed_count: u32,
    payments_received_count: u32,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookJson {
    url: String,
    required: bool,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum IntegrationJson {
    Redirect(String),
    Webhook(WebhookJson),
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvoiceJson {
    id: u64,
    is_private: bool,
    is_base_crypto: bool,
    price: Option<String>,
    fiat_currency: String,
    price_variable: String,
    ttl_minutes: u32,
    comment: String,
    pieces_min: u32,
    pieces_max: u32,
    status: String,
    total_payed_crypto: Option<String>,
    payments_count: u32,
    owner: Option<UserJson>,
    target_user: Option<UserJson>,
    created_at: Option<i64>,
    valid_to: Option<i64>,
    fee: Option<String>,
    limit_liquidity: bool,
    current_crypto_price: Option<String>,
    refund_payment_id: Option<u64>,
    service: String,
    images: Vec<String>,
    secrets_count: u32,
    integration: Option<IntegrationJson>,
}

#[derive(Deserialize)]
struct PageJson {
    invoices: Vec<InvoiceJson>,
}

/// What the test prints reaches the runner through the console.
fn log(line: &str) {
    web_sys::console::log_1(&line.into());
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Resource Timing's transfer size (headers and body as received) of the last load of `url`.
fn transferred(url: &str) -> f64 {
    let entries = web_sys::window().unwrap().performance().unwrap().get_entries_by_name(url);
    let last = entries.get(entries.length() - 1);
    js_sys::Reflect::get(&last, &JsValue::from_str("transferSize")).unwrap().as_f64().unwrap_or(0.0)
}

/// The median time of one `decode`, in ms, over ROUNDS samples of BATCH decodes each
/// (after one warm-up).
fn time(mut decode: impl FnMut() -> usize) -> f64 {
    assert_eq!(decode(), 100, "every round decodes 100 invoices");
    median(
        (0..ROUNDS)
            .map(|_| {
                let t = now();
                let mut n = 0;
                for _ in 0..BATCH {
                    n += decode();
                }
                let elapsed = now() - t;
                assert_eq!(n, 100 * BATCH);
                elapsed / BATCH as f64
            })
            .collect(),
    )
}

#[wasm_bindgen_test]
#[ignore = "benchmark: cargo xtask bench"]
async fn transport_grpc_web_against_json() {
    let endpoint = option_env!("SCHET_BENCH_ENDPOINT").expect("SCHET_BENCH_ENDPOINT: run by cargo xtask bench");

    // gRPC-web, exactly as the app sends it: one length-prefixed frame.
    let request = pb::GetInvoicesRequest { count: 100, ..Default::default() }.encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend_from_slice(&(request.len() as u32).to_be_bytes());
    framed.extend_from_slice(&request);
    let grpc_url = format!("{endpoint}/CoreSchema.V1.TradeApi/GetInvoices");
    let response = gloo_net::http::Request::post(&grpc_url)
        .header("authorization", TOKEN)
        .header("content-type", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .body(framed)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let grpc_body = response.binary().await.unwrap();
    let grpc_wire = transferred(&grpc_url);

    let json_url = format!("{endpoint}/bench/invoices.json");
    let response = gloo_net::http::Request::get(&json_url).header("authorization", TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let json_body = response.binary().await.unwrap();
    let json_wire = transferred(&json_url);

    let grpc_ms = time(|| {
        // The data frame (flag 0), then the trailers frame.
        assert_eq!(grpc_body[0], 0, "a data frame first");
        let len = u32::from_be_bytes(grpc_body[1..5].try_into().unwrap()) as usize;
        pb::GetInvoicesResponse::decode(&grpc_body[5..5 + len]).unwrap().invoices.len()
    });
    let json_ms = time(|| serde_json::from_slice::<PageJson>(&json_body).unwrap().invoices.len());
    let text = String::from_utf8(json_body.clone()).unwrap();
    let js_ms = time(|| {
        let parsed = js_sys::JSON::parse(&text).unwrap();
        let list = js_sys::Reflect::get(&parsed, &JsValue::from_str("invoices")).unwrap();
        js_sys::Array::from(&list).length() as usize
    });

    let kb = |b: f64| b / 1000.0;
    log(&format!(
        "transport  GetInvoices, 100 invoices: gRPC-web {:.1} KB on the wire ({} B body), JSON {:.1} KB ({} B body): JSON/gRPC-web {:.2}×",
        kb(grpc_wire),
        grpc_body.len(),
        kb(json_wire),
        json_body.len(),
        json_wire / grpc_wire
    ));
    log(&format!(
        "transport  decode in the browser (median of {ROUNDS}×{BATCH}): prost {grpc_ms:.3} ms, serde_json {json_ms:.3} ms (JSON/gRPC-web {:.2}×); JSON.parse into JS objects {js_ms:.3} ms",
        json_ms / grpc_ms
    ));
    assert!(grpc_wire > 0.0 && json_wire > 0.0, "Resource Timing reported the transfer sizes");
}
