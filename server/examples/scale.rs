//! `cargo xtask bench`, scale section: does a call cost the same with 1,000 invoices as with
//! 100,000 (and 1,000,000)? One release server (a child process) per size, each on its own
//! database, filled over loopback by 8 concurrent users to its size. Then the calls are
//! measured on all of them at once, interleaved (each call on each size in turn, `--calls`
//! rounds): whatever else the machine runs weighs on every size alike, so the growth is the
//! data's, not the moment's. Prints each call's median latency and the server's CPU time per
//! call (its threads' own time) at each size, with the growth from the first size to each
//! next one, and each server's memory.
//!
//! ```text
//! scale --bin target/release/schet-server --database DB [--sizes 1000,100000] [--calls 50]
//! ```
//! Size N's database is `DB.N`.

#[path = "support/mod.rs"]
mod support;

use schet_api::pb::{self, invoice::InvoiceStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use support::{auth, client, quantile};

const USERS: usize = 8;

fn public(comment: String) -> pb::CreateInvoiceRequest {
    pb::CreateInvoiceRequest {
        is_base_crypto: true,
        price: Some(pb::Decimal { units: 0, nanos: 10_000 }),
        ttl_minutes: 60 * 24 * 30,
        comment,
        pieces_min: 1,
        pieces_max: 5,
        ..Default::default()
    }
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

/// One size: its server (for its CPU time and memory) and users.
struct Ctx {
    url: Vec<String>,
    servers: support::Servers,
    tokens: Vec<String>,
    names: Vec<String>,
    /// Shown on one of the measured user's invoices, and sent in a message to user 1.
    image: String,
    message_image: String,
}

/// What the measured user (u0) has besides the bulk: 120 purchases, 30 conversations (one
/// with an image), 20 private invoices sent to them, an invoice showing an image.
async fn base(ctx: &Ctx) -> (u64, u64) {
    let mut created = 0;
    let mut last_payment = 0;
    let mut c0 = client(&ctx.url[0]).await;
    let t0 = &ctx.tokens[0];
    c0.store_image(auth(pb::StoreImageRequest { id: ctx.image.clone(), data: png() }, t0)).await.expect("image");
    let mut with_image = public("with an image".into());
    with_image.images = vec![ctx.image.clone()];
    c0.create_invoice(auth(with_image, t0)).await.expect("invoice with image");
    created += 1;
    let message_image = pb::StoreImageRequest { id: ctx.message_image.clone(), data: png() };
    c0.store_image(auth(message_image, t0)).await.expect("message image");
    for n in 0..120 {
        let seller = 1 + n % (USERS - 1);
        let mut c = client(&ctx.url[seller]).await;
        let inv = c
            .create_invoice(auth(public(format!("base {n}")), &ctx.tokens[seller]))
            .await
            .expect("base invoice")
            .into_inner();
        created += 1;
        last_payment = c0
            .pay_invoice_from_balance(auth(
                pb::PayInvoiceFromBalanceRequest { invoice_id: inv.id, pieces: 1, ..Default::default() },
                t0,
            ))
            .await
            .expect("base payment")
            .into_inner()
            .id;
        if n < 30 {
            c0.send_invoice_message(auth(
                pb::SendInvoiceMessageRequest {
                    invoice_id: inv.id,
                    text: format!("question {n}"),
                    // The first goes to user 1, with an image they may then see.
                    image_ids: if n == 0 { vec![ctx.message_image.clone()] } else { Vec::new() },
                    ..Default::default()
                },
                t0,
            ))
            .await
            .expect("base message");
        }
    }
    for n in 0..20 {
        let from = 1 + n % (USERS - 1);
        let mut c = client(&ctx.url[from]).await;
        let req = pb::CreateInvoiceRequest {
            is_private: true,
            user_name: ctx.names[0].clone(),
            comment: format!("private {n}"),
            pieces_min: 0,
            pieces_max: 0,
            ..public(String::new())
        };
        c.create_invoice(auth(req, &ctx.tokens[from])).await.expect("private invoice");
        created += 1;
    }
    (created, last_payment)
}

/// Fills to `target` invoices in all: 8 users at once, each making its share; every 50th
/// invoice a user makes, it also buys a piece of its neighbour's latest.
async fn fill(ctx: &Arc<Ctx>, from: u64, target: u64, last: &Arc<Vec<AtomicU64>>) -> (f64, u64) {
    let per_user = (target - from).div_ceil(USERS as u64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..USERS {
        let (ctx, last) = (ctx.clone(), last.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = client(&ctx.url[k]).await;
            let token = &ctx.tokens[k];
            let mut errors = 0;
            for i in 0..per_user {
                match c.create_invoice(auth(public(format!("bulk {k}-{i}")), token)).await {
                    Ok(inv) => last[k].store(inv.into_inner().id, Ordering::Relaxed),
                    Err(_) => errors += 1,
                }
                let theirs = last[(k + 1) % USERS].load(Ordering::Relaxed);
                if i % 50 == 49 && theirs != 0 {
                    let pay = pb::PayInvoiceFromBalanceRequest { invoice_id: theirs, pieces: 1, ..Default::default() };
                    if c.pay_invoice_from_balance(auth(pay, token)).await.is_err() {
                        errors += 1;
                    }
                }
            }
            errors
        }));
    }
    let mut errors = 0;
    for t in tasks {
        errors += t.await.expect("fill task");
    }
    let made = per_user * USERS as u64;
    (made as f64 / started.elapsed().as_secs_f64(), errors)
}

/// One measured call at one size: median milliseconds, server CPU milliseconds per call,
/// rows.
type Figure = (&'static str, f64, f64, usize);

/// A size, filled: where its ids are.
struct Filled {
    ctx: Arc<Ctx>,
    /// The largest invoice id, one from a third of the way, and the first payment id after
    /// the base's (u0's purchases before it are the same 100 at every size).
    max_id: u64,
    sample_id: u64,
    before_fill: u64,
}

/// The calls measured, in the table's order.
const CALLS: [&str; 12] = [
    "GetInvoices: mine, first 100",
    "GetInvoices: all, 100 from the middle",
    "GetInvoices: public tab, first 100",
    "GetInvoices: to me, first 100",
    "GetInvoices: Statuses=Payed (none match)",
    "GetInvoices: mine, Active, first 100",
    "GetInvoiceById",
    // The first page is what the user sees, but not the same rows at each size (at 1,000
    // invoices mostly the base's purchases, at 100,000 the fill's purchases and sales). The
    // page that ends where the fill began is the same 100 payments at every size: the
    // growth of the table alone.
    "GetInvoicePayments: mine, first 100",
    "GetInvoicePayments: mine, the same 100",
    "GetConversations",
    "GetImage: on an invoice (another user)",
    "GetImage: in a message (the other party)",
];

type Client = schet_api::pb::trade_api_client::TradeApiClient<tonic::transport::Channel>;

/// Call `which` of [`CALLS`] once at size `f` (u0 with `c0`, u1 with `c1`); its rows.
async fn call(which: usize, f: &Filled, c0: &mut Client, c1: &mut Client) -> usize {
    let ctx = &f.ctx;
    let (t0, t1) = (&ctx.tokens[0], &ctx.tokens[1]);
    let name = CALLS[which];
    let page = |f: &dyn Fn(&mut pb::GetInvoicesRequest)| {
        let mut r = pb::GetInvoicesRequest { count: 100, ..Default::default() };
        f(&mut r);
        r
    };
    let list = match which {
        0 => Some(page(&|r| {
            r.is_owner = true;
            r.is_owner_has_value = true;
        })),
        1 => Some(page(&|r| r.last_id = f.max_id / 2)),
        2 => Some(page(&|r| r.is_private_has_value = true)),
        3 => Some(page(&|r| r.to_user = ctx.names[0].clone())),
        4 => Some(page(&|r| {
            r.statuses = vec![InvoiceStatus::Payed as i32];
            r.is_status_has_value = true;
        })),
        5 => Some(page(&|r| {
            r.is_owner = true;
            r.is_owner_has_value = true;
            r.statuses = vec![InvoiceStatus::Active as i32];
            r.is_status_has_value = true;
        })),
        _ => None,
    };
    if let Some(req) = list {
        return c0.get_invoices(auth(req, t0)).await.expect(name).into_inner().invoices.len();
    }
    match which {
        6 => {
            let req = pb::GetInvoiceByIdRequest { invoice_id: f.sample_id };
            c0.get_invoice_by_id(auth(req, t0)).await.expect(name).into_inner().invoices.len()
        }
        7 | 8 => {
            let last_id = if which == 8 { f.before_fill } else { 0 };
            let req = pb::GetInvoicePaymentsRequest { count: 100, last_id, ..Default::default() };
            c0.get_invoice_payments(auth(req, t0)).await.expect(name).into_inner().payments.len()
        }
        9 => c0.get_conversations(auth((), t0)).await.expect(name).into_inner().conversations.len(),
        _ => {
            let id = if which == 10 { ctx.image.clone() } else { ctx.message_image.clone() };
            c1.get_image(auth(pb::GetImageRequest { id, is_preview: true }, t1)).await.expect(name);
            1
        }
    }
}

/// Every call on every size, interleaved: `calls` rounds (after 5 unmeasured), each call on
/// each size in turn. Returns, per size, each call's figure.
async fn measure(sizes: &[Filled], calls: usize) -> Vec<Vec<Figure>> {
    let mut clients = Vec::new();
    for f in sizes {
        clients.push((client(&f.ctx.url[0]).await, client(&f.ctx.url[1]).await));
    }
    // [size][call]: latencies (ms), CPU (ms), rows.
    let mut ms = vec![vec![Vec::new(); CALLS.len()]; sizes.len()];
    let mut cpu = vec![vec![0.0; CALLS.len()]; sizes.len()];
    let mut rows = vec![vec![0; CALLS.len()]; sizes.len()];
    for round in 0..calls + 5 {
        for which in 0..CALLS.len() {
            for (n, f) in sizes.iter().enumerate() {
                let (c0, c1) = &mut clients[n];
                let before = f.ctx.servers.cpu_ns(0);
                let t = Instant::now();
                rows[n][which] = call(which, f, c0, c1).await;
                let took = t.elapsed().as_secs_f64() * 1e3;
                let used = f.ctx.servers.cpu_ns(0).saturating_sub(before) as f64 / 1e6;
                if round >= 5 {
                    ms[n][which].push(took);
                    cpu[n][which] += used / calls as f64;
                }
            }
        }
    }
    (0..sizes.len())
        .map(|n| (0..CALLS.len()).map(|w| (CALLS[w], quantile(&mut ms[n][w], 0.5), cpu[n][w], rows[n][w])).collect())
        .collect()
}

/// A server for `size` invoices on its own database, its users, the base and the fill.
async fn prepare(bin: &str, database: &str, size: u64, dir: &std::path::Path) -> Filled {
    let database = format!("{database}.{size}");
    let names: Vec<String> = (0..USERS).map(|n| format!("user{n}")).collect();
    let users = support::add_users(bin, &database, &names, "100000");
    let quota = (size / USERS as u64 + 1000).to_string();
    let log = dir.join(size.to_string());
    std::fs::create_dir_all(&log).expect("log dir");
    let servers = support::Servers::start(bin, &database, 1, &["--live-invoices-per-user", &quota], &log);
    let ctx = Arc::new(Ctx {
        url: vec![servers.addrs[0].clone(); USERS],
        servers,
        tokens: users.iter().map(|u| u.1.clone()).collect(),
        names,
        image: "0b9f5f3e-8a39-4d55-9d1e-3c1f0e4a7b21".into(),
        message_image: "5d0c2a7e-1f44-4b8a-9e61-7a2b3c4d5e6f".into(),
    });
    let (have, last_base_payment) = base(&ctx).await;
    let last: Arc<Vec<AtomicU64>> = Arc::new((0..USERS).map(|_| AtomicU64::new(0)).collect());
    let (rate, errors) = fill(&ctx, have, size.max(have), &last).await;
    println!("scale: filled to {size} invoices at {rate:.0} creates/s ({errors} errors)");
    let max_id = last.iter().map(|a| a.load(Ordering::Relaxed)).max().unwrap_or(1);
    Filled { ctx, max_id, sample_id: max_id / 3, before_fill: last_base_payment + 1 }
}

#[tokio::main]
async fn main() {
    let bin = support::required("--bin");
    let database = support::required("--database");
    let sizes: Vec<u64> = support::arg("--sizes")
        .unwrap_or_else(|| "1000,100000".into())
        .split(',')
        .map(|s| s.parse().expect("--sizes: numbers"))
        .collect();
    let calls: usize = support::arg("--calls").map_or(50, |c| c.parse().expect("--calls: a number"));
    let dir = support::temp_dir("scale");
    let mut filled = Vec::new();
    for &size in &sizes {
        filled.push(prepare(&bin, &database, size, &dir).await);
    }
    println!("scale: measuring {calls} rounds, every call on every size in turn");
    let figures = measure(&filled, calls).await;
    let columns: Vec<(u64, Vec<Figure>, (u64, u64))> = sizes
        .iter()
        .zip(figures)
        .zip(&filled)
        .map(|((size, f), s)| (*size, f, (s.ctx.servers.rss_kib(0), s.ctx.servers.anonymous_kib(0))))
        .collect();
    drop(filled);
    let _ = std::fs::remove_dir_all(&dir);
    let (first_size, first, first_memory) = &columns[0];
    let tables: [(&str, fn(&Figure) -> f64); 2] =
        [("call (median ms; rows)", |f| f.1), ("server CPU per call (ms; rows)", |f| f.2)];
    for (title, pick) in tables {
        print!("\nscale  {title:<42}");
        for (size, _, _) in &columns {
            print!(" {:>16}", format!("{size} invoices"));
        }
        for (size, _, _) in &columns[1..] {
            print!(" {:>12}", format!("growth {}x", size / first_size));
        }
        println!();
        for (i, figure) in first.iter().enumerate() {
            print!("scale  {:<42}", figure.0);
            for (_, figures, _) in &columns {
                print!(" {:>16}", format!("{:.2} ({})", pick(&figures[i]), figures[i].3));
            }
            for (_, figures, _) in &columns[1..] {
                print!(" {:>11.2}x", pick(&figures[i]) / pick(figure));
            }
            println!();
        }
    }
    let memory: [(&str, fn(&(u64, u64)) -> u64); 2] =
        [("server memory (RSS, MiB)", |m| m.0), ("  of which its own (RssAnon: heap, caches)", |m| m.1)];
    for (name, pick) in memory {
        print!("scale  {name:<42}");
        for (_, _, m) in &columns {
            print!(" {:>16.1}", pick(m) as f64 / 1024.0);
        }
        for (_, _, m) in &columns[1..] {
            print!(" {:>11.2}x", pick(m) as f64 / pick(first_memory) as f64);
        }
        println!();
    }
}
