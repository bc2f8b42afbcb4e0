//! Browser tests of notifications, conversations about payments, declining, track records,
//! the inbox's badge, the list's tabs, cards and counts, and a webhook integration: each
//! drives the whole app (router, shell, top bar, live events) at a path, against the live
//! reference server, and checks what a person would notice.
#![cfg(target_arch = "wasm32")]

use schet::api;
use schet_api::pb;
use schet_model::conversations::Thread;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

fn public_invoice(comment: &str) -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: Some(pb::Decimal { units: 0, nanos: 100_000 }),
        ttl_minutes: 60,
        comment: comment.into(),
        pieces_min: 1,
        pieces_max: 5,
        ..Default::default()
    }
}

fn private_invoice(comment: &str) -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest { is_private: true, user_name: "buyer".into(), ..public_invoice(comment) }
}

async fn create(request: pb::CreateInvoiceRequest) -> pb::Invoice {
    api::invoices::create(&seller(), request).await.expect("the seller creates an invoice")
}

fn all(host: &web_sys::HtmlElement, selector: &str) -> Vec<web_sys::HtmlElement> {
    let list = host.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.get(i).unwrap().unchecked_into()).collect()
}

fn find(host: &web_sys::HtmlElement, selector: &str) -> Option<web_sys::HtmlElement> {
    host.query_selector(selector).unwrap().map(JsCast::unchecked_into)
}

/// The first element matching `selector` whose text contains `needle`.
fn with_text(host: &web_sys::HtmlElement, selector: &str, needle: &str) -> Option<web_sys::HtmlElement> {
    all(host, selector).into_iter().find(|e| text(e).contains(needle))
}

/// The notification about `label` (`Payment #7`: the exact text of one of its links).
fn event_about(host: &web_sys::HtmlElement, label: &str) -> Option<web_sys::HtmlElement> {
    all(host, "li.event").into_iter().find(|e| all(e, ".event-about a").iter().any(|a| text(a) == label))
}

/// The number on the top bar's one unread badge (0 when there is none).
fn badge(host: &web_sys::HtmlElement) -> u32 {
    find(host, ".events-link .unread-badge").map_or(0, |b| text(&b).trim().parse().expect("a number"))
}

fn path() -> String {
    web_sys::window().unwrap().location().pathname().unwrap()
}

/// Waits until the live events' link says "Live" (shown on /events and /inbox).
async fn wait_live(host: &web_sys::HtmlElement) {
    wait_on(host, "the live events' link", || find(host, ".link-state").is_some_and(|s| text(&s) == "Live")).await;
}

/// Opens the notifications and waits until they are live and caught up (the counts then
/// move only with what happens next).
async fn wait_settled(host: &web_sys::HtmlElement) {
    wait_live(host).await;
    wait_on(host, "the notifications caught up", || find(host, "section.events[aria-busy='false']").is_some()).await;
}

/// Writes `message` in the composer and presses Send once it may be pressed.
async fn write(host: &web_sys::HtmlElement, message: &str) {
    let area: web_sys::HtmlTextAreaElement = find(host, ".composer textarea").expect("a composer").unchecked_into();
    area.set_value(message);
    area.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    let send = || find(host, ".composer button[type='submit']").unwrap();
    wait_on(host, "Send to be enabled", || !send().has_attribute("disabled")).await;
    send().click();
}

/// The app's own stylesheet in the test page (it has none of its own), once.
fn with_app_styles() {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("app-styles").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("app-styles");
        style.set_text_content(Some(include_str!("../style/main.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
}

/// A payment arrives while the seller's notifications are open: it appears at once, marked
/// new, and the top bar's badge counts it; "Mark all read" clears both; after a reload it
/// is still listed, read. Another login's notifications do not show it.
#[wasm_bindgen_test]
async fn an_event_arriving_live_is_listed_new_then_marked_read() {
    let invoice = create(public_invoice("Notified when bought")).await;
    let opened = open("/events", seller());
    let host = &opened.host;
    wait_settled(host).await;
    let before = badge(host);

    let paid = pay(&buyer(), invoice.id, 2).await.expect("the buyer pays");
    let mark = format!("Payment #{}", paid.id);
    wait_on(host, "the payment among the notifications", || event_about(host, &mark).is_some()).await;
    let row = event_about(host, &mark).unwrap();
    assert!(row.class_list().contains("new"), "marked new");
    let shown = text(&row);
    for part in ["New", "Payment received", &format!("Invoice #{}", invoice.id), "buyer", "2 pcs"] {
        assert!(shown.contains(part), "{part:?} in {shown:?}");
    }
    wait_on(host, "the badge to count it", || badge(host) == before + 1).await;

    click_button(host, "Mark all read");
    wait_on(host, "nothing new", || event_about(host, &mark).is_some_and(|r| !r.class_list().contains("new"))).await;
    wait_on(host, "no badge", || badge(host) == 0).await;
    assert!(find(host, "li.event.new").is_none());
    drop(opened);

    // A reload keeps the notification and that it was read.
    let again = open("/events", seller());
    let host = &again.host;
    wait_on(host, "the same notification after a reload", || event_about(host, &mark).is_some()).await;
    assert!(!event_about(host, &mark).unwrap().class_list().contains("new"));
    assert_eq!(badge(host), 0);
    drop(again);

    // Someone else's notifications do not have it.
    let other = open("/events", stranger());
    let host = &other.host;
    wait_live(host).await;
    assert!(event_about(host, &mark).is_none(), "{}", text(host));
}

/// A message arrives: the top bar's badge counts it at once; the inbox lists the
/// conversation with it unread; opening the conversation reads it and the badge goes down.
#[wasm_bindgen_test]
async fn the_inbox_and_its_badge() {
    let invoice = create(public_invoice("Ask me anything")).await;
    let buyer_id = api::profile::my_profile(&buyer()).await.unwrap().user_id;
    let opened = open("/events", seller());
    let host = &opened.host;
    wait_settled(host).await;
    let before = badge(host);
    click(host, "a.inbox-link");
    wait_on(host, "the inbox", || path() == "/inbox" && find(host, "section.inbox[aria-busy='false']").is_some()).await;

    let question = "Is the code still valid?";
    let thread = Thread::Invoice { invoice_id: invoice.id, buyer_id: buyer_id.clone() };
    api::chat::send(&buyer(), &thread, &buyer_id, question.into(), vec![]).await.expect("the buyer writes");
    wait_on(host, "the badge to count the message", || badge(host) == before + 1).await;
    wait_on(host, "the conversation, unread, in the inbox", || {
        with_text(host, "a.conv-item.has-unread", question)
            .is_some_and(|c| find(&c, ".unread-badge").is_some_and(|b| text(&b) == "1"))
    })
    .await;
    let item = with_text(host, "a.conv-item", question).unwrap();
    let shown = text(&item);
    assert!(shown.contains(&format!("Invoice #{}", invoice.id)) && shown.contains("buyer"), "{shown}");
    assert!(shown.contains("Active"), "the invoice's state beside it: {shown}");

    item.click();
    wait_on(host, "the conversation", || with_text(host, "li.msg .msg-text", question).is_some()).await;
    assert!(path().starts_with("/inbox/"));
    wait_on(host, "the badge to go down once read", || badge(host) == before).await;
}

/// The list's tabs: All shows what I may see, To me the private invoices made out to me,
/// Public the public ones, Mine what I made; each is in the address.
#[wasm_bindgen_test]
async fn the_all_to_me_and_public_tabs() {
    let public = create(public_invoice("Tabs: for everyone")).await;
    let private = create(private_invoice("Tabs: for the buyer")).await;
    let opened = open("/invoices", buyer());
    let host = &opened.host;
    let row = |id: u64| move || find(host, &format!(".invoice-table a[href='/invoice/{id}']")).is_some();
    let search = || web_sys::window().unwrap().location().search().unwrap();
    wait_on(host, "All: both", || row(public.id)() && row(private.id)()).await;

    click_button(host, "To me");
    wait_on(host, "To me: the private one only", || row(private.id)() && !row(public.id)()).await;
    assert_eq!(search(), "?tab=tome");
    click_button(host, "Public");
    wait_on(host, "Public: the public one only", || row(public.id)() && !row(private.id)()).await;
    assert_eq!(search(), "?tab=public");
    click_button(host, "Mine");
    wait_on(host, "Mine: neither (the buyer made none of them)", || !row(public.id)() && !row(private.id)()).await;
    click_button(host, "All");
    wait_on(host, "All again: both", || row(public.id)() && row(private.id)()).await;
    assert_eq!(search(), "");
}

/// A webhook integration submitted through the form: the invoice page says where the goods
/// go; the service keeps the settings for its owner and never shows the key back.
#[wasm_bindgen_test]
async fn submitting_a_webhook_integration() {
    schet::views::invoice_form::clear_draft(&seller(), None);
    let opened = open("/invoices/new", seller());
    let host = &opened.host;
    wait_on(host, "the form", || find(host, "#invoice-price").is_some()).await;
    type_into(host, "invoice-price", "0.0003");
    type_into(host, "invoice-comment", "Delivered by our shop's webhook");
    all(host, "input[name='integration']")[2].click();
    wait_on(host, "the webhook fields", || find(host, "#invoice-webhook-url").is_some()).await;
    type_into(host, "invoice-webhook-url", "https://shop.example.com/schet/hook");
    type_into(host, "invoice-client-crt", include_str!("fixtures/webhook/client.crt"));
    type_into(host, "invoice-client-key", include_str!("fixtures/webhook/client.key"));
    type_into(host, "invoice-server-crt", include_str!("fixtures/webhook/server-ca.crt"));
    click(host, "#invoice-webhook-required");
    click_button(host, "Create invoice");

    wait_on(host, "the new invoice's page", || path().starts_with("/invoice/") && text(host).contains("Delivery"))
        .await;
    wait_on(host, "where the goods go", || {
        text(host).contains("Webhook to the seller's system (required for the purchase)")
    })
    .await;
    let id: u64 = path().trim_start_matches("/invoice/").parse().unwrap();
    let mine = api::invoices::get_by_id(&seller(), id).await.unwrap();
    match mine.integration {
        Some(pb::invoice::Integration::Webhook(w)) => {
            assert_eq!((w.url.as_str(), w.required), ("https://shop.example.com/schet/hook", true));
            assert!(w.client_crt.contains("BEGIN CERTIFICATE"));
            assert_eq!(w.client_key, "(stored)", "the key is never shown back");
        }
        other => panic!("a webhook: {other:?}"),
    }
    match api::invoices::get_by_id(&buyer(), id).await.unwrap().integration {
        Some(pb::invoice::Integration::Webhook(w)) => assert!(w.url.is_empty() && w.client_crt.is_empty()),
        other => panic!("a webhook, without its settings: {other:?}"),
    }
    assert!(schet::views::invoice_form::load_draft(&seller(), None).is_none(), "the draft (and key) is gone");
}

/// The recipient of a private invoice declines it after a confirmation: it shows as deleted,
/// with nothing left to pay, and its seller is told at once.
#[wasm_bindgen_test]
async fn declining_a_private_invoice() {
    let invoice = create(private_invoice("Not what I ordered")).await;
    let seller_view = open("/events", seller());
    wait_settled(&seller_view.host).await;
    let opened = open(&format!("/invoice/{}", invoice.id), buyer());
    let host = &opened.host;
    wait_on(host, "the offer to decline", || text(host).contains("Decline")).await;
    assert!(text(host).contains("Pay"), "paying is offered too");

    click_button(host, "Decline");
    wait_on(host, "the confirmation", || text(host).contains("Decline this invoice?")).await;
    click_button(host, "Keep it");
    wait_on(host, "nothing declined", || !text(host).contains("Decline this invoice?")).await;
    let still = api::invoices::get_by_id(&seller(), invoice.id).await.unwrap().status;
    assert_eq!(still, pb::invoice::InvoiceStatus::Active as i32, "kept");

    click_button(host, "Decline");
    wait_on(host, "the confirmation again", || text(host).contains("Decline this invoice?")).await;
    click_button(host, "Yes, decline");
    wait_on(host, "the invoice, deleted", || find(host, ".invoice-head .badge").is_some_and(|b| text(&b) == "Deleted"))
        .await;
    assert!(!text(host).contains("Decline") && find(host, ".buy-box").is_none(), "nothing left to do: {}", text(host));
    let read = api::invoices::get_by_id(&seller(), invoice.id).await.unwrap();
    assert_eq!(read.status, pb::invoice::InvoiceStatus::Deleted as i32);

    let mark = format!("Invoice #{}", invoice.id);
    let seller_host = &seller_view.host;
    wait_on(seller_host, "the seller told", || {
        event_about(seller_host, &mark)
            .is_some_and(|e| e.class_list().contains("new") && text(&e).contains("Your invoice was declined"))
    })
    .await;
}

/// A conversation about a payment, started from each side: the buyer writes to the seller
/// about one payment, the seller to the buyer about another; each has the payment's summary
/// beside it, and the other party reads it.
#[wasm_bindgen_test]
async fn a_payment_conversation_from_each_side() {
    let invoice = create(public_invoice("Two purchases to talk about")).await;
    let first = pay(&buyer(), invoice.id, 2).await.unwrap();
    let second = pay(&buyer(), invoice.id, 1).await.unwrap();
    let card = |host: &web_sys::HtmlElement, id: u64| {
        all(host, "article.payment-card")
            .into_iter()
            .find(|c| find(c, "h2").is_some_and(|h| text(&h) == format!("Payment #{id}")))
    };

    // The buyer, from their payments.
    let opened = open("/payments", buyer());
    let host = &opened.host;
    wait_on(host, "the buyer's payment", || card(host, first.id).is_some()).await;
    let link = find(&card(host, first.id).unwrap(), "a.payment-chat-link").expect("a way to write");
    assert_eq!(text(&link), "Write to the seller");
    link.click();
    wait_on(host, "the payment's conversation", || path() == format!("/inbox/payment/{}", first.id)).await;
    wait_on(host, "its summary", || find(host, ".subject").is_some_and(|s| text(&s).contains("About the payment")))
        .await;
    let summary = text(&find(host, ".subject").unwrap());
    for part in [&format!("Payment #{}", first.id), "Paid", "0.0002 BTC", "Pieces2"] {
        assert!(summary.contains(part), "{part:?} in {summary:?}");
    }
    assert!(text(&find(host, ".conv-party").unwrap()).contains("seller"));
    write(host, "Where is my second code?").await;
    wait_on(host, "sent", || with_text(host, "li.msg:not(.pending) .msg-text", "Where is my second code?").is_some())
        .await;
    drop(opened);
    let theirs = api::chat::of_payment(&seller(), first.id).await.unwrap();
    assert_eq!(theirs[0].messages.last().unwrap().text, "Where is my second code?", "the seller has it");

    // The seller, first, about the other payment.
    let opened = open("/payments", seller());
    let host = &opened.host;
    wait_on(host, "the seller's payment", || card(host, second.id).is_some()).await;
    let link = find(&card(host, second.id).unwrap(), "a.payment-chat-link").unwrap();
    assert_eq!(text(&link), "Write to the buyer");
    link.click();
    wait_on(host, "the other conversation", || path() == format!("/inbox/payment/{}", second.id)).await;
    wait_on(host, "its composer", || find(host, ".composer textarea").is_some()).await;
    assert!(text(&find(host, ".subject").unwrap()).contains("Pieces1"));
    write(host, "Thank you! Ask me anything.").await;
    wait_on(host, "sent", || with_text(host, "li.msg:not(.pending) .msg-text", "Thank you!").is_some()).await;
    drop(opened);

    // The buyer finds it in their inbox, unread, with what it is about.
    let opened = open("/inbox", buyer());
    let host = &opened.host;
    let mark = format!("Payment #{}", second.id);
    wait_on(host, "the seller's message", || with_text(host, "a.conv-item.has-unread", &mark).is_some()).await;
    let item = text(&with_text(host, "a.conv-item", &mark).unwrap());
    assert!(item.contains("Thank you! Ask me anything.") && item.contains("1 pcs"), "{item}");
}

/// A seller writes first to someone who bought from their public invoice: the buyer is
/// offered on the invoice page though they never wrote.
#[wasm_bindgen_test]
async fn a_seller_writes_first_to_a_buyer() {
    let invoice = create(public_invoice("Bought, never asked")).await;
    pay(&buyer(), invoice.id, 1).await.unwrap();
    let opened = open(&format!("/invoice/{}", invoice.id), seller());
    let host = &opened.host;
    wait_on(host, "the buyer offered", || all(host, "#chat-buyer option").iter().any(|o| text(o) == "buyer (bought)"))
        .await;
    wait_on(host, "a composer", || find(host, ".composer textarea").is_some()).await;
    write(host, "Your code works until Friday.").await;
    wait_on(host, "sent", || with_text(host, "li.msg:not(.pending) .msg-text", "until Friday").is_some()).await;
    let theirs = api::chat::of_invoice(&buyer(), invoice.id).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].messages[0].text, "Your code works until Friday.");
}

/// The seller's track record, as the service counts it, beside their name; it follows
/// what they do.
#[wasm_bindgen_test]
async fn the_track_record_is_shown() {
    let invoice = create(public_invoice("Who sells this?")).await;
    let owner = invoice.owner.clone().unwrap();
    let opened = open(&format!("/invoice/{}", invoice.id), buyer());
    let host = &opened.host;
    let record = || find(host, ".fields .person").map(|p| text(&p)).unwrap_or_default();
    let created = |n: u32| format!("Invoices created: {n}");
    wait_on(host, "the seller's record", || record().contains(&created(owner.invoices_created_count))).await;
    let shown = record();
    assert!(shown.starts_with("seller"), "{shown}");
    for part in [
        format!("Payments made: {}", owner.payments_payed_count),
        format!("Payments received: {}", owner.payments_received_count),
        "Member since".to_string(),
        "Last online".to_string(),
    ] {
        assert!(shown.contains(&part), "{part:?} in {shown:?}");
    }
    // The seller makes another invoice: the record says so once the page reads it again.
    create(public_invoice("One more")).await;
    click_button(host, "Refresh");
    wait_on(host, "the new count", || record().contains(&created(owner.invoices_created_count + 1))).await;
}

/// Rows show the comment's first line and the secrets and payments counts; on a 360 px
/// phone each invoice is a card with nothing cut off, and the table is back when wide.
#[wasm_bindgen_test]
async fn the_list_shows_comments_and_counts_and_cards_on_a_phone() {
    with_app_styles();
    let mut request = public_invoice("First line shown\nsecond line kept for the page");
    request.secrets = ["A-1", "A-2", "A-3"]
        .iter()
        .map(|s| pb::CreateInvoiceSecretRequest { text: s.to_string(), ..Default::default() })
        .collect();
    let invoice = create(request).await;
    pay(&buyer(), invoice.id, 1).await.unwrap();
    let opened = open("/invoices?tab=mine", seller());
    let host = &opened.host;
    host.style().set_property("width", "360px").unwrap();
    let link = format!(".invoice-table a[href='/invoice/{}']", invoice.id);
    wait_on(host, "the row", || find(host, &link).is_some()).await;
    let row: web_sys::HtmlElement = find(host, &link).unwrap().closest("tr").unwrap().unwrap().unchecked_into();
    let cells: Vec<String> = all(&row, "td").iter().map(text).collect();
    assert_eq!(cells[2], "First line shown", "{cells:?}");
    assert_eq!((cells[6].as_str(), cells[7].as_str()), ("2", "1"), "2 secrets left, 1 payment: {cells:?}");

    let window = web_sys::window().unwrap();
    let display = |e: &web_sys::Element| window.get_computed_style(e).unwrap().unwrap().get_property_value("display");
    wait_on(host, "a card", || display(&row).is_ok_and(|d| d == "flex")).await;
    let right = host.get_bounding_client_rect().right();
    for cell in all(&row, "td") {
        let r = cell.get_bounding_client_rect();
        if r.width() > 0.0 {
            assert!(r.right() <= right + 0.5, "{:?} is cut off ({} > {right})", text(&cell), r.right());
        }
    }
    let secrets = &all(&row, "td")[6];
    let label = window.get_computed_style_with_pseudo_elt(secrets, "::before").unwrap().unwrap();
    let content = label.get_property_value("content").unwrap();
    assert!(content.contains("Secrets"), "the card names its numbers: {content}");
    let wrap = find(host, ".table-wrap").unwrap();
    assert!(wrap.scroll_width() <= wrap.client_width(), "no sideways scrolling");

    host.style().set_property("width", "1200px").unwrap();
    wait_on(host, "the table again", || display(&row).is_ok_and(|d| d == "table-row")).await;
}

/// The texts of the messages shown, in order.
fn messages_shown(host: &web_sys::HtmlElement) -> Vec<String> {
    all(host, "li.msg:not(.pending) .msg-text").iter().map(text).collect()
}

/// A conversation longer than a page: the newest page first, older ones on asking (in order,
/// none twice, what was on screen kept in place), and a live message joins the end.
#[wasm_bindgen_test]
async fn a_long_conversation_shows_the_newest_page_and_older_ones_on_asking() {
    with_app_styles();
    let invoice = create(public_invoice("A long talk")).await;
    let payment = pay(&buyer(), invoice.id, 1).await.unwrap();
    let thread = Thread::Payment { payment_id: payment.id };
    let line = |n: u32| format!("Line {n:02} of the long talk");
    for n in 1..=45 {
        let who = if n % 2 == 0 { seller() } else { buyer() };
        api::chat::send(&who, &thread, "", line(n), Vec::new()).await.expect("a message");
    }
    let opened = open(&format!("/inbox/payment/{}", payment.id), buyer());
    let host = &opened.host;
    wait_on(host, "the newest page", || messages_shown(host).last() == Some(&line(45))).await;
    let first_page = messages_shown(host);
    assert!(first_page.len() < 45, "one page, not the whole conversation: {}", first_page.len());
    let from = 46 - first_page.len() as u32;
    assert_eq!(first_page, (from..=45).map(line).collect::<Vec<_>>(), "the newest, in order");
    let list = find(host, "ol.messages").unwrap();
    wait_on(host, "scrolled to the newest", || list.scroll_top() > 0).await;
    // Ask for older messages: the message that was at the top stays where it was.
    let top = || with_text(host, "li.msg .msg-text", &line(from)).unwrap().get_bounding_client_rect().top();
    let before = top();
    find(host, "button.show-older").expect("a way to older messages").click();
    wait_on(host, "the older messages", || messages_shown(host).first() == Some(&line(1))).await;
    assert_eq!(messages_shown(host), (1..=45).map(line).collect::<Vec<_>>(), "in order, none twice");
    assert!((top() - before).abs() < 2.0, "what was on screen stays in place: {before} → {}", top());
    assert!(find(host, "button.show-older").is_none(), "nothing older left");
    // A new message arrives (live, or read on reconnecting) and joins the end, once.
    api::chat::send(&seller(), &thread, "", line(46), Vec::new()).await.unwrap();
    wait_on(host, "the live message", || messages_shown(host).last() == Some(&line(46))).await;
    assert_eq!(messages_shown(host), (1..=46).map(line).collect::<Vec<_>>());
}
