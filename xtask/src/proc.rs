//! Running commands, live servers for tests, and counting test results.

use crate::tools::Chrome;
use crate::{Result, root};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub type Env = Vec<(String, String)>;

fn command(env: &Env, program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Runs cargo with inherited output; fails on a non-zero exit.
pub fn cargo(env: &Env, args: &[&str]) -> Result {
    let status = command(env, "cargo", args).status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed ({status})", args.join(" "))) }
}

/// Runs a program with inherited output; fails on a non-zero exit.
pub fn run(env: &Env, program: &str, args: &[&str]) -> Result {
    let status = command(env, program, args).status().map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{program} {}` failed ({status})", args.join(" "))) }
}

/// Runs cargo, echoing its output while keeping it to read the test summaries.
pub fn cargo_tee(env: &Env, args: &[&str]) -> Result<String> {
    let mut child = command(env, "cargo", args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = child.stderr.take().expect("piped");
    let err_thread = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
            eprintln!("{line}");
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let mut out = String::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines().map_while(|l| l.ok()) {
        println!("{line}");
        out.push_str(&line);
        out.push('\n');
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    out.push_str(&err_thread.join().unwrap_or_default());
    if status.success() { Ok(out) } else { Err(format!("`cargo {}` failed ({status})", args.join(" "))) }
}

/// Totals over every suite that ran.
#[derive(Default)]
pub struct Summary {
    passed: u64,
    failed: u64,
    ignored: u64,
    suites: u64,
}

impl Summary {
    /// Adds every `test result: ok. N passed; M failed; K ignored` line of a cargo run.
    pub fn add(&mut self, output: &str) {
        for line in output.lines().filter(|l| l.trim_start().starts_with("test result:")) {
            let num = |word: &str| {
                line.split(';')
                    .find(|part| part.trim_end().ends_with(word))
                    .and_then(|part| part.split_whitespace().rev().nth(1))
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            self.passed += num("passed");
            self.failed += num("failed");
            self.ignored += num("ignored");
            self.suites += 1;
        }
    }

    pub fn add_plain(&mut self, (passed, failed): (u64, u64)) {
        self.passed += passed;
        self.failed += failed;
        self.suites += 1;
    }

    pub fn print(&self) -> Result {
        println!("{} suites", self.suites);
        println!("{} passed, {} failed, {} skipped", self.passed, self.failed, self.ignored);
        if self.failed == 0 && self.passed > 0 { Ok(()) } else { Err("some tests failed".into()) }
    }
}

/// A reference server on a free loopback port, with a fresh database; stopped on drop.
pub struct LiveServer {
    child: Child,
    pub url: String,
    /// (user name, bearer token) created with `schet-server user add`.
    pub tokens: Vec<(String, String)>,
    _dir: TempDir,
}

pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Result<TempDir> {
        let dir = root().join("target/xtask-tmp").join(format!("{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl LiveServer {
    /// Test users: a seller, a buyer and a stranger, each with a BTC balance.
    pub fn start_for_tests(bin: &Path, static_dir: Option<&Path>) -> Result<LiveServer> {
        let dir = TempDir::new("browser-tests")?;
        let db = dir.0.join("test.db");
        let mut tokens = Vec::new();
        for (name, balance) in [("seller", "1"), ("buyer", "2"), ("stranger", "0.5")] {
            let out = Command::new(bin)
                .args(["user", "add", name, "--balance", balance, "--database"])
                .arg(&db)
                .output()
                .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
            let text = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                return Err(format!("`schet-server user add {name}` failed: {}", String::from_utf8_lossy(&out.stderr)));
            }
            let token = text.split_whitespace().last().ok_or("`user add` printed no token")?;
            tokens.push((name.to_string(), token.to_string()));
        }
        // The seller's merchant invoices in every status (tests/merchant.rs).
        let db_arg = db.display().to_string();
        run(&Vec::new(), &bin.display().to_string(), &["merchant", "demo", "seller", "--database", &db_arg])?;
        let mut args = vec!["serve".to_string(), "--listen".into(), "127.0.0.1:0".into(), "--database".into()];
        args.push(db.display().to_string());
        if let Some(s) = static_dir {
            args.extend(["--static".to_string(), s.display().to_string()]);
        }
        Self::spawn(bin, &args, tokens, dir)
    }

    /// A server with the demo data and the built app.
    pub fn start_demo(bin: &Path, dist: &Path) -> Result<LiveServer> {
        let dir = TempDir::new("release-smoke")?;
        let args = [
            "serve".to_string(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--database".into(),
            dir.0.join("demo.db").display().to_string(),
            "--static".into(),
            dist.display().to_string(),
            "--demo".into(),
        ];
        Self::spawn(bin, &args, Vec::new(), dir)
    }

    fn spawn(bin: &Path, args: &[String], tokens: Vec<(String, String)>, dir: TempDir) -> Result<LiveServer> {
        let log = std::fs::File::create(dir.0.join("server.log")).map_err(|e| e.to_string())?;
        let mut child = Command::new(bin)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        stdout.read_line(&mut first).map_err(|e| e.to_string())?;
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut stdout.take(u64::MAX), &mut std::io::sink());
        });
        let Some(url) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.0.join("server.log")).unwrap_or_default();
            return Err(format!("the reference server did not start:\n{log}"));
        };
        println!("reference server at {url}");
        Ok(LiveServer { url: url.to_string(), child, tokens, _dir: dir })
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        // SIGTERM first (graceful), then make sure.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

/// Loads the release build in headless Chromium and checks what a person would see:
/// the app started (not a blank page), the demo login worked over gRPC-web, and an
/// invoice rendered. Returns (passed, failed) and prints a line per check.
pub fn smoke_release(chrome: &Chrome, url: &str) -> Result<(u64, u64)> {
    // One profile for both loads; the link only asks (nothing is kept until confirmed), so
    // the invoice is read as a guest.
    let profile = TempDir::new("chromium-profile")?;
    let dom = |path: &str| -> Result<String> {
        let out = Command::new(&chrome.browser)
            .args(crate::tools::CHROMIUM_FLAGS)
            .arg("--headless")
            .arg(format!("--user-data-dir={}", profile.0.display()))
            .arg("--virtual-time-budget=15000")
            .arg("--dump-dom")
            .arg(format!("{url}{path}"))
            .output()
            .map_err(|e| format!("cannot run {}: {e}", chrome.browser.display()))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let login = dom("/settings?token=demo-alice&lang=en")?;
    let invoice = dom("/invoice/1")?;
    let checks = [
        ("the app renders its top bar (not a blank page)", login.contains("class=\"top-bar\"")),
        (
            "the demo link asks to log in as alice, known over gRPC-web",
            login.contains("This link logs you in as") && login.contains("<strong>alice"),
        ),
        ("no inline script is needed (CSP kept)", !login.contains("<script type=\"module\">")),
        ("a shared link shows a demo invoice to a guest", invoice.contains("Steam gift card")),
    ];
    let mut passed = 0;
    let mut failed = 0;
    for (name, ok) in checks {
        println!("test release-smoke: {name} ... {}", if ok { "ok" } else { "FAILED" });
        if ok { passed += 1 } else { failed += 1 }
    }
    if failed > 0 {
        println!("--- DOM of /settings?token=demo-alice ---\n{login}\n--- DOM of /invoice/1 ---\n{invoice}");
    }
    println!("release smoke: {passed} passed, {failed} failed");
    Ok((passed, failed))
}
