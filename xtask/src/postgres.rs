//! A throwaway PostgreSQL cluster, for the tests, the load benchmark and `run --postgres`:
//! Debian's PostgreSQL binaries (installed with apt when missing and running as root;
//! otherwise a clear error: database tests are never skipped), `initdb` + `pg_ctl` into a
//! temporary directory, listening on 127.0.0.1 only, on a free port. `initdb` refuses root:
//! as root, the cluster runs as the `postgres` system user (the package makes it).
//! Stopped and deleted on drop.
//!
//! Also the two uses besides the benchmark: the service's suites on PostgreSQL (part of
//! `cargo xtask test`) and `cargo xtask run --postgres`.

use crate::proc::step;
use crate::proc::{Env, LiveServer, Summary, run};
use crate::proxy;
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    /// Run the server's tools as this user (root cannot run PostgreSQL).
    as_user: Option<&'static str>,
    pub port: u16,
}

/// The superuser the cluster is made with (trust authentication, loopback only).
const USER: &str = "schet";

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The newest `/usr/lib/postgresql/N/bin` holding initdb and pg_ctl.
fn find_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// PostgreSQL's binaries, installed from Debian's `postgresql` package when missing (as
/// root); otherwise an error saying how to install them.
pub fn ensure_postgres() -> Result<PathBuf> {
    if let Some(bin) = find_bin() {
        return Ok(bin);
    }
    if !is_root() {
        bail!(
            "the PostgreSQL tests need PostgreSQL's server binaries: install Debian's package \
             `postgresql` (sudo apt-get install -y postgresql), then run this again"
        );
    }
    step("installing PostgreSQL (apt: postgresql)");
    let env = vec![("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string())];
    run(&env, "apt-get", &["update"])?;
    run(&env, "apt-get", &["install", "-y", "--no-install-recommends", "postgresql"])?;
    find_bin().ok_or_else(|| anyhow!("apt installed postgresql, but no /usr/lib/postgresql/N/bin/initdb was found"))
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("no free port")?;
    Ok(listener.local_addr()?.port())
}

impl Cluster {
    /// Makes and starts a cluster. `durable`: fsync as in production (benchmarks); off for
    /// the tests, whose data is thrown away.
    pub fn start(tag: &str, durable: bool) -> Result<Cluster> {
        let bin = ensure_postgres()?;
        let as_user = is_root().then_some("postgres");
        let dir = std::env::temp_dir().join(format!("schet-pg-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
        if let Some(user) = as_user {
            run(&Vec::new(), "chown", &[&format!("{user}:"), &dir.display().to_string()])?;
        }
        let port = free_port()?;
        let mut cluster = Cluster { dir, bin, as_user, port };
        let data = cluster.data();
        cluster.tool(
            "initdb",
            &["-D", &data, "-U", USER, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"],
        )?;
        let fsync = if durable { "on" } else { "off" };
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={data} -c max_connections=300 \
             -c fsync={fsync} -c synchronous_commit=off -c full_page_writes={fsync} -c shared_buffers=128MB"
        );
        let log = cluster.dir.join("postgres.log").display().to_string();
        if let Err(e) = cluster.tool("pg_ctl", &["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start"]) {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            cluster.port = 0;
            bail!("{e:#}\n{text}");
        }
        println!("PostgreSQL ({}) at 127.0.0.1:{port}, data in {data}", cluster.version());
        Ok(cluster)
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn version(&self) -> String {
        let out = Command::new(self.bin.join("postgres")).arg("--version").output();
        out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
    }

    /// Runs one of PostgreSQL's programs (as the cluster's user when root).
    fn tool(&self, name: &str, args: &[&str]) -> Result<()> {
        let program = self.bin.join(name);
        let mut command = match self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let out = command.args(args).current_dir(&self.dir).output().with_context(|| format!("cannot run {name}"))?;
        if !out.status.success() {
            bail!(
                "{name} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Makes a new, empty database; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let port = self.port.to_string();
        let args = ["-h", "127.0.0.1", "-p", &port, "-U", USER, name];
        let out = Command::new(self.bin.join("createdb")).args(args).output().context("cannot run createdb")?;
        if !out.status.success() {
            bail!("createdb {name}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(self.url(name))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let data = self.data();
            if let Err(e) = self.tool("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]) {
                eprintln!("stopping the PostgreSQL cluster: {e:#}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The service's suites again, on a throwaway cluster: the very test binaries the SQLite
/// run built (found in its output: nothing is rebuilt), with the tests that need PostgreSQL
/// (several instances), which the SQLite run ignores. Not the figures (printed by hand).
/// Returns the test output.
pub fn service_suites(env: &Env, native_output: &str) -> Result<String> {
    step("the service's suites on PostgreSQL (a throwaway cluster)");
    let binary = |source: &str| {
        test_binary(native_output, source)
            .map(|path| crate::proc::root().join(path))
            .with_context(|| format!("the native tests did not run {source}"))
    };
    let suites = [binary("tests/api/main.rs")?, binary("tests/merchant/main.rs")?];
    let started = std::time::Instant::now();
    let cluster = Cluster::start("test", false)?;
    let mut pg_env = env.clone();
    pg_env.push(("SCHET_TEST_POSTGRES".into(), cluster.url("postgres")));
    let server_dir = crate::proc::root().join("server");
    let mut out = String::new();
    for suite in &suites {
        let args = ["--include-ignored", "--skip", "figures"];
        match crate::proc::test_binary_tee(&pg_env, suite, &server_dir, &args) {
            Ok(text) => out.push_str(&text),
            Err(e) => {
                drop(cluster);
                return Err(e.context("the service's suites failed on PostgreSQL"));
            }
        }
    }
    drop(cluster);
    let mut pg = Summary::default();
    pg.add(&out);
    println!("PostgreSQL suites: {} in {:.0} s", pg.line(), started.elapsed().as_secs_f64());
    Ok(out)
}

/// The test binary cargo ran for `source`, from its `Running SOURCE (PATH)` line.
fn test_binary<'a>(cargo_output: &'a str, source: &str) -> Option<&'a str> {
    let line = cargo_output.lines().find(|l| l.trim_start().starts_with(&format!("Running {source} (")))?;
    line.trim_end().strip_suffix(')')?.rsplit_once(" (").map(|(_, path)| path)
}

/// `run --postgres`: a throwaway cluster, two instances on it (the first seeds the demo;
/// both seal webhook keys with one key), the local proxy in front. Ctrl-C stops all of it
/// and deletes the cluster.
pub fn run_two_instances(server: &Path, dist: &Path, listen: &str, logins: impl Fn()) -> Result<()> {
    use std::sync::atomic::{AtomicBool, Ordering};
    step("PostgreSQL: a throwaway cluster and two instances behind one address");
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst)).context("cannot catch Ctrl-C")?;
    }
    let cluster = Cluster::start("run", true)?;
    let database = cluster.create_database("schet")?;
    let key = cluster.dir().join("webhook.key");
    let mut bytes = [0u8; 32];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut bytes)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&key, hex).with_context(|| key.display().to_string())?;
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
        instances.push(LiveServer::start_program(server, &args, &format!("instance-{n}"))?);
    }
    let backends = instances.iter().map(LiveServer::addr).collect::<Result<Vec<_>>>()?;
    let bound = proxy::start(listen.parse().with_context(|| listen.to_string())?, backends)?;
    println!("\nSchet is running at http://{bound} (two instances on PostgreSQL, {})", cluster.url("schet"));
    logins();
    println!("Ctrl-C stops everything and deletes the cluster.\n");
    while !stop.load(Ordering::SeqCst) && instances.iter_mut().all(LiveServer::running) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    drop(instances);
    drop(cluster);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_test_binary_is_read_from_cargos_output() {
        let out = "     Running unittests src/lib.rs (target/debug/deps/schet_server-8440a9100f6af5e2)\n\
                   \x20    Running tests/api/main.rs (target/debug/deps/api-493ed14b395d6f5d)\n\
                   running 55 tests\n";
        assert_eq!(super::test_binary(out, "tests/api/main.rs"), Some("target/debug/deps/api-493ed14b395d6f5d"));
        assert_eq!(super::test_binary(out, "tests/merchant/main.rs"), None);
    }
}
