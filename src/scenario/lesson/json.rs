//! JSON text read into [`Value`]s: the reading half of lesson files.
//!
//! socksim reads no other JSON, and this small reader costs the page a fraction of serde_json's
//! (whose reader, with its table of powers of ten, weighed more than the rest of the lesson
//! checking). It reads RFC 8259 JSON and nothing more. Whole numbers that fit 64 bits stay exact;
//! other numbers are read as `f64` by a correctly rounding decimal reader: the browser's in the
//! page (Rust's own brings a 10 KB table of its own), Rust's elsewhere. An object keeps its fields
//! in order, repeated names included, for the lesson reader to judge.

use std::fmt;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// A JSON number: whole numbers exactly when they fit, others as the nearest `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    /// Whole numbers above `i64::MAX`.
    UInt(u64),
    Float(f64),
}

impl Number {
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::Int(whole) => Some(whole),
            Number::UInt(_) | Number::Float(_) => None,
        }
    }

    pub fn as_u64(self) -> Option<u64> {
        match self {
            Number::Int(whole) => u64::try_from(whole).ok(),
            Number::UInt(whole) => Some(whole),
            Number::Float(_) => None,
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(whole) => whole as f64,
            Number::UInt(whole) => whole as f64,
            Number::Float(number) => number,
        }
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<Number> {
        match self {
            Value::Number(number) => Some(*number),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.as_number()?.as_u64()
    }
}

impl Value {
    /// The value as JSON text a person can read: an object short and flat enough goes on one
    /// line, any other one field a line, indented two spaces a level. Reading it gives the value
    /// back (numbers are written in the shortest form that reads back exactly).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::Number(Number::Int(whole)) => out.push_str(&whole.to_string()),
            Value::Number(Number::UInt(whole)) => out.push_str(&whole.to_string()),
            Value::Number(Number::Float(number)) => out.push_str(&crate::decimal::plain(*number)),
            Value::String(text) => write_string(out, text),
            Value::Array(_) | Value::Object(_) if self.is_flat() => {
                let one_line = self.one_line();
                if one_line.len() <= ONE_LINE {
                    out.push_str(&one_line);
                } else {
                    self.write_lines(out, depth);
                }
            }
            _ => self.write_lines(out, depth),
        }
    }

    /// Holds no object and no array of them.
    fn is_flat(&self) -> bool {
        match self {
            Value::Array(items) => items.iter().all(|item| !matches!(item, Value::Object(_) | Value::Array(_))),
            Value::Object(fields) => fields.iter().all(|(_, value)| match value {
                Value::Array(items) => items.iter().all(|item| !matches!(item, Value::Object(_) | Value::Array(_))),
                Value::Object(_) => false,
                _ => true,
            }),
            _ => true,
        }
    }

    fn one_line(&self) -> String {
        let mut out = String::new();
        match self {
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    out.push_str(if index == 0 { "" } else { ", " });
                    out.push_str(&item.one_line());
                }
                out.push(']');
            }
            Value::Object(fields) => {
                out.push_str("{ ");
                for (index, (key, value)) in fields.iter().enumerate() {
                    out.push_str(if index == 0 { "" } else { ", " });
                    write_string(&mut out, key);
                    out.push_str(": ");
                    out.push_str(&value.one_line());
                }
                out.push_str(" }");
            }
            scalar => scalar.write(&mut out, 0),
        }
        out
    }

    fn write_lines(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, depth: usize| out.extend(std::iter::repeat_n("  ", depth));
        let (open, close, count) = match self {
            Value::Array(items) => ('[', ']', items.len()),
            Value::Object(fields) => ('{', '}', fields.len()),
            _ => unreachable!("only arrays and objects take lines"),
        };
        out.push(open);
        for index in 0..count {
            out.push_str(if index == 0 { "\n" } else { ",\n" });
            indent(out, depth + 1);
            match self {
                Value::Array(items) => items[index].write(out, depth + 1),
                Value::Object(fields) => {
                    write_string(out, &fields[index].0);
                    out.push_str(": ");
                    fields[index].1.write(out, depth + 1);
                }
                _ => {}
            }
        }
        out.push('\n');
        indent(out, depth);
        out.push(close);
    }
}

/// The longest a flat object or array is written on one line.
const ONE_LINE: usize = 100;

/// A string as a JSON literal: quoted, with `"`, `\\` and control characters escaped.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Text as a JSON string literal, which is how messages quote what they were given:
/// `format!("{} is not a port", Quoted("80a"))` is `"80a" is not a port`.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_string(&mut out, self.0);
        f.write_str(&out)
    }
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub problem: &'static str,
    /// Counted from 1; the column in characters.
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {}, column {}", self.problem, self.line, self.column)
    }
}

/// What the reader answers: its error boxed, so that passing it up moves one pointer.
type Read<T> = Result<T, Box<SyntaxError>>;

/// How deep arrays and objects may nest: deeper would risk the reader's stack, and no lesson needs it.
const MAX_DEPTH: usize = 128;

/// Reads a whole text as one JSON value.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    read(text).map_err(|error| *error)
}

/// What [`parse`] does, with the error boxed as the reader passes it up.
fn read(text: &str) -> Read<Value> {
    let mut reader = Reader { text, at: 0, depth: 0 };
    let value = reader.value()?;
    reader.skip_whitespace();
    if reader.at < text.len() {
        return Err(reader.error("text after the end of the value"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    /// The byte read next.
    at: usize,
    /// How many arrays and objects the value being read is inside.
    depth: usize,
}

impl Reader<'_> {
    fn error(&self, problem: &'static str) -> Box<SyntaxError> {
        let before = &self.text[..self.at.min(self.text.len())];
        let line_start = before.bytes().rposition(|byte| byte == b'\n').map_or(0, |newline| newline + 1);
        Box::new(SyntaxError {
            problem,
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        })
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips whitespace, then takes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    fn expect(&mut self, byte: u8, problem: &'static str) -> Read<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(problem))
        }
    }

    fn value(&mut self) -> Read<Value> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("the text ends where a value should be")),
            Some(b'n') => self.word("null", Value::Null),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(open @ (b'[' | b'{')) => {
                if self.depth == MAX_DEPTH {
                    return Err(self.error("lists and objects nested too deeply"));
                }
                self.at += 1;
                self.depth += 1;
                let value = if open == b'[' { self.array() } else { self.object() };
                self.depth -= 1;
                value
            }
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Read<Value> {
        if !self.text[self.at..].starts_with(word) {
            return Err(self.error("expected a value"));
        }
        self.at += word.len();
        Ok(value)
    }

    /// The items of an array, after its `[`.
    fn array(&mut self) -> Read<Value> {
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            self.expect(b',', "expected `,` or `]`")?;
        }
    }

    /// The fields of an object, after its `{`.
    fn object(&mut self) -> Read<Value> {
        let mut fields = Vec::new();
        if self.eat(b'}') {
            return Ok(Value::Object(fields));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a field name in quotes"));
            }
            let name = self.string()?;
            self.expect(b':', "expected `:`")?;
            fields.push((name, self.value()?));
            if self.eat(b'}') {
                return Ok(Value::Object(fields));
            }
            self.expect(b',', "expected `,` or `}`")?;
        }
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Read<String> {
        self.at += 1;
        let mut text = String::new();
        loop {
            let rest = &self.text[self.at..];
            // Bytes, not characters: those looked for are ASCII, never part of a longer character.
            let plain = rest.bytes().position(|b| b == b'"' || b == b'\\' || b < b' ').unwrap_or(rest.len());
            text.push_str(&rest[..plain]);
            self.at += plain;
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(text);
                }
                Some(b'\\') => {
                    self.at += 1;
                    text.push(self.escape()?);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("the text ends inside a string")),
            }
        }
    }

    /// The character an escape stands for, after its `\`.
    fn escape(&mut self) -> Read<char> {
        let Some(letter) = self.peek() else { return Err(self.error("the text ends inside a string")) };
        self.at += 1;
        Ok(match letter {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xd800..0xdc00).contains(&first) {
                    // A UTF-16 surrogate pair: the low half must follow as another \u escape.
                    if !self.text[self.at..].starts_with("\\u") {
                        return Err(self.error("a lone surrogate in a \\u escape"));
                    }
                    self.at += 2;
                    let second = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&second) {
                        return Err(self.error("a lone surrogate in a \\u escape"));
                    }
                    0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
                } else {
                    first
                };
                char::from_u32(code).ok_or_else(|| self.error("a lone surrogate in a \\u escape"))?
            }
            _ => {
                self.at -= 1;
                return Err(self.error("unknown escape in a string"));
            }
        })
    }

    /// Four hex digits of a \u escape.
    fn hex4(&mut self) -> Read<u32> {
        let digits = self.text.get(self.at..self.at + 4).filter(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
        let code = digits.and_then(|digits| u32::from_str_radix(digits, 16).ok());
        let code = code.ok_or_else(|| self.error("a \\u escape needs four hex digits"))?;
        self.at += 4;
        Ok(code)
    }

    /// Takes the digits that come next; says whether there were any.
    fn digits(&mut self) -> bool {
        let from = self.at;
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.at += 1;
        }
        self.at > from
    }

    fn number(&mut self) -> Read<Number> {
        let start = self.at;
        self.at += usize::from(self.peek() == Some(b'-'));
        let integer = self.at;
        // Digits, and no leading zero before more of them.
        let mut valid = self.digits() && !(self.text.as_bytes()[integer] == b'0' && self.at - integer > 1);
        let mut whole = true;
        if valid && self.peek() == Some(b'.') {
            self.at += 1;
            whole = false;
            valid = self.digits();
        }
        if valid && matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            whole = false;
            self.at += usize::from(matches!(self.peek(), Some(b'+' | b'-')));
            valid = self.digits();
        }
        if !valid {
            return Err(self.error("invalid number"));
        }
        let text = &self.text[start..self.at];
        if whole {
            if let Ok(number) = text.parse::<i64>() {
                return Ok(Number::Int(number));
            }
            if let Ok(number) = text.parse::<u64>() {
                return Ok(Number::UInt(number));
            }
        }
        let number = crate::decimal::parse(text);
        if !number.is_finite() {
            // As serde_json: a number beyond the largest `f64` is refused, not read as infinity.
            self.at = start;
            return Err(self.error("a number too large"));
        }
        Ok(Number::Float(number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_kind_of_value() {
        let value = parse(
            r#" { "a": [1, -2, 3.5, 1e2, true, false, null], "b": "x\"\\\/\b\f\n\r\tü\u00e9\ud83d\ude00", "c": {} } "#,
        );
        let Ok(Value::Object(fields)) = value else { panic!("{value:?}") };
        assert_eq!(fields[0].0, "a");
        assert_eq!(
            fields[0].1,
            Value::Array(vec![
                Value::Number(Number::Int(1)),
                Value::Number(Number::Int(-2)),
                Value::Number(Number::Float(3.5)),
                Value::Number(Number::Float(100.0)),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
            ])
        );
        assert_eq!(fields[1].1, Value::String("x\"\\/\u{8}\u{c}\n\r\tüé😀".into()));
        assert_eq!(fields[2].1, Value::Object(Vec::new()));
    }

    #[test]
    fn keeps_whole_numbers_exact() {
        assert_eq!(parse("18446744073709551615"), Ok(Value::Number(Number::UInt(u64::MAX))));
        assert_eq!(parse("-9223372036854775808"), Ok(Value::Number(Number::Int(i64::MIN))));
        assert_eq!(parse("18446744073709551616").unwrap().as_f64(), Some(18446744073709551616.0));
        assert_eq!(parse("0.1").unwrap().as_f64(), Some(0.1));
        assert_eq!(parse("2.9").unwrap().as_f64(), Some(2.9));
        assert_eq!(parse("80").unwrap().as_u64(), Some(80));
        assert_eq!(parse("80.0").unwrap().as_u64(), None);
        assert_eq!(parse("-1").unwrap().as_u64(), None);
    }

    #[test]
    fn keeps_fields_in_order_with_repeated_names() {
        let Ok(Value::Object(fields)) = parse(r#"{"b": 1, "a": 2, "b": 3}"#) else { panic!() };
        let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["b", "a", "b"]);
    }

    #[test]
    fn says_what_is_wrong_and_where() {
        assert_eq!(error(""), "the text ends where a value should be at line 1, column 1");
        assert_eq!(error("{ not json"), "expected a field name in quotes at line 1, column 3");
        assert_eq!(error("[1,\n 2,,]"), "expected a value at line 2, column 4");
        assert_eq!(error("[1 2]"), "expected `,` or `]` at line 1, column 4");
        assert_eq!(error(r#"{"a" 1}"#), "expected `:` at line 1, column 6");
        assert_eq!(error(r#"{"a": 1 "b": 2}"#), "expected `,` or `}` at line 1, column 9");
        assert_eq!(error("{} x"), "text after the end of the value at line 1, column 4");
        assert_eq!(error("\"é\n\""), "control character in a string at line 1, column 3");
        assert_eq!(error("\"abc"), "the text ends inside a string at line 1, column 5");
        assert_eq!(error(r#""\x""#), "unknown escape in a string at line 1, column 3");
        assert_eq!(error(r#""\u12""#), "a \\u escape needs four hex digits at line 1, column 4");
        assert_eq!(error(r#""\ud800""#), "a lone surrogate in a \\u escape at line 1, column 8");
        assert_eq!(error(r#""\ud800\u0041""#), "a lone surrogate in a \\u escape at line 1, column 14");
        for number in ["01", "-", "1.", ".5", "1e", "-01", "+1", "1.e5"] {
            assert!(parse(number).is_err(), "{number}");
        }
        assert_eq!(error("[1e400]"), "a number too large at line 1, column 2");
        for word in ["nul", "True", "truex"] {
            assert!(parse(word).is_err(), "{word}");
        }
    }

    #[test]
    fn refuses_nesting_past_the_limit() {
        let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&deep(MAX_DEPTH)).is_ok());
        assert_eq!(parse(&deep(MAX_DEPTH + 1)).unwrap_err().problem, "lists and objects nested too deeply");
    }

    /// The reader is held to serde_json's: any JSON serde_json writes (compact or pretty, any
    /// strings, numbers and nesting) reads back as the same value, and any text serde_json refuses
    /// is refused too (and never makes the reader panic).
    #[cfg(not(target_arch = "wasm32"))]
    mod against_serde_json {
        use super::super::*;
        use proptest::prelude::*;

        fn to_serde(value: &Value) -> serde_json::Value {
            match value {
                Value::Null => serde_json::Value::Null,
                Value::Bool(flag) => serde_json::Value::Bool(*flag),
                Value::Number(Number::Int(whole)) => (*whole).into(),
                Value::Number(Number::UInt(whole)) => (*whole).into(),
                Value::Number(Number::Float(number)) => serde_json::Number::from_f64(*number).into(),
                Value::String(text) => text.clone().into(),
                Value::Array(items) => items.iter().map(to_serde).collect(),
                Value::Object(fields) => fields
                    .iter()
                    .map(|(name, value)| (name.clone(), to_serde(value)))
                    .collect::<serde_json::Map<_, _>>()
                    .into(),
            }
        }

        fn any_json() -> impl Strategy<Value = serde_json::Value> {
            let leaf = prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                any::<u64>().prop_map(serde_json::Value::from),
                any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(serde_json::Value::from),
                any::<String>().prop_map(serde_json::Value::from),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                    prop::collection::btree_map(any::<String>(), inner, 0..8)
                        .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, rng_seed: proptest::test_runner::RngSeed::Fixed(5), ..ProptestConfig::default() })]

            #[test]
            fn reads_what_serde_json_writes(value in any_json()) {
                for text in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
                    let read = parse(&text).map_err(|error| TestCaseError::fail(format!("{error} in {text}")))?;
                    prop_assert_eq!(to_serde(&read), value.clone());
                }
            }

            #[test]
            fn refuses_what_serde_json_refuses(value in any_json(), cut in any::<prop::sample::Index>(), junk in "[\\\"{}\\[\\],:0-9a-z .eE+-]{1,3}") {
                // Damage a valid text: cut it short, or put a few JSON-ish characters in it.
                let text = serde_json::to_string(&value).unwrap();
                let mut at = cut.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                for damaged in [text[..at].to_string(), format!("{}{junk}{}", &text[..at], &text[at..])] {
                    let ours = parse(&damaged).is_ok();
                    let theirs = serde_json::from_str::<serde_json::Value>(&damaged).is_ok();
                    prop_assert_eq!(ours, theirs, "{:?}", damaged);
                }
            }
        }
    }
}
