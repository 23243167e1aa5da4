//! The lesson file: a versioned JSON description of a network, what its hosts do and what should
//! come of it.
//!
//! Parsing is two stages. The JSON is read into raw structs that mirror the file (values of the
//! wrong kind and unknown fields are refused), then [`Lesson::parse`] checks every value and
//! builds the typed [`Lesson`],
//! answering the first problem with a [`LessonError`] that names the field
//! (`hosts[1].script[3].port: 70000 is not a port (0–65535)`). Lesson files come from URLs and
//! strangers, so sizes and counts are capped.

use std::fmt;

mod json;
pub use json::Quoted;
pub mod recording;
mod write;

use json::{Number, Value};

use crate::scenario::pyrepr::bytes_literal;
use crate::sim::{Fate, Impairments, Ipv4Address, PacketKind, ShutdownHow, SocketKind, SocketOption, SOCKET_STATES};

/// The format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// Caps on what a lesson file may ask for.
pub mod limits {
    pub const FILE_BYTES: usize = 256 * 1024;
    pub const HOSTS: usize = 32;
    pub const LINKS: usize = 64;
    pub const STEPS_PER_HOST: usize = 500;
    pub const STEPS: usize = 2_000;
    pub const EVENTS: usize = 200;
    pub const CHECKPOINTS: usize = 100;
    pub const TEXT_BYTES: usize = 64 * 1024;
    pub const NAME_CHARS: usize = 24;
    pub const FILE_NAME_CHARS: usize = 40;
    pub const TYPED_LINES: usize = 200;
    pub const GUIDE_STEPS: usize = 50;
    pub const GUIDE_CHARS: usize = 400;
    pub const ARGUMENTS: usize = 16;
    pub const SECONDS: f64 = 3_600.0;
}

/// What is wrong with a lesson file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    /// The field, as a path: `hosts[1].script[3].port`; empty for the file as a whole.
    pub field: String,
    pub message: String,
}

// The constructors are not inlined, and take text or `format_args!` rather than a `String`: the
// checks make errors in many places, and each place then only passes its pieces.
impl LessonError {
    #[inline(never)]
    fn new(field: &str, message: &str) -> Box<Self> {
        Box::new(LessonError { field: field.into(), message: message.into() })
    }

    #[inline(never)]
    fn new_fmt(field: &str, message: fmt::Arguments<'_>) -> Box<Self> {
        Box::new(LessonError { field: field.into(), message: fmt::format(message) })
    }

    /// A problem with field `key` of the object at `path`.
    #[inline(never)]
    fn at(path: &str, key: &str, message: &str) -> Box<Self> {
        Box::new(LessonError { field: join(path, key), message: message.into() })
    }

    #[inline(never)]
    fn at_fmt(path: &str, key: &str, message: fmt::Arguments<'_>) -> Box<Self> {
        Box::new(LessonError { field: join(path, key), message: fmt::format(message) })
    }
}

/// The path of field `key` of the object at `path`: `hosts[1]` and `name` make `hosts[1].name`.
#[inline(never)]
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.into()
    } else {
        format!("{path}.{key}")
    }
}

/// The path of item `index` of the list at `path`: `hosts` and 1 make `hosts[1]`.
#[inline(never)]
fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for LessonError {}

/// What the checks answer: their error boxed, so that passing it up (which they do at every
/// step) moves one pointer, not the error.
type Checked<T> = Result<T, Box<LessonError>>;

/// A lesson, checked and ready to play.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lesson {
    pub title: String,
    pub intro: String,
    pub seed: u64,
    /// How long the lesson runs, in seconds of virtual time.
    pub duration: f64,
    pub hosts: Vec<HostSpec>,
    pub links: Vec<LinkSpec>,
    pub events: Vec<Event>,
    pub checkpoints: Vec<Checkpoint>,
    /// What the student does next, step by step ("Press play", "Now drop the SYN-ACK"), each
    /// shown from its time on.
    pub guide: Vec<GuideStep>,
}

/// One step of a lesson's guide: shown from `at` seconds until the next one's time.
#[derive(Debug, Clone, PartialEq)]
pub struct GuideStep {
    pub at: f64,
    pub text: String,
}

impl Lesson {
    /// The guide's step for time `seconds`: its number (from 0) and text.
    pub fn guide_at(&self, seconds: f64) -> Option<(usize, &GuideStep)> {
        self.guide.iter().enumerate().rev().find(|(_, step)| step.at <= seconds)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostSpec {
    pub name: String,
    pub address: Ipv4Address,
    pub script: Vec<Step>,
    /// A Python program the host runs (a host has a script or a program, not both).
    pub program: Option<ProgramSpec>,
}

/// A Python program, as a course would write it, and what is typed at its console.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramSpec {
    /// The file name its tracebacks give (`server.py`).
    pub file: String,
    pub source: String,
    /// What follows the file name in `sys.argv`.
    pub argv: Vec<String>,
    /// When it starts, in seconds.
    pub start: f64,
    /// Lines typed at the host's console (each without its newline), in time order.
    pub input: Vec<TypedLine>,
}

/// A line typed at a console at a time, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedLine {
    pub at: f64,
    pub text: String,
}

/// A link between two hosts (indexes into [`Lesson::hosts`]) and what each direction does.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkSpec {
    pub ends: [usize; 2],
    /// Packets sent by `ends[0]`, and by `ends[1]`.
    pub impairments: [Impairments; 2],
}

/// One line of a host's script: a socket call, made no earlier than `at`, after the line before it
/// has finished (a blocking call holds the script, as it holds a program).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub at: Option<f64>,
    pub action: Action,
    /// A failing call ends the script (an uncaught exception) unless this is set.
    pub continue_on_error: bool,
}

/// Bytes a step sends: written out, or made from bytes an earlier step received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Text(String),
    Echo { variable: String, transform: Transform },
}

/// What an echoing step does to the bytes it received before sending them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    None,
    Upper,
    Lower,
}

/// Where a datagram goes: a written address, or the sender an earlier `recvfrom` named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Address { address: String, port: i64 },
    Variable(String),
}

/// A socket call of a script, with the variables it reads and binds.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Socket { kind: SocketKind, binds: String },
    Bind { socket: String, address: String, port: i64 },
    Listen { socket: String, backlog: i64 },
    Accept { socket: String, binds: String, binds_address: Option<String> },
    Connect { socket: String, address: String, port: i64 },
    Send { socket: String, payload: Payload, all: bool },
    Recv { socket: String, bufsize: i64, binds: Option<String> },
    Sendto { socket: String, payload: Payload, to: Destination },
    Recvfrom { socket: String, bufsize: i64, binds: Option<String>, binds_address: Option<String> },
    Shutdown { socket: String, how: ShutdownHow },
    Close { socket: String },
    Setsockopt { socket: String, option: SocketOption, value: i64 },
    Settimeout { socket: String, seconds: Option<f64> },
}

impl Action {
    /// The socket variable the call is made on (`None` for `socket()`).
    pub fn socket(&self) -> Option<&str> {
        match self {
            Action::Socket { .. } => None,
            Action::Bind { socket, .. }
            | Action::Listen { socket, .. }
            | Action::Accept { socket, .. }
            | Action::Connect { socket, .. }
            | Action::Send { socket, .. }
            | Action::Recv { socket, .. }
            | Action::Sendto { socket, .. }
            | Action::Recvfrom { socket, .. }
            | Action::Shutdown { socket, .. }
            | Action::Close { socket }
            | Action::Setsockopt { socket, .. }
            | Action::Settimeout { socket, .. } => Some(socket),
        }
    }
}

/// Something the lesson does to the network at a time: drop a packet, change a link.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: f64,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// Drop the next packet on a link, optionally only one sent by `from` and of `packet` kind.
    DropNext { link: usize, from: Option<usize>, packet: Option<PacketKind> },
    /// Change a link's impairments, in one direction (`from`) or both.
    SetLink { link: usize, from: Option<usize>, impairments: Impairments },
}

/// A question about the run and the outcome that answers it, checked at `at` seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub at: f64,
    /// The question a student predicts the answer to before the run.
    pub question: Option<String>,
    pub choices: Vec<String>,
    /// The index of the right choice.
    pub answer: Option<usize>,
    pub expect: Expectation,
}

/// An outcome a checkpoint expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// The bytes the host's `recv`/`recvfrom` calls returned, joined, contain `text`.
    Received { host: usize, text: String },
    /// A call on the host raised this exception class (for a program: it went uncaught).
    Raised { host: usize, exception: String },
    /// A `recv` on the host returned `b''`: the peer closed.
    PeerClosed { host: usize },
    /// At least `count` of the host's sockets are in this state (`ESTABLISHED`, `TIME-WAIT`…).
    SocketState { host: usize, state: String, count: usize },
    /// The host's script (or a thread of its program) is blocked in a socket call.
    Blocked { host: usize },
    /// The host's script has run every step, or its program has exited with status 0.
    Finished { host: usize },
    /// The host's program has written `text` to its console.
    Printed { host: usize, text: String },
    /// The listening socket has this many connections waiting for `accept`.
    AcceptQueue { host: usize, socket: String, length: usize },
    /// Between `at_least` and `at_most` packets match.
    Packets { filter: PacketFilter, at_least: usize, at_most: Option<usize> },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PacketFilter {
    pub kind: Option<PacketKind>,
    pub fate: Option<String>,
    pub from: Option<usize>,
    pub to: Option<usize>,
    pub duplicate: Option<bool>,
}

impl PacketFilter {
    pub fn matches(&self, record: &crate::sim::PacketRecord) -> bool {
        self.kind.is_none_or(|kind| record.summary.kind == kind)
            && self.fate.as_deref().is_none_or(|fate| record.fate.name() == fate)
            && self.from.is_none_or(|from| record.from == from)
            && self.to.is_none_or(|to| record.to == Some(to))
            && self.duplicate.is_none_or(|duplicate| record.duplicate_of.is_some() == duplicate)
    }
}

impl Lesson {
    /// What a checkpoint expects, in words.
    pub fn describe(&self, expectation: &Expectation) -> String {
        let name = |host: &usize| self.hosts[*host].name.as_str();
        match expectation {
            Expectation::Received { host, text } => {
                format!("{} receives {}", name(host), bytes_literal(text.as_bytes()))
            }
            Expectation::Raised { host, exception } if self.hosts[*host].program.is_some() => {
                format!("{}'s program ends on an uncaught {exception}", name(host))
            }
            Expectation::Raised { host, exception } => format!("a call on {} raises {exception}", name(host)),
            Expectation::PeerClosed { host } => format!("a recv on {} returns b'' (the peer closed)", name(host)),
            Expectation::SocketState { host, state, count } => {
                format!("{} has at least {count} socket(s) in {state}", name(host))
            }
            Expectation::Blocked { host } => format!("{} is blocked in a call", name(host)),
            Expectation::Finished { host } if self.hosts[*host].program.is_some() => {
                format!("{}'s program exits with status 0", name(host))
            }
            Expectation::Finished { host } => format!("{} has run every step", name(host)),
            Expectation::Printed { host, text } => format!("{}'s program prints {}", name(host), Quoted(text)),
            Expectation::AcceptQueue { host, socket, length } => {
                format!("{socket} on {} has {length} connection(s) waiting for accept", name(host))
            }
            Expectation::Packets { filter, at_least, at_most } => {
                let mut what = String::new();
                if let Some(kind) = filter.kind {
                    what += " ";
                    what += kind.label();
                }
                what += " packet(s)";
                if let Some(from) = &filter.from {
                    what += " from ";
                    what += name(from);
                }
                if let Some(to) = &filter.to {
                    what += " to ";
                    what += name(to);
                }
                if let Some(fate) = &filter.fate {
                    what += " with fate ";
                    what += fate;
                }
                if filter.duplicate == Some(true) {
                    what += " that are duplicates";
                }
                match at_most {
                    Some(at_most) if at_most == at_least => format!("exactly {at_least}{what}"),
                    Some(at_most) => format!("{at_least} to {at_most}{what}"),
                    None => format!("at least {at_least}{what}"),
                }
            }
        }
    }
}

// ---- The file as written ------------------------------------------------------------------

/// One JSON object of the file, read field by field.
///
/// Each read takes its field out, so that the fields left over are unknown ones (a typo must not
/// pass unnoticed). Reads never fail: a value of the wrong kind reads as absent, a missing required
/// field as empty, and the object keeps the first problem for [`Object::done`] to report. So the
/// readers below are plain struct literals.
///
/// The file is parsed into a [`Value`] once and read by hand rather than with serde's derives:
/// each derived struct brings its own copy of serde's reading code, which cost the page more than
/// everything else about lessons together.
#[derive(Default)]
struct Object {
    /// The fields not read yet.
    fields: Vec<(String, Value)>,
    /// Where the object is in the file: `hosts[1].script[3]`; empty for the file itself.
    path: String,
    /// The fields asked for so far, to name them when an unknown one is found.
    known: Vec<&'static str>,
    /// The first value of the wrong kind or field given twice, here or in an object inside this one.
    problem: Option<Box<LessonError>>,
    /// The first required field found missing.
    missing: Option<&'static str>,
}

impl Object {
    /// The path of one of this object's fields.
    fn field(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// A field's value; `null` counts as absent.
    fn take(&mut self, key: &'static str) -> Option<Value> {
        self.known.push(key);
        let index = self.fields.iter().position(|(name, _)| name == key)?;
        let (_, value) = self.fields.remove(index);
        if self.fields.iter().any(|(name, _)| name == key) && self.problem.is_none() {
            self.problem = Some(LessonError::at(&self.path, key, "given more than once"));
        }
        Some(value).filter(|value| !value.is_null())
    }

    /// Notes a value of the wrong kind, unless a problem was noted before.
    fn wrong(&mut self, path: String, expected: &str, found: &Value) {
        if self.problem.is_none() {
            self.problem = Some(wrong(path, expected, found));
        }
    }

    /// A field holding one value, read by `read`, which answers `None` when the value is not `what`.
    fn scalar<T>(&mut self, key: &'static str, what: &str, read: fn(&Value) -> Option<T>) -> Option<T> {
        let mut scalar = None;
        self.check(key, what, &mut |value| {
            scalar = read(value);
            scalar.is_some()
        });
        scalar
    }

    /// What [`Object::scalar`] does for every type: takes the field, and notes a value `read`
    /// refuses.
    #[inline(never)]
    fn check(&mut self, key: &'static str, what: &str, read: &mut dyn FnMut(&Value) -> bool) {
        if let Some(value) = self.take(key) {
            if !read(&value) {
                self.wrong(self.field(key), what, &value);
            }
        }
    }

    fn string(&mut self, key: &'static str) -> Option<String> {
        self.scalar(key, "a string", |value| value.as_str().map(String::from))
    }

    fn number(&mut self, key: &'static str) -> Option<f64> {
        self.scalar(key, "a number", Value::as_f64)
    }

    fn integer(&mut self, key: &'static str) -> Option<i64> {
        self.scalar(key, "a whole number", Value::as_i64)
    }

    fn count(&mut self, key: &'static str) -> Option<usize> {
        self.scalar(key, "a whole number from 0 up", |value| value.as_u64().and_then(|n| usize::try_from(n).ok()))
    }

    fn flag(&mut self, key: &'static str) -> Option<bool> {
        self.scalar(key, "true or false", Value::as_bool)
    }

    /// `"between": ["a", "b"]`: the two hosts a link joins.
    fn between(&mut self, key: &'static str) -> Option<[String; 2]> {
        self.scalar(key, "a pair of host names", |value| match value.as_array()? {
            [Value::String(first), Value::String(second)] => Some([first.clone(), second.clone()]),
            _ => None,
        })
    }

    /// A field that must be there, read by one of the reads here.
    fn required<T: Default>(&mut self, key: &'static str, read: fn(&mut Object, &'static str) -> Option<T>) -> T {
        read(self, key).unwrap_or_else(|| {
            self.missing.get_or_insert(key);
            T::default()
        })
    }

    /// Hands each item of the list at `key` to `item`, with its path; an absent list has none.
    #[inline(never)]
    fn each(&mut self, key: &'static str, item: &mut dyn FnMut(&mut Object, String, Value)) {
        let field = self.field(key);
        match self.take(key) {
            None => {}
            Some(Value::Array(items)) => {
                for (index, value) in items.into_iter().enumerate() {
                    item(self, self::item(&field, index), value);
                }
            }
            Some(other) => self.wrong(field, "a list [ … ]", &other),
        }
    }

    fn strings(&mut self, key: &'static str) -> Vec<String> {
        let mut strings = Vec::new();
        self.each(key, &mut |o, field, value| match value {
            Value::String(text) => strings.push(text),
            other => o.wrong(field, "a string", &other),
        });
        strings
    }

    /// An object inside this one, read by `read`.
    fn object<T>(&mut self, key: &'static str, read: fn(&mut Object) -> T) -> Option<T> {
        let mut inner = self.inner(key)?;
        let object = read(&mut inner);
        self.close(inner);
        Some(object)
    }

    /// The objects of a list, each read by `read`.
    fn objects<T>(&mut self, key: &'static str, read: fn(&mut Object) -> T) -> Vec<T> {
        let mut objects = Vec::new();
        self.each(key, &mut |o, field, value| {
            if let Some(mut inner) = o.open(value, field) {
                objects.push(read(&mut inner));
                o.close(inner);
            }
        });
        objects
    }

    /// The object at `key`, to read (and then [`Object::close`]), if there is one.
    #[inline(never)]
    fn inner(&mut self, key: &'static str) -> Option<Object> {
        let value = self.take(key)?;
        self.open(value, self.field(key))
    }

    /// An object inside this one, to read (and then [`Object::close`]), if the value is one.
    #[inline(never)]
    fn open(&mut self, value: Value, path: String) -> Option<Object> {
        let Value::Object(fields) = value else {
            self.wrong(path, "an object { … }", &value);
            return None;
        };
        Some(Object { fields, path, ..Object::default() })
    }

    /// Ends reading an object inside this one: its first problem becomes this one's.
    #[inline(never)]
    fn close(&mut self, inner: Object) {
        if let Err(problem) = inner.done() {
            self.problem.get_or_insert(problem);
        }
    }

    /// The object's first problem: a value of the wrong kind or a field given twice, an unknown
    /// field, then a required field that was missing (after the unknown ones, as it is often the
    /// same typo).
    fn done(self) -> Checked<()> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        if let Some((unknown, _)) = self.fields.first() {
            return Err(LessonError::new_fmt(
                &self.path,
                format_args!("unknown field `{unknown}` (the fields here are {})", self.known.join(", ")),
            ));
        }
        match self.missing {
            Some(key) => Err(LessonError::at(&self.path, key, "missing: this field is required")),
            None => Ok(()),
        }
    }
}

/// A value of the wrong kind.
fn wrong(field: String, expected: &str, found: &Value) -> Box<LessonError> {
    let found = match found {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number_text(number),
        Value::String(text) => Quoted(text).to_string(),
        Value::Array(items) => format!("a list of {}", items.len()),
        Value::Object(_) => "an object".into(),
    };
    LessonError::new_fmt(&field, format_args!("expected {expected}, found {found}"))
}

/// A number as written: `80`, or `80.5` (with a fraction always shown, so `80.0` is not
/// mistaken for a whole number).
fn number_text(number: &Number) -> String {
    match *number {
        Number::Int(whole) => whole.to_string(),
        Number::UInt(whole) => whole.to_string(),
        Number::Float(number) => crate::python::format::float_repr(number),
    }
}

struct RawLesson {
    title: String,
    intro: String,
    seed: u64,
    duration: f64,
    hosts: Vec<RawHost>,
    links: Vec<RawLink>,
    events: Vec<RawEvent>,
    checkpoints: Vec<RawCheckpoint>,
    guide: Vec<RawTypedLine>,
}

impl RawLesson {
    /// Reads the file's object, once its format version has been checked.
    #[inline(never)]
    fn read(o: &mut Object) -> RawLesson {
        RawLesson {
            title: o.required("title", Object::string),
            intro: o.string("intro").unwrap_or_default(),
            seed: o.scalar("seed", "a whole number from 0 up", Value::as_u64).unwrap_or(0),
            duration: o.required("duration", Object::number),
            hosts: o.objects("hosts", RawHost::read),
            links: o.objects("links", RawLink::read),
            events: o.objects("events", RawEvent::read),
            checkpoints: o.objects("checkpoints", RawCheckpoint::read),
            guide: o.objects("guide", |o| RawTypedLine {
                at: o.required("at", Object::number),
                text: o.required("text", Object::string),
            }),
        }
    }
}

struct RawHost {
    name: String,
    address: String,
    script: Vec<RawStep>,
    program: Option<RawProgram>,
}

impl RawHost {
    #[inline(never)]
    fn read(o: &mut Object) -> RawHost {
        RawHost {
            name: o.required("name", Object::string),
            address: o.required("address", Object::string),
            script: o.objects("script", RawStep::read),
            program: o.object("program", RawProgram::read),
        }
    }
}

struct RawProgram {
    file: Option<String>,
    source: String,
    argv: Vec<String>,
    start: Option<f64>,
    input: Vec<RawTypedLine>,
}

struct RawTypedLine {
    at: f64,
    text: String,
}

impl RawProgram {
    #[inline(never)]
    fn read(o: &mut Object) -> RawProgram {
        RawProgram {
            file: o.string("file"),
            // One string, or a list of lines (easier to write and to read in a JSON file).
            source: o.required("source", |o, key| {
                o.scalar(key, "a string or a list of lines", |value| match value {
                    Value::String(text) => Some(text.clone()),
                    Value::Array(lines) => {
                        let mut source = String::new();
                        for line in lines {
                            source += line.as_str()?;
                            source.push('\n');
                        }
                        Some(source)
                    }
                    _ => None,
                })
            }),
            argv: o.strings("argv"),
            start: o.number("start"),
            input: o.objects("input", |o| RawTypedLine {
                at: o.required("at", Object::number),
                text: o.required("text", Object::string),
            }),
        }
    }
}

/// A direction's impairments, as written beside a link's other fields (or a `set_link` event's).
#[derive(Default, Clone, Copy)]
struct RawImpairments {
    delay_ms: Option<f64>,
    jitter_ms: Option<f64>,
    loss_percent: Option<f64>,
    duplicate_percent: Option<f64>,
    bandwidth_kbps: Option<f64>,
}

impl RawImpairments {
    fn read(o: &mut Object) -> RawImpairments {
        RawImpairments {
            delay_ms: o.number("delay_ms"),
            jitter_ms: o.number("jitter_ms"),
            loss_percent: o.number("loss_percent"),
            duplicate_percent: o.number("duplicate_percent"),
            bandwidth_kbps: o.number("bandwidth_kbps"),
        }
    }
}

struct RawLink {
    between: [String; 2],
    impairments: RawImpairments,
    /// Overrides for the second host's direction.
    reverse: Option<RawImpairments>,
}

impl RawLink {
    #[inline(never)]
    fn read(o: &mut Object) -> RawLink {
        RawLink {
            between: o.required("between", Object::between),
            impairments: RawImpairments::read(o),
            reverse: o.object("reverse", RawImpairments::read),
        }
    }
}

/// `"as": "conn"` or `"as": ["conn", "addr"]`.
enum RawBinding {
    One(String),
    Pair(String, String),
}

struct RawStep {
    at: Option<f64>,
    call: String,
    binds: Option<RawBinding>,
    socket: Option<String>,
    kind: Option<String>,
    address: Option<String>,
    port: Option<i64>,
    backlog: Option<i64>,
    bufsize: Option<i64>,
    text: Option<String>,
    echo: Option<String>,
    transform: Option<Transform>,
    to: Option<String>,
    how: Option<String>,
    option: Option<String>,
    value: Option<i64>,
    seconds: Option<f64>,
    continue_on_error: bool,
}

impl RawStep {
    fn read(o: &mut Object) -> RawStep {
        RawStep {
            at: o.number("at"),
            call: o.required("call", Object::string),
            binds: o.scalar("as", "a variable name or a pair of them", |value| match value {
                Value::String(name) => Some(RawBinding::One(name.clone())),
                _ => match value.as_array()? {
                    [Value::String(first), Value::String(second)] => {
                        Some(RawBinding::Pair(first.clone(), second.clone()))
                    }
                    _ => None,
                },
            }),
            socket: o.string("socket"),
            kind: o.string("type"),
            address: o.string("address"),
            port: o.integer("port"),
            backlog: o.integer("backlog"),
            bufsize: o.integer("bufsize"),
            text: o.string("text"),
            echo: o.string("echo"),
            transform: o.scalar("transform", "\"none\", \"upper\" or \"lower\"", |value| match value.as_str()? {
                "none" => Some(Transform::None),
                "upper" => Some(Transform::Upper),
                "lower" => Some(Transform::Lower),
                _ => None,
            }),
            to: o.string("to"),
            how: o.string("how"),
            option: o.string("option"),
            value: o.integer("value"),
            seconds: o.number("seconds"),
            continue_on_error: o.flag("continue_on_error").unwrap_or(false),
        }
    }
}

struct RawEvent {
    at: f64,
    drop_next: Option<RawDropNext>,
    set_link: Option<RawSetLink>,
}

impl RawEvent {
    #[inline(never)]
    fn read(o: &mut Object) -> RawEvent {
        RawEvent {
            at: o.required("at", Object::number),
            drop_next: o.object("drop_next", RawDropNext::read),
            set_link: o.object("set_link", |o| RawSetLink {
                between: o.required("between", Object::between),
                from: o.string("from"),
                impairments: RawImpairments::read(o),
            }),
        }
    }
}

struct RawDropNext {
    between: [String; 2],
    from: Option<String>,
    kind: Option<String>,
}

impl RawDropNext {
    fn read(o: &mut Object) -> RawDropNext {
        RawDropNext { between: o.required("between", Object::between), from: o.string("from"), kind: o.string("kind") }
    }
}

struct RawSetLink {
    between: [String; 2],
    from: Option<String>,
    impairments: RawImpairments,
}

struct RawCheckpoint {
    at: f64,
    question: Option<String>,
    choices: Vec<String>,
    answer: Option<usize>,
    /// Boxed, as it is large: moved as one pointer while the file is read.
    expect: Box<RawExpectation>,
}

impl RawCheckpoint {
    #[inline(never)]
    fn read(o: &mut Object) -> RawCheckpoint {
        RawCheckpoint {
            at: o.required("at", Object::number),
            question: o.string("question"),
            choices: o.strings("choices"),
            answer: o.count("answer"),
            expect: o.required("expect", |o, key| o.object(key, RawExpectation::read)),
        }
    }
}

/// What a checkpoint expects: exactly one of these is given (the checker says so if not).
#[derive(Default)]
struct RawExpectation {
    received: Option<RawHostText>,
    raised: Option<RawRaised>,
    peer_closed: Option<String>,
    state: Option<RawState>,
    blocked: Option<String>,
    finished: Option<String>,
    printed: Option<RawHostText>,
    accept_queue: Option<RawAcceptQueue>,
    packets: Option<RawPackets>,
}

impl RawExpectation {
    #[inline(never)]
    fn read(o: &mut Object) -> Box<RawExpectation> {
        /// `{ "host": "server" }`.
        fn host(o: &mut Object) -> String {
            o.required("host", Object::string)
        }
        Box::new(RawExpectation {
            received: o.object("received", |o| RawHostText { host: host(o), text: o.required("text", Object::string) }),
            raised: o
                .object("raised", |o| RawRaised { host: host(o), exception: o.required("exception", Object::string) }),
            peer_closed: o.object("peer_closed", host),
            state: o.object("state", |o| RawState {
                host: host(o),
                state: o.required("state", Object::string),
                count: o.count("count").unwrap_or(1),
            }),
            blocked: o.object("blocked", host),
            finished: o.object("finished", host),
            printed: o.object("printed", |o| RawHostText { host: host(o), text: o.required("text", Object::string) }),
            accept_queue: o.object("accept_queue", |o| RawAcceptQueue {
                host: host(o),
                socket: o.required("socket", Object::string),
                length: o.required("length", Object::count),
            }),
            packets: o.object("packets", |o| RawPackets {
                kind: o.string("kind"),
                fate: o.string("fate"),
                from: o.string("from"),
                to: o.string("to"),
                duplicate: o.flag("duplicate"),
                at_least: o.count("at_least").unwrap_or(0),
                at_most: o.count("at_most"),
            }),
        })
    }
}

struct RawHostText {
    host: String,
    text: String,
}

struct RawRaised {
    host: String,
    exception: String,
}

struct RawState {
    host: String,
    state: String,
    count: usize,
}

struct RawAcceptQueue {
    host: String,
    socket: String,
    length: usize,
}

struct RawPackets {
    kind: Option<String>,
    fate: Option<String>,
    from: Option<String>,
    to: Option<String>,
    duplicate: Option<bool>,
    at_least: usize,
    at_most: Option<usize>,
}

// ---- Checking ---------------------------------------------------------------------------

impl Lesson {
    /// Reads and checks a lesson file.
    pub fn parse(text: &str) -> Result<Lesson, LessonError> {
        Lesson::check(text).map_err(|error| *error)
    }

    /// What [`Lesson::parse`] does, with the error boxed as the checks pass it.
    fn check(text: &str) -> Checked<Lesson> {
        if text.len() > limits::FILE_BYTES {
            return Err(LessonError::new_fmt(
                "",
                format_args!(
                    "the file is {} KiB; a lesson may be at most {} KiB",
                    text.len() / 1024,
                    limits::FILE_BYTES / 1024
                ),
            ));
        }
        let value = json::parse(text)
            .map_err(|error| LessonError::new_fmt("", format_args!("this is not valid JSON ({error})")))?;
        let Value::Object(fields) = value else {
            return Err(LessonError::new("", "a lesson file is a JSON object: { \"socksim\": 1, \"title\": … }"));
        };
        let mut file = Object { fields, ..Object::default() };
        // The format version first: it says how to read the rest.
        match file.take("socksim") {
            None => {
                return Err(LessonError::new(
                    "socksim",
                    "missing: a lesson file starts with \"socksim\": 1 (its format version)",
                ))
            }
            Some(Value::Number(version)) if version.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
            Some(Value::Number(version)) => {
                return Err(LessonError::new_fmt(
                    "socksim",
                    format_args!(
                        "format version {} is not supported (this socksim reads version {FORMAT_VERSION})",
                        number_text(&version)
                    ),
                ))
            }
            Some(_) => return Err(LessonError::new("socksim", "the format version is a number: \"socksim\": 1")),
        }
        let raw = RawLesson::read(&mut file);
        file.done()?;
        Checker::default().lesson(&raw)
    }
}

#[derive(Default)]
struct Checker {
    host_names: Vec<String>,
}

// The checks below take the path of the object a value is in and the value's key, and join them
// only to say what is wrong.

/// An `at` field's time, which must fall within the lesson's `duration`.
fn seconds_within(value: f64, duration: f64, path: &str) -> Checked<f64> {
    let at = seconds(value, path, "at")?;
    if at > duration {
        return Err(LessonError::at_fmt(
            path,
            "at",
            format_args!(
                "{} s is after the lesson ends ({} s)",
                crate::decimal::plain(at),
                crate::decimal::plain(duration)
            ),
        ));
    }
    Ok(at)
}

fn seconds(value: f64, path: &str, key: &str) -> Checked<f64> {
    if value.is_finite() && (0.0..=limits::SECONDS).contains(&value) {
        Ok(value)
    } else {
        Err(LessonError::at_fmt(
            path,
            key,
            format_args!(
                "{} is not a time from 0 to {} seconds",
                crate::decimal::plain(value),
                crate::decimal::plain(limits::SECONDS)
            ),
        ))
    }
}

fn text(value: &str, path: &str, key: &str) -> Checked<String> {
    if value.len() > limits::TEXT_BYTES {
        return Err(LessonError::at_fmt(path, key, format_args!("longer than {} KiB", limits::TEXT_BYTES / 1024)));
    }
    Ok(value.into())
}

/// A list of `entries` entries, which may have at most `max`.
fn count(entries: usize, max: usize, path: &str, key: &str) -> Checked<()> {
    if entries > max {
        return Err(LessonError::at_fmt(path, key, format_args!("{entries} entries; at most {max} are allowed")));
    }
    Ok(())
}

/// A host's address as a lesson file (or the page's network editor) may give it: an IPv4
/// address that is not loopback, unspecified, multicast or broadcast.
pub fn host_address(text: &str) -> Result<Ipv4Address, String> {
    let address =
        crate::sim::parse_address(text.trim()).ok_or_else(|| format!("{} is not an IPv4 address", Quoted(text)))?;
    let [first, ..] = address.octets();
    if address.is_unspecified() || first == 127 || address.is_multicast() || address.is_broadcast() {
        return Err(format!("{address} is reserved and cannot be a host's address"));
    }
    Ok(address)
}

/// A host's name as a lesson file (or the page's network editor) may give it.
pub fn host_name(text: &str) -> Result<String, String> {
    name(text, "", "").map_err(|error| error.message)
}

/// A variable or host name: letters, digits and `_`/`-`, starting with a letter — never markup.
fn name(value: &str, path: &str, key: &str) -> Checked<String> {
    // ASCII only, so the bytes are the characters.
    let well_formed = value.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
        && value.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        && value.len() <= limits::NAME_CHARS;
    if !well_formed {
        return Err(LessonError::at_fmt(
            path,
            key,
            format_args!(
                "{} is not a valid name (letters, digits, '_' and '-', starting with a letter, at most {} characters)",
                Quoted(value),
                limits::NAME_CHARS
            ),
        ));
    }
    Ok(value.into())
}

/// Checks a host's program: its file name, its size, its arguments and its typed lines.
#[inline(never)]
fn program(raw: &RawProgram, host: &str, field: &str) -> Checked<ProgramSpec> {
    let file = raw.file.clone().unwrap_or_else(|| format!("{host}.py"));
    // ASCII only, so the bytes are the characters.
    let well_formed = !file.is_empty()
        && file.len() <= limits::FILE_NAME_CHARS
        && file.bytes().all(|c| c.is_ascii_alphanumeric() || b"_-.".contains(&c));
    if !well_formed {
        return Err(LessonError::at_fmt(
            field,
            "file",
            format_args!(
                "{} is not a file name (letters, digits, '_', '-' and '.', at most {} characters)",
                Quoted(&file),
                limits::FILE_NAME_CHARS
            ),
        ));
    }
    count(raw.argv.len(), limits::ARGUMENTS, field, "argv")?;
    count(raw.input.len(), limits::TYPED_LINES, field, "input")?;
    let mut input = Vec::new();
    for (index, line) in raw.input.iter().enumerate() {
        let path = item(&join(field, "input"), index);
        let at = seconds(line.at, &path, "at")?;
        if input.last().is_some_and(|before: &TypedLine| before.at > at) {
            return Err(LessonError::at(&path, "at", "typed lines are listed in time order"));
        }
        if line.text.contains('\n') {
            return Err(LessonError::at(&path, "text", "is one line: give each line its own entry"));
        }
        input.push(TypedLine { at, text: text(&line.text, &path, "text")? });
    }
    let source = text(&raw.source, field, "source")?;
    let mut argv = Vec::new();
    for arg in &raw.argv {
        argv.push(text(arg, field, "argv")?);
    }
    Ok(ProgramSpec { file, source, argv, start: seconds(raw.start.unwrap_or(0.0), field, "start")?, input })
}

#[inline(never)]
fn impairments(raw: RawImpairments, base: Impairments, field: &str) -> Checked<Impairments> {
    let ms = |value: Option<f64>, default: u64, key: &str| -> Checked<u64> {
        match value {
            None => Ok(default),
            Some(ms) if ms.is_finite() && (0.0..=60_000.0).contains(&ms) => Ok((ms * 1000.0).round() as u64),
            Some(ms) => Err(LessonError::at_fmt(
                field,
                key,
                format_args!("{} is not a delay from 0 to 60000 ms", crate::decimal::plain(ms)),
            )),
        }
    };
    let percent = |value: Option<f64>, default: f64, key: &str| -> Checked<f64> {
        match value {
            None => Ok(default),
            Some(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Ok(p),
            Some(p) => Err(LessonError::at_fmt(
                field,
                key,
                format_args!("{} is not a percentage from 0 to 100", crate::decimal::plain(p)),
            )),
        }
    };
    let bandwidth_bps = match raw.bandwidth_kbps {
        None => base.bandwidth_bps,
        Some(kbps) if kbps.is_finite() && (0.0..=10_000_000.0).contains(&kbps) => (kbps * 1000.0).round() as u64,
        Some(kbps) => {
            return Err(LessonError::at_fmt(
                field,
                "bandwidth_kbps",
                format_args!(
                    "{} is not a bandwidth from 0 (unlimited) to 10000000 kbit/s",
                    crate::decimal::plain(kbps)
                ),
            ))
        }
    };
    Ok(Impairments {
        delay_us: ms(raw.delay_ms, base.delay_us, "delay_ms")?,
        jitter_us: ms(raw.jitter_ms, base.jitter_us, "jitter_ms")?,
        loss_percent: percent(raw.loss_percent, base.loss_percent, "loss_percent")?,
        duplicate_percent: percent(raw.duplicate_percent, base.duplicate_percent, "duplicate_percent")?,
        bandwidth_bps,
    })
}

impl Checker {
    #[inline(never)]
    fn lesson(mut self, raw: &RawLesson) -> Checked<Lesson> {
        if raw.title.trim().is_empty() {
            return Err(LessonError::new("title", "a lesson needs a title"));
        }
        // The lesson is filled in as it is checked: one value to drop when a check fails.
        let mut lesson = Lesson { title: text(&raw.title, "", "title")?, ..Lesson::default() };
        lesson.intro = text(&raw.intro, "", "intro")?;
        lesson.seed = raw.seed;
        let duration = seconds(raw.duration, "", "duration")?;
        lesson.duration = duration;
        if duration == 0.0 {
            return Err(LessonError::new("duration", "a lesson must run for some time"));
        }
        count(raw.hosts.len(), limits::HOSTS, "", "hosts")?;
        count(raw.links.len(), limits::LINKS, "", "links")?;
        count(raw.events.len(), limits::EVENTS, "", "events")?;
        count(raw.checkpoints.len(), limits::CHECKPOINTS, "", "checkpoints")?;
        if raw.hosts.is_empty() {
            return Err(LessonError::new("hosts", "a lesson needs at least one host"));
        }
        let total_steps: usize = raw.hosts.iter().map(|host| host.script.len()).sum();
        if total_steps > limits::STEPS {
            return Err(LessonError::new_fmt(
                "hosts",
                format_args!("{total_steps} script steps; at most {} are allowed", limits::STEPS),
            ));
        }

        // Names and addresses first, so scripts and links can refer to any host.
        let mut addresses = Vec::new();
        for (index, host) in raw.hosts.iter().enumerate() {
            let field = &item("hosts", index);
            let host_name = name(&host.name, field, "name")?;
            if self.host_names.contains(&host_name) || host_name == "localhost" {
                return Err(LessonError::at_fmt(field, "name", format_args!("{} names two hosts", Quoted(&host_name))));
            }
            let address = host_address(&host.address).map_err(|message| LessonError::at(field, "address", &message))?;
            if addresses.contains(&address) {
                return Err(LessonError::at_fmt(
                    field,
                    "address",
                    format_args!("{address} is the address of two hosts"),
                ));
            }
            self.host_names.push(host_name);
            addresses.push(address);
        }

        for (index, (host, address)) in raw.hosts.iter().zip(addresses).enumerate() {
            let field = &item("hosts", index);
            count(host.script.len(), limits::STEPS_PER_HOST, field, "script")?;
            let script = ScriptChecker::default().script(&host.script, &join(field, "script"))?;
            let name = self.host_names[index].clone();
            let program = match &host.program {
                Some(_) if !script.is_empty() => {
                    return Err(LessonError::at(field, "program", "a host runs a script or a program, not both"))
                }
                Some(raw) => Some(program(raw, &name, &join(field, "program"))?),
                None => None,
            };
            lesson.hosts.push(HostSpec { name, address, script, program });
        }

        for (index, link) in raw.links.iter().enumerate() {
            let field = &item("links", index);
            let ends = self.pair(&link.between, field, "between")?;
            if lesson.links.iter().any(|other| other.ends == ends || other.ends == [ends[1], ends[0]]) {
                return Err(LessonError::at(field, "between", "these hosts are already linked"));
            }
            let forward = impairments(link.impairments, Impairments::default(), field)?;
            let backward = match link.reverse {
                Some(reverse) => impairments(reverse, forward, &join(field, "reverse"))?,
                None => forward,
            };
            lesson.links.push(LinkSpec { ends, impairments: [forward, backward] });
        }

        for (index, event) in raw.events.iter().enumerate() {
            let event = self.event(event, &lesson.links, &item("events", index))?;
            lesson.events.push(event);
        }
        for (index, checkpoint) in raw.checkpoints.iter().enumerate() {
            let checkpoint = self.checkpoint(checkpoint, &lesson.hosts, duration, &item("checkpoints", index))?;
            lesson.checkpoints.push(checkpoint);
        }

        count(raw.guide.len(), limits::GUIDE_STEPS, "", "guide")?;
        for (index, step) in raw.guide.iter().enumerate() {
            let field = &item("guide", index);
            let at = seconds_within(step.at, duration, field)?;
            if lesson.guide.last().is_some_and(|before| before.at > at) {
                return Err(LessonError::at(field, "at", "the guide's steps are listed in time order"));
            }
            if step.text.trim().is_empty() || step.text.chars().count() > limits::GUIDE_CHARS {
                return Err(LessonError::at_fmt(
                    field,
                    "text",
                    format_args!("a step says something, in at most {} characters", limits::GUIDE_CHARS),
                ));
            }
            lesson.guide.push(GuideStep { at, text: step.text.clone() });
        }

        Ok(lesson)
    }

    fn host(&self, value: &str, path: &str, key: &str) -> Checked<usize> {
        self.host_names
            .iter()
            .position(|host| host == value)
            .ok_or_else(|| LessonError::at_fmt(path, key, format_args!("there is no host named {}", Quoted(value))))
    }

    fn pair(&self, between: &[String; 2], path: &str, key: &str) -> Checked<[usize; 2]> {
        let ends = [self.host(&between[0], path, key)?, self.host(&between[1], path, key)?];
        if ends[0] == ends[1] {
            return Err(LessonError::at(
                path,
                key,
                "a link joins two different hosts (each host has its loopback already)",
            ));
        }
        Ok(ends)
    }

    fn link(&self, between: &[String; 2], links: &[LinkSpec], path: &str, key: &str) -> Checked<usize> {
        let ends = self.pair(between, path, key)?;
        links.iter().position(|link| link.ends == ends || link.ends == [ends[1], ends[0]]).ok_or_else(|| {
            LessonError::at_fmt(path, key, format_args!("{} and {} are not linked", between[0], between[1]))
        })
    }

    fn link_end(&self, from: Option<&str>, link: &LinkSpec, path: &str, key: &str) -> Checked<Option<usize>> {
        let Some(from) = from else { return Ok(None) };
        let host = self.host(from, path, key)?;
        if !link.ends.contains(&host) {
            return Err(LessonError::at_fmt(path, key, format_args!("{} is not an end of this link", Quoted(from))));
        }
        Ok(Some(host))
    }

    #[inline(never)]
    fn event(&self, raw: &RawEvent, links: &[LinkSpec], field: &str) -> Checked<Event> {
        let at = seconds(raw.at, field, "at")?;
        let kind = match (&raw.drop_next, &raw.set_link) {
            (Some(drop), None) => {
                let field = &join(field, "drop_next");
                let link = self.link(&drop.between, links, field, "between")?;
                let from = self.link_end(drop.from.as_deref(), &links[link], field, "from")?;
                let packet = packet_kind(drop.kind.as_deref(), field, "kind")?;
                EventKind::DropNext { link, from, packet }
            }
            (None, Some(set)) => {
                let field = &join(field, "set_link");
                let link = self.link(&set.between, links, field, "between")?;
                let from = self.link_end(set.from.as_deref(), &links[link], field, "from")?;
                let direction = from.map_or(0, |from| usize::from(links[link].ends[0] != from));
                let impairments = impairments(set.impairments, links[link].impairments[direction], field)?;
                EventKind::SetLink { link, from, impairments }
            }
            _ => return Err(LessonError::new(field, "an event is exactly one of \"drop_next\" or \"set_link\"")),
        };
        Ok(Event { at, kind })
    }

    #[inline(never)]
    fn checkpoint(&self, raw: &RawCheckpoint, hosts: &[HostSpec], duration: f64, field: &str) -> Checked<Checkpoint> {
        let at = seconds_within(raw.at, duration, field)?;
        if let Some(answer) = raw.answer {
            if answer >= raw.choices.len() {
                return Err(LessonError::at_fmt(field, "answer", format_args!("choice {answer} does not exist")));
            }
        }
        let expect = self.expectation(&raw.expect, hosts, &join(field, "expect"))?;
        Ok(Checkpoint {
            at,
            question: raw.question.as_deref().map(|q| text(q, field, "question")).transpose()?,
            choices: raw.choices.clone(),
            answer: raw.answer,
            expect,
        })
    }

    #[inline(never)]
    fn expectation(&self, raw: &RawExpectation, hosts: &[HostSpec], field: &str) -> Checked<Expectation> {
        let mut found = Vec::new();
        if let Some(r) = &raw.received {
            let host = self.host(&r.host, field, "received.host")?;
            found.push(Expectation::Received { host, text: text(&r.text, field, "received.text")? });
        }
        if let Some(r) = &raw.raised {
            let host = self.host(&r.host, field, "raised.host")?;
            found.push(Expectation::Raised { host, exception: r.exception.clone() });
        }
        if let Some(host) = &raw.peer_closed {
            found.push(Expectation::PeerClosed { host: self.host(host, field, "peer_closed.host")? });
        }
        if let Some(r) = &raw.state {
            let host = self.host(&r.host, field, "state.host")?;
            let state = r.state.to_ascii_uppercase().replace('_', "-");
            if !SOCKET_STATES.contains(&state.as_str()) {
                return Err(LessonError::at_fmt(
                    field,
                    "state.state",
                    format_args!("{} is not a socket state ({})", Quoted(&r.state), SOCKET_STATES.join(", ")),
                ));
            }
            found.push(Expectation::SocketState { host, state, count: r.count });
        }
        if let Some(host) = &raw.blocked {
            found.push(Expectation::Blocked { host: self.host(host, field, "blocked.host")? });
        }
        if let Some(host) = &raw.finished {
            found.push(Expectation::Finished { host: self.host(host, field, "finished.host")? });
        }
        if let Some(r) = &raw.printed {
            let host = self.host(&r.host, field, "printed.host")?;
            if hosts[host].program.is_none() {
                return Err(LessonError::at_fmt(
                    field,
                    "printed.host",
                    format_args!("{} runs no program", hosts[host].name),
                ));
            }
            found.push(Expectation::Printed { host, text: text(&r.text, field, "printed.text")? });
        }
        if let Some(r) = &raw.accept_queue {
            let host = self.host(&r.host, field, "accept_queue.host")?;
            let bound = hosts[host].script.iter().any(|step| step_binds(step, &r.socket));
            if !bound {
                return Err(LessonError::at_fmt(
                    field,
                    "accept_queue.socket",
                    format_args!("{}'s script has no socket {}", hosts[host].name, Quoted(&r.socket)),
                ));
            }
            found.push(Expectation::AcceptQueue { host, socket: r.socket.clone(), length: r.length });
        }
        if let Some(r) = &raw.packets {
            let field = &join(field, "packets");
            let kind = packet_kind(r.kind.as_deref(), field, "kind")?;
            if let Some(fate) = &r.fate {
                if !Fate::NAMES.contains(&fate.as_str()) {
                    return Err(LessonError::at_fmt(
                        field,
                        "fate",
                        format_args!("{} is not a fate ({})", Quoted(fate), Fate::NAMES.join(", ")),
                    ));
                }
            }
            let filter = PacketFilter {
                kind,
                fate: r.fate.clone(),
                from: r.from.as_deref().map(|h| self.host(h, field, "from")).transpose()?,
                to: r.to.as_deref().map(|h| self.host(h, field, "to")).transpose()?,
                duplicate: r.duplicate,
            };
            if r.at_most.is_some_and(|at_most| at_most < r.at_least) {
                return Err(LessonError::at(field, "at_most", "is less than at_least"));
            }
            found.push(Expectation::Packets { filter, at_least: r.at_least, at_most: r.at_most });
        }
        match found.len() {
            1 => Ok(found.pop().expect("one")),
            0 => Err(LessonError::new(field, "expects nothing: name one of received, raised, peer_closed, state, blocked, finished, printed, accept_queue, packets")),
            _ => Err(LessonError::new(field, "expects more than one thing: use one checkpoint for each")),
        }
    }
}

/// A packet kind as lesson files write it (`syn-ack`), if the field is there.
fn packet_kind(label: Option<&str>, path: &str, key: &str) -> Checked<Option<PacketKind>> {
    let Some(label) = label else { return Ok(None) };
    PacketKind::from_label(label).map(Some).ok_or_else(|| {
        let mut kinds = String::new();
        for kind in PacketKind::ALL {
            if !kinds.is_empty() {
                kinds.push_str(", ");
            }
            kinds.push_str(&kind.label().to_ascii_lowercase());
        }
        LessonError::at_fmt(path, key, format_args!("{} is not a packet kind ({kinds})", Quoted(label)))
    })
}

fn step_binds(step: &Step, variable: &str) -> bool {
    match &step.action {
        Action::Socket { binds, .. } => binds == variable,
        Action::Accept { binds, .. } => binds == variable,
        _ => false,
    }
}

/// Names a script has bound (a host's scripts are short: a list is all it takes).
#[derive(Default)]
struct Variables(Vec<String>);

impl Variables {
    #[inline(never)]
    fn add(&mut self, name: &str) {
        if !self.contains(name) {
            self.0.push(name.into());
        }
    }

    /// Adds the name a call may bind.
    fn maybe(&mut self, name: &Option<String>) {
        if let Some(name) = name {
            self.add(name);
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|bound| bound == name)
    }
}

/// The socket calls a script's step may make.
#[derive(Clone, Copy, PartialEq)]
enum Call {
    Socket,
    Bind,
    Listen,
    Accept,
    Connect,
    Send,
    Sendall,
    Recv,
    Sendto,
    Recvfrom,
    Shutdown,
    Close,
    Setsockopt,
    Settimeout,
}

/// Each call's name in a lesson file.
const CALLS: [(&str, Call); 14] = [
    ("socket", Call::Socket),
    ("bind", Call::Bind),
    ("listen", Call::Listen),
    ("accept", Call::Accept),
    ("connect", Call::Connect),
    ("send", Call::Send),
    ("sendall", Call::Sendall),
    ("recv", Call::Recv),
    ("sendto", Call::Sendto),
    ("recvfrom", Call::Recvfrom),
    ("shutdown", Call::Shutdown),
    ("close", Call::Close),
    ("setsockopt", Call::Setsockopt),
    ("settimeout", Call::Settimeout),
];

/// Checks one host's script, tracking which variables hold sockets, data and addresses.
#[derive(Default)]
struct ScriptChecker {
    sockets: Variables,
    data: Variables,
    addresses: Variables,
}

impl ScriptChecker {
    /// A checker that knows the variables a host's (checked) script binds, for calls made after it.
    fn knowing(script: &[Step]) -> ScriptChecker {
        let mut known = ScriptChecker::default();
        for step in script {
            match &step.action {
                Action::Socket { binds, .. } => known.sockets.add(binds),
                Action::Accept { binds, binds_address, .. } => {
                    known.sockets.add(binds);
                    known.addresses.maybe(binds_address);
                }
                Action::Recv { binds, .. } => known.data.maybe(binds),
                Action::Recvfrom { binds, binds_address, .. } => {
                    known.data.maybe(binds);
                    known.addresses.maybe(binds_address);
                }
                _ => {}
            }
        }
        known
    }

    fn script(mut self, raw: &[RawStep], field: &str) -> Checked<Vec<Step>> {
        let mut steps = Vec::new();
        for (index, step) in raw.iter().enumerate() {
            steps.push(self.step(step, &item(field, index))?);
        }
        Ok(steps)
    }

    fn socket(&self, raw: &RawStep, field: &str) -> Checked<String> {
        let socket = raw.socket.clone().ok_or_else(|| {
            LessonError::at_fmt(field, "socket", format_args!("missing: which socket does {} use?", raw.call))
        })?;
        if !self.sockets.contains(&socket) {
            return Err(LessonError::at_fmt(
                field,
                "socket",
                format_args!("{} is not a socket made by an earlier step of this host", Quoted(&socket)),
            ));
        }
        Ok(socket)
    }

    /// The error of a step whose call needs field `key`, which it lacks.
    fn missing(field: &str, key: &str, call: &str) -> Box<LessonError> {
        LessonError::at_fmt(field, key, format_args!("missing: {call} needs \"{key}\""))
    }

    fn port(raw: &RawStep, field: &str) -> Checked<i64> {
        let port = raw.port.ok_or_else(|| Self::missing(field, "port", &raw.call))?;
        if !(0..=65535).contains(&port) {
            return Err(LessonError::at_fmt(field, "port", format_args!("{port} is not a port (0–65535)")));
        }
        Ok(port)
    }

    fn address(raw: &RawStep, field: &str) -> Checked<String> {
        let address = raw.address.clone().ok_or_else(|| Self::missing(field, "address", &raw.call))?;
        if address.len() > 253 {
            return Err(LessonError::at(field, "address", "too long for an address"));
        }
        Ok(address)
    }

    fn one_binding(&self, raw: &RawStep, field: &str) -> Checked<Option<String>> {
        match &raw.binds {
            None => Ok(None),
            Some(RawBinding::One(variable)) => Ok(Some(name(variable, field, "as")?)),
            Some(RawBinding::Pair(..)) => {
                Err(LessonError::at_fmt(field, "as", format_args!("{} returns one value, not a pair", raw.call)))
            }
        }
    }

    fn two_bindings(&self, raw: &RawStep, field: &str) -> Checked<(Option<String>, Option<String>)> {
        match &raw.binds {
            None => Ok((None, None)),
            Some(RawBinding::One(variable)) => Ok((Some(name(variable, field, "as")?), None)),
            Some(RawBinding::Pair(first, second)) => {
                Ok((Some(name(first, field, "as[0]")?), Some(name(second, field, "as[1]")?)))
            }
        }
    }

    fn payload(&self, raw: &RawStep, field: &str) -> Checked<Payload> {
        match (&raw.text, &raw.echo) {
            (Some(value), None) => {
                if raw.transform.is_some() {
                    return Err(LessonError::at(field, "transform", "transform goes with \"echo\", not \"text\""));
                }
                Ok(Payload::Text(text(value, field, "text")?))
            }
            (None, Some(variable)) => {
                if !self.data.contains(variable) {
                    return Err(LessonError::at_fmt(
                        field,
                        "echo",
                        format_args!("{} is not data received by an earlier step of this host", Quoted(variable)),
                    ));
                }
                Ok(Payload::Echo { variable: variable.clone(), transform: raw.transform.unwrap_or(Transform::None) })
            }
            _ => {
                Err(LessonError::new_fmt(field, format_args!("{} needs exactly one of \"text\" or \"echo\"", raw.call)))
            }
        }
    }

    fn step(&mut self, raw: &RawStep, field: &str) -> Checked<Step> {
        let at = raw.at.map(|at| seconds(at, field, "at")).transpose()?;
        let Some(&(_, call)) = CALLS.iter().find(|(name, _)| *name == raw.call) else {
            return Err(LessonError::at_fmt(
                field,
                "call",
                format_args!("{} is not a socket call ({})", Quoted(&raw.call), CALLS.map(|(name, _)| name).join(", ")),
            ));
        };
        // Every call but `socket` works on a socket made before: checked first, once for all.
        let socket = if call == Call::Socket { String::new() } else { self.socket(raw, field)? };
        let action = match call {
            Call::Socket => {
                let kind = match raw.kind.as_deref() {
                    Some("tcp") | Some("SOCK_STREAM") | None => SocketKind::Tcp,
                    Some("udp") | Some("SOCK_DGRAM") => SocketKind::Udp,
                    Some(other) => {
                        return Err(LessonError::at_fmt(
                            field,
                            "type",
                            format_args!("{} is not a socket type (tcp or udp)", Quoted(other)),
                        ))
                    }
                };
                let binds = self
                    .one_binding(raw, field)?
                    .ok_or_else(|| LessonError::at(field, "as", "missing: name the new socket, e.g. \"as\": \"s\""))?;
                self.sockets.add(&binds);
                Action::Socket { kind, binds }
            }
            Call::Bind => Action::Bind { socket, address: Self::address(raw, field)?, port: Self::port(raw, field)? },
            Call::Listen => Action::Listen { socket, backlog: raw.backlog.unwrap_or(5) },
            Call::Accept => {
                let (binds, binds_address) = self.two_bindings(raw, field)?;
                let binds = binds.ok_or_else(|| {
                    LessonError::at(field, "as", "missing: name the connection, e.g. \"as\": [\"conn\", \"addr\"]")
                })?;
                self.sockets.add(&binds);
                if let Some(address) = &binds_address {
                    self.addresses.add(address);
                }
                Action::Accept { socket, binds, binds_address }
            }
            Call::Connect => {
                Action::Connect { socket, address: Self::address(raw, field)?, port: Self::port(raw, field)? }
            }
            Call::Send | Call::Sendall => {
                Action::Send { socket, payload: self.payload(raw, field)?, all: call == Call::Sendall }
            }
            Call::Recv => {
                let binds = self.one_binding(raw, field)?;
                if let Some(variable) = &binds {
                    self.data.add(variable);
                }
                Action::Recv { socket, bufsize: raw.bufsize.unwrap_or(1024), binds }
            }
            Call::Sendto => {
                let payload = self.payload(raw, field)?;
                let to = match (&raw.to, &raw.address) {
                    (Some(variable), None) => {
                        if !self.addresses.contains(variable) {
                            return Err(LessonError::at_fmt(
                                field,
                                "to",
                                format_args!(
                                    "{} is not an address received by an earlier step of this host",
                                    Quoted(variable)
                                ),
                            ));
                        }
                        Destination::Variable(variable.clone())
                    }
                    (None, Some(_)) => {
                        Destination::Address { address: Self::address(raw, field)?, port: Self::port(raw, field)? }
                    }
                    _ => {
                        return Err(LessonError::new(
                            field,
                            "sendto needs exactly one of \"to\" or \"address\" and \"port\"",
                        ))
                    }
                };
                Action::Sendto { socket, payload, to }
            }
            Call::Recvfrom => {
                let (binds, binds_address) = self.two_bindings(raw, field)?;
                if let Some(variable) = &binds {
                    self.data.add(variable);
                }
                if let Some(address) = &binds_address {
                    self.addresses.add(address);
                }
                Action::Recvfrom { socket, bufsize: raw.bufsize.unwrap_or(1024), binds, binds_address }
            }
            Call::Shutdown => Action::Shutdown {
                socket,
                how: match raw.how.as_deref() {
                    Some("SHUT_RD") => ShutdownHow::ShutRd,
                    Some("SHUT_WR") | None => ShutdownHow::ShutWr,
                    Some("SHUT_RDWR") => ShutdownHow::ShutRdwr,
                    Some(other) => {
                        return Err(LessonError::at_fmt(
                            field,
                            "how",
                            format_args!("{} is not SHUT_RD, SHUT_WR or SHUT_RDWR", Quoted(other)),
                        ))
                    }
                },
            },
            Call::Close => Action::Close { socket },
            Call::Setsockopt => Action::Setsockopt {
                socket,
                option: match raw.option.as_deref() {
                    Some("SO_REUSEADDR") => SocketOption::SoReuseaddr,
                    Some("TCP_NODELAY") => SocketOption::TcpNodelay,
                    other => {
                        return Err(LessonError::at_fmt(
                            field,
                            "option",
                            format_args!(
                                "{} is not an option socksim knows (SO_REUSEADDR, TCP_NODELAY)",
                                Quoted(other.unwrap_or(""))
                            ),
                        ))
                    }
                },
                value: raw.value.unwrap_or(1),
            },
            Call::Settimeout => Action::Settimeout {
                socket,
                seconds: match raw.seconds {
                    Some(value) => Some(seconds(value, field, "seconds")?),
                    None => None,
                },
            },
        };
        Ok(Step { at, action, continue_on_error: raw.continue_on_error })
    }
}
