//! `cargo xtask bench`: the budgets, measured. Every figure is printed with its budget and
//! the ratio to it; comparisons (app against static page, JSON against gRPC-web, app list
//! against plain DOM) are measured in one run.
//!
//! 1. Size of the release files (raw, gzip -9, brotli -11), first view and each lazy module.
//! 2. The shared link on a slow phone, and the bytes Chromium transferred: [`phone`].
//! 3. The transport: `GetInvoices` over gRPC-web against JSON: [`transport`].
//! 4. 1,000 invoices rendered against plain DOM code; 5. the service's lookup latency.
//! 6. The service at scale and under load: [`service`] (alone: `--service`).

mod phone;
mod service;
mod transport;

use crate::proc::step;
use crate::release::{self, Dist};
use crate::{proc, tools};
use anyhow::{Context, Result, bail};

#[derive(clap::Args)]
pub struct Args {
    /// Page loads per measurement (cold and warm, app and static page); medians are shown.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Only the slow-phone and transferred-bytes benchmark, on another build of the app
    /// (e.g. Trunk's dist/, for a before-and-after) ...
    #[arg(long, hide = true, requires = "server")]
    pub site: Option<std::path::PathBuf>,
    /// ... served by this schet-server binary.
    #[arg(long, hide = true, requires = "site")]
    pub server: Option<std::path::PathBuf>,
    /// Only the service's sections: its cost at scale (SCHET_BENCH_SIZES, default
    /// 1000,100000 invoices) and the load table (SQLite, PostgreSQL with one instance and
    /// with two). No browser needed.
    #[arg(long, conflicts_with = "site")]
    pub service: bool,
}

/// First view: 250 KB transferred; the whole app: 400 KB (KB = 1,000 bytes).
pub const FIRST_VIEW_BUDGET: u64 = 250_000;
pub const WHOLE_APP_BUDGET: u64 = 400_000;

pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Prints `label figure budget ratio` and returns whether the figure is within budget.
pub fn against(label: &str, value: f64, budget: f64, unit: &str) -> bool {
    let ok = value <= budget;
    println!(
        "{label:<44} {value:>9.1} {unit:<3} budget {budget:>7.1} {unit:<3} ratio {:.2}{}",
        value / budget,
        if ok { "" } else { "  OVER BUDGET" }
    );
    ok
}

pub fn bench(args: &Args) -> Result<()> {
    let env = tools::ensure_build_tools()?;
    if args.service {
        service::scale(&env)?;
        return service::load_table(&env);
    }
    let chrome = tools::ensure_chromium()?;
    if let (Some(site), Some(server)) = (&args.site, &args.server) {
        return match phone::phone(&chrome, site, server, args)? {
            true => Ok(()),
            false => bail!("over budget (see OVER BUDGET above)"),
        };
    }
    let dist = release::build(&env)?;
    let mut ok = size(&dist)?;

    step("building the reference server and the transport bench (release)");
    proc::cargo(
        &env,
        &["build", "--release", "-p", "schet-server", "--bin", "schet-server", "--example", "bench_transport"],
    )?;
    ok &= phone::phone(&chrome, &dist.dir, &crate::proc::root().join("target/release/schet-server"), args)?;
    ok &= transport::transport(&env, &chrome)?;

    step("1,000 invoices rendered: the app's list against plain DOM code (release, Chromium)");
    let bench_env = tools::browser_test_env(&env, &chrome)?;
    let out = proc::cargo_tee(
        &bench_env,
        &[
            "test",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "schet",
            "--profile",
            "wasm-release",
            "--test",
            "render_bench",
            "--",
            "--include-ignored",
            "--nocapture",
        ],
    )?;
    if !out.contains("render  1000 invoices") {
        bail!("the render benchmark printed no result");
    }

    step("service lookup latency (release, loopback)");
    proc::run(&env, "cargo", &["run", "--release", "--quiet", "-p", "schet-server", "--example", "bench_lookup"])?;
    service::scale(&env)?;
    service::load_table(&env)?;

    if !ok {
        bail!("over budget (see OVER BUDGET above)");
    }
    Ok(())
}

/// The release files: raw, gzip -9 and brotli -11 bytes of each, the first view's total and
/// every lazy module with the split modules it is part of.
fn size(dist: &Dist) -> Result<bool> {
    step("size of the release app: every file raw, gzip -9, brotli -11 (what the server sends)");
    // The copies the release build wrote beside each file, which the server sends; a copy
    // is left out where it would not be smaller, and then the file goes as it is.
    let measure = |name: &str| -> Result<(u64, u64, u64)> {
        let len = |file: &str| std::fs::metadata(dist.dir.join(file)).map(|m| m.len());
        let raw = len(name).with_context(|| format!("reading {name}"))?;
        Ok((raw, len(&format!("{name}.gz")).unwrap_or(raw), len(&format!("{name}.br")).unwrap_or(raw)))
    };
    let row = |what: &str, name: &str, (raw, gz, br): (u64, u64, u64)| {
        println!("{what:<14} {name:<44} raw {:>10}  gzip {:>10}  br {:>10}", kb(raw), kb(gz), kb(br));
    };
    let mut first = (0, 0, 0);
    for name in dist.first_view() {
        let m = measure(name)?;
        row("first view", name, m);
        first = (first.0 + m.0, first.1 + m.1, first.2 + m.2);
    }
    row("first view", "(total)", first);
    // Every lazy module but the Russian texts' (src/i18n/languages.rs), which only a reader
    // of Russian loads: the whole app as the Chromium measure below walks it, in English.
    let english = dist.prefetched();
    let mut lazy = (0, 0, 0);
    // What a browser that kept the main module as a dictionary is sent: the `.dcb` copy.
    let mut lazy_dcb = 0;
    for (name, fns) in &dist.chunks {
        let m = measure(name)?;
        row("lazy", name, m);
        let dcb = std::fs::metadata(dist.dir.join(format!("{name}.dcb"))).map(|d| d.len()).ok();
        let dcb_text = dcb.map_or_else(|| "none".to_string(), kb);
        let who = if english.contains(&name.as_str()) { "" } else { "; a reader of Russian only" };
        println!("{:<14}   part of {}; dcb (main module as dictionary) {dcb_text}{who}", "", fns.join(", "));
        if english.contains(&name.as_str()) {
            lazy = (lazy.0 + m.0, lazy.1 + m.1, lazy.2 + m.2);
            lazy_dcb += dcb.unwrap_or(m.2).min(m.2);
        }
    }
    row("lazy", "(total, English)", lazy);
    let all = (first.0 + lazy.0, first.1 + lazy.1, first.2 + lazy.2);
    row("whole app", "(total, English)", all);
    println!("{:<14} {:<44} brotli, lazy modules as dcb: {}", "whole app", "(total, English)", kb(first.2 + lazy_dcb));
    // The budget is what Chromium transfers (measured with headers in the phone section):
    // there the lazy modules come as dcb. A browser without dictionary transport is sent
    // the brotli total above, shown but not held to the budget.
    let whole = first.2 + lazy_dcb;
    let ok =
        against("files of the first view (brotli)", first.2 as f64 / 1000.0, FIRST_VIEW_BUDGET as f64 / 1000.0, "KB")
            & against(
                "files of the whole app (brotli, dcb)",
                whole as f64 / 1000.0,
                WHOLE_APP_BUDGET as f64 / 1000.0,
                "KB",
            );
    Ok(ok)
}
