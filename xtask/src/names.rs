//! Short names for the main module's link to its JavaScript glue.
//!
//! wasm-bindgen names each import after the JS function and a 16-hex-digit hash
//! (`__wbg_createElement_de4a31ed2fb252be`), and each closure's entry point, an export, after
//! its full mangled Rust symbol (over 100 characters). Every name is written twice, in the
//! wasm's import or export section and in the glue, and the hashes do not compress: about
//! 7.5 KB of the 30 KB glue. They are only the link between the two files, so the release
//! build gives each a short name (`$a`, `$b`, …) in both.
//!
//! Renamed: imports whose name ends in such a hash, and exports with a mangled Rust name
//! (`_R…`). Every other name (`memory`, the function table, `__wbindgen_start`, the split
//! loader's imports) is read by name elsewhere, and stays.

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

fn mangled_export(name: &str) -> bool {
    name.starts_with("_R") && name.len() > 20
}

/// The module with short names, and each renamed name → its short name.
pub fn shorten(wasm: &[u8]) -> Result<(Vec<u8>, BTreeMap<String, String>)> {
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
                    let name = if mangled_export(export.name) { rename(export.name) } else { export.name.to_string() };
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
    Ok((module.finish(), names))
}

/// `js` with every renamed name replaced, where it stands as a whole name (one may begin
/// another: `…_6tachys` and `…_6tachys_24`). Fails if a name is not found: the glue and the
/// module would no longer match.
pub fn rename_in_js(js: &str, names: &BTreeMap<String, String>) -> Result<String> {
    let part_of_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = js.to_string();
    for (long, short) in names {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        let mut found = 0;
        while let Some(at) = rest.find(long.as_str()) {
            result.push_str(&rest[..at]);
            let before = result.chars().next_back();
            let after = rest[at + long.len()..].chars().next();
            if before.is_some_and(part_of_name) || after.is_some_and(part_of_name) {
                result.push_str(long);
            } else {
                result.push_str(short);
                found += 1;
            }
            rest = &rest[at + long.len()..];
        }
        result.push_str(rest);
        ensure!(found > 0, "the JS glue does not name {long}");
        out = result;
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
    fn hashed_imports_and_mangled_exports_get_short_names_and_the_rest_stays() {
        let wasm = module(
            &["__wbg_createElement_de4a31ed2fb252be", "__wasm_split_load_screens", "__wbg_body_5f971cbc6950ca4f"],
            &[LONG, LONGER, "memory_like", "__wbindgen_start"],
        );
        let (out, names) = shorten(&wasm).unwrap();
        wasmparser::Validator::new().validate_all(&out).expect("a valid module");
        let (imports, exports) = names_of(&out);
        assert_eq!(imports, ["$a", "__wasm_split_load_screens", "$b"]);
        assert_eq!(exports, ["$c", "$d", "memory_like", "__wbindgen_start"]);
        assert_eq!(names.len(), 4);
        assert!(out.len() < wasm.len());
    }

    #[test]
    fn the_glue_is_renamed_name_by_name_never_inside_a_longer_one() {
        let (_, names) = shorten(&module(&["__wbg_body_5f971cbc6950ca4f"], &[LONG, LONGER])).unwrap();
        let js = format!("{{__wbg_body_5f971cbc6950ca4f:function(e){{}}}};o.{LONGER}(1);o.{LONG}(2);o.{LONG}(3)");
        let renamed = rename_in_js(&js, &names).unwrap();
        assert_eq!(renamed, "{$a:function(e){}};o.$c(1);o.$b(2);o.$b(3)");
    }

    #[test]
    fn a_name_missing_from_the_glue_is_an_error() {
        let (_, names) = shorten(&module(&["__wbg_body_5f971cbc6950ca4f"], &[])).unwrap();
        assert!(rename_in_js("{other:1}", &names).is_err());
    }

    #[test]
    fn short_names_are_distinct() {
        let all: std::collections::BTreeSet<String> = (0..5000).map(short).collect();
        assert_eq!(all.len(), 5000);
        assert_eq!((short(0).as_str(), short(51).as_str(), short(52).as_str()), ("$a", "$Z", "$ba"));
    }
}
