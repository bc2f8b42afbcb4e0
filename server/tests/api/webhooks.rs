//! Issue 14, finding 6 and the webhook holes: webhooks reach only the public internet, tell
//! the buyer nothing of the seller's network, go out after the payment is committed with a
//! key unique to it, and their client keys are sealed at rest.

use crate::harness::*;
use crate::hook::{Answer, Receiver};
use schet_api::pb::{self, create_invoice_request::Integration};
use tonic::Code;

fn public_only(o: &mut schet_server::ServeOptions) {
    o.webhooks.allow_private = false;
}

#[tokio::test]
async fn webhook_urls_to_internal_hosts_are_refused_when_saved() {
    let s = Server::start_with(public_only).await;
    let hook = Receiver::start(Answer::Status(200)).await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("to update"), SELLER)).await.unwrap().into_inner();
    let before = s.fingerprint().await;
    for url in [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1:6379/",
        "https://localhost:22/",
        "https://[::1]:5432/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://[::ffff:127.0.0.1]/hook",
        "https://100.64.0.7/hook",
    ] {
        let w = pb::Webhook { url: url.into(), ..hook.webhook(true) };
        let mut create = public("internal");
        create.integration = Some(Integration::Webhook(w.clone()));
        let e = c.create_invoice(req(create, SELLER)).await.unwrap_err();
        assert_eq!(e.code(), Code::InvalidArgument, "{url}");
        assert!(e.message().starts_with("Webhook.Url: must "), "{url}: {}", e.message());
        let update = pb::UpdatePublicInvoiceRequest {
            invoice_id: inv.id,
            is_base_crypto: true,
            price: btc(0, 10_000_000),
            pieces_min: 1,
            pieces_max: 5,
            integration: Some(pb::update_public_invoice_request::Integration::Webhook(w)),
            ..Default::default()
        };
        let e = c.update_public_invoice(req(update, SELLER)).await.unwrap_err();
        assert!(e.message().starts_with("Webhook.Url: "), "{url}: {}", e.message());
    }
    assert_eq!(s.fingerprint().await, before);
}

#[tokio::test]
async fn a_webhook_whose_address_is_internal_is_not_called_and_the_buyer_learns_nothing() {
    // Saved while the switch was on (or its name resolved elsewhere then): at delivery the
    // address actually connected to is judged.
    let s = Server::start().await;
    let mut hook = Receiver::start(Answer::Status(200)).await;
    let mut c = s.client().await;
    let mut create = public("rebinding");
    create.integration = Some(Integration::Webhook(hook.webhook(true)));
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let s = s.restart_with(public_only).await;
    let mut c = s.client().await;
    let e = c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(hook.try_hit().is_none(), "nothing reached the internal address");
    let sellers = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest { is_to_me: true, is_to_me_has_value: true, ..Default::default() },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    let detail = &sellers.payments[0].webhook_detail;
    assert!(detail.contains("not a public internet address"), "the seller learns why: {detail}");
    assert!(!e.message().contains("127.0.0.1") && !e.message().contains("public"), "{}", e.message());
}

#[tokio::test]
async fn the_buyer_hears_the_same_for_a_closed_port_and_an_open_one() {
    let s = Server::start().await;
    let open = Receiver::start(Answer::Status(200)).await;
    let other = Receiver::start(Answer::Status(200)).await;
    let refusing = Receiver::start(Answer::Status(503)).await;
    let mut c = s.client().await;
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let hooks = [
        // Nothing listens.
        pb::Webhook { url: format!("https://localhost:{closed_port}/hook"), ..open.webhook(true) },
        // Something listens, but TLS fails (another server's certificate is trusted).
        pb::Webhook { server_crt: other.webhook(true).server_crt, ..open.webhook(true) },
        // It answers, and refuses.
        refusing.webhook(true),
    ];
    let mut messages = Vec::new();
    let mut details = Vec::new();
    for (n, w) in hooks.into_iter().enumerate() {
        let mut create = public(&format!("hook {n}"));
        create.integration = Some(Integration::Webhook(w));
        let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
        let e = c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap_err();
        messages.push(e.message().to_string());
        let m = pb::GetInvoicePaymentsRequest { is_to_me: true, is_to_me_has_value: true, ..Default::default() };
        details.push(
            c.get_invoice_payments(req(m, SELLER)).await.unwrap().into_inner().payments[0].webhook_detail.clone(),
        );
    }
    assert!(messages.iter().all(|m| *m == messages[0]), "one text for the buyer: {messages:?}");
    assert!(details[0].starts_with("could not connect"), "{details:?}");
    assert!(details[1].starts_with("the TLS handshake failed"), "{details:?}");
    assert!(details[2].starts_with("answered HTTP 503"), "{details:?}");
}

#[tokio::test]
async fn the_webhook_goes_out_after_commit_with_a_key_unique_to_its_payment() {
    let s = Server::start().await;
    let mut hook = Receiver::start(Answer::Manual).await;
    let mut c = s.client().await;
    let mut create = public("after commit");
    create.integration = Some(Integration::Webhook(hook.webhook(true)));
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let store = s.store().await;
    let mut keys = Vec::new();
    for _ in 0..2 {
        let mut buyer = c.clone();
        let buying = tokio::spawn(async move { buyer.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await });
        let hit = hook.hit().await;
        // While the seller's system holds the call, the payment it names is already stored,
        // with that key: it can never be rolled back and its id reused.
        let id = hit.body["payment_id"].as_i64().unwrap();
        let mut conn = store.read().await.unwrap();
        let row = schet_server::db::dynamic("SELECT status, idempotency_key FROM payments WHERE id = $1".into())
            .bind(id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        let (status, key): (i32, String) = (row.at(0).unwrap(), row.at(1).unwrap());
        assert_eq!(status, pb::invoice_payment::InvoicePaymentStatus::Pending as i32);
        assert_eq!(key, hit.idempotency_key);
        // The buyer sees it as in progress, without goods yet.
        let mine = c
            .get_invoice_payments(req(
                pb::GetInvoicePaymentsRequest { payment_id: id as u64, ..Default::default() },
                BUYER,
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(mine.payments[0].status, pb::invoice_payment::InvoicePaymentStatus::Pending as i32);
        keys.push(hit.idempotency_key.clone());
        hit.respond(200);
        assert_eq!(
            buying.await.unwrap().unwrap().into_inner().status,
            pb::invoice_payment::InvoicePaymentStatus::Paid as i32
        );
    }
    assert_ne!(keys[0], keys[1]);
    store.close().await;
}

#[tokio::test]
async fn webhook_keys_are_sealed_at_rest_and_plain_ones_are_sealed_on_start() {
    let s = Server::start().await;
    let mut hook = Receiver::start(Answer::Status(200)).await;
    let mut c = s.client().await;
    let w = hook.webhook(true);
    let mut create = public("sealed");
    create.integration = Some(Integration::Webhook(w.clone()));
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let stored = |store: schet_server::db::Store, id: u64| async move {
        let mut conn = store.read().await.unwrap();
        let key: String = schet_server::db::dynamic("SELECT webhook_client_key FROM invoices WHERE id = $1".into())
            .bind(id as i64)
            .scalar(&mut conn)
            .await
            .unwrap();
        drop(conn);
        store.close().await;
        key
    };
    let at_rest = stored(s.store().await, inv.id).await;
    assert!(at_rest.starts_with("sealed:v1:"), "{at_rest}");
    let body = |pem: &str| pem.lines().filter(|l| !l.starts_with("-----")).collect::<String>();
    assert!(!at_rest.contains(&body(&w.client_key)[..40]));
    // A database from before: the key in plain text. The next start seals it, and it works.
    let store = s.store().await;
    let mut tx = store.begin().await.unwrap();
    schet_server::db::dynamic("UPDATE invoices SET webhook_client_key = $1 WHERE id = $2".into())
        .bind(&w.client_key)
        .bind(inv.id as i64)
        .execute(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    let s = s.restart().await;
    assert!(stored(s.store().await, inv.id).await.starts_with("sealed:v1:"));
    let mut c = s.client().await;
    c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap();
    assert!(hook.hit().await.body["payment_id"].is_u64());
    // Without the key, the service does not start on a database holding sealed keys.
    let mut s = s;
    s.shutdown().await;
    let mut opts = schet_server::ServeOptions::new("127.0.0.1:0".parse().unwrap(), s.db.clone());
    opts.webhook_key = None;
    let e = schet_server::start(opts, std::future::pending()).await.err().expect("refused to start");
    assert!(format!("{e:#}").contains("webhook key"), "{e:#}");
}
