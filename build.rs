//! Build script: socksim's Python modules (`src/python/modules/*.py`), made smaller for the page.
//!
//! The interpreter embeds those files (`src/python/modules/mod.rs`) only to run them, and the
//! machine hides their frames from tracebacks, so what is there for their readers goes: comment
//! lines become empty lines (line numbers stay those of the files) and a level of indentation
//! takes one space instead of four. That is 0.8 KB less gzip in the page's wasm.

use std::fs;
use std::path::Path;

fn main() {
    let modules = Path::new("src/python/modules");
    println!("cargo::rerun-if-changed={}", modules.display());
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    for entry in fs::read_dir(modules).expect("src/python/modules is readable") {
        let path = entry.expect("src/python/modules is readable").path();
        if path.extension().is_some_and(|extension| extension == "py") {
            let text = fs::read_to_string(&path).expect("a module is UTF-8 text");
            let name = path.file_name().expect("a file has a name");
            fs::write(Path::new(&out).join(name), compact(&text)).expect("OUT_DIR is writable");
        }
    }
}

/// `text` with its comment lines emptied and its blocks indented by one space a level. Lines
/// whose indentation is not a multiple of four are inside brackets (where it means nothing): they
/// stay as they are.
fn compact(text: &str) -> String {
    assert!(
        !text.contains("\"\"\"") && !text.contains("'''"),
        "a module has a string that spans lines, which compact() would change"
    );
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let code = line.trim_start_matches(' ');
        if !code.is_empty() && !code.starts_with('#') {
            let indent = line.len() - code.len();
            let width = if indent % 4 == 0 { indent / 4 } else { indent };
            out.extend(std::iter::repeat_n(' ', width));
            out.push_str(code);
        }
        out.push('\n');
    }
    out
}
