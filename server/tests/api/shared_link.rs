//! A shared invoice link's page: index.html with the answer a guest gets for its invoice,
//! and nothing more (no private invoice, nothing only the owner sees).

use crate::grpc_web::{Reply, http};
use crate::harness::*;
use base64::Engine;
use prost::Message;
use schet_api::pb;

const INDEX: &str = "<!DOCTYPE html><html><head><title>Schet</title></head><body></body></html>";

/// The app's files for this test binary: an index.html only.
fn site() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("schet-shared-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    dir
}

fn body_text(reply: &Reply) -> &str {
    std::str::from_utf8(&reply.body).unwrap()
}

/// The invoice a page carries, read as boot.js and the app read it.
fn carried(reply: &Reply, id: u64) -> Option<pb::GetInvoicesResponse> {
    let html = body_text(reply);
    let start = html.find("<meta name=\"schet-head-start\" content=\"")? + 39;
    let content = &html[start..start + html[start..].find('"').unwrap()];
    let (number, encoded) = content.split_once(' ').unwrap();
    assert_eq!(number, id.to_string(), "the meta names the link's invoice");
    let body = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
    let message = schet_model::head_start::unary_message(&body, None).expect("a clean gRPC-web reply");
    Some(pb::GetInvoicesResponse::decode(message).unwrap())
}

#[tokio::test]
async fn a_public_invoices_page_carries_what_a_guest_sees_and_nothing_else_does() {
    let s = Server::start_with(|o| o.static_dir = Some(site())).await;
    let mut c = s.client().await;
    let mut shared = public("shared on a forum");
    shared.integration = Some(pb::create_invoice_request::Integration::Redirect("https://example.com/goods".into()));
    let shared = c.create_invoice(req(shared, SELLER)).await.unwrap().into_inner();
    let private = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();

    let page = http(&s, "GET", &format!("/invoice/{}", shared.id), &[], b"").await;
    assert!(page.status_line.contains(" 200 "), "{}", page.status_line);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("no-cache"), "read again on every load");
    assert!(page.header("content-security-policy").unwrap().contains("script-src 'self' 'wasm-unsafe-eval';"));
    let guest = c
        .get_invoice_by_id(tonic::Request::new(pb::GetInvoiceByIdRequest { invoice_id: shared.id }))
        .await
        .unwrap()
        .into_inner();
    let seen = carried(&page, shared.id).expect("the page carries the invoice");
    assert_eq!(seen, guest, "exactly the guest's answer");
    assert_eq!(seen.invoices[0].comment, "shared on a forum");
    assert_eq!(
        seen.invoices[0].integration,
        Some(pb::invoice::Integration::Redirect(String::new())),
        "where the goods are collected is not a guest's to see"
    );

    // Compressed for a browser that accepts it: the same page, in fewer bytes.
    let packed = http(&s, "GET", &format!("/invoice/{}", shared.id), &[("accept-encoding", "gzip, br")], b"").await;
    assert_eq!(packed.header("content-encoding"), Some("br"));
    assert!(packed.header("vary").is_some_and(|v| v.contains("accept-encoding")));
    let mut html = Vec::new();
    std::io::Read::read_to_end(&mut brotli::Decompressor::new(&packed.body[..], 4096), &mut html).unwrap();
    assert_eq!(std::str::from_utf8(&html).unwrap(), body_text(&page));
    assert!(packed.body.len() < page.body.len(), "{} bytes, against {}", packed.body.len(), page.body.len());

    // A private invoice's page is the plain page, byte for byte that of an invoice that does
    // not exist: nobody learns it is there.
    let missing = http(&s, "GET", "/invoice/999999", &[], b"").await;
    let hidden = http(&s, "GET", &format!("/invoice/{}", private.id), &[], b"").await;
    for page in [&missing, &hidden] {
        assert!(page.status_line.contains(" 200 "), "{}", page.status_line);
        assert_eq!(body_text(page), INDEX);
        assert!(carried(page, 0).is_none());
    }

    // Only the shared link's own path, and only GET.
    for path in [format!("/invoice/{}/edit", shared.id), format!("/invoice/0{}", shared.id)] {
        assert_eq!(body_text(&http(&s, "GET", &path, &[], b"").await), INDEX, "{path}");
    }
    let head = http(&s, "POST", &format!("/invoice/{}", shared.id), &[], b"").await;
    assert!(!String::from_utf8_lossy(&head.body).contains("schet-head-start"));

    // The page is read when asked for: once the seller deletes the invoice, it carries what a
    // guest is then told (the invoice, deleted), never the copy from before.
    c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: shared.id }, SELLER)).await.unwrap();
    let after = http(&s, "GET", &format!("/invoice/{}", shared.id), &[], b"").await;
    let now = c
        .get_invoice_by_id(tonic::Request::new(pb::GetInvoiceByIdRequest { invoice_id: shared.id }))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(now, guest, "deleting changed what a guest sees");
    assert_eq!(carried(&after, shared.id), Some(now));
}
