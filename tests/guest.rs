//! A buyer who arrives through a shared link, as a guest, through the whole app (router,
//! shell, top bar, live events) against the live reference server: what a guest sees, what
//! is refused them, "Log in to buy" and back, and a login link that asks first.
#![cfg(target_arch = "wasm32")]

use schet::api;
use schet::settings::Settings;
use schet_api::pb;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

fn btc(units: i64, nanos: i32) -> Option<pb::Decimal> {
    Some(pb::Decimal { units, nanos })
}

#[wasm_bindgen_test]
async fn a_guest_opens_a_shared_invoice_with_its_price_rate_seller_images_and_share() {
    let image = api::images::new_guid();
    api::images::store(&seller(), image, canvas_png(30, 20)).await.expect("image stored");
    let request = pb::CreateInvoiceRequest {
        is_base_crypto: false,
        fiat_currency: "USD".into(),
        price_variable: "Average".into(),
        price: btc(9, 0),
        ttl_minutes: 90,
        comment: "Shared with a guest".into(),
        pieces_min: 1,
        pieces_max: 3,
        images: vec![image.to_string()],
        ..Default::default()
    };
    let invoice = api::invoices::create(&seller(), request).await.expect("create");
    let tab = Tab::open(&format!("/invoice/{}", invoice.id), guest());
    tab.wait("the invoice", || tab.text().contains("Shared with a guest")).await;
    let page = tab.text();
    for what in ["9 USD", "0.0001 BTC", "1 BTC ≈ 90000 USD (Average)", "seller", "1 h 29 min", "Copy link", "QR"] {
        assert!(page.contains(what), "{what:?} in {page}");
    }
    tab.wait("the image, read as a guest", || shown(&tab, ".gallery img[src^='blob:']")).await;
    click_button(&tab.host, "QR");
    tab.wait("the QR code", || shown(&tab, "svg.qr")).await;
    // The top bar offers "Log in" (back here) in place of the account's items.
    let log_in = tab.link("Log in");
    assert!(log_in.href().ends_with(&format!("/settings?next=/invoice/{}", invoice.id)), "{}", log_in.href());
    let bar = text(&tab.host.query_selector(".top-bar").unwrap().unwrap().unchecked_into());
    assert!(!bar.contains("Payments") && !bar.contains("Messages"), "{bar}");
    assert!(!shown(&tab, ".error-banner"), "no error anywhere: {page}");
    // The buy box asks to log in; it does not fail.
    assert!(shown(&tab, "#buy-pieces") && shown(&tab, "#buy-log-in"));
    drop(tab);

    // The list's Public tab works too; "Mine" asks to log in instead of failing.
    let tab = Tab::open("/invoices?tab=public", guest());
    let row = format!("a[href='/invoice/{}']", invoice.id);
    tab.wait("the invoice in the public list", || shown(&tab, &row)).await;
    click_button(&tab.host, "Mine");
    tab.wait("a way to log in", || shown(&tab, ".login-prompt")).await;
    assert!(!shown(&tab, ".error-banner"), "{}", tab.text());
    drop(tab);

    // A screen that is someone's own says so, with a way to log in and back.
    let tab = Tab::open("/payments", guest());
    tab.wait("the login prompt", || tab.text().contains("log in to see it")).await;
    assert!(!shown(&tab, ".error-banner"), "{}", tab.text());
    assert!(
        tab.host
            .query_selector(".login-prompt a")
            .unwrap()
            .unwrap()
            .unchecked_into::<web_sys::HtmlAnchorElement>()
            .href()
            .ends_with("/settings?next=/payments")
    );
}

#[wasm_bindgen_test]
async fn a_guest_is_refused_a_private_invoice_exactly_as_a_missing_one() {
    let request = pb::CreateInvoiceRequest {
        is_private: true,
        user_name: "buyer".into(),
        is_base_crypto: true,
        price: btc(0, 500_000),
        ttl_minutes: 60,
        comment: "Private: not for guests".into(),
        ..Default::default()
    };
    let private = api::invoices::create(&seller(), request).await.expect("create");
    let missing = private.id + 1_000_000;
    let page_of = |id: u64| async move {
        let tab = Tab::open(&format!("/invoice/{id}"), guest());
        tab.wait("the refusal", || tab.text().contains("or it is not shared with you")).await;
        let main = tab.host.query_selector("main").unwrap().unwrap().inner_html();
        main.replace(&id.to_string(), "ID")
    };
    let refused = page_of(private.id).await;
    assert!(!refused.contains("not for guests") && !refused.contains("0.005"), "{refused}");
    assert!(refused.contains("log in to see it"), "a guest may log in: {refused}");
    assert_eq!(refused, page_of(missing).await, "the same page as for an invoice that does not exist");
}

#[wasm_bindgen_test]
async fn log_in_to_buy_comes_back_with_the_pieces_kept_and_the_purchase_succeeds() {
    let invoice = public_invoice("Three keys for a guest", btc(0, 100_000), &["G-1", "G-2", "G-3"]).await;
    let mut tab = Tab::open(&format!("/invoice/{}", invoice.id), guest());
    tab.wait("the buy box", || shown(&tab, "#buy-pieces")).await;
    type_into(&tab.host, "buy-pieces", "2");
    tab.wait("the login link with 2 pieces", || tab.link("Log in to buy").href().contains("buy%3D2")).await;
    tab.link("Log in to buy").click();
    tab.wait("the login page", || shown(&tab, "#settings-token")).await;
    assert!(href().contains("next="), "{}", href());
    // The way back survives a reload of the login page.
    tab.reload();
    tab.wait("the login page again", || shown(&tab, "#settings-token")).await;
    type_into(&tab.host, "settings-token", buyer_token());
    click_button(&tab.host, "Save and log in");
    // Back on the invoice, the pieces kept, the confirmation open with the amount.
    tab.wait("back on the invoice, ready to pay", || {
        tab.text().contains("0.0002 BTC") && shown(&tab, "[role=alertdialog]")
    })
    .await;
    assert!(href().ends_with(&format!("/invoice/{}?buy=2", invoice.id)), "{}", href());
    let pieces = |tab: &Tab| by_id(&tab.host, "buy-pieces").unchecked_into::<web_sys::HtmlInputElement>().value();
    assert_eq!(pieces(&tab), "2");
    // And a reload there keeps it too.
    tab.reload();
    tab.wait("ready to pay after a reload", || tab.text().contains("0.0002 BTC") && shown(&tab, "[role=alertdialog]"))
        .await;
    assert_eq!(pieces(&tab), "2");
    click_button(&tab.host, "Confirm");
    tab.wait("what was bought", || tab.text().contains("You bought 2 pieces")).await;
    let made = api::payments::list(&buyer(), Some(false), 0, 0, 5).await.unwrap();
    let payment = made.iter().find(|p| p.invoice.as_ref().is_some_and(|i| i.id == invoice.id)).expect("the payment");
    assert_eq!(payment.pieces, 2);
    assert!(shown(&tab, &format!("a[href='/payment/{}']", payment.id)));
    assert!(!href().contains("buy="), "a reload now would not offer to pay again: {}", href());
}

#[wasm_bindgen_test]
async fn a_login_link_asks_first_and_leaves_no_token_in_the_address() {
    let history = web_sys::window().unwrap().history().unwrap();
    let link = format!("/settings?token={}&lang=en", buyer_token());
    let before = history.length().unwrap();
    let tab = Tab::open(&link, guest());
    tab.wait("the question naming the account", || tab.text().contains("This link logs you in as buyer?")).await;
    assert!(!href().contains(buyer_token()), "the token left the address: {}", href());
    assert_eq!(history.length().unwrap(), before, "replaced, not pushed: no entry keeps the token");
    click_button(&tab.host, "Don't log in");
    tab.wait("not logged in", || tab.text().contains("You were not logged in")).await;
    assert_eq!(Settings::load().token, "", "nothing kept");
    assert!(shown(&tab, ".top-bar a.log-in"), "still a guest");
    drop(tab);

    let tab = Tab::open(&link, guest());
    tab.wait("the question", || shown(&tab, "#login-confirm")).await;
    assert!(!href().contains(buyer_token()), "{}", href());
    click(&tab.host, "#login-confirm");
    tab.wait("logged in", || tab.text().contains("Logged in as buyer")).await;
    assert_eq!(Settings::load().token, buyer_token());
    tab.wait("the top bar names the user", || {
        text(&tab.host.query_selector(".top-bar .who").unwrap().unwrap().unchecked_into()) == "buyer"
    })
    .await;
    assert!(!href().contains(buyer_token()), "{}", href());
}

#[wasm_bindgen_test]
async fn where_the_goods_are_collected_is_the_buyers_after_payment_and_only_the_owner_reads_it() {
    let url = "https://shop.example/collect/after-payment-only";
    let request = pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: btc(0, 100_000),
        ttl_minutes: 90,
        comment: "Collected at an address".into(),
        pieces_min: 1,
        pieces_max: 3,
        integration: Some(pb::create_invoice_request::Integration::Redirect(url.into())),
        ..Default::default()
    };
    let invoice = api::invoices::create(&seller(), request).await.expect("create");
    let path = format!("/invoice/{}", invoice.id);
    let cases = [
        (guest(), "At an address the buyer gets after payment"),
        (Settings { lang: schet::i18n::Lang::Ru, ..guest() }, "По адресу, который покупатель получит после оплаты"),
        (stranger(), "At an address the buyer gets after payment"),
    ];
    for (who, wording) in cases {
        let tab = Tab::open(&path, who);
        tab.wait("the invoice's details", || tab.text().contains("Collected at an address")).await;
        tab.wait("how the goods are collected", || tab.text().contains(wording)).await;
        assert!(!tab.text().contains(url), "the address is the buyer's after payment: {}", tab.text());
        assert!(!tab.text().contains("At this address:"), "no empty address: {}", tab.text());
    }
    let tab = Tab::open(&path, seller());
    tab.wait("the owner reads the address", || tab.text().contains(&format!("At this address: {url}"))).await;
}
