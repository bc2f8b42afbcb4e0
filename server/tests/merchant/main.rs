//! The CryptoCloud-compatible merchant calls over a real socket (HTTP/1.1 on
//! 127.0.0.1:0): semantics of `/v2/invoice/merchant/list` and `/v2/invoice/create`, and
//! every documented error body. JSON is read with serde_json (arbitrary precision), so
//! money is compared as the exact number text the server wrote.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rust_decimal::Decimal;
use schet_api::dates::format_date;
use schet_server::db::{Database, Store};
use schet_server::{ServeOptions, rates::Rates, service::Service};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::sync::oneshot;

#[path = "../support/db.rs"]
mod db;

mod admin;
mod create;
mod listing;

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
        let dir = db::test_dir("merchant");
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
