//! The money loop through the whole app (router, shell, top bar, live events) against the
//! live reference server, as a buyer and a seller have it: what a purchase shows on the
//! invoice page, the payment page, refunds, cancelling, refusals in plain words, the
//! shortfall warning, the payments page, a private invoice paid, the invoice CSV export.
#![cfg(target_arch = "wasm32")]

use rust_decimal::Decimal;
use schet::api;
use schet::i18n::Lang;
use schet::settings::Settings;
use schet_api::pb;
use std::str::FromStr;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

fn btc(units: i64, nanos: i32) -> Option<pb::Decimal> {
    Some(pb::Decimal { units, nanos })
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A public invoice of the seller at 0.0001 BTC a piece, 1–3 pieces a purchase.
async fn public(comment: &str, secrets: &[&str]) -> pb::Invoice {
    public_invoice(comment, btc(0, 100_000), secrets).await
}

/// The buyer buys `pieces` of a fresh invoice (through the API: the pages under test come after).
async fn bought(comment: &str, secrets: &[&str], pieces: u32) -> pb::InvoicePayment {
    let invoice = public(comment, secrets).await;
    pay(&buyer(), invoice.id, pieces).await.expect("pay")
}

async fn balance(settings: &Settings) -> Decimal {
    let me = api::profile::my_profile(settings).await.expect("profile");
    schet_api::decimal::from_pb_or_zero(me.balance.as_ref()).unwrap()
}

/// The balance the top bar shows.
fn bar_balance(tab: &Tab) -> Option<Decimal> {
    let el = tab.host.query_selector(".top-bar .balance").unwrap()?;
    Decimal::from_str(el.text_content()?.trim_end_matches(" BTC")).ok()
}

/// The value shown for field `label` of the payment page.
fn field(tab: &Tab, label: &str) -> Option<String> {
    let terms = tab.host.query_selector_all(".payment-fields dt").unwrap();
    (0..terms.length()).map(|i| terms.get(i).unwrap().unchecked_into::<web_sys::Element>()).find_map(|dt| {
        (dt.text_content()?.trim() == label).then(|| dt.next_element_sibling()?.text_content()).flatten()
    })
}

#[wasm_bindgen_test]
async fn after_paying_on_the_invoice_page_the_buyer_sees_what_they_bought_and_after_a_reload() {
    let invoice = public("Keys, bought on the page", &["K-1", "K-2", "K-3"]).await;
    let mut tab = Tab::open(&format!("/invoice/{}", invoice.id), buyer());
    tab.wait("the buy box", || shown(&tab, "#buy-pieces")).await;
    type_into(&tab.host, "buy-pieces", "2");
    click_button(&tab.host, "Buy");
    tab.wait("the confirmation with the amount", || tab.text().contains("0.0002 BTC")).await;
    click_button(&tab.host, "Confirm");
    tab.wait("what was bought, right away", || tab.text().contains("You bought 2 pieces")).await;
    let payment = api::payments::list(&buyer(), Some(false), 0, 0, 1).await.unwrap().remove(0);
    assert_eq!(payment.invoice.as_ref().map(|i| i.id), Some(invoice.id));
    let link = format!("a[href='/payment/{}']", payment.id);
    assert!(shown(&tab, &link), "{}", tab.text());
    // The page read the invoice again (stock, payments): what was bought stays.
    tab.wait("the invoice read again", || tab.text().contains("Payments1")).await;
    assert!(tab.text().contains("You bought 2 pieces"));
    tab.reload();
    tab.wait("what was bought, after a reload", || tab.text().contains("You bought 2 pieces") && shown(&tab, &link))
        .await;
    click(&tab.host, &link);
    tab.wait("the payment page with the goods", || tab.text().contains("K-2")).await;
    let page = tab.text();
    assert!(page.contains("K-1") && !page.contains("K-3"), "{page}");
    assert_eq!(field(&tab, "Pieces").as_deref(), Some("2"));
}

#[wasm_bindgen_test]
async fn the_seller_refunds_two_of_three_pieces_and_the_money_goes_back() {
    let payment = bought("Three to refund", &["R-1", "R-2", "R-3"], 3).await;
    let buyer_before = balance(&buyer()).await;
    let tab = Tab::open(&format!("/payment/{}", payment.id), seller());
    tab.wait("the payment and my balance", || field(&tab, "Refunded").is_some() && bar_balance(&tab).is_some()).await;
    let seller_before = bar_balance(&tab).unwrap();
    assert_eq!(seller_before, balance(&seller()).await);
    assert_eq!((field(&tab, "Being refunded").as_deref(), field(&tab, "Refunded").as_deref()), (Some("0"), Some("0")));
    click(&tab.host, "#refund-open");
    tab.wait("the refund form", || shown(&tab, "#refund-pieces")).await;
    type_into(&tab.host, "refund-pieces", "4");
    tab.wait("at most the pieces left", || tab.text().contains("from 1 to 3")).await;
    type_into(&tab.host, "refund-pieces", "2");
    tab.wait("the amount to return", || tab.text().contains("To return: 0.0002 BTC")).await;
    click_button(&tab.host, "Continue");
    tab.wait("the confirmation with the amount", || tab.text().contains("Refund 2 pieces to buyer: 0.0002 BTC")).await;
    click(&tab.host, "#refund-confirm");
    tab.wait("refunding 2", || field(&tab, "Being refunded").as_deref() == Some("2")).await;
    tab.wait("the refund invoice, awaiting payment", || tab.text().contains("Awaiting the seller's payment")).await;
    assert_eq!(bar_balance(&tab), Some(seller_before), "nothing moved yet");
    click(&tab.host, ".refund-pay");
    tab.wait("the confirmation", || {
        tab.text().contains("Pay 0.0002 BTC from your balance back to buyer for 2 pieces?")
    })
    .await;
    click(&tab.host, "#refund-row-confirm");
    tab.wait("refunded 2", || field(&tab, "Refunded").as_deref() == Some("2")).await;
    assert_eq!(field(&tab, "Being refunded").as_deref(), Some("0"));
    tab.wait("my balance, lower by the refund", || bar_balance(&tab) == Some(seller_before - dec("0.0002"))).await;
    assert_eq!(balance(&buyer()).await, buyer_before + dec("0.0002"), "the buyer got it back");
    // One piece is left to refund; the payment can no longer be cancelled.
    assert!(tab.text().contains("can no longer be cancelled") && !shown(&tab, "#cancel-open"));
    drop(tab);

    // The buyer sees the refund invoice and its state.
    let tab = Tab::open(&format!("/payment/{}", payment.id), buyer());
    tab.wait("the buyer's view", || field(&tab, "Refunded").as_deref() == Some("2")).await;
    let refund = tab.host.query_selector(".refund").unwrap().expect("the refund invoice");
    let row = refund.text_content().unwrap();
    assert!(row.contains("Refunded") && row.contains("2 pieces") && row.contains("0.0002 BTC"), "{row}");
    assert!(!shown(&tab, "#refund-open") && !shown(&tab, "#cancel-open"), "only the seller refunds or cancels");
}

#[wasm_bindgen_test]
async fn the_buyer_deletes_a_refund_invoice_and_that_refund_is_cancelled() {
    let payment = bought("A refund given up", &[], 2).await;
    let (p, refund) = api::payments::refund(&seller(), payment.id, 1).await.expect("refund");
    assert_eq!(p.refunding, 1);
    let tab = Tab::open(&format!("/payment/{}", payment.id), buyer());
    tab.wait("the refund awaiting payment", || field(&tab, "Being refunded").as_deref() == Some("1")).await;
    // The buyer's button comes once the page knows who is looking (the profile is read too).
    tab.wait("the buyer's way to give the refund up", || shown(&tab, ".refund-delete")).await;
    click(&tab.host, ".refund-delete");
    tab.wait("the confirmation with the amount", || {
        tab.text().contains("The refund of 1 piece (0.0001 BTC) is cancelled.")
    })
    .await;
    click(&tab.host, "#refund-row-confirm");
    tab.wait("the refund cancelled", || field(&tab, "Being refunded").as_deref() == Some("0")).await;
    let row =
        tab.host.query_selector(&format!("[data-refund='{}']", refund.id)).unwrap().unwrap().text_content().unwrap();
    assert!(row.contains("Cancelled"), "{row}");
    let now = api::payments::get(&buyer(), payment.id).await.unwrap();
    assert_eq!((now.refunding, now.refunded), (0, 0));
}

#[wasm_bindgen_test]
async fn the_seller_cancels_a_payment_and_a_refused_cancel_is_said_plainly_in_both_languages() {
    let payment = bought("Cancelled on the page", &[], 2).await;
    let buyer_before = balance(&buyer()).await;
    let mut tab = Tab::open(&format!("/payment/{}", payment.id), seller());
    tab.wait("the cancel button", || shown(&tab, "#cancel-open") && bar_balance(&tab).is_some()).await;
    let seller_before = bar_balance(&tab).unwrap();
    click(&tab.host, "#cancel-open");
    let question = format!("Cancel payment #{} and return 0.0002 BTC to buyer?", payment.id);
    tab.wait("the confirmation with the amount", || tab.text().contains(&question)).await;
    click(&tab.host, "#cancel-confirm");
    tab.wait("cancelled", || tab.text().contains("Cancelled") && !shown(&tab, "#cancel-open")).await;
    tab.wait("my balance, lower", || bar_balance(&tab) == Some(seller_before - dec("0.0002"))).await;
    assert_eq!(balance(&buyer()).await, buyer_before + dec("0.0002"));
    drop(tab);

    // A refund opened meanwhile (the page does not know yet): the refusal in plain words.
    let other = bought("Refund opened meanwhile", &[], 2).await;
    tab = Tab::open(&format!("/payment/{}", other.id), seller());
    tab.wait("the cancel button", || shown(&tab, "#cancel-open")).await;
    api::payments::refund(&seller(), other.id, 1).await.expect("refund");
    click(&tab.host, "#cancel-open");
    tab.wait("the confirmation", || shown(&tab, "#cancel-confirm")).await;
    click(&tab.host, "#cancel-confirm");
    tab.wait("the refusal, in English", || tab.text().contains("This payment has refunds, under way or done")).await;
    click_button(&tab.host, "Русский");
    tab.wait("and in Russian", || tab.text().contains("По этому платежу есть возвраты")).await;
    tab.wait("the page caught up", || field(&tab, "Возвращается").as_deref() == Some("1")).await;
    drop(tab);

    // A purchase the balance cannot pay: said plainly too.
    let dear = pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: btc(500, 0),
        ttl_minutes: 60,
        comment: "Too dear".into(),
        pieces_min: 1,
        pieces_max: 1,
        ..Default::default()
    };
    let dear = api::invoices::create(&seller(), dear).await.unwrap();
    let have = balance(&buyer()).await;
    let tab = Tab::open(&format!("/invoice/{}", dear.id), Settings { lang: Lang::Ru, ..buyer() });
    tab.wait("the buy box", || shown(&tab, "#buy-pieces")).await;
    click_button(&tab.host, "Купить");
    tab.wait("the confirmation", || shown(&tab, "[role=alertdialog]")).await;
    click_button(&tab.host, "Подтвердить");
    let refusal = format!("Недостаточно средств на балансе: нужно 500 BTC, а у вас {} BTC.", have.normalize());
    tab.wait("the refusal in Russian", || tab.text().contains(&refusal)).await;
    click_button(&tab.host, "English");
    let refusal = format!("Your balance is too low: this takes 500 BTC and you have {} BTC.", have.normalize());
    tab.wait("and in English", || tab.text().contains(&refusal)).await;
}

#[wasm_bindgen_test]
async fn fewer_secrets_than_pieces_warns_and_leads_to_the_seller() {
    let payment = bought("Goods by hand", &[], 2).await;
    let tab = Tab::open(&format!("/payment/{}", payment.id), buyer());
    tab.wait("the warning", || tab.text().contains("Secrets delivered: 0; pieces paid for: 2.")).await;
    tab.wait("the conversation's composer", || shown(&tab, &format!("#msg-p{}-text", payment.id))).await;
    click_button(&tab.host, "Contact the seller");
    let active = web_sys::window().unwrap().document().unwrap().active_element().unwrap();
    assert_eq!(active.id(), format!("msg-p{}-text", payment.id), "the message box, ready to type");
    type_into(&tab.host, &format!("msg-p{}-text", payment.id), "Where are my goods?");
    tab.wait("the send button", || shown(&tab, ".payment-chat button[type=submit]:not([disabled])")).await;
    click(&tab.host, ".payment-chat button[type=submit]");
    tab.wait("the message sent", || tab.text().contains("Where are my goods?") && !tab.text().contains("Sending"))
        .await;
    let seen = api::chat::of_payment(&seller(), payment.id).await.unwrap();
    assert!(seen.iter().any(|c| c.messages.iter().any(|m| m.text == "Where are my goods?")), "the seller has it");
    // With every secret delivered there is no warning.
    let full = bought("All delivered", &["F-1", "F-2"], 2).await;
    drop(tab);
    let tab = Tab::open(&format!("/payment/{}", full.id), buyer());
    tab.wait("the goods", || tab.text().contains("F-2")).await;
    assert!(!shown(&tab, ".shortfall"), "{}", tab.text());
}

#[wasm_bindgen_test]
async fn the_payments_page_lists_mine_links_each_and_opens_one_by_number() {
    let payment = bought("On the payments page", &["P-1"], 1).await;
    let tab = Tab::open("/payments", buyer());
    let link = format!("a[href='/payment/{}']", payment.id);
    tab.wait("my payment, linked", || shown(&tab, &link)).await;
    click_button(&tab.host, "Received");
    tab.wait("not among those received", || !shown(&tab, &link) && !shown(&tab, ".skeleton")).await;
    click_button(&tab.host, "Made");
    tab.wait("among those made", || shown(&tab, &link)).await;
    // By number: a bad one is explained, a good one opens.
    type_into(&tab.host, "lookup-payment", "x");
    click(&tab.host, ".lookup-box:nth-child(2) button");
    tab.wait("the rule", || error_shown(&tab.host, "lookup-payment").is_some()).await;
    type_into(&tab.host, "lookup-payment", &payment.id.to_string());
    click(&tab.host, ".lookup-box:nth-child(2) button");
    tab.wait("the payment page", || field(&tab, "Confirmation").is_some()).await;
    assert!(href().ends_with(&format!("/payment/{}", payment.id)));
    assert_eq!(field(&tab, "Amount").as_deref(), Some("0.0001 BTC"));
    assert_eq!(field(&tab, "Buyer").as_deref(), Some("buyer"));
    assert_eq!(field(&tab, "Seller").as_deref(), Some("seller"));
    assert_eq!(field(&tab, "Confirmation").as_deref(), Some(payment.confirmation.as_str()));
    assert!(tab.text().contains("P-1"));
    // Back in the list, the link opens the same page.
    drop(tab);
    let tab = Tab::open("/payments", buyer());
    tab.wait("my payment", || shown(&tab, &link)).await;
    click(&tab.host, &link);
    tab.wait("its page", || field(&tab, "Confirmation").as_deref() == Some(payment.confirmation.as_str())).await;
}

#[wasm_bindgen_test]
async fn the_buyer_pays_a_private_invoice_on_its_page() {
    let request = pb::CreateInvoiceRequest {
        is_private: true,
        user_name: "buyer".into(),
        is_base_crypto: true,
        price: btc(0, 5_000_000),
        ttl_minutes: 60,
        comment: "Private, to pay on its page".into(),
        ..Default::default()
    };
    let invoice = api::invoices::create(&seller(), request).await.expect("create");
    let before = balance(&buyer()).await;
    let mut tab = Tab::open(&format!("/invoice/{}", invoice.id), buyer());
    // The button itself: "Pay" alone is also in the top bar's "Payments".
    tab.wait("the pay button", || {
        tab.text().contains("Private, to pay on its page") && button(&tab.host, "Pay").is_some()
    })
    .await;
    assert!(!shown(&tab, "#buy-pieces"), "a private invoice is paid whole");
    click_button(&tab.host, "Pay");
    tab.wait("the confirmation with the amount", || {
        tab.text().contains("0.005 BTC") && shown(&tab, "[role=alertdialog]")
    })
    .await;
    click_button(&tab.host, "Confirm");
    tab.wait("paid", || tab.text().contains("You paid this invoice")).await;
    tab.wait("the invoice shows it paid", || {
        tab.host.query_selector(".invoice-head .badge").unwrap().and_then(|b| b.text_content()).as_deref()
            == Some("Paid")
    })
    .await;
    assert!(!shown(&tab, "[role=alertdialog]") && !tab.text().contains("Pay from your balance"), "nothing left to pay");
    assert_eq!(balance(&buyer()).await, before - dec("0.005"));
    let read = api::invoices::get_by_id(&buyer(), invoice.id).await.unwrap();
    assert_eq!(read.status, pb::invoice::InvoiceStatus::Payed as i32);
    tab.reload();
    tab.wait("still shown after a reload", || tab.text().contains("You paid this invoice")).await;
}

thread_local! {
    /// The blobs the page made into download links.
    static BLOBS: std::cell::RefCell<Vec<web_sys::Blob>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records every Blob the page turns into a URL (a download), then lets the browser do so.
fn record_downloads() {
    use wasm_bindgen::prelude::*;
    let url = js_sys::Reflect::get(&web_sys::window().unwrap(), &"URL".into()).unwrap();
    let original: js_sys::Function = js_sys::Reflect::get(&url, &"createObjectURL".into()).unwrap().unchecked_into();
    let target = url.clone();
    let hook = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |blob: JsValue| {
        if let Some(b) = blob.dyn_ref::<web_sys::Blob>() {
            BLOBS.with(|all| all.borrow_mut().push(b.clone()));
        }
        original.call1(&target, &blob).unwrap()
    });
    js_sys::Reflect::set(&url, &"createObjectURL".into(), hook.as_ref()).unwrap();
    hook.forget();
}

#[wasm_bindgen_test]
async fn the_invoice_csv_export_holds_the_invoices_listed() {
    let mut newest = 0;
    for n in 0..3 {
        newest = public(&format!("CSV, \"quoted\", {n}"), &[]).await.id;
    }
    let tab = Tab::open("/invoices?tab=mine&count=10", seller());
    let ids = || {
        let links = tab.host.query_selector_all(".invoice-table tbody tr td:first-child a").unwrap();
        (0..links.length()).map(|i| links.get(i).unwrap().text_content().unwrap()).collect::<Vec<_>>()
    };
    tab.wait("my invoices, the newest first", || ids().first() == Some(&newest.to_string())).await;
    record_downloads();
    click_button(&tab.host, "Export CSV");
    let blob = BLOBS.with(|all| all.borrow().last().cloned()).expect("a download was made");
    assert_eq!(blob.type_(), "text/csv;charset=utf-8");
    let csv = wasm_bindgen_futures::JsFuture::from(blob.text()).await.unwrap().as_string().unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("id,status,private,price"), "{}", lines[0]);
    let exported: Vec<String> = lines[1..].iter().map(|l| l.split(',').next().unwrap().to_string()).collect();
    assert_eq!(exported, ids(), "the rows listed, in order");
    assert!(csv.contains("\"CSV, \"\"quoted\"\", 2\""), "quoted as CSV: {csv}");
}

#[wasm_bindgen_test]
async fn a_price_changed_before_paying_is_shown_and_asked_again_and_paid_only_once_confirmed() {
    let invoice = public("The price moves", &[]).await;
    let before = balance(&buyer()).await;
    let tab = Tab::open(&format!("/invoice/{}", invoice.id), buyer());
    tab.wait("the buy box", || shown(&tab, "#buy-pieces")).await;
    type_into(&tab.host, "buy-pieces", "2");
    click_button(&tab.host, "Buy");
    tab.wait("the confirmation with the amount read", || tab.text().contains("0.0002 BTC")).await;
    // The seller raises the price to 0.0005 a piece after the buyer read it.
    let raise = pb::UpdatePublicInvoiceRequest {
        invoice_id: invoice.id,
        is_base_crypto: true,
        price: btc(0, 500_000),
        comment: invoice.comment.clone(),
        pieces_min: 1,
        pieces_max: 3,
        ..Default::default()
    };
    api::invoices::update(&seller(), raise, true).await.expect("the seller changes the price");
    click(&tab.host, "#buy-confirm-pay");
    tab.wait("the new price, asked again", || {
        tab.text().contains("The price has changed")
            && tab.text().contains("0.001 BTC")
            && !shown(&tab, "[aria-busy='true']")
    })
    .await;
    let dialog = by_id(&tab.host, "buy-confirm").text_content().unwrap_or_default();
    assert!(
        dialog.contains("0.0002 BTC") && dialog.contains("0.001 BTC"),
        "what was confirmed and the new amount: {dialog}"
    );
    assert_eq!(balance(&buyer()).await, before, "nothing charged at a price not confirmed");
    assert!(
        api::payments::list(&buyer(), Some(false), 0, 0, 20).await.unwrap().iter().all(|p| p
            .invoice
            .as_ref()
            .map(|i| i.id)
            != Some(invoice.id))
    );
    let typed = by_id(&tab.host, "buy-pieces").unchecked_into::<web_sys::HtmlInputElement>().value();
    assert_eq!(typed, "2", "what was typed stays");
    assert!(!tab.text().contains("not possible"), "no error beside the question: {}", tab.text());
    // Confirming the new amount pays it.
    click(&tab.host, "#buy-confirm-pay");
    tab.wait("the purchase at the new price", || tab.text().contains("You bought 2 pieces")).await;
    let payment = api::payments::list(&buyer(), Some(false), 0, 0, 1).await.unwrap().remove(0);
    assert_eq!(payment.invoice.as_ref().map(|i| i.id), Some(invoice.id));
    assert_eq!(schet_api::decimal::from_pb_or_zero(payment.crypto_amount.as_ref()).unwrap(), dec("0.001"));
    assert_eq!(balance(&buyer()).await, before - dec("0.001"));
}
