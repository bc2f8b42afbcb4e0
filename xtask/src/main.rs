//! `cargo xtask <command>`: the project's automation, in Rust.
//!
//! * `run [--port N] [--database PATH]`: install what is missing, build the app in release,
//!   start the reference service with demo data on one port, print the URL and logins.
//! * `test`: native tests, then browser tests in headless Chromium against a live
//!   reference server, then the release build loaded in Chromium (catches blank pages).
//! * `bench`: wasm size against the budget (and, as they come, the other budgets).
//! * `screenshots`: every screen in headless Chromium, light and dark, English and Russian,
//!   as a demo user or a guest, saved under `screenshots/` for a person to look at.

mod bench;
mod proc;
mod shots;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub type Result<T = (), E = String> = std::result::Result<T, E>;

const USAGE: &str = "usage: cargo xtask <run [--port N] [--database PATH] | test | bench | screenshots>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench::bench(),
        Some("screenshots") => screenshots(),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

pub fn step(what: &str) {
    println!("\n==> {what}");
}

fn run(args: &[String]) -> Result {
    let mut port = 8080u16;
    let mut database = root().join("schet-demo.db");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--port", Some(p)) => port = p.parse().map_err(|_| format!("--port: {p:?} is not a port number"))?,
            ("--database", Some(p)) => database = PathBuf::from(p),
            _ => return Err(USAGE.to_string()),
        }
    }
    let env = tools::ensure_build_tools()?;
    let dist = tools::build_app_release(&env)?;
    step("building the reference server (release)");
    proc::cargo(&env, &["build", "--release", "-p", "schet-server"])?;
    let server = root().join("target/release/schet-server");
    let listen = format!("127.0.0.1:{port}");
    let url = format!("http://{listen}");
    println!("\nSchet is starting at {url}");
    println!("Demo logins (open the link, then one click on \"Log in as …\"):");
    for user in ["alice", "bob", "carol"] {
        println!("  {user:<6} {url}/settings?token=demo-{user}&merchant=login");
    }
    println!("Database: {} (delete it to start afresh). Ctrl-C stops.\n", database.display());
    let status = std::process::Command::new(&server)
        .args(["serve", "--listen", &listen, "--database"])
        .arg(&database)
        .arg("--static")
        .arg(&dist)
        .arg("--demo")
        .status()
        .map_err(|e| format!("cannot start {}: {e}", server.display()))?;
    if status.success() { Ok(()) } else { Err(format!("the server stopped: {status}")) }
}

fn test() -> Result {
    let env = tools::ensure_build_tools()?;
    let chrome = tools::ensure_chromium()?;
    let mut summary = proc::Summary::default();

    step("native tests (api, server, xtask)");
    let out = proc::cargo_tee(&env, &["test", "--workspace", "--exclude", "schet"])?;
    summary.add(&out);

    step("building the reference server for the browser tests");
    proc::cargo(&env, &["build", "-p", "schet-server"])?;
    let server_bin = root().join("target/debug/schet-server");
    let live = proc::LiveServer::start_for_tests(&server_bin, None)?;

    step(&format!("browser tests in headless Chromium against {}", live.url));
    let webdriver_json = tools::webdriver_json(&chrome)?;
    let mut test_env = env.clone();
    test_env.push(("CHROMEDRIVER".into(), chrome.driver.display().to_string()));
    test_env.push(("WASM_BINDGEN_TEST_WEBDRIVER_JSON".into(), webdriver_json.display().to_string()));
    test_env.push(("WASM_BINDGEN_TEST_TIMEOUT".into(), "180".into()));
    test_env.push(("SCHET_TEST_ENDPOINT".into(), live.url.clone()));
    for (name, token) in &live.tokens {
        test_env.push((format!("SCHET_TEST_TOKEN_{}", name.to_uppercase()), token.clone()));
    }
    let out = proc::cargo_tee(&test_env, &["test", "--target", "wasm32-unknown-unknown", "-p", "schet"]);
    drop(live);
    let out = out?;
    if !out.contains("Running headless tests in Chrome") {
        return Err("the browser tests did not run in headless Chrome".into());
    }
    summary.add(&out);

    step("release build, served with demo data and loaded in headless Chromium");
    let dist = tools::build_app_release(&env)?;
    let live = proc::LiveServer::start_demo(&server_bin, &dist)?;
    let checks = proc::smoke_release(&chrome, &live.url);
    drop(live);
    summary.add_plain(checks?);

    println!("\nAll test suites:");
    summary.print()
}

fn screenshots() -> Result {
    let env = tools::ensure_build_tools()?;
    let chrome = tools::ensure_chromium()?;
    let dist = tools::build_app_release(&env)?;
    step("building the reference server");
    proc::cargo(&env, &["build", "-p", "schet-server"])?;
    let live = proc::LiveServer::start_demo(&root().join("target/debug/schet-server"), &dist)?;
    step("screenshots in headless Chromium");
    let made = shots::take(&chrome, &live.url);
    drop(live);
    let made = made?;
    println!("{made} screenshots in {}", root().join("screenshots").display());
    if made == 0 { Err("no screenshot was made".into()) } else { Ok(()) }
}
