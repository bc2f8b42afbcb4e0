//! What the benchmark programs share: release servers started as child processes over
//! loopback (their memory read from /proc), users made with `schet-server user add`,
//! clients, and figures.

#![allow(dead_code)]

use schet_api::pb::trade_api_client::TradeApiClient;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use tonic::transport::Channel;

/// `--name value` from the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

pub fn required(name: &str) -> String {
    arg(name).unwrap_or_else(|| panic!("{name} is required"))
}

/// Every `--name value` given.
pub fn args(name: &str) -> Vec<String> {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2).filter(|w| w[0] == name).map(|w| w[1].clone()).collect()
}

/// Creates users (`schet-server user add`) with `balance` BTC; returns (name, token).
pub fn add_users(bin: &str, database: &str, names: &[String], balance: &str) -> Vec<(String, String)> {
    names
        .iter()
        .map(|name| {
            let out = Command::new(bin)
                .args(["user", "add", name, "--balance", balance, "--database", database])
                .output()
                .expect("run schet-server user add");
            assert!(out.status.success(), "user add {name}: {}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8_lossy(&out.stdout);
            (name.clone(), text.split_whitespace().last().expect("a token").to_string())
        })
        .collect()
}

/// Release servers on one database, each on a free loopback port; stopped on drop.
pub struct Servers {
    children: Vec<Child>,
    pub addrs: Vec<String>,
}

impl Servers {
    pub fn start(bin: &str, database: &str, instances: usize, extra: &[&str], log_dir: &std::path::Path) -> Servers {
        let mut children = Vec::new();
        let mut addrs = Vec::new();
        for n in 0..instances {
            let log = std::fs::File::create(log_dir.join(format!("server-{n}.log"))).expect("log file");
            let mut child = Command::new(bin)
                .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
                .args(extra)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::piped())
                .stderr(log)
                .spawn()
                .expect("start schet-server");
            let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
            let mut first = String::new();
            stdout.read_line(&mut first).expect("read the server's first line");
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut stdout.take(u64::MAX), &mut std::io::sink());
            });
            let addr = first
                .trim()
                .strip_prefix("listening on ")
                .unwrap_or_else(|| panic!("server {n} did not start; see {}", log_dir.display()))
                .to_string();
            children.push(child);
            addrs.push(addr);
        }
        Servers { children, addrs }
    }

    /// Resident memory of instance `n`, in KiB.
    pub fn rss_kib(&self, n: usize) -> u64 {
        self.status_kib(n, "VmRSS")
    }

    /// Of [`Servers::rss_kib`], what is the process's own (heap, caches, stacks): not the
    /// program's pages mapped from its file.
    pub fn anonymous_kib(&self, n: usize) -> u64 {
        self.status_kib(n, "RssAnon")
    }

    /// CPU time instance `n` has used so far, in nanoseconds (all its threads): what a call
    /// costs the service, whatever else the machine is running.
    pub fn cpu_ns(&self, n: usize) -> u64 {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.children[n].id()));
        tasks
            .into_iter()
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
            .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .sum()
    }

    fn status_kib(&self, n: usize, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.children[n].id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

pub async fn client(url: &str) -> TradeApiClient<Channel> {
    let channel = Channel::from_shared(url.to_string()).expect("url").connect().await.expect("connect");
    TradeApiClient::new(channel).max_decoding_message_size(16 * 1024 * 1024)
}

pub fn auth<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    r.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("ascii token"));
    r
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("schet-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The value at quantile `q` (0..=1) of `v` (sorted here).
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[((v.len() - 1) as f64 * q).round() as usize]
}
