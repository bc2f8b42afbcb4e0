//! The CryptoCloud-compatible merchant calls over a real socket (HTTP/1.1 on
//! 127.0.0.1:0): semantics of `/v2/invoice/merchant/list` and `/v2/invoice/create`, and
//! every documented error body. JSON is read with serde_json (arbitrary precision), so
//! money is compared as the exact number text the server wrote.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rust_decimal::Decimal;
use schet_api::dates::{format_date, parse_date};
use schet_api::merchant::Status;
use schet_server::db::{Database, Store};
use schet_server::service::coins::find_coin;
use schet_server::service::merchant::Draft;
use schet_server::{ServeOptions, rates::Rates, service::Service};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use tokio::sync::oneshot;

#[path = "support/db.rs"]
mod db;

const M1: &str = "tok-merchant-one";
const M2: &str = "tok-merchant-two";
const LIST: &str = "/v2/invoice/merchant/list";
const CREATE: &str = "/v2/invoice/create";
const DAY_MS: i64 = 86_400_000;

struct Server {
    addr: SocketAddr,
    db: Database,
    dir: PathBuf,
    /// (user id of M1, user id of M2)
    ids: (String, String),
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Server {
    async fn start() -> Server {
        Server::start_with(|_| {}).await
    }

    async fn start_with(configure: impl FnOnce(&mut ServeOptions)) -> Server {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "schet-merchant-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = db::fresh_database(&dir).await;
        let store = Store::open(&db).await.unwrap();
        let service = Service::new(store.clone(), Rates::default());
        let (id1, _) = service.add_user("merchant1", Decimal::ZERO, Some(M1)).await.unwrap();
        let (id2, _) = service.add_user("merchant2", Decimal::ZERO, Some(M2)).await.unwrap();
        store.close().await;
        let (tx, rx) = oneshot::channel::<()>();
        let mut opts = ServeOptions::new("127.0.0.1:0".parse().unwrap(), db.clone());
        configure(&mut opts);
        let (addr, running) = schet_server::start(opts, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
        let task = tokio::spawn(running);
        Server { addr, db, dir, ids: (id1, id2), stop: Some(tx), task: Some(task) }
    }

    /// A second handle on the database and a service on it, as the admin command has.
    async fn admin(&self) -> (Store, Service) {
        let store = Store::open(&self.db).await.unwrap();
        (store.clone(), Service::new(store, Rates::default()))
    }

    /// POSTs `body` with an optional `Authorization` value; returns (status, body text).
    async fn post(&self, path: &str, auth: Option<&str>, body: impl Into<Bytes>) -> (u16, String) {
        let mut builder = http::Request::post(path)
            .header(http::header::HOST, self.addr.to_string())
            .header(http::header::CONTENT_TYPE, "application/json");
        if let Some(a) = auth {
            builder = builder.header(http::header::AUTHORIZATION, a);
        }
        let (status, _, body) = self.send(builder.body(Full::new(body.into())).unwrap()).await;
        (status, body)
    }

    async fn send(&self, request: http::Request<Full<Bytes>>) -> (u16, http::HeaderMap, String) {
        let stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (parts.status.as_u16(), parts.headers, String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// A call that must succeed; returns the parsed answer.
    async fn ok(&self, path: &str, key: &str, body: Value) -> Value {
        let (status, text) = self.post(path, Some(&format!("Token {key}")), body.to_string()).await;
        assert_eq!(status, 200, "{path} {body}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], "success", "{text}");
        v
    }

    async fn list(&self, key: &str, body: Value) -> Value {
        self.ok(LIST, key, body).await
    }

    async fn create(&self, key: &str, body: Value) -> Value {
        self.ok(CREATE, key, body).await["result"].clone()
    }

    /// A call that must fail with `status`; returns the parsed error body.
    async fn fails(&self, path: &str, auth: Option<&str>, body: impl Into<Bytes>, status: u16) -> Value {
        let (got, text) = self.post(path, auth, body).await;
        assert_eq!(got, status, "{path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn now_ms() -> i64 {
    schet_server::db::now_ms()
}

fn today() -> String {
    day(0)
}

fn day(offset_days: i64) -> String {
    format_date(now_ms().div_euclid(DAY_MS) + offset_days)
}

/// The exact text of a JSON number.
fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => panic!("not a number: {other}"),
    }
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&num(v)).unwrap()
}

fn order_ids(page: &Value) -> Vec<String> {
    page["result"].as_array().unwrap().iter().map(|i| i["order_id"].as_str().unwrap().to_string()).collect()
}

fn range(offset: u64, limit: Option<u64>) -> Value {
    let mut body = json!({ "start": today(), "end": today(), "offset": offset });
    if let Some(l) = limit {
        body["limit"] = json!(l);
    }
    body
}

#[tokio::test]
async fn every_documented_401() {
    let s = Server::start().await;
    let body = json!({ "start": today(), "end": today() }).to_string();
    for path in [LIST, CREATE] {
        assert_eq!(s.fails(path, None, body.clone(), 401).await, json!({ "detail": "Credentials were not provided" }));
        assert_eq!(s.fails(path, Some(""), body.clone(), 401).await["detail"], "Credentials were not provided");
        for bad in ["Token", "Bearer tok-merchant-one", "Token tok merchant", "tok-merchant-one", "Basic a b"] {
            assert_eq!(
                s.fails(path, Some(bad), body.clone(), 401).await,
                json!({ "detail": "Invalid header padding" }),
                "{bad}"
            );
        }
        assert_eq!(
            s.fails(path, Some("Token not-a-key"), body.clone(), 401).await,
            json!({ "detail": "Signature verification failed" })
        );
        // Authentication comes first: a bad body with no key is still a 401.
        assert_eq!(s.fails(path, None, "{oops", 401).await["detail"], "Credentials were not provided");
    }
    // The scheme is case-insensitive, as HTTP's are.
    let (status, _) = s.post(LIST, Some(&format!("token {M1}")), body).await;
    assert_eq!(status, 200);
    s.stop().await;
}

#[tokio::test]
async fn unauthorized_answers_say_which_scheme() {
    let s = Server::start().await;
    let request = http::Request::post(LIST).header(http::header::HOST, "x").body(Full::new(Bytes::new())).unwrap();
    let (status, headers, _) = s.send(request).await;
    assert_eq!(status, 401);
    assert_eq!(headers[http::header::WWW_AUTHENTICATE], "Token");
    assert_eq!(headers[http::header::CONTENT_TYPE], "application/json");
    s.stop().await;
}

#[tokio::test]
async fn missing_dates_are_the_documented_400() {
    let s = Server::start().await;
    let auth = format!("Token {M1}");
    let expected = json!({ "status": "error", "result": { "start": "start not passed.", "end": "end not passed." } });
    assert_eq!(s.fails(LIST, Some(&auth), "{}", 400).await, expected);
    assert_eq!(s.fails(LIST, Some(&auth), "", 400).await, expected, "an empty body counts as {{}}");
    assert_eq!(s.fails(LIST, Some(&auth), r#"{"start":null,"end":null}"#, 400).await, expected);
    let only_end = json!({ "end": today() }).to_string();
    assert_eq!(
        s.fails(LIST, Some(&auth), only_end, 400).await,
        json!({ "status": "error", "result": { "start": "start not passed." } })
    );
    s.stop().await;
}

#[tokio::test]
async fn bad_fields_are_400_one_message_per_field() {
    let s = Server::start().await;
    let auth = format!("Token {M1}");
    let case = |body: Value| (body.to_string(), auth.clone());
    for bad_date in ["31.02.2024", "2024-01-01", "1.1.2024", "01.01.24"] {
        let (body, auth) = case(json!({ "start": bad_date, "end": "01.03.2024" }));
        let e = s.fails(LIST, Some(&auth), body, 400).await;
        assert_eq!(e["status"], "error");
        assert_eq!(e["result"], json!({ "start": "start must be a date in the format dd.mm.yyyy." }), "{bad_date}");
    }
    let (body, auth) = case(json!({ "start": 20240101, "end": "01.03.2024" }));
    assert!(s.fails(LIST, Some(&auth), body, 400).await["result"]["start"].is_string());
    let (body, auth) = case(json!({ "start": "02.03.2024", "end": "01.03.2024" }));
    assert_eq!(
        s.fails(LIST, Some(&auth), body, 400).await["result"],
        json!({ "end": "end must be greater than or equal to start." })
    );
    let (body, auth) = case(json!({ "start": "01.03.2024", "end": "01.03.2024", "offset": -1, "limit": 2.5 }));
    let e = s.fails(LIST, Some(&auth), body, 400).await["result"].clone();
    assert_eq!(e["offset"], "offset must be a whole number, 0 or more.");
    assert_eq!(e["limit"], "limit must be a whole number, 0 or more.");
    for (offset, limit) in [(0, 0), (10, 10), (20, 5)] {
        let (body, auth) =
            case(json!({ "start": "01.03.2024", "end": "01.03.2024", "offset": offset, "limit": limit }));
        assert_eq!(
            s.fails(LIST, Some(&auth), body, 400).await["result"],
            json!({ "limit": "limit must be greater than offset." }),
            "offset {offset}, limit {limit}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_400_not_a_crash() {
    let s = Server::start().await;
    let auth = format!("Token {M1}");
    for body in ["{", "[1,2]", "\"start\"", "{\"start\": 01.01.2024}", "nul", "{\"a\":1}}"] {
        let e = s.fails(LIST, Some(&auth), body, 400).await;
        assert_eq!(e["status"], "error", "{body}");
        assert!(e["result"]["body"].as_str().unwrap().starts_with("the body"), "{body}: {e}");
    }
    let e = s.fails(LIST, Some(&auth), Bytes::from_static(b"{\"start\":\"\xff\"}"), 400).await;
    assert_eq!(e["result"]["body"], "the body is not UTF-8 text.");
    let deep = "[".repeat(10_000);
    assert!(s.fails(CREATE, Some(&auth), deep, 400).await["result"]["body"].is_string());
    let huge = format!("{{\"start\":\"{}\"}}", "x".repeat(100_000));
    assert_eq!(s.fails(LIST, Some(&auth), huge, 413).await["detail"], "the body is larger than 65536 bytes");
    // Still serving.
    assert_eq!(s.list(M1, range(0, None)).await["all_count"], 0);
    s.stop().await;
}

#[tokio::test]
async fn paging_follows_offset_and_the_inclusive_limit() {
    let s = Server::start().await;
    for n in 1..=105 {
        s.create(M1, json!({ "shop_id": "S1", "amount": n, "order_id": format!("O{n}") })).await;
    }
    let ids = |from: u32, to: u32| -> Vec<String> { (to..=from).rev().map(|n| format!("O{n}")).collect() };
    // Newest first. Defaults: offset 0, limit 10 → records 1..=10.
    let page = s.list(M1, json!({ "start": today(), "end": today() })).await;
    assert_eq!(page["all_count"], 105);
    assert_eq!(order_ids(&page), ids(105, 96));
    // offset=10 starts with the 11th record; limit=20 ends with the 20th, inclusive.
    let page = s.list(M1, range(10, Some(20))).await;
    assert_eq!(order_ids(&page), ids(95, 86));
    assert_eq!(page["all_count"], 105);
    // The last, short page.
    assert_eq!(order_ids(&s.list(M1, range(100, Some(110))).await), ids(5, 1));
    // One record: offset=4, limit=5 → the 5th.
    assert_eq!(order_ids(&s.list(M1, range(4, Some(5))).await), ids(101, 101));
    // Without limit: 10 records from offset.
    assert_eq!(order_ids(&s.list(M1, range(30, None)).await), ids(75, 66));
    // At most 100 records per request: a longer span is cut, not refused.
    let page = s.list(M1, range(0, Some(1000))).await;
    assert_eq!(page["result"].as_array().unwrap().len(), 100);
    assert_eq!(order_ids(&page), ids(105, 6));
    // Past the end: nothing, and the true count.
    let page = s.list(M1, range(200, Some(300))).await;
    assert_eq!(page["result"], json!([]));
    assert_eq!(page["all_count"], 105);
    // Numbers as strings are read too.
    let page = s.list(M1, json!({ "start": today(), "end": today(), "offset": "1", "limit": "3" })).await;
    assert_eq!(order_ids(&page), ids(104, 103));
    s.stop().await;
}

#[tokio::test]
async fn invoices_are_listed_only_for_their_owner() {
    let s = Server::start().await;
    let made = s.create(M1, json!({ "shop_id": "S1", "amount": 10 })).await;
    let mine = s.list(M1, range(0, None)).await;
    assert_eq!(mine["all_count"], 1);
    assert_eq!(mine["result"][0]["uuid"], made["uuid"]);
    let theirs = s.list(M2, range(0, None)).await;
    assert_eq!(theirs, json!({ "status": "success", "result": [], "all_count": 0 }));
    s.stop().await;
}

#[tokio::test]
async fn the_range_is_whole_utc_days_both_inclusive() {
    let s = Server::start().await;
    let (store, service) = s.admin().await;
    let jan_1_2023 = parse_date("01.01.2023").unwrap() * DAY_MS;
    let feb_1_2023 = parse_date("01.02.2023").unwrap() * DAY_MS;
    for (order, at) in
        [("before", jan_1_2023 - 1), ("first", jan_1_2023), ("last", feb_1_2023 - 1), ("after", feb_1_2023)]
    {
        let new = Draft {
            shop_id: "S1".into(),
            project_name: Some("My store".into()),
            order_id: order.into(),
            email: String::new(),
            fiat_currency: "USD".into(),
            amount_in_fiat: Decimal::from(100),
            coin: find_coin("USDT_TRC20").unwrap(),
            lifetime_minutes: 60,
            test_mode: false,
            created_at: at,
        };
        service.merchant().create(&s.ids.0, &new).await.unwrap();
    }
    store.close().await;
    let page = s.list(M1, json!({ "start": "01.01.2023", "end": "31.01.2023", "offset": 0, "limit": 10 })).await;
    assert_eq!(order_ids(&page), ["last", "first"]);
    assert_eq!(page["all_count"], 2);
    let first = &page["result"][1];
    assert_eq!(first["created"], "2023-01-01 00:00:00.000000");
    assert_eq!(first["expiry_date"], "2023-01-01 01:00:00.000000");
    // Unpaid past its expiry: canceled, finished when it expired.
    assert_eq!(first["status"], "canceled");
    assert_eq!(first["date_finished"], "2023-01-01 01:00:00.000000");
    assert_eq!(first["project"]["name"], "My store");
    let one_day = s.list(M1, json!({ "start": "01.02.2023", "end": "01.02.2023" })).await;
    assert_eq!(order_ids(&one_day), ["after"]);
    s.stop().await;
}

#[tokio::test]
async fn create_answers_as_documented_with_exact_money() {
    let s = Server::start().await;
    let before = now_ms();
    let inv = s.create(M1, json!({ "shop_id": "S1", "amount": 100, "order_id": "1111" })).await;
    let uuid = inv["uuid"].as_str().unwrap();
    assert!(uuid.len() == 12 && uuid.starts_with("INV-"), "{uuid}");
    assert!(uuid[4..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{uuid}");
    assert_eq!(inv["status"], "created");
    assert_eq!(inv["fiat_currency"], "USD");
    assert_eq!(inv["currency"]["fullcode"], "USDT_TRC20");
    assert_eq!(inv["currency"]["code"], "USDT");
    assert_eq!(inv["currency"]["network"]["code"], "TRC20");
    assert_eq!(inv["currency"]["network"]["fullname"], "Tron");
    assert_eq!(inv["project"]["name"], "S1");
    assert_eq!(inv["order_id"], "1111");
    assert_eq!(inv["test_mode"], false);
    assert_eq!(inv["date_finished"], Value::Null);
    assert_eq!(inv["link"], format!("http://{}/pay/{}", s.addr, &uuid[4..]));
    for (field, text) in [
        ("amount_in_fiat", "100"),
        ("amount", "100"),
        ("amount_usd", "100"),
        ("fee", "1.4"),
        ("fee_usd", "1.4"),
        ("amount_to_pay", "101.4"),
        ("amount_to_pay_usd", "101.4"),
        ("service_fee", "1.9"),
        ("service_fee_usd", "1.9"),
        ("amount_paid", "0"),
        ("received", "0"),
        ("to_surcharge", "0"),
    ] {
        assert_eq!(num(&inv[field]), text, "{field}");
    }
    // Times: UTC, microseconds, 24 h by default.
    let created = inv["created"].as_str().unwrap();
    assert_eq!(created.len(), "2023-01-01 12:00:00.000000".len());
    assert!(
        created.starts_with(&{
            let d = today();
            format!("{}-{}-{}", &d[6..], &d[3..5], &d[..2])
        }) || now_ms() / DAY_MS != before / DAY_MS
    );
    let expiry = inv["expiry_date"].as_str().unwrap();
    assert_eq!(&expiry[10..], &created[10..], "expiry is a day later, same time");
    // The list shows the same invoice.
    let listed = s.list(M1, range(0, None)).await;
    assert_eq!(listed["result"][0]["uuid"], inv["uuid"]);
    assert_eq!(num(&listed["result"][0]["amount_to_pay"]), "101.4");

    // Another currency, coin and lifetime; digits no f64 could keep.
    let inv = s
        .create(
            M1,
            json!({ "shop_id": "S2", "amount": serde_json::from_str::<Value>("92.00000001").unwrap(), "currency": "eur",
                    "add_fields": { "time_to_pay": { "hours": 2, "minutes": 30 }, "cryptocurrency": "BTC" } }),
        )
        .await;
    assert_eq!(inv["fiat_currency"], "EUR");
    assert_eq!(num(&inv["amount_in_fiat"]), "92.00000001");
    assert_eq!(num(&inv["amount_usd"]), "100"); // 92 EUR at 0.92 per USD, to the cent
    assert_eq!(inv["currency"]["fullcode"], "BTC");
    assert_eq!(num(&inv["amount"]), "0.00111111"); // 100 USD at 90000, 8 places
    assert_eq!(num(&inv["amount_to_pay"]), "0.00113111");
    let (c, e) = (inv["created"].as_str().unwrap(), inv["expiry_date"].as_str().unwrap());
    let minutes = |t: &str| t[11..13].parse::<i64>().unwrap() * 60 + t[14..16].parse::<i64>().unwrap();
    assert_eq!((minutes(e) - minutes(c)).rem_euclid(24 * 60), 150);
    let big = s
        .create(M1, json!({ "shop_id": "S1", "amount": serde_json::from_str::<Value>("123456789.12345678").unwrap() }))
        .await;
    assert_eq!(num(&big["amount_in_fiat"]), "123456789.12345678");
    assert_eq!(num(&big["amount_usd"]), "123456789.12");
    s.stop().await;
}

/// The payment link is built from the configured public URL: a forged `Host` header
/// (a request through a proxy, or an attacker's) never lands in it.
#[tokio::test]
async fn the_payment_link_comes_from_the_public_url_not_the_host_header() {
    let s = Server::start_with(|o| o.public_url = Some("https://pay.example.com/".into())).await;
    let request = http::Request::post(CREATE)
        .header(http::header::HOST, "evil.example")
        .header(http::header::AUTHORIZATION, format!("Token {M1}"))
        .body(Full::new(Bytes::from(json!({ "shop_id": "S1", "amount": 5 }).to_string())))
        .unwrap();
    let (status, _, text) = s.send(request).await;
    assert_eq!(status, 200, "{text}");
    let inv: Value = serde_json::from_str(&text).unwrap();
    let uuid = inv["result"]["uuid"].as_str().unwrap();
    assert_eq!(inv["result"]["link"], format!("https://pay.example.com/pay/{}", &uuid[4..]));
    s.stop().await;
}

#[tokio::test]
async fn create_rejects_bad_fields_one_message_each() {
    let s = Server::start().await;
    let auth = format!("Token {M1}");
    let e = s.fails(CREATE, Some(&auth), "{}", 400).await;
    assert_eq!(
        e,
        json!({ "status": "error", "result": { "shop_id": "shop_id not passed.", "amount": "amount not passed." } })
    );
    let body = json!({ "shop_id": "S1", "amount": -5, "currency": "XYZ", "email": "nope",
        "add_fields": { "time_to_pay": { "hours": 1000 }, "cryptocurrency": "DOGE" } });
    let e = s.fails(CREATE, Some(&auth), body.to_string(), 400).await["result"].clone();
    let mut fields: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(fields, ["add_fields.cryptocurrency", "add_fields.time_to_pay", "amount", "currency", "email"]);
    assert_eq!(e["currency"], "currency XYZ is not supported.");
    for amount in [json!(0), json!("abc"), json!(true), json!(1e10), json!("0.000000001")] {
        let body = json!({ "shop_id": "S1", "amount": amount });
        assert!(s.fails(CREATE, Some(&auth), body.to_string(), 400).await["result"]["amount"].is_string(), "{amount}");
    }
    // Nothing was made.
    assert_eq!(s.list(M1, range(0, None)).await["all_count"], 0);
    s.stop().await;
}

#[tokio::test]
async fn statuses_move_with_the_admin_command() {
    let s = Server::start().await;
    let mut uuids = Vec::new();
    for _ in 0..5 {
        uuids.push(s.create(M1, json!({ "shop_id": "S1", "amount": 100 })).await["uuid"].as_str().unwrap().to_string());
    }
    // The command line, as an admin runs it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schet-server"))
        .args(["merchant", "set-status", &uuids[0], "paid", "--database"])
        .arg(s.db.to_arg())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("paid"));
    let (store, service) = s.admin().await;
    let m = service.merchant();
    m.set_status_now(&uuids[1], Status::Partial, Some(Decimal::from_str("40.4").unwrap())).await.unwrap();
    m.set_status_now(&uuids[2], Status::Overpaid, None).await.unwrap();
    m.set_status_now(&uuids[3], Status::Canceled, None).await.unwrap();
    // What does not fit is refused.
    assert!(m.set_status_now(&uuids[4], Status::Paid, Some(Decimal::from(5))).await.is_err());
    assert!(m.set_status_now(&uuids[4], Status::Partial, Some(Decimal::from(500))).await.is_err());
    assert!(m.set_status_now("INV-NOTHERE", Status::Paid, None).await.is_err());
    // A status the API does not have is refused by the command line.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_schet-server"))
        .args(["merchant", "set-status", &uuids[4], "refunded", "--database"])
        .arg(s.db.to_arg())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown status"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    store.close().await;
    let page = s.list(M1, range(0, None)).await;
    let by_uuid = |u: &str| page["result"].as_array().unwrap().iter().find(|i| i["uuid"] == u).unwrap().clone();
    let paid = by_uuid(&uuids[0]);
    assert_eq!(paid["status"], "paid");
    assert_eq!(num(&paid["amount_paid"]), "101.4");
    assert_eq!(num(&paid["received"]), "98.1"); // 101.4 - 1.4 fee - 1.9 service fee
    assert_eq!(num(&paid["to_surcharge"]), "0");
    assert!(paid["date_finished"].is_string());
    let partial = by_uuid(&uuids[1]);
    assert_eq!(partial["status"], "partial");
    assert_eq!(num(&partial["amount_paid"]), "40.4");
    assert_eq!(num(&partial["to_surcharge"]), "61");
    assert_eq!(num(&partial["to_surcharge_usd"]), "61");
    assert_eq!(partial["date_finished"], Value::Null);
    let over = by_uuid(&uuids[2]);
    assert_eq!(over["status"], "overpaid");
    assert_eq!(num(&over["amount_paid"]), "111.54");
    assert_eq!(by_uuid(&uuids[3])["status"], "canceled");
    assert_eq!(by_uuid(&uuids[4])["status"], "created");
    s.stop().await;
}

#[tokio::test]
async fn demo_data_covers_every_status_several_coins_and_60_days() {
    let s = Server::start().await;
    let (store, service) = s.admin().await;
    assert_eq!(schet_server::demo::seed_merchant_invoices(&service, "merchant2").await.unwrap(), 36);
    assert_eq!(schet_server::demo::seed_merchant_invoices(&service, "merchant2").await.unwrap(), 0, "once");
    store.close().await;
    let page = s.list(M2, json!({ "start": day(-61), "end": today(), "offset": 0, "limit": 100 })).await;
    assert_eq!(page["all_count"], 36);
    let items = page["result"].as_array().unwrap();
    let distinct = |f: &dyn Fn(&Value) -> String| {
        let mut v: Vec<String> = items.iter().map(f).collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(
        distinct(&|i| i["status"].as_str().unwrap().to_string()),
        ["canceled", "created", "overpaid", "paid", "partial"]
    );
    assert!(distinct(&|i| i["currency"]["code"].as_str().unwrap().to_string()).len() >= 5);
    assert!(distinct(&|i| i["currency"]["network"]["code"].as_str().unwrap().to_string()).len() >= 4);
    assert!(distinct(&|i| i["project"]["name"].as_str().unwrap().to_string()).len() >= 3);
    assert!(items.iter().any(|i| i["test_mode"] == true));
    // Spread over the last 60 days (newest first).
    let days = distinct(&|i| i["created"].as_str().unwrap()[..10].to_string());
    assert!(days.len() >= 20, "{days:?}");
    let oldest = items.last().unwrap()["created"].as_str().unwrap();
    let newest = items[0]["created"].as_str().unwrap();
    assert!(oldest < newest);
    assert_eq!(s.list(M2, json!({ "start": day(-200), "end": day(-62) })).await["all_count"], 0);
    // Amounts add up for a paid one.
    let paid = items.iter().find(|i| i["status"] == "paid").unwrap();
    assert_eq!(dec(&paid["amount_paid"]), dec(&paid["amount_to_pay"]));
    assert_eq!(dec(&paid["received"]), dec(&paid["amount"]) - dec(&paid["service_fee"]));
    // Nothing leaks to the other merchant.
    assert_eq!(s.list(M1, json!({ "start": day(-61), "end": today() })).await["all_count"], 0);
    s.stop().await;
}

#[tokio::test]
async fn browsers_may_call_with_a_token_header() {
    let s = Server::start().await;
    let preflight = http::Request::options(LIST)
        .header(http::header::HOST, s.addr.to_string())
        .header(http::header::ORIGIN, "http://127.0.0.1:9999")
        .header(http::header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(http::header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (status, headers, _) = s.send(preflight).await;
    assert_eq!(status, 200);
    assert_eq!(headers[http::header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let allowed = headers[http::header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{allowed}");
    // Only POST.
    let get = http::Request::get(LIST).header(http::header::HOST, "x").body(Full::new(Bytes::new())).unwrap();
    assert_eq!(s.send(get).await.0, 405);
    s.stop().await;
}
