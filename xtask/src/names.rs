//! Short names for the main module's link to its JavaScript glue.
//!
//! wasm-bindgen names each import after the JS function and a 16-hex-digit hash
//! (`__wbg_createElement_de4a31ed2fb252be`), and each closure's entry point, an export, after
//! its full mangled Rust symbol (over 100 characters). Every name is written twice, in the
//! wasm's import or export section and in the glue, and the hashes do not compress: about
//! 7.5 KB of the 30 KB glue. They are only the link between the two files, so the release
//! build gives each a short name (`$a`, `$b`, …) in both.
//!
//! Renamed: imports whose name ends in such a hash, and every export the glue names, but
//! those the split loader takes by name (`memory`, the function table, the shared global).
//! Names nothing in the glue reads stay as they are.

use anyhow::{Context, Result, ensure};
use std::collections::BTreeMap;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ExportSection, ImportSection, Module, RawSection};
use wasmparser::{Parser, Payload};

/// The `k`th short name: `$a` … `$Z`, `$ba`, … (`$` never begins a name wasm-bindgen or Rust
/// gives, so a short name cannot meet a long one).
fn short(mut k: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(ALPHABET[k % ALPHABET.len()]);
        k /= ALPHABET.len();
        if k == 0 {
            break;
        }
    }
    out.push(b'$');
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn hashed_import(name: &str) -> bool {
    let Some((_, hash)) = name.rsplit_once('_') else { return false };
    hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Exports the split loader (`split.js`) reads from the main module by name.
const KEPT_EXPORTS: [&str; 3] = ["memory", "__indirect_function_table", "__wasm_split_shared0"];

/// The main module and its glue `js`, with short names for the links between them.
pub fn shorten(wasm: &[u8], js: &str) -> Result<(Vec<u8>, String)> {
    let mut names = BTreeMap::new();
    let mut rename = |name: &str| -> String {
        let next = short(names.len());
        names.entry(name.to_string()).or_insert(next).clone()
    };
    let mut module = Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.context("reading the main wasm")?;
        match &payload {
            Payload::ImportSection(reader) => {
                let mut section = ImportSection::new();
                for import in reader.clone().into_imports() {
                    let import = import.context("reading an import")?;
                    let ty = RoundtripReencoder.entity_type(import.ty).context("an import's type")?;
                    let name = if hashed_import(import.name) { rename(import.name) } else { import.name.to_string() };
                    section.import(import.module, &name, ty);
                }
                module.section(&section);
            }
            Payload::ExportSection(reader) => {
                let mut section = ExportSection::new();
                for export in reader.clone() {
                    let export = export.context("reading an export")?;
                    let kind = RoundtripReencoder.export_kind(export.kind).context("an export's kind")?;
                    let read_by_glue = !KEPT_EXPORTS.contains(&export.name) && count_names(js, export.name) > 0;
                    let name = if read_by_glue { rename(export.name) } else { export.name.to_string() };
                    section.export(&name, kind, export.index);
                }
                module.section(&section);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    let data = &wasm[range.start as usize..range.end as usize];
                    module.section(&RawSection { id, data });
                }
            }
        }
    }
    Ok((module.finish(), rename_in_js(js, &names)?))
}

fn part_of_name(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Where `name` stands in `js` as a whole name (one may begin another: `…_6tachys` and
/// `…_6tachys_24`).
fn whole_names<'a>(js: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    js.match_indices(name).map(|(at, _)| at).filter(move |&at| {
        let before = js[..at].chars().next_back();
        let after = js[at + name.len()..].chars().next();
        !before.is_some_and(part_of_name) && !after.is_some_and(part_of_name)
    })
}

fn count_names(js: &str, name: &str) -> usize {
    whole_names(js, name).count()
}

/// `js` with every renamed name replaced where it stands as a whole name. Fails if a name
/// is not there: the glue and the module would no longer match.
fn rename_in_js(js: &str, names: &BTreeMap<String, String>) -> Result<String> {
    let mut out = js.to_string();
    for (long, short) in names {
        let places: Vec<usize> = whole_names(&out, long).collect();
        ensure!(!places.is_empty(), "the JS glue does not name {long}");
        for at in places.into_iter().rev() {
            out.replace_range(at..at + long.len(), short);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{CodeSection, EntityType, ExportKind, Function, FunctionSection, Instruction, TypeSection};

    /// A module importing `imports` (functions of no arguments) and exporting one function
    /// per name in `exports`.
    fn module(imports: &[&str], exports: &[&str]) -> Vec<u8> {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut section = ImportSection::new();
        for name in imports {
            section.import("./schet_bg.js", name, EntityType::Function(0));
        }
        m.section(&section);
        let mut functions = FunctionSection::new();
        functions.function(0);
        m.section(&functions);
        let mut section = ExportSection::new();
        let index = imports.len() as u32;
        for name in exports {
            section.export(name, ExportKind::Func, index);
        }
        m.section(&section);
        let mut code = CodeSection::new();
        let mut body = Function::new([]);
        body.instruction(&Instruction::End);
        code.function(&body);
        m.section(&code);
        m.finish()
    }

    fn names_of(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
        let (mut imports, mut exports) = (Vec::new(), Vec::new());
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.unwrap() {
                Payload::ImportSection(r) => imports.extend(r.into_imports().map(|i| i.unwrap().name.to_string())),
                Payload::ExportSection(r) => exports.extend(r.into_iter().map(|e| e.unwrap().name.to_string())),
                _ => {}
            }
        }
        (imports, exports)
    }

    const LONG: &str = "_RINvNvNtNtCs_12wasm_bindgen7convert8closures6invoke_6tachys";
    const LONGER: &str = "_RINvNvNtNtCs_12wasm_bindgen7convert8closures6invoke_6tachys_24";

    #[test]
    fn hashed_imports_and_the_exports_the_glue_reads_get_short_names_in_both() {
        let wasm = module(
            &["__wbg_createElement_de4a31ed2fb252be", "__wasm_split_load_screens", "__wbg_body_5f971cbc6950ca4f"],
            &[LONG, LONGER, "memory", "__wbindgen_start", "__abort_handler"],
        );
        let js = format!(
            "{{__wbg_createElement_de4a31ed2fb252be:f,__wbg_body_5f971cbc6950ca4f:g,__wasm_split_load_screens:h}};\
             c.{LONGER}(1);c.{LONG}(2);c.{LONG}(3);c.__wbindgen_start();c.memory.buffer"
        );
        let (out, glue) = shorten(&wasm, &js).unwrap();
        wasmparser::Validator::new().validate_all(&out).expect("a valid module");
        let (imports, exports) = names_of(&out);
        // Imports: only the hashed names. Exports: what the glue reads, but `memory` (the
        // split loader's), and never what it does not read.
        assert_eq!(imports, ["$a", "__wasm_split_load_screens", "$b"]);
        assert_eq!(exports, ["$c", "$d", "memory", "$e", "__abort_handler"]);
        // Whole names only: `LONG` begins `LONGER`, and each kept its own short name.
        assert_eq!(glue, "{$a:f,$b:g,__wasm_split_load_screens:h};c.$d(1);c.$c(2);c.$c(3);c.$e();c.memory.buffer");
        assert!(out.len() < wasm.len());
    }

    #[test]
    fn an_import_the_glue_does_not_define_is_an_error() {
        assert!(shorten(&module(&["__wbg_body_5f971cbc6950ca4f"], &[]), "{other:1}").is_err());
    }

    #[test]
    fn short_names_are_distinct() {
        let all: std::collections::BTreeSet<String> = (0..5000).map(short).collect();
        assert_eq!(all.len(), 5000);
        assert_eq!((short(0).as_str(), short(51).as_str(), short(52).as_str()), ("$a", "$Z", "$ba"));
    }
}
