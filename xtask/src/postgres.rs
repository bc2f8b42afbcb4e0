//! A throwaway PostgreSQL cluster, for the tests, the load benchmark and `run --postgres`:
//! Debian's PostgreSQL binaries (installed with apt when missing and running as root;
//! otherwise a clear error: database tests are never skipped), `initdb` + `pg_ctl` into a
//! temporary directory, listening on 127.0.0.1 only, on a free port. `initdb` refuses root:
//! as root, the cluster runs as the `postgres` system user (the package makes it).
//! Stopped and deleted on drop.

use crate::proc::run;
use crate::{Result, step};
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
        return Err("the PostgreSQL tests need PostgreSQL's server binaries: install Debian's package \
                    `postgresql` (sudo apt-get install -y postgresql), then run this again"
            .into());
    }
    step("installing PostgreSQL (apt: postgresql)");
    let env = vec![("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string())];
    run(&env, "apt-get", &["update"])?;
    run(&env, "apt-get", &["install", "-y", "--no-install-recommends", "postgresql"])?;
    find_bin().ok_or_else(|| "apt installed postgresql, but no /usr/lib/postgresql/N/bin/initdb was found".into())
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

impl Cluster {
    /// Makes and starts a cluster. `durable`: fsync as in production (benchmarks); off for
    /// the tests, whose data is thrown away.
    pub fn start(tag: &str, durable: bool) -> Result<Cluster> {
        let bin = ensure_postgres()?;
        let as_user = is_root().then_some("postgres");
        let dir = std::env::temp_dir().join(format!("schet-pg-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
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
            return Err(format!("{e}\n{text}"));
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
    fn tool(&self, name: &str, args: &[&str]) -> Result {
        let program = self.bin.join(name);
        let mut command = match self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let out = command.args(args).current_dir(&self.dir).output().map_err(|e| format!("cannot run {name}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{name} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Makes a new, empty database; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let port = self.port.to_string();
        let args = ["-h", "127.0.0.1", "-p", &port, "-U", USER, name];
        let out = Command::new(self.bin.join("createdb")).args(args).output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("createdb {name}: {}", String::from_utf8_lossy(&out.stderr)));
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
                eprintln!("stopping the PostgreSQL cluster: {e}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
