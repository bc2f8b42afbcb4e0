//! The release build of the web app: what `cargo xtask run` serves and what the benchmarks
//! and the release smoke test load. Trunk cannot split wasm, so this pipeline replaces it
//! for release (Trunk stays the dev build):
//!
//! 1. `cargo build` for wasm32 with the `wasm-release` profile, feature `split`, and
//!    `--emit-relocs` (the splitter needs the relocations), on the pinned nightly with the
//!    standard library rebuilt for size (`-Zbuild-std`, `-Cpanic=immediate-abort`);
//! 2. `wasm_split_cli_support` cuts the module at every `#[lazy]` function: a main module,
//!    one module per `wasm_split` module name (the app uses two: `transport`, the gRPC
//!    client, fetched on the first call, and `screens`, everything else; per-screen
//!    modules were measured at 542 KB brotli for the whole app against 446 KB, as every
//!    module repeats what it needs and compresses alone), chunks shared between modules
//!    (here the gRPC client, which the live stream in `screens` uses too), and a JS loader
//!    (bundled into the page's script in step 4);
//! 3. wasm-bindgen on the main module (`--keep-lld-exports`: the split modules link
//!    against its exports), then `wasm-opt -Oz` on every module, and its functions sorted by
//!    type and body for brotli ([`crate::order`]);
//! 4. boot.js, wasm-bindgen's glue and the split loader bundled into one script and the CSS
//!    minified, by esbuild; content-hashed names (served `immutable`), index.html with preload hints for the
//!    first view's files and the lazy modules listed for boot.js to prefetch when idle;
//! 5. brotli (-11) and gzip (-9) copies beside each file (`.br`, `.gz`), which the server
//!    sends when the browser accepts them; and beside each lazy module a `.dcb` copy,
//!    brotli with the main wasm module as its dictionary ([`crate::dcb`]), which the server
//!    sends to a browser that has kept the main module as a dictionary.

use crate::proc::{self, Env};
use crate::proc::{root, step};
use crate::{compress, dcb};
use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The loader module's name: the main wasm imports from it by this name, and wasm-bindgen's
/// glue imports it as this file, bundled with it (the page's one script).
const LOADER_NAME: &str = "split.________________.js";
const HASH_LEN: usize = 16;

/// The split module of the gRPC transport, as the app names it in `api::wire` (see
/// [`Dist::is_transport`]).
const TRANSPORT_MODULE: &str = "transport";

/// What the release build produced, by role. Names are file names inside `dir`.
pub struct Dist {
    pub dir: PathBuf,
    pub index: String,
    /// The page's one script: boot.js, wasm-bindgen's glue and the split loader.
    pub js: String,
    pub css: String,
    pub main_wasm: String,
    /// The lazily loaded modules: file name → the split modules (`wasm_split` names: `screens`,
    /// `transport`) whose code it holds.
    pub chunks: BTreeMap<String, Vec<String>>,
}

/// The split module of the Russian texts, as the app names it in `src/i18n/languages.rs`
/// (see [`Dist::is_russian`]).
const RUSSIAN_MODULE: &str = "ru";

impl Dist {
    /// Everything the browser needs before the first (non-lazy) screen can render.
    pub fn first_view(&self) -> Vec<&str> {
        vec![&self.index, &self.css, &self.js, &self.main_wasm]
    }

    /// Whether the lazy module `file` holds code of the gRPC transport (the app's split
    /// module `transport`): fetched on the app's first call, so alongside the first view,
    /// unlike the screens' code, which waits until the first view has settled.
    pub fn is_transport(&self, file: &str) -> bool {
        self.chunks.get(file).is_some_and(|splits| splits.iter().any(|s| s == TRANSPORT_MODULE))
    }

    /// Whether the lazy module `file` holds code of the Russian texts (the app's split module
    /// `ru`): fetched alongside the first view for a reader of Russian only.
    pub fn is_russian(&self, file: &str) -> bool {
        self.chunks.get(file).is_some_and(|splits| splits.iter().any(|s| s == RUSSIAN_MODULE))
    }

    /// The lazy modules boot.js prefetches once the first view has settled: all but those of
    /// the Russian texts alone (a reader of Russian gets them at once, from boot.js).
    pub fn prefetched(&self) -> Vec<&str> {
        let russian_only = |splits: &Vec<String>| splits.iter().all(|s| s == RUSSIAN_MODULE);
        self.chunks.iter().filter(|(_, splits)| !russian_only(splits)).map(|(file, _)| file.as_str()).collect()
    }
}

fn hash_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect::<String>()[..HASH_LEN].to_string()
}

/// `name.ext` → `name.<hash>.ext`.
fn hashed_name(stem: &str, ext: &str, bytes: &[u8]) -> String {
    format!("{stem}.{}.{ext}", hash_of(bytes))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Builds the split release app into `dist/` and returns what it holds.
pub fn build(env: &Env) -> Result<Dist> {
    step("building the web app (release: split, hashed, precompressed)");
    let started = Instant::now();
    let work = root().join("target/xtask-release");
    let _ = std::fs::remove_dir_all(&work);
    let (split_dir, bindgen_dir) = (work.join("split"), work.join("bindgen"));
    for d in [&split_dir, &bindgen_dir] {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }

    // 1. The wasm, with relocations for the splitter. `--config` appends to the rustflags
    // of .cargo/config.toml (`--cfg erase_components`) instead of replacing them. On the
    // pinned nightly, the standard library is rebuilt with the app: a panic aborts at once
    // (no message formatting, no unwinding tables) and carries no file/line strings. That
    // takes 23 KB (11%) of brotli off the main module and 12 KB off the lazy ones, measured.
    // A derived `Debug` prints only the type's or variant's name (`-Zfmt-debug=shallow`):
    // no text a user reads comes from one (the app formats a fieldless `Code` only, the same
    // either way; its dependencies' errors are `Display`), and the gRPC chunk is 0.9 KB
    // smaller, 1.2 KB for the whole app, measured. Hand-written `Debug` is unchanged.
    // Without the nightly (tools.rs: rustup could not fetch it), the same build on stable.
    let nightly = env.iter().find(|(k, _)| k == crate::tools::RELEASE_TOOLCHAIN_VAR).map(|(_, v)| format!("+{v}"));
    let mut args: Vec<&str> = Vec::new();
    if let Some(toolchain) = &nightly {
        // `optimize_for_size`: the standard library's smaller variants (sorting, formatting):
        // 4.5 KB brotli less for the whole app, measured.
        args.extend([
            toolchain.as_str(),
            "build",
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
        ]);
    } else {
        args.push("build");
    }
    args.extend([
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
        "-p",
        "schet",
        "--bin",
        "schet",
        "--features",
        "split",
        "--config",
    ]);
    args.push(if nightly.is_some() {
        "target.wasm32-unknown-unknown.rustflags=[\"-Clink-args=--emit-relocs\", \"-Zunstable-options\", \"-Cpanic=immediate-abort\", \"-Zlocation-detail=none\", \"-Zfmt-debug=shallow\"]"
    } else {
        "target.wasm32-unknown-unknown.rustflags=[\"-Clink-args=--emit-relocs\"]"
    });
    proc::cargo(env, &args)?;
    let input = read(&root().join("target/wasm32-unknown-unknown/wasm-release/schet.wasm"))?;
    let built = started.elapsed();

    // 2. Split at the #[lazy] functions.
    let main_split = split_dir.join("schet_split.wasm");
    let link_name = format!("./{LOADER_NAME}");
    let split = {
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = &split_dir;
        opts.main_out_path = &main_split;
        opts.main_module = "./schet.js";
        opts.link_name = &link_name;
        wasm_split_cli_support::transform(opts).map_err(|e| anyhow::anyhow!("splitting the wasm: {e:#}"))?
    };
    ensure!(!split.split_modules.is_empty(), "the splitter found no #[lazy] function: is feature `split` on?");

    // 3. Bindings for the main module, then wasm-opt on every module.
    let bindgen_dir_arg = bindgen_dir.display().to_string();
    proc::run(
        env,
        "wasm-bindgen",
        &[
            "--target=web",
            "--no-typescript",
            "--keep-lld-exports",
            "--no-demangle",
            "--out-name=schet",
            &format!("--out-dir={bindgen_dir_arg}"),
            &main_split.display().to_string(),
        ],
    )?;
    let main_wasm_path = bindgen_dir.join("schet_bg.wasm");
    let mut modules = vec![main_wasm_path.clone()];
    modules.extend(split.split_modules.iter().cloned());
    // Then each module's functions sorted by type, size class and body (order.rs: renumbered by wasm-opt,
    // which reads the features from `target_features`, so that is stripped only then, with
    // the toolchain's other custom section, `producers`: both are for tools only).
    for module in &modules {
        let m = module.display().to_string();
        proc::run(env, "wasm-opt", &["-Oz", &m, &format!("--output={m}")])?;
        write(module, &crate::order::sort_keys(&read(module)?)?)?;
        let strip = ["--strip-debug", "--strip-producers", "--strip-target-features"];
        proc::run(
            env,
            "wasm-opt",
            &["--reorder-functions-by-name", strip[0], strip[1], strip[2], &m, &format!("--output={m}")],
        )?;
    }
    // Short names for the links between the main wasm and its glue (names.rs).
    let glue = bindgen_dir.join("schet.js");
    let js = String::from_utf8(read(&glue)?).context("schet.js is not UTF-8")?;
    let (wasm, js) = crate::names::shorten(&read(&main_wasm_path)?, &js)?;
    write(&glue, js.as_bytes())?;
    write(&main_wasm_path, &wasm)?;
    let optimised = started.elapsed();

    // 4. Content-hashed names. Chunks first (the loader names them), then the page's one
    // script (the loader is in it), the main wasm and the CSS.
    let dist = root().join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&dist).context("creating dist/")?;
    let mut link_js =
        String::from_utf8(read(&split_dir.join(LOADER_NAME))?).context("the split loader is not UTF-8")?;
    let mut chunks = BTreeMap::new();
    let mut chunk_names = BTreeMap::new();
    for module in &split.split_modules {
        let stem = module.file_stem().and_then(|s| s.to_str()).context("chunk name")?.to_string();
        let bytes = read(module)?;
        ensure!(
            !bytes.windows(LOADER_NAME.len()).any(|w| w == LOADER_NAME.as_bytes()),
            "{stem}.wasm names the split loader (only the main module may)"
        );
        // Every lazy module is named `split_*` (the splitter's shared chunks `chunk_N` too):
        // the server names them so for the browser (`Use-As-Dictionary`).
        let prefixed =
            if stem.starts_with(dcb::LAZY_PREFIX) { stem.clone() } else { format!("{}{stem}", dcb::LAZY_PREFIX) };
        let name = hashed_name(&prefixed, "wasm", &bytes);
        let quoted = format!("\"./{stem}.wasm\"");
        ensure!(link_js.contains(&quoted), "the split loader does not name {stem}.wasm");
        link_js = link_js.replace(&quoted, &format!("\"./{name}\""));
        write(&dist.join(&name), &bytes)?;
        chunk_names.insert(stem, name);
    }
    for (lazy_fn, stems) in &split.prefetch_map {
        for stem in stems {
            let name = chunk_names.get(stem).with_context(|| format!("the manifest names an unknown chunk {stem}"))?;
            chunks.entry(name.clone()).or_insert_with(Vec::new).push(lazy_fn.clone());
        }
    }
    for fns in chunks.values_mut() {
        fns.sort();
    }
    // One JS file for the page (`schet.<hash>.js`): boot.js, wasm-bindgen's glue and the
    // split loader, bundled by esbuild. Three files were three responses: bundled, 0.75 KB
    // less of the whole app (measured). The glue and the loader import each other by the
    // names they were made with, which the main wasm's imports keep too.
    let main_js = String::from_utf8(read(&bindgen_dir.join("schet.js"))?).context("schet.js is not UTF-8")?;
    ensure!(main_js.contains(LOADER_NAME), "wasm-bindgen's JS does not import the split loader");
    ensure!(link_js.contains("\"./schet.js\""), "the split loader does not import ./schet.js");
    let work = root().join("target/xtask-release/bundle");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).context("creating the bundle's folder")?;
    write(&work.join("schet.js"), main_js.as_bytes())?;
    write(&work.join(LOADER_NAME), link_js.as_bytes())?;
    std::fs::copy(root().join("boot.js"), work.join("boot.js")).context("copying boot.js")?;
    // boot.js starts the app through `globalThis.__schetInit` when the page's JS has it
    // (here), else by importing the glue its tag names (Trunk's dev build). Imports run in
    // order: the glue is evaluated before boot.js.
    write(&work.join("register.js"), b"import init from \"./schet.js\";\nglobalThis.__schetInit = init;\n")?;
    write(&work.join("entry.js"), b"import \"./register.js\";\nimport \"./boot.js\";\n")?;
    let js = bundle(env, &work.join("entry.js"))?.into_bytes();
    let js_final = hashed_name("schet", "js", &js);
    let main_wasm = read(&main_wasm_path)?;
    let main_wasm_final = hashed_name("schet_bg", "wasm", &main_wasm);
    write(&dist.join(&js_final), &js)?;
    write(&dist.join(&main_wasm_final), &main_wasm)?;
    let css = std::fs::read_to_string(root().join("style/main.css")).context("reading style/main.css")?;
    let css = minify_css(env, &css)?.into_bytes();
    let css_final = hashed_name("main", "css", &css);
    write(&dist.join(&css_final), &css)?;

    let out = Dist {
        dir: dist.clone(),
        index: "index.html".into(),
        js: js_final,
        css: css_final,
        main_wasm: main_wasm_final,
        chunks,
    };
    write(&dist.join("index.html"), index_html(&out)?.as_bytes())?;

    // 5. Precompressed copies.
    for entry in std::fs::read_dir(&dist).context("listing dist/")? {
        let path = entry.context("listing dist/")?.path();
        precompress(&path)?;
    }
    let lazy: Vec<&str> = out.chunks.keys().map(String::as_str).collect();
    for s in dcb::write_copies(&dist, &out.main_wasm, &lazy)? {
        let kept = if s.dcb < s.br { "" } else { " (not kept: no smaller)" };
        // No `.br` copy where brotli made nothing smaller (a module of a few bytes).
        let br = if s.br == u64::MAX { "-".to_string() } else { format!("{} B", s.br) };
        println!("{:<44} br {br:>11}  dcb {:>9} B{kept}", s.file, s.dcb);
    }
    let total = started.elapsed();
    println!(
        "release app in {}: cargo {:.0} s, split + bindgen + wasm-opt {:.0} s, hashing + compression {:.0} s ({} lazy modules)",
        dist.display(),
        built.as_secs_f64(),
        (optimised - built).as_secs_f64(),
        (total - optimised).as_secs_f64(),
        out.chunks.len()
    );
    Ok(out)
}

/// index.html from the Trunk source (same CSP and meta tags), with Trunk's directives
/// replaced by the built files. The first view's files are preloaded so that they download
/// in parallel with boot.js instead of one after another; the lazy modules are listed for
/// boot.js to prefetch once the page is idle, and the Russian texts' for it to fetch at once
/// for a reader of Russian.
fn index_html(files: &Dist) -> Result<String> {
    let source = std::fs::read_to_string(root().join("index.html")).context("reading index.html")?;
    ensure!(source.contains("</head>"), "index.html has no </head>");
    let kept: Vec<&str> = source.lines().filter(|l| !l.contains("data-trunk")).collect();
    let mut html = kept.join("\n");
    html.push('\n');
    let tags = format!(
        r#"    <link rel="stylesheet" href="/{css}" />
    <link rel="preload" href="/{main_wasm}" as="fetch" type="application/wasm" crossorigin />
    <script type="module" src="/{js}" data-schet-js="/{js}" data-schet-wasm="/{main_wasm}" data-schet-prefetch="{prefetch}" data-schet-ru="{russian}"></script>
  </head>"#,
        css = files.css,
        js = files.js,
        main_wasm = files.main_wasm,
        prefetch = files.prefetched().iter().map(|c| format!("/{c}")).collect::<Vec<_>>().join(" "),
        russian =
            files.chunks.keys().filter(|c| files.is_russian(c)).map(|c| format!("/{c}")).collect::<Vec<_>>().join(" "),
    );
    html = html.replacen("  </head>", &tags, 1);
    if !html.contains(&files.js) {
        bail!("index.html: expected a line `  </head>` to put the app's tags before");
    }
    Ok(html)
}

/// CSS minified by esbuild: whitespace and comments dropped. (The JS is minified as it is
/// bundled, [`bundle`].)
fn minify_css(env: &Env, source: &str) -> Result<String> {
    let mut command = esbuild(env);
    command.arg("--loader=css");
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("cannot run esbuild (installed by `cargo xtask` under ~/.cache/schet-tools)")?;
    let mut stdin = child.stdin.take().context("esbuild's stdin")?;
    let input = source.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().context("waiting for esbuild")?;
    writer.join().map_err(|_| anyhow::anyhow!("writing to esbuild"))?.context("writing to esbuild")?;
    ensure!(out.status.success(), "esbuild failed to minify the CSS ({})", out.status);
    String::from_utf8(out.stdout).context("esbuild's output is not UTF-8")
}

/// esbuild, minifying, quiet unless something is wrong.
fn esbuild(env: &Env) -> std::process::Command {
    let mut command = std::process::Command::new("esbuild");
    command.args(["--minify", "--log-level=warning"]);
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

/// An ES module. wasm-bindgen imports the split loader twice (`import * as` two names) and
/// lists both under one key of the imports object: the same module namespace, so which one
/// wins does not matter, and esbuild's warning about it is noise.
const ES_MODULE: [&str; 2] = ["--format=esm", "--log-override:duplicate-object-key=silent"];

/// The ES module `entry` and all it imports, as one minified module: names local to a
/// module shortened, whitespace and comments dropped (wasm-bindgen's glue alone went from
/// 71.7 to 32.9 KB, 9.5 → 7.4 KB brotli).
fn bundle(env: &Env, entry: &Path) -> Result<String> {
    let out = esbuild(env)
        .arg("--bundle")
        .args(ES_MODULE)
        .arg(entry)
        .output()
        .context("cannot run esbuild (installed by `cargo xtask` under ~/.cache/schet-tools)")?;
    ensure!(
        out.status.success(),
        "esbuild failed to bundle {}: {}",
        entry.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).context("esbuild's output is not UTF-8")
}

/// Writes `file.br` and `file.gz` beside `file` when they are smaller.
fn precompress(path: &Path) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    if !matches!(ext, "html" | "js" | "css" | "wasm") {
        return Ok(());
    }
    let bytes = read(path)?;
    let br = compress::brotli(&bytes, &[]).with_context(|| format!("{}.br", path.display()))?;
    if br.len() < bytes.len() {
        write(&PathBuf::from(format!("{}.br", path.display())), &br)?;
    }
    let gz = compress::gzip(&bytes);
    if gz.len() < bytes.len() {
        write(&PathBuf::from(format!("{}.gz", path.display())), &gz)?;
    }
    Ok(())
}
