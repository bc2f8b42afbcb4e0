//! Browser tests of the secrets manager and the chat, run by `cargo xtask test` in headless
//! Chromium against the live reference server (users seller, buyer, stranger).
//!
//! The views are driven through their DOM (typing, clicks, drag events, Enter), and the
//! service is asked after each step: what the screen shows must be what the server holds.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use schet::api::chat::{self, Thread};
use schet::api::secrets::{self as s, Secrets};
use schet::api::{self, ApiError};
use schet::components::composer::draft as message_draft;
use schet::components::invoice_chat::InvoiceChat;
use schet::settings::Settings;
use schet::state::AppState;
use schet::views::chat::ConversationView;
use schet::views::secrets::SecretsManager;
use schet_api::pb;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn new_invoice(comment: &str, pieces_max: u32) -> pb::Invoice {
    let req = pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: Some(pb::Decimal { units: 0, nanos: 10_000 }),
        ttl_minutes: 120,
        comment: comment.to_string(),
        pieces_min: 1,
        pieces_max,
        ..Default::default()
    };
    api::invoices::create(&seller(), req).await.expect("create invoice")
}

struct Mounted {
    host: web_sys::HtmlElement,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.host.remove();
    }
}

/// Mounts `view` in its own AppShell (own state, own event stream) inside a fresh element.
/// Dropping the result unmounts it (closing its stream).
fn mount<V: IntoView + 'static>(settings: Settings, view: impl FnOnce() -> V + Send + 'static) -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let state = AppState::new(settings);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <schet::AppShell state=state>{view()}</schet::AppShell> }
    });
    Mounted { host, _handle: Box::new(handle) }
}

fn text(el: &web_sys::HtmlElement) -> String {
    el.text_content().unwrap_or_default()
}

fn find(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no element matches {selector}")).unchecked_into()
}

fn try_find(host: &web_sys::HtmlElement, selector: &str) -> Option<web_sys::HtmlElement> {
    host.query_selector(selector).unwrap().map(|e| e.unchecked_into())
}

/// Dispatches `new {ctor}(kind, {bubbles, cancelable, ...extra})` on `el`.
fn fire(el: &web_sys::Element, ctor: &str, kind: &str, extra: &[(&str, JsValue)]) -> bool {
    let window = web_sys::window().unwrap();
    let class: js_sys::Function = js_sys::Reflect::get(&window, &ctor.into()).unwrap().unchecked_into();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &true.into()).unwrap();
    js_sys::Reflect::set(&init, &"cancelable".into(), &true.into()).unwrap();
    for (k, v) in extra {
        js_sys::Reflect::set(&init, &(*k).into(), v).unwrap();
    }
    let event: web_sys::Event =
        js_sys::Reflect::construct(&class, &js_sys::Array::of2(&kind.into(), &init)).unwrap().unchecked_into();
    el.dispatch_event(&event).unwrap()
}

/// Types `value` into the textarea or input matched by `selector`.
fn type_into(host: &web_sys::HtmlElement, selector: &str, value: &str) {
    let el = find(host, selector);
    if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(value);
    } else {
        el.unchecked_ref::<web_sys::HtmlInputElement>().set_value(value);
    }
    fire(&el, "Event", "input", &[]);
}

fn click(host: &web_sys::HtmlElement, selector: &str) {
    find(host, selector).click();
}

/// The ids of the rows shown in a tab.
fn shown_ids(host: &web_sys::HtmlElement, sold: bool) -> Vec<u64> {
    let list = find(host, if sold { "#panel-sold ol.secret-list" } else { "#panel-unsold ol.secret-list" });
    let rows = list.query_selector_all("li.secret").unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .filter_map(|e| e.get_attribute("data-id")?.parse().ok())
        .collect()
}

fn idle(host: &web_sys::HtmlElement) -> bool {
    try_find(host, "section.secrets").and_then(|s| s.get_attribute("aria-busy")).as_deref() == Some("false")
}

/// Waits until the server's queue has exactly the texts `expected` (in order) and the
/// screen shows the server's list; returns it.
async fn settle(host: &web_sys::HtmlElement, invoice: u64, expected: &[&str]) -> Vec<pb::InvoiceSecret> {
    let end = js_sys::Date::now() + 30_000.0;
    let mut last = Vec::new();
    while js_sys::Date::now() < end {
        yield_to_browser().await;
        if !idle(host) {
            continue;
        }
        let queue = s::list(&seller(), invoice, false).await.expect("GetInvoiceSecrets");
        let texts: Vec<&str> = queue.iter().map(|x| x.text.as_str()).collect();
        let ids: Vec<u64> = queue.iter().map(|x| x.id).collect();
        let orders: Vec<u32> = queue.iter().map(|x| x.order).collect();
        assert_eq!(orders, (1..=queue.len() as u32).collect::<Vec<_>>(), "the server's queue is dense");
        if texts == expected && shown_ids(host, false) == ids {
            return queue;
        }
        last = texts.iter().map(|t| t.to_string()).collect();
    }
    panic!("the server's queue never became {expected:?} (last seen {last:?}, shown {:?})", shown_ids(host, false));
}

fn row(host: &web_sys::HtmlElement, order: u32) -> web_sys::HtmlElement {
    find(host, &format!("#panel-unsold li.secret[data-order='{order}']"))
}

fn press(host: &web_sys::HtmlElement, order: u32, label: &str) {
    find(&row(host, order), &format!("button[aria-label='{label} #{order}']")).click();
}

#[wasm_bindgen_test]
async fn secrets_are_created_edited_reordered_removed_and_restored() {
    let invoice = new_invoice("Secrets manager", 5).await.id;
    let page = mount(seller(), move || view! { <SecretsManager id=invoice /> });
    let host = &page.host;
    wait_until("the manager to load", || try_find(host, "#new-secret-text").is_some()).await;

    // Create: four at the end, one at position 1.
    let mut expected: Vec<&str> = Vec::new();
    for name in ["A", "B", "C", "D"] {
        type_into(host, "#new-secret-text", name);
        click(host, ".add-secret-button");
        expected.push(name);
        settle(host, invoice, &expected).await;
    }
    type_into(host, "#new-secret-text", "E");
    type_into(host, "#new-secret-position", "1");
    click(host, ".add-secret-button");
    settle(host, invoice, &["E", "A", "B", "C", "D"]).await;

    // Masked until revealed; the hostile-looking text stays text.
    assert!(try_find(&row(host, 2), ".secret-text.masked").is_some(), "masked until revealed");
    assert!(!text(&row(host, 2)).contains('A'));
    find(&row(host, 2), "button.reveal").click();
    wait_until("A revealed", || find(&row(host, 2), ".secret-text").text_content().unwrap() == "A").await;

    // Edit in place.
    find(&row(host, 2), "button.edit-button").click();
    wait_until("the edit form", || try_find(host, "form.edit-secret textarea").is_some()).await;
    let area = find(host, "form.edit-secret textarea");
    let area_id = area.id();
    type_into(host, &format!("#{area_id}"), "A2 <b>bold</b>");
    find(host, "form.edit-secret button[type='submit']").click();
    settle(host, invoice, &["E", "A2 <b>bold</b>", "B", "C", "D"]).await;
    assert!(try_find(host, "form.edit-secret").is_none(), "the editor closed");
    assert!(try_find(host, ".secret-text b").is_none(), "user text is never markup");

    // The four moves.
    press(host, 1, "Down");
    settle(host, invoice, &["A2 <b>bold</b>", "E", "B", "C", "D"]).await;
    press(host, 4, "Up");
    settle(host, invoice, &["A2 <b>bold</b>", "E", "C", "B", "D"]).await;
    press(host, 5, "To the top");
    settle(host, invoice, &["D", "A2 <b>bold</b>", "E", "C", "B"]).await;
    press(host, 2, "To the bottom");
    settle(host, invoice, &["D", "E", "C", "B", "A2 <b>bold</b>"]).await;

    // Drag B (4th) onto D (1st): B takes D's place.
    let (from, to) = (row(host, 4), row(host, 1));
    fire(&from, "DragEvent", "dragstart", &[]);
    fire(&to, "DragEvent", "dragover", &[]);
    fire(&to, "DragEvent", "drop", &[]);
    fire(&from, "DragEvent", "dragend", &[]);
    settle(host, invoice, &["B", "D", "E", "C", "A2 <b>bold</b>"]).await;
    // And down: D (2nd) onto C (4th).
    let (from, to) = (row(host, 2), row(host, 4));
    fire(&from, "DragEvent", "dragstart", &[]);
    fire(&to, "DragEvent", "dragover", &[]);
    fire(&to, "DragEvent", "drop", &[]);
    settle(host, invoice, &["B", "E", "C", "D", "A2 <b>bold</b>"]).await;

    // Remove with confirmation, then undo: back in the same place.
    press(host, 3, "Remove");
    wait_until("the confirmation", || try_find(host, ".confirm-remove").is_some()).await;
    click(host, ".confirm-remove");
    settle(host, invoice, &["B", "E", "D", "A2 <b>bold</b>"]).await;
    wait_until("the undo offer", || try_find(host, ".undo-button").is_some()).await;
    click(host, ".undo-button");
    settle(host, invoice, &["B", "E", "C", "D", "A2 <b>bold</b>"]).await;
    wait_until("the undo offer to go", || try_find(host, ".undo-button").is_none()).await;
}

#[wasm_bindgen_test]
async fn bulk_import_of_50_reports_a_failure_and_retries_without_duplicates() {
    let invoice = new_invoice("Bulk import", 5).await.id;
    let page = mount(seller(), move || view! { <SecretsManager id=invoice /> });
    let host = &page.host;
    wait_until("the manager to load", || try_find(host, "#bulk-input").is_some()).await;
    let names: Vec<String> = (1..=50).map(|i| format!("CODE-{i:03}")).collect();
    // Line 26 names an image the service does not have: it fails there.
    let missing = api::images::new_guid().to_string();
    let mut lines = names.clone();
    lines[25] = format!("{},{missing}", names[25]);
    type_into(host, "#bulk-input", &lines.join("\n"));
    click(host, ".bulk-preview");
    wait_until("the preview", || host.query_selector_all(".bulk-table tbody tr").unwrap().length() == 50).await;
    click(host, ".bulk-run");
    wait_until("the failure report", || try_find(host, ".bulk-report").is_some()).await;
    let report = text(&find(host, ".bulk-report"));
    assert!(report.contains("Stopped at line 26"), "{report}");
    assert!(report.contains("Created lines: 1–25"), "{report}");
    assert!(report.contains("Not created: 26–50"), "{report}");
    let expected: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
    settle(host, invoice, &expected[..25]).await;

    // Fix the line and retry: only lines 26–50 are sent.
    lines[25] = names[25].clone();
    type_into(host, "#bulk-input", &lines.join("\n"));
    click(host, ".bulk-preview");
    wait_until("25 left", || text(&find(host, ".bulk-run")).contains("(25)")).await;
    click(host, ".bulk-run");
    wait_until("all created", || text(host).contains("Created 50 / 50")).await;
    settle(host, invoice, &expected).await;
    assert!(try_find(host, ".bulk-report").is_none());
    // A third run has nothing to send.
    assert!(find(host, ".bulk-run").unchecked_into::<web_sys::HtmlButtonElement>().disabled());
}

/// What the seller typed on the secrets page outlives the page: the new secret's text and a
/// half-done bulk import (whose retry after the reload still sends only the rest).
#[wasm_bindgen_test]
async fn typed_secrets_and_a_half_done_import_survive_a_reload() {
    use schet::views::secrets::{add_draft, bulk_draft};
    let invoice = new_invoice("Drafts", 5).await.id;
    let page = mount(seller(), move || view! { <SecretsManager id=invoice /> });
    let host = &page.host;
    wait_until("the manager to load", || try_find(host, "#bulk-input").is_some()).await;
    type_into(host, "#new-secret-text", "HALF-TYPED");
    // Line 2 names an image the service does not have: the import stops there.
    let missing = api::images::new_guid().to_string();
    type_into(host, "#bulk-input", &format!("DRAFT-1\nDRAFT-2,{missing}\nDRAFT-3"));
    click(host, ".bulk-preview");
    wait_until("the preview", || host.query_selector_all(".bulk-table tbody tr").unwrap().length() == 3).await;
    click(host, ".bulk-run");
    wait_until("the failure report", || try_find(host, ".bulk-report").is_some()).await;
    settle(host, invoice, &["DRAFT-1"]).await;
    drop(page); // a reload

    let page = mount(seller(), move || view! { <SecretsManager id=invoice /> });
    let host = &page.host;
    wait_until("the manager to load", || try_find(host, "#bulk-input").is_some()).await;
    let typed = find(host, "#new-secret-text").unchecked_into::<web_sys::HtmlTextAreaElement>().value();
    assert_eq!(typed, "HALF-TYPED");
    let pasted = find(host, "#bulk-input").unchecked_into::<web_sys::HtmlTextAreaElement>().value();
    assert!(pasted.starts_with("DRAFT-1\nDRAFT-2,"), "{pasted}");
    wait_until("line 1 shown as created", || {
        host.query_selector_all(".bulk-table tbody tr.ok").map(|rows| rows.length()).unwrap_or(0) == 1
    })
    .await;
    // Fix line 2 and retry: lines 2 and 3 only.
    type_into(host, "#bulk-input", "DRAFT-1\nDRAFT-2\nDRAFT-3");
    click(host, ".bulk-preview");
    wait_until("2 left", || text(&find(host, ".bulk-run")).contains("(2)")).await;
    click(host, ".bulk-run");
    wait_until("all created", || text(host).contains("Created 3 / 3")).await;
    settle(host, invoice, &["DRAFT-1", "DRAFT-2", "DRAFT-3"]).await;
    assert_eq!(bulk_draft(&seller(), invoice).load(), None, "done: no draft left");

    click(host, ".add-secret-button");
    settle(host, invoice, &["DRAFT-1", "DRAFT-2", "DRAFT-3", "HALF-TYPED"]).await;
    assert_eq!(add_draft(&seller(), invoice).load(), None, "added: no draft left");
}

#[wasm_bindgen_test]
async fn a_purchase_moves_the_first_secret_to_sold() {
    let invoice = new_invoice("Sold secrets", 2).await.id;
    for code in ["FIRST", "SECOND", "THIRD"] {
        s::create(&seller(), invoice, code.into(), Vec::new(), 0).await.expect("create");
    }
    let page = mount(seller(), move || view! { <SecretsManager id=invoice /> });
    let host = &page.host;
    wait_until("three for sale", || text(host).contains("For sale (3)")).await;
    let payment = pay(&buyer(), invoice, 1).await.expect("the buyer buys a piece");
    assert_eq!(payment.secrets.iter().map(|x| x.text.as_str()).collect::<Vec<_>>(), ["FIRST"]);
    // The live event makes the manager reload: nothing is clicked here.
    wait_until("one sold", || text(host).contains("Sold (1)") && text(host).contains("For sale (2)")).await;
    let Secrets { unsold, sold } = s::load(&seller(), invoice).await.expect("load");
    assert_eq!(unsold.iter().map(|x| x.text.as_str()).collect::<Vec<_>>(), ["SECOND", "THIRD"]);
    assert_eq!(sold.len(), 1);
    assert_eq!((sold[0].text.as_str(), schet_model::queue::payment_of(&sold[0])), ("FIRST", Some(payment.id)));
    assert_eq!(shown_ids(host, true), vec![sold[0].id]);
    click(host, "#tab-sold");
    wait_until("the sold tab", || {
        text(&find(host, "#panel-sold")).contains(&format!("Sold in payment #{}", payment.id))
    })
    .await;
}

#[wasm_bindgen_test]
async fn only_the_owner_manages_secrets() {
    let invoice = new_invoice("Not yours", 1).await.id;
    match s::list(&buyer(), invoice, false).await {
        Err(ApiError::PermissionDenied(_) | ApiError::NotFound(_)) => {}
        other => panic!("a buyer must not read the secrets: {other:?}"),
    }
    let page = mount(stranger(), move || view! { <SecretsManager id=invoice /> });
    wait_until("the refusal", || text(&page.host).contains("This invoice is not yours")).await;
    assert!(try_find(&page.host, "#new-secret-text").is_none());
}

/// A 2×2 RGB PNG, made here: stored (uncompressed) deflate, with its CRCs and checksum.
fn tiny_png() -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let raw: Vec<u8> = [[0u8, 255, 0, 0, 0, 255, 0], [0, 0, 0, 255, 255, 255, 0]].concat();
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    z.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    z.extend_from_slice(&raw);
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    chunk(&mut png, b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Puts a file into the picker's `<input type=file>`, as choosing it would.
fn attach(host: &web_sys::HtmlElement, selector: &str, name: &str, bytes: &[u8]) {
    let input: web_sys::HtmlInputElement = find(host, selector).unchecked_into();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, name).unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    let items = js_sys::Reflect::get(&transfer, &"items".into()).unwrap();
    let add: js_sys::Function = js_sys::Reflect::get(&items, &"add".into()).unwrap().unchecked_into();
    add.call1(&items, &file).unwrap();
    input.set_files(transfer.files().as_ref());
    fire(&input, "Event", "change", &[]);
}

#[wasm_bindgen_test]
async fn seller_and_buyer_chat_live_with_an_image() {
    let invoice = new_invoice("Chat about this", 3).await;
    let id = invoice.id;
    let inv2 = invoice.clone();
    let seller_page = mount(seller(), move || view! { <InvoiceChat invoice=inv2.clone() /> });
    let inv3 = invoice.clone();
    let buyer_page = mount(buyer(), move || view! { <InvoiceChat invoice=inv3.clone() /> });
    let (sh, bh) = (&seller_page.host, &buyer_page.host);
    wait_until("the seller's section", || text(sh).contains("No buyer has written")).await;
    wait_until("the buyer's composer", || try_find(bh, ".composer textarea").is_some()).await;
    assert!(text(bh).contains("Chat with the seller"));

    // The buyer writes and presses Enter (Shift+Enter would not send).
    let area = find(bh, ".composer textarea");
    type_into(bh, ".composer textarea", "Hello, is it <i>new</i>?");
    assert!(fire(&area, "KeyboardEvent", "keydown", &[("key", "Enter".into()), ("shiftKey", true.into())]));
    assert!(try_find(bh, "li.msg").is_none(), "Shift+Enter does not send");
    assert!(!fire(&area, "KeyboardEvent", "keydown", &[("key", "Enter".into())]), "Enter is taken by the composer");
    wait_until("the buyer's message to be delivered", || {
        try_find(bh, "li.msg:not(.pending) .msg-text").is_some_and(|m| text(&m) == "Hello, is it <i>new</i>?")
    })
    .await;
    assert_eq!(find(bh, ".composer textarea").unchecked_into::<web_sys::HtmlTextAreaElement>().value(), "");

    // The seller sees it arrive without reloading: the buyer appears and the message shows.
    wait_until("the seller to receive it live", || {
        try_find(sh, "li.msg .msg-text").is_some_and(|m| text(&m) == "Hello, is it <i>new</i>?")
    })
    .await;
    assert!(try_find(sh, ".msg-text i").is_none(), "message text is never markup");
    assert!(text(&find(sh, "#chat-buyer")).contains("buyer"));
    assert_eq!(text(&find(sh, "li.msg .msg-author")), "buyer");

    // The seller answers with an image.
    attach(sh, ".composer input[type='file']", "dot.png", &tiny_png());
    wait_until("the image to upload", || {
        !find(sh, ".composer button[type='submit']").unchecked_into::<web_sys::HtmlButtonElement>().disabled()
    })
    .await;
    type_into(sh, ".composer textarea", "Brand new, see the photo");
    click(sh, ".composer button[type='submit']");
    wait_until("the buyer to receive the answer live", || {
        text(bh).contains("Brand new, see the photo") && try_find(bh, "li.msg:not(.mine) img").is_some()
    })
    .await;
    let convs = chat::of_invoice(&buyer(), id).await.expect("conversations");
    assert_eq!(convs.len(), 1);
    let msgs = &convs[0].messages;
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[1].images.len(), 1);
    assert_eq!(msgs[1].owner_id, convs[0].seller.as_ref().unwrap().id);
    wait_until("the seller's own copy", || try_find(sh, "li.msg.mine img").is_some()).await;
}

#[wasm_bindgen_test]
async fn the_draft_is_kept_per_conversation() {
    let invoice = new_invoice("Drafts", 3).await;
    let me = api::profile::my_profile(&buyer()).await.unwrap().user_id;
    let thread = Thread::Invoice { invoice_id: invoice.id, buyer_id: me.clone() };
    message_draft(&me, &thread).save(&"half-written".to_string());
    let inv = invoice.clone();
    let page = mount(buyer(), move || view! { <InvoiceChat invoice=inv.clone() /> });
    let host = &page.host;
    wait_until("the draft to come back", || {
        try_find(host, ".composer textarea")
            .is_some_and(|a| a.unchecked_into::<web_sys::HtmlTextAreaElement>().value() == "half-written")
    })
    .await;
    type_into(host, ".composer textarea", "typed more");
    assert_eq!(message_draft(&me, &thread).load().unwrap_or_default(), "typed more");
    click(host, ".composer button[type='submit']");
    wait_until("sent", || try_find(host, "li.msg:not(.pending)").is_some()).await;
    assert_eq!(message_draft(&me, &thread).load().unwrap_or_default(), "", "a sent draft is forgotten");
}

#[wasm_bindgen_test]
async fn a_stranger_cannot_open_another_pairs_conversation() {
    let invoice = new_invoice("Private talk", 3).await;
    let payment = pay(&buyer(), invoice.id, 1).await.expect("pay");
    let me = api::profile::my_profile(&buyer()).await.unwrap().user_id;
    let conv = chat::send(&buyer(), &Thread::Payment { payment_id: payment.id }, &me, "Got it, thanks".into(), vec![])
        .await
        .expect("the buyer writes about the payment");
    let stranger_id = api::profile::my_profile(&stranger()).await.unwrap().user_id;
    match chat::send(&stranger(), &Thread::Payment { payment_id: payment.id }, &stranger_id, "hi".into(), vec![]).await
    {
        Err(ApiError::NotFound(_)) => {}
        other => panic!("a stranger must not write into it: {other:?}"),
    }
    assert!(chat::of_payment(&stranger(), payment.id).await.expect("asks").is_empty());
    assert!(chat::all(&stranger()).await.expect("asks").iter().all(|c| c.id != conv.id));

    let id = conv.id;
    let page = mount(stranger(), move || view! { <ConversationView id=id /> });
    wait_until("the refusal", || text(&page.host).contains("Conversation not found")).await;
    assert!(!text(&page.host).contains("Got it, thanks"));
    assert!(try_find(&page.host, ".composer").is_none());

    // The seller opens it fine.
    let page = mount(seller(), move || view! { <ConversationView id=id /> });
    wait_until("the seller's view", || text(&page.host).contains("Got it, thanks")).await;
}
