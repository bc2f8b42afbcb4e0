//! An invoice's integration (a webhook or a redirect): the webhook key stays write-only, a
//! failing required webhook rolls the purchase back, and a redirect URL is shown only to
//! the owner and to the buyer with their payment.

use super::*;

#[tokio::test]
async fn update_keeps_the_webhook_key_write_only_and_private_invoices_are_not_editable() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("v1"), SELLER)).await.unwrap().into_inner();
    let updated = c
        .update_public_invoice(req(
            pb::UpdatePublicInvoiceRequest {
                invoice_id: inv.id,
                is_base_crypto: false,
                price: btc(45, 0),
                fiat_currency: "USD".into(),
                price_variable: "Average".into(),
                comment: "v2".into(),
                pieces_min: 2,
                pieces_max: 4,
                limit_liquidity: true,
                images: vec![],
                integration: Some(pb::update_public_invoice_request::Integration::Redirect(
                    "https://example.com/get".into(),
                )),
            },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((updated.comment.as_str(), updated.pieces_min, updated.fiat_currency.as_str()), ("v2", 2, "USD"));
    assert_eq!(dec(&updated.current_crypto_price), Decimal::from_str("0.0005").unwrap(), "45 USD at 90000 USD/BTC");
    let e = c
        .update_public_invoice(req(pb::UpdatePublicInvoiceRequest { invoice_id: inv.id, ..Default::default() }, BUYER))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::PermissionDenied);
    let private = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner();
    let e = c
        .update_public_invoice(req(
            pb::UpdatePublicInvoiceRequest {
                invoice_id: private.id,
                is_base_crypto: true,
                price: btc(1, 0),
                pieces_min: 1,
                pieces_max: 1,
                ..Default::default()
            },
            SELLER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
}

fn webhook_to_nowhere(required: bool) -> pb::Webhook {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
    pb::Webhook {
        url: "https://127.0.0.1:9/hook".into(), // nothing listens there
        client_crt: cert.pem(),
        client_key: key.serialize_pem(),
        server_crt: cert.pem(),
        required,
    }
}

#[tokio::test]
async fn a_failing_required_webhook_rolls_the_purchase_back_an_optional_one_does_not() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let mut required = public("required hook");
    required.integration = Some(pb::create_invoice_request::Integration::Webhook(webhook_to_nowhere(true)));
    let inv = c.create_invoice(req(required, SELLER)).await.unwrap().into_inner();
    // The key never comes back, not even to its owner.
    match inv.integration {
        Some(pb::invoice::Integration::Webhook(ref w)) => {
            assert_eq!(w.client_key, schet_server::service::WEBHOOK_KEY_STORED);
            assert!(!w.client_crt.is_empty());
        }
        ref other => panic!("{other:?}"),
    }
    let seen_by_buyer =
        c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: inv.id }, BUYER)).await.unwrap().into_inner();
    match &seen_by_buyer.invoices[0].integration {
        Some(pb::invoice::Integration::Webhook(w)) => {
            assert!(w.client_key.is_empty() && w.url.is_empty() && w.client_crt.is_empty())
        }
        other => panic!("{other:?}"),
    }
    let before = s.fingerprint().await;
    let e = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("nothing was charged"), "{}", e.message());
    assert!(!e.message().contains("127.0.0.1") && !e.message().contains("connect"), "{}", e.message());
    // Nothing charged, nothing taken: the payment the seller's system may have heard of
    // stays on record, cancelled, with what went wrong for the seller only.
    let without_payments =
        |f: String| f.lines().enumerate().filter(|(i, _)| *i != 2).map(|(_, l)| l.to_string()).collect::<Vec<_>>();
    assert_eq!(without_payments(s.fingerprint().await), without_payments(before), "released");
    let seen = |token| {
        let mut c = c.clone();
        async move {
            let m = pb::GetInvoicePaymentsRequest::default();
            c.get_invoice_payments(req(m, token)).await.unwrap().into_inner().payments.remove(0)
        }
    };
    let (buyers, sellers) = (seen(BUYER).await, seen(SELLER).await);
    assert_eq!(buyers.status, pb::invoice_payment::InvoicePaymentStatus::Canceled as i32);
    assert!(buyers.secrets.is_empty() && buyers.webhook_detail.is_empty());
    assert!(sellers.webhook_detail.starts_with("could not connect: "), "{}", sellers.webhook_detail);

    let mut optional = public("optional hook");
    optional.integration = Some(pb::create_invoice_request::Integration::Webhook(webhook_to_nowhere(false)));
    let inv = c.create_invoice(req(optional, SELLER)).await.unwrap().into_inner();
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pay.status, pb::invoice_payment::InvoicePaymentStatus::Paid as i32);
}

/// Where the goods are collected (`Redirect`) is the owner's to see, and the buyer's with
/// their payment; the buyer before paying, other users and guests see only that the
/// invoice delivers by redirect.
#[tokio::test]
async fn a_redirect_url_is_shown_to_the_owner_and_to_the_buyer_with_their_payment() {
    use pb::invoice::Integration;
    let s = Server::start().await;
    let mut c = s.client().await;
    let url = "https://example.com/collect/7f3a";
    let mut create = public("download");
    create.integration = Some(pb::create_invoice_request::Integration::Redirect(url.into()));
    create.secrets = vec![secret("licence key", 1)];
    let created = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    let shown = Some(Integration::Redirect(url.into()));
    let stripped = Some(Integration::Redirect(String::new()));
    assert_eq!(created.integration, shown, "the owner's own reply");

    let reader = c.clone();
    let by_id = |token: Option<&'static str>| {
        let mut c = reader.clone();
        let id = created.id;
        async move {
            let r = match token {
                Some(t) => req(pb::GetInvoiceByIdRequest { invoice_id: id }, t),
                None => tonic::Request::new(pb::GetInvoiceByIdRequest { invoice_id: id }),
            };
            c.get_invoice_by_id(r).await.unwrap().into_inner().invoices.remove(0).integration
        }
    };
    let listed = |token: Option<&'static str>| {
        let mut c = reader.clone();
        let id = created.id;
        async move {
            let m = pb::GetInvoicesRequest { id, ..Default::default() };
            let r = match token {
                Some(t) => req(m, t),
                None => tonic::Request::new(m),
            };
            c.get_invoices(r).await.unwrap().into_inner().invoices.remove(0).integration
        }
    };
    assert_eq!(by_id(Some(SELLER)).await, shown);
    assert_eq!(listed(Some(SELLER)).await, shown);
    for viewer in [Some(BUYER), Some(OTHER), None] {
        assert_eq!(by_id(viewer).await, stripped, "GetInvoiceById for {viewer:?} before paying");
        assert_eq!(listed(viewer).await, stripped, "GetInvoices for {viewer:?} before paying");
    }

    let paid = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: created.id, pieces: 1, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(paid.invoice.as_ref().unwrap().integration, shown, "with the payment");
    assert_eq!(paid.secrets[0].url, url, "and with the goods delivered");
    let payments = |token: &'static str| {
        let mut c = reader.clone();
        let id = paid.id;
        async move {
            let m = pb::GetInvoicePaymentsRequest { payment_id: id, ..Default::default() };
            c.get_invoice_payments(req(m, token)).await.unwrap().into_inner().payments
        }
    };
    assert_eq!(payments(BUYER).await[0].invoice.as_ref().unwrap().integration, shown);
    assert_eq!(payments(SELLER).await[0].invoice.as_ref().unwrap().integration, shown);
    assert!(payments(OTHER).await.is_empty());
    // Outside the payment, the invoice still shows it to its owner only.
    assert_eq!(by_id(Some(BUYER)).await, stripped);
    for viewer in [Some(OTHER), None] {
        assert_eq!(by_id(viewer).await, stripped, "{viewer:?} after another's purchase");
    }
    // The buyer's conversation about the invoice carries the invoice, not the payment.
    let conv = c
        .send_invoice_message(req(
            pb::SendInvoiceMessageRequest { invoice_id: created.id, text: "thanks".into(), ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    match conv.parent {
        Some(pb::conversation::Parent::Invoice(i)) => assert_eq!(i.integration, stripped),
        other => panic!("{other:?}"),
    }
}
