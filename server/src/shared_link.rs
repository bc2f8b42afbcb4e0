//! A shared invoice link's page, `/invoice/<id>`: index.html carrying the answer a guest
//! gets from `GetInvoiceById` for that invoice, read at the moment the page is asked for.
//! boot.js hands it to the app as its head start when nobody is logged in and the app talks
//! to this origin, so a guest's first view waits on no call to the service: on a slow phone
//! that is a round trip sooner, with caches cold or warm, and the invoice is as fresh as the
//! page. Someone logged in is shown it too, until their own answer (which may say more, such
//! as the owner's redirect URL) arrives.
//!
//! The answer is the guest's whole gRPC-web reply body (a message frame and a trailers frame
//! with `grpc-status:0`), base64 in `<meta name="schet-head-start" content="<id> <base64>">`:
//! the app reads it with the same code as a reply from the network. Only what a guest may
//! see is ever put there; a private, missing or unreadable invoice gets the plain page, and
//! the app asks as usual (and a guest is told NOT_FOUND, as for any id). Nothing inline runs:
//! the CSP is unchanged.

use crate::service::Service;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use http::{HeaderValue, header};
use std::path::Path;
use std::time::Duration;

/// The meta element's name (boot.js reads it).
pub const META: &str = "schet-head-start";

/// How long the page waits for the invoice before it is sent without it.
const LOOKUP_TIMEOUT: Duration = Duration::from_millis(500);

/// The invoice number of a shared link's path, by boot.js's rule: `/invoice/` and 1 to 20
/// digits, no leading zero, within u64.
pub fn invoice_id(path: &str) -> Option<u64> {
    let digits = path.strip_prefix("/invoice/")?;
    let well_formed =
        (1..=20).contains(&digits.len()) && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit());
    if well_formed { digits.parse().ok() } else { None }
}

/// The body of a successful unary gRPC-web reply carrying `message`.
pub fn reply_body(message: &impl prost::Message) -> Vec<u8> {
    let message = message.encode_to_vec();
    let trailers = b"grpc-status:0\r\n";
    let mut body = Vec::with_capacity(10 + message.len() + trailers.len());
    for (flag, payload) in [(0u8, &message[..]), (0x80, &trailers[..])] {
        body.push(flag);
        body.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        body.extend_from_slice(payload);
    }
    body
}

/// `index` with the head start of invoice `id` just before `</head>`; None when the page has
/// no `</head>`.
pub fn with_head_start(index: &str, id: u64, reply: &[u8]) -> Option<String> {
    let at = index.find("</head>")?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(reply);
    // Base64 and digits only: nothing in the attribute needs escaping.
    let meta = format!("<meta name=\"{META}\" content=\"{id} {encoded}\" />");
    Some(format!("{}{meta}{}", &index[..at], &index[at..]))
}

/// The page for a shared link to invoice `id`, or None when there is nothing to add (the
/// invoice is not one a guest may see, the lookup failed or took too long, or index.html is
/// not readable): the caller then sends the plain page.
pub async fn page(service: &Service, dir: &Path, id: u64) -> Option<Response> {
    let lookup = tokio::time::timeout(LOOKUP_TIMEOUT, service.invoice_by_id(None, id));
    let invoice = lookup.await.ok()?.ok()?;
    let reply = reply_body(&schet_api::pb::GetInvoicesResponse { invoices: vec![invoice] });
    let index = tokio::fs::read_to_string(dir.join("index.html")).await.ok()?;
    let html = with_head_start(&index, id, &reply)?;
    let mut response = html.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_a_shared_links_path_names_an_invoice() {
        assert_eq!(invoice_id("/invoice/7"), Some(7));
        assert_eq!(invoice_id("/invoice/18446744073709551615"), Some(u64::MAX));
        for path in [
            "/invoice/",
            "/invoice/0",
            "/invoice/07",
            "/invoice/7/",
            "/invoice/7/edit",
            "/invoice/-7",
            "/invoice/+7",
            "/invoice/18446744073709551616",
            "/invoice/123456789012345678901",
            "/invoices/7",
            "/Invoice/7",
            "/invoice/7%20",
        ] {
            assert_eq!(invoice_id(path), None, "{path}");
        }
    }

    #[test]
    fn the_reply_reads_back_as_the_app_reads_a_reply() {
        let message = schet_api::pb::GetInvoicesResponse {
            invoices: vec![schet_api::pb::Invoice { id: 9, ..Default::default() }],
        };
        let body = reply_body(&message);
        let read = schet_model::head_start::unary_message(&body, None).expect("a clean reply");
        assert_eq!(<schet_api::pb::GetInvoicesResponse as prost::Message>::decode(read).unwrap(), message);
    }

    #[test]
    fn the_meta_goes_in_the_head_and_carries_the_reply() {
        let index = "<!DOCTYPE html><html><head><title>Schet</title></head><body></body></html>";
        let html = with_head_start(index, 42, b"\x00\x01\xfe\xff").unwrap();
        assert_eq!(
            html,
            "<!DOCTYPE html><html><head><title>Schet</title>\
             <meta name=\"schet-head-start\" content=\"42 AAH+/w==\" /></head><body></body></html>"
        );
        assert_eq!(with_head_start("<p>no head</p>", 1, b"x"), None);
    }

    proptest! {
        #[test]
        fn a_number_reads_back_from_its_link(id in 1u64..) {
            prop_assert_eq!(invoice_id(&format!("/invoice/{id}")), Some(id));
        }
    }
}
