//! The transport: `GetInvoices` of 100 invoices over gRPC-web against the same data as JSON
//! from the same server (`server/examples/bench_transport.rs`, a bench-only JSON route),
//! measured in the browser by `tests/transport_bench.rs`.

use crate::proc::{self, Env, LiveServer};
use crate::proc::{root, step};
use crate::tools::{self, Chrome};
use anyhow::{Result, bail};

pub fn transport(env: &Env, chrome: &Chrome) -> Result<bool> {
    step("the transport: GetInvoices of 100 invoices, gRPC-web against JSON (release, Chromium)");
    let server =
        LiveServer::start_program(&root().join("target/release/examples/bench_transport"), &[], "bench-transport")?;
    let mut bench_env = tools::browser_test_env(env, chrome)?;
    bench_env.push(("SCHET_BENCH_ENDPOINT".into(), server.url.clone()));
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
            "transport_bench",
            "--",
            "--include-ignored",
            "--nocapture",
        ],
    );
    drop(server);
    let out = out?;
    if !out.contains("transport  GetInvoices") {
        bail!("the transport benchmark printed no result");
    }
    // Information, not a budget: the check is that gRPC-web is not the heavier of the two.
    Ok(true)
}
