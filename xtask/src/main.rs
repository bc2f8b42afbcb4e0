//! `cargo xtask <command>`: the project's automation, in Rust.
//!
//! * `run [--port N] [--database PATH]`: install what is missing, build the app in release,
//!   start the reference service with demo data on one port, print the URL and logins.
//!   `run --postgres`: the same on a throwaway PostgreSQL cluster, with two instances behind
//!   one address (a small local proxy), so the app can be tried against a scaled setup.
//! * `test`: native tests, then browser tests in headless Chromium against a live
//!   reference server, then the release build loaded in Chromium (catches blank pages).
//! * `bench`: wasm size against the budget, the list's render time, the service's lookup
//!   latency, cost at scale (1,000 vs 100,000 invoices) and throughput under load.
//! * `screenshots`: the main screens in headless Chromium, light and dark, English and
//!   Russian, saved under `screenshots/` for a person to look at.

mod bench;
mod postgres;
mod proc;
mod proxy;
mod service_bench;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub type Result<T = (), E = String> = std::result::Result<T, E>;

const USAGE: &str = "usage: cargo xtask <run [--port N] [--database PATH | --postgres] | test | bench | screenshots>";

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
    let mut postgres = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--postgres" => postgres = true,
            "--port" => {
                let p = it.next().ok_or(USAGE)?;
                port = p.parse().map_err(|_| format!("--port: {p:?} is not a port number"))?;
            }
            "--database" => database = PathBuf::from(it.next().ok_or(USAGE)?),
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
    let logins = || {
        println!("Demo logins (one click each):");
        for user in ["alice", "bob", "carol"] {
            println!("  {user:<6} {url}/settings?token=demo-{user}&merchant=login");
        }
    };
    if postgres {
        return run_postgres(&server, &dist, &listen, logins);
    }
    println!("\nSchet is starting at {url}");
    logins();
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

/// `run --postgres`: a throwaway cluster, two instances on it (the first seeds the demo),
/// the local proxy in front; Ctrl-C stops all of it and deletes the cluster.
fn run_postgres(server: &Path, dist: &Path, listen: &str, logins: impl Fn()) -> Result {
    step("PostgreSQL: a throwaway cluster and two instances behind one address");
    let cluster = postgres::Cluster::start("run", true)?;
    let database = cluster.create_database("schet")?;
    // Both instances seal webhook keys with one key.
    let key = cluster.dir().join("webhook.key");
    let mut bytes = [0u8; 32];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom").map_err(|e| e.to_string())?, &mut bytes)
        .map_err(|e| e.to_string())?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&key, hex).map_err(|e| format!("{}: {e}", key.display()))?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, std::sync::atomic::Ordering::SeqCst))
            .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
    }
    let mut instances = Vec::new();
    for n in 1..=2 {
        let args = [
            "serve".to_string(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--database".into(),
            database.clone(),
            "--static".into(),
            dist.display().to_string(),
            "--webhook-key-file".into(),
            key.display().to_string(),
            "--demo".into(),
        ];
        let instance = proc::Instance::start(server, &args, &cluster.dir().join(format!("instance-{n}.log")))?;
        println!("instance {n} at {}", instance.addr);
        instances.push(instance);
    }
    let backends = instances.iter().map(|i| i.addr).collect();
    let bound = proxy::start(listen.parse().map_err(|e| format!("{listen}: {e}"))?, backends)?;
    println!("\nSchet is running at http://{bound} (two instances on PostgreSQL, {})", cluster.url("schet"));
    logins();
    println!("Logs: {}. Ctrl-C stops everything and deletes the cluster.\n", cluster.dir().display());
    while !stop.load(std::sync::atomic::Ordering::SeqCst) && instances.iter_mut().all(proc::Instance::running) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    drop(instances);
    drop(cluster);
    Ok(())
}

fn test() -> Result {
    let env = tools::ensure_build_tools()?;
    let chrome = tools::ensure_chromium()?;
    let mut summary = proc::Summary::default();

    step("native tests (api, server, xtask; the service on SQLite)");
    let out = proc::cargo_tee(&env, &["test", "--workspace", "--exclude", "schet"])?;
    summary.add(&out);

    step("the service's suites on PostgreSQL (a throwaway cluster)");
    let started = std::time::Instant::now();
    let cluster = postgres::Cluster::start("test", false)?;
    let mut pg_env = env.clone();
    pg_env.push(("SCHET_TEST_POSTGRES".into(), cluster.url("postgres")));
    // Everything the SQLite run runs, and the tests that need PostgreSQL (ignored there):
    // several instances, the generic plans. Not the figures (printed by hand).
    let out = proc::cargo_tee(
        &pg_env,
        &[
            "test",
            "-p",
            "schet-server",
            "--test",
            "api",
            "--test",
            "merchant",
            "--",
            "--include-ignored",
            "--skip",
            "figures",
        ],
    );
    drop(cluster);
    let out = out?;
    let mut pg = proc::Summary::default();
    pg.add(&out);
    println!("PostgreSQL suites: {} in {:.0} s", pg.line(), started.elapsed().as_secs_f64());
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

/// Screens worth looking at: (file stem, path). The demo user alice is logged in.
const SCREENS: &[(&str, &str)] = &[
    ("list", "/invoices"),
    ("detail", "/invoice/1"),
    ("create", "/invoices/new"),
    ("payments", "/payments"),
    ("merchant", "/merchant"),
    ("inbox", "/inbox"),
    ("conversation", "/inbox/1"),
    ("secrets", "/invoice/1/secrets"),
];

fn screenshots() -> Result {
    let env = tools::ensure_build_tools()?;
    let chrome = tools::ensure_chromium()?;
    let dist = tools::build_app_release(&env)?;
    step("building the reference server");
    proc::cargo(&env, &["build", "-p", "schet-server"])?;
    let live = proc::LiveServer::start_demo(&root().join("target/debug/schet-server"), &dist)?;
    let out = root().join("screenshots");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut made = 0;
    for lang in ["en", "ru"] {
        for theme in ["light", "dark"] {
            let profile = proc::TempDir::new(&format!("shots-{lang}-{theme}"))?;
            let chromium = |args: &[String]| {
                std::process::Command::new(&chrome.browser)
                    .args(tools::CHROMIUM_FLAGS)
                    .arg("--headless")
                    .arg(format!("--user-data-dir={}", profile.0.display()))
                    .arg("--virtual-time-budget=10000")
                    .args(args)
                    .output()
                    .map_err(|e| format!("chromium: {e}"))
            };
            chromium(&[
                "--dump-dom".into(),
                format!("{}/settings?token=demo-alice&merchant=login&lang={lang}&theme={theme}", live.url),
            ])?;
            for (stem, path) in SCREENS {
                for (width, tag) in [(1200, "wide"), (360, "narrow")] {
                    let file = out.join(format!("{stem}-{lang}-{theme}-{tag}.png"));
                    chromium(&[
                        format!("--window-size={width},1000"),
                        format!("--screenshot={}", file.display()),
                        format!("{}{path}", live.url),
                    ])?;
                    if file.is_file() {
                        made += 1;
                    }
                }
            }
        }
    }
    drop(live);
    println!("{made} screenshots in {}", out.display());
    if made == 0 { Err("no screenshot was made".into()) } else { Ok(()) }
}
