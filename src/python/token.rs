//! The lexer: Python source text to tokens.
//!
//! This module owns how a program's text is cut into tokens: names, numbers, string, bytes and
//! f-string literals (with their escapes), operators, and the layout tokens Python's grammar needs —
//! `Newline` at the end of each logical line and `Indent` / `Dedent` when the indentation changes.
//! Lines are joined inside brackets and after a backslash. Every token carries its line and
//! column, so that a syntax error points at the place, as CPython's does.

use std::rc::Rc;

use super::traceback::CompileError;
use crate::decimal;

/// A token's kind and value.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub enum Tok {
    Name(Rc<str>),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    /// An f-string, cut into its literal text and its `{…}` fields.
    FStr(Vec<FPart>),
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    End,
}

/// A piece of an f-string.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub enum FPart {
    Text(String),
    /// `{expression!conversion:spec}`: the expression's source, where it starts, the conversion
    /// (`b'r'`, `b's'`, `b'a'` or 0) and the format spec, itself an f-string.
    Field {
        source: String,
        line: u32,
        col: u32,
        conversion: u8,
        spec: Vec<FPart>,
    },
}

#[cfg_attr(test, derive(Debug))]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub col: u32,
}

/// Operators and delimiters, longest first so that the first match is the right one.
const OPERATORS: [&str; 47] = [
    "**=", "//=", ">>=", "<<=", "...", "->", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "@=", ":=", "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{",
    "}", ",", ":", ".", ";", "@", "=",
];

/// Cuts `source` into tokens, ending with `Newline`, the `Dedent`s still open and `End`.
pub fn tokenize(source: &str) -> Result<Vec<Token>, Box<CompileError>> {
    Lexer {
        src: source.as_bytes(),
        text: source,
        pos: 0,
        line: 1,
        line_start: 0,
        tokens: Vec::new(),
        at_line_start: true,
    }
    .run()
}

struct Lexer<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    line: u32,
    line_start: usize,
    tokens: Vec<Token>,
    /// No token yet on this logical line.
    at_line_start: bool,
}

impl Lexer<'_> {
    fn error(&self, message: &'static str) -> Box<CompileError> {
        CompileError::syntax(self.line, self.col(), message)
    }

    fn col(&self) -> u32 {
        (self.pos - self.line_start) as u32 + 1
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn push(&mut self, tok: Tok, line: u32, col: u32) {
        self.at_line_start = false;
        self.tokens.push(Token { tok, line, col });
    }

    fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    fn run(mut self) -> Result<Vec<Token>, Box<CompileError>> {
        let mut indents: Vec<u32> = vec![0];
        // Open brackets: the bracket, its line and column.
        let mut brackets: Vec<(&Bracket, u32, u32)> = Vec::new();
        loop {
            if self.at_line_start && brackets.is_empty() {
                // Measure the indentation; blank and comment-only lines do not count.
                let mut width = 0;
                while let b' ' | b'\t' | b'\x0c' = self.peek(0) {
                    width = if self.peek(0) == b'\t' { (width / 8 + 1) * 8 } else { width + 1 };
                    self.pos += 1;
                }
                match self.peek(0) {
                    b'#' | b'\n' | b'\r' | b'\\' => {}
                    0 => {}
                    _ => {
                        let (line, col) = (self.line, self.col());
                        let current = *indents.last().unwrap_or(&0);
                        if width > current {
                            indents.push(width);
                            self.push(Tok::Indent, line, col);
                        } else {
                            while width < *indents.last().unwrap_or(&0) {
                                indents.pop();
                                self.push(Tok::Dedent, line, col);
                            }
                            if width != *indents.last().unwrap_or(&0) {
                                return Err(CompileError::new(
                                    "IndentationError",
                                    line,
                                    col,
                                    "unindent does not match any outer indentation level",
                                ));
                            }
                        }
                        self.at_line_start = false;
                    }
                }
            }
            let (line, col) = (self.line, self.col());
            let c = self.peek(0);
            match c {
                0 => break,
                b' ' | b'\t' | b'\x0c' => self.pos += 1,
                b'#' => {
                    while !matches!(self.peek(0), b'\n' | 0) {
                        self.pos += 1;
                    }
                }
                b'\r' if self.peek(1) == b'\n' => self.pos += 1,
                b'\n' | b'\r' => {
                    let blank = self.at_line_start;
                    self.newline();
                    if brackets.is_empty() && !blank {
                        self.push(Tok::Newline, line, col);
                    }
                    self.at_line_start = brackets.is_empty();
                }
                b'\\' => {
                    self.pos += 1;
                    if self.peek(0) == b'\r' {
                        self.pos += 1;
                    }
                    if self.peek(0) != b'\n' {
                        return Err(self.error("unexpected character after line continuation character"));
                    }
                    self.newline();
                }
                b'0'..=b'9' => self.number()?,
                b'.' if self.peek(1).is_ascii_digit() => self.number()?,
                _ if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                    let start = self.pos;
                    while matches!(self.peek(0), b'_' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | 0x80..) {
                        self.pos += 1;
                    }
                    let word = &self.text[start..self.pos];
                    if matches!(self.peek(0), b'\'' | b'"') {
                        // A string prefix: one of b, r, f, u, or r with b or f, in either case.
                        let has = |letter: u8| word.bytes().any(|b| b.to_ascii_lowercase() == letter);
                        let prefix = match word.len() {
                            1 => has(b'b') || has(b'r') || has(b'f') || has(b'u'),
                            2 => has(b'r') && (has(b'b') || has(b'f')),
                            _ => false,
                        };
                        if prefix {
                            let tok = self.string(has(b'b'), has(b'r'), has(b'f'))?;
                            self.push(tok, line, col);
                            continue;
                        }
                    }
                    self.push(Tok::Name(word.into()), line, col);
                }
                b'\'' | b'"' => {
                    let tok = self.string(false, false, false)?;
                    self.push(tok, line, col);
                }
                _ => {
                    let rest = &self.src[self.pos..];
                    let Some(&op) = OPERATORS.iter().find(|op| rest.starts_with(op.as_bytes())) else {
                        return Err(self.error(if c == b'!' || c == b'$' || c == b'?' || c == b'`' {
                            "invalid syntax"
                        } else {
                            "invalid character in identifier"
                        }));
                    };
                    self.pos += op.len();
                    if let Some(bracket) = BRACKETS.iter().find(|bracket| bracket.open == op) {
                        brackets.push((bracket, line, col));
                    } else if let Some(bracket) = BRACKETS.iter().find(|bracket| bracket.close == op) {
                        match brackets.pop() {
                            None => return Err(CompileError::syntax(line, col, bracket.unmatched)),
                            Some((open, ..)) if open.close != op => {
                                return Err(CompileError::syntax(line, col, bracket.mismatched))
                            }
                            Some(_) => {}
                        }
                    }
                    self.push(Tok::Op(op), line, col);
                }
            }
        }
        if let Some(&(open, line, col)) = brackets.last() {
            return Err(CompileError::syntax(line, col, open.never_closed));
        }
        let (line, col) = (self.line, self.col());
        if !self.at_line_start {
            self.push(Tok::Newline, line, col);
        }
        for _ in 1..indents.len() {
            self.push(Tok::Dedent, line, col);
        }
        self.push(Tok::End, line, col);
        Ok(self.tokens)
    }

    fn number(&mut self) -> Result<(), Box<CompileError>> {
        let (line, col, start) = (self.line, self.col(), self.pos);
        let radix = match (self.peek(0), self.peek(1) | 0x20) {
            (b'0', b'x') => 16,
            (b'0', b'o') => 8,
            (b'0', b'b') => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
        }
        let mut float = false;
        loop {
            let c = self.peek(0);
            match c {
                b'_' => {}
                _ if radix == 16 && c.is_ascii_hexdigit() => {}
                b'0'..=b'9' => {}
                b'.' if radix == 10 && !float => float = true,
                b'e' | b'E' if radix == 10 => {
                    float = true;
                    if matches!(self.peek(1), b'+' | b'-') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
            self.pos += 1;
        }
        if matches!(self.peek(0), b'j' | b'J') {
            return Err(CompileError::new(
                "NotImplementedError",
                line,
                col,
                "complex numbers are not supported by socksim",
            ));
        }
        if self.peek(0) == b'_' || self.peek(0).is_ascii_alphabetic() {
            return Err(self.error("invalid decimal literal"));
        }
        let digits = self.text[start..self.pos].replace('_', "");
        let tok = if float {
            Tok::Float(parse_float(&digits).ok_or_else(|| self.error("invalid decimal literal"))?)
        } else {
            let body = if radix == 10 { &digits[..] } else { &digits[2..] };
            if radix == 10 && body.len() > 1 && body.starts_with('0') && body.bytes().any(|b| b != b'0') {
                return Err(CompileError::syntax(
                    line,
                    col,
                    "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                ));
            }
            match i64::from_str_radix(body, radix) {
                Ok(value) => Tok::Int(value),
                Err(_) if body.is_empty() => return Err(self.error("invalid literal")),
                Err(_) => {
                    return Err(CompileError::new(
                        "OverflowError",
                        line,
                        col,
                        "integer literal too large (socksim's ints are 64-bit)",
                    ))
                }
            }
        };
        self.push(tok, line, col);
        Ok(())
    }

    /// A string literal starting at the quote under the cursor.
    fn string(&mut self, bytes: bool, raw: bool, format: bool) -> Result<Tok, Box<CompileError>> {
        let (line, col) = (self.line, self.col());
        let quote = self.peek(0);
        let triple = self.peek(1) == quote && self.peek(2) == quote;
        self.pos += if triple { 3 } else { 1 };
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek(0);
            match c {
                0 => {
                    return Err(CompileError::syntax(
                        line,
                        col,
                        if triple {
                            "unterminated triple-quoted string literal"
                        } else {
                            "unterminated string literal"
                        },
                    ))
                }
                b'\n' if !triple => return Err(CompileError::syntax(line, col, "unterminated string literal")),
                b'\n' => {
                    out.push(b'\n');
                    self.newline();
                    continue;
                }
                _ if c == quote && (!triple || (self.peek(1) == quote && self.peek(2) == quote)) => {
                    self.pos += if triple { 3 } else { 1 };
                    break;
                }
                b'\\' if raw => {
                    out.push(b'\\');
                    self.pos += 1;
                    if self.peek(0) == b'\n' {
                        out.push(b'\n');
                        self.newline();
                        continue;
                    }
                    if self.peek(0) != 0 {
                        out.push(self.peek(0));
                        self.pos += 1;
                    }
                    continue;
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape(&mut out, bytes)?;
                    continue;
                }
                _ if bytes && c >= 0x80 => {
                    return Err(self.error("bytes can only contain ASCII literal characters"));
                }
                _ => out.push(c),
            }
            self.pos += 1;
        }
        if bytes {
            return Ok(Tok::Bytes(out.into()));
        }
        let text = String::from_utf8(out).map_err(|_| CompileError::syntax(line, col, "invalid string literal"))?;
        if format {
            return Ok(Tok::FStr(fstring_parts(&text, line, col)?));
        }
        Ok(Tok::Str(text.into()))
    }

    /// The escape after a backslash, appended to `out`.
    fn escape(&mut self, out: &mut Vec<u8>, bytes: bool) -> Result<(), Box<CompileError>> {
        let c = self.peek(0);
        self.pos += 1;
        let simple = match c {
            b'\n' => {
                self.pos -= 1;
                self.newline();
                return Ok(());
            }
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'\\' | b'\'' | b'"' => c,
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                for _ in 0..2 {
                    match self.peek(0) {
                        d @ b'0'..=b'7' => {
                            value = value * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                return self.code_point(out, value, bytes);
            }
            b'x' | b'u' | b'U' if !(bytes && c != b'x') => {
                let len = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let digits = self.src.get(self.pos..self.pos + len).unwrap_or(&[]);
                let value = std::str::from_utf8(digits)
                    .ok()
                    .filter(|d| d.len() == len && d.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|d| u32::from_str_radix(d, 16).ok())
                    .ok_or_else(|| self.error("truncated \\xXX escape"))?;
                self.pos += len;
                return self.code_point(out, value, bytes);
            }
            _ => {
                // Unknown escapes keep their backslash, as in Python.
                out.push(b'\\');
                self.pos -= 1;
                return Ok(());
            }
        };
        out.push(simple);
        Ok(())
    }

    fn code_point(&self, out: &mut Vec<u8>, value: u32, bytes: bool) -> Result<(), Box<CompileError>> {
        if bytes {
            out.push(value as u8);
            return Ok(());
        }
        let c = char::from_u32(value).ok_or_else(|| self.error("invalid escape in string literal"))?;
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }
}

/// A kind of bracket: its opener and closer, and CPython's errors for a closer with no opener, a
/// closer that does not match the opener, and an opener never closed.
struct Bracket {
    open: &'static str,
    close: &'static str,
    unmatched: &'static str,
    mismatched: &'static str,
    never_closed: &'static str,
}

const BRACKETS: [Bracket; 3] = [
    Bracket {
        open: "(",
        close: ")",
        unmatched: "unmatched ')'",
        mismatched: "closing parenthesis ')' does not match the opening one",
        never_closed: "'(' was never closed",
    },
    Bracket {
        open: "[",
        close: "]",
        unmatched: "unmatched ']'",
        mismatched: "closing parenthesis ']' does not match the opening one",
        never_closed: "'[' was never closed",
    },
    Bracket {
        open: "{",
        close: "}",
        unmatched: "unmatched '}'",
        mismatched: "closing parenthesis '}' does not match the opening one",
        never_closed: "'{' was never closed",
    },
];

/// Cuts the text of an f-string (escapes already applied) into literal text and fields.
fn fstring_parts(text: &str, line: u32, col: u32) -> Result<Vec<FPart>, Box<CompileError>> {
    let error = |message| CompileError::syntax(line, col, message);
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'}' {
            if bytes.get(i + 1) != Some(&b'}') {
                return Err(error("f-string: single '}' is not allowed"));
            }
            literal.push('}');
            i += 2;
            continue;
        }
        if c != b'{' {
            let next = text[i..].chars().next().map_or(1, char::len_utf8);
            literal.push_str(&text[i..i + next]);
            i += next;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'{') {
            literal.push('{');
            i += 2;
            continue;
        }
        // A field: the expression runs to a top-level '!', ':' or '}'.
        let start = i + 1;
        let mut depth = 0;
        let mut j = start;
        let mut quote = 0u8;
        while j < bytes.len() {
            let c = bytes[j];
            if quote != 0 {
                if c == quote {
                    quote = 0;
                }
            } else {
                match c {
                    b'\'' | b'"' => quote = c,
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' => depth -= 1,
                    b'}' if depth > 0 => depth -= 1,
                    b'}' | b':' if depth == 0 => break,
                    b'!' if depth == 0 && bytes.get(j + 1) != Some(&b'=') => break,
                    _ => {}
                }
            }
            j += 1;
        }
        let mut source = text[start..j].to_string();
        if source.trim().is_empty() {
            return Err(error("f-string: empty expression not allowed"));
        }
        // `{expression=}` prints the expression's text, then its repr.
        let trimmed_len = source.trim_end().len();
        let documented = source[..trimmed_len].ends_with('=')
            && !["==", "!=", "<=", ">="].iter().any(|op| source[..trimmed_len].ends_with(op));
        if documented {
            literal.push_str(&source);
            source.truncate(trimmed_len - 1);
        }
        let mut conversion = 0;
        if bytes.get(j) == Some(&b'!') {
            conversion = *bytes.get(j + 1).ok_or_else(|| error("f-string: expecting '}'"))?;
            if !matches!(conversion, b'r' | b's' | b'a') {
                return Err(error("f-string: invalid conversion character: expected 's', 'r', or 'a'"));
            }
            j += 2;
        }
        let mut spec = Vec::new();
        if bytes.get(j) == Some(&b':') {
            // The spec runs to the matching '}', and may hold fields of its own.
            let spec_start = j + 1;
            let mut depth = 0;
            j = spec_start;
            while j < bytes.len() && !(bytes[j] == b'}' && depth == 0) {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            spec = fstring_parts(&text[spec_start..j], line, col)?;
        }
        if bytes.get(j) != Some(&b'}') {
            return Err(error("f-string: expecting '}'"));
        }
        if documented && conversion == 0 && spec.is_empty() {
            conversion = b'r';
        }
        i = j + 1;
        if !literal.is_empty() {
            parts.push(FPart::Text(core::mem::take(&mut literal)));
        }
        parts.push(FPart::Field { source, line, col, conversion, spec });
    }
    if !literal.is_empty() {
        parts.push(FPart::Text(literal));
    }
    Ok(parts)
}

/// Reads a decimal floating-point number as Python's `float()` does (`'1.5'`, `'-2e3'`, `'.5'`,
/// `'inf'`, `'nan'`): the syntax is checked here, the nearest `f64` comes from [`decimal::parse`].
pub fn parse_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let value = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let (mantissa, exponent) = lower.split_once('e').unwrap_or((&lower, "0"));
            let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            let exponent = match exponent.as_bytes().first() {
                Some(b'+' | b'-') => &exponent[1..],
                _ => exponent,
            };
            let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
            if whole.len() + fraction.len() == 0
                || exponent.is_empty()
                || !(digits(whole) && digits(fraction) && digits(exponent))
            {
                return None;
            }
            decimal::parse(&lower)
        }
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<Tok> {
        tokenize(source).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn indentation_becomes_indent_and_dedent() {
        let toks = kinds("if x:\n    y = 1\n\n    # comment\nz\n");
        let name = |n: &str| Tok::Name(n.into());
        assert_eq!(
            toks,
            vec![
                name("if"),
                name("x"),
                Tok::Op(":"),
                Tok::Newline,
                Tok::Indent,
                name("y"),
                Tok::Op("="),
                Tok::Int(1),
                Tok::Newline,
                Tok::Dedent,
                name("z"),
                Tok::Newline,
                Tok::End
            ]
        );
    }

    #[test]
    fn brackets_join_lines() {
        let toks = kinds("f(1,\n  2)\n");
        assert_eq!(toks.iter().filter(|t| **t == Tok::Newline).count(), 1);
    }

    #[test]
    fn literals() {
        assert_eq!(kinds("0x1F 0o17 0b101 1_000")[..4], [Tok::Int(31), Tok::Int(15), Tok::Int(5), Tok::Int(1000)]);
        assert_eq!(kinds("1.5 .5 1e3")[..3], [Tok::Float(1.5), Tok::Float(0.5), Tok::Float(1000.0)]);
        assert_eq!(kinds(r"'a\n\x41'")[0], Tok::Str("a\nA".into()));
        assert_eq!(kinds(r"b'\xff\r\n'")[0], Tok::Bytes(vec![255, 13, 10].into()));
        assert_eq!(kinds(r"r'\n'")[0], Tok::Str("\\n".into()));
        assert_eq!(kinds("'''a\nb'''")[0], Tok::Str("a\nb".into()));
    }

    #[test]
    fn string_prefixes_in_either_case() {
        assert_eq!(kinds(r"Rb'\n'")[0], Tok::Bytes(br"\n".to_vec().into()));
        assert_eq!(kinds(r"bR'\n'")[0], Tok::Bytes(br"\n".to_vec().into()));
        assert_eq!(kinds("U'x'")[0], Tok::Str("x".into()));
        assert!(matches!(kinds("fR'{x}'")[0], Tok::FStr(_)));
        assert_eq!(kinds("ub'x'")[..2], [Tok::Name("ub".into()), Tok::Str("x".into())]);
        assert_eq!(kinds("bf'x'")[..2], [Tok::Name("bf".into()), Tok::Str("x".into())]);
    }

    #[test]
    fn fstrings_are_cut_into_fields() {
        let Tok::FStr(parts) = &kinds("f'x={x!r:>{w}} {{y}}'")[0] else { panic!() };
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], FPart::Text("x=".into()));
        let FPart::Field { source, conversion, spec, .. } = &parts[1] else { panic!() };
        assert_eq!((source.as_str(), *conversion, spec.len()), ("x", b'r', 2));
        assert_eq!(parts[2], FPart::Text(" {y}".into()));
    }

    #[test]
    fn errors_name_the_line() {
        let error = tokenize("x = 1\ny = 'abc\n").unwrap_err();
        assert_eq!((error.line, error.message.as_ref()), (2, "unterminated string literal"));
        let error = tokenize("f(1,\n2\n").unwrap_err();
        assert_eq!((error.line, error.message.as_ref()), (1, "'(' was never closed"));
        let error = tokenize("x = [1, 2}\n").unwrap_err();
        assert_eq!((error.col, error.message.as_ref()), (10, "closing parenthesis '}' does not match the opening one"));
        let error = tokenize("x = 1)\n").unwrap_err();
        assert_eq!((error.col, error.message.as_ref()), (6, "unmatched ')'"));
        let error = tokenize("x = {1,\n").unwrap_err();
        assert_eq!((error.col, error.message.as_ref()), (5, "'{' was never closed"));
        let error = tokenize("if x:\n    a\n  b\n").unwrap_err();
        assert_eq!(error.kind, "IndentationError");
    }

    #[test]
    fn floats_read_exactly() {
        for (text, value) in [("0.1", 0.1), ("1.23456", 1.23456), ("1e-7", 1e-7), ("2.5e10", 2.5e10), ("-0.25", -0.25)]
        {
            assert_eq!(parse_float(text), Some(value), "{text}");
        }
        assert_eq!(parse_float("1e400"), Some(f64::INFINITY));
        assert_eq!(parse_float("abc"), None);
        assert_eq!(parse_float("."), None);
    }
}
