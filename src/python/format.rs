//! Values as text: `str()`, `repr()` and format specs (f-strings, `format()`).
//!
//! This module owns how every value prints, exactly as CPython prints it (`b'hi\r\n'`,
//! `[1, 'a', None]`, `1e+16`, `OSError(111, 'Connection refused')`); `str.format` and `%` are
//! written in Python on top of `format()`. Floats get their digits from [`crate::decimal`] (shortest
//! for `repr`, rounded half to even for a precision) and are laid out here the way Python lays them out.

use super::machine::Vm;
use super::value::*;
use crate::decimal;
use crate::scenario::pyrepr::bytes_literal;

impl Vm<'_> {
    /// `str(value)`.
    pub fn str(&mut self, value: &Value) -> Res<String> {
        match value {
            Value::Str(s) => Ok(s.to_string()),
            Value::Instance(instance) => {
                if let Some(method) = user_method(&instance.class, "__str__") {
                    return self.text_from(method, value, "__str__");
                }
                if instance.class.exception_kind().is_some() {
                    return self.exception_message(instance);
                }
                self.repr(value)
            }
            _ => self.repr(value),
        }
    }

    /// `repr(value)`.
    pub fn repr(&mut self, value: &Value) -> Res<String> {
        let mut out = String::new();
        self.repr_into(&mut out, value, &mut Vec::new())?;
        Ok(out)
    }

    fn text_from(&mut self, method: Value, value: &Value, name: &str) -> Res<String> {
        match self.call_value(method, vec![value.clone()], Vec::new())? {
            Value::Str(s) => Ok(s.to_string()),
            other => Err(type_error(format!("{name} returned non-string (type {})", other.type_name()))),
        }
    }

    /// What `str()` of an exception gives: its one argument, `[Errno n] message`, or its arguments.
    pub fn exception_message(&mut self, instance: &Instance) -> Res<String> {
        let attr = |name| get_attr(&instance.attrs, name).unwrap_or(Value::None);
        if let (Value::Int(errno), strerror) = (attr("errno"), attr("strerror")) {
            return Ok(format!("[Errno {errno}] {}", self.str(&strerror)?));
        }
        let Value::Tuple(args) = attr("args") else { return Ok(String::new()) };
        match &args.0[..] {
            [] => Ok(String::new()),
            [one] if instance.class.exception_kind() == Some(Kind::KeyError) => self.repr(one),
            [one] => self.str(one),
            _ => self.repr(&Value::Tuple(args.clone())),
        }
    }

    fn repr_into(&mut self, out: &mut String, value: &Value, seen: &mut Vec<usize>) -> Res<()> {
        let address = value.address().unwrap_or(0);
        let container = matches!(value, Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Set(_));
        if container {
            if seen.contains(&address) {
                out.push_str(match value {
                    Value::Dict(_) => "{...}",
                    _ => "[...]",
                });
                return Ok(());
            }
            if seen.len() as u32 >= MAX_NESTING {
                return Err(raise(
                    Kind::RecursionError,
                    "maximum recursion depth exceeded while getting the repr of an object",
                ));
            }
            seen.push(address);
        }
        match value {
            Value::Unbound | Value::None => out.push_str("None"),
            Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Str(s) => str_literal(out, s),
            Value::Bytes(b) => {
                self.burn(b.len());
                out.push_str(&bytes_literal(b));
            }
            Value::Tuple(items) => {
                out.push('(');
                self.items_into(out, &items.0, seen)?;
                if items.0.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Value::List(list) => {
                let items = list.0.borrow().clone();
                out.push('[');
                self.items_into(out, &items, seen)?;
                out.push(']');
            }
            Value::Dict(dict) => {
                let entries = dict.borrow().entries.clone();
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.repr_into(out, key, seen)?;
                    out.push_str(": ");
                    self.repr_into(out, value, seen)?;
                }
                out.push('}');
            }
            Value::Set(set) => {
                let mut keys = Vec::new();
                for (key, _) in &set.borrow().entries {
                    keys.push(key.clone());
                }
                if keys.is_empty() {
                    out.push_str("set()");
                } else {
                    out.push('{');
                    self.items_into(out, &keys, seen)?;
                    out.push('}');
                }
            }
            Value::Range(r) => {
                out.push_str("range(");
                out.push_str(&r[0].to_string());
                out.push_str(", ");
                out.push_str(&r[1].to_string());
                if r[2] != 1 {
                    out.push_str(", ");
                    out.push_str(&r[2].to_string());
                }
                out.push(')');
            }
            Value::Instance(instance) => {
                if let Some(method) = user_method(&instance.class, "__repr__") {
                    out.push_str(&self.text_from(method, value, "__repr__")?);
                } else if instance.class.exception_kind().is_some() {
                    out.push_str(instance.class.short_name());
                    match get_attr(&instance.attrs, "args") {
                        Some(Value::Tuple(args)) if args.0.len() == 1 => {
                            out.push('(');
                            self.repr_into(out, &args.0[0], seen)?;
                            out.push(')');
                        }
                        Some(args @ Value::Tuple(_)) => self.repr_into(out, &args, seen)?,
                        _ => out.push_str("()"),
                    }
                } else {
                    out.push_str("<__main__.");
                    out.push_str(&instance.class.name);
                    out.push_str(" object>");
                }
            }
            Value::Class(class) if class.builtin.is_some() => {
                out.push_str("<class '");
                out.push_str(&class.name);
                out.push_str("'>");
            }
            Value::Class(class) => {
                out.push_str("<class '__main__.");
                out.push_str(&class.name);
                out.push_str("'>");
            }
            Value::Native(native) => out.push_str(&super::builtins::type_display(&Value::Native(*native))),
            Value::Function(function) => {
                out.push_str("<function ");
                out.push_str(&function.code.name);
                out.push('>');
            }
            Value::Method(method) => {
                out.push_str("<bound method ");
                if let Value::Function(function) = &method.1 {
                    out.push_str(&function.code.name);
                }
                out.push_str(" of ");
                self.repr_into(out, &method.0, seen)?;
                out.push('>');
            }
            Value::NativeMethod(method) => {
                out.push_str("<built-in method ");
                out.push_str(&method.1);
                out.push_str(" of ");
                out.push_str(method.0.type_name());
                out.push_str(" object>");
            }
            Value::Module(module) => {
                out.push_str("<module '");
                out.push_str(&module.name);
                out.push_str("'>");
            }
            Value::Socket(socket) => out.push_str(&socket.repr()),
            Value::Lock(held) => {
                out.push_str(if held.get() { "<locked _thread.lock object>" } else { "<unlocked _thread.lock object>" })
            }
            Value::Iter(_) => out.push_str("<iterator object>"),
            Value::Super(_) => out.push_str("<super object>"),
            Value::Cell(_) => out.push_str("<cell>"),
        }
        if container {
            seen.pop();
        }
        Ok(())
    }

    fn items_into(&mut self, out: &mut String, items: &[Value], seen: &mut Vec<usize>) -> Res<()> {
        self.burn(items.len() * 8);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.repr_into(out, item, seen)?;
        }
        Ok(())
    }
}

/// A method the program defined on the class (not one socksim provides).
fn user_method(class: &Class, name: &str) -> Option<Value> {
    class.lookup(name).filter(|method| matches!(method, Value::Function(_)))
}

/// `str.__repr__`: single quotes unless the text holds `'` and no `"`.
pub fn str_literal(out: &mut String, text: &str) {
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                out.push_str("\\x");
                hex_byte(out, c as u8);
            }
            _ => out.push(c),
        }
    }
    out.push(quote);
}

fn hex_byte(out: &mut String, byte: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push(DIGITS[usize::from(byte >> 4)] as char);
    out.push(DIGITS[usize::from(byte & 15)] as char);
}

/// `float.__repr__`: `0.1`, `100.0`, `1e+16`, `1.5e-07`, `inf`, `nan`.
pub fn float_repr(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "nan".into()
        } else if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let (digits, exponent) = decimal::shortest(f);
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        if exponent < 0 {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exponent - 1) as usize));
            out.push_str(&digits);
        } else {
            let point = exponent as usize + 1;
            if digits.len() > point {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            } else {
                out.push_str(&digits);
                out.push_str(&"0".repeat(point - digits.len()));
                out.push_str(".0");
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        exponent_suffix(&mut out, 'e', exponent);
    }
    out
}

/// `e+16`, `e-07`: Python's exponents have a sign and at least two digits.
fn exponent_suffix(out: &mut String, letter: char, exponent: i32) {
    out.push(letter);
    out.push(if exponent < 0 { '-' } else { '+' });
    if exponent.abs() < 10 {
        out.push('0');
    }
    out.push_str(&exponent.abs().to_string());
}

/// `%e` / `{:e}` with `precision` digits after the point.
fn float_exponent(f: f64, precision: usize, letter: char) -> String {
    let (digits, exponent) = decimal::scientific(f, precision + 1);
    let mut out = digits[..1].to_string();
    if precision > 0 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    exponent_suffix(&mut out, letter, exponent);
    out
}

/// `%g` / `{:g}`: fixed or exponent notation, whichever is shorter, trailing zeros removed
/// unless `alternate`.
fn float_general(f: f64, precision: usize, letter: char, alternate: bool) -> String {
    let precision = precision.max(1);
    let (_, exponent) = decimal::scientific(f, precision);
    let mut out = if exponent >= -4 && exponent < precision as i32 {
        decimal::fixed(f, (precision as i32 - 1 - exponent).max(0) as usize)
    } else {
        float_exponent(f, precision - 1, letter)
    };
    if !alternate {
        // Byte searches rather than core's pattern searchers, which weigh more in the page.
        let (number, suffix) = out.split_at(out.bytes().position(|b| b == b'e' || b == b'E').unwrap_or(out.len()));
        if number.contains('.') {
            // Trailing zeros go, and then the point if nothing follows it.
            let mut end = number.len();
            while number.as_bytes()[end - 1] == b'0' {
                end -= 1;
            }
            if number.as_bytes()[end - 1] == b'.' {
                end -= 1;
            }
            out = number[..end].to_string() + suffix;
        }
    }
    out
}

/// A parsed format spec: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
#[derive(Default)]
struct Spec {
    fill: char,
    align: u8,
    sign: u8,
    alternate: bool,
    width: usize,
    grouping: u8,
    precision: Option<usize>,
    kind: u8,
}

fn parse_spec(spec: &str) -> Res<Spec> {
    // Only the fill may be beyond ASCII: the rest is read as bytes.
    let bytes = spec.as_bytes();
    let mut s = Spec { fill: ' ', ..Spec::default() };
    let is_align = |b: Option<&u8>| matches!(b, Some(b'<' | b'>' | b'^' | b'='));
    let fill = spec.chars().next().unwrap_or(' ');
    let mut i = fill.len_utf8();
    if is_align(bytes.get(i)) {
        s.fill = fill;
        s.align = bytes[i];
        i += 1;
    } else if is_align(bytes.first()) {
        s.align = bytes[0];
        i = 1;
    } else {
        i = 0;
    }
    if let Some(&c @ (b'+' | b'-' | b' ')) = bytes.get(i) {
        s.sign = c;
        i += 1;
    }
    if bytes.get(i) == Some(&b'#') {
        s.alternate = true;
        i += 1;
    }
    if bytes.get(i) == Some(&b'0') {
        if s.align == 0 {
            s.fill = '0';
            s.align = b'=';
        }
        i += 1;
    }
    let number = |i: &mut usize| {
        let mut n: usize = 0;
        while let Some(d @ b'0'..=b'9') = bytes.get(*i) {
            n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
            *i += 1;
        }
        n
    };
    s.width = number(&mut i).min(MAX_LEN);
    if let Some(&c @ (b',' | b'_')) = bytes.get(i) {
        s.grouping = c;
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        s.precision = Some(number(&mut i).min(1000));
    }
    if let Some(c) = spec[i..].chars().next() {
        s.kind = c as u8;
        i += c.len_utf8();
    }
    if i != bytes.len() {
        return Err(value_error("Invalid format specifier"));
    }
    Ok(s)
}

/// Puts `sep` between groups of three digits of the integer part of `digits`.
fn group(digits: &str, sep: u8) -> String {
    if sep == 0 {
        return digits.to_string();
    }
    let end = digits.find(['.', 'e', 'E', '%']).unwrap_or(digits.len());
    let (int, rest) = digits.split_at(end);
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(sep as char);
        }
        out.push(c);
    }
    out + rest
}

/// Pads `body` (a sign `sign` goes before it) to the spec's width.
fn pad(s: &Spec, sign: &str, body: &str, numeric: bool) -> String {
    let len = sign.chars().count() + body.chars().count();
    let fill = s.width.saturating_sub(len);
    let align = if s.align == 0 {
        if numeric {
            b'>'
        } else {
            b'<'
        }
    } else {
        s.align
    };
    // The fill before the sign, between the sign and the body, and after the body.
    let (before, inside) = match align {
        b'<' => (0, 0),
        b'^' => (fill / 2, 0),
        b'=' => (0, fill),
        _ => (fill, 0),
    };
    let mut out = String::new();
    for (n, text) in [(before, sign), (inside, body), (fill - before - inside, "")] {
        for _ in 0..n {
            out.push(s.fill);
        }
        out.push_str(text);
    }
    out
}

/// `format(value, spec)`: what f-strings and `str.format` do with each field.
pub fn format_value(vm: &mut Vm, value: &Value, spec: &str) -> Res<String> {
    if spec.is_empty() {
        return vm.str(value);
    }
    let s = parse_spec(spec)?;
    let negative_sign = |negative: bool| -> &'static str {
        match (negative, s.sign) {
            (true, _) => "-",
            (false, b'+') => "+",
            (false, b' ') => " ",
            _ => "",
        }
    };
    match value {
        Value::Int(_) | Value::Bool(_) if !matches!(s.kind, b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'%') => {
            let n = value.as_int().unwrap_or(0);
            let magnitude = n.unsigned_abs();
            let (body, prefix) = match s.kind {
                b'x' => (format!("{magnitude:x}"), "0x"),
                b'X' => (format!("{magnitude:X}"), "0X"),
                b'o' => (format!("{magnitude:o}"), "0o"),
                b'b' => (format!("{magnitude:b}"), "0b"),
                b'c' => {
                    let c = char::from_u32(n as u32)
                        .ok_or_else(|| raise(Kind::OverflowError, "%c arg not in range(0x110000)"))?;
                    return Ok(pad(&s, "", &c.to_string(), false));
                }
                0 | b'd' | b'n' => (magnitude.to_string(), ""),
                _ => return Err(unknown_code(s.kind, "int")),
            };
            let sign = negative_sign(n < 0).to_string() + if s.alternate { prefix } else { "" };
            Ok(pad(&s, &sign, &group(&body, s.grouping), true))
        }
        Value::Int(_) | Value::Bool(_) | Value::Float(_) => {
            let f = value.as_float().unwrap_or(0.0);
            let precision = s.precision.unwrap_or(6);
            let magnitude = f.abs();
            let body = if !f.is_finite() {
                float_repr(magnitude)
            } else {
                match s.kind {
                    b'f' | b'F' => decimal::fixed(magnitude, precision),
                    b'e' | b'E' => float_exponent(magnitude, precision, s.kind as char),
                    b'g' | b'G' => {
                        float_general(magnitude, precision, if s.kind == b'G' { 'E' } else { 'e' }, s.alternate)
                    }
                    b'%' => decimal::fixed(magnitude * 100.0, precision) + "%",
                    0 => match s.precision {
                        Some(p) => float_general(magnitude, p, 'e', s.alternate),
                        None => float_repr(magnitude),
                    },
                    _ => return Err(unknown_code(s.kind, "float")),
                }
            };
            Ok(pad(&s, negative_sign(f.is_sign_negative() && f != 0.0 || f < 0.0), &group(&body, s.grouping), true))
        }
        Value::Str(text) => {
            if !matches!(s.kind, 0 | b's') {
                return Err(unknown_code(s.kind, "str"));
            }
            // The first `precision` characters: up to the byte that starts the next one.
            let mut end = text.len();
            if let Some(mut left) = s.precision {
                for (at, b) in text.bytes().enumerate() {
                    if b & 0xc0 != 0x80 {
                        if left == 0 {
                            end = at;
                            break;
                        }
                        left -= 1;
                    }
                }
            }
            Ok(pad(&s, "", &text[..end], false))
        }
        Value::Instance(_) => {
            let text = vm.str(value)?;
            format_value(vm, &Value::str(&text), spec)
        }
        _ => Err(type_error_of("unsupported format string passed to ", value, ".__format__")),
    }
}

fn unknown_code(code: u8, type_name: &str) -> Exc {
    value_error(format!("Unknown format code '{}' for object of type '{type_name}'", code as char))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_prints_them() {
        for (value, text) in [
            (1e16, "1e+16"),
            (1.5e-7, "1.5e-07"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (1e-4, "0.0001"),
            (12345.678, "12345.678"),
            (-0.0, "-0.0"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(float_repr(value), text);
        }
    }

    #[test]
    fn general_and_exponent_forms() {
        assert_eq!(float_general(0.0001, 6, 'e', false), "0.0001");
        assert_eq!(float_general(1234567.0, 6, 'e', false), "1.23457e+06");
        assert_eq!(float_general(1e-5, 6, 'e', false), "1e-05");
        assert_eq!(float_general(100.0, 6, 'e', false), "100");
        assert_eq!(float_general(1.23456, 3, 'e', false), "1.23");
        assert_eq!(float_general(1.0, 6, 'e', true), "1.00000");
        assert_eq!(float_exponent(12345.678, 6, 'e'), "1.234568e+04");
        assert_eq!(group("1234567.5", b','), "1,234,567.5");
    }

    #[test]
    fn strings_quote_as_python_does() {
        let quoted = |text: &str| {
            let mut out = String::new();
            str_literal(&mut out, text);
            out
        };
        assert_eq!(quoted("it's"), "\"it's\"");
        assert_eq!(quoted("a\nb\t'\""), "'a\\nb\\t\\'\"'");
        assert_eq!(quoted("\x01é"), "'\\x01é'");
    }
}
