//! `cargo xtask bench`, the transport: the reference service with 100 public invoices, and
//! beside its gRPC-web API one bench-only JSON route carrying the same data, so the browser
//! can compare bytes on the wire and decoding time (tests/transport_bench.rs).
//!
//! * `POST /CoreSchema.V1.TradeApi/GetInvoices` (gRPC-web): the service as the app calls it.
//! * `GET /bench/invoices.json`: the same `GetInvoices` answer (100 invoices, asked once at
//!   start), written per request as the JSON a REST API would send: camelCase names,
//!   amounts as exact decimal strings, times as milliseconds since the epoch, enums as names.
//!   Both need `Authorization: Bearer bench-seller`; neither is compressed (the service
//!   compresses no API response).
//!
//! Prints `listening on http://ADDR` and serves until killed.

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use schet_api::pb::{self, invoice, trade_api_client::TradeApiClient};
use schet_server::{db::Store, rates::Rates, service::Service};
use serde_json::{Value, json};
use std::sync::Arc;
use tonic::transport::Channel;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

const TOKEN: &str = "bench-seller";
const INVOICES: u32 = 100;

fn auth<T>(message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut().insert("authorization", format!("Bearer {TOKEN}").parse().expect("ascii"));
    r
}

fn decimal(d: Option<&pb::Decimal>) -> Value {
    match d.map(schet_api::decimal::from_pb) {
        Some(Ok(d)) => Value::String(d.normalize().to_string()),
        _ => Value::Null,
    }
}

fn millis(t: Option<&prost_types::Timestamp>) -> Value {
    t.map_or(Value::Null, |t| json!(t.seconds * 1000 + i64::from(t.nanos) / 1_000_000))
}

fn user(u: Option<&pb::UserInfo>) -> Value {
    u.map_or(Value::Null, |u| {
        json!({
            "id": u.id, "username": u.username, "createdAt": millis(u.created_at.as_ref()),
            "lastOnline": millis(u.last_online.as_ref()), "invoicesCreatedCount": u.invoices_created_count,
            "paymentsPayedCount": u.payments_payed_count, "paymentsReceivedCount": u.payments_received_count,
        })
    })
}

fn invoice_json(i: &pb::Invoice) -> Value {
    let status = invoice::InvoiceStatus::try_from(i.status).map_or("Unknown", |s| s.as_str_name());
    let service = invoice::ServiceType::try_from(i.service).map_or("Unknown", |s| s.as_str_name());
    let target = match &i.nullable_target_user {
        Some(invoice::NullableTargetUser::TargetUser(u)) => user(Some(u)),
        _ => Value::Null,
    };
    let refund = match i.nullable_refund {
        Some(invoice::NullableRefund::RefundPaymentId(p)) => json!(p),
        _ => Value::Null,
    };
    let integration = match &i.integration {
        Some(invoice::Integration::Redirect(url)) => json!({ "redirect": url }),
        Some(invoice::Integration::Webhook(w)) => json!({ "webhook": { "url": w.url, "required": w.required } }),
        _ => Value::Null,
    };
    json!({
        "id": i.id, "isPrivate": i.is_private, "isBaseCrypto": i.is_base_crypto, "price": decimal(i.price.as_ref()),
        "fiatCurrency": i.fiat_currency, "priceVariable": i.price_variable, "ttlMinutes": i.ttl_minutes,
        "comment": i.comment, "piecesMin": i.pieces_min, "piecesMax": i.pieces_max, "status": status,
        "totalPayedCrypto": decimal(i.total_payed_crypto.as_ref()), "paymentsCount": i.payments_count,
        "owner": user(i.owner.as_ref()), "targetUser": target, "createdAt": millis(i.created_at.as_ref()),
        "validTo": millis(i.valid_to.as_ref()), "fee": decimal(i.fee.as_ref()), "limitLiquidity": i.limit_liquidity,
        "currentCryptoPrice": decimal(i.current_crypto_price.as_ref()), "refundPaymentId": refund,
        "service": service, "images": i.images, "secretsCount": i.secrets_count, "integration": integration,
    })
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("schet-bench-transport-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = Store::open(&dir.join("bench.db")).await.expect("database");
    let service = Arc::new(Service::new(store, Rates::default()));
    service.add_user("seller", Default::default(), Some(TOKEN)).await.expect("bench user");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let answer: Arc<std::sync::OnceLock<pb::GetInvoicesResponse>> = Arc::default();
    let for_json = answer.clone();
    let json_route = Router::new()
        .route(
            "/bench/invoices.json",
            get(move |headers: HeaderMap| async move {
                let authorized = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
                    == Some(format!("Bearer {TOKEN}").as_str());
                match for_json.get() {
                    Some(r) if authorized => {
                        let body = json!({ "invoices": r.invoices.iter().map(invoice_json).collect::<Vec<_>>() });
                        ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
                    }
                    Some(_) => StatusCode::UNAUTHORIZED.into_response(),
                    None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                }
            }),
        )
        .layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::any())
                .allow_headers([header::AUTHORIZATION])
                .allow_methods([axum::http::Method::GET]),
        );
    // The browser may read the transfer sizes of cross-origin responses (Resource Timing).
    let app = json_route.merge(schet_server::http::router(service, None)).layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("timing-allow-origin"),
        HeaderValue::from_static("*"),
    ));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let channel = Channel::from_shared(format!("http://{addr}")).expect("url").connect().await.expect("connect");
    let mut client = TradeApiClient::new(channel);
    for n in 0..INVOICES {
        let pieces_max = 1 + n % 20;
        client
            .create_invoice(auth(pb::CreateInvoiceRequest {
                is_base_crypto: n % 3 != 0,
                // BTC prices with satoshi digits; USD prices in cents.
                price: Some(if n % 3 == 0 {
                    pb::Decimal { units: 10 + i64::from(n), nanos: 990_000_000 }
                } else {
                    pb::Decimal { units: i64::from(n % 7), nanos: 12_345_000 * (1 + n as i32 % 50) }
                }),
                fiat_currency: if n % 3 == 0 { "USD".into() } else { String::new() },
                price_variable: if n % 3 == 0 { "Average".into() } else { String::new() },
                ttl_minutes: 60 * 24,
                comment: format!("Bench invoice {n}: a gift card code, delivered at once after payment"),
                pieces_min: 1,
                pieces_max,
                ..Default::default()
            }))
            .await
            .expect("create invoice");
    }
    let all = client
        .get_invoices(auth(pb::GetInvoicesRequest { count: INVOICES, ..Default::default() }))
        .await
        .expect("GetInvoices")
        .into_inner();
    assert_eq!(all.invoices.len(), INVOICES as usize, "GetInvoices returns every bench invoice");
    let _ = answer.set(all);
    println!("listening on http://{addr}");
    std::future::pending::<()>().await;
}
