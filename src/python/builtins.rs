//! Built-in functions and types: `print`, `len`, `range`, `int`, `str`, `sorted`, `isinstance`…
//! and the functions socksim's own modules are built on (threads, the clock, the console).
//!
//! Each is a [`Native`], a number, so that a built-in is a plain value and a call is one `match`.
//! Iteration lives here too: [`iterate`] makes an iterator, [`collect`] reads every item.

use std::cell::RefCell;
use std::rc::Rc;

use super::machine::{Runtime, Task, TaskState, Vm};
use super::operators::check_len;
use super::process::{Stream, Wait};
use super::value::*;

macro_rules! natives {
    ($($variant:ident $name:literal $($min:literal $max:literal)?,)* ; $($mvariant:ident $mname:literal $($mmin:literal $mmax:literal)?,)*) => {
        /// A built-in function or type.
        #[derive(Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(test, derive(Debug))]
        pub enum Native { $($variant,)* $($mvariant,)* }

        const ALL: &[Native] = &[$(Native::$variant,)* $(Native::$mvariant,)*];
        const NAMES: &[&str] = &[$($name,)* $($mname,)*];
        /// How many positional arguments each takes, least and most, checked before it runs
        /// ([`UNCHECKED`] for those that check for themselves, after their keywords).
        const ARITIES: &[(u8, u8)] = &[$(arities!($($min $max)?),)* $(arities!($($mmin $mmax)?),)*];
        /// How many of [`ALL`] are Python's builtins (the others belong to `_socksim`).
        const BUILTINS: usize = [$($name,)*].len();
    };
}

/// A built-in's entry in `ARITIES`: its least and most positional arguments, if given.
macro_rules! arities {
    () => {
        UNCHECKED
    };
    ($min:literal $max:literal) => {
        ($min, $max)
    };
}

/// The entry in `ARITIES` of a built-in whose arguments are not counted before it runs.
const UNCHECKED: (u8, u8) = (0, u8::MAX);

natives! {
    Object "object" 0 0,
    Type "type",
    Bool "bool" 0 1,
    Int "int",
    Float "float" 0 1,
    Str "str",
    Bytes "bytes",
    List "list" 0 1,
    Tuple "tuple" 0 1,
    Dict "dict" 0 1,
    Set "set" 0 1,
    Range "range" 1 3,
    NoneType "NoneType",
    Print "print",
    Input "input" 0 1,
    Len "len" 1 1,
    Repr "repr" 1 1,
    Abs "abs" 1 1,
    Ord "ord" 1 1,
    Chr "chr" 1 1,
    Isinstance "isinstance" 2 2,
    Issubclass "issubclass" 2 2,
    Getattr "getattr" 2 3,
    Setattr "setattr" 3 3,
    Callable "callable" 1 1,
    Iter "iter" 1 1,
    Next "next" 1 2,
    Id "id" 1 1,
    Hash "hash" 1 1,
    Super "super" 0 2,
    Format "format" 1 2,
    Ellipsis "Ellipsis",
    // The functions of `_socksim`:
    ;
    Write "write",
    Now "now",
    Sleep "sleep",
    StartThread "start_thread",
    JoinThread "join_thread",
    ThreadAlive "thread_alive",
    CurrentThread "current_thread",
    Caller "caller",
    Socket "socket",
    Gethostbyname "gethostbyname",
    Gethostname "gethostname",
    Lock "Lock",
    Readline "readline" 0 1,
    ExceptionInit "__init__",
}

impl Native {
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// A type (`int`, `str`…) rather than a function.
    pub fn is_type(self) -> bool {
        (self as usize) <= Native::NoneType as usize || self == Native::Socket || self == Native::Lock
    }

    /// A function `_socksim` offers by this name.
    pub fn of_module(name: &str) -> Option<Native> {
        NAMES[BUILTINS..].iter().position(|n| *n == name).map(|i| ALL[BUILTINS + i])
    }
}

/// A name of Python's builtins: a function, a type, an exception class, or one of the builtins
/// written in Python (`builtins.py`).
pub fn lookup(vm: &mut Vm, name: &str) -> Res<Option<Value>> {
    if let Some(value) = native_lookup(vm.rt, name) {
        return Ok(Some(value));
    }
    if name.starts_with('_') {
        return Ok(None);
    }
    Ok(super::modules::python_builtins(vm)?.get(name))
}

fn native_lookup(rt: &Runtime, name: &str) -> Option<Value> {
    let alias = match name {
        "raw_input" => "input",
        "xrange" => "range",
        "unicode" | "basestring" => "str",
        "long" => "int",
        "IOError" | "EnvironmentError" => "OSError",
        _ => name,
    };
    if let Some(i) = NAMES[..BUILTINS].iter().position(|n| *n == alias) {
        return Some(Value::Native(ALL[i]));
    }
    Kind::named(alias).filter(|kind| *kind != Kind::Gaierror).map(|kind| rt.class(kind))
}

/// How a built-in prints: `<class 'int'>` or `<built-in function print>`.
pub fn type_display(value: &Value) -> String {
    match value {
        Value::Native(native) if native.is_type() => format!("<class '{}'>", native.name()),
        Value::Native(native) => format!("<built-in function {}>", native.name()),
        other => format!("<class '{}'>", other.type_name()),
    }
}

/// Attributes of built-in types (`str.join`…): none are offered.
pub fn type_attribute(_native: Native, _name: &str) -> Option<Value> {
    None
}

/// The built-in type of a value, as `type()` gives it.
fn type_of(rt: &Runtime, value: &Value) -> Value {
    let native = match value {
        Value::Bool(_) => Native::Bool,
        Value::Int(_) => Native::Int,
        Value::Float(_) => Native::Float,
        Value::Str(_) => Native::Str,
        Value::Bytes(_) => Native::Bytes,
        Value::List(_) => Native::List,
        Value::Tuple(_) => Native::Tuple,
        Value::Dict(_) => Native::Dict,
        Value::Set(_) => Native::Set,
        Value::Range(_) => Native::Range,
        Value::Socket(_) => Native::Socket,
        Value::Lock(_) => Native::Lock,
        Value::None => Native::NoneType,
        Value::Instance(instance) => return Value::Class(instance.class.clone()),
        Value::Class(class) if class.builtin.is_some() || class.base.is_some() => return Value::Native(Native::Type),
        _ => return Value::str(&format!("<class '{}'>", value.type_name())),
    };
    let _ = rt;
    Value::Native(native)
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Res<()> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("exactly {min} argument{}", if min == 1 { "" } else { "s" })
        } else if args.len() < min {
            format!("at least {min} argument{}", if min == 1 { "" } else { "s" })
        } else {
            format!("at most {max} argument{}", if max == 1 { "" } else { "s" })
        };
        return Err(type_error(format!("{name}() takes {expected} ({} given)", args.len())));
    }
    Ok(())
}

/// Takes keyword argument `name` out of `kwargs`.
pub fn keyword(kwargs: &mut Vec<(Rc<str>, Value)>, name: &str) -> Option<Value> {
    let at = kwargs.iter().position(|(n, _)| &**n == name)?;
    Some(kwargs.remove(at).1)
}

/// Refuses keyword arguments a function does not take.
pub fn no_keywords(function: &str, kwargs: &[(Rc<str>, Value)]) -> Res<()> {
    match kwargs.first() {
        Some((name, _)) => Err(type_error(format!("{function}() got an unexpected keyword argument '{name}'"))),
        None => Ok(()),
    }
}

pub fn int_arg(value: &Value, what: &str) -> Res<i64> {
    value.as_int().ok_or_else(|| {
        type_error(format!("{what}: '{}' object cannot be interpreted as an integer", value.type_name()))
    })
}

pub fn str_arg<'a>(value: &'a Value, what: &str) -> Res<&'a Rc<str>> {
    match value {
        Value::Str(s) => Ok(s),
        other => Err(type_error(format!("{what} must be str, not {}", other.type_name()))),
    }
}

/// An iterator over `value`.
pub fn iterate(vm: &mut Vm, value: Value) -> Res<Value> {
    let iter = match value {
        Value::Iter(_) => return Ok(value),
        Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) => Iter::Seq(value, 0),
        Value::Range(r) => Iter::Range(r[0], r[1], r[2]),
        Value::Dict(_) | Value::Set(_) => Iter::Items(collect(vm, &value)?.into_iter()),
        _ => return Err(type_error_of("'", &value, "' object is not iterable")),
    };
    Ok(Value::Iter(Rc::new(RefCell::new(iter))))
}

/// Every item of an iterable.
pub fn collect(vm: &mut Vm, value: &Value) -> Res<Vec<Value>> {
    let mut items = Vec::new();
    match value {
        Value::List(list) => items = list.0.borrow().clone(),
        Value::Tuple(tuple) => items = tuple.0.to_vec(),
        Value::Dict(dict) | Value::Set(dict) => {
            for (key, _) in &dict.borrow().entries {
                items.push(key.clone());
            }
        }
        Value::Str(text) => {
            for c in text.chars() {
                items.push(Value::str(c.encode_utf8(&mut [0; 4])));
            }
        }
        Value::Bytes(bytes) => {
            for &byte in bytes.iter() {
                items.push(Value::Int(byte.into()));
            }
        }
        Value::Range(r) => {
            let len = range_len(r);
            check_len(len as usize)?;
            for i in 0..len {
                items.push(Value::Int(r[0] + i * r[2]));
            }
        }
        Value::Iter(iter) => {
            while let Some(item) = iter.borrow_mut().advance() {
                items.push(item);
                check_len(items.len())?;
            }
        }
        _ => return Err(type_error_of("'", value, "' object is not iterable")),
    };
    vm.burn(items.len() * 8);
    Ok(items)
}

/// Sorts `items` (by the keys `key` gives, when given), stably, raising the first comparison
/// error. A merge sort of its own: core's sort is several kilobytes per instance.
pub fn sort(vm: &mut Vm, items: &mut Vec<Value>, key: Option<Value>, reverse: bool) -> Res<()> {
    let keys = match key {
        Some(Value::None) | None => items.clone(),
        Some(key) => {
            let mut keys = Vec::with_capacity(items.len());
            for item in items.iter() {
                keys.push(vm.call_value(key.clone(), vec![item.clone()], Vec::new())?);
            }
            keys
        }
    };
    vm.burn(items.len() * 32);
    // `before(a, b)`: item a goes before item b (equal keys keep their order).
    let before = |a: usize, b: usize| -> Res<bool> {
        if reverse {
            less(&keys[b], &keys[a], 0)
        } else {
            Ok(!less(&keys[b], &keys[a], 0)?)
        }
    };
    let mut order = Vec::new();
    for i in 0..items.len() {
        order.push(i);
    }
    let mut merged = Vec::with_capacity(order.len());
    let mut width = 1;
    while width < order.len() {
        merged.clear();
        for start in (0..order.len()).step_by(2 * width) {
            let middle = (start + width).min(order.len());
            let end = (start + 2 * width).min(order.len());
            let (mut i, mut j) = (start, middle);
            while i < middle && j < end {
                if before(order[i], order[j])? {
                    merged.push(order[i]);
                    i += 1;
                } else {
                    merged.push(order[j]);
                    j += 1;
                }
            }
            merged.extend_from_slice(&order[i..middle]);
            merged.extend_from_slice(&order[j..end]);
        }
        core::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    let mut sorted = Vec::new();
    for i in order {
        sorted.push(items[i].clone());
    }
    *items = sorted;
    Ok(())
}

/// Calls built-in `native`.
pub fn call(vm: &mut Vm, native: Native, mut args: Vec<Value>, mut kwargs: Vec<(Rc<str>, Value)>) -> Res<Value> {
    // The arguments are dropped here, once, rather than on each of the many ways out of `run`.
    run(vm, native, &mut args, &mut kwargs)
}

fn run(vm: &mut Vm, native: Native, args: &mut Vec<Value>, kwargs: &mut Vec<(Rc<str>, Value)>) -> Res<Value> {
    use Native as N;
    let name = native.name();
    let (least, most) = ARITIES[native as usize];
    if (least, most) != UNCHECKED {
        arity(name, args, least.into(), most.into())?;
    }
    match native {
        N::Print => {
            let sep = keyword(kwargs, "sep");
            let end = keyword(kwargs, "end");
            let file = keyword(kwargs, "file");
            keyword(kwargs, "flush");
            no_keywords(name, kwargs)?;
            let text_or = |value: Option<Value>, default: &str| -> Res<String> {
                match value {
                    None | Some(Value::None) => Ok(default.to_string()),
                    Some(Value::Str(s)) => Ok(s.to_string()),
                    Some(other) => Err(type_error_of("sep must be None or a string, not ", &other, "")),
                }
            };
            let sep = text_or(sep, " ")?;
            let end = text_or(end, "\n")?;
            let mut text = String::new();
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    text.push_str(&sep);
                }
                text.push_str(&vm.str(arg)?);
            }
            text.push_str(&end);
            vm.burn(text.len());
            write_to(vm, file, &text)?;
            Ok(Value::None)
        }
        N::Input | N::Readline => {
            if let Some(prompt) = args.first() {
                let prompt = vm.str(prompt)?;
                vm.rt.write(Stream::Stdout, &prompt, vm.net);
            }
            match take_input(vm.rt, vm.net) {
                Some(line) if native == N::Readline => Ok(Value::str(&(line + "\n"))),
                Some(line) => Ok(Value::str(&line)),
                None => Err(waiting(if native == N::Readline { Wait::Readline } else { Wait::Input })),
            }
        }
        N::Len => {
            let len = match &args[0] {
                Value::Str(s) => s.chars().count(),
                Value::Bytes(b) => b.len(),
                Value::List(l) => l.0.borrow().len(),
                Value::Tuple(t) => t.0.len(),
                Value::Dict(d) | Value::Set(d) => d.borrow().entries.len(),
                Value::Range(r) => range_len(r) as usize,
                Value::Instance(instance) if instance.class.lookup("__len__").is_some() => {
                    let method = instance.class.lookup("__len__").unwrap_or(Value::None);
                    return vm.call_value(method, core::mem::take(args), Vec::new());
                }
                other => return Err(type_error_of("object of type '", other, "' has no len()")),
            };
            Ok(Value::Int(len as i64))
        }
        N::Repr => Ok(Value::str(&vm.repr(&args[0])?)),
        N::Format => {
            let spec = match args.get(1) {
                Some(spec) => str_arg(spec, "format() argument 2")?.clone(),
                None => "".into(),
            };
            Ok(Value::str(&super::format::format_value(vm, &args[0], &spec)?))
        }
        N::Abs => match &args[0] {
            Value::Float(f) => Ok(Value::Float(f.abs())),
            v => Ok(Value::Int(int_arg(v, "abs()")?.checked_abs().ok_or_else(overflow)?)),
        },
        N::Ord => {
            let (code, len) = match &args[0] {
                Value::Str(s) => (s.chars().next().map_or(0, |c| c as i64), s.chars().count()),
                Value::Bytes(b) => (b.first().map_or(0, |&b| b.into()), b.len()),
                other => return Err(type_error_of("ord() expected string of length 1, but ", other, " found")),
            };
            if len != 1 {
                return Err(type_error(format!("ord() expected a character, but string of length {len} found")));
            }
            Ok(Value::Int(code))
        }
        N::Chr => {
            let code = int_arg(&args[0], "chr()")?;
            let c = u32::try_from(code)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| value_error("chr() arg not in range(0x110000)"))?;
            Ok(Value::str(c.encode_utf8(&mut [0; 4])))
        }
        N::Isinstance | N::Issubclass => {
            Ok(Value::Bool(is_instance(vm.rt, &args[0], &args[1], native == N::Issubclass)?))
        }
        N::Getattr => {
            let attribute = str_arg(&args[1], "attribute name")?.clone();
            match vm.get_attr(&args[0], &attribute) {
                Err(error) if args.len() == 3 && matches!(*error, Thrown::New(Kind::AttributeError, _)) => {
                    Ok(args[2].clone())
                }
                result => result,
            }
        }
        N::Setattr => {
            let attribute = str_arg(&args[1], "attribute name")?;
            vm.set_attr(&args[0], attribute, args[2].clone())?;
            Ok(Value::None)
        }
        N::Callable => Ok(Value::Bool(matches!(
            args[0],
            Value::Function(_) | Value::Native(_) | Value::Method(_) | Value::NativeMethod(_) | Value::Class(_)
        ))),
        N::Iter => iterate(vm, args.swap_remove(0)),
        N::Next => {
            let Value::Iter(iter) = &args[0] else {
                return Err(type_error_of("'", &args[0], "' object is not an iterator"));
            };
            let next = iter.borrow_mut().advance();
            match (next, args.get(1)) {
                (Some(item), _) => Ok(item),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(raise(Kind::StopIteration, "")),
            }
        }
        N::Id => Ok(Value::Int(args[0].address().unwrap_or(0) as i64)),
        N::Hash => Ok(Value::Int(hash(&args[0], 0)? as i64 >> 1)),
        N::Super => {
            let (class, instance) = match args.as_slice() {
                [Value::Class(class), instance] => (class.clone(), instance.clone()),
                [] => {
                    let frame = vm.frames.last().ok_or_else(|| raise(Kind::RuntimeError, "super(): no arguments"))?;
                    let class = frame.function.as_ref().and_then(|f| f.owner.borrow().upgrade());
                    let instance = match frame.locals.first() {
                        Some(Value::Cell(cell)) => cell.borrow().clone(),
                        Some(value) => value.clone(),
                        None => Value::Unbound,
                    };
                    match (class, instance) {
                        (Some(class), instance) if !matches!(instance, Value::Unbound) => (class, instance),
                        _ => return Err(raise(Kind::RuntimeError, "super(): no arguments")),
                    }
                }
                _ => return Err(type_error("super() argument 1 must be a type")),
            };
            Ok(Value::Super(Rc::new((class, instance))))
        }
        N::Ellipsis => Err(type_error("'ellipsis' object is not callable")),
        N::NoneType => Ok(Value::None),
        N::Object => {
            let class =
                Rc::new(Class { name: "object".into(), base: None, attrs: RefCell::new(Vec::new()), builtin: None });
            Ok(Value::Instance(Rc::new(Instance {
                class,
                attrs: RefCell::new(Vec::new()),
                traceback: RefCell::new(Vec::new()),
            })))
        }
        N::Type => {
            if args.len() != 1 {
                return Err(raise(Kind::NotImplementedError, "socksim's type() takes one argument"));
            }
            Ok(type_of(vm.rt, &args[0]))
        }
        N::Bool => Ok(Value::Bool(match args.first() {
            Some(value) => vm.truthy(value)?,
            None => false,
        })),
        N::Int => {
            let base = keyword(kwargs, "base");
            no_keywords(name, kwargs)?;
            arity(name, args, 0, 2)?;
            let base = match args.get(1).or(base.as_ref()) {
                Some(base) => Some(int_arg(base, "int()")?),
                None => None,
            };
            let Some(value) = args.first() else { return Ok(Value::Int(0)) };
            match (value, base) {
                (Value::Int(_) | Value::Bool(_), None) => Ok(Value::Int(value.as_int().unwrap_or(0))),
                (Value::Float(f), None) => {
                    if f.is_nan() {
                        return Err(value_error("cannot convert float NaN to integer"));
                    }
                    if !f.is_finite() || f.abs() >= 9.223_372_036_854_776e18 {
                        return Err(raise(Kind::OverflowError, "cannot convert float infinity to integer"));
                    }
                    Ok(Value::Int(f.trunc() as i64))
                }
                // Written in Python: `_int` in builtins.py reads text.
                (Value::Str(_) | Value::Bytes(_), base) | (Value::Instance(_), base @ None) => {
                    let parse = super::modules::python_builtins(vm)?.get("_int").unwrap_or(Value::None);
                    vm.call_value(parse, vec![value.clone(), base.map_or(Value::None, Value::Int)], Vec::new())
                }
                (_, Some(_)) => Err(type_error("int() can't convert non-string with explicit base")),
                (other, None) => Err(type_error_of(
                    "int() argument must be a string, a bytes-like object or a real number, not '",
                    other,
                    "'",
                )),
            }
        }
        N::Float => match args.first() {
            None => Ok(Value::Float(0.0)),
            Some(Value::Str(text)) => {
                super::token::parse_float(&text.replace('_', "")).map(Value::Float).ok_or_else(|| {
                    let mut shown = String::new();
                    super::format::str_literal(&mut shown, text);
                    value_error(format!("could not convert string to float: {shown}"))
                })
            }
            Some(Value::Bytes(bytes)) => super::token::parse_float(&lossy(bytes))
                .map(Value::Float)
                .ok_or_else(|| value_error("could not convert string to float")),
            Some(value) => Ok(Value::Float(value.as_float().ok_or_else(|| {
                type_error_of("float() argument must be a string or a real number, not '", value, "'")
            })?)),
        },
        N::Str => {
            let encoding = keyword(kwargs, "encoding");
            keyword(kwargs, "errors");
            no_keywords(name, kwargs)?;
            arity(name, args, 0, 3)?;
            match (args.first(), args.get(1).or(encoding.as_ref())) {
                (None, _) => Ok(Value::str("")),
                (Some(Value::Bytes(_)), Some(encoding)) => {
                    super::methods::call(vm, &args[0], "decode", vec![encoding.clone()], Vec::new())
                }
                (Some(value), _) => Ok(Value::str(&vm.str(value)?)),
            }
        }
        // Written in Python: `_bytes` in builtins.py, given the source and the encoding if any.
        N::Bytes => {
            let encoding = keyword(kwargs, "encoding");
            no_keywords(name, kwargs)?;
            arity(name, args, 0, 3)?;
            args.truncate(2);
            if let (1, Some(encoding)) = (args.len(), encoding) {
                args.push(encoding);
            }
            let bytes = super::modules::python_builtins(vm)?.get("_bytes").unwrap_or(Value::None);
            vm.call_value(bytes, core::mem::take(args), Vec::new())
        }
        N::List | N::Tuple | N::Set => {
            let items = match args.first() {
                Some(value) => collect(vm, value)?,
                None => Vec::new(),
            };
            Ok(match native {
                N::List => Value::list(items),
                N::Tuple => Value::tuple(items),
                _ => {
                    let mut set = Dict::default();
                    for item in items {
                        set.insert(item, Value::None)?;
                    }
                    Value::Set(Rc::new(RefCell::new(set)))
                }
            })
        }
        // Written in Python: `_dict` in builtins.py.
        N::Dict => {
            let dict = super::modules::python_builtins(vm)?.get("_dict").unwrap_or(Value::None);
            vm.call_value(dict, core::mem::take(args), core::mem::take(kwargs))
        }
        N::Range => {
            let mut numbers = [0i64, 0, 1];
            for (i, arg) in args.iter().enumerate() {
                numbers[i] = int_arg(arg, "range()")?;
            }
            if args.len() == 1 {
                numbers = [0, numbers[0], 1];
            }
            if numbers[2] == 0 {
                return Err(value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(Rc::new(numbers)))
        }
        _ => super::modules::call(vm, native, args, kwargs),
    }
}

/// `isinstance(value, class)` (or `issubclass`).
fn is_instance(rt: &Runtime, value: &Value, class: &Value, subclass: bool) -> Res<bool> {
    match class {
        Value::Tuple(classes) => {
            for class in classes.0.iter() {
                if is_instance(rt, value, class, subclass)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Class(class) => Ok(match value {
            Value::Instance(instance) if !subclass => instance.class.is_subclass_of(class),
            Value::Class(other) if subclass => other.is_subclass_of(class),
            _ => false,
        }),
        Value::Native(Native::Object) => Ok(true),
        Value::Native(native) if native.is_type() => {
            if subclass {
                return Ok(matches!(value, Value::Native(n) if n == native));
            }
            let Value::Native(of) = type_of(rt, value) else { return Ok(false) };
            Ok(of == *native || (*native == Native::Int && of == Native::Bool))
        }
        _ => Err(type_error("isinstance() arg 2 must be a type, a tuple of types, or a union")),
    }
}

/// Writes program output to `file` (`sys.stdout`, `sys.stderr`, or anything with `write`).
pub fn write_to(vm: &mut Vm, file: Option<Value>, text: &str) -> Res<()> {
    let stream = match &file {
        None | Some(Value::None) => Some(Stream::Stdout),
        Some(Value::Instance(instance)) => match get_attr(&instance.attrs, "_stream") {
            Some(Value::Int(1)) => Some(Stream::Stderr),
            Some(Value::Int(_)) => Some(Stream::Stdout),
            _ => None,
        },
        _ => None,
    };
    match (stream, file) {
        (Some(stream), _) => vm.rt.write(stream, text, vm.net),
        (None, Some(file)) => {
            let write = vm.get_attr(&file, "write")?;
            vm.call_value(write, vec![Value::str(text)], Vec::new())?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// The next line typed at the console, echoed as a terminal shows it.
pub fn take_input(rt: &mut Runtime, net: &dyn super::sockets::Sockets) -> Option<String> {
    if rt.input.is_empty() {
        return None;
    }
    let line = rt.input.remove(0);
    rt.write(Stream::Input, &(line.clone() + "\n"), net);
    Some(line)
}

/// Starts a `threading.Thread`: a new task that calls its `run()`, and runs first. Its number is
/// what the call returns.
pub fn start_thread(vm: &mut Vm, thread: Value) -> Res<Value> {
    let name = match vm.get_attr(&thread, "name")? {
        Value::Str(name) => name,
        other => vm.str(&other)?.into(),
    };
    let daemon = vm.get_attr(&thread, "daemon")?.truthy();
    let run = vm.get_attr(&thread, "run")?;
    let mut task = Task::new(name, thread, daemon);
    task.start = Some((run, Vec::new()));
    vm.rt.tasks.push(task);
    Err(waiting(Wait::Switch(vm.rt.tasks.len() - 1)))
}

/// Whether thread `ident` has finished.
pub fn thread_done(rt: &Runtime, ident: usize) -> bool {
    rt.tasks.get(ident).is_none_or(|task| task.state == TaskState::Done)
}
