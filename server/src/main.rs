//! `schet-server`: the reference invoice service.
//!
//! ```text
//! schet-server serve --listen ADDR --database PATH [--static DIR] [--demo] [--rates FILE]
//! schet-server user add NAME --database PATH [--balance BTC]
//! schet-server merchant set-status INV-XXXXXXXX STATUS --database PATH [--paid AMOUNT]
//! schet-server merchant demo USER --database PATH
//! ```

use schet_server::{ServeOptions, rates::Rates, service::Service, store::Store};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  schet-server serve --listen ADDR --database PATH [--static DIR] [--demo] [--rates FILE]
  schet-server user add NAME --database PATH [--balance BTC]
  schet-server merchant set-status INV-XXXXXXXX STATUS --database PATH [--paid AMOUNT]
      (STATUS: created, paid, partial, overpaid, canceled; AMOUNT in the invoice's coin)
  schet-server merchant demo USER --database PATH   (the demo merchant invoices, for USER)";

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("schet-server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Options after the positional words: `--name value` pairs and `--flag`s.
struct Flags(Vec<String>);

impl Flags {
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Flags, String> {
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            if with_value.contains(&a) {
                if args.get(i + 1).is_none_or(|v| v.starts_with("--")) {
                    return Err(format!("{a} needs a value\n{USAGE}"));
                }
                i += 2;
            } else if switches.contains(&a) {
                i += 1;
            } else {
                return Err(format!("unexpected argument {a:?}\n{USAGE}"));
            }
        }
        Ok(Flags(args.to_vec()))
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.0.iter().position(|a| a == name).map(|i| self.0[i + 1].as_str())
    }

    fn required(&self, name: &str) -> Result<&str, String> {
        self.value(name).ok_or_else(|| format!("{name} is required\n{USAGE}"))
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }
}

async fn run(args: Vec<String>) -> Result<(), String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["serve", rest @ ..] => {
            let flags = Flags::parse(&args[1..], &["--listen", "--database", "--static", "--rates"], &["--demo"])?;
            let _ = rest;
            let listen = flags.required("--listen")?;
            let listen =
                listen.parse().map_err(|_| format!("--listen: {listen:?} is not an address like 127.0.0.1:8080"))?;
            let rates = match flags.value("--rates") {
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| format!("--rates {path}: {e}"))?;
                    Rates::from_file_text(&text).map_err(|e| format!("--rates {path}: {e}"))?
                }
                None => Rates::default(),
            };
            let static_dir = flags.value("--static").map(PathBuf::from);
            if let Some(dir) = &static_dir
                && !dir.join("index.html").is_file()
            {
                return Err(format!("--static {}: no index.html there (build the app first)", dir.display()));
            }
            let opts = ServeOptions {
                listen,
                database: PathBuf::from(flags.required("--database")?),
                static_dir,
                demo: flags.has("--demo"),
                rates,
            };
            schet_server::serve(opts, shutdown_signal()).await
        }
        ["user", "add", name, ..] if !name.starts_with("--") => {
            let flags = Flags::parse(&args[3..], &["--database", "--balance"], &[])?;
            let balance = flags.value("--balance").unwrap_or("0");
            let balance = balance.parse().map_err(|_| format!("--balance: {balance:?} is not a BTC amount"))?;
            let store = Store::open(&PathBuf::from(flags.required("--database")?))
                .await
                .map_err(|e| format!("cannot open database: {e}"))?;
            let service = Service::new(store.clone(), Rates::default());
            let result = service.add_user(name, balance, None).await;
            store.close().await;
            let (id, token) = result.map_err(|e| e.to_string())?;
            println!("created user {name} (id {id}), token: {token}");
            Ok(())
        }
        ["merchant", "set-status", uuid, status, ..] if !uuid.starts_with("--") && !status.starts_with("--") => {
            let flags = Flags::parse(&args[4..], &["--database", "--paid"], &[])?;
            let paid = match flags.value("--paid") {
                Some(p) => Some(p.parse().map_err(|_| format!("--paid: {p:?} is not an amount"))?),
                None => None,
            };
            let store = open_store(&flags).await?;
            let result = schet_server::merchant::set_status(&store, uuid, status, paid).await;
            store.close().await;
            println!("{}", result?);
            Ok(())
        }
        ["merchant", "demo", user, ..] if !user.starts_with("--") => {
            let flags = Flags::parse(&args[3..], &["--database"], &[])?;
            let store = open_store(&flags).await?;
            let result = schet_server::merchant::seed_for_user(&store, &Rates::default(), user).await;
            store.close().await;
            println!("{} demo merchant invoices made for {user}", result?);
            Ok(())
        }
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    }
}

async fn open_store(flags: &Flags) -> Result<Store, String> {
    Store::open(&PathBuf::from(flags.required("--database")?)).await.map_err(|e| format!("cannot open database: {e}"))
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight, close the database.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
