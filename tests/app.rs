//! Browser tests that drive the whole app (router, shell, top bar, live events) at a path,
//! as a person uses it, against the live reference server (see tests/web.rs).
#![cfg(target_arch = "wasm32")]

use schet::i18n::Lang;
use schet::settings::Settings;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The rules are codes: the app words each in the user's language next to its field, both
/// those it checks itself and those only the service knows (sent back as a code with the
/// English text), and words them again when the language changes.
#[wasm_bindgen_test]
async fn a_bad_value_is_explained_in_russian_next_to_its_field() {
    schet::views::invoice_form::clear_draft(&seller(), None);
    let opened = open("/invoices/new", Settings { lang: Lang::Ru, ..seller() });
    let host = &opened.host;
    wait_until("the form", || host.query_selector("#invoice-price").unwrap().is_some()).await;
    assert!(text(host).contains("Новый счёт"), "the page is in Russian: {}", text(host));

    type_into(host, "invoice-price", "0");
    wait_until("the rule in Russian", || error_shown(host, "invoice-price").as_deref() == Some("должно быть больше 0"))
        .await;
    type_into(host, "invoice-price", "abc");
    wait_until("not a number, in Russian", || {
        error_shown(host, "invoice-price").as_deref() == Some("должно быть числом, например 0.0015")
    })
    .await;
    type_into(host, "invoice-pieces-min", "0");
    wait_until("pieces", || error_shown(host, "invoice-pieces-min").as_deref() == Some("должно быть не меньше 1"))
        .await;
    type_into(host, "invoice-pieces-min", "1");
    type_into(host, "invoice-price", "0.001");
    wait_until("no error left", || error_shown(host, "invoice-price").is_none()).await;

    // A buyer that does not exist: only the service can tell.
    click(host, "input[name='invoice-kind']:not(:checked)");
    wait_until("the buyer field", || host.query_selector("#invoice-user").unwrap().is_some()).await;
    type_into(host, "invoice-user", "nobody_by_this_name");
    click_button(host, "Выставить счёт");
    wait_until("the service's rule, in Russian", || {
        error_shown(host, "invoice-user").as_deref() == Some("нет пользователя с таким именем")
    })
    .await;
    // The same rule in English once the language is switched, and back.
    click_button(host, "English");
    wait_until("the rule in English", || error_shown(host, "invoice-user").as_deref() == Some("no user has this name"))
        .await;
    click_button(host, "Русский");
    wait_until("and in Russian again", || {
        error_shown(host, "invoice-user").as_deref() == Some("нет пользователя с таким именем")
    })
    .await;
    schet::views::invoice_form::clear_draft(&seller(), None);
}

/// A route parameter that is not an invoice number says so, on every invoice route.
#[wasm_bindgen_test]
async fn every_invoice_route_refuses_a_bad_number_the_same_way() {
    for path in ["/invoice/0", "/invoice/x", "/invoice/0/edit", "/invoice/-1/secrets"] {
        let opened = open(path, seller());
        let host = &opened.host;
        wait_until(&format!("{path}: the rule"), || text(host).contains("Enter a whole number greater than 0.")).await;
    }
}

/// The "to me" tab needs to know who I am: opened directly, it waits for that and then
/// lists the invoices made out to me.
#[wasm_bindgen_test]
async fn the_to_me_tab_opened_directly_lists_my_invoices() {
    let req = schet_api::pb::CreateInvoiceRequest {
        is_private: true,
        user_name: "buyer".into(),
        is_base_crypto: true,
        price: Some(schet_api::pb::Decimal { units: 0, nanos: 700_000 }),
        ttl_minutes: 60,
        comment: "made out to the buyer".into(),
        ..Default::default()
    };
    let created = schet::api::invoices::create(&seller(), req).await.expect("create");
    let opened = open("/invoices?tab=tome", buyer());
    let host = &opened.host;
    let link = format!("a[href='/invoice/{}']", created.id);
    wait_until("the invoice made out to me", || host.query_selector(&link).unwrap().is_some()).await;
}

/// A shared link's page is shown on its own (in the release build, without the other
/// screens' code); the first link followed from it brings them in at the new address, and from
/// then on links and the browser's back button move through the app as anywhere else.
#[wasm_bindgen_test]
async fn from_a_shared_link_to_the_list_and_back_with_the_back_button() {
    let invoice =
        public_invoice("Shared, then browsed", Some(schet_api::pb::Decimal { units: 0, nanos: 300_000 }), &[]).await;
    let own = format!("/invoice/{}", invoice.id);
    let tab = Tab::open(&own, guest());
    tab.wait("the shared invoice", || tab.text().contains("Shared, then browsed")).await;
    tab.link("Invoices").click();
    let public_tab = || {
        let buttons = tab.host.query_selector_all("button").unwrap();
        (0..buttons.length()).any(|i| buttons.get(i).unwrap().text_content().unwrap_or_default().trim() == "Public")
    };
    tab.wait("the list, through the top bar", || href().ends_with("/invoices") && public_tab()).await;
    click_button(&tab.host, "Public");
    let row = format!("a[href='{own}']");
    tab.wait("the invoice in the public list", || shown(&tab, &row)).await;
    let list = href();
    click(&tab.host, &row);
    tab.wait("the invoice again, from the list", || {
        href().ends_with(&own) && tab.text().contains("Shared, then browsed")
    })
    .await;
    let history = web_sys::window().unwrap().history().unwrap();
    history.back().unwrap();
    tab.wait("back on the list", || href() == list && shown(&tab, &row)).await;
    // Each move was an entry of the history (the list's tab too): back through them.
    for _ in 0..3 {
        if href().ends_with(&own) {
            break;
        }
        let before = href();
        history.back().unwrap();
        tab.wait("a step back", || href() != before).await;
    }
    tab.wait("back on the shared page", || href().ends_with(&own) && tab.text().contains("Shared, then browsed")).await;
    assert!(!shown(&tab, ".error-banner"), "{}", tab.text());
}
