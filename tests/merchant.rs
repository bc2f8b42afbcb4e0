//! Browser tests of the merchant section (CryptoCloud-compatible REST calls), run by
//! `cargo xtask test` in headless Chromium against the live reference server. xtask seeds
//! the seller's demo merchant invoices (every status); the buyer's are made here through
//! `api::merchant::create`; the stranger has none. Requests and answers are the contract's
//! types (`schet_api::merchant`, read and written with serde_json).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use rust_decimal::Decimal;
use schet::api::merchant::{
    self as m, AddFields, CreateRequest, Day, Input, ListRequest, MerchantError, Query, Rule, Status,
};
use schet::i18n::Lang;
use schet::settings::{MerchantSettings, Settings, Theme};
use schet::state::AppState;
use schet::views::merchant::MerchantPage;
use std::str::FromStr;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::{as_user, endpoint, env, open, stranger_token, text, wait_until};

wasm_bindgen_test_configure!(run_in_browser);

fn merchant(key: &str) -> MerchantSettings {
    MerchantSettings { url: endpoint(), key: key.to_string(), remember: false, use_login: false }
}

fn seller() -> MerchantSettings {
    merchant(env(option_env!("SCHET_TEST_TOKEN_SELLER"), "SCHET_TEST_TOKEN_SELLER"))
}

fn buyer() -> MerchantSettings {
    merchant(env(option_env!("SCHET_TEST_TOKEN_BUYER"), "SCHET_TEST_TOKEN_BUYER"))
}

fn stranger() -> MerchantSettings {
    merchant(env(option_env!("SCHET_TEST_TOKEN_STRANGER"), "SCHET_TEST_TOKEN_STRANGER"))
}

/// Today's records `offset+1 ..= limit`.
fn today_page(offset: u64, limit: u64) -> ListRequest {
    ListRequest::new(Day(m::today()), Day(m::today()), offset, Some(limit))
}

/// The merchant page mounted with these merchant settings (nothing saved).
fn mount_page(settings: MerchantSettings) -> web_sys::HtmlElement {
    mount_logged_in(settings, "")
}

/// The same, logged in to Schet with `token`.
fn mount_logged_in(settings: MerchantSettings, token: &str) -> web_sys::HtmlElement {
    let state = AppState::new(Settings {
        endpoint: endpoint(),
        token: token.to_string(),
        lang: Lang::En,
        theme: Theme::System,
    });
    state.merchant.set(settings);
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), move || {
        view! { <schet::AppShell state=state><MerchantPage /></schet::AppShell> }
    })
    .forget();
    host
}

fn find(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).unchecked_into()
}

fn type_into(host: &web_sys::HtmlElement, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement = find(host, selector).unchecked_into();
    input.set_value(value);
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
}

/// The button whose text is `label`.
fn click_button(host: &web_sys::HtmlElement, label: &str) {
    let buttons = host.query_selector_all("button").unwrap();
    for i in 0..buttons.length() {
        let b: web_sys::HtmlElement = buttons.item(i).unwrap().unchecked_into();
        if b.text_content().unwrap_or_default().trim().starts_with(label) {
            b.click();
            return;
        }
    }
    panic!("no button {label:?} in {}", text(host));
}

fn pager(host: &web_sys::HtmlElement) -> String {
    host.query_selector(".pager-text").unwrap().map(|e| e.text_content().unwrap_or_default()).unwrap_or_default()
}

fn rows(host: &web_sys::HtmlElement) -> u32 {
    host.query_selector_all("tbody tr").unwrap().length()
}

/// The buyer's invoices, made once for the tests that need them: 23 today, one with an
/// order id that needs CSV quoting, amounts no f64 keeps exactly.
async fn buyer_invoices() {
    let page = m::list(&buyer(), &today_page(0, 1)).await.unwrap();
    if page.all_count >= 23 {
        return;
    }
    for n in 1..=23 {
        let new = CreateRequest {
            shop_id: "BROWSER".to_string().into(),
            amount: Decimal::from_str(&format!("{n}.10000001")).unwrap().into(),
            order_id: if n == 23 { "A,\"quoted\"\nline".to_string() } else { format!("B-{n:02}") }.into(),
            add_fields: if n % 2 == 0 {
                AddFields { cryptocurrency: "BTC".to_string().into(), ..Default::default() }.into()
            } else {
                Input::Missing
            },
            ..Default::default()
        };
        let made = m::create(&buyer(), &new).await.expect("create");
        assert!(made.uuid.starts_with("INV-"));
        assert_eq!(made.status, Status::Created);
    }
}

#[wasm_bindgen_test]
fn dates_are_checked_as_dd_mm_yyyy_with_end_not_before_start() {
    assert_eq!(m::parse_date("01.01.1970"), Some(0));
    assert_eq!(m::format_date(m::parse_date("29.02.2024").unwrap()), "29.02.2024");
    for bad in ["29.02.2023", "31.04.2025", "1.1.2025", "2025-01-01", "01.13.2025", "00.01.2025", ""] {
        assert_eq!(m::parse_date(bad), None, "{bad}");
    }
    let rules = |s: &str, e: &str, offset, size| {
        Query::new(s, e, offset, size)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|i| (i.field, i.rule))
            .collect::<Vec<_>>()
    };
    let q = Query::new(" 01.01.2025", "02.01.2025 ", 20, 10).unwrap();
    assert_eq!(
        serde_json::to_string(&q.request()).unwrap(),
        r#"{"start":"01.01.2025","end":"02.01.2025","offset":20,"limit":30}"#
    );
    assert_eq!(rules("02.01.2025", "01.01.2025", 0, 10), [("end", Rule::EndBeforeStart)]);
    assert_eq!(rules("x", "01.01.2025", 0, 10), [("start", Rule::Date)]);
    assert_eq!(rules("", "31.02.2025", 0, 10), [("start", Rule::Required), ("end", Rule::Date)]);
    assert_eq!(rules("01.01.2025", "01.01.2025", 10, 0), [("limit", Rule::LimitAboveOffset)]);
}

#[wasm_bindgen_test]
async fn the_form_shows_date_errors_next_to_their_fields() {
    let host = mount_page(stranger());
    wait_until("the form", || host.query_selector("#merchant-start").unwrap().is_some()).await;
    type_into(&host, "#merchant-start", "31.02.2025");
    click_button(&host, "Show");
    wait_until("the start error", || text(&find(&host, "#merchant-start-error")).contains("dd.mm.yyyy")).await;
    assert_eq!(find(&host, "#merchant-start").get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(find(&host, "#merchant-end-error").hidden());
    type_into(&host, "#merchant-start", "10.03.2025");
    type_into(&host, "#merchant-end", "01.03.2025");
    click_button(&host, "Show");
    wait_until("the end error", || text(&find(&host, "#merchant-end-error")).contains("must not be before")).await;
    assert!(find(&host, "#merchant-start-error").hidden());
    // A quick range fixes both and asks.
    click_button(&host, "7 days");
    wait_until("the end error to clear", || find(&host, "#merchant-end-error").hidden()).await;
    let start = find(&host, "#merchant-start").unchecked_into::<web_sys::HtmlInputElement>().value();
    assert_eq!(start, m::format_date(m::today() - 6));
    assert_eq!(find(&host, "#merchant-end").get_attribute("aria-invalid").as_deref(), Some("false"));
    wait_until("the list", || pager(&host) == "0 of 0").await;
    assert!(text(&host).contains("No invoices in this range."));
}

#[wasm_bindgen_test]
async fn list_reads_money_exactly_and_pages_across_all_count() {
    buyer_invoices().await;
    let page = m::list(&buyer(), &today_page(0, 10)).await.unwrap();
    assert_eq!(page.all_count, 23);
    assert_eq!(page.result.len(), 10);
    // Newest first: the 23rd made is the first.
    assert_eq!(page.result[0].order_id, "A,\"quoted\"\nline");
    // 23.10000001 USD → 23.1 USD (cents) → 23.1 USDT.
    assert_eq!(page.result[0].amount_usd.to_string(), "23.1");
    assert_eq!(page.result[0].amount.to_string(), "23.1");
    // 22.1 USD at 90000 USD/BTC → 0.00024556 BTC; plus the 0.00002 fee, exactly (no f64).
    let btc = &page.result[1];
    let coin = (btc.currency.fullcode.as_str(), btc.currency.network.code.as_str());
    assert_eq!((btc.order_id.as_str(), coin), ("B-22", ("BTC", "BTC")));
    assert_eq!(btc.amount.to_string(), "0.00024556");
    assert_eq!(btc.amount_to_pay.to_string(), "0.00026556");
    // offset 20, limit 30: the last 3 (records 21..=23).
    let last = m::list(&buyer(), &today_page(20, 30)).await.unwrap();
    assert_eq!(last.result.iter().map(|i| i.order_id.as_str()).collect::<Vec<_>>(), ["B-03", "B-02", "B-01"]);

    let host = mount_page(buyer());
    click_button(&host, "Today");
    wait_until("page 1", || pager(&host) == "1–10 of 23").await;
    assert_eq!(rows(&host), 10);
    assert!(find(&host, "button.pager-prev").has_attribute("disabled"), "no previous page");
    click_button(&host, "Next");
    wait_until("page 2", || pager(&host) == "11–20 of 23").await;
    click_button(&host, "Next");
    wait_until("page 3", || pager(&host) == "21–23 of 23").await;
    assert_eq!(rows(&host), 3);
    assert!(text(&host).contains("B-01"));
    click_button(&host, "Previous");
    wait_until("back to page 2", || pager(&host) == "11–20 of 23").await;
    // A bigger page from the start.
    let select: web_sys::HtmlSelectElement = find(&host, "#merchant-size").unchecked_into();
    select.set_value("25");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    wait_until("one page of 25", || pager(&host) == "1–23 of 23").await;
    assert_eq!(rows(&host), 23);
    // Hostile text stays text.
    assert!(text(&host).contains("A,\"quoted\"\nline"));
}

#[wasm_bindgen_test]
async fn status_filter_narrows_the_page_and_badges_say_the_status() {
    let settings = seller();
    let start = m::today() - 61;
    let req = ListRequest::new(Day(start), Day(m::today()), 0, Some(100));
    let all = m::list(&settings, &req).await.expect("the seeded invoices");
    assert!(all.all_count >= 36, "xtask seeds the seller's merchant invoices");
    let paid = all.result.iter().filter(|i| i.status == Status::Paid).count();
    assert!(paid > 0);
    for status in Status::ALL {
        assert!(all.result.iter().any(|i| i.status == status), "{status} is among the seeded");
    }

    let host = mount_page(settings);
    type_into(&host, "#merchant-start", &m::format_date(start));
    let select: web_sys::HtmlSelectElement = find(&host, "#merchant-size").unchecked_into();
    select.set_value("100");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    click_button(&host, "Show");
    wait_until("the whole range", || pager(&host) == format!("1–{0} of {0}", all.all_count)).await;
    click_button(&host, "Paid (");
    wait_until("only paid", || rows(&host) as usize == paid).await;
    let badges = host.query_selector_all("tbody .badge").unwrap();
    for i in 0..badges.length() {
        let badge: web_sys::HtmlElement = badges.item(i).unwrap().unchecked_into();
        assert_eq!(text(&badge), "Paid");
        assert!(badge.class_name().contains("m-paid"));
    }
    assert_eq!(find(&host, "button[aria-pressed='true']").text_content().unwrap(), format!("Paid ({paid})"));
    click_button(&host, "All (");
    wait_until("all again", || rows(&host) as u64 == all.all_count).await;
    // The totals follow the rows shown.
    assert!(text(&find(&host, "tfoot")).contains('$'));
}

#[wasm_bindgen_test]
async fn a_bad_key_says_check_your_api_key() {
    match m::list(&merchant("not-a-key"), &today_page(0, 10)).await {
        Err(MerchantError::Unauthorized(detail)) => assert_eq!(detail, "Signature verification failed"),
        other => panic!("expected 401, got {other:?}"),
    }
    match m::list(&merchant("two words"), &today_page(0, 10)).await {
        Err(MerchantError::Unauthorized(detail)) => assert_eq!(detail, "Invalid header padding"),
        other => panic!("expected 401, got {other:?}"),
    }
    assert_eq!(m::list(&merchant(""), &today_page(0, 10)).await, Err(MerchantError::NoKey));
    // A broken rule is found before sending, as a code.
    match m::list(&stranger(), &ListRequest::default()).await {
        Err(e @ MerchantError::Rules(_)) => assert_eq!(e.rule("start").map(|i| &i.rule), Some(&Rule::Required)),
        other => panic!("expected the rules, got {other:?}"),
    }
    // The documented 400, per field, from the service itself.
    match m::post::<m::ListResponse>(&stranger(), m::LIST_PATH, "{}".into()).await {
        Err(e @ MerchantError::Invalid(_)) => {
            assert_eq!(e.field("start"), Some("start not passed."));
            assert_eq!(e.field("end"), Some("end not passed."));
        }
        other => panic!("expected 400, got {other:?}"),
    }

    let host = mount_page(merchant("not-a-key-1234"));
    wait_until("the error", || text(&host).contains("check your API key")).await;
    assert!(text(&host).contains("Signature verification failed"));
    // The key is not shown back, only its last characters.
    let status = text(&find(&host, "#merchant-key-status"));
    assert!(status.contains("…1234") && !status.contains("not-a-key"), "{status}");
    assert!(host.query_selector("details[open]").unwrap().is_some(), "the settings open to fix the key");
}

#[wasm_bindgen_test]
async fn csv_export_holds_the_rows_shown_escaped() {
    buyer_invoices().await;
    let page = m::list(&buyer(), &today_page(0, 100)).await.unwrap();
    let csv = m::to_csv(&page.result);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(lines[0].starts_with("uuid,created,expiry_date,status,currency,network,amount,amount_usd,"));
    assert_eq!(csv.matches("INV-").count(), 23);
    assert!(csv.contains(",\"A,\"\"quoted\"\"\nline\",BROWSER,false\r\n"), "{csv}");

    let host = mount_page(buyer());
    click_button(&host, "Today");
    wait_until("the page", || pager(&host) == "1–10 of 23").await;
    let link: web_sys::HtmlAnchorElement = find(&host, "a.csv-export").unchecked_into();
    assert!(link.href().starts_with("blob:"));
    assert!(link.download().ends_with(".csv"));
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(web_sys::window().unwrap().fetch_with_str(&link.href()))
            .await
            .unwrap()
            .unchecked_into();
    let body = wasm_bindgen_futures::JsFuture::from(response.text().unwrap()).await.unwrap().as_string().unwrap();
    let shown = m::list(&buyer(), &today_page(0, 10)).await.unwrap();
    assert_eq!(body, m::to_csv(&shown.result), "the download is the page shown");
}

#[wasm_bindgen_test]
fn merchant_settings_keep_the_key_only_as_chosen() {
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let session = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    let mut s = MerchantSettings {
        url: "https://api.example.com/".into(),
        key: "secret-key-9876".into(),
        ..Default::default()
    };
    s.save();
    assert_eq!(local.get_item("schet.merchant.key").unwrap(), None, "not remembered: not on the device");
    assert_eq!(MerchantSettings::load(), s);
    assert_eq!(s.base_url(), "https://api.example.com");
    assert_eq!(s.key_hint(), "…9876");
    s.remember = true;
    s.save();
    assert_eq!(session.get_item("schet.merchant.key").unwrap(), None);
    assert_eq!(MerchantSettings::load(), s);
    s.key.clear();
    s.save();
    assert_eq!(MerchantSettings::load().key, "");
    local.clear().unwrap();
    session.clear().unwrap();
}

/// The reference service takes a user's Schet token as their merchant key: one click uses
/// it. The token is sent only to the service that issued it and is not stored a second time.
#[wasm_bindgen_test]
async fn the_schet_login_serves_as_the_key_on_its_own_service() {
    buyer_invoices().await;
    let token = buyer().key;
    let expected = m::list(&buyer(), &today_page(0, 1)).await.unwrap().all_count;
    let host = mount_logged_in(MerchantSettings::default(), &token);
    wait_until("the settings, asking for a key", || text(&host).contains("No key saved")).await;
    click_button(&host, "Use my Schet login");
    wait_until("the buyer's invoices", || pager(&host).ends_with(&format!("of {expected}"))).await;
    let status = text(&find(&host, "#merchant-key-status"));
    assert!(status.contains("your Schet login token") && !status.contains(&token), "{status}");

    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let session = web_sys::window().unwrap().session_storage().unwrap().unwrap();
    assert_eq!(local.get_item("schet.merchant.key").unwrap(), None, "no copy of the token");
    assert_eq!(session.get_item("schet.merchant.key").unwrap(), None, "no copy of the token");
    let saved = MerchantSettings::load();
    assert!(saved.use_login && saved.key.is_empty());
    let login = Settings { endpoint: endpoint(), token: token.clone(), lang: Lang::En, theme: Theme::System };
    assert_eq!(saved.for_request(&login).key, token);
    // Pointed at another service, the merchant API gets no Schet token.
    let elsewhere = MerchantSettings { url: "https://api.example.com".into(), ..saved };
    assert_eq!(elsewhere.for_request(&login).key, "");
    assert_eq!(m::list(&elsewhere.for_request(&login), &today_page(0, 1)).await, Err(MerchantError::NoKey));
    local.clear().unwrap();
    session.clear().unwrap();
}

/// The whole app at /merchant in Russian: the contract's rules, broken in the form, are
/// worded in Russian next to their fields, and nothing is sent.
#[wasm_bindgen_test]
async fn date_rules_are_worded_in_russian_next_to_their_fields() {
    // No merchant key saved: the page asks for nothing by itself.
    MerchantSettings::default().save();
    let opened = open("/merchant", Settings { lang: Lang::Ru, ..as_user(stranger_token()) });
    let host = &opened.host;
    wait_until("the form", || host.query_selector("#merchant-start").unwrap().is_some()).await;
    assert!(text(host).contains("Счета мерчанта"), "the page is in Russian: {}", text(host));
    type_into(host, "#merchant-start", "31.02.2025");
    type_into(host, "#merchant-end", "");
    click_button(host, "Показать");
    wait_until("the start rule in Russian", || {
        text(&find(host, "#merchant-start-error")) == "Введите дату как дд.мм.гггг, например 31.01.2025."
    })
    .await;
    assert_eq!(text(&find(host, "#merchant-end-error")), "Обязательное поле.");
    type_into(host, "#merchant-start", "10.03.2025");
    type_into(host, "#merchant-end", "01.03.2025");
    click_button(host, "Показать");
    wait_until("the order rule in Russian", || {
        text(&find(host, "#merchant-end-error")) == "Дата окончания не может быть раньше даты начала."
    })
    .await;
    assert!(find(host, "#merchant-start-error").hidden());
    assert!(host.query_selector(".pager-text").unwrap().is_none(), "nothing was asked for");
}
