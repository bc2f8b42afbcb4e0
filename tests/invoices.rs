//! Browser tests of the invoice screens against a live reference server (see tests/web.rs
//! for how `cargo xtask test` sets it up): the form, validation, drafts, the list and its
//! filters, editing and deleting, images, buying.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use schet::api;
use schet::i18n::Lang;
use schet::settings::Settings;
use schet::state::AppState;
use schet::views::invoice::InvoiceView;
use schet::views::invoice_form::InvoiceFormView;
use schet::views::invoices::{InvoiceListPage, InvoiceTable};
use schet_api::pb;
use schet_model::filters::{Filters, Tab};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

fn clear_drafts() {
    for user in [seller(), buyer()] {
        schet::views::invoice_form::clear_draft(&user, None);
    }
}

fn mount_form(
    settings: Settings,
    invoice: Option<pb::Invoice>,
) -> (web_sys::HtmlElement, leptos::mount::UnmountHandle<impl Mountable>) {
    let state = AppState::new(settings);
    let host = new_host();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <schet::AppShell state=state><InvoiceFormView invoice=invoice /></schet::AppShell> }
    });
    (host, handle)
}

/// The invoice page for `id`, as the user of `settings` sees it.
fn mount_invoice_page(settings: Settings, id: u64) -> web_sys::HtmlElement {
    let state = AppState::new(settings);
    let host = new_host();
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <schet::AppShell state=state><InvoiceView id=id /></schet::AppShell> },
    )
    .forget();
    host
}

async fn newest_of_seller() -> Option<pb::Invoice> {
    let req = pb::GetInvoicesRequest { is_owner: true, is_owner_has_value: true, count: 1, ..Default::default() };
    api::invoices::list(&seller(), req).await.ok()?.into_iter().next()
}

#[wasm_bindgen_test]
async fn a_public_invoice_made_with_the_form() {
    clear_drafts();
    let (host, _handle) = mount_form(seller(), None);
    let comment = "Form-made: 2 license keys";
    type_into(&host, "invoice-price", "0.0005");
    type_into(&host, "invoice-comment", comment);
    type_into(&host, "invoice-pieces-min", "1");
    type_into(&host, "invoice-pieces-max", "4");
    click(&host, "#invoice-liquidity");
    type_into(&host, "invoice-ttl", "2");
    let unit = host.query_selector("select[aria-label='Lifetime']").unwrap().unwrap();
    unit.unchecked_ref::<web_sys::HtmlSelectElement>().set_value("1");
    unit.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    type_into(&host, "invoice-secrets", "KEY-1\nKEY-2\n");
    click_button(&host, "Create invoice");
    wait_for_server("the invoice on the server", || async {
        newest_of_seller().await.is_some_and(|i| i.comment == comment)
    })
    .await;
    let inv = newest_of_seller().await.unwrap();
    assert!(!inv.is_private && inv.is_base_crypto);
    assert_eq!(inv.price, Some(pb::Decimal { units: 0, nanos: 500_000 }));
    assert_eq!((inv.pieces_min, inv.pieces_max, inv.limit_liquidity), (1, 4, true));
    assert_eq!(inv.ttl_minutes, 120);
    assert_eq!(inv.secrets_count, 2);
    assert!(schet::views::invoice_form::load_draft(&seller(), None).is_none(), "the draft is cleared on success");
}

#[wasm_bindgen_test]
async fn a_private_fiat_invoice_made_with_the_form() {
    clear_drafts();
    let (host, _handle) = mount_form(seller(), None);
    click(&host, "input[name='invoice-kind']:not(:checked)");
    wait_until("the buyer field", || host.query_selector("#invoice-user").unwrap().is_some()).await;
    type_into(&host, "invoice-user", "buyer");
    wait_until("the live user check", || text(&host).contains("User found")).await;
    click(&host, "input[name='price-unit']:not(:checked)");
    wait_until("the currency picker", || host.query_selector("#invoice-currency").unwrap().is_some()).await;
    type_into(&host, "invoice-currency", "EUR");
    type_into(&host, "invoice-price", "12.5");
    type_into(&host, "invoice-comment", "Private, in euros");
    click_button(&host, "Create invoice");
    wait_for_server("the invoice", || async {
        newest_of_seller().await.is_some_and(|i| i.comment == "Private, in euros")
    })
    .await;
    let inv = newest_of_seller().await.unwrap();
    assert!(inv.is_private && !inv.is_base_crypto);
    assert_eq!((inv.fiat_currency.as_str(), inv.price_variable.as_str()), ("EUR", "Average"));
    assert_eq!(inv.price, Some(pb::Decimal { units: 12, nanos: 500_000_000 }));
    match inv.nullable_target_user {
        Some(pb::invoice::NullableTargetUser::TargetUser(u)) => assert_eq!(u.username, "buyer"),
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn every_bad_value_shows_its_message_next_to_the_field() {
    clear_drafts();
    let (host, _handle) = mount_form(seller(), None);
    let cases = [
        ("invoice-price", "abc", "invoice-price", "must be a number"),
        ("invoice-price", "0", "invoice-price", "greater than 0"),
        ("invoice-price", "0.000000001", "invoice-price", "decimal places"),
        ("invoice-price", "21000001", "invoice-price", "at most"),
        ("invoice-pieces-min", "0", "invoice-pieces-min", "at least 1"),
        ("invoice-pieces-max", "1000001", "invoice-pieces-max", "at most"),
        ("invoice-ttl", "0", "invoice-ttl", "minutes"),
        ("invoice-ttl", "x", "invoice-ttl", "must be a number"),
    ];
    for (input, value, field, expect) in cases {
        type_into(&host, input, value);
        wait_until(&format!("{input}={value:?} → {expect}"), || {
            error_shown(&host, field).is_some_and(|e| e.contains(expect))
        })
        .await;
        // Put a good value back before the next case.
        let good = match input {
            "invoice-price" => "0.001",
            "invoice-ttl" => "1",
            "invoice-pieces-max" => "3",
            _ => "1",
        };
        type_into(&host, input, good);
    }
    type_into(&host, "invoice-pieces-min", "5");
    type_into(&host, "invoice-pieces-max", "2");
    wait_until("PiecesMax below PiecesMin", || {
        error_shown(&host, "invoice-pieces-max").is_some_and(|e| e.contains("at least PiecesMin"))
    })
    .await;
    type_into(&host, "invoice-pieces-max", "9");
    type_into(&host, "invoice-comment", &"x".repeat(2001));
    wait_until("the comment length", || text(&host).contains("must be at most 2000 characters")).await;
    assert!(text(&host).contains("-1 characters left"));
    type_into(&host, "invoice-comment", "ok");
    // Integration fields.
    click(&host, "input[name='integration'][value], input[name='integration']:nth-of-type(1)");
    let radios = host.query_selector_all("input[name='integration']").unwrap();
    radios.get(1).unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    wait_until("the redirect field", || host.query_selector("#invoice-redirect").unwrap().is_some()).await;
    type_into(&host, "invoice-redirect", "javascript:alert(1)");
    wait_until("a bad redirect", || error_shown(&host, "invoice-redirect").is_some_and(|e| e.contains("http"))).await;
    radios.get(2).unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    wait_until("the webhook fields", || host.query_selector("#invoice-webhook-url").unwrap().is_some()).await;
    type_into(&host, "invoice-webhook-url", "http://example.com/hook");
    wait_until("https only", || error_shown(&host, "invoice-webhook-url").is_some_and(|e| e.contains("https://")))
        .await;
    type_into(&host, "invoice-client-crt", "not a certificate");
    wait_until("a PEM rule", || error_shown(&host, "invoice-client-crt").is_some_and(|e| e.contains("CERTIFICATE")))
        .await;
    // Private: the buyer's name.
    click(&host, "input[name='invoice-kind']:not(:checked)");
    wait_until("the buyer field", || host.query_selector("#invoice-user").unwrap().is_some()).await;
    type_into(&host, "invoice-user", "no spaces allowed");
    wait_until("a user name rule", || {
        error_shown(&host, "invoice-user").is_some_and(|e| e.contains("may contain only"))
    })
    .await;
    // Nothing was sent: submitting with errors shows the summary and keeps the data.
    click_button(&host, "Create invoice");
    wait_until("the summary", || text(&host).contains("Please fix the fields marked below.")).await;
}

#[wasm_bindgen_test]
async fn a_draft_survives_unmounting_and_mounting_again() {
    clear_drafts();
    let (host, handle) = mount_form(seller(), None);
    type_into(&host, "invoice-comment", "half-written offer");
    type_into(&host, "invoice-price", "0.0042");
    let saved = schet::views::invoice_form::load_draft(&seller(), None).expect("saved while typing");
    assert_eq!((saved.comment.as_str(), saved.price.as_str()), ("half-written offer", "0.0042"));
    drop(handle); // the app goes away (a reload, a crash, a closed tab)
    let saved = schet::views::invoice_form::load_draft(&seller(), None).expect("still there");
    assert_eq!((saved.comment.as_str(), saved.price.as_str()), ("half-written offer", "0.0042"), "after unmount");
    host.remove();
    // Someone else logged in on this browser starts from a blank form.
    let (other, other_handle) = mount_form(buyer(), None);
    wait_until("the form", || other.query_selector("#invoice-comment").unwrap().is_some()).await;
    let comment = by_id(&other, "invoice-comment").unchecked_into::<web_sys::HtmlTextAreaElement>().value();
    assert_eq!(comment, "", "another user's draft is not shown");
    assert!(!text(&other).contains("Your unsent draft was restored."));
    drop(other_handle);
    other.remove();
    let (host, _handle) = mount_form(seller(), None);
    wait_until("the restored draft", || text(&host).contains("Your unsent draft was restored.")).await;
    let values = || {
        let comment = by_id(&host, "invoice-comment").unchecked_into::<web_sys::HtmlTextAreaElement>().value();
        let price = by_id(&host, "invoice-price").unchecked_into::<web_sys::HtmlInputElement>().value();
        (comment, price)
    };
    wait_until("the typed values back in the fields", || values() == ("half-written offer".into(), "0.0042".into()))
        .await;
    click_button(&host, "Discard draft");
    assert!(schet::views::invoice_form::load_draft(&seller(), None).is_none());
}

#[wasm_bindgen_test]
async fn the_list_shows_what_the_server_returns_for_the_same_filters_and_pages() {
    for n in 0..12 {
        let req = pb::CreateInvoiceRequest {
            is_base_crypto: true,
            price: Some(pb::Decimal { units: 0, nanos: 1_000_000 * (n + 1) }),
            ttl_minutes: 60,
            comment: format!("list {n}"),
            pieces_min: 1,
            pieces_max: 2,
            ..Default::default()
        };
        api::invoices::create(&seller(), req).await.unwrap();
    }
    let filters = Filters { tab: Tab::Mine, count: 10, ..Default::default() };
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("/invoices{}", filters.to_query())))
        .unwrap();
    let state = AppState::new(seller());
    let host = new_host();
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <schet::AppShell state=state><InvoiceListPage /></schet::AppShell> },
    )
    .forget();
    let ids = |host: &web_sys::HtmlElement| {
        let links = host.query_selector_all(".invoice-table tbody tr td:first-child a").unwrap();
        (0..links.length())
            .map(|i| links.get(i).unwrap().text_content().unwrap().parse::<u64>().unwrap())
            .collect::<Vec<_>>()
    };
    let page1 = api::invoices::list(&seller(), filters.request("seller", 0)).await.unwrap();
    assert_eq!(page1.len(), 10);
    wait_until("the first page", || ids(&host).len() == 10).await;
    assert_eq!(ids(&host), page1.iter().map(|i| i.id).collect::<Vec<_>>());
    click_button(&host, "Load more");
    let page2 = api::invoices::list(&seller(), filters.request("seller", page1.last().unwrap().id)).await.unwrap();
    wait_until("the second page", || ids(&host).len() == 10 + page2.len()).await;
    let all: Vec<u64> = page1.iter().chain(page2.iter()).map(|i| i.id).collect();
    assert_eq!(ids(&host), all);
    // A status filter as a chip, from the filter form; clearing the chip restores the list.
    let deleted = page1[0].id;
    api::invoices::delete(&seller(), deleted).await.unwrap();
    click(&host, "#filter-status-4");
    click_button(&host, "Apply");
    wait_until("only deleted ones", || !ids(&host).is_empty() && text(&host).contains("Status: Deleted")).await;
    let server = api::invoices::list(
        &seller(),
        Filters { statuses: vec![pb::invoice::InvoiceStatus::Deleted], ..filters.clone() }.request("seller", 0),
    )
    .await
    .unwrap();
    wait_until("the deleted list", || ids(&host) == server.iter().map(|i| i.id).collect::<Vec<_>>()).await;
    assert!(host.query_selector("tr.gone").unwrap().is_some(), "deleted rows are greyed");
    click(&host, ".chip-x");
    wait_until("the chip gone", || !text(&host).contains("Status: Deleted")).await;
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/"))
        .unwrap();
}

#[wasm_bindgen_test]
async fn editing_and_deleting_an_invoice() {
    let created = api::invoices::create(
        &seller(),
        pb::CreateInvoiceRequest {
            is_base_crypto: true,
            price: Some(pb::Decimal { units: 0, nanos: 3_000_000 }),
            ttl_minutes: 60,
            comment: "before edit".into(),
            pieces_min: 1,
            pieces_max: 2,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (host, _handle) = mount_form(seller(), Some(created.clone()));
    type_into(&host, "invoice-comment", "after edit");
    type_into(&host, "invoice-pieces-max", "7");
    click_button(&host, "Save");
    wait_for_server("the edit", || async {
        api::invoices::get_by_id(&seller(), created.id).await.is_ok_and(|i| i.comment == "after edit")
    })
    .await;
    assert_eq!(api::invoices::get_by_id(&seller(), created.id).await.unwrap().pieces_max, 7);

    let host = mount_invoice_page(seller(), created.id);
    wait_until("the owner's buttons", || text(&host).contains("Delete")).await;
    click_button(&host, "Delete");
    wait_until("the confirmation", || text(&host).contains("Delete this invoice?")).await;
    click_button(&host, "Confirm");
    wait_for_server("the deletion", || async {
        api::invoices::get_by_id(&seller(), created.id)
            .await
            .is_ok_and(|i| i.status == pb::invoice::InvoiceStatus::Deleted as i32)
    })
    .await;
    wait_until("the page shows it", || text(&host).contains("Deleted")).await;
}

#[wasm_bindgen_test]
async fn an_attached_image_is_uploaded_and_shown_as_a_thumbnail() {
    clear_drafts();
    let (host, _handle) = mount_form(seller(), None);
    let bytes = canvas_png(40, 20);
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "pixel.png").unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input: web_sys::HtmlInputElement = by_id(&host, "invoice-images").unchecked_into();
    input.set_files(Some(&transfer.files().unwrap()));
    input.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    wait_until("the thumbnail", || host.query_selector(".thumbs img").unwrap().is_some()).await;
    wait_until("the upload to finish", || !text(&host).contains("Uploading")).await;
    let draft = schet::views::invoice_form::load_draft(&seller(), None).expect("a draft with the image");
    assert_eq!(draft.images.len(), 1);
    let stored = api::images::get(&seller(), &draft.images[0], false).await.unwrap();
    assert_eq!(stored, bytes, "the service has the original bytes");
    // A file that is not an image is refused in the browser.
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&b"plain text"[..]));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "notes.txt").unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    input.set_files(Some(&transfer.files().unwrap()));
    input.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    wait_until("the type rule", || text(&host).contains("must be a PNG, JPEG, WebP or GIF image")).await;
}

#[wasm_bindgen_test]
async fn a_buyer_pays_for_pieces_and_sees_the_secrets() {
    let created = api::invoices::create(
        &seller(),
        pb::CreateInvoiceRequest {
            is_base_crypto: true,
            price: Some(pb::Decimal { units: 0, nanos: 100_000 }),
            ttl_minutes: 60,
            comment: "codes".into(),
            pieces_min: 1,
            pieces_max: 3,
            secrets: ["CODE-A", "CODE-B", "CODE-C"]
                .iter()
                .enumerate()
                .map(|(i, t)| pb::CreateInvoiceSecretRequest {
                    text: t.to_string(),
                    order: i as u32 + 1,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let host = mount_invoice_page(buyer(), created.id);
    wait_until("the buy box", || host.query_selector("#buy-pieces").unwrap().is_some()).await;
    type_into(&host, "buy-pieces", "2");
    click_button(&host, "Buy");
    wait_until("the confirmation with the amount", || text(&host).contains("0.0002 BTC")).await;
    click_button(&host, "Confirm");
    wait_until("what was bought", || text(&host).contains("You bought 2 pieces")).await;
    // The goods are on the payment's page, linked from here (tests/money.rs opens it).
    let payment = api::payments::list(&buyer(), Some(false), 0, 0, 1).await.unwrap().remove(0);
    assert!(host.query_selector(&format!("a[href='/payment/{}']", payment.id)).unwrap().is_some());
    let codes: Vec<&str> = payment.secrets.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(codes, ["CODE-A", "CODE-B"], "the first two of the queue");
}

/// Bought out with LimitLiquidity, an invoice has PiecesMax 0: the list and the page say
/// "Sold out" and offer no range ("1–0" would read as a choice).
#[wasm_bindgen_test]
async fn a_sold_out_invoice_offers_no_pieces() {
    let created = api::invoices::create(
        &seller(),
        pb::CreateInvoiceRequest {
            is_base_crypto: true,
            price: Some(pb::Decimal { units: 0, nanos: 100_000 }),
            ttl_minutes: 60,
            comment: "last two".into(),
            pieces_min: 1,
            pieces_max: 2,
            limit_liquidity: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let before = schet::views::invoices::RowTexts::new(&created, 0.0, "", &labels());
    assert_eq!(before.pieces, "1–2");
    pay(&buyer(), created.id, 2).await.unwrap();
    let sold = api::invoices::get_by_id(&seller(), created.id).await.unwrap();
    assert_eq!(sold.pieces_max, 0, "LimitLiquidity took the pieces");
    let row = schet::views::invoices::RowTexts::new(&sold, 0.0, "", &labels());
    assert_eq!((row.status, row.pieces.as_str()), ("Sold out", "—"));

    let host = mount_invoice_page(seller(), created.id);
    wait_until("the invoice page", || text(&host).contains("last two")).await;
    let shown = text(&host);
    assert!(shown.contains("Sold out") && !shown.contains("1 – 0") && !shown.contains("1–0"), "{shown}");
}

/// The words of the English list rows.
fn labels() -> schet::views::invoices::Labels {
    schet::views::invoices::Labels::new(schet::i18n::texts(Lang::En), &schet::i18n::activity::EN)
}

/// The table follows the clock, the language and "Load more" by changing the rows already on
/// the page: a person's place in a long list (and any selected text) is not thrown away.
#[wasm_bindgen_test]
async fn the_list_updates_its_rows_in_place() {
    let invoice = |id: u64, status: pb::invoice::InvoiceStatus| pb::Invoice {
        id,
        status: status as i32,
        price: Some(pb::Decimal { units: 1, nanos: 0 }),
        is_base_crypto: true,
        pieces_min: 1,
        pieces_max: 2,
        owner: Some(pb::UserInfo { username: "seller".into(), ..Default::default() }),
        // 2 days, 3 hours and 4 minutes after the clock's start below.
        valid_to: Some(prost_types::Timestamp { seconds: 1_000_000 + 2 * 86_400 + 3 * 3_600 + 4 * 60, nanos: 0 }),
        ..Default::default()
    };
    let state = AppState::new(seller());
    let invoices = RwSignal::new(vec![
        invoice(2, pb::invoice::InvoiceStatus::Active),
        invoice(1, pb::invoice::InvoiceStatus::Deleted),
    ]);
    let now = RwSignal::new(1_000_000_000.0);
    let host = new_host();
    let _handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <schet::AppShell state=state><InvoiceTable invoices=schet::tasks::Signal::derive(move || invoices.get()) now=schet::tasks::Signal::derive(move || now.get()) me=schet::tasks::Signal::stored("seller".to_string()) /></schet::AppShell> }
    });
    let rows = || host.query_selector_all("tbody tr").unwrap();
    let cell = |row: u32, col: u32| {
        let tr: web_sys::Element = rows().item(row).unwrap().unchecked_into();
        tr.query_selector_all("td").unwrap().item(col).unwrap().text_content().unwrap()
    };
    assert_eq!(rows().length(), 2);
    let first_row = rows().item(0).unwrap();
    assert_eq!(cell(0, 0), "2");
    assert_eq!(cell(0, 9), "2 d 3 h");
    assert_eq!(cell(1, 9), "—", "a deleted invoice has no countdown");
    let gone: web_sys::Element = rows().item(1).unwrap().unchecked_into();
    assert!(gone.class_list().contains("gone"), "a deleted invoice's row is greyed");

    // The clock: a day and three hours later, only the countdown changes.
    now.set(1_000_000_000.0 + 27.0 * 3_600_000.0);
    wait_until("the countdown to follow the clock", || cell(0, 9) == "1 d 0 h").await;
    assert!(rows().item(0).unwrap().is_same_node(Some(&first_row)), "the row was kept, not rebuilt");

    // The language: the same rows, now in Russian.
    state.settings.update(|s| s.lang = Lang::Ru);
    wait_until("Russian texts in the rows", || cell(0, 1) == "Активен" && cell(0, 9) == "1 д 0 ч").await;
    assert!(rows().item(0).unwrap().is_same_node(Some(&first_row)));

    // "Load more": older invoices are appended below the rows already shown.
    invoices.update(|l| l.push(invoice(0, pb::invoice::InvoiceStatus::Payed)));
    wait_until("the appended row", || rows().length() == 3).await;
    assert!(rows().item(0).unwrap().is_same_node(Some(&first_row)));
    assert_eq!(cell(2, 0), "0");
    host.remove();
}
