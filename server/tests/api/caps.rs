//! Issue 14, finding 7: every list and string of a request has a cap, checked before any
//! work; GetInvoices' Statuses count once and are at most as many as there are.

use crate::harness::*;
use schet_api::pb::{self, invoice::InvoiceStatus};
use tonic::Code;

#[tokio::test]
async fn an_oversized_list_or_string_is_refused_before_any_work() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let before = s.fingerprint().await;
    // 32,700 statuses used to run as one query.
    let flood = pb::GetInvoicesRequest {
        statuses: vec![InvoiceStatus::Deleted as i32; 32_700],
        is_status_has_value: true,
        ..Default::default()
    };
    let e = c.get_invoices(req(flood, BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(e.message(), "Statuses: at most 5 are allowed (has 32700)");
    // As for a guest.
    let flood = pb::GetInvoicesRequest { statuses: vec![0; 6], ..Default::default() };
    assert_eq!(c.get_invoices(tonic::Request::new(flood)).await.unwrap_err().code(), Code::InvalidArgument);
    let huge = "a".repeat(8 * 1024 * 1024 - 1024);
    let e = c.is_user_exist(req(pb::IsUserExistRequest { user_name: huge.clone() }, BUYER)).await.unwrap_err();
    assert!(e.message().starts_with("UserName: must be at most 32 characters"), "{}", &e.message()[..80]);
    let e = c.get_image(req(pb::GetImageRequest { id: huge.clone(), is_preview: true }, BUYER)).await.unwrap_err();
    assert!(e.message().starts_with("Id: "), "{}", &e.message()[..40]);
    let by_user = pb::GetConversationsByIdRequest {
        ids: Some(pb::get_conversations_by_id_request::Ids::UserId(huge.clone())),
        ..Default::default()
    };
    assert!(c.get_conversations_by_id(req(by_user, BUYER)).await.unwrap_err().message().starts_with("UserId: "));
    let mut ignored = public("base crypto, with an ignored currency field");
    ignored.fiat_currency = huge;
    assert!(c.create_invoice(req(ignored, SELLER)).await.unwrap_err().message().starts_with("FiatCurrency: "));
    assert_eq!(s.fingerprint().await, before);
}

#[tokio::test]
async fn repeated_statuses_count_once() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let kept = c.create_invoice(req(public("kept"), SELLER)).await.unwrap().into_inner().id;
    let gone = c.create_invoice(req(public("gone"), SELLER)).await.unwrap().into_inner().id;
    c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: gone }, SELLER)).await.unwrap();
    let deleted = InvoiceStatus::Deleted as i32;
    let list = pb::GetInvoicesRequest { statuses: vec![deleted; 5], is_status_has_value: true, ..Default::default() };
    let got: Vec<u64> =
        c.get_invoices(req(list, BUYER)).await.unwrap().into_inner().invoices.iter().map(|i| i.id).collect();
    assert_eq!(got, vec![gone]);
    let both = pb::GetInvoicesRequest {
        statuses: vec![deleted, 0, deleted, 0],
        is_status_has_value: true,
        ..Default::default()
    };
    let got: Vec<u64> =
        c.get_invoices(req(both, BUYER)).await.unwrap().into_inner().invoices.iter().map(|i| i.id).collect();
    assert_eq!(got, vec![gone, kept]);
}
