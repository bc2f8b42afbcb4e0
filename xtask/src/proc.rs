//! Running commands, live servers for tests, and counting test results. The lowest layer:
//! it knows nothing of the tools or the browser.

use anyhow::{Context, Result, anyhow, bail};
use sha2::Digest;
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
pub fn cargo(env: &Env, args: &[&str]) -> Result<()> {
    run(env, "cargo", args)
}

/// Runs a program with inherited output; fails on a non-zero exit.
pub fn run(env: &Env, program: &str, args: &[&str]) -> Result<()> {
    let status = command(env, program, args).status().with_context(|| format!("cannot run {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Runs cargo, echoing its output while keeping it to read the test summaries.
pub fn cargo_tee(env: &Env, args: &[&str]) -> Result<String> {
    tee(command(env, "cargo", args), &format!("cargo {}", args.join(" ")))
}

/// Runs a built test binary in `dir` (as cargo would: its package's folder), echoing its
/// output while keeping it.
pub fn test_binary_tee(env: &Env, binary: &Path, dir: &Path, args: &[&str]) -> Result<String> {
    let mut c = Command::new(binary);
    c.args(args).current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    tee(c, &binary.display().to_string())
}

fn tee(mut command: Command, what: &str) -> Result<String> {
    let mut child =
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().with_context(|| format!("cannot run {what}"))?;
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
    let status = child.wait().with_context(|| format!("waiting for {what}"))?;
    out.push_str(&err_thread.join().unwrap_or_default());
    if !status.success() {
        bail!("`{what}` failed ({status})");
    }
    Ok(out)
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

    /// `N passed, M failed, K skipped`.
    pub fn line(&self) -> String {
        format!("{} passed, {} failed, {} skipped", self.passed, self.failed, self.ignored)
    }

    pub fn print(&self) -> Result<()> {
        println!("{} suites", self.suites);
        println!("{} passed, {} failed, {} skipped", self.passed, self.failed, self.ignored);
        if self.failed > 0 || self.passed == 0 {
            bail!("some tests failed");
        }
        Ok(())
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
    /// A fresh folder `target/xtask-tmp/<tag>-<pid>-<n>`: unique within the run, so two
    /// users of the same tag never share (or wipe) one.
    pub fn new(tag: &str) -> Result<TempDir> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = root().join("target/xtask-tmp").join(format!("{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
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
                .with_context(|| format!("cannot run {}", bin.display()))?;
            let text = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                bail!("`schet-server user add {name}` failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            let token = text.split_whitespace().last().ok_or_else(|| anyhow!("`user add` printed no token"))?;
            tokens.push((name.to_string(), token.to_string()));
        }
        // The seller's merchant invoices in every status (server/tests/merchant/).
        let db_arg = db.display().to_string();
        run(&Vec::new(), &bin.display().to_string(), &["merchant", "demo", "seller", "--database", &db_arg])?;
        // A throwaway key to seal webhook client keys (the invoice form's webhook tests).
        let key_file = dir.0.join("webhook.key");
        let seed = format!("{}{:?}", dir.0.display(), std::time::SystemTime::now());
        let key: String = sha2::Sha256::digest(seed.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        std::fs::write(&key_file, key).context("writing the test webhook key")?;
        let mut args = vec!["serve".to_string(), "--listen".into(), "127.0.0.1:0".into(), "--database".into()];
        args.push(db.display().to_string());
        args.extend(["--webhook-key-file".to_string(), key_file.display().to_string()]);
        // Conversations longer than a page of messages are written in a test (the rate
        // limits themselves are tested in server/tests/).
        args.extend(["--messages-per-minute".to_string(), "600".into()]);
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

    /// Another program that prints `listening on URL` first (a bench server).
    pub fn start_program(bin: &Path, args: &[String], tag: &str) -> Result<LiveServer> {
        Self::spawn(bin, args, Vec::new(), TempDir::new(tag)?)
    }

    fn spawn(bin: &Path, args: &[String], tokens: Vec<(String, String)>, dir: TempDir) -> Result<LiveServer> {
        let log = std::fs::File::create(dir.0.join("server.log")).context("creating server.log")?;
        let mut child = Command::new(bin)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        stdout.read_line(&mut first).context("reading the server's first line")?;
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut stdout.take(u64::MAX), &mut std::io::sink());
        });
        let Some(url) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.0.join("server.log")).unwrap_or_default();
            bail!("the reference server did not start:\n{log}");
        };
        println!("reference server at {url}");
        Ok(LiveServer { url: url.to_string(), child, tokens, _dir: dir })
    }
}

impl LiveServer {
    /// The address it listens on.
    pub fn addr(&self) -> Result<std::net::SocketAddr> {
        let hostport = self.url.strip_prefix("http://").unwrap_or(&self.url);
        hostport.parse().with_context(|| format!("not an address: {}", self.url))
    }

    /// Still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        // SIGTERM first (graceful), then make sure.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
        // Keep the last log of each kind of server for a look after a failure.
        let logs = root().join("target/xtask-logs");
        let name = self._dir.0.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let kind = name.rsplitn(3, '-').nth(2).unwrap_or(name.as_str());
        if std::fs::create_dir_all(&logs).is_ok() {
            let _ = std::fs::copy(self._dir.0.join("server.log"), logs.join(format!("{kind}.log")));
        }
    }
}

/// The workspace's root directory.
pub fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

/// Announces a step of a long command.
pub fn step(what: &str) {
    println!("\n==> {what}");
}
