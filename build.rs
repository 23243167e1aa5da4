//! Build script: socksim's Python modules (`src/python/modules/*.py`), made smaller for the page.
//!
//! The interpreter embeds those files (`src/python/modules/mod.rs`) only to run them, and the
//! machine hides their frames from tracebacks, so what is there for their readers goes: comment
//! lines become empty lines (line numbers stay those of the files), a level of indentation
//! takes one space instead of four (0.8 KB less gzip in the page's wasm), and the spaces beside
//! punctuation go (`x = f(a, b)` becomes `x=f(a,b)`, 0.2 KB less).

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
            tighten(code, &mut out);
        }
        out.push('\n');
    }
    out
}

/// Appends `code` (a line without its indentation) to `out` without the spaces beside
/// punctuation, which Python's tokens never need: `x = f(a, b)` becomes `x=f(a,b)`. Spaces
/// between words and numbers stay, and text in quotes stays as it is.
fn tighten(code: &str, out: &mut String) {
    const PUNCTUATION: &str = "=,:()[]{}+-*/%<>!|&^~";
    let mut quote = None;
    let mut escaped = false;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(open) => {
                out.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == open {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == ' ' => {
                while chars.next_if_eq(&' ').is_some() {}
                let beside = |neighbour: Option<char>| neighbour.is_some_and(|n| PUNCTUATION.contains(n));
                if !beside(out.chars().last()) && !beside(chars.peek().copied()) {
                    out.push(' ');
                }
            }
            None => out.push(c),
        }
    }
}
