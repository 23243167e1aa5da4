//! Methods of built-in values: the common ones of `str` and `bytes` (one implementation over
//! bytes for both), lists, dicts, sets and locks. Socket methods are in
//! [`socket`](super::modules::socket); the rarer methods (`center`, `partition`, `setdefault`…)
//! are written in Python, in `modules/builtins.py`, where [`call`] finds them.
//!
//! A method is found by its name when called (`data.upper()`), or bound to its receiver when
//! read as an attribute (`f = data.upper`), which [`attribute`] does for the names each type has.

use std::cell::RefCell;
use std::rc::Rc;

use super::builtins::{collect, int_arg, keyword, no_keywords, sort};
use super::machine::Vm;
use super::operators::check_len;
use super::process::Wait;
use super::value::*;

const TEXT_METHODS: &[&str] = &[
    "encode",
    "decode",
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "rsplit",
    "join",
    "startswith",
    "endswith",
    "find",
    "rfind",
];
const LIST_METHODS: &[&str] = &["append", "extend", "insert", "pop", "sort", "reverse", "clear"];
const DICT_METHODS: &[&str] = &["get", "keys", "values", "items", "pop", "clear"];
const SET_METHODS: &[&str] = &["add", "remove", "discard", "clear"];
const LOCK_METHODS: &[&str] = &["acquire", "release", "locked", "__enter__", "__exit__"];

/// `value.name` for built-in values: a bound method, or a plain attribute.
pub fn attribute(vm: &mut Vm, value: &Value, name: &str) -> Res<Option<Value>> {
    let methods: &[&str] = match value {
        Value::Str(_) | Value::Bytes(_) => TEXT_METHODS,
        Value::List(_) => LIST_METHODS,
        Value::Dict(_) => DICT_METHODS,
        Value::Set(_) => SET_METHODS,
        Value::Lock(_) => LOCK_METHODS,
        Value::Socket(socket) => return super::modules::socket::attribute(socket, value, name),
        _ => &[],
    };
    if methods.contains(&name) || python_method(vm, value, name)?.is_some() {
        return Ok(Some(Value::NativeMethod(Rc::new((value.clone(), name.into())))));
    }
    Ok(None)
}

/// The method written in Python (`str_center` is `str.center`), if there is one.
fn python_method(vm: &mut Vm, value: &Value, name: &str) -> Res<Option<Value>> {
    if !matches!(
        value,
        Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::Tuple(_)
    ) {
        return Ok(None);
    }
    let mut function = String::from(value.type_name());
    function.push('_');
    function.push_str(name);
    Ok(super::modules::python_builtins(vm)?.get(&function))
}

use super::machine::attribute_error as no_method;

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Res<()> {
    if args.len() < min || args.len() > max {
        return Err(type_error(format!("{name}() takes {min} to {max} arguments ({} given)", args.len())));
    }
    Ok(())
}

/// Calls method `name` of a built-in value.
pub fn call(
    vm: &mut Vm,
    receiver: &Value,
    name: &str,
    args: Vec<Value>,
    mut kwargs: Vec<(Rc<str>, Value)>,
) -> Res<Value> {
    let native = match receiver {
        Value::Str(_) | Value::Bytes(_) => text(vm, receiver, name, &args, &mut kwargs)?,
        Value::List(list) => list_method(vm, list, name, &args, &mut kwargs)?,
        Value::Dict(dict) => dict_method(vm, dict, name, &args)?,
        Value::Set(set) => set_method(vm, set, name, &args)?,
        Value::Socket(socket) => return super::modules::socket::call(vm, socket, name, args, kwargs),
        Value::Lock(held) => lock_method(held, name, &args)?,
        // `super().__init__(…)` reaching a built-in class: exceptions keep their arguments.
        Value::Instance(instance) if name == "__init__" => {
            if instance.class.exception_kind().is_some() {
                let fresh = vm.rt.new_exception(&instance.class, args.clone());
                *instance.attrs.borrow_mut() = core::mem::take(&mut *fresh.attrs.borrow_mut());
            }
            Some(Value::None)
        }
        _ => None,
    };
    if let Some(value) = native {
        return Ok(value);
    }
    let Some(method) = python_method(vm, receiver, name)? else {
        return Err(no_method(receiver, name));
    };
    let mut args = args;
    args.insert(0, receiver.clone());
    vm.call_value(method, args, kwargs)
}

fn lock_method(held: &Rc<core::cell::Cell<bool>>, name: &str, args: &[Value]) -> Res<Option<Value>> {
    Ok(Some(match name {
        "acquire" | "__enter__" => {
            if !held.get() {
                held.set(true);
                return Ok(Some(Value::Bool(true)));
            }
            if name == "acquire" && args.first().is_some_and(|b| !b.truthy()) {
                return Ok(Some(Value::Bool(false)));
            }
            return Err(waiting(Wait::Lock(held.clone())));
        }
        "release" | "__exit__" => {
            if !held.replace(false) {
                return Err(raise(Kind::RuntimeError, "release unlocked lock"));
            }
            Value::None
        }
        "locked" => Value::Bool(held.get()),
        _ => return Ok(None),
    }))
}

fn list_method(
    vm: &mut Vm,
    list: &List,
    name: &str,
    args: &[Value],
    kwargs: &mut Vec<(Rc<str>, Value)>,
) -> Res<Option<Value>> {
    if name == "sort" {
        let key = keyword(kwargs, "key");
        let reverse = keyword(kwargs, "reverse").is_some_and(|r| r.truthy());
        no_keywords(name, kwargs)?;
        let mut items = list.0.borrow().clone();
        sort(vm, &mut items, key, reverse)?;
        *list.0.borrow_mut() = items;
        return Ok(Some(Value::None));
    }
    if name == "extend" {
        arity(name, args, 1, 1)?;
        let more = collect(vm, &args[0])?;
        let mut items = list.0.borrow_mut();
        check_len(items.len() + more.len())?;
        items.extend(more);
        return Ok(Some(Value::None));
    }
    let mut items = list.0.borrow_mut();
    match name {
        "append" | "insert" => {
            arity(name, args, 1 + usize::from(name == "insert"), 1 + usize::from(name == "insert"))?;
            check_len(items.len() + 1)?;
            let len = items.len() as i64;
            let at = match args {
                [at, _] => {
                    let at = int_arg(at, "insert")?;
                    if at < 0 {
                        (at + len).max(0)
                    } else {
                        at.min(len)
                    }
                }
                _ => len,
            };
            items.insert(at as usize, args[args.len() - 1].clone());
        }
        "pop" => {
            arity(name, args, 0, 1)?;
            if items.is_empty() {
                return Err(raise(Kind::IndexError, "pop from empty list"));
            }
            let len = items.len() as i64;
            let at = match args.first() {
                Some(at) => int_arg(at, "pop")?,
                None => -1,
            };
            let at = if at < 0 { at + len } else { at };
            if !(0..len).contains(&at) {
                return Err(raise(Kind::IndexError, "pop index out of range"));
            }
            return Ok(Some(items.remove(at as usize)));
        }
        "reverse" => items.reverse(),
        "clear" => items.clear(),
        _ => return Ok(None),
    }
    Ok(Some(Value::None))
}

fn dict_method(vm: &mut Vm, dict: &RefCell<Dict>, name: &str, args: &[Value]) -> Res<Option<Value>> {
    let key = args.first().cloned().unwrap_or(Value::None);
    Ok(Some(match name {
        "get" => {
            arity(name, args, 1, 2)?;
            dict.borrow().get(&key)?.unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None))
        }
        "keys" | "values" | "items" => {
            let dict = dict.borrow();
            vm.burn(dict.entries.len() * 8);
            let mut items = Vec::new();
            for (key, value) in &dict.entries {
                items.push(match name {
                    "keys" => key.clone(),
                    "values" => value.clone(),
                    _ => Value::tuple(vec![key.clone(), value.clone()]),
                });
            }
            Value::list(items)
        }
        "pop" => {
            arity(name, args, 1, 2)?;
            let removed = dict.borrow_mut().remove(&key)?;
            match (removed, args.get(1)) {
                (Some(value), _) => value,
                (None, Some(default)) => default.clone(),
                (None, None) => return Err(super::operators::key_error(vm, &key)),
            }
        }
        "clear" => {
            dict.borrow_mut().clear();
            Value::None
        }
        _ => return Ok(None),
    }))
}

fn set_method(vm: &mut Vm, set: &RefCell<Dict>, name: &str, args: &[Value]) -> Res<Option<Value>> {
    let item = args.first().cloned().unwrap_or(Value::None);
    match name {
        "add" => set.borrow_mut().insert(item, Value::None)?,
        "remove" | "discard" => {
            if set.borrow_mut().remove(&item)?.is_none() && name == "remove" {
                return Err(super::operators::key_error(vm, &item));
            }
        }
        "clear" => set.borrow_mut().clear(),
        _ => return Ok(None),
    }
    Ok(Some(Value::None))
}

// ---- str and bytes ------------------------------------------------------------------------------

/// The bytes of a `str` or `bytes` argument, which must be of the receiver's kind.
fn same_kind<'a>(vm: &Vm, receiver: &Value, value: &'a Value) -> Res<&'a [u8]> {
    match (receiver, value) {
        (Value::Str(_), Value::Str(s)) => Ok(s.as_bytes()),
        (Value::Bytes(_), Value::Bytes(b)) => Ok(b),
        // A Python 2 program mixes str and bytes freely.
        (Value::Bytes(_), Value::Str(s)) if vm.rt.python2 => Ok(s.as_bytes()),
        (Value::Str(_), Value::Bytes(b)) if vm.rt.python2 => Ok(b),
        (Value::Str(_), other) => Err(type_error_of("must be str, not ", other, "")),
        (_, other) => Err(type_error_of("a bytes-like object is required, not '", other, "'")),
    }
}

/// Makes a value of the receiver's kind from bytes (valid UTF-8 when the receiver is a `str`).
fn make(receiver: &Value, bytes: &[u8]) -> Value {
    match receiver {
        Value::Str(_) => Value::str(&lossy(bytes)),
        _ => Value::Bytes(bytes.into()),
    }
}

/// Where `needle` first (or, `from_end`, last) occurs in `haystack`, by comparing at each position:
/// the crate's one substring search, as core's two-way searcher takes 1.5 KB of the page.
pub fn find(haystack: &[u8], needle: &[u8], from_end: bool) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    let mut positions = 0..=haystack.len() - needle.len();
    let matches = |&i: &usize| &haystack[i..i + needle.len()] == needle;
    if from_end {
        positions.rev().find(matches)
    } else {
        positions.find(matches)
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Splits on runs of whitespace (`sep` is None) or on `sep`, at most `max` times, from the end
/// for `rsplit`.
fn split<'a>(data: &'a [u8], sep: Option<&[u8]>, max: i64, from_end: bool) -> Vec<&'a [u8]> {
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut max = if max < 0 { usize::MAX } else { max as usize };
    let mut rest = data;
    loop {
        if sep.is_none() {
            let (start, end) = strip(rest, None, !from_end, from_end);
            rest = &rest[start..end];
            if rest.is_empty() {
                break;
            }
        }
        let found = match sep {
            Some(sep) => find(rest, sep, from_end).map(|at| (at, at + sep.len())),
            None if from_end => rest.iter().rposition(|&b| is_space(b)).map(|at| (at, at + 1)),
            None => rest.iter().position(|&b| is_space(b)).map(|at| (at, at + 1)),
        };
        match found {
            Some((at, after)) if max > 0 => {
                parts.push(if from_end { &rest[after..] } else { &rest[..at] });
                rest = if from_end { &rest[..at] } else { &rest[after..] };
                max -= 1;
            }
            _ => {
                parts.push(rest);
                break;
            }
        }
    }
    if from_end {
        parts.reverse();
    }
    parts
}

fn strip(data: &[u8], chars: Option<&[u8]>, left: bool, right: bool) -> (usize, usize) {
    let strips = |b: u8| match chars {
        Some(chars) => chars.contains(&b),
        None => is_space(b),
    };
    let (mut start, mut end) = (0, data.len());
    while left && start < end && strips(data[start]) {
        start += 1;
    }
    while right && end > start && strips(data[end - 1]) {
        end -= 1;
    }
    (start, end)
}

/// Python's `str.encode` and `bytes.decode` for the encodings socket programs use.
fn codec(
    vm: &Vm,
    receiver: &Value,
    data: &[u8],
    name: &str,
    args: &[Value],
    kwargs: &mut Vec<(Rc<str>, Value)>,
) -> Res<Value> {
    let encoding = args.first().cloned().or_else(|| keyword(kwargs, "encoding"));
    let errors = args.get(1).cloned().or_else(|| keyword(kwargs, "errors"));
    let encoding = match &encoding {
        Some(Value::Str(e)) => e.to_ascii_lowercase().replace('_', "-"),
        Some(other) => return Err(type_error_of("encoding must be str, not ", other, "")),
        None => "utf-8".into(),
    };
    let lenient = matches!(errors, Some(Value::Str(e)) if &*e != "strict");
    let latin = matches!(encoding.as_str(), "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1");
    let ascii = matches!(encoding.as_str(), "ascii" | "us-ascii");
    if !matches!(encoding.as_str(), "utf-8" | "utf8") && !latin && !ascii {
        return Err(raise(
            Kind::NotImplementedError,
            format!("socksim knows utf-8, ascii and latin-1, not {encoding}"),
        ));
    }
    if let Value::Str(text) = receiver {
        if name == "decode" {
            // A Python 2 str decodes to itself.
            return if vm.rt.python2 { Ok(receiver.clone()) } else { Err(no_method(receiver, name)) };
        }
        if !latin && !ascii {
            return Ok(Value::Bytes(data.into()));
        }
        let limit = if latin { 256 } else { 128 };
        let mut out = Vec::new();
        for (i, c) in text.chars().enumerate() {
            match c as u32 {
                code if code < limit => out.push(code as u8),
                _ if lenient => out.push(b'?'),
                _ => {
                    return Err(raise(
                        Kind::UnicodeError,
                        format!(
                            "'{encoding}' codec can't encode character in position {i}: ordinal not in range({limit})"
                        ),
                    ))
                }
            }
        }
        return Ok(Value::Bytes(out.into()));
    }
    if name == "encode" {
        return Err(no_method(receiver, name));
    }
    if latin {
        let mut text = String::new();
        for &b in data {
            text.push(b as char);
        }
        return Ok(Value::str(&text));
    }
    let bad = match std::str::from_utf8(data) {
        Err(error) => Some((
            error.valid_up_to(),
            if error.error_len().is_none() { "unexpected end of data" } else { "invalid start byte" },
        )),
        Ok(_) if ascii => data.iter().position(|&b| b >= 128).map(|at| (at, "ordinal not in range(128)")),
        Ok(text) => return Ok(Value::str(text)),
    };
    match bad {
        _ if lenient => Ok(Value::str(&lossy(data))),
        Some((at, reason)) => Err(raise(
            Kind::UnicodeDecodeError,
            format!(
                "'{}' codec can't decode byte 0x{:02x} in position {at}: {reason}",
                if ascii { "ascii" } else { "utf-8" },
                data[at]
            ),
        )),
        None => Ok(Value::str(&lossy(data))),
    }
}

fn text(
    vm: &mut Vm,
    receiver: &Value,
    name: &str,
    args: &[Value],
    kwargs: &mut Vec<(Rc<str>, Value)>,
) -> Res<Option<Value>> {
    let data: &[u8] = match receiver {
        Value::Str(s) => s.as_bytes(),
        Value::Bytes(b) => b,
        _ => &[],
    };
    if !TEXT_METHODS.contains(&name) {
        return Ok(None);
    }
    vm.burn(data.len());
    if name == "encode" || name == "decode" {
        let value = codec(vm, receiver, data, name, args, kwargs)?;
        no_keywords(name, kwargs)?;
        return Ok(Some(value));
    }
    let maxsplit = keyword(kwargs, "maxsplit");
    let sep_keyword = keyword(kwargs, "sep");
    no_keywords(name, kwargs)?;
    let arg = |i: usize| args.get(i).filter(|v| !matches!(v, Value::None));
    Ok(Some(match name {
        // Letters beyond ASCII keep their case: Unicode's case tables would double socksim's size.
        "upper" => make(receiver, &data.to_ascii_uppercase()),
        "lower" => make(receiver, &data.to_ascii_lowercase()),
        "strip" | "lstrip" | "rstrip" => {
            let chars = match arg(0) {
                Some(chars) => Some(same_kind(vm, receiver, chars)?),
                None => None,
            };
            let (start, end) = strip(data, chars, name != "rstrip", name != "lstrip");
            make(receiver, &data[start..end])
        }
        "split" | "rsplit" => {
            let sep = match arg(0).or(sep_keyword.as_ref()) {
                Some(sep) => Some(same_kind(vm, receiver, sep)?),
                None => None,
            };
            if sep.is_some_and(<[u8]>::is_empty) {
                return Err(value_error("empty separator"));
            }
            let max = match args.get(1).or(maxsplit.as_ref()) {
                Some(max) => int_arg(max, "maxsplit")?,
                None => -1,
            };
            let parts = split(data, sep, max, name == "rsplit");
            check_len(parts.len())?;
            let mut items = Vec::new();
            for part in parts {
                items.push(make(receiver, part));
            }
            Value::list(items)
        }
        "join" => {
            arity(name, args, 1, 1)?;
            let items = collect(vm, &args[0])?;
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(data);
                }
                let piece = same_kind(vm, receiver, item).map_err(|_| {
                    type_error(format!(
                        "sequence item {i}: expected {} instance, {} found",
                        if matches!(receiver, Value::Str(_)) { "str" } else { "a bytes-like object" },
                        item.type_name()
                    ))
                })?;
                out.extend_from_slice(piece);
                check_len(out.len())?;
            }
            vm.burn(out.len());
            make(receiver, &out)
        }
        "startswith" | "endswith" => {
            arity(name, args, 1, 3)?;
            let candidates = match &args[0] {
                Value::Tuple(items) => items.0.to_vec(),
                other => vec![other.clone()],
            };
            let mut found = false;
            for candidate in &candidates {
                let affix = same_kind(vm, receiver, candidate)?;
                found |= if name == "startswith" { data.starts_with(affix) } else { data.ends_with(affix) };
            }
            Value::Bool(found)
        }
        _ => {
            // find, rfind (sub, start, end), in characters of a str.
            arity(name, args, 1, 3)?;
            let needle = match &args[0] {
                Value::Int(byte) if matches!(receiver, Value::Bytes(_)) => &[*byte as u8][..],
                other => same_kind(vm, receiver, other)?,
            };
            // In a str beyond ASCII, positions count characters: the bytes that start one.
            let wide = matches!(receiver, Value::Str(s) if !s.is_ascii());
            let chars = |bytes: &[u8]| {
                if wide {
                    bytes.iter().filter(|&&b| b & 0xc0 != 0x80).count()
                } else {
                    bytes.len()
                }
            };
            let len = chars(data) as i64;
            let bound = |i: usize, default: i64| -> Res<usize> {
                let at = match arg(i) {
                    Some(at) => int_arg(at, name)?,
                    None => default,
                };
                let at = if at < 0 { (at + len).max(0) } else { at.min(len) } as usize;
                if !wide {
                    return Ok(at);
                }
                // The byte where character `at` starts.
                let mut seen = 0;
                for (byte, &b) in data.iter().enumerate() {
                    if b & 0xc0 != 0x80 {
                        if seen == at {
                            return Ok(byte);
                        }
                        seen += 1;
                    }
                }
                Ok(data.len())
            };
            let (start, end) = (bound(1, 0)?, bound(2, len)?);
            let found = data.get(start..end.max(start)).and_then(|window| find(window, needle, name == "rfind"));
            Value::Int(found.map_or(-1, |at| chars(&data[..start + at]) as i64))
        }
    }))
}
