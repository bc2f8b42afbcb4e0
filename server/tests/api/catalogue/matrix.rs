//! The authorization matrix: every call with no token or a bad one, and a private invoice's
//! data as its owner, its buyer, another user and a guest see it.

use super::*;

/// A request without `authorization`: a guest's.
fn guest<T>(message: T) -> tonic::Request<T> {
    tonic::Request::new(message)
}

fn auth<T>(token: Option<&str>, message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    if let Some(t) = token {
        r.metadata_mut().insert("authorization", t.parse().unwrap());
    }
    r
}

/// Every call of the service, made with `token` (None: no `authorization` at all) on the
/// fixture's data, each with a request a logged-in party could make successfully.
async fn every_call(
    client: &TradeApiClient<Channel>,
    token: Option<&str>,
    fx: &Fixture,
) -> Vec<(&'static str, Result<(), Status>)> {
    use pb::get_conversations_by_id_request::Ids;
    let mut c = client.clone();
    let public_id = fx.public;
    vec![
        ("CreateInvoice", c.create_invoice(auth(token, public("x"))).await.map(|_| ())),
        ("UpdatePublicInvoice", c.update_public_invoice(auth(token, update(public_id, |_| {}))).await.map(|_| ())),
        (
            "DeleteInvoice",
            c.delete_invoice(auth(token, pb::DeleteInvoiceRequest { invoice_id: public_id })).await.map(|_| ()),
        ),
        ("GetInvoices", c.get_invoices(auth(token, pb::GetInvoicesRequest::default())).await.map(|_| ())),
        (
            "GetInvoiceById",
            c.get_invoice_by_id(auth(token, pb::GetInvoiceByIdRequest { invoice_id: public_id })).await.map(|_| ()),
        ),
        (
            "SendInvoiceMessage",
            c.send_invoice_message(auth(
                token,
                pb::SendInvoiceMessageRequest { invoice_id: public_id, text: "hi".into(), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "GetInvoiceSecrets",
            c.get_invoice_secrets(auth(token, pb::GetInvoiceSecretsRequest { invoice_id: public_id, is_sold: false }))
                .await
                .map(|_| ()),
        ),
        (
            "ChangeInvoiceSecret",
            c.change_invoice_secret(auth(token, pb::ChangeInvoiceSecretRequest { secret_id: fx.secret, operation: 2 }))
                .await
                .map(|_| ()),
        ),
        (
            "CreateInvoiceSecret",
            c.create_invoice_secret(auth(
                token,
                pb::CreateInvoiceSecretRequest { invoice_id: public_id, text: "t".into(), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "UpdateInvoiceSecret",
            c.update_invoice_secret(auth(
                token,
                pb::UpdateInvoiceSecretRequest { secret_id: fx.secret, text: "t".into(), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "PayInvoiceFromBalance",
            c.pay_invoice_from_balance(auth(
                token,
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 1, ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "GetInvoicePayments",
            c.get_invoice_payments(auth(token, pb::GetInvoicePaymentsRequest::default())).await.map(|_| ()),
        ),
        (
            "CancelInvoicePayment",
            c.cancel_invoice_payment(auth(token, pb::CancelInvoicePaymentRequest { payment_id: fx.payment }))
                .await
                .map(|_| ()),
        ),
        (
            "CreateRefund",
            c.create_refund(auth(token, pb::CreateRefundRequest { payment_id: fx.payment, pieces: 1 }))
                .await
                .map(|_| ()),
        ),
        ("GetConversations", c.get_conversations(auth(token, ())).await.map(|_| ())),
        (
            "GetConversationsById",
            c.get_conversations_by_id(auth(
                token,
                pb::GetConversationsByIdRequest { ids: Some(Ids::InvoiceId(public_id)), ..Default::default() },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "SendInvoicePaymentMessage",
            c.send_invoice_payment_message(auth(
                token,
                pb::SendInvoicePaymentMessageRequest { payment_id: fx.payment, text: "hi".into(), image_ids: vec![] },
            ))
            .await
            .map(|_| ()),
        ),
        (
            "StoreImage",
            c.store_image(auth(token, pb::StoreImageRequest { id: guid(120), data: png(4, 4) })).await.map(|_| ()),
        ),
        (
            "GetImage",
            c.get_image(auth(token, pb::GetImageRequest { id: fx.images.public.clone(), is_preview: true }))
                .await
                .map(|_| ()),
        ),
        (
            "IsUserExist",
            c.is_user_exist(auth(token, pb::IsUserExistRequest { user_name: "seller".into() })).await.map(|_| ()),
        ),
        ("GetVariables", c.get_variables(auth(token, ())).await.map(|_| ())),
        ("GetMyProfile", c.get_my_profile(auth(token, ())).await.map(|_| ())),
        ("SubscribeNewEvents", c.subscribe_new_events(auth(token, ())).await.map(|_| ())),
    ]
}

/// The calls a guest may make (a shared link's page); every other call needs a login.
const GUEST_CALLS: [&str; 4] = ["GetInvoices", "GetInvoiceById", "GetImage", "GetVariables"];

/// The anonymous row of the matrix: a guest (no `authorization` metadata) reads what a
/// shared link shows and nothing else; every other call is UNAUTHENTICATED. A token that is
/// sent but not valid is UNAUTHENTICATED for every call, the guest's four included: it is
/// never read as a guest. Nothing changes either way.
#[tokio::test]
async fn every_call_needs_a_valid_token() {
    let s = Server::start().await;
    let fx = fixture(&s).await;
    let client = s.client().await;
    let before = s.fingerprint().await;
    for token in [None, Some("Bearer nope"), Some("Basic dXNlcg=="), Some("Bearer "), Some("bearer  ")] {
        let results = every_call(&client, token, &fx).await;
        assert_eq!(results.len(), 23, "every call of the service");
        for (call, result) in results {
            if token.is_none() && GUEST_CALLS.contains(&call) {
                assert!(result.is_ok(), "a guest may call {call}: {result:?}");
                continue;
            }
            let e = result.expect_err(call);
            assert_eq!(e.code(), Code::Unauthenticated, "{call} with {token:?}: {e:?}");
            assert!(!e.message().is_empty());
        }
        assert_eq!(s.fingerprint().await, before, "calls with {token:?} changed the data");
    }
}

/// Owner, target buyer and another buyer against a private invoice: each sees exactly
/// what is theirs, and the others' data never leaks (not even its existence).
#[tokio::test]
async fn private_data_does_not_leak_across_users() {
    let s = Server::start().await;
    let fx = fixture(&s).await;
    let mut c = s.client().await;
    let id = fx.private;
    let read = |token: &'static str| {
        let mut c = c.clone();
        async move { c.get_invoice_by_id(req(pb::GetInvoiceByIdRequest { invoice_id: id }, token)).await.map(|_| ()) }
    };
    assert!(read(SELLER).await.is_ok());
    assert!(read(BUYER).await.is_ok());
    assert_eq!(read(OTHER).await.unwrap_err().code(), Code::NotFound);
    // Indistinguishable from a missing invoice, for another user and for a guest alike.
    for token in [Some(OTHER), None] {
        let get = |invoice_id| match token {
            Some(t) => req(pb::GetInvoiceByIdRequest { invoice_id }, t),
            None => tonic::Request::new(pb::GetInvoiceByIdRequest { invoice_id }),
        };
        let missing = c.get_invoice_by_id(get(999_999)).await.unwrap_err();
        let hidden = c.get_invoice_by_id(get(id)).await.unwrap_err();
        assert_eq!((missing.code(), hidden.code()), (Code::NotFound, Code::NotFound), "{token:?}");
        assert_eq!(missing.message().replace("999999", "N"), hidden.message().replace(&id.to_string(), "N"));
    }

    // The anonymous row: a guest reads the public invoice and its image, lists public
    // invoices only, and every hidden image is "not found" exactly like an unknown one.
    let seen = c.get_invoice_by_id(guest(pb::GetInvoiceByIdRequest { invoice_id: fx.public })).await.unwrap();
    assert_eq!(seen.into_inner().invoices[0].id, fx.public);
    let listed = c
        .get_invoices(guest(pb::GetInvoicesRequest { count: 100, ..Default::default() }))
        .await
        .unwrap()
        .into_inner()
        .invoices;
    assert!(listed.iter().any(|i| i.id == fx.public));
    assert!(listed.iter().all(|i| !i.is_private), "a guest lists public invoices only");
    for filter in [
        pb::GetInvoicesRequest { is_private: true, is_private_has_value: true, ..Default::default() },
        pb::GetInvoicesRequest { is_owner: true, is_owner_has_value: true, ..Default::default() },
        pb::GetInvoicesRequest { to_user: "buyer".into(), ..Default::default() },
        pb::GetInvoicesRequest { id, ..Default::default() },
    ] {
        let got = c.get_invoices(guest(filter.clone())).await.unwrap().into_inner().invoices;
        assert!(got.is_empty(), "{filter:?} showed a guest {got:?}");
    }
    let not_mine = c
        .get_invoices(guest(pb::GetInvoicesRequest { is_owner: false, is_owner_has_value: true, ..Default::default() }))
        .await
        .unwrap()
        .into_inner()
        .invoices;
    assert_eq!(not_mine.iter().map(|i| i.id).collect::<Vec<_>>(), listed.iter().map(|i| i.id).collect::<Vec<_>>());
    for preview in [true, false] {
        let image = c
            .get_image(guest(pb::GetImageRequest { id: fx.images.public.clone(), is_preview: preview }))
            .await
            .unwrap()
            .into_inner();
        assert!(!(if preview { image.preview } else { image.original }).is_empty());
    }
    let unknown = guid(199);
    let missing = c.get_image(guest(pb::GetImageRequest { id: unknown.clone(), is_preview: true })).await.unwrap_err();
    for hidden in [&fx.images.secret, &fx.images.private, &fx.images.message, &fx.images.loose] {
        for preview in [true, false] {
            let e =
                c.get_image(guest(pb::GetImageRequest { id: hidden.clone(), is_preview: preview })).await.unwrap_err();
            assert_eq!(e.code(), Code::NotFound, "image {hidden}");
            assert_eq!(e.message().replace(hidden.as_str(), "G"), missing.message().replace(&unknown, "G"));
        }
    }
    // The same hidden images for a logged-in stranger.
    for hidden in [&fx.images.secret, &fx.images.private, &fx.images.message, &fx.images.loose] {
        let e =
            c.get_image(req(pb::GetImageRequest { id: hidden.clone(), is_preview: true }, OTHER)).await.unwrap_err();
        assert_eq!(e.code(), Code::NotFound, "image {hidden} for another user");
    }

    for (token, want) in [(BUYER, Code::PermissionDenied), (OTHER, Code::NotFound)] {
        let secrets = c
            .get_invoice_secrets(req(pb::GetInvoiceSecretsRequest { invoice_id: id, is_sold: false }, token))
            .await
            .unwrap_err();
        assert_eq!(secrets.code(), want, "secrets for {token}");
        let update = c.update_public_invoice(req(update(id, |_| {}), token)).await.unwrap_err();
        assert_eq!(update.code(), want, "update by {token}");
    }
    // Its recipient may decline it (parties.rs); anyone else does not even see it.
    let delete = c.delete_invoice(req(pb::DeleteInvoiceRequest { invoice_id: id }, OTHER)).await.unwrap_err();
    assert_eq!(delete.code(), Code::NotFound, "delete by a stranger");
    let pay = c
        .pay_invoice_from_balance(req(
            pb::PayInvoiceFromBalanceRequest { invoice_id: id, pieces: 0, ..Default::default() },
            OTHER,
        ))
        .await
        .unwrap_err();
    assert_eq!(pay.code(), Code::NotFound);
    let listed = c
        .get_invoices(req(pb::GetInvoicesRequest { count: 100, ..Default::default() }, OTHER))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.invoices.iter().all(|i| i.id != id));
    // The buyer's payment on the public invoice: visible to its pair only.
    let theirs = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest { payment_id: fx.payment, ..Default::default() },
            OTHER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(theirs.payments.is_empty());
    let sellers = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest {
                payment_id: fx.payment,
                is_to_me: true,
                is_to_me_has_value: true,
                ..Default::default()
            },
            SELLER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sellers.payments.len(), 1);
    assert_eq!(sellers.payments[0].secrets.len(), 1, "the seller sees what was delivered");
    let buyers = c
        .get_invoice_payments(req(
            pb::GetInvoicePaymentsRequest { is_to_me: false, is_to_me_has_value: true, ..Default::default() },
            BUYER,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(buyers.payments.iter().map(|p| p.id).collect::<Vec<_>>(), vec![fx.payment]);
}
