//! `cargo xtask <command>`: the project's automation, in Rust. `cargo xtask --help` lists the
//! commands; `run` and `test` are the only set-up a fresh machine needs.
//!
//! Layers (each uses only those below it): `main` → `bench`, `smoke`, `shots`, `tidy` →
//! `browser`, `release` (its `.dcb` copies: `dcb`), `postgres` (a throwaway cluster;
//! `run --postgres` with `proxy`) → `tools` → `proc`.

mod bench;
mod browser;
mod compress;
mod dcb;
mod names;
mod order;
mod postgres;
mod proc;
mod proxy;
mod release;
mod shots;
mod smoke;
mod tidy;
mod tools;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use proc::{root, step};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Schet's automation: build, serve, test, measure")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install what is missing, build the release app, and serve it with demo data.
    Run {
        /// Port to listen on (loopback).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// SQLite database (created and seeded with the demo on first use).
        #[arg(long, conflicts_with = "postgres")]
        database: Option<PathBuf>,
        /// A throwaway PostgreSQL cluster and two service instances behind one address (a
        /// small local proxy): the app against a scaled setup. Ctrl-C deletes the cluster.
        #[arg(long)]
        postgres: bool,
    },
    /// Every test: native (the service's suites on SQLite, then again on a throwaway
    /// PostgreSQL cluster), browser tests in headless Chromium against a live server, and
    /// the split release build loaded in Chromium.
    Test,
    /// The budgets, measured: sizes, first view on a slow phone, transferred bytes,
    /// transport, rendering, lookup latency.
    Bench(bench::Args),
    /// Build the release app (split, hashed, precompressed) into dist/.
    Dist,
    /// Only the last step of `test`: the split release build driven in Chromium.
    Smoke,
    /// Check that ARCHITECTURE.md's paths exist, its invariants hold, and no source file
    /// passes 500 lines.
    Tidy,
    /// The main screens in headless Chromium, saved under screenshots/.
    Screenshots,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run { port, database, postgres } => {
            run(port, database.unwrap_or_else(|| root().join("schet-demo.db")), postgres)
        }
        Command::Test => test(),
        Command::Bench(args) => bench::bench(&args),
        Command::Dist => tools::ensure_build_tools().and_then(|env| release::build(&env)).map(|_| ()),
        Command::Smoke => smoke(),
        Command::Tidy => tidy::tidy(),
        Command::Screenshots => shots::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
fn run(port: u16, database: PathBuf, postgres: bool) -> Result<()> {
    let env = tools::ensure_build_tools()?;
    let dist = release::build(&env)?;
    step("building the reference server (release)");
    proc::cargo(&env, &["build", "--release", "-p", "schet-server"])?;
    let server = root().join("target/release/schet-server");
    let listen = format!("127.0.0.1:{port}");
    let url = format!("http://{listen}");
    let logins = || {
        println!("Demo logins (open the link, then one click on \"Log in as …\"):");
        for user in ["alice", "bob", "carol"] {
            println!("  {user:<6} {url}/settings?token=demo-{user}&merchant=login");
        }
    };
    if postgres {
        return postgres::run_two_instances(&server, &dist.dir, &listen, logins);
    }
    println!("\nSchet is starting at {url}");
    logins();
    println!("Database: {} (delete it to start afresh). Ctrl-C stops.\n", database.display());
    let status = std::process::Command::new(&server)
        .args(["serve", "--listen", &listen, "--database"])
        .arg(&database)
        .arg("--static")
        .arg(&dist.dir)
        .arg("--demo")
        .status()
        .with_context(|| format!("cannot start {}", server.display()))?;
    if !status.success() {
        bail!("the server stopped: {status}");
    }
    Ok(())
}

fn test() -> Result<()> {
    let env = tools::ensure_build_tools()?;
    let chrome = tools::ensure_chromium()?;
    let mut summary = proc::Summary::default();

    step("native tests (api, server, xtask; the service on SQLite)");
    let out = proc::cargo_tee(&env, &["test", "--workspace", "--exclude", "schet"])?;
    summary.add(&out);
    summary.add(&postgres::service_suites(&env, &out)?);

    step("building the reference server for the browser tests");
    proc::cargo(&env, &["build", "-p", "schet-server"])?;
    let server_bin = root().join("target/debug/schet-server");
    let live = proc::LiveServer::start_for_tests(&server_bin, None)?;

    step(&format!("browser tests in headless Chromium against {}", live.url));
    let mut test_env = tools::browser_test_env(&env, &chrome)?;
    test_env.push(("WASM_BINDGEN_TEST_TIMEOUT".into(), "180".into()));
    test_env.push(("SCHET_TEST_ENDPOINT".into(), live.url.clone()));
    for (name, token) in &live.tokens {
        test_env.push((format!("SCHET_TEST_TOKEN_{}", name.to_uppercase()), token.clone()));
    }
    let out = proc::cargo_tee(&test_env, &["test", "--target", "wasm32-unknown-unknown", "-p", "schet"]);
    drop(live);
    let out = out?;
    if !out.contains("Running headless tests in Chrome") {
        bail!("the browser tests did not run in headless Chrome");
    }
    summary.add(&out);

    summary.add_plain(release_smoke(&env, &chrome, &server_bin)?);

    println!("\nAll test suites:");
    summary.print()
}

fn release_smoke(env: &proc::Env, chrome: &tools::Chrome, server_bin: &Path) -> Result<(u64, u64)> {
    step("split release build, served with demo data and driven in headless Chromium");
    let dist = release::build(env)?;
    let live = proc::LiveServer::start_demo(server_bin, &dist.dir)?;
    let checks = smoke::smoke_release(chrome, &live.url, &dist);
    drop(live);
    checks
}

fn smoke() -> Result<()> {
    let env = tools::ensure_build_tools()?;
    let chrome = tools::ensure_chromium()?;
    step("building the reference server");
    proc::cargo(&env, &["build", "-p", "schet-server"])?;
    let mut summary = proc::Summary::default();
    summary.add_plain(release_smoke(&env, &chrome, &root().join("target/debug/schet-server"))?);
    summary.print()
}
