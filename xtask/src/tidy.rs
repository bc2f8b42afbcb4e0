//! `cargo xtask tidy`: the rules ARCHITECTURE.md states, checked.
//!
//! * Every path the document names exists. A path is an inline code span (`` `...` ``) made
//!   of path characters that ends in a file extension, ends in `/` (a folder), or is a glob
//!   with a `/`. It is looked up from the workspace root (`../` from its parent), else as the
//!   tail of a path in the workspace (`views/invoice.rs` for `src/views/invoice.rs`). Build
//!   output (`target/`, `dist/`) counts as present. In a fenced block (the code map's tree),
//!   the names in the first column are paths: at the margin from the root, indented ones
//!   inside the folder named last at the margin.
//! * Views never import `app` or each other: no file under `src/views/` names `crate::app`,
//!   another view's module (`crate::views::other`, `super::other`), or `use_profile` from
//!   `app`.
//! * Only `server/src/service/` writes SQL: elsewhere in `server/src/` (outside `#[cfg(test)]`
//!   code) no SQL statement (SELECT … FROM, INSERT … INTO, UPDATE … SET, DELETE FROM,
//!   REPLACE INTO) and no `sqlx::query*`. `db/`, the one door to the database, may run
//!   SQL (what `service/` wrote, the advisory lock of a job) but writes no statement, with
//!   two exceptions: `db/stmt.rs` holds the dialects' glue of `sql!` (an id list: SQLite's
//!   `json_each`, PostgreSQL's `ANY`), and `db/migrate.rs` runs the migrations
//!   (`server/migrations/*/*.sql`) and keeps their version (`PRAGMA user_version`,
//!   `schema_version`).
//! * `api` imports nothing of Leptos: schet-api's dependency tree (normal dependencies, every
//!   feature) holds no `leptos*` crate, and its source names none.
//! * No Rust file in the workspace (the app, its tests, `api`, `model`, the service and its
//!   tests, `xtask`) has more than 500 lines.

use crate::proc::{root, step};
use anyhow::{Context, Result, bail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub const MAX_LINES: usize = 500;

pub fn tidy() -> Result<()> {
    step("tidy: ARCHITECTURE.md's paths and invariants, file sizes");
    let root = root();
    let mut problems = Vec::new();
    let files = workspace_files(&root)?;

    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).context("reading ARCHITECTURE.md")?;
    let mut named = doc_paths(&doc);
    named.extend(tree_paths(&doc));
    for path in &named {
        if !path_exists(&root, &files, path) {
            problems.push(format!("ARCHITECTURE.md names `{path}`, which does not exist"));
        }
    }
    println!("ARCHITECTURE.md names {} paths", named.len());

    for file in files.iter().filter(|f| f.starts_with("src/views/") && f.ends_with(".rs")) {
        let text = std::fs::read_to_string(root.join(file)).with_context(|| format!("reading {file}"))?;
        for (line, what) in view_imports(file, &text) {
            problems.push(format!("{file}:{line}: a view imports {what} (views never import `app` or each other)"));
        }
    }

    for file in files.iter().filter(|f| f.starts_with("server/src/") && f.ends_with(".rs")) {
        if file.starts_with("server/src/service/") {
            continue;
        }
        let text = std::fs::read_to_string(root.join(file)).with_context(|| format!("reading {file}"))?;
        for (line, what) in sql_outside_service(file, &text) {
            problems.push(format!("{file}:{line}: {what} (only server/src/service/ writes SQL)"));
        }
    }

    for crate_name in leptos_in_api(&root)? {
        problems.push(format!("schet-api depends on {crate_name} (`api` imports nothing of Leptos)"));
    }
    for file in files.iter().filter(|f| f.starts_with("api/") && f.ends_with(".rs")) {
        let text = std::fs::read_to_string(root.join(file)).with_context(|| format!("reading {file}"))?;
        for (n, line) in code_lines(&text) {
            if words(line).iter().any(|w| w.starts_with("leptos")) {
                problems.push(format!("{file}:{n}: names Leptos (`api` imports nothing of Leptos)"));
            }
        }
    }

    for file in files.iter().filter(|f| f.ends_with(".rs")) {
        let lines =
            std::fs::read_to_string(root.join(file)).with_context(|| format!("reading {file}"))?.lines().count();
        if lines > MAX_LINES {
            problems.push(format!("{file}: {lines} lines (at most {MAX_LINES}: split it by concern)"));
        }
    }

    for p in &problems {
        println!("tidy: {p}");
    }
    if !problems.is_empty() {
        bail!("tidy found {} problems", problems.len());
    }
    println!("tidy: all checks pass");
    Ok(())
}

/// Every file in the workspace (relative, `/`-separated), without build output and VCS data.
fn workspace_files(root: &Path) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if rel.as_os_str().is_empty() && matches!(name.as_str(), "target" | "dist" | ".git" | "screenshots") {
                continue;
            }
            let path = rel.join(&name);
            if entry.file_type()?.is_dir() {
                out.insert(format!("{}/", path.display()));
                stack.push(path);
            } else {
                out.insert(path.display().to_string());
            }
        }
    }
    Ok(out)
}

const EXTENSIONS: &[&str] =
    &["rs", "toml", "md", "proto", "js", "html", "css", "sql", "json", "lock", "txt", "yml", "yaml", "sh"];

/// The paths named in inline code spans outside fenced blocks.
pub fn doc_paths(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let Some(span) = parts.next() {
            if looks_like_path(span) {
                out.push(span.to_string());
            }
            parts.next();
        }
    }
    out.sort();
    out.dedup();
    out
}

fn looks_like_path(s: &str) -> bool {
    if s.is_empty() || s.starts_with('/') || s.starts_with('-') || s.contains("://") {
        return false;
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/*".contains(c)) {
        return false;
    }
    let last = s.rsplit('/').next().unwrap_or_default();
    let has_ext = last.rsplit_once('.').is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext));
    s.ends_with('/') || (s.contains('*') && s.contains('/')) || has_ext
}

/// The first-column names of fenced blocks, as paths from the root: `api/` at the margin,
/// then `rpc.rs` indented below it is `api/…/rpc.rs`, written `api/*/rpc.rs` (a tail match
/// inside `api/`).
pub fn tree_paths(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut folder = String::new();
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            folder.clear();
            continue;
        }
        if !fenced || line.trim().is_empty() {
            continue;
        }
        let indented = line.starts_with(' ');
        let body = line.trim_start();
        let column = body.split("  ").next().unwrap_or_default();
        let names: Vec<&str> = column.split([',', ' ']).map(str::trim).filter(|n| !n.is_empty()).collect();
        // A description running on to the next line is words, not a list of names.
        if names.is_empty() || !names.iter().all(|n| looks_like_path(n)) {
            continue;
        }
        for name in names {
            if !indented {
                if name.ends_with('/') {
                    folder = name.to_string();
                }
                out.push(name.to_string());
            } else if !folder.is_empty() {
                out.push(format!("{folder}**/{name}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Build output, present only after a build.
const GENERATED: &[&str] = &["target/", "dist/"];

fn path_exists(root: &Path, files: &BTreeSet<String>, path: &str) -> bool {
    if GENERATED.iter().any(|g| path.starts_with(g)) {
        return true;
    }
    if let Some((folder, name)) = path.split_once("**/") {
        return files
            .iter()
            .any(|f| f.starts_with(folder) && (f == &format!("{folder}{name}") || f.ends_with(&format!("/{name}"))));
    }
    if let Some(outside) = path.strip_prefix("../") {
        return root.parent().is_some_and(|p| p.join(outside).exists());
    }
    if path.contains('*') {
        return files.iter().any(|f| glob_match(path, f) || f.rsplit_once('/').is_some() && tail_glob(path, f));
    }
    files.contains(path) || files.iter().any(|f| f.ends_with(&format!("/{path}")))
}

fn tail_glob(pattern: &str, file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    (1..parts.len()).any(|i| glob_match(pattern, &parts[i..].join("/")))
}

/// `*` matches within one path segment.
fn glob_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else { return false };
            (0..=rest.len())
                .take_while(|&i| i == 0 || !rest[..i].contains('/'))
                .any(|i| rest.is_char_boundary(i) && glob_match(tail, &rest[i..]))
        }
    }
}

/// Lines of code: numbered from 1, line comments removed, stopping at `#[cfg(test)]`.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let code = match line.find("// ") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        };
        out.push((i + 1, code));
    }
    out
}

fn words(line: &str) -> Vec<&str> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect()
}

/// (line, what) for every import of `app` or of another view in a file under src/views/.
pub fn view_imports(file: &str, text: &str) -> Vec<(usize, String)> {
    let rel = file.trim_start_matches("src/views/");
    let own = rel.split('/').next().unwrap_or_default().trim_end_matches(".rs");
    let nested = rel.contains('/');
    let mut out = Vec::new();
    for (n, line) in code_lines(text) {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains("crate::app") {
            out.push((n, "`crate::app`".to_string()));
        }
        let mut rest = compact.as_str();
        while let Some(at) = rest.find("crate::views::") {
            rest = &rest[at + "crate::views::".len()..];
            for module in imported_modules(rest) {
                if module != own {
                    out.push((n, format!("the view `{module}`")));
                }
            }
        }
        // `super::x` inside src/views/*.rs is a sibling view (in a view's own folder, it is
        // the view itself).
        if !nested {
            let mut rest = compact.as_str();
            while let Some(at) = rest.find("super::") {
                rest = &rest[at + "super::".len()..];
                for module in imported_modules(rest) {
                    if module != own {
                        out.push((n, format!("the view `{module}`")));
                    }
                }
            }
        }
    }
    out
}

/// The first path segment(s) after `…::`: `chat::X` → [chat]; `{chat,secrets::Y}` → [chat, secrets].
fn imported_modules(after: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    if let Some(group) = after.strip_prefix('{') {
        let mut depth = 1;
        let mut end = group.len();
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let mut mods = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        let inner = &group[..end];
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    mods.push(ident(&inner[start..i]));
                    start = i + 1;
                }
                _ => {}
            }
        }
        mods.push(ident(&inner[start..]));
        mods.into_iter().filter(|m| !m.is_empty() && m != "self").collect()
    } else {
        let m = ident(after);
        if m.is_empty() { vec![] } else { vec![m] }
    }
}

/// (line, what) for SQL in a server file outside service/.
pub fn sql_outside_service(file: &str, text: &str) -> Vec<(usize, String)> {
    let migrations_home = file == "server/src/db/migrate.rs" || file == "server/src/db/stmt.rs";
    let door = file.starts_with("server/src/db/");
    let mut out = Vec::new();
    for (n, line) in code_lines(text) {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let query_call = ["sqlx::query", "sqlx::raw_sql"].iter().any(|p| compact.contains(p));
        if query_call && !door {
            out.push((n, "runs SQL".to_string()));
            continue;
        }
        if let Some(statement) = sql_statement(line)
            && !migrations_home
        {
            out.push((n, format!("SQL {statement} statement")));
        }
    }
    out
}

fn sql_statement(line: &str) -> Option<&'static str> {
    let w = words(line);
    let after = |i: usize, want: &str, within: usize| w.iter().skip(i + 1).take(within).any(|x| *x == want);
    for (i, word) in w.iter().enumerate() {
        match *word {
            "SELECT" if w[i + 1..].contains(&"FROM") => return Some("SELECT"),
            "INSERT" if after(i, "INTO", 3) => return Some("INSERT"),
            "UPDATE" if after(i, "SET", 2) => return Some("UPDATE"),
            "DELETE" if after(i, "FROM", 1) => return Some("DELETE"),
            "REPLACE" if after(i, "INTO", 1) => return Some("REPLACE"),
            "PRAGMA" => return Some("PRAGMA"),
            _ => {}
        }
    }
    None
}

/// Crates named `leptos*` in schet-api's tree of normal dependencies, every feature on.
fn leptos_in_api(root: &Path) -> Result<Vec<String>> {
    let out = std::process::Command::new("cargo")
        .args([
            "tree",
            "--quiet",
            "-p",
            "schet-api",
            "--all-features",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(root)
        .output()
        .context("running cargo tree")?;
    if !out.status.success() {
        bail!("cargo tree -p schet-api failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut found: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| name.starts_with("leptos"))
        .map(str::to_string)
        .collect();
    found.sort();
    found.dedup();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_paths_are_code_spans_that_look_like_files_or_folders() {
        let doc = "See `src/app.rs`, `api/`, `tests/*.rs` and `../shared/seeds/`.\n\
                   Not `api::invoices::get_by_id`, `text/html`, `/invoice/:id`, `--cfg x`, `a b.rs`, `SCHET_*`.\n\
                   ```\nsrc/ignored.rs `src/in_fence.rs`\n```\n";
        assert_eq!(doc_paths(doc), ["../shared/seeds/", "api/", "src/app.rs", "tests/*.rs"]);
    }

    #[test]
    fn a_named_path_is_found_from_the_root_or_as_a_tail() {
        let files: BTreeSet<String> =
            ["src/", "src/views/", "src/views/invoice.rs", "tests/web.rs"].iter().map(|s| s.to_string()).collect();
        let root = Path::new("/nonexistent/ws");
        assert!(path_exists(root, &files, "src/views/invoice.rs"));
        assert!(path_exists(root, &files, "views/invoice.rs"));
        assert!(path_exists(root, &files, "invoice.rs"));
        assert!(path_exists(root, &files, "src/views/"));
        assert!(path_exists(root, &files, "tests/*.rs"));
        assert!(!path_exists(root, &files, "service.rs"));
        assert!(!path_exists(root, &files, "views/nvoice.rs"));
        assert!(!path_exists(root, &files, "src/*.md"));
        assert!(path_exists(root, &files, "src/**/invoice.rs"));
        assert!(!path_exists(root, &files, "tests/**/invoice.rs"));
        assert!(path_exists(root, &files, "dist/"), "build output");
    }

    #[test]
    fn the_tree_names_paths_in_its_first_column() {
        let doc = "```\nproto/a.proto   The contract, see b.rs\n\
                   api/            generated code:\n\
                   \x20                 rpc.rs       one type per call\n\
                   \x20                 i18n.rs,     strings, not x.rs\n\
                   \x20               see web.rs (shell), c.rs: words\n\
                   index.html, boot.js,  the input\n```\nOutside `c.rs`\n";
        assert_eq!(
            tree_paths(doc),
            ["api/", "api/**/i18n.rs", "api/**/rpc.rs", "boot.js", "index.html", "proto/a.proto"]
        );
    }

    #[test]
    fn a_view_may_not_import_app_or_another_view() {
        let text = "use crate::app::use_profile;\n\
                    use crate::views::{invoice::X, chat::{A, B}};\n\
                    // crate::views::secrets in a comment is fine\n\
                    let x = crate::views::invoice::Y;\n\
                    <crate::views::secrets::SecretsLink />\n\
                    use super::payments;\n\
                    #[cfg(test)]\nuse crate::app::App;\n";
        let found = view_imports("src/views/invoice.rs", text);
        assert_eq!(
            found,
            [
                (1, "`crate::app`".to_string()),
                (2, "the view `chat`".to_string()),
                (5, "the view `secrets`".to_string()),
                (6, "the view `payments`".to_string()),
            ]
        );
        assert!(view_imports("src/views/invoice/fields.rs", "use super::buy::BuyBox;\n").is_empty());
    }

    #[test]
    fn sql_outside_service_is_found_but_not_in_tests_or_store_migrations() {
        let text = "let a = \"SELECT id FROM users\";\n\
                    sqlx::query(\"x\")\n\
                    \"INSERT OR IGNORE INTO t (a) VALUES (?)\"\n\
                    \"UPDATE invoices SET a = 1\"\n\
                    let selected = update_set(\"a\");\n\
                    #[cfg(test)]\n\"DELETE FROM t\"\n";
        let found: Vec<usize> = sql_outside_service("server/src/demo.rs", text).into_iter().map(|(n, _)| n).collect();
        assert_eq!(found, [1, 2, 3, 4]);
        let door = "sqlx::query(s.sqlite)\nsqlx::raw_sql(sql)\n\"DELETE FROM x\"\n";
        let found: Vec<usize> =
            sql_outside_service("server/src/db/query.rs", door).into_iter().map(|(n, _)| n).collect();
        assert_eq!(found, [3], "the door runs SQL but writes none");
        let migrate = "sqlx::query_scalar(\"PRAGMA user_version\")\n\"SELECT MAX(version) FROM schema_version\"\n";
        assert!(sql_outside_service("server/src/db/migrate.rs", migrate).is_empty());
    }
}
