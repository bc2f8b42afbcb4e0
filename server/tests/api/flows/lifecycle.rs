//! The service's and an invoice's life: data survives a restart, a shutdown ends open event
//! streams, and an expired invoice reads as deleted.

use super::*;

#[tokio::test]
async fn data_survives_a_restart() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("persisted"), SELLER)).await.unwrap().into_inner();
    c.pay_invoice_from_balance(req(
        pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
        BUYER,
    ))
    .await
    .unwrap();
    let before = s.fingerprint().await;
    let s = s.restart().await;
    assert_eq!(s.fingerprint().await, before);
    let mut c = s.client().await;
    let read =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap().into_inner();
    assert_eq!((read.invoices[0].comment.as_str(), read.invoices[0].payments_count), ("persisted", 1));
}

#[tokio::test]
async fn shutdown_ends_open_event_streams() {
    let mut s = Server::start().await;
    let mut c = s.client().await;
    let mut events = c.subscribe_new_events(req((), BUYER)).await.unwrap().into_inner();
    s.shutdown().await; // would hang if the stream held the server up
    let end = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(_)) = events.message().await {}
    })
    .await;
    assert!(end.is_ok(), "the stream ended");
}

#[tokio::test]
async fn an_expired_invoice_reads_as_deleted_before_and_after_the_sweep() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("short-lived"), SELLER)).await.unwrap().into_inner();
    let store = schet_server::db::Store::open(&s.db).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    schet_server::db::dynamic("UPDATE invoices SET valid_to = 0 WHERE id = $1".into())
        .bind(inv.id as i64)
        .execute(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let read =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap().into_inner();
    assert_eq!(read.invoices[0].status, InvoiceStatus::Deleted as i32, "not Active, even before the sweep");
    let e = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    let service = schet_server::service::Service::new(store.clone(), schet_server::rates::Rates::default());
    assert_eq!(service.sweep_expired().await.unwrap(), 1);
    let mut conn = store.read().await.unwrap();
    let status: i64 = schet_server::db::dynamic("SELECT status FROM invoices WHERE id = $1".into())
        .bind(inv.id as i64)
        .scalar(&mut conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(status, InvoiceStatus::Deleted as i64);
    store.close().await;
}
