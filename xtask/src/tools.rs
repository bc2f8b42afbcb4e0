//! Installing what the build and tests need, pinned, from the package registries only.
//!
//! * wasm32 target: rustup.
//! * The release app's toolchain, a pinned nightly with `rust-src` (rustup, profile
//!   minimal): the release wasm is built with the standard library rebuilt for size (see
//!   release.rs). Every other build stays on stable.
//! * Trunk 0.21.14 (`cargo install --locked`; newer ones need a newer rustc).
//! * wasm-bindgen-cli at the version in Cargo.lock (`cargo install` without `--locked`:
//!   its lockfile names a webpki-roots the registry here lacks).
//! * wasm-opt from the npm package binaryen@132.0.0, never Debian's binaryen (108), which
//!   builds an app that shows a blank page.
//! * esbuild from npm (esbuild@0.28.2), which minifies the release app's JS and CSS.
//! * Chromium and chromedriver: Debian's packages, installed with apt when running as root.

use crate::proc::{Env, run};
use crate::proc::{root, step};
use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132.0.0";
pub const ESBUILD_VERSION: &str = "0.28.2";
/// The toolchain of the release wasm: `-Zbuild-std` and `-Cpanic=immediate-abort` are
/// nightly-only. Pinned, so that a build is the same build next month.
pub const RELEASE_TOOLCHAIN: &str = "nightly-2026-05-20";
/// Set in the tools' environment when [`RELEASE_TOOLCHAIN`] is installed.
pub const RELEASE_TOOLCHAIN_VAR: &str = "SCHET_RELEASE_TOOLCHAIN";

/// Flags this machine's headless Chromium needs.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
];

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from)
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME").map_or_else(|| home().join(".cargo"), PathBuf::from).join("bin")
}

/// Where npm-installed tools live, outside the work tree so a fresh clone reuses them.
fn tools_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME").map_or_else(|| home().join(".cache"), PathBuf::from).join("schet-tools")
}

fn binaryen_bin() -> PathBuf {
    tools_dir().join(format!("binaryen-{BINARYEN_VERSION}/node_modules/.bin"))
}

fn esbuild_bin() -> PathBuf {
    tools_dir().join(format!("esbuild-{ESBUILD_VERSION}/node_modules/.bin"))
}

/// `npm install --prefix <tools>/<name>-<version> <name>@<version>`.
fn npm_install(env: &Env, name: &str, version: &str) -> Result<()> {
    if output("npm", &["--version"]).is_none() {
        bail!("npm is needed to install {name} (npm package {name}@{version}); install Node.js and npm");
    }
    let dir = tools_dir().join(format!("{name}-{version}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    println!("installing {name} (npm {name}@{version})");
    let prefix = dir.display().to_string();
    let package = format!("{name}@{version}");
    run(env, "npm", &["install", "--prefix", &prefix, "--no-audit", "--no-fund", &package])
}

/// The pinned nightly and its standard library's source, installed when missing. Where
/// rustup cannot fetch it (a machine that reaches the package registries only), the release
/// wasm is built on stable instead: the same app, about 35 KB of brotli bigger (the bench
/// shows what was built). Returns whether the nightly is there.
fn ensure_release_toolchain() -> bool {
    let has_src = || {
        output("rustup", &["component", "list", "--toolchain", RELEASE_TOOLCHAIN, "--installed"])
            .is_some_and(|list| list.lines().any(|l| l.trim().starts_with("rust-src")))
    };
    if has_src() {
        println!("{RELEASE_TOOLCHAIN} with rust-src: ok");
        return true;
    }
    println!("installing {RELEASE_TOOLCHAIN} with rust-src (the release wasm's toolchain, once)");
    let args = ["toolchain", "install", RELEASE_TOOLCHAIN, "--profile", "minimal", "--component", "rust-src"];
    if run(&Vec::new(), "rustup", &args).is_ok() && has_src() {
        return true;
    }
    println!(
        "WARNING: rustup could not install {RELEASE_TOOLCHAIN}: the release wasm is built on stable, \
         without the standard library rebuilt for size (about 35 KB brotli more; see `cargo xtask bench`)"
    );
    false
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must be the same.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err(anyhow!("Cargo.lock has no wasm-bindgen entry"))
}

/// Installs whatever is missing and returns the environment (PATH first of all) under
/// which Trunk and the release pipeline find the pinned tools and download nothing.
pub fn ensure_build_tools() -> Result<Env> {
    step("checking the toolchain (installing what is missing)");
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        run(&Vec::new(), "rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }

    let path = std::env::var("PATH").unwrap_or_default();
    let path = format!("{}:{}:{}:{path}", binaryen_bin().display(), esbuild_bin().display(), cargo_bin().display());
    let env: Env = vec![
        ("PATH".into(), path),
        ("TRUNK_OFFLINE".into(), "true".into()),
        ("TRUNK_SKIP_VERSION_CHECK".into(), "true".into()),
        ("TRUNK_NO_COLOR".into(), "true".into()),
    ];

    let trunk = cargo_bin().join("trunk");
    let trunk_ok = output(trunk.to_str().unwrap_or("trunk"), &["--version"])
        .is_some_and(|v| v.trim() == format!("trunk {TRUNK_VERSION}"));
    if !trunk_ok {
        println!("installing trunk {TRUNK_VERSION} (several minutes, once)");
        run(&env, "cargo", &["install", "--locked", "trunk", "--version", TRUNK_VERSION])?;
    } else {
        println!("trunk {TRUNK_VERSION}: ok");
    }

    let want = locked_wasm_bindgen()?;
    let wb = cargo_bin().join("wasm-bindgen");
    let wb_ok = output(wb.to_str().unwrap_or("wasm-bindgen"), &["--version"])
        .is_some_and(|v| v.split_whitespace().nth(1) == Some(want.as_str()));
    let runner_ok = cargo_bin().join("wasm-bindgen-test-runner").is_file();
    if !(wb_ok && runner_ok) {
        println!("installing wasm-bindgen-cli {want} (a few minutes, once)");
        run(&env, "cargo", &["install", "wasm-bindgen-cli", "--version", &want, "--force"])?;
    } else {
        println!("wasm-bindgen {want}: ok");
    }

    let wasm_opt = binaryen_bin().join("wasm-opt");
    let opt_ok = output(wasm_opt.to_str().unwrap_or("wasm-opt"), &["--version"])
        .is_some_and(|v| v.contains(&format!("version {}", BINARYEN_VERSION.split('.').next().unwrap_or(""))));
    if !opt_ok {
        npm_install(&env, "binaryen", BINARYEN_VERSION)?;
    } else {
        println!("wasm-opt {BINARYEN_VERSION}: ok");
    }
    let esbuild = esbuild_bin().join("esbuild");
    if output(esbuild.to_str().unwrap_or("esbuild"), &["--version"]).is_some_and(|v| v.trim() == ESBUILD_VERSION) {
        println!("esbuild {ESBUILD_VERSION}: ok");
    } else {
        npm_install(&env, "esbuild", ESBUILD_VERSION)?;
    }
    let mut env = env;
    if ensure_release_toolchain() {
        env.push((RELEASE_TOOLCHAIN_VAR.into(), RELEASE_TOOLCHAIN.into()));
    }
    // Download every crate now: Trunk runs cargo with --offline.
    run(&env, "cargo", &["fetch"])?;
    Ok(env)
}

pub struct Chrome {
    pub browser: PathBuf,
    pub driver: PathBuf,
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|s| s.trim() == "0")
}

/// Chromium and chromedriver, installed from Debian's packages when missing and root;
/// otherwise a clear error (browser tests are never skipped).
pub fn ensure_chromium() -> Result<Chrome> {
    let browser = PathBuf::from("/usr/bin/chromium");
    let driver = std::env::var_os("CHROMEDRIVER").map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from);
    let present = |p: &Path| p.is_file();
    if !(present(&browser) && present(&driver)) {
        if !is_root() {
            bail!(
                "browser tests need Chromium and chromedriver: install Debian's packages \
                 `chromium` and `chromium-driver` (sudo apt-get install -y chromium chromium-driver), \
                 then run `cargo xtask test` again"
            );
        }
        step("installing chromium and chromium-driver (apt)");
        let env = vec![("DEBIAN_FRONTEND".to_string(), "noninteractive".to_string())];
        run(&env, "apt-get", &["update"])?;
        run(&env, "apt-get", &["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"])?;
        if !(present(&browser) && present(&driver)) {
            bail!("apt installed chromium, but /usr/bin/chromium or chromedriver is missing");
        }
    }
    let v = output(browser.to_str().unwrap_or_default(), &["--version"]).unwrap_or_default();
    println!("{}: ok", v.lines().last().unwrap_or("chromium").trim());
    Ok(Chrome { browser, driver })
}

/// Capabilities for wasm-bindgen-test-runner: this machine's Chromium and its flags.
pub fn webdriver_json(chrome: &Chrome) -> Result<PathBuf> {
    let args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| format!("\"{}\"", f.trim_start_matches('-'))).collect();
    let json = format!(
        "{{\"goog:chromeOptions\": {{\"binary\": \"{}\", \"args\": [{}]}}}}",
        chrome.browser.display(),
        args.join(", ")
    );
    let path = root().join("target/webdriver.json");
    std::fs::create_dir_all(root().join("target")).context("creating target/")?;
    std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The environment for `cargo test --target wasm32-unknown-unknown`: the build tools, and
/// chromedriver driving this machine's Chromium with its flags.
pub fn browser_test_env(env: &Env, chrome: &Chrome) -> Result<Env> {
    let mut test_env = env.clone();
    test_env.push(("CHROMEDRIVER".into(), chrome.driver.display().to_string()));
    test_env.push(("WASM_BINDGEN_TEST_WEBDRIVER_JSON".into(), webdriver_json(chrome)?.display().to_string()));
    Ok(test_env)
}
