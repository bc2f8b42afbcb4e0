//! `cargo xtask bench`: how long GetInvoiceById takes over loopback (native gRPC, HTTP/2),
//! against a fresh in-process server. Prints the median and the 99th percentile.

use schet_api::pb::{self, trade_api_client::TradeApiClient};
use schet_server::db::Store;
use schet_server::{ServeOptions, rates::Rates, service::Service};
use std::time::Instant;
use tonic::transport::Channel;

const CALLS: usize = 5000;

fn auth<T>(message: T) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut().insert("authorization", "Bearer bench-seller".parse().unwrap());
    r
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("schet-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("bench.db");
    let store = Store::open(&db).await.unwrap();
    let service = Service::new(store.clone(), Rates::default());
    service.add_user("seller", Default::default(), Some("bench-seller")).await.unwrap();
    store.close().await;
    let opts = ServeOptions::new("127.0.0.1:0".parse().unwrap(), db);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (addr, running) = schet_server::start(opts, async move {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    let server = tokio::spawn(running);
    let channel = Channel::from_shared(format!("http://{addr}")).unwrap().connect().await.unwrap();
    let mut client = TradeApiClient::new(channel);
    let created = client
        .create_invoice(auth(pb::CreateInvoiceRequest {
            is_base_crypto: true,
            price: Some(pb::Decimal { units: 0, nanos: 1_000_000 }),
            ttl_minutes: 60,
            comment: "bench".into(),
            pieces_min: 1,
            pieces_max: 1,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    // Warm up, then measure one call at a time.
    for _ in 0..200 {
        client.get_invoice_by_id(auth(pb::GetInvoiceByIdRequest { invoice_id: created.id })).await.unwrap();
    }
    let mut micros = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let t = Instant::now();
        client.get_invoice_by_id(auth(pb::GetInvoiceByIdRequest { invoice_id: created.id })).await.unwrap();
        micros.push(t.elapsed().as_secs_f64() * 1e6);
    }
    micros.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = micros[CALLS / 2];
    let p99 = micros[CALLS * 99 / 100];
    println!(
        "lookup  GetInvoiceById over loopback, {CALLS} calls: median {median:.0} µs, p99 {p99:.0} µs; ratio to 1 ms {:.2}",
        median / 1000.0
    );
    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_dir_all(&dir);
}
