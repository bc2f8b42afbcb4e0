//! `cargo xtask bench`, the service's sections: release servers (child processes) over
//! loopback, driven by the bench programs in `server/examples/`:
//! - scale: each call's median latency and the server's CPU time per call, and the server's
//!   memory, at 1,000 and 100,000 invoices, and the growth (goals: ≤ 1.2×, a page of 100
//!   ≤ 5 ms, memory flat);
//! - load: 8 users create 2,960 invoices and pay 560 (creates/s, payments/s, latencies),
//!   on SQLite, PostgreSQL with one instance and with two (users spread over them), in one
//!   run.

use crate::proc::{Env, TempDir};
use crate::proc::{root, step};
use anyhow::{Context, Result, bail};
use std::process::Command;

/// Builds the release server and the bench programs.
fn build(env: &Env) -> Result<()> {
    step("building the reference server and its bench programs (release)");
    crate::proc::cargo(
        env,
        &[
            "build",
            "--release",
            "-p",
            "schet-server",
            "--bin",
            "schet-server",
            "--example",
            "scale",
            "--example",
            "load",
        ],
    )
}

fn run_program(name: &str, args: &[String]) -> Result<String> {
    let program = root().join("target/release/examples").join(name);
    let out = Command::new(&program)
        .args(args)
        .current_dir(root())
        .output()
        .with_context(|| format!("cannot run {}", program.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    if !out.status.success() {
        bail!("{name} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(text)
}

fn server_bin() -> String {
    root().join("target/release/schet-server").display().to_string()
}

/// The scale section; sizes from `SCHET_BENCH_SIZES` (default 1000,100000).
pub fn scale(env: &Env) -> Result<()> {
    build(env)?;
    let sizes = std::env::var("SCHET_BENCH_SIZES").unwrap_or_else(|_| "1000,100000".into());
    step(&format!("service at scale: {sizes} invoices (release, SQLite, loopback)"));
    let dir = TempDir::new("bench-scale")?;
    let db = dir.0.join("scale.db").display().to_string();
    run_program("scale", &["--bin".into(), server_bin(), "--database".into(), db, "--sizes".into(), sizes])?;
    Ok(())
}

/// One load run; returns its `load-result` line's figures.
pub fn load(database: &str, instances: usize, label: &str) -> Result<Vec<String>> {
    let out = run_program(
        "load",
        &[
            "--bin".into(),
            server_bin(),
            "--database".into(),
            database.into(),
            "--instances".into(),
            instances.to_string(),
            "--label".into(),
            label.into(),
        ],
    )?;
    let line =
        out.lines().find_map(|l| l.strip_prefix("load-result ")).context("the load program printed no result")?;
    Ok(line.split_whitespace().map(str::to_string).collect())
}

/// The load section: SQLite, PostgreSQL with one instance and with two (a throwaway
/// cluster, fsync on), in one run.
pub fn load_table(env: &Env) -> Result<()> {
    build(env)?;
    step("load: 8 users, 2,960 creates then 560 payments (release, loopback)");
    let dir = TempDir::new("bench-load")?;
    let mut rows = vec![load(&dir.0.join("load.db").display().to_string(), 1, "SQLite")?];
    let cluster = crate::postgres::Cluster::start("bench", true)?;
    rows.push(load(&cluster.create_database("load1")?, 1, "PostgreSQL x1")?);
    rows.push(load(&cluster.create_database("load2")?, 2, "PostgreSQL x2")?);
    drop(cluster);
    print_table(&rows);
    let errors: u64 = rows.iter().filter_map(|r| r.get(7)?.parse::<u64>().ok()).sum();
    if errors > 0 {
        bail!("the load benchmark saw {errors} errors");
    }
    Ok(())
}

pub fn print_table(rows: &[Vec<String>]) {
    println!(
        "\n{:<22} {:>10} {:>10} {:>10} {:>11} {:>10} {:>10} {:>7}",
        "load", "creates/s", "create p50", "create p99", "payments/s", "pay p50", "pay p99", "errors"
    );
    for r in rows {
        let get = |i: usize| r.get(i).cloned().unwrap_or_default();
        println!(
            "{:<22} {:>10} {:>10} {:>10} {:>11} {:>10} {:>10} {:>7}",
            get(0).replace('_', " "),
            get(1),
            format!("{} ms", get(2)),
            format!("{} ms", get(3)),
            get(4),
            format!("{} ms", get(5)),
            format!("{} ms", get(6)),
            get(7)
        );
    }
}
