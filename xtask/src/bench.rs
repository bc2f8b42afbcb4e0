//! `cargo xtask bench`: the budgets, measured. Figures are reported as ratios to the budget,
//! measured in one run.

use crate::{Result, root, step, tools};
use flate2::{Compression, write::GzEncoder};
use std::io::Write;

const WASM_GZIP_BUDGET: u64 = 250 * 1024;
const JS_GZIP_BUDGET: u64 = 20 * 1024;

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes).expect("in-memory gzip");
    enc.finish().expect("in-memory gzip").len() as u64
}

pub fn bench() -> Result {
    let env = tools::ensure_build_tools()?;
    tools::build_app_release(&env)?;
    step("size of the release app (gzip -9)");
    let dist = root().join("dist");
    let (mut wasm, mut js) = ((0u64, 0u64), (0u64, 0u64));
    for entry in std::fs::read_dir(&dist).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let slot = if name.ends_with(".wasm") {
            &mut wasm
        } else if name.ends_with(".js") {
            &mut js
        } else {
            continue;
        };
        slot.0 += bytes.len() as u64;
        slot.1 += gzip_len(&bytes);
    }
    let line = |what: &str, (raw, gz): (u64, u64), budget: u64| {
        println!(
            "{what:<5} raw {:>7.1} KiB  gzip {:>6.1} KiB  budget {:>5.1} KiB  ratio {:.2}{}",
            raw as f64 / 1024.0,
            gz as f64 / 1024.0,
            budget as f64 / 1024.0,
            gz as f64 / budget as f64,
            if gz > budget { "  OVER BUDGET" } else { "" }
        );
        gz <= budget
    };
    let ok = line("wasm", wasm, WASM_GZIP_BUDGET) & line("js", js, JS_GZIP_BUDGET);

    step("1,000 invoices rendered: the app's list against plain DOM code (release, Chromium)");
    let chrome = tools::ensure_chromium()?;
    let mut bench_env = env.clone();
    bench_env.push(("CHROMEDRIVER".into(), chrome.driver.display().to_string()));
    bench_env.push(("WASM_BINDGEN_TEST_WEBDRIVER_JSON".into(), tools::webdriver_json(&chrome)?.display().to_string()));
    let out = crate::proc::cargo_tee(
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
        return Err("the render benchmark printed no result".into());
    }

    step("service lookup latency (release, loopback)");
    crate::proc::run(
        &env,
        "cargo",
        &["run", "--release", "--quiet", "-p", "schet-server", "--example", "bench_lookup"],
    )?;
    crate::service_bench::scale(&env)?;
    crate::service_bench::load_table(&env)?;

    if ok { Ok(()) } else { Err("the release app is over its size budget".into()) }
}
