//! Issue 14, the reserve → webhook → settle path under `kill -9`: the server process is
//! killed between the steps and started again on the same database; nothing is charged
//! twice and nothing is lost.

use crate::harness::*;
use crate::hook::{Answer, Receiver};
use rust_decimal::Decimal;
use schet_api::pb::{self, invoice_payment::InvoicePaymentStatus, trade_api_client::TradeApiClient};
use schet_server::db::{Database, Store, dynamic};
use schet_server::rates::Rates;
use schet_server::service::Service;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::Duration;
use tonic::transport::Channel;

/// The server binary on `db`, with a 2 s webhook timeout; killed (SIGKILL) on drop.
pub struct Process {
    pub child: Child,
    pub addr: String,
}

impl Process {
    pub fn start(db: &Database) -> Process {
        Process::start_with(db, &["--webhook-timeout-secs", "2"])
    }

    pub fn start_with(db: &Database, args: &[&str]) -> Process {
        let db = db.to_arg();
        let mut child = Command::new(env!("CARGO_BIN_EXE_schet-server"))
            .args(["serve", "--listen", "127.0.0.1:0", "--allow-private-webhooks"])
            .args(args)
            .arg("--database")
            .arg(&db)
            .env("SCHET_WEBHOOK_KEY", TEST_KEY)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("listening on ").expect("the server started").to_string();
        Process { child, addr }
    }

    pub async fn client(&self) -> TradeApiClient<Channel> {
        TradeApiClient::new(Channel::from_shared(self.addr.clone()).unwrap().connect().await.unwrap())
    }

    /// `kill -9`: no shutdown, no flush, nothing.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Balances and payments as stored.
struct Books {
    balances: Vec<Decimal>,
    /// (status, amount) of every payment.
    payments: Vec<(i32, Decimal)>,
    stock: i64,
    unsold_secrets: i64,
}

async fn books(db: &Database) -> Books {
    let store = Store::open(db).await.unwrap();
    // One snapshot: read statement by statement, a release committed between the balances
    // and the payments would look like 0.01 BTC lost.
    let mut conn = store.snapshot().await.unwrap();
    let sql = |text: &str| dynamic(text.to_string());
    let balances: Vec<Decimal> = sql("SELECT balance FROM users ORDER BY username").scalars(&mut conn).await.unwrap();
    let payments: Vec<(i32, Decimal)> = sql("SELECT status, crypto_amount FROM payments ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.at(0).unwrap(), r.at(1).unwrap()))
        .collect();
    let stock: i64 = sql("SELECT pieces_max FROM invoices WHERE id = 1").scalar(&mut conn).await.unwrap();
    let unsold: i64 =
        sql("SELECT COUNT(*) FROM invoice_secrets WHERE payment_id IS NULL").scalar(&mut conn).await.unwrap();
    drop(conn);
    store.close().await;
    Books { balances, payments, stock, unsold_secrets: unsold }
}

/// The books balance: every BTC is in a balance or held by a pending purchase, and each paid
/// purchase took exactly its amount (and its piece and secret).
fn assert_consistent(b: &Books, total: Decimal, stock: i64, secrets: i64) {
    let held: Decimal =
        b.payments.iter().filter(|(s, _)| *s == InvoicePaymentStatus::Pending as i32).map(|(_, a)| *a).sum();
    assert_eq!(b.balances.iter().copied().sum::<Decimal>() + held, total, "no BTC made or lost");
    let taken = b.payments.iter().filter(|(s, _)| *s != InvoicePaymentStatus::Canceled as i32).count() as i64;
    assert_eq!(b.stock, stock - taken, "a piece per purchase that stands");
    assert_eq!(b.unsold_secrets, secrets - taken, "a secret per purchase that stands");
}

/// Waits until no purchase is pending: the restarted service released them. At most 90 s:
/// on a shared database (PostgreSQL) a reservation is released only once it is older than
/// twice the webhook timeout plus 30 s (another instance may still be waiting on its
/// webhook), by the start-up pass or the 30 s sweep, so up to about 64 s after the restart.
async fn until_settled(db: &Database) -> Books {
    for _ in 0..900 {
        let b = books(db).await;
        if b.payments.iter().all(|(s, _)| *s != InvoicePaymentStatus::Pending as i32) {
            return b;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("a purchase stayed pending after the restart");
}

/// A fresh database (SQLite or, under `SCHET_TEST_POSTGRES`, PostgreSQL) and a folder.
pub async fn temp_db() -> (PathBuf, Database) {
    let dir = std::env::temp_dir().join(format!("schet-crash-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = fresh_database(&dir).await;
    (dir, db)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
}

#[tokio::test]
async fn a_kill_between_reserve_webhook_and_settle_charges_nothing_twice_and_loses_nothing() {
    let (dir, db) = temp_db().await;
    {
        let store = Store::open(&db).await.unwrap();
        let service = Service::new(store.clone(), Rates::default());
        service.add_user("buyer", Decimal::from(2), Some(BUYER)).await.unwrap();
        service.add_user("seller", Decimal::from(1), Some(SELLER)).await.unwrap();
        store.close().await;
    }
    let total = Decimal::from(3);
    let mut hook = Receiver::start(Answer::Manual).await;
    let server = Process::start(&db);
    let mut c = server.client().await;
    let mut create = public("crash-proof");
    create.limit_liquidity = true;
    create.pieces_max = 5;
    create.secrets = (1..=5).map(|n| secret(&format!("code {n}"), n)).collect();
    create.integration = Some(pb::create_invoice_request::Integration::Webhook(hook.webhook(true)));
    let inv = c.create_invoice(req(create, SELLER)).await.unwrap().into_inner();
    assert_eq!(inv.id, 1);

    // 1. Killed after the reservation, while the seller's system holds the webhook.
    let buying = tokio::spawn(async move { c.pay_invoice_from_balance(req(pay(1, 1), BUYER)).await });
    let held = hook.hit().await;
    let during = books(&db).await;
    assert_eq!(during.payments.len(), 1, "the reservation is committed before the webhook");
    assert_consistent(&during, total, 5, 5);
    server.kill();
    assert!(buying.await.unwrap().is_err(), "the buyer's call broke with the server");
    drop(held);
    let server = Process::start(&db);
    let after = until_settled(&db).await;
    assert_eq!(after.payments, vec![(InvoicePaymentStatus::Canceled as i32, Decimal::from_str("0.01").unwrap())]);
    assert_eq!(after.balances, vec![Decimal::from(2), Decimal::from(1)], "released: the buyer has it all back");
    assert_consistent(&after, total, 5, 5);

    // 2. Killed just as the seller's system confirms: settled or released, never both, never
    //    half.
    let mut c = server.client().await;
    let buying = tokio::spawn(async move { c.pay_invoice_from_balance(req(pay(1, 1), BUYER)).await });
    hook.hit().await.respond(200);
    server.kill();
    let _ = buying.await;
    let server = Process::start(&db);
    let after = until_settled(&db).await;
    assert_consistent(&after, total, 5, 5);

    // 3. And the service goes on: a purchase after the restarts is charged exactly once.
    let paid_before = after.payments.iter().filter(|(s, _)| *s == InvoicePaymentStatus::Paid as i32).count();
    let mut c = server.client().await;
    let buying = tokio::spawn(async move { c.pay_invoice_from_balance(req(pay(1, 1), BUYER)).await });
    hook.hit().await.respond(200);
    let paid = buying.await.unwrap().unwrap().into_inner();
    assert_eq!(paid.status, InvoicePaymentStatus::Paid as i32);
    assert_eq!(paid.secrets.len(), 1);
    let end = books(&db).await;
    assert_consistent(&end, total, 5, 5);
    let paid_now = end.payments.iter().filter(|(s, _)| *s == InvoicePaymentStatus::Paid as i32).count();
    assert_eq!(paid_now, paid_before + 1);
    let spent = Decimal::from_str("0.01").unwrap() * Decimal::from(paid_now as i64);
    assert_eq!(end.balances, vec![Decimal::from(2) - spent, Decimal::from(1) + spent]);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}
