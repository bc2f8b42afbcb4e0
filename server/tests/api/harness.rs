//! A live server on 127.0.0.1:0 with its own database (SQLite, or PostgreSQL under
//! `SCHET_TEST_POSTGRES`: see `support/db.rs`) and three users.

use rust_decimal::Decimal;
use schet_api::pb::{self, trade_api_client::TradeApiClient};
use schet_server::db::{Database, Store, dynamic};
use schet_server::sealed::KeySource;
use schet_server::{ServeOptions, rates::Rates, service::Service};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use tokio::sync::oneshot;
use tonic::transport::Channel;

pub const SELLER: &str = "t-seller";
pub const BUYER: &str = "t-buyer";
pub const OTHER: &str = "t-other";

pub struct Server {
    pub addr: SocketAddr,
    pub db: Database,
    pub dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pub ids: Ids,
    configure: Configure,
}

/// Changes to the options a test server starts with.
pub type Configure = fn(&mut ServeOptions);

/// The key test servers seal webhook keys with.
pub const TEST_KEY: &str = "5c4e7a1f0b2d3c6e8f9a0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f6";

#[derive(Clone, Debug)]
pub struct Ids {
    pub seller: String,
    pub buyer: String,
    pub other: String,
}

#[path = "../support/db.rs"]
mod db;
pub use db::{fresh_database, postgres};

fn temp_dir() -> PathBuf {
    db::test_dir("api")
}

impl Server {
    /// A fresh database with seller (1 BTC), buyer (2 BTC) and other (0.5 BTC).
    pub async fn start() -> Server {
        Server::start_with(|_| {}).await
    }

    /// [`Server::start`] with options changed (limits scaled down, a policy…); a restart
    /// keeps them.
    pub async fn start_with(configure: Configure) -> Server {
        // The service's logs (internal errors in particular) show with a failing test.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("info,sqlx=warn").try_init();
        let dir = temp_dir();
        let db = fresh_database(&dir).await;
        let store = Store::open(&db).await.unwrap();
        let service = Service::new(store.clone(), Rates::default());
        let mut ids = Vec::new();
        for (name, token, balance) in [("seller", SELLER, "1"), ("buyer", BUYER, "2"), ("other", OTHER, "0.5")] {
            let (id, _) = service.add_user(name, Decimal::from_str(balance).unwrap(), Some(token)).await.unwrap();
            ids.push(id);
        }
        store.close().await;
        let ids = Ids { seller: ids[0].clone(), buyer: ids[1].clone(), other: ids[2].clone() };
        Self::start_on(dir, db, ids, configure).await
    }

    async fn start_on(dir: PathBuf, db: Database, ids: Ids, configure: Configure) -> Server {
        let (tx, rx) = oneshot::channel::<()>();
        let mut opts = ServeOptions::new("127.0.0.1:0".parse().unwrap(), db.clone());
        // The suites' webhook receivers listen on loopback; keys are sealed with a test key.
        opts.webhooks.allow_private = true;
        opts.webhook_key = Some(KeySource::Hex(TEST_KEY.into()));
        configure(&mut opts);
        let (addr, running) = schet_server::start(opts, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
        let task = tokio::spawn(running);
        Server { addr, db, dir, stop: Some(tx), task: Some(task), ids, configure }
    }

    /// Another instance on the same database (PostgreSQL: several instances share one), with
    /// the same options and a folder of its own.
    pub async fn another(&self) -> Server {
        Self::start_on(temp_dir(), self.db.clone(), self.ids.clone(), self.configure).await
    }

    /// `n` more users with `balance` BTC each; returns (id, token) of each.
    pub async fn add_users(&self, prefix: &str, n: usize, balance: &str) -> Vec<(String, String)> {
        let store = self.store().await;
        let service = Service::new(store.clone(), Rates::default());
        let mut out = Vec::new();
        for k in 0..n {
            let token = format!("t-{prefix}-{k}");
            let (id, _) = service
                .add_user(&format!("{prefix}{k}"), Decimal::from_str(balance).unwrap(), Some(&token))
                .await
                .unwrap();
            out.push((id, token));
        }
        store.close().await;
        out
    }

    /// All the money there is: every balance together.
    pub async fn total_balance(&self) -> Decimal {
        let store = self.store().await;
        let mut conn = store.read().await.unwrap();
        let all: Vec<Decimal> = dynamic("SELECT balance FROM users".into()).scalars(&mut conn).await.unwrap();
        drop(conn);
        store.close().await;
        all.into_iter().sum()
    }

    /// Graceful stop, then a new server on the same database with other options.
    pub async fn restart_with(mut self, configure: Configure) -> Server {
        self.configure = configure;
        self.restart().await
    }

    /// A handle on the database, as another process has.
    pub async fn store(&self) -> Store {
        Store::open(&self.db).await.unwrap()
    }

    /// Graceful stop (as on SIGTERM), then a new server on the same database.
    pub async fn restart(mut self) -> Server {
        self.shutdown().await;
        let (dir, db, ids, configure) = (self.dir.clone(), self.db.clone(), self.ids.clone(), self.configure);
        std::mem::forget(self);
        Self::start_on(dir, db, ids, configure).await
    }

    pub async fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(std::time::Duration::from_secs(20), task)
                .await
                .expect("the server stops within 20 s of the signal")
                .unwrap()
                .unwrap();
        }
    }

    pub async fn client(&self) -> TradeApiClient<Channel> {
        let channel = Channel::from_shared(format!("http://{}", self.addr)).unwrap().connect().await.unwrap();
        TradeApiClient::new(channel)
    }

    /// Every row that a call could change, as text: equal before and after means nothing changed.
    pub async fn fingerprint(&self) -> String {
        let store = Store::open(&self.db).await.unwrap();
        let mut out = String::new();
        let mut conn = store.read().await.unwrap();
        for sql in [
            "SELECT string_agg(id || '|' || status || '|' || pieces_min || '|' || pieces_max || '|' || price || '|' || comment || '|' || images || '|' || integration || '|' || redirect_url || '|' || webhook_url || '|' || webhook_client_key || '|' || total_payed_crypto || '|' || payments_count || '|' || valid_to, ';' ORDER BY id) FROM invoices",
            "SELECT string_agg(id || '|' || text || '|' || images || '|' || position || '|' || COALESCE(CAST(payment_id AS TEXT), '-'), ';' ORDER BY id) FROM invoice_secrets",
            "SELECT string_agg(id || '|' || status || '|' || pieces || '|' || crypto_amount || '|' || refunded || '|' || refunding, ';' ORDER BY id) FROM payments",
            "SELECT string_agg(id || '|' || balance || '|' || invoices_created || '|' || payments_payed || '|' || payments_received, ';' ORDER BY id) FROM users",
            "SELECT string_agg(CAST(id AS TEXT), ';' ORDER BY id) FROM conversations",
            "SELECT string_agg(id || '|' || text, ';' ORDER BY id) FROM messages",
            "SELECT string_agg(id, ';' ORDER BY id) FROM images",
        ] {
            let v: Option<String> = dynamic(sql.to_string()).scalar(&mut conn).await.unwrap();
            out.push_str(&v.unwrap_or_default());
            out.push('\n');
        }
        drop(conn);
        store.close().await;
        out
    }

    pub async fn balance(&self, user_id: &str) -> Decimal {
        let store = Store::open(&self.db).await.unwrap();
        let mut conn = store.read().await.unwrap();
        let v =
            dynamic("SELECT balance FROM users WHERE id = $1".into()).bind(user_id).scalar(&mut conn).await.unwrap();
        drop(conn);
        store.close().await;
        v
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A request carrying `authorization: Bearer <token>`.
pub fn req<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    r
}

/// PayInvoiceFromBalance for `pieces` of `invoice_id`.
pub fn pay(invoice_id: u64, pieces: u32) -> pb::PayInvoiceFromBalanceRequest {
    pb::PayInvoiceFromBalanceRequest { invoice_id, pieces, ..Default::default() }
}

pub fn btc(units: i64, nanos: i32) -> Option<pb::Decimal> {
    Some(pb::Decimal { units, nanos })
}

pub fn public(comment: &str) -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: btc(0, 10_000_000), // 0.01 BTC a piece
        ttl_minutes: 60,
        comment: comment.into(),
        pieces_min: 1,
        pieces_max: 5,
        ..Default::default()
    }
}

pub fn private_to(user: &str) -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest {
        is_private: true,
        user_name: user.into(),
        is_base_crypto: true,
        price: btc(0, 20_000_000),
        ttl_minutes: 60,
        comment: "private".into(),
        ..Default::default()
    }
}

pub fn secret(text: &str, order: u32) -> pb::CreateInvoiceSecretRequest {
    pb::CreateInvoiceSecretRequest { text: text.into(), order, ..Default::default() }
}

/// A real PNG of the given size.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn guid(n: u8) -> String {
    schet_api::Guid::from_random_bytes([n; 16]).to_string()
}
