//! Operators: what `+`, `*`, `%`, `<`, `in`, `x[i]` and `x[a:b]` do to each kind of value.
//!
//! Python's rules: ints floor-divide and take the sign of the divisor in `%`, `/` always gives a
//! float (but floors two ints in a Python 2 program), `str * int` repeats, comparisons of unlike
//! types raise `TypeError`, negative indexes count from the end. Results past 64 bits raise
//! `OverflowError`; sequences past [`MAX_LEN`] raise `MemoryError`.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::{BinOp, CmpOp};
use super::machine::Vm;
use super::methods::find;
use super::value::*;

pub fn check_len(len: usize) -> Res<()> {
    if len > MAX_LEN {
        return Err(memory());
    }
    Ok(())
}

fn symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div | BinOp::ClassicDiv => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "** or pow()",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
    }
}

fn unsupported(op: BinOp, left: &Value, right: &Value) -> Exc {
    if let (BinOp::Add, Value::Str(_)) = (op, left) {
        return type_error_of("can only concatenate str (not \"", right, "\") to str");
    }
    type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        symbol(op),
        left.type_name(),
        right.type_name()
    ))
}

fn zero_division(message: &'static str) -> Exc {
    raise(Kind::ZeroDivisionError, message)
}

/// `count` copies of a sequence of `len` items, or `MemoryError`.
fn repeat_len(len: usize, count: i64) -> Res<usize> {
    let count = count.max(0) as usize;
    let total = len.checked_mul(count).ok_or_else(memory)?;
    check_len(total)?;
    Ok(total)
}

pub fn binary(vm: &mut Vm, op: BinOp, left: Value, right: Value) -> Res<Value> {
    use Value::*;
    if let (Some(a), Some(b)) = (left.as_int(), right.as_int()) {
        return int_binary(op, a, b);
    }
    if let (Some(a), Some(b), true) =
        (left.as_float(), right.as_float(), matches!(left, Float(_)) || matches!(right, Float(_)))
    {
        return float_binary(op, a, b);
    }
    Ok(match (op, &left, &right) {
        (BinOp::Add, Str(a), Str(b)) => {
            check_len(a.len() + b.len())?;
            vm.burn(a.len() + b.len());
            let mut text = String::with_capacity(a.len() + b.len());
            text.push_str(a);
            text.push_str(b);
            Value::str(&text)
        }
        (BinOp::Add, Bytes(a), Bytes(b)) => {
            check_len(a.len() + b.len())?;
            vm.burn(a.len() + b.len());
            Bytes([&a[..], &b[..]].concat().into())
        }
        (BinOp::Add, List(a), List(b)) => {
            let items = [a.0.borrow().as_slice(), b.0.borrow().as_slice()].concat();
            check_len(items.len())?;
            vm.burn(items.len() * 8);
            Value::list(items)
        }
        (BinOp::Add, Tuple(a), Tuple(b)) => {
            let items = [&a.0[..], &b.0[..]].concat();
            check_len(items.len())?;
            vm.burn(items.len() * 8);
            Value::tuple(items)
        }
        (BinOp::Mul, Str(_) | Bytes(_) | List(_) | Tuple(_), Int(_) | Bool(_)) => {
            repeat(vm, &left, right.as_int().unwrap_or(0))?
        }
        (BinOp::Mul, Int(_) | Bool(_), Str(_) | Bytes(_) | List(_) | Tuple(_)) => {
            repeat(vm, &right, left.as_int().unwrap_or(0))?
        }
        (BinOp::Mod, Str(_), _) => {
            let percent = super::modules::python_builtins(vm)?.get("_percent").unwrap_or(Value::None);
            vm.call_value(percent, vec![left, right], Vec::new())?
        }
        (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Set(a), Set(b)) => {
            let (a, b) = (a.borrow(), b.borrow());
            let mut out = super::value::Dict::default();
            for (key, _) in &a.entries {
                let in_b = b.find(key)?.is_some();
                if op == BinOp::BitOr || (op == BinOp::BitAnd) == in_b {
                    out.insert(key.clone(), None)?;
                }
            }
            if matches!(op, BinOp::BitOr | BinOp::BitXor) {
                for (key, _) in &b.entries {
                    if op == BinOp::BitOr || a.find(key)?.is_none() {
                        out.insert(key.clone(), None)?;
                    }
                }
            }
            Set(Rc::new(RefCell::new(out)))
        }
        _ => return Err(unsupported(op, &left, &right)),
    })
}

fn repeat(vm: &mut Vm, sequence: &Value, count: i64) -> Res<Value> {
    Ok(match sequence {
        Value::Str(_) | Value::Bytes(_) => {
            let data = match sequence {
                Value::Str(s) => s.as_bytes(),
                Value::Bytes(b) => b,
                _ => &[],
            };
            let len = repeat_len(data.len(), count)?;
            vm.burn(len);
            let data = data.repeat(len / data.len().max(1));
            match sequence {
                Value::Str(_) => Value::str(&lossy(&data)),
                _ => Value::Bytes(data.into()),
            }
        }
        Value::List(l) => {
            let items = l.0.borrow().clone();
            let len = repeat_len(items.len(), count)?;
            vm.burn(len * 8);
            Value::list(repeat_items(&items, len))
        }
        Value::Tuple(t) => {
            let len = repeat_len(t.0.len(), count)?;
            vm.burn(len * 8);
            Value::tuple(repeat_items(&t.0, len))
        }
        _ => Value::None,
    })
}

fn repeat_items(items: &[Value], len: usize) -> Vec<Value> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        out.extend_from_slice(items);
    }
    out
}

fn int_binary(op: BinOp, a: i64, b: i64) -> Res<Value> {
    let overflow = overflow;
    Ok(Value::Int(match op {
        BinOp::Add => a.checked_add(b).ok_or_else(overflow)?,
        BinOp::Sub => a.checked_sub(b).ok_or_else(overflow)?,
        BinOp::Mul => a.checked_mul(b).ok_or_else(overflow)?,
        BinOp::Div => {
            if b == 0 {
                return Err(zero_division("division by zero"));
            }
            return Ok(Value::Float(a as f64 / b as f64));
        }
        BinOp::FloorDiv | BinOp::ClassicDiv => {
            if b == 0 {
                return Err(zero_division("integer division or modulo by zero"));
            }
            let quotient = a.checked_div(b).ok_or_else(overflow)?;
            if (a % b != 0) && ((a < 0) != (b < 0)) {
                quotient - 1
            } else {
                quotient
            }
        }
        BinOp::Mod => {
            if b == 0 {
                return Err(zero_division("integer modulo by zero"));
            }
            let r = a.checked_rem(b).unwrap_or(0);
            if r != 0 && ((r < 0) != (b < 0)) {
                r + b
            } else {
                r
            }
        }
        BinOp::Pow => {
            if b < 0 {
                if a == 0 {
                    return Err(zero_division("0.0 cannot be raised to a negative power"));
                }
                return Ok(Value::Float((a as f64).powf(b as f64)));
            }
            let exponent = u32::try_from(b).map_err(|_| overflow())?;
            a.checked_pow(exponent).ok_or_else(overflow)?
        }
        BinOp::LShift | BinOp::RShift => {
            if b < 0 {
                return Err(value_error("negative shift count"));
            }
            if op == BinOp::RShift {
                if b >= 64 {
                    if a < 0 {
                        -1
                    } else {
                        0
                    }
                } else {
                    a >> b
                }
            } else if a == 0 {
                0
            } else {
                let shifted = if b >= 64 { None } else { a.checked_shl(b as u32) };
                match shifted {
                    Some(s) if s >> b == a => s,
                    _ => return Err(overflow()),
                }
            }
        }
        BinOp::BitAnd => a & b,
        BinOp::BitOr => a | b,
        BinOp::BitXor => a ^ b,
    }))
}

fn float_binary(op: BinOp, a: f64, b: f64) -> Res<Value> {
    Ok(Value::Float(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div | BinOp::ClassicDiv => {
            if b == 0.0 {
                return Err(zero_division("float division by zero"));
            }
            a / b
        }
        BinOp::FloorDiv => {
            if b == 0.0 {
                return Err(zero_division("float floor division by zero"));
            }
            (a / b).floor()
        }
        BinOp::Mod => {
            if b == 0.0 {
                return Err(zero_division("float modulo"));
            }
            let r = remainder(a, b);
            if r != 0.0 && ((r < 0.0) != (b < 0.0)) {
                r + b
            } else {
                r
            }
        }
        BinOp::Pow => {
            if a == 0.0 && b < 0.0 {
                return Err(zero_division("0.0 cannot be raised to a negative power"));
            }
            if a < 0.0 && b.fract() != 0.0 {
                return Err(value_error("socksim has no complex numbers"));
            }
            let result = a.powf(b);
            if result.is_infinite() && a.is_finite() {
                return Err(raise(Kind::OverflowError, "(34, 'Numerical result out of range')"));
            }
            result
        }
        _ => return Err(type_error(format!("unsupported operand type(s) for {}: 'float' and 'float'", symbol(op)))),
    }))
}

/// `a` modulo `b` with the sign of `a`, as C's `fmod` (and Rust's `%`): the remainder is exact, so
/// it comes from exact subtractions of `b` doubled and halved. Rust's `%` would bring
/// compiler-builtins' `fmod` and the 128-bit division it uses, 1.8 KB of the page.
fn remainder(a: f64, b: f64) -> f64 {
    let (x, y) = (a.abs(), b.abs());
    if !x.is_finite() || y.is_nan() || y == 0.0 {
        return f64::NAN;
    }
    // `t` is `y` times a power of two, the largest not above `x`; doubling it never rounds, and
    // it overflows only past `x`. Each step keeps `r` below `2t`, so `r - t` is exact too.
    let mut t = y;
    while t * 2.0 <= x {
        t *= 2.0;
    }
    let mut r = x;
    loop {
        if r >= t {
            r -= t;
        }
        if t == y {
            return r.copysign(a);
        }
        t /= 2.0;
    }
}

fn orderable(a: &Value, b: &Value) -> bool {
    let number = |v: &Value| matches!(v, Value::Int(_) | Value::Bool(_) | Value::Float(_));
    (number(a) && number(b))
        || matches!(
            (a, b),
            (Value::Str(_), Value::Str(_))
                | (Value::Bytes(_), Value::Bytes(_))
                | (Value::Tuple(_), Value::Tuple(_))
                | (Value::List(_), Value::List(_))
        )
}

pub fn compare(vm: &mut Vm, op: CmpOp, left: &Value, right: &Value) -> Res<bool> {
    match op {
        CmpOp::Eq | CmpOp::Ne => {
            let eq = match left {
                Value::Instance(instance) if instance.class.lookup("__eq__").is_some() => {
                    let method = instance.class.lookup("__eq__").unwrap_or(Value::None);
                    vm.call_value(method, vec![left.clone(), right.clone()], Vec::new())?.truthy()
                }
                _ => equal(left, right, 0)?,
            };
            Ok(eq == (op == CmpOp::Eq))
        }
        CmpOp::Is => Ok(left.is(right)),
        CmpOp::IsNot => Ok(!left.is(right)),
        CmpOp::In => contains(vm, right, left),
        CmpOp::NotIn => Ok(!contains(vm, right, left)?),
        _ => {
            if !orderable(left, right) {
                let symbol = match op {
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    _ => ">=",
                };
                return Err(type_error(format!(
                    "'{symbol}' not supported between instances of '{}' and '{}'",
                    left.type_name(),
                    right.type_name()
                )));
            }
            Ok(match op {
                CmpOp::Lt => less(left, right, 0)?,
                CmpOp::Gt => less(right, left, 0)?,
                CmpOp::Le => !less(right, left, 0)?,
                _ => !less(left, right, 0)?,
            })
        }
    }
}

/// `item in container`.
pub fn contains(vm: &mut Vm, container: &Value, item: &Value) -> Res<bool> {
    match (container, item) {
        (Value::Str(haystack), Value::Str(needle)) => {
            vm.burn(haystack.len());
            Ok(find(haystack.as_bytes(), needle.as_bytes(), false).is_some())
        }
        (Value::Str(_), _) => Err(type_error_of("'in <string>' requires string as left operand, not ", item, "")),
        (Value::Bytes(haystack), Value::Bytes(needle)) => {
            vm.burn(haystack.len());
            Ok(find(haystack, needle, false).is_some())
        }
        (Value::Bytes(haystack), Value::Int(byte)) => Ok(haystack.iter().any(|&b| i64::from(b) == *byte)),
        (Value::Dict(dict) | Value::Set(dict), _) => Ok(dict.borrow().find(item)?.is_some()),
        (Value::Range(r), Value::Int(n)) => {
            let [start, stop, step] = **r;
            let inside = if step > 0 { start <= *n && *n < stop } else { stop < *n && *n <= start };
            Ok(inside && (n - start) % step == 0)
        }
        _ => {
            let items = super::builtins::collect(vm, container)?;
            vm.burn(items.len() * 8);
            for candidate in &items {
                if equal(candidate, item, 0)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

/// A Python index (negative counts from the end) into `len` items.
fn position(index: &Value, len: usize, what: &str) -> Res<usize> {
    let Some(i) = index.as_int() else {
        return Err(type_error(format!("{what} indices must be integers or slices, not {}", index.type_name())));
    };
    let i = if i < 0 { i + len as i64 } else { i };
    if i < 0 || i >= len as i64 {
        return Err(raise(Kind::IndexError, format!("{what} index out of range")));
    }
    Ok(i as usize)
}

pub fn index(vm: &mut Vm, value: &Value, index: &Value) -> Res<Value> {
    match value {
        Value::List(list) => {
            let items = list.0.borrow();
            Ok(items[position(index, items.len(), "list")?].clone())
        }
        Value::Tuple(items) => Ok(items.0[position(index, items.0.len(), "tuple")?].clone()),
        Value::Str(text) => {
            if text.is_ascii() {
                let i = position(index, text.len(), "string")?;
                return Ok(Value::str(&text[i..i + 1]));
            }
            let count = text.chars().count();
            let i = position(index, count, "string")?;
            Ok(Value::str(text.chars().nth(i).unwrap_or(' ').encode_utf8(&mut [0; 4])))
        }
        Value::Bytes(bytes) => Ok(Value::Int(bytes[position(index, bytes.len(), "index")?].into())),
        Value::Range(r) => {
            let i = position(index, range_len(r) as usize, "range object")?;
            Ok(Value::Int(r[0] + i as i64 * r[2]))
        }
        Value::Dict(dict) => {
            let found = dict.borrow().get(index)?;
            found.ok_or_else(|| key_error(vm, index))
        }
        Value::Instance(instance) if instance.class.lookup("__getitem__").is_some() => {
            let method = instance.class.lookup("__getitem__").unwrap_or(Value::None);
            vm.call_value(method, vec![value.clone(), index.clone()], Vec::new())
        }
        _ => Err(type_error_of("'", value, "' object is not subscriptable")),
    }
}

/// `KeyError(key)`: its message is the key's repr.
pub fn key_error(vm: &Vm, key: &Value) -> Exc {
    thrown(vm.rt.new_exception(&vm.rt.classes[Kind::KeyError as usize], vec![key.clone()]))
}

pub fn store_index(target: &Value, index: Value, value: Value) -> Res<()> {
    match target {
        Value::List(list) => {
            let mut items = list.0.borrow_mut();
            let i = position(&index, items.len(), "list assignment")?;
            items[i] = value;
            Ok(())
        }
        Value::Dict(dict) => dict.borrow_mut().insert(index, value),
        _ => Err(type_error_of("'", target, "' object does not support item assignment")),
    }
}

pub fn delete_index(target: &Value, index: &Value) -> Res<()> {
    match target {
        Value::List(list) => {
            let mut items = list.0.borrow_mut();
            let i = position(index, items.len(), "list assignment")?;
            items.remove(i);
            Ok(())
        }
        Value::Dict(dict) => match dict.borrow_mut().remove(index)? {
            Some(_) => Ok(()),
            None => Err(raise(Kind::KeyError, "")),
        },
        _ => Err(type_error_of("'", target, "' object does not support item deletion")),
    }
}

/// The items a slice takes from a list or tuple.
fn pick(vm: &mut Vm, items: &[Value], parts: &[Value]) -> Res<Vec<Value>> {
    let mut picked = Vec::new();
    for i in slice_indexes(parts, items.len())? {
        picked.push(items[i].clone());
    }
    vm.burn(picked.len() * 8);
    Ok(picked)
}

/// The indexes a slice `[start:stop:step]` takes from `len` items, as CPython computes them.
fn slice_indexes(parts: &[Value], len: usize) -> Res<Vec<usize>> {
    let get = |i: usize| -> Res<Option<i64>> {
        match &parts[i] {
            Value::None => Ok(None),
            value => value
                .as_int()
                .map(Some)
                .ok_or_else(|| type_error("slice indices must be integers or None or have an __index__ method")),
        }
    };
    let step = get(2)?.unwrap_or(1);
    if step == 0 {
        return Err(value_error("slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |index: Option<i64>, default: i64| -> i64 {
        match index {
            None => default,
            Some(i) if i < 0 => (i + len).max(if step < 0 { -1 } else { 0 }),
            Some(i) => i.min(if step < 0 { len - 1 } else { len }),
        }
    };
    let (start, stop) =
        if step > 0 { (clamp(get(0)?, 0), clamp(get(1)?, len)) } else { (clamp(get(0)?, len - 1), clamp(get(1)?, -1)) };
    let count = if step > 0 {
        if stop > start {
            (stop - start - 1) / step + 1
        } else {
            0
        }
    } else if start > stop {
        (start - stop - 1) / -step + 1
    } else {
        0
    };
    check_len(count as usize)?;
    let mut indexes = Vec::with_capacity(count as usize);
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        indexes.push(i as usize);
        i += step;
    }
    Ok(indexes)
}

pub fn slice(vm: &mut Vm, value: &Value, parts: &[Value]) -> Res<Value> {
    let contiguous = matches!(parts[2], Value::None);
    Ok(match value {
        Value::List(list) => Value::list(pick(vm, &list.0.borrow(), parts)?),
        Value::Tuple(items) => Value::tuple(pick(vm, &items.0, parts)?),
        Value::Bytes(bytes) => {
            let indexes = slice_indexes(parts, bytes.len())?;
            vm.burn(indexes.len());
            let mut picked = Vec::new();
            match (contiguous, indexes.first(), indexes.last()) {
                (true, Some(&first), Some(&last)) => picked.extend_from_slice(&bytes[first..=last]),
                _ => {
                    for i in indexes {
                        picked.push(bytes[i]);
                    }
                }
            }
            Value::Bytes(picked.into())
        }
        Value::Str(text) => {
            // Characters by index: a str beyond ASCII is cut into them first.
            let wide: Vec<char> = if text.is_ascii() { Vec::new() } else { text.chars().collect() };
            let len = if wide.is_empty() { text.len() } else { wide.len() };
            let indexes = slice_indexes(parts, len)?;
            vm.burn(if wide.is_empty() { indexes.len() } else { len });
            if let (true, true, Some(&first), Some(&last)) =
                (wide.is_empty(), contiguous, indexes.first(), indexes.last())
            {
                return Ok(Value::str(&text[first..=last]));
            }
            let mut picked = String::new();
            for i in indexes {
                picked.push(if wide.is_empty() { text.as_bytes()[i] as char } else { wide[i] });
            }
            Value::str(&picked)
        }
        Value::Range(r) => {
            let mut items = Vec::new();
            for i in slice_indexes(parts, range_len(r) as usize)? {
                items.push(Value::Int(r[0] + i as i64 * r[2]));
            }
            Value::list(items)
        }
        _ => return Err(type_error_of("'", value, "' object is not subscriptable")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random bit patterns (a fixed xorshift sequence, so a failure replays), and the edges, give
    /// the same remainder, sign and all, as core's `%`.
    #[test]
    fn remainder_as_core() {
        let same = |a: f64, b: f64| {
            let (ours, core) = (remainder(a, b), a % b);
            assert!(ours.to_bits() == core.to_bits() || ours.is_nan() && core.is_nan(), "{a:e} % {b:e}");
        };
        let edges =
            [0.0, -0.0, 1.0, -1.5, 5e-324, -2.2e-308, 1.7976931348623157e308, f64::INFINITY, -f64::INFINITY, f64::NAN];
        for a in edges {
            for b in edges {
                same(a, b);
            }
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20000 {
            let (a, b) = (f64::from_bits(next()), f64::from_bits(next()));
            same(a, b);
            same(a, f64::from_bits(next() >> 4));
            same((next() % 2000) as f64 / 7.0 - 100.0, (next() % 300) as f64 / 13.0 - 10.0);
        }
    }
}
