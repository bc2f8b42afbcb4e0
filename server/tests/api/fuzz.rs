//! Issue 14: arbitrary bytes, and arbitrary valid-but-extreme messages, to every call over
//! gRPC-web as a browser would send them, from an attacker with an account of their own (and
//! as a guest). Every answer is an HTTP answer with a gRPC status, a well-formed message never
//! meets an internal error, the service keeps serving, and nobody else's data changes.
//! (SubscribeNewEvents answers with a stream that does not end: the live suites cover it.)

use crate::grpc_web::{WEB, http};
use crate::harness::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use prost::Message;
use schet_api::pb;
use schet_server::rates::Rates;
use schet_server::service::Service;

const ATTACKER: &str = "t-mallory";

/// The calls, by method name (every unary call of TradeApi).
const CALLS: [&str; 22] = [
    "CreateInvoice",
    "UpdatePublicInvoice",
    "DeleteInvoice",
    "GetInvoices",
    "GetInvoiceById",
    "SendInvoiceMessage",
    "GetInvoiceSecrets",
    "ChangeInvoiceSecret",
    "CreateInvoiceSecret",
    "UpdateInvoiceSecret",
    "PayInvoiceFromBalance",
    "GetInvoicePayments",
    "CancelInvoicePayment",
    "CreateRefund",
    "GetConversations",
    "GetConversationsById",
    "SendInvoicePaymentMessage",
    "StoreImage",
    "GetImage",
    "IsUserExist",
    "GetVariables",
    "GetMyProfile",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("a".repeat(4000)),
        Just("ж".repeat(4001)),
        Just("x".repeat(70_000)),
        Just("\u{0}\u{7}\u{202e}<script>".to_string()),
        Just("seller".to_string()),
        "[ -~]{0,40}",
        any::<String>(),
    ]
}

fn id() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 1u64..12, Just(i64::MAX as u64), Just(u64::MAX), any::<u64>()]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), 1u32..5, Just(100), Just(101), Just(u32::MAX), any::<u32>()]
}

fn decimal() -> impl Strategy<Value = Option<pb::Decimal>> {
    prop_oneof![
        Just(None),
        Just(Some(pb::Decimal { units: 0, nanos: 1 })),
        Just(Some(pb::Decimal { units: i64::MAX, nanos: 999_999_999 })),
        Just(Some(pb::Decimal { units: i64::MIN, nanos: -999_999_999 })),
        Just(Some(pb::Decimal { units: 1, nanos: -1 })),
        (any::<i64>(), any::<i32>()).prop_map(|(units, nanos)| Some(pb::Decimal { units, nanos })),
    ]
}

fn guids() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(Vec::new()),
        Just(vec![guid(1)]),
        Just((0..11).map(guid).collect()),
        Just(vec!["x".repeat(5000); 3]),
        proptest::collection::vec(text(), 0..4),
    ]
}

fn webhook() -> impl Strategy<Value = pb::Webhook> {
    (text(), text(), text(), text(), any::<bool>()).prop_map(|(url, client_crt, client_key, server_crt, required)| {
        pb::Webhook { url, client_crt, client_key, server_crt, required }
    })
}

fn encode<M: Message>(m: &M) -> Vec<u8> {
    m.encode_to_vec()
}

/// A well-formed message for call `n`, with extreme values.
fn message(n: usize) -> BoxedStrategy<Vec<u8>> {
    use pb::create_invoice_request::Integration as C;
    use pb::update_public_invoice_request::Integration as U;
    match CALLS[n] {
        "CreateInvoice" => (
            (any::<bool>(), any::<bool>(), text(), decimal(), text(), text(), count()),
            (
                text(),
                count(),
                count(),
                any::<bool>(),
                guids(),
                0usize..3,
                prop_oneof![
                    Just(None),
                    text().prop_map(|u| Some(C::Redirect(u))),
                    webhook().prop_map(|w| Some(C::Webhook(w))),
                ],
            ),
        )
            .prop_map(
                move |((p, b, user, price, fiat, var, ttl), (comment, min, max, ll, images, secrets, integration))| {
                    encode(&pb::CreateInvoiceRequest {
                        is_private: p,
                        is_base_crypto: b,
                        user_name: user,
                        price,
                        fiat_currency: fiat,
                        price_variable: var,
                        ttl_minutes: ttl,
                        comment,
                        pieces_min: min,
                        pieces_max: max,
                        limit_liquidity: ll,
                        images,
                        secrets: vec![
                            pb::CreateInvoiceSecretRequest { text: "s".into(), ..Default::default() };
                            secrets * 60
                        ],
                        integration,
                    })
                },
            )
            .boxed(),
        "UpdatePublicInvoice" => (
            id(),
            any::<bool>(),
            decimal(),
            text(),
            count(),
            count(),
            guids(),
            prop_oneof![
                Just(None),
                text().prop_map(|u| Some(U::Redirect(u))),
                webhook().prop_map(|w| Some(U::Webhook(w))),
            ],
        )
            .prop_map(move |(invoice_id, b, price, comment, min, max, images, integration)| {
                encode(&pb::UpdatePublicInvoiceRequest {
                    invoice_id,
                    is_base_crypto: b,
                    price,
                    comment,
                    pieces_min: min,
                    pieces_max: max,
                    images,
                    integration,
                    ..Default::default()
                })
            })
            .boxed(),
        "DeleteInvoice" => id().prop_map(move |invoice_id| encode(&pb::DeleteInvoiceRequest { invoice_id })).boxed(),
        "GetInvoices" => (
            any::<bool>(),
            any::<bool>(),
            prop_oneof![Just(Vec::new()), Just(vec![4; 32_700]), proptest::collection::vec(any::<i32>(), 0..20)],
            any::<bool>(),
            id(),
            text(),
            id(),
            count(),
        )
            .prop_map(move |(owner, has, statuses, has_status, id, to_user, last_id, count)| {
                encode(&pb::GetInvoicesRequest {
                    is_owner: owner,
                    is_owner_has_value: has,
                    statuses,
                    is_status_has_value: has_status,
                    id,
                    to_user,
                    last_id,
                    count,
                    ..Default::default()
                })
            })
            .boxed(),
        "GetInvoiceById" => id().prop_map(move |invoice_id| encode(&pb::GetInvoiceByIdRequest { invoice_id })).boxed(),
        "SendInvoiceMessage" => (text(), id(), text(), guids())
            .prop_map(move |(to_user_id, invoice_id, text, image_ids)| {
                encode(&pb::SendInvoiceMessageRequest { to_user_id, invoice_id, text, image_ids })
            })
            .boxed(),
        "GetInvoiceSecrets" => (id(), any::<bool>())
            .prop_map(move |(invoice_id, is_sold)| encode(&pb::GetInvoiceSecretsRequest { invoice_id, is_sold }))
            .boxed(),
        "ChangeInvoiceSecret" => (id(), any::<i32>())
            .prop_map(move |(secret_id, operation)| encode(&pb::ChangeInvoiceSecretRequest { secret_id, operation }))
            .boxed(),
        "CreateInvoiceSecret" => (id(), text(), guids(), count())
            .prop_map(move |(invoice_id, text, images, order)| {
                encode(&pb::CreateInvoiceSecretRequest { invoice_id, text, images, order })
            })
            .boxed(),
        "UpdateInvoiceSecret" => (id(), text(), guids(), count())
            .prop_map(move |(secret_id, text, images, order)| {
                encode(&pb::UpdateInvoiceSecretRequest { secret_id, text, images, order })
            })
            .boxed(),
        "PayInvoiceFromBalance" => (id(), count(), decimal())
            .prop_map(move |(invoice_id, pieces, agreed_amount)| {
                encode(&pb::PayInvoiceFromBalanceRequest { invoice_id, pieces, agreed_amount })
            })
            .boxed(),
        "GetInvoicePayments" => (id(), any::<bool>(), any::<bool>(), id(), count())
            .prop_map(move |(payment_id, is_to_me, has, last_id, count)| {
                encode(&pb::GetInvoicePaymentsRequest { payment_id, is_to_me, is_to_me_has_value: has, last_id, count })
            })
            .boxed(),
        "CancelInvoicePayment" => {
            id().prop_map(move |payment_id| encode(&pb::CancelInvoicePaymentRequest { payment_id })).boxed()
        }
        "CreateRefund" => (id(), count())
            .prop_map(move |(payment_id, pieces)| encode(&pb::CreateRefundRequest { payment_id, pieces }))
            .boxed(),
        "GetConversationsById" => (
            prop_oneof![
                Just(None),
                id().prop_map(|i| Some(pb::get_conversations_by_id_request::Ids::InvoiceId(i))),
                id().prop_map(|i| Some(pb::get_conversations_by_id_request::Ids::PaymentId(i))),
                text().prop_map(|u| Some(pb::get_conversations_by_id_request::Ids::UserId(u))),
            ],
            id(),
            count(),
        )
            .prop_map(move |(ids, before_message_id, messages_count)| {
                encode(&pb::GetConversationsByIdRequest { ids, before_message_id, messages_count })
            })
            .boxed(),
        "SendInvoicePaymentMessage" => (id(), text(), guids())
            .prop_map(move |(payment_id, text, image_ids)| {
                encode(&pb::SendInvoicePaymentMessageRequest { payment_id, text, image_ids })
            })
            .boxed(),
        "StoreImage" => (
            prop_oneof![Just(guid(90)), Just(guid(1)), text()],
            prop_oneof![
                Just(Vec::new()),
                Just(png(3, 3)),
                Just(b"\x89PNG\r\n\x1a\n".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..2048),
            ],
        )
            .prop_map(move |(id, data)| encode(&pb::StoreImageRequest { id, data }))
            .boxed(),
        "GetImage" => (prop_oneof![Just(guid(1)), Just(guid(2)), text()], any::<bool>())
            .prop_map(move |(id, is_preview)| encode(&pb::GetImageRequest { id, is_preview }))
            .boxed(),
        "IsUserExist" => text().prop_map(move |user_name| encode(&pb::IsUserExistRequest { user_name })).boxed(),
        _ => Just(Vec::new()).boxed(),
    }
}

/// One request: which call, from whom (the attacker, or a guest), and the body.
#[derive(Debug, Clone)]
struct Case {
    call: usize,
    as_guest: bool,
    body: Vec<u8>,
    well_formed: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (0..CALLS.len(), any::<bool>()).prop_flat_map(|(call, as_guest)| {
        prop_oneof![
            // Arbitrary bytes, framed or not.
            1 => proptest::collection::vec(any::<u8>(), 0..600).prop_map(move |b| Case { call, as_guest, body: b, well_formed: false }),
            1 => proptest::collection::vec(any::<u8>(), 0..600).prop_map(move |b| {
                let mut body = vec![0u8];
                body.extend((b.len() as u32).to_be_bytes());
                body.extend(b);
                Case { call, as_guest, body, well_formed: false }
            }),
            // A well-formed message with extreme values, framed.
            3 => message(call).prop_map(move |m| {
                let mut body = vec![0u8];
                body.extend((m.len() as u32).to_be_bytes());
                body.extend(m);
                Case { call, as_guest, body, well_formed: true }
            }),
        ]
    })
}

/// Everything that belongs to the seller and the buyer (not to the attacker).
async fn victims(s: &Server, attacker: &str) -> String {
    let store = s.store().await;
    let mut out = String::new();
    for sql in [
        "SELECT string_agg(id || '|' || status || '|' || pieces_max || '|' || price || '|' || comment || '|' || images || '|' || webhook_client_key || '|' || total_payed_crypto, ';' ORDER BY id) FROM invoices WHERE owner_id <> $1",
        "SELECT string_agg(s.id || '|' || s.text || '|' || s.position || '|' || COALESCE(CAST(s.payment_id AS TEXT), '-'), ';' ORDER BY s.id) FROM invoice_secrets s JOIN invoices i ON i.id = s.invoice_id WHERE i.owner_id <> $1",
        "SELECT string_agg(id || '|' || status || '|' || refunded || '|' || refunding, ';' ORDER BY id) FROM payments WHERE buyer_id <> $1",
        "SELECT string_agg(id || '|' || balance || '|' || username, ';' ORDER BY id) FROM users WHERE id <> $1",
        "SELECT string_agg(m.id || '|' || m.text, ';' ORDER BY m.id) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.buyer_id <> $1 AND c.seller_id <> $1",
        "SELECT string_agg(id || '|' || length(original), ';' ORDER BY id) FROM images WHERE owner_id <> $1",
    ] {
        let mut conn = store.read().await.unwrap();
        let v: Option<String> =
            schet_server::db::dynamic(sql.to_string()).bind(attacker).scalar(&mut conn).await.unwrap();
        out.push_str(&v.unwrap_or_default());
        out.push('\n');
    }
    store.close().await;
    out
}

#[test]
fn arbitrary_bytes_and_extreme_messages_to_every_call_break_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let s = rt.block_on(Server::start_with(|o| {
        o.limits.quotas.messages_per_minute_per_user = 100_000;
        o.limits.quotas.messages_per_minute_per_conversation = 100_000;
        o.limits.quotas.message_bytes_per_minute_per_user = u32::MAX;
        o.limits.quotas.message_bytes_per_minute_per_conversation = u32::MAX;
    }));
    let attacker = rt.block_on(async {
        let mut c = s.client().await;
        // The victims' data: invoices with secrets and images, a private one, a purchase, a chat.
        c.store_image(req(pb::StoreImageRequest { id: guid(1), data: png(8, 8) }, SELLER)).await.unwrap();
        c.store_image(req(pb::StoreImageRequest { id: guid(2), data: png(9, 9) }, SELLER)).await.unwrap();
        let mut p = public("victim's goods");
        p.images = vec![guid(1)];
        p.secrets =
            vec![pb::CreateInvoiceSecretRequest { images: vec![guid(2)], ..secret("the code", 1) }, secret("two", 2)];
        let inv = c.create_invoice(req(p, SELLER)).await.unwrap().into_inner();
        c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap();
        c.pay_invoice_from_balance(req(pay(inv.id, 1), BUYER)).await.unwrap();
        let m = pb::SendInvoiceMessageRequest { invoice_id: inv.id, text: "mine".into(), ..Default::default() };
        c.send_invoice_message(req(m, BUYER)).await.unwrap();
        // The attacker: an account of their own, with no money.
        let store = s.store().await;
        let (id, _) = Service::new(store.clone(), Rates::default())
            .add_user("mallory", Default::default(), Some(ATTACKER))
            .await
            .unwrap();
        store.close().await;
        id
    });
    let before = rt.block_on(victims(&s, &attacker));
    let auth = format!("Bearer {ATTACKER}");
    let sent = std::sync::atomic::AtomicUsize::new(0);
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<String, usize>::new());
    let mut runner = TestRunner::new(Config { cases: 700, failure_persistence: None, ..Config::default() });
    let result = runner.run(&case(), |case| {
        let path = format!("/CoreSchema.V1.TradeApi/{}", CALLS[case.call]);
        let mut headers = vec![WEB, ("x-grpc-web", "1")];
        if !case.as_guest {
            headers.push(("authorization", auth.as_str()));
        }
        let reply = rt.block_on(http(&s, "POST", &path, &headers, &case.body));
        let status = reply.header("grpc-status").map(str::to_string).or_else(|| {
            let frames = reply.frames();
            let trailers =
                frames.iter().find(|f| f.0 & 0x80 != 0).map(|f| String::from_utf8_lossy(&f.1).into_owned())?;
            trailers.lines().find_map(|l| l.strip_prefix("grpc-status:").map(|v| v.trim().to_string()))
        });
        prop_assert!(reply.status_line.contains(" 200"), "HTTP {} for {case:?}", reply.status_line);
        let status = status.unwrap_or_else(|| panic!("no grpc-status for {}", CALLS[case.call]));
        sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *statuses.lock().unwrap().entry(status.clone()).or_default() += 1;
        if case.well_formed {
            let message = reply.header("grpc-message").unwrap_or_default().to_string();
            prop_assert!(status != "13" && status != "2", "{} answered {status} {message:?}", CALLS[case.call]);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let sent = sent.into_inner();
    eprintln!("{sent} requests; grpc-status counts: {:?}", statuses.into_inner().unwrap());
    assert!(sent >= 700);
    // Still serving, and nothing of anyone else's changed.
    let me = rt.block_on(async { s.client().await.get_my_profile(req((), SELLER)).await.unwrap().into_inner() });
    assert_eq!(me.username, "seller");
    assert_eq!(rt.block_on(victims(&s, &attacker)), before, "the attacker changed someone else's data");
}
