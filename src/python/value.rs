//! Python's values, and the exceptions that travel between them.
//!
//! This module owns what a value is (`None`, ints, floats, `str`, `bytes`, tuples, lists, dicts,
//! sets, functions, classes and their instances, modules, sockets…), which are equal, which are
//! hashable and how they hash, how they order, and the built-in exception classes with their
//! hierarchy. Python's ints are unbounded; socksim's are 64-bit: arithmetic past `i64` raises
//! `OverflowError` instead of growing. Containers are freed through a trash list, so freeing a
//! list nested a million deep never recurses a million deep.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::builtins::Native;
use super::code::Code;
use super::modules::socket::Socket;
use super::process::Wait;
use super::traceback::Entry;

/// The longest `str`, `bytes`, list or dict a program may build; more raises `MemoryError`.
pub const MAX_LEN: usize = 1 << 24;

/// Attributes of a class, an instance or a module: names with values, in definition order.
pub type Attrs = RefCell<Vec<(Rc<str>, Value)>>;

pub enum Value {
    /// An unassigned variable slot; programs never see it.
    Unbound,
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<Items>),
    List(Rc<List>),
    Dict(Rc<RefCell<Dict>>),
    /// A set: a dict whose values are `None`.
    Set(Rc<RefCell<Dict>>),
    Range(Rc<[i64; 3]>),
    Iter(Rc<RefCell<Iter>>),
    Function(Rc<Function>),
    Native(Native),
    /// A function bound to its receiver: (receiver, function).
    Method(Rc<(Value, Value)>),
    /// A built-in method bound to its receiver: (receiver, method name).
    NativeMethod(Rc<(Value, Rc<str>)>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    /// `super()`: attribute lookups start above this class, bound to the instance.
    Super(Rc<(Rc<Class>, Value)>),
    Module(Rc<Module>),
    Socket(Rc<Socket>),
    /// `threading.Lock()`: whether it is held.
    Lock(Rc<Cell<bool>>),
    /// A variable shared by a function and the functions defined in it.
    Cell(Rc<RefCell<Value>>),
}

impl Clone for Value {
    fn clone(&self) -> Self {
        match self {
            Value::Unbound => Value::Unbound,
            Value::None => Value::None,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Float(f) => Value::Float(*f),
            Value::Str(s) => Value::Str(s.clone()),
            Value::Bytes(b) => Value::Bytes(b.clone()),
            Value::Tuple(t) => Value::Tuple(t.clone()),
            Value::List(l) => Value::List(l.clone()),
            Value::Dict(d) => Value::Dict(d.clone()),
            Value::Set(s) => Value::Set(s.clone()),
            Value::Range(r) => Value::Range(r.clone()),
            Value::Iter(i) => Value::Iter(i.clone()),
            Value::Function(f) => Value::Function(f.clone()),
            Value::Native(n) => Value::Native(*n),
            Value::Method(m) => Value::Method(m.clone()),
            Value::NativeMethod(m) => Value::NativeMethod(m.clone()),
            Value::Class(c) => Value::Class(c.clone()),
            Value::Instance(i) => Value::Instance(i.clone()),
            Value::Super(s) => Value::Super(s.clone()),
            Value::Module(m) => Value::Module(m.clone()),
            Value::Socket(s) => Value::Socket(s.clone()),
            Value::Lock(l) => Value::Lock(l.clone()),
            Value::Cell(c) => Value::Cell(c.clone()),
        }
    }
}

/// A tuple's items.
pub struct Items(pub Box<[Value]>);

/// A list's items.
pub struct List(pub RefCell<Vec<Value>>);

thread_local! {
    static TRASH: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
    static EMPTYING: Cell<bool> = const { Cell::new(false) };
}

/// Frees values one at a time from a list instead of recursively: a container being freed
/// hands its items here.
fn trash(items: Vec<Value>) {
    TRASH.with(|trash| trash.borrow_mut().extend(items));
    if EMPTYING.with(|emptying| emptying.replace(true)) {
        return;
    }
    while let Some(value) = TRASH.with(|trash| trash.borrow_mut().pop()) {
        drop(value);
    }
    EMPTYING.with(|emptying| emptying.set(false));
}

impl Drop for Items {
    fn drop(&mut self) {
        trash(core::mem::take(&mut self.0).into_vec());
    }
}

impl Drop for List {
    fn drop(&mut self) {
        trash(core::mem::take(self.0.get_mut()));
    }
}

impl Drop for Dict {
    fn drop(&mut self) {
        self.clear();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let mut values = Vec::new();
        for (_, value) in core::mem::take(self.attrs.get_mut()) {
            values.push(value);
        }
        trash(values);
    }
}

/// What `iter()` gives: a position in a sequence, a range, or a snapshot of items.
pub enum Iter {
    /// A list, tuple, `bytes` (by index) or `str` (by byte offset).
    Seq(Value, usize),
    Range(i64, i64, i64),
    Items(std::vec::IntoIter<Value>),
}

impl Iter {
    /// The next item, or `None` when the iterator is exhausted.
    pub fn advance(&mut self) -> Option<Value> {
        match self {
            Iter::Seq(sequence, i) => {
                let item = match sequence {
                    Value::List(list) => list.0.borrow().get(*i).cloned(),
                    Value::Tuple(items) => items.0.get(*i).cloned(),
                    Value::Bytes(bytes) => bytes.get(*i).map(|&b| Value::Int(b.into())),
                    Value::Str(text) => {
                        let c = text.get(*i..)?.chars().next()?;
                        *i += c.len_utf8() - 1;
                        Some(Value::str(c.encode_utf8(&mut [0; 4])))
                    }
                    _ => None,
                };
                *i += 1;
                item
            }
            Iter::Range(next, stop, step) => {
                let more = if *step > 0 { *next < *stop } else { *next > *stop };
                if !more {
                    return None;
                }
                let item = *next;
                match next.checked_add(*step) {
                    Some(following) => *next = following,
                    None => *next = *stop,
                }
                Some(Value::Int(item))
            }
            Iter::Items(items) => items.next(),
        }
    }
}

/// A dict: entries in insertion order, with a hash index once it is more than a handful.
#[derive(Default)]
pub struct Dict {
    pub entries: Vec<(Value, Value)>,
    /// Open addressing: entry index + 1 per slot, 0 when empty. Empty while the dict is small.
    index: Vec<u32>,
}

/// Below this many entries a dict is searched in order, without an index.
const SMALL_DICT: usize = 8;

impl Dict {
    pub fn find(&self, key: &Value) -> Result<Option<usize>, Exc> {
        let hash = hash(key, 0)?;
        if self.index.is_empty() {
            for (i, (k, _)) in self.entries.iter().enumerate() {
                if equal(k, key, 0)? {
                    return Ok(Some(i));
                }
            }
            return Ok(None);
        }
        let mask = self.index.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            match self.index[slot] {
                0 => return Ok(None),
                n => {
                    if equal(&self.entries[n as usize - 1].0, key, 0)? {
                        return Ok(Some(n as usize - 1));
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    pub fn get(&self, key: &Value) -> Result<Option<Value>, Exc> {
        Ok(self.find(key)?.map(|i| self.entries[i].1.clone()))
    }

    pub fn insert(&mut self, key: Value, value: Value) -> Result<(), Exc> {
        if let Some(i) = self.find(&key)? {
            self.entries[i].1 = value;
            return Ok(());
        }
        if self.entries.len() >= MAX_LEN {
            return Err(memory());
        }
        self.entries.push((key, value));
        if self.entries.len() > SMALL_DICT && self.entries.len() * 2 > self.index.len() {
            self.reindex();
        } else if !self.index.is_empty() {
            let n = self.entries.len();
            self.place(n - 1);
        }
        Ok(())
    }

    pub fn remove(&mut self, key: &Value) -> Result<Option<Value>, Exc> {
        let Some(i) = self.find(key)? else { return Ok(None) };
        let (_, value) = self.entries.remove(i);
        if !self.index.is_empty() {
            self.reindex();
        }
        Ok(Some(value))
    }

    pub fn clear(&mut self) {
        let mut items = Vec::new();
        for (key, value) in core::mem::take(&mut self.entries) {
            items.push(key);
            items.push(value);
        }
        trash(items);
        self.index.clear();
    }

    fn reindex(&mut self) {
        self.index.clear();
        if self.entries.len() <= SMALL_DICT {
            return;
        }
        self.index.resize((self.entries.len() * 4).next_power_of_two(), 0);
        for i in 0..self.entries.len() {
            self.place(i);
        }
    }

    fn place(&mut self, entry: usize) {
        // Keys in the dict were hashed when they went in: this cannot fail.
        let hash = hash(&self.entries[entry].0, 0).unwrap_or(0);
        let mask = self.index.len() - 1;
        let mut slot = hash as usize & mask;
        while self.index[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        self.index[slot] = entry as u32 + 1;
    }
}

pub struct Function {
    pub code: Rc<Code>,
    pub globals: Rc<Module>,
    pub defaults: Vec<Value>,
    pub keyword_defaults: Vec<(Rc<str>, Value)>,
    pub closure: Vec<Rc<RefCell<Value>>>,
    /// The class whose body defined it, for `super()`.
    pub owner: RefCell<Weak<Class>>,
}

pub struct Class {
    pub name: Rc<str>,
    pub base: Option<Rc<Class>>,
    pub attrs: Attrs,
    /// The built-in exception class this is, if it is one.
    pub builtin: Option<Kind>,
}

impl Class {
    /// The name without its module: `timeout` for `socket.timeout`.
    pub fn short_name(&self) -> &str {
        &self.name[self.name.bytes().rposition(|b| b == b'.').map_or(0, |dot| dot + 1)..]
    }

    /// An attribute of the class or of a class above it.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        let mut class = self;
        loop {
            if let Some(value) = get_attr(&class.attrs, name) {
                return Some(value);
            }
            class = class.base.as_deref()?;
        }
    }

    pub fn is_subclass_of(&self, other: &Class) -> bool {
        let mut class = self;
        loop {
            if core::ptr::eq(class, other) {
                return true;
            }
            match class.base.as_deref() {
                Some(base) => class = base,
                None => return false,
            }
        }
    }

    /// The built-in exception class this class is or derives from.
    pub fn exception_kind(&self) -> Option<Kind> {
        let mut class = self;
        loop {
            if class.builtin.is_some() {
                return class.builtin;
            }
            class = class.base.as_deref()?;
        }
    }
}

pub struct Instance {
    pub class: Rc<Class>,
    pub attrs: Attrs,
    /// For an exception: the frames it went through, oldest first.
    pub traceback: RefCell<Vec<Entry>>,
}

/// A module, and the globals of the code compiled in it: slots by name, in a fixed order so
/// that compiled code reaches them by index.
pub struct Module {
    pub name: Rc<str>,
    pub globals: Attrs,
}

impl Module {
    pub fn get(&self, name: &str) -> Option<Value> {
        get_attr(&self.globals, name).filter(|value| !matches!(value, Value::Unbound))
    }

    pub fn set(&self, name: &str, value: Value) {
        set_attr(&self.globals, name, value);
    }
}

pub fn get_attr(attrs: &Attrs, name: &str) -> Option<Value> {
    attrs.borrow().iter().find(|(n, _)| &**n == name).map(|(_, v)| v.clone())
}

pub fn set_attr(attrs: &Attrs, name: &str, value: Value) {
    let mut attrs = attrs.borrow_mut();
    match attrs.iter_mut().find(|(n, _)| &**n == name) {
        Some(slot) => slot.1 = value,
        None => attrs.push((name.into(), value)),
    }
}

// ---- Exceptions ---------------------------------------------------------------------------------

macro_rules! kinds {
    ($($kind:ident $name:literal $parent:ident,)*) => {
        /// The built-in exception classes.
        #[derive(Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(test, derive(Debug))]
        pub enum Kind { $($kind,)* }

        /// Each built-in exception class: its name and the class it derives from (parents come
        /// first; `BaseException` names itself).
        pub const KINDS: &[(&str, Kind)] = &[$(($name, Kind::$parent),)*];
    };
}

kinds! {
    BaseException "BaseException" BaseException,
    SystemExit "SystemExit" BaseException,
    KeyboardInterrupt "KeyboardInterrupt" BaseException,
    Exception "Exception" BaseException,
    StopIteration "StopIteration" Exception,
    ArithmeticError "ArithmeticError" Exception,
    OverflowError "OverflowError" ArithmeticError,
    ZeroDivisionError "ZeroDivisionError" ArithmeticError,
    AssertionError "AssertionError" Exception,
    AttributeError "AttributeError" Exception,
    LookupError "LookupError" Exception,
    IndexError "IndexError" LookupError,
    KeyError "KeyError" LookupError,
    NameError "NameError" Exception,
    UnboundLocalError "UnboundLocalError" NameError,
    OSError "OSError" Exception,
    BlockingIOError "BlockingIOError" OSError,
    ConnectionError "ConnectionError" OSError,
    BrokenPipeError "BrokenPipeError" ConnectionError,
    ConnectionAbortedError "ConnectionAbortedError" ConnectionError,
    ConnectionRefusedError "ConnectionRefusedError" ConnectionError,
    ConnectionResetError "ConnectionResetError" ConnectionError,
    TimeoutError "TimeoutError" OSError,
    Gaierror "socket.gaierror" OSError,
    EOFError "EOFError" Exception,
    ImportError "ImportError" Exception,
    ModuleNotFoundError "ModuleNotFoundError" ImportError,
    MemoryError "MemoryError" Exception,
    RuntimeError "RuntimeError" Exception,
    NotImplementedError "NotImplementedError" RuntimeError,
    RecursionError "RecursionError" RuntimeError,
    TypeError "TypeError" Exception,
    ValueError "ValueError" Exception,
    UnicodeError "UnicodeError" ValueError,
    UnicodeDecodeError "UnicodeDecodeError" UnicodeError,
    SyntaxError "SyntaxError" Exception,
}

impl Kind {
    pub fn name(self) -> &'static str {
        KINDS[self as usize].0
    }

    /// The class named `name` (as a socket error names it).
    pub fn named(name: &str) -> Option<Kind> {
        KINDS.iter().position(|(n, _)| *n == name).map(|i| ALL[i])
    }
}

/// Every kind by index, for [`Kind::named`].
const ALL: [Kind; 36] = {
    use Kind::*;
    [
        BaseException,
        SystemExit,
        KeyboardInterrupt,
        Exception,
        StopIteration,
        ArithmeticError,
        OverflowError,
        ZeroDivisionError,
        AssertionError,
        AttributeError,
        LookupError,
        IndexError,
        KeyError,
        NameError,
        UnboundLocalError,
        OSError,
        BlockingIOError,
        ConnectionError,
        BrokenPipeError,
        ConnectionAbortedError,
        ConnectionRefusedError,
        ConnectionResetError,
        TimeoutError,
        Gaierror,
        EOFError,
        ImportError,
        ModuleNotFoundError,
        MemoryError,
        RuntimeError,
        NotImplementedError,
        RecursionError,
        TypeError,
        ValueError,
        UnicodeError,
        UnicodeDecodeError,
        SyntaxError,
    ]
};

/// Something that stops the running code: an exception, or a wait.
pub enum Thrown {
    /// A new exception of a built-in class, with its message; made an object when a program
    /// can see it.
    New(Kind, Cow<'static, str>),
    /// An `OSError` (or subclass) with an errno: `[Errno 111] Connection refused`.
    Os(Kind, i32, String),
    /// An exception object.
    Object(Rc<Instance>),
    /// Not an exception: the thread must wait. It travels like one up to the machine, which
    /// suspends the thread.
    Wait(Wait),
}

/// What a failing operation returns: boxed, so that results stay small.
pub type Exc = Box<Thrown>;

pub fn raise(kind: Kind, message: impl Into<Cow<'static, str>>) -> Exc {
    Box::new(Thrown::New(kind, message.into()))
}

pub fn type_error(message: impl Into<Cow<'static, str>>) -> Exc {
    raise(Kind::TypeError, message)
}

/// A `TypeError` whose message names the type of `value`: `before`, the type, `after`.
pub fn type_error_of(before: &str, value: &Value, after: &str) -> Exc {
    type_error([before, value.type_name(), after].concat())
}

pub fn value_error(message: impl Into<Cow<'static, str>>) -> Exc {
    raise(Kind::ValueError, message)
}

pub fn overflow() -> Exc {
    raise(Kind::OverflowError, "integer too large (socksim's ints are 64-bit)")
}

pub fn memory() -> Exc {
    raise(Kind::MemoryError, "")
}

/// The thread must wait for `wait`.
pub fn waiting(wait: Wait) -> Exc {
    Box::new(Thrown::Wait(wait))
}

pub fn thrown(exception: Rc<Instance>) -> Exc {
    Box::new(Thrown::Object(exception))
}

pub type Res<T> = Result<T, Exc>;

/// Bytes as text, each invalid sequence replaced by U+FFFD, as `String::from_utf8_lossy` gives
/// them but with `from_utf8`, which the page has anyway, instead of core's chunk iterator.
pub fn lossy(mut bytes: &[u8]) -> String {
    let mut text = String::new();
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                text.push_str(valid);
                return text;
            }
            Err(error) => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                text.push('\u{fffd}');
                bytes = &rest[error.error_len().unwrap_or(rest.len())..];
            }
        }
    }
}

// ---- What every value is ----------------------------------------------------------------------

impl Value {
    pub fn str(text: &str) -> Value {
        Value::Str(text.into())
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(Items(items.into_boxed_slice())))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(List(RefCell::new(items))))
    }

    /// The name of the value's class, as error messages give it.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Unbound | Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Iter(_) => "iterator",
            Value::Function(_) => "function",
            Value::Native(native) if native.is_type() => "type",
            Value::Native(_) | Value::NativeMethod(_) => "builtin_function_or_method",
            Value::Method(_) => "method",
            Value::Class(_) => "type",
            Value::Instance(instance) => &instance.class.name,
            Value::Super(_) => "super",
            Value::Module(_) => "module",
            Value::Socket(_) => "socket",
            Value::Lock(_) => "lock",
            Value::Cell(_) => "cell",
        }
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::Unbound | Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Tuple(t) => !t.0.is_empty(),
            Value::List(l) => !l.0.borrow().is_empty(),
            Value::Dict(d) | Value::Set(d) => !d.borrow().entries.is_empty(),
            Value::Range(r) => range_len(r) > 0,
            _ => true,
        }
    }

    /// The value as an int, if it is one (bools are ints).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => self.as_int().map(|i| i as f64),
        }
    }

    /// Whether two values are the same object (`is`).
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => Rc::ptr_eq(a, b) || (a.len() <= 1 && a == b),
            (Value::Native(a), Value::Native(b)) => a == b,
            _ => match (self.address(), other.address()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }

    /// Where a shared value lives, for `is` and identity hashing.
    pub fn address(&self) -> Option<usize> {
        Some(match self {
            Value::Str(s) => Rc::as_ptr(s) as *const u8 as usize,
            Value::Bytes(b) => Rc::as_ptr(b) as *const u8 as usize,
            Value::Tuple(t) => Rc::as_ptr(t) as usize,
            Value::List(l) => Rc::as_ptr(l) as usize,
            Value::Dict(d) | Value::Set(d) => Rc::as_ptr(d) as usize,
            Value::Function(f) => Rc::as_ptr(f) as usize,
            Value::Class(c) => Rc::as_ptr(c) as usize,
            Value::Instance(i) => Rc::as_ptr(i) as usize,
            Value::Module(m) => Rc::as_ptr(m) as usize,
            Value::Socket(s) => Rc::as_ptr(s) as usize,
            Value::Lock(l) => Rc::as_ptr(l) as usize,
            Value::Iter(i) => Rc::as_ptr(i) as usize,
            Value::Range(r) => Rc::as_ptr(r) as usize,
            Value::Method(m) => Rc::as_ptr(m) as usize,
            Value::NativeMethod(m) => Rc::as_ptr(m) as usize,
            Value::Super(s) => Rc::as_ptr(s) as usize,
            Value::Cell(c) => Rc::as_ptr(c) as usize,
            _ => return None,
        })
    }
}

pub fn range_len(r: &[i64; 3]) -> i64 {
    let [start, stop, step] = *r;
    let span = if step > 0 { stop.saturating_sub(start) } else { start.saturating_sub(stop) };
    if span <= 0 {
        0
    } else {
        (span - 1) / step.saturating_abs() + 1
    }
}

/// How deep `==`, hashing and `repr` follow nested containers before raising `RecursionError`.
pub const MAX_NESTING: u32 = 200;

fn too_deep() -> Exc {
    raise(Kind::RecursionError, "maximum recursion depth exceeded in comparison")
}

/// `a == b` for built-in values; instances compare by identity.
pub fn equal(a: &Value, b: &Value, depth: u32) -> Res<bool> {
    if depth > MAX_NESTING {
        return Err(too_deep());
    }
    let pairwise = |x: &[Value], y: &[Value]| -> Res<bool> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for (p, q) in x.iter().zip(y) {
            if !equal(p, q, depth + 1)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    Ok(match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Float(_), _) | (_, Value::Float(_)) => match (a.as_float(), b.as_float()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        (Value::Int(_) | Value::Bool(_), Value::Int(_) | Value::Bool(_)) => a.as_int() == b.as_int(),
        (Value::Tuple(x), Value::Tuple(y)) => pairwise(&x.0, &y.0)?,
        (Value::List(x), Value::List(y)) => {
            let (x, y) = (x.0.borrow().clone(), y.0.borrow().clone());
            pairwise(&x, &y)?
        }
        (Value::Range(x), Value::Range(y)) => x == y,
        (Value::Dict(x), Value::Dict(y)) | (Value::Set(x), Value::Set(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            if x.entries.len() != y.entries.len() {
                return Ok(false);
            }
            for (key, value) in &x.entries {
                match y.get(key)? {
                    Some(other) if equal(value, &other, depth + 1)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        (Value::Method(x), Value::Method(y)) => x.0.is(&y.0) && x.1.is(&y.1),
        _ => a.is(b),
    })
}

/// Python's `hash`: equal values hash alike (`1 == 1.0 == True`); lists, dicts and sets are
/// unhashable. Only a dict's index uses it, never its order.
pub fn hash(value: &Value, depth: u32) -> Res<u64> {
    if depth > MAX_NESTING {
        return Err(too_deep());
    }
    let bytes = |data: &[u8]| {
        data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    };
    Ok(match value {
        Value::None | Value::Unbound => 0x5eed,
        Value::Bool(_) | Value::Int(_) => mix(value.as_int().unwrap_or(0) as u64),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9e18 => mix(*f as i64 as u64),
        Value::Float(f) => mix(f.to_bits()),
        Value::Str(s) => bytes(s.as_bytes()),
        Value::Bytes(b) => bytes(b),
        Value::Tuple(items) => {
            let mut h = 0x345678u64;
            for item in items.0.iter() {
                h = mix(h ^ hash(item, depth + 1)?);
            }
            h
        }
        Value::Range(r) => mix(r[0] as u64 ^ mix(r[1] as u64 ^ mix(r[2] as u64))),
        Value::Native(n) => mix(*n as u64),
        Value::List(_) | Value::Dict(_) | Value::Set(_) => return Err(type_error_of("unhashable type: '", value, "'")),
        Value::Method(m) => mix(hash(&m.0, depth + 1)? ^ hash(&m.1, depth + 1)?),
        _ => mix(value.address().unwrap_or(0) as u64),
    })
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 33)
}

/// `a < b`: numbers, strings, bytes, and tuples and lists item by item.
pub fn less(a: &Value, b: &Value, depth: u32) -> Res<bool> {
    if depth > MAX_NESTING {
        return Err(too_deep());
    }
    let sequences = |x: &[Value], y: &[Value]| -> Res<bool> {
        for (p, q) in x.iter().zip(y) {
            if !equal(p, q, depth + 1)? {
                return less(p, q, depth + 1);
            }
        }
        Ok(x.len() < y.len())
    };
    match (a, b) {
        (Value::Int(_) | Value::Bool(_), Value::Int(_) | Value::Bool(_)) => Ok(a.as_int() < b.as_int()),
        (Value::Float(_) | Value::Int(_) | Value::Bool(_), Value::Float(_) | Value::Int(_) | Value::Bool(_)) => {
            Ok(a.as_float() < b.as_float())
        }
        (Value::Str(x), Value::Str(y)) => Ok(x < y),
        (Value::Bytes(x), Value::Bytes(y)) => Ok(x < y),
        (Value::Tuple(x), Value::Tuple(y)) => sequences(&x.0, &y.0),
        (Value::List(x), Value::List(y)) => {
            let (x, y) = (x.0.borrow().clone(), y.0.borrow().clone());
            sequences(&x, &y)
        }
        _ => Err(type_error(format!(
            "'<' not supported between instances of '{}' and '{}'",
            a.type_name(),
            b.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_as_core() {
        let samples: [&[u8]; 9] = [
            b"",
            b"plain",
            "caf\u{e9} \u{1f600}".as_bytes(),
            b"\xff",
            b"a\xc3",
            b"a\xe2\x82b\xf0\x9f\x98",
            b"\xed\xa0\x80x\xc0\xaf",
            b"\xf4\x90\x80\x80\x80ok",
            b"\xe2\x82\xac\xfe\xfd\xe2\x82",
        ];
        for bytes in samples {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        }
    }

    #[test]
    fn the_kind_table_matches_the_enum() {
        for (i, kind) in ALL.iter().enumerate() {
            assert_eq!(*kind as usize, i);
        }
        assert_eq!(KINDS.len(), ALL.len());
        assert_eq!(Kind::named("ConnectionRefusedError"), Some(Kind::ConnectionRefusedError));
        assert_eq!(Kind::named("socket.gaierror"), Some(Kind::Gaierror));
        // Parents come before their children.
        for (i, (_, parent)) in KINDS.iter().enumerate() {
            assert!((*parent as usize) <= i);
        }
    }

    #[test]
    fn a_dict_finds_its_keys_small_and_large() {
        let mut dict = Dict::default();
        for i in 0..100 {
            dict.insert(Value::Int(i), Value::Int(i * 2)).ok().unwrap();
        }
        dict.insert(Value::str("a"), Value::Int(-1)).ok().unwrap();
        assert!(matches!(dict.get(&Value::Float(42.0)).ok().unwrap(), Some(Value::Int(84))));
        assert!(matches!(dict.get(&Value::str("a")).ok().unwrap(), Some(Value::Int(-1))));
        dict.remove(&Value::Int(5)).ok().unwrap();
        assert!(dict.get(&Value::Int(5)).ok().unwrap().is_none());
        assert!(matches!(dict.get(&Value::Int(6)).ok().unwrap(), Some(Value::Int(12))));
        assert_eq!(dict.entries.len(), 100);
        assert!(dict.insert(Value::list(vec![]), Value::None).is_err());
    }

    #[test]
    fn freeing_deep_nesting_does_not_recurse() {
        let mut value = Value::list(Vec::new());
        for _ in 0..1_000_000 {
            value = Value::list(vec![value]);
        }
        drop(value);
        let mut value = Value::tuple(Vec::new());
        for _ in 0..1_000_000 {
            value = Value::tuple(vec![value]);
        }
        drop(value);
    }
}
