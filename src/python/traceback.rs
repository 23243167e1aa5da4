//! Errors as Python shows them.
//!
//! This module owns the text of a failure: a [`CompileError`] (a `SyntaxError`,
//! `IndentationError` or an unsupported feature, found before the program runs) rendered with its
//! line and a caret, and a runtime traceback (`Traceback (most recent call last):`, one entry per
//! frame with its source line, then the exception) as CPython prints them. Frames of socksim's
//! own Python modules (threading, logging…) are left out, so a traceback shows only the program.

use std::borrow::Cow;
use std::rc::Rc;

use super::code::{Code, Source};

/// An error found while reading a program, before it runs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CompileError {
    /// `SyntaxError`, `IndentationError`, `NotImplementedError`…
    pub kind: &'static str,
    pub line: u32,
    /// 1-based; 0 when no column is known.
    pub col: u32,
    pub message: Cow<'static, str>,
}

impl CompileError {
    /// A new error, boxed: the compiler's results stay small.
    pub fn new(kind: &'static str, line: u32, col: u32, message: impl Into<Cow<'static, str>>) -> Box<Self> {
        Box::new(CompileError { kind, line, col, message: message.into() })
    }

    pub fn syntax(line: u32, col: u32, message: impl Into<Cow<'static, str>>) -> Box<Self> {
        Self::new("SyntaxError", line, col, message)
    }

    /// The same error, placed on `line` (an f-string field is read apart from its line).
    pub fn on_line(mut self: Box<Self>, line: u32) -> Box<Self> {
        self.line = line;
        self.col = 0;
        self
    }

    /// The text CPython prints: the place, the line with a caret under the column, the error.
    pub fn render(&self, file: &str, source: &str) -> String {
        let mut out = String::new();
        out.push_str("  File \"");
        out.push_str(file);
        out.push_str("\", line ");
        out.push_str(&self.line.to_string());
        out.push('\n');
        let text = nth_line(source, self.line as usize - 1);
        let trimmed = text.trim_start();
        if !trimmed.is_empty() {
            out.push_str("    ");
            out.push_str(trimmed.trim_end());
            out.push('\n');
            if self.col > 0 {
                let indent = text.len() - trimmed.len();
                // The column counts bytes; the caret goes under the character holding that byte.
                let caret = (self.col as usize).saturating_sub(indent + 1);
                let width = trimmed.char_indices().take_while(|&(at, _)| at < caret).count();
                out.push_str("    ");
                out.push_str(&" ".repeat(width));
                out.push_str("^\n");
            }
        }
        out.push_str(self.kind);
        out.push_str(": ");
        out.push_str(&self.message);
        out.push('\n');
        out
    }
}

/// A program that could not start: its error, and the text Python would print.
#[derive(Clone, Debug)]
pub struct Traceback {
    pub error: CompileError,
    pub text: String,
}

/// One frame of a runtime traceback: the code running and its line.
#[derive(Clone)]
pub struct Entry {
    pub code: Rc<Code>,
    pub line: u32,
}

/// The line of a source file, without its indentation.
pub fn source_line(source: &Source, line: u32) -> &str {
    nth_line(&source.text, (line as usize).wrapping_sub(1)).trim()
}

/// Line `index` (from 0) of `text`, empty past the end, for callers that trim it (a `\r` before
/// the `\n` is left to the trim). A split rather than `lines()`, whose iterator weighs more in the
/// page.
pub fn nth_line(text: &str, index: usize) -> &str {
    let mut lines = text.split('\n');
    for _ in 0..index {
        lines.next();
    }
    lines.next().unwrap_or("")
}

/// `Traceback (most recent call last):`, the frames (oldest first), then `last` (`Kind: message`).
/// As in CPython, a frame repeated more than three times in a row is counted, not shown.
pub fn render(entries: &[Entry], last: &str) -> String {
    let mut out = String::new();
    let mut shown = Vec::new();
    for entry in entries {
        if !entry.code.source.hidden {
            shown.push(entry);
        }
    }
    if !shown.is_empty() {
        out.push_str("Traceback (most recent call last):\n");
    }
    let mut i = 0;
    while i < shown.len() {
        let entry = shown[i];
        let mut run = 1;
        while shown.get(i + run).is_some_and(|other| Rc::ptr_eq(&other.code, &entry.code) && other.line == entry.line) {
            run += 1;
        }
        for _ in 0..run.min(3) {
            entry_into(&mut out, entry);
        }
        if run > 3 {
            out.push_str("  [Previous line repeated ");
            out.push_str(&(run - 3).to_string());
            out.push_str(" more times]\n");
        }
        i += run;
    }
    out.push_str(last);
    out.push('\n');
    out
}

fn entry_into(out: &mut String, entry: &Entry) {
    out.push_str("  File \"");
    out.push_str(&entry.code.source.name);
    out.push_str("\", line ");
    out.push_str(&entry.line.to_string());
    out.push_str(", in ");
    out.push_str(&entry.code.name);
    out.push('\n');
    let text = source_line(&entry.code.source, entry.line);
    if !text.is_empty() {
        out.push_str("    ");
        out.push_str(text);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_points_at_its_column() {
        let error = CompileError::syntax(2, 10, "expected ':'");
        assert_eq!(
            error.render("server.py", "x = 1\n    if x = 2:\n"),
            "  File \"server.py\", line 2\n    if x = 2:\n         ^\nSyntaxError: expected ':'\n"
        );
    }
}
