//! `cargo xtask bench`, load section (issue 13's scenario): 8 users at once; each creates
//! 300 public invoices and issues 10 private invoices to every other user, then each pays
//! the private invoices issued to them. Release servers (child processes) over loopback,
//! one or more instances on one database (user k talks to instance k mod N).
//!
//! ```text
//! load --bin target/release/schet-server --database DB [--instances N] [--label TEXT]
//! ```
//! The last line is `load-result LABEL creates/s create-p50 create-p99 payments/s pay-p50
//! pay-p99 errors` (milliseconds), which `cargo xtask bench` gathers into one table.

#[path = "support/mod.rs"]
mod support;

use schet_api::pb;
use std::sync::Arc;
use std::time::Instant;
use support::{auth, client, quantile};

const USERS: usize = 8;
const PUBLIC_EACH: usize = 300;
const PRIVATE_PER_PAIR: usize = 10;

fn invoice(private_to: Option<&str>, n: usize) -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest {
        is_private: private_to.is_some(),
        user_name: private_to.unwrap_or_default().to_string(),
        is_base_crypto: true,
        price: Some(pb::Decimal { units: 0, nanos: 100_000 }),
        ttl_minutes: 60 * 24,
        comment: format!("load {n}"),
        pieces_min: u32::from(private_to.is_none()),
        pieces_max: if private_to.is_some() { 0 } else { 10 },
        ..Default::default()
    }
}

struct Phase {
    ms: Vec<f64>,
    errors: Vec<String>,
    seconds: f64,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.ms.len() as f64 / self.seconds
    }
}

#[tokio::main]
async fn main() {
    let bin = support::required("--bin");
    let database = support::required("--database");
    let instances: usize = support::arg("--instances").map_or(1, |n| n.parse().expect("--instances: a number"));
    let label = support::arg("--label").unwrap_or_else(|| format!("{instances} instance(s)"));
    let dir = support::temp_dir("load");
    let names: Vec<String> = (0..USERS).map(|n| format!("load{n}")).collect();
    let users = Arc::new(support::add_users(&bin, &database, &names, "1000"));
    let servers = support::Servers::start(&bin, &database, instances, &[], &dir);
    let urls: Arc<Vec<String>> = Arc::new((0..USERS).map(|k| servers.addrs[k % instances].clone()).collect());

    // Phase 1: every user creates its invoices; the private ones are remembered by target.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..USERS {
        let (users, urls) = (users.clone(), urls.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = client(&urls[k]).await;
            let token = &users[k].1;
            let (mut ms, mut errors, mut private) = (Vec::new(), Vec::new(), Vec::new());
            let mut requests: Vec<(Option<usize>, pb::CreateInvoiceRequest)> =
                (0..PUBLIC_EACH).map(|n| (None, invoice(None, n))).collect();
            for round in 0..PRIVATE_PER_PAIR {
                for target in (0..USERS).filter(|t| *t != k) {
                    requests.push((Some(target), invoice(Some(&users[target].0), round)));
                }
            }
            for (target, req) in requests {
                let t = Instant::now();
                match c.create_invoice(auth(req, token)).await {
                    Ok(inv) => {
                        ms.push(t.elapsed().as_secs_f64() * 1e3);
                        if let Some(target) = target {
                            private.push((target, inv.into_inner().id));
                        }
                    }
                    Err(e) => errors.push(format!("create: {e}")),
                }
            }
            (ms, errors, private)
        }));
    }
    let mut creates = Phase { ms: Vec::new(), errors: Vec::new(), seconds: 0.0 };
    let mut to_pay: Vec<Vec<u64>> = vec![Vec::new(); USERS];
    for t in tasks {
        let (ms, errors, private) = t.await.expect("create task");
        creates.ms.extend(ms);
        creates.errors.extend(errors);
        for (target, id) in private {
            to_pay[target].push(id);
        }
    }
    creates.seconds = started.elapsed().as_secs_f64();

    // Phase 2: every user pays what was issued to them.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (k, ids) in to_pay.into_iter().enumerate() {
        let (users, urls) = (users.clone(), urls.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = client(&urls[k]).await;
            let (mut ms, mut errors) = (Vec::new(), Vec::new());
            for id in ids {
                let t = Instant::now();
                let pay = pb::PayInvoiceFromBalanceRequest { invoice_id: id, pieces: 1, ..Default::default() };
                match c.pay_invoice_from_balance(auth(pay, &users[k].1)).await {
                    Ok(_) => ms.push(t.elapsed().as_secs_f64() * 1e3),
                    Err(e) => errors.push(format!("pay: {e}")),
                }
            }
            (ms, errors)
        }));
    }
    let mut payments = Phase { ms: Vec::new(), errors: Vec::new(), seconds: 0.0 };
    for t in tasks {
        let (ms, errors) = t.await.expect("pay task");
        payments.ms.extend(ms);
        payments.errors.extend(errors);
    }
    payments.seconds = started.elapsed().as_secs_f64();
    let rss: Vec<String> = (0..instances).map(|n| format!("{:.1}", servers.rss_kib(n) as f64 / 1024.0)).collect();
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);

    let errors: Vec<&String> = creates.errors.iter().chain(&payments.errors).collect();
    for e in errors.iter().take(5) {
        println!("load error: {e}");
    }
    println!(
        "load {label}: {} creates in {:.2} s, {} payments in {:.2} s; server memory {} MiB",
        creates.ms.len(),
        creates.seconds,
        payments.ms.len(),
        payments.seconds,
        rss.join(" + ")
    );
    let (c_rate, p_rate) = (creates.rate(), payments.rate());
    let (c50, c99) = (quantile(&mut creates.ms, 0.5), quantile(&mut creates.ms, 0.99));
    let (p50, p99) = (quantile(&mut payments.ms, 0.5), quantile(&mut payments.ms, 0.99));
    println!(
        "load-result {} {c_rate:.0} {c50:.2} {c99:.2} {p_rate:.0} {p50:.2} {p99:.2} {}",
        label.replace(' ', "_"),
        errors.len()
    );
}
