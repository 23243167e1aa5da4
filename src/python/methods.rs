//! Methods of built-in values: `str` and `bytes` (one implementation over bytes for both),
//! lists, dicts, sets, tuples and locks. Socket methods are in [`socket`](super::modules::socket).
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
    "splitlines",
    "join",
    "startswith",
    "endswith",
    "replace",
    "find",
    "rfind",
    "index",
    "rindex",
    "count",
    "format",
    "isdigit",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "isnumeric",
    "isdecimal",
    "capitalize",
    "title",
    "swapcase",
    "center",
    "ljust",
    "rjust",
    "zfill",
    "partition",
    "rpartition",
    "hex",
];
const LIST_METHODS: &[&str] =
    &["append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "clear", "copy"];
const DICT_METHODS: &[&str] =
    &["get", "keys", "values", "items", "pop", "popitem", "setdefault", "update", "clear", "copy", "has_key"];
const SET_METHODS: &[&str] =
    &["add", "remove", "discard", "pop", "clear", "copy", "update", "union", "intersection", "difference"];
const LOCK_METHODS: &[&str] = &["acquire", "release", "locked", "__enter__", "__exit__"];

/// `value.name` for built-in values: a bound method, or a plain attribute.
pub fn attribute(vm: &mut Vm, value: &Value, name: &str) -> Res<Option<Value>> {
    let methods: &[&str] = match value {
        Value::Str(_) | Value::Bytes(_) => TEXT_METHODS,
        Value::List(_) => LIST_METHODS,
        Value::Dict(_) => DICT_METHODS,
        Value::Set(_) => SET_METHODS,
        Value::Tuple(_) => &["count", "index"],
        Value::Lock(_) => LOCK_METHODS,
        Value::Socket(socket) => return super::modules::socket::attribute(vm, socket, value, name),
        _ => &[],
    };
    if methods.contains(&name) {
        return Ok(Some(Value::NativeMethod(Rc::new((value.clone(), name.into())))));
    }
    Ok(None)
}

fn no_method(value: &Value, name: &str) -> Exc {
    raise(Kind::AttributeError, format!("'{}' object has no attribute '{name}'", value.type_name()))
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Res<()> {
    if args.len() < min || args.len() > max {
        return Err(type_error(format!(
            "{name}() takes {} argument{} ({} given)",
            if min == max { format!("exactly {min}") } else { format!("{min} to {max}") },
            if max == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

/// Calls method `name` of a built-in value.
pub fn call(vm: &mut Vm, receiver: &Value, name: &str, args: Vec<Value>, kwargs: Vec<(Rc<str>, Value)>) -> Res<Value> {
    match receiver {
        Value::Str(_) | Value::Bytes(_) => text(vm, receiver, name, args, kwargs),
        Value::List(list) => list_method(vm, receiver, list, name, args, kwargs),
        Value::Dict(dict) => {
            no_keywords(name, &kwargs)?;
            dict_method(vm, receiver, dict, name, args)
        }
        Value::Set(set) => {
            no_keywords(name, &kwargs)?;
            set_method(vm, receiver, set, name, args)
        }
        Value::Tuple(items) => {
            let items = items.0.to_vec();
            sequence_method(receiver, &items, name, &args)
        }
        Value::Socket(socket) => super::modules::socket::call(vm, socket, name, args, kwargs),
        Value::Lock(held) => {
            let blocking = keyword(&mut { kwargs }, "blocking").or_else(|| args.first().cloned());
            match name {
                "acquire" | "__enter__" => {
                    if !held.get() {
                        held.set(true);
                        return Ok(Value::Bool(true));
                    }
                    if name == "acquire" && blocking.is_some_and(|b| !b.truthy()) {
                        return Ok(Value::Bool(false));
                    }
                    Err(waiting(Wait::Lock(held.clone())))
                }
                "release" | "__exit__" => {
                    if !held.replace(false) {
                        return Err(raise(Kind::RuntimeError, "release unlocked lock"));
                    }
                    Ok(Value::None)
                }
                "locked" => Ok(Value::Bool(held.get())),
                _ => Err(no_method(receiver, name)),
            }
        }
        // `super().__init__(…)` reaching a built-in class: exceptions keep their arguments.
        Value::Instance(instance) if name == "__init__" => {
            if instance.class.exception_kind().is_some() {
                let fresh = vm.rt.new_exception(&instance.class, args);
                *instance.attrs.borrow_mut() = core::mem::take(&mut *fresh.attrs.borrow_mut());
            }
            Ok(Value::None)
        }
        _ => Err(no_method(receiver, name)),
    }
}

fn sequence_method(receiver: &Value, items: &[Value], name: &str, args: &[Value]) -> Res<Value> {
    match name {
        "count" => {
            arity(name, args, 1, 1)?;
            let mut n = 0;
            for item in items {
                n += i64::from(equal(item, &args[0], 0)?);
            }
            Ok(Value::Int(n))
        }
        "index" => {
            arity(name, args, 1, 3)?;
            for (i, item) in items.iter().enumerate() {
                if equal(item, &args[0], 0)? {
                    return Ok(Value::Int(i as i64));
                }
            }
            Err(value_error(format!("{} is not in {}", short_repr(&args[0]), receiver.type_name())))
        }
        _ => Err(no_method(receiver, name)),
    }
}

/// A value's repr for an error message, without calling any program code.
fn short_repr(value: &Value) -> String {
    match value {
        Value::Str(s) => {
            let mut out = String::new();
            super::format::str_literal(&mut out, s);
            out
        }
        Value::Int(i) => i.to_string(),
        other => other.type_name().to_string(),
    }
}

fn list_method(
    vm: &mut Vm,
    receiver: &Value,
    list: &List,
    name: &str,
    args: Vec<Value>,
    mut kwargs: Vec<(Rc<str>, Value)>,
) -> Res<Value> {
    if name == "sort" {
        let key = keyword(&mut kwargs, "key");
        let reverse = keyword(&mut kwargs, "reverse").is_some_and(|r| r.truthy());
        no_keywords(name, &kwargs)?;
        arity(name, &args, 0, 0)?;
        let mut items = list.0.borrow().clone();
        sort(vm, &mut items, key, reverse)?;
        *list.0.borrow_mut() = items;
        return Ok(Value::None);
    }
    no_keywords(name, &kwargs)?;
    let mut items = list.0.borrow_mut();
    match name {
        "append" => {
            arity(name, &args, 1, 1)?;
            check_len(items.len() + 1)?;
            items.push(args.into_iter().next().unwrap_or(Value::None));
        }
        "extend" => {
            arity(name, &args, 1, 1)?;
            drop(items);
            let more = collect(vm, &args[0])?;
            let mut items = list.0.borrow_mut();
            check_len(items.len() + more.len())?;
            items.extend(more);
        }
        "insert" => {
            arity(name, &args, 2, 2)?;
            check_len(items.len() + 1)?;
            let len = items.len() as i64;
            let i = int_arg(&args[0], "insert")?;
            let i = if i < 0 { (i + len).max(0) } else { i.min(len) };
            items.insert(i as usize, args[1].clone());
        }
        "pop" => {
            arity(name, &args, 0, 1)?;
            if items.is_empty() {
                return Err(raise(Kind::IndexError, "pop from empty list"));
            }
            let len = items.len() as i64;
            let i = match args.first() {
                Some(i) => int_arg(i, "pop")?,
                None => -1,
            };
            let i = if i < 0 { i + len } else { i };
            if !(0..len).contains(&i) {
                return Err(raise(Kind::IndexError, "pop index out of range"));
            }
            return Ok(items.remove(i as usize));
        }
        "remove" => {
            arity(name, &args, 1, 1)?;
            for i in 0..items.len() {
                if equal(&items[i], &args[0], 0)? {
                    items.remove(i);
                    return Ok(Value::None);
                }
            }
            return Err(value_error("list.remove(x): x not in list"));
        }
        "reverse" => items.reverse(),
        "clear" => items.clear(),
        "copy" => return Ok(Value::list(items.clone())),
        _ => {
            let items = items.clone();
            return sequence_method(receiver, &items, name, &args);
        }
    }
    Ok(Value::None)
}

fn dict_method(vm: &mut Vm, receiver: &Value, dict: &RefCell<Dict>, name: &str, args: Vec<Value>) -> Res<Value> {
    let key = args.first().cloned().unwrap_or(Value::None);
    match name {
        "get" => {
            arity(name, &args, 1, 2)?;
            Ok(dict.borrow().get(&key)?.unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None)))
        }
        "keys" | "values" | "items" => {
            arity(name, &args, 0, 0)?;
            let dict = dict.borrow();
            vm.burn(dict.entries.len() * 8);
            Ok(Value::list(
                dict.entries
                    .iter()
                    .map(|(k, v)| match name {
                        "keys" => k.clone(),
                        "values" => v.clone(),
                        _ => Value::tuple(vec![k.clone(), v.clone()]),
                    })
                    .collect(),
            ))
        }
        "pop" => {
            arity(name, &args, 1, 2)?;
            let removed = dict.borrow_mut().remove(&key)?;
            match (removed, args.get(1)) {
                (Some(value), _) => Ok(value),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(super::operators::key_error(vm, &key)),
            }
        }
        "popitem" => {
            let last = dict.borrow().entries.last().map(|(k, _)| k.clone());
            let Some(key) = last else { return Err(raise(Kind::KeyError, "popitem(): dictionary is empty")) };
            let value = dict.borrow_mut().remove(&key)?.unwrap_or(Value::None);
            Ok(Value::tuple(vec![key, value]))
        }
        "setdefault" => {
            arity(name, &args, 1, 2)?;
            if let Some(value) = dict.borrow().get(&key)? {
                return Ok(value);
            }
            let default = args.get(1).cloned().unwrap_or(Value::None);
            dict.borrow_mut().insert(key, default.clone())?;
            Ok(default)
        }
        "update" => {
            arity(name, &args, 0, 1)?;
            let entries = match &key {
                Value::Dict(other) => other.borrow().entries.clone(),
                Value::None => Vec::new(),
                pairs => {
                    let mut entries = Vec::new();
                    for pair in collect(vm, pairs)? {
                        let mut pair = collect(vm, &pair)?.into_iter();
                        if let (Some(k), Some(v)) = (pair.next(), pair.next()) {
                            entries.push((k, v));
                        }
                    }
                    entries
                }
            };
            for (k, v) in entries {
                dict.borrow_mut().insert(k, v)?;
            }
            Ok(Value::None)
        }
        "clear" => {
            dict.borrow_mut().clear();
            Ok(Value::None)
        }
        "copy" => {
            let mut copy = Dict::default();
            for (k, v) in dict.borrow().entries.iter() {
                copy.insert(k.clone(), v.clone())?;
            }
            Ok(Value::Dict(Rc::new(RefCell::new(copy))))
        }
        "has_key" => Ok(Value::Bool(dict.borrow().find(&key)?.is_some())),
        _ => Err(no_method(receiver, name)),
    }
}

fn set_method(vm: &mut Vm, receiver: &Value, set: &RefCell<Dict>, name: &str, args: Vec<Value>) -> Res<Value> {
    let item = args.first().cloned().unwrap_or(Value::None);
    match name {
        "add" => set.borrow_mut().insert(item, Value::None)?,
        "remove" => {
            if set.borrow_mut().remove(&item)?.is_none() {
                return Err(super::operators::key_error(vm, &item));
            }
        }
        "discard" => {
            set.borrow_mut().remove(&item)?;
        }
        "pop" => {
            let first = set.borrow().entries.first().map(|(k, _)| k.clone());
            let Some(first) = first else { return Err(raise(Kind::KeyError, "pop from an empty set")) };
            set.borrow_mut().remove(&first)?;
            return Ok(first);
        }
        "clear" => set.borrow_mut().clear(),
        "update" => {
            for item in collect(vm, &item)? {
                set.borrow_mut().insert(item, Value::None)?;
            }
        }
        "copy" | "union" | "intersection" | "difference" => {
            let other = if name == "copy" { Vec::new() } else { collect(vm, &item)? };
            let mut other_set = Dict::default();
            for item in other {
                other_set.insert(item, Value::None)?;
            }
            let mut out = Dict::default();
            for (key, _) in set.borrow().entries.iter() {
                let in_other = other_set.find(key)?.is_some();
                let keep = match name {
                    "intersection" => in_other,
                    "difference" => !in_other,
                    _ => true,
                };
                if keep {
                    out.insert(key.clone(), Value::None)?;
                }
            }
            if name == "union" {
                for (key, _) in other_set.entries.iter() {
                    out.insert(key.clone(), Value::None)?;
                }
            }
            return Ok(Value::Set(Rc::new(RefCell::new(out))));
        }
        _ => return Err(no_method(receiver, name)),
    }
    Ok(Value::None)
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
        (Value::Str(_), other) => Err(type_error(format!("must be str, not {}", other.type_name()))),
        (_, other) => Err(type_error(format!("a bytes-like object is required, not '{}'", other.type_name()))),
    }
}

/// Makes a value of the receiver's kind from bytes (valid UTF-8 when the receiver is a `str`).
fn make(receiver: &Value, bytes: &[u8]) -> Value {
    match receiver {
        Value::Str(_) => Value::str(&String::from_utf8_lossy(bytes)),
        _ => Value::Bytes(bytes.into()),
    }
}

fn find(haystack: &[u8], needle: &[u8], from_end: bool) -> Option<usize> {
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

/// Splits on runs of whitespace (`sep` is None) or on `sep`, at most `max` times.
fn split(data: &[u8], sep: Option<&[u8]>, max: i64, from_end: bool) -> Vec<Vec<u8>> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut max = if max < 0 { usize::MAX } else { max as usize };
    match sep {
        None => {
            let mut words: Vec<(usize, usize)> = Vec::new();
            let mut i = 0;
            while i < data.len() {
                while i < data.len() && is_space(data[i]) {
                    i += 1;
                }
                let start = i;
                while i < data.len() && !is_space(data[i]) {
                    i += 1;
                }
                if i > start {
                    words.push((start, i));
                }
            }
            if words.len() > max.saturating_add(1) {
                if from_end {
                    let keep = words.split_off(words.len() - max);
                    let head_end = words.last().map_or(0, |w| w.1);
                    let head_start = words.first().map_or(0, |w| w.0);
                    parts.push(data[head_start..head_end].to_vec());
                    parts.extend(keep.into_iter().map(|(s, e)| data[s..e].to_vec()));
                    return parts;
                }
                let rest_start = words[max].0;
                let end = data.iter().rposition(|&b| !is_space(b)).map_or(0, |e| e + 1);
                words.truncate(max);
                parts.extend(words.into_iter().map(|(s, e)| data[s..e].to_vec()));
                parts.push(data[rest_start..end].to_vec());
                return parts;
            }
            parts.extend(words.into_iter().map(|(s, e)| data[s..e].to_vec()));
        }
        Some(sep) => {
            let mut rest = data;
            while max > 0 {
                let Some(at) = find(rest, sep, from_end) else { break };
                if from_end {
                    parts.push(rest[at + sep.len()..].to_vec());
                    rest = &rest[..at];
                } else {
                    parts.push(rest[..at].to_vec());
                    rest = &rest[at + sep.len()..];
                }
                max -= 1;
            }
            parts.push(rest.to_vec());
            if from_end {
                parts.reverse();
            }
        }
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

/// A byte offset in `text` as Python counts positions in a `str` (characters).
fn position_in(receiver: &Value, data: &[u8], offset: usize) -> i64 {
    match receiver {
        Value::Str(s) if !s.is_ascii() => String::from_utf8_lossy(&data[..offset]).chars().count() as i64,
        _ => offset as i64,
    }
}

fn text(vm: &mut Vm, receiver: &Value, name: &str, args: Vec<Value>, mut kwargs: Vec<(Rc<str>, Value)>) -> Res<Value> {
    let is_str = matches!(receiver, Value::Str(_));
    let data: &[u8] = match receiver {
        Value::Str(s) => s.as_bytes(),
        Value::Bytes(b) => b,
        _ => &[],
    };
    vm.burn(data.len());
    if name == "format" && is_str {
        let template = std::str::from_utf8(data).unwrap_or("");
        return Ok(Value::str(&super::format::format_method(vm, template, &args, &kwargs)?));
    }
    let encoding = keyword(&mut kwargs, "encoding");
    let errors = keyword(&mut kwargs, "errors");
    let maxsplit = keyword(&mut kwargs, "maxsplit");
    let sep_keyword = keyword(&mut kwargs, "sep");
    no_keywords(name, &kwargs)?;
    let arg = |i: usize| args.get(i).filter(|v| !matches!(v, Value::None));
    let bool_of = |b: bool| Ok(Value::Bool(b));
    let all = |test: fn(&u8) -> bool| bool_of(!data.is_empty() && data.iter().all(test));
    match name {
        "encode" | "decode" => {
            let encoding = arg(0).cloned().or(encoding);
            let encoding = match &encoding {
                Some(Value::Str(e)) => e.to_ascii_lowercase().replace('_', "-"),
                Some(other) => return Err(type_error(format!("encoding must be str, not {}", other.type_name()))),
                None => "utf-8".into(),
            };
            let lenient = matches!(arg(1).or(errors.as_ref()), Some(Value::Str(e)) if &**e != "strict");
            let latin = matches!(encoding.as_str(), "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1");
            if !matches!(encoding.as_str(), "utf-8" | "utf8" | "ascii" | "us-ascii") && !latin {
                return Err(raise(
                    Kind::NotImplementedError,
                    format!("socksim knows utf-8, ascii and latin-1, not {encoding}"),
                ));
            }
            if name == "encode" {
                if !is_str {
                    return Err(no_method(receiver, name));
                }
                let text = std::str::from_utf8(data).unwrap_or("");
                if latin || encoding.contains("ascii") {
                    let limit = if latin { 256 } else { 128 };
                    let mut out = Vec::new();
                    for (i, c) in text.chars().enumerate() {
                        if (c as u32) < limit {
                            out.push(c as u32 as u8);
                        } else if lenient {
                            out.push(b'?');
                        } else {
                            return Err(raise(
                                Kind::UnicodeError,
                                format!("'{encoding}' codec can't encode character in position {i}: ordinal not in range({limit})"),
                            ));
                        }
                    }
                    return Ok(Value::Bytes(out.into()));
                }
                return Ok(Value::Bytes(data.into()));
            }
            if is_str {
                return if vm.rt.python2 { Ok(receiver.clone()) } else { Err(no_method(receiver, name)) };
            }
            if latin {
                return Ok(Value::str(&data.iter().map(|&b| b as char).collect::<String>()));
            }
            let limit = if encoding.contains("ascii") { data.iter().position(|&b| b >= 128) } else { None };
            match (std::str::from_utf8(data), limit) {
                (Ok(text), None) => Ok(Value::str(text)),
                _ if lenient => Ok(Value::str(&String::from_utf8_lossy(data))),
                (Err(error), _) => {
                    let at = error.valid_up_to();
                    let reason =
                        if error.error_len().is_none() { "unexpected end of data" } else { "invalid start byte" };
                    Err(raise(
                        Kind::UnicodeDecodeError,
                        format!("'utf-8' codec can't decode byte 0x{:02x} in position {at}: {reason}", data[at]),
                    ))
                }
                (Ok(_), Some(at)) => Err(raise(
                    Kind::UnicodeDecodeError,
                    format!(
                        "'ascii' codec can't decode byte 0x{:02x} in position {at}: ordinal not in range(128)",
                        data[at]
                    ),
                )),
            }
        }
        // Letters beyond ASCII keep their case: Unicode's case tables would double socksim's size.
        "upper" | "lower" | "swapcase" | "capitalize" | "title" => {
            let mut out = data.to_vec();
            let mut word_start = true;
            for (i, b) in out.iter_mut().enumerate() {
                *b = match name {
                    "upper" => b.to_ascii_uppercase(),
                    "lower" => b.to_ascii_lowercase(),
                    "swapcase" if b.is_ascii_uppercase() => b.to_ascii_lowercase(),
                    "swapcase" => b.to_ascii_uppercase(),
                    "capitalize" if i == 0 => b.to_ascii_uppercase(),
                    "capitalize" => b.to_ascii_lowercase(),
                    _ if word_start => b.to_ascii_uppercase(),
                    _ => b.to_ascii_lowercase(),
                };
                word_start = !b.is_ascii_alphabetic();
            }
            Ok(make(receiver, &out))
        }
        "strip" | "lstrip" | "rstrip" => {
            let chars = match arg(0) {
                Some(chars) => Some(same_kind(vm, receiver, chars)?),
                None => None,
            };
            let (start, end) = strip(data, chars, name != "rstrip", name != "lstrip");
            Ok(make(receiver, &data[start..end]))
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
            Ok(Value::list(parts.iter().map(|part| make(receiver, part)).collect()))
        }
        "splitlines" => {
            let keep = arg(0).is_some_and(Value::truthy);
            let mut lines = Vec::new();
            let mut start = 0;
            let mut i = 0;
            while i < data.len() {
                if data[i] == b'\n' || data[i] == b'\r' {
                    let end = i;
                    if data[i] == b'\r' && data.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    lines.push(make(receiver, &data[start..if keep { i + 1 } else { end }]));
                    start = i + 1;
                }
                i += 1;
            }
            if start < data.len() {
                lines.push(make(receiver, &data[start..]));
            }
            Ok(Value::list(lines))
        }
        "join" => {
            arity(name, &args, 1, 1)?;
            let items = collect(vm, &args[0])?;
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(data);
                }
                let piece = same_kind(vm, receiver, item).map_err(|_| {
                    type_error(format!(
                        "sequence item {i}: expected {} instance, {} found",
                        if is_str { "str" } else { "a bytes-like object" },
                        item.type_name()
                    ))
                })?;
                out.extend_from_slice(piece);
                check_len(out.len())?;
            }
            vm.burn(out.len());
            Ok(make(receiver, &out))
        }
        "startswith" | "endswith" => {
            arity(name, &args, 1, 3)?;
            let candidates = match &args[0] {
                Value::Tuple(items) => items.0.to_vec(),
                other => vec![other.clone()],
            };
            for candidate in &candidates {
                let affix = same_kind(vm, receiver, candidate)?;
                if (name == "startswith" && data.starts_with(affix)) || (name == "endswith" && data.ends_with(affix)) {
                    return bool_of(true);
                }
            }
            bool_of(false)
        }
        "replace" => {
            arity(name, &args, 2, 3)?;
            let old = same_kind(vm, receiver, &args[0])?;
            let new = same_kind(vm, receiver, &args[1])?;
            let mut count = match args.get(2) {
                Some(count) => int_arg(count, "replace")?,
                None => -1,
            };
            let mut out = Vec::new();
            let mut rest = data;
            while count != 0 {
                let at = if old.is_empty() { Some(0) } else { find(rest, old, false) };
                let Some(at) = at else { break };
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(new);
                check_len(out.len())?;
                if old.is_empty() {
                    let Some(&first) = rest.first() else { break };
                    out.push(first);
                    rest = &rest[1..];
                } else {
                    rest = &rest[at + old.len()..];
                }
                count -= 1;
            }
            out.extend_from_slice(rest);
            vm.burn(out.len());
            Ok(make(receiver, &out))
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            arity(name, &args, 1, 3)?;
            let needle = match &args[0] {
                Value::Int(byte) if !is_str => &[*byte as u8][..],
                other => same_kind(vm, receiver, other)?,
            };
            if name == "count" {
                if needle.is_empty() {
                    return Ok(Value::Int(position_in(receiver, data, data.len()) + 1));
                }
                let mut n = 0;
                let mut rest = data;
                while let Some(at) = find(rest, needle, false) {
                    n += 1;
                    rest = &rest[at + needle.len()..];
                }
                return Ok(Value::Int(n));
            }
            match find(data, needle, name.starts_with('r')) {
                Some(at) => Ok(Value::Int(position_in(receiver, data, at))),
                None if name.ends_with("find") => Ok(Value::Int(-1)),
                None => Err(value_error(if is_str { "substring not found" } else { "subsection not found" })),
            }
        }
        "isdigit" | "isnumeric" | "isdecimal" => all(u8::is_ascii_digit),
        "isalpha" => all(u8::is_ascii_alphabetic),
        "isalnum" => all(u8::is_ascii_alphanumeric),
        "isspace" => all(|b| is_space(*b)),
        "isupper" | "islower" => {
            let upper = name == "isupper";
            let cased = data.iter().filter(|b| b.is_ascii_alphabetic());
            let mut any = false;
            for b in cased {
                any = true;
                if b.is_ascii_uppercase() != upper {
                    return bool_of(false);
                }
            }
            bool_of(any)
        }
        "center" | "ljust" | "rjust" | "zfill" => {
            arity(name, &args, 1, 2)?;
            let width = int_arg(&args[0], name)?.max(0) as usize;
            check_len(width)?;
            let fill = match (name, args.get(1)) {
                ("zfill", _) => b'0',
                (_, Some(fill)) => *same_kind(vm, receiver, fill)?.first().unwrap_or(&b' '),
                _ => b' ',
            };
            let len = position_in(receiver, data, data.len()) as usize;
            let padding = width.saturating_sub(len);
            let (left, right) = match name {
                "ljust" => (0, padding),
                "rjust" => (padding, 0),
                "center" => {
                    let left = padding / 2 + (padding & width & 1);
                    (left, padding - left)
                }
                _ => (padding, 0),
            };
            let mut out = vec![fill; left];
            out.extend_from_slice(data);
            out.extend(std::iter::repeat_n(fill, right));
            if name == "zfill" && left > 0 && matches!(data.first(), Some(b'-' | b'+')) {
                out.swap(0, left);
            }
            Ok(make(receiver, &out))
        }
        "partition" | "rpartition" => {
            arity(name, &args, 1, 1)?;
            let sep = same_kind(vm, receiver, &args[0])?;
            if sep.is_empty() {
                return Err(value_error("empty separator"));
            }
            let parts = match find(data, sep, name == "rpartition") {
                Some(at) => [&data[..at], sep, &data[at + sep.len()..]],
                None if name == "partition" => [data, &[], &[]],
                None => [&[], &[], data],
            };
            Ok(Value::tuple(parts.iter().map(|part| make(receiver, part)).collect()))
        }
        "hex" if !is_str => {
            let mut out = String::new();
            for &b in data {
                out.push_str(&format!("{b:02x}"));
            }
            Ok(Value::str(&out))
        }
        _ => Err(no_method(receiver, name)),
    }
}
