//! Browser tests: run by `cargo xtask test` in headless Chromium, against a live reference
//! server that xtask starts on a free loopback port. The page is served from another port
//! by wasm-bindgen-test-runner, so CORS is exercised for real.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use schet::api::{self, ApiError};
use schet::i18n::Lang;
use schet::settings::{Settings, Theme};
use schet::state::AppState;
use schet::views::invoice::InvoiceView;
use schet_api::pb;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

fn btc(units: i64, nanos: i32) -> Option<pb::Decimal> {
    Some(pb::Decimal { units, nanos })
}

fn public_invoice(comment: &str) -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: btc(0, 1_250_000),
        ttl_minutes: 90,
        comment: comment.to_string(),
        pieces_min: 1,
        pieces_max: 3,
        limit_liquidity: true,
        ..Default::default()
    }
}

/// Mounts a view into a fresh element of the test page and returns the element.
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), view).forget();
    host
}

#[wasm_bindgen_test]
async fn created_invoice_reads_back_over_grpc_web() {
    let created = api::invoices::create(&seller(), public_invoice("Round trip: 3 keys")).await.expect("create");
    assert!(created.id > 0);
    assert_eq!(created.owner.as_ref().map(|o| o.username.as_str()), Some("seller"));

    let read = api::invoices::get_by_id(&buyer(), created.id).await.expect("buyer reads a public invoice");
    assert_eq!(read.id, created.id);
    assert_eq!(read.comment, "Round trip: 3 keys");
    assert_eq!(read.price, btc(0, 1_250_000));
    assert_eq!(read.current_crypto_price, btc(0, 1_250_000));
    assert_eq!((read.pieces_min, read.pieces_max, read.limit_liquidity), (1, 3, true));
    assert_eq!(read.status, pb::invoice::InvoiceStatus::Active as i32);
    let (created_at, valid_to) = (read.created_at.unwrap(), read.valid_to.unwrap());
    assert_eq!(valid_to.seconds - created_at.seconds, 90 * 60, "ValidTo = CreatedAt + TTL");
}

#[wasm_bindgen_test]
async fn profile_names_the_logged_in_user() {
    let me = api::profile::my_profile(&buyer()).await.expect("profile");
    assert_eq!(me.username, "buyer");
    assert_eq!(me.user_id.len(), 36);
}

#[wasm_bindgen_test]
async fn private_invoice_is_visible_to_its_two_parties_only() {
    let mut req = public_invoice("For the buyer only");
    req.is_private = true;
    req.user_name = "buyer".into();
    let created = api::invoices::create(&seller(), req).await.expect("create private");
    assert!(created.is_private);
    assert!(matches!(
        created.nullable_target_user,
        Some(pb::invoice::NullableTargetUser::TargetUser(ref u)) if u.username == "buyer"
    ));
    // 0.5% issuing fee on 0.00125 BTC.
    assert_eq!(created.fee, btc(0, 6_250));

    assert!(api::invoices::get_by_id(&buyer(), created.id).await.is_ok());
    match api::invoices::get_by_id(&stranger(), created.id).await {
        Err(ApiError::NotFound(_)) => {}
        other => panic!("a stranger must not see a private invoice: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_bad_token_is_reported_as_log_in_again() {
    match api::profile::my_profile(&as_user("not-a-token")).await {
        Err(ApiError::Unauthenticated(message)) => {
            // grpc-message arrives percent-encoded; the user sees it decoded.
            assert_eq!(message, "the token is not valid: log in again");
        }
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_server_side_rule_maps_back_to_its_field() {
    let mut req = public_invoice("to nobody");
    req.is_private = true;
    req.user_name = "nobody_with_this_name".into();
    match api::invoices::create(&seller(), req).await {
        Err(ApiError::Invalid(e)) => {
            assert_eq!((e.field.as_str(), &e.rule), ("UserName", &schet_api::Rule::NoSuchUser));
            assert_eq!(e.to_string(), "UserName: no user has this name");
        }
        other => panic!("expected a UserName error, got {other:?}"),
    }
    let mut req = public_invoice("unknown rate");
    req.is_base_crypto = false;
    req.fiat_currency = "EUR".into();
    req.price = btc(25, 0);
    req.price_variable = "NoSuchRate".into();
    match api::invoices::create(&seller(), req).await {
        Err(ApiError::Invalid(e)) => assert_eq!(e.field, "PriceVariable"),
        other => panic!("expected a PriceVariable error, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn client_side_rules_stop_a_bad_request_before_it_is_sent() {
    let mut req = public_invoice("bad pieces");
    req.pieces_min = 5;
    req.pieces_max = 2;
    // A token that would fail on the server: the rule must win before any request.
    match api::invoices::create(&as_user("not-a-token"), req).await {
        Err(ApiError::Invalid(e)) => assert_eq!(e.field, "PiecesMax"),
        other => panic!("expected a PiecesMax error, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_is_unavailable_and_retryable() {
    let mut settings = seller();
    settings.endpoint = "http://127.0.0.1:9".into();
    match api::profile::my_profile(&settings).await {
        Err(e @ ApiError::Unavailable(_)) => assert!(e.is_retryable()),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_non_grpc_endpoint_is_reported_as_such() {
    let mut settings = seller();
    settings.endpoint = format!("{}/not-the-service", endpoint());
    match api::profile::my_profile(&settings).await {
        Err(ApiError::WrongEndpoint(_)) => {}
        other => panic!("expected WrongEndpoint, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn invoice_page_shows_the_invoice_with_hostile_text_as_text() {
    let hostile = "<img src=x onerror=\"document.title='pwned'\"> Gift card";
    let created = api::invoices::create(&seller(), public_invoice(hostile)).await.expect("create");
    let state = AppState::new(buyer());
    let id = created.id;
    let host = mount(move || view! { <schet::AppShell state=state><InvoiceView id=id /></schet::AppShell> });
    wait_until("the invoice to render", || text(&host).contains("Gift card")).await;
    let shown = text(&host);
    assert!(shown.contains(hostile), "the comment is shown verbatim: {shown}");
    assert!(host.query_selector("img").unwrap().is_none(), "no element was made from the comment");
    assert!(shown.contains("Active"));
    assert!(shown.contains("0.00125 BTC"), "price in BTC: {shown}");
    assert!(shown.contains("seller"));
    assert!(shown.contains("1–3"));
    assert_ne!(web_sys::window().unwrap().document().unwrap().title(), "pwned");
}

#[wasm_bindgen_test]
async fn invoice_page_with_a_bad_token_says_log_in_again() {
    let state = AppState::new(as_user("expired-token"));
    let host = mount(move || view! { <schet::AppShell state=state><InvoiceView id=1 /></schet::AppShell> });
    wait_until("the error to show", || text(&host).contains("log in again")).await;
    assert!(text(&host).contains("Unauthenticated: log in again."));
    let link = host.query_selector("a[href^='/settings']").unwrap().expect("a link to log in again");
    assert_eq!(link.text_content().unwrap(), "Log in again");
}

#[wasm_bindgen_test]
async fn invoice_page_switches_language() {
    let created = api::invoices::create(&seller(), public_invoice("Язык")).await.expect("create");
    let state = AppState::new(buyer());
    let id = created.id;
    let host = mount(move || view! { <schet::AppShell state=state><InvoiceView id=id /></schet::AppShell> });
    wait_until("the invoice to render", || text(&host).contains("Seller")).await;
    state.settings.update(|s| s.lang = Lang::Ru);
    wait_until("Russian labels", || text(&host).contains("Продавец")).await;
    assert!(text(&host).contains("Активен"));
    assert!(!text(&host).contains("Seller"));
}

#[wasm_bindgen_test]
fn settings_survive_a_reload() {
    let saved = Settings {
        endpoint: "https://api.example.com".into(),
        token: "t0k3n".into(),
        lang: Lang::Ru,
        theme: Theme::Dark,
    };
    saved.save();
    assert_eq!(Settings::load(), saved);
    assert_eq!(saved.base_url(), "https://api.example.com");
    let blank = Settings { endpoint: String::new(), ..saved };
    assert_eq!(blank.base_url(), web_sys::window().unwrap().location().origin().unwrap());
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
}
