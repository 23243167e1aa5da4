//! Socket objects: Python's `socket.socket` over the engine's calls.
//!
//! This module owns the translation both ways: a method call (`s.recv(1024)`) becomes a
//! [`Call`] on the host, a blocking one suspends the thread until the engine completes it, and
//! what comes back (`Value::Accepted`, a [`SocketError`]) becomes Python values and exceptions:
//! `(conn, ('10.0.0.1', 49152))`, `ConnectionRefusedError: [Errno 111] Connection refused`. A
//! socket freed without `close()` is closed by the program at its next step, as CPython's
//! reference counting does.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::super::builtins::int_arg;
use super::super::machine::{Runtime, Vm};
use super::super::process::Wait;
use super::super::value::*;
use crate::sim::{Call, CallResult, CallStatus, Fd, ShutdownHow, SocketError, SocketKind, SocketOption};

pub const AF_INET: i64 = 2;
pub const SOCK_STREAM: i64 = 1;
pub const SOCK_DGRAM: i64 = 2;

/// A program's socket: its descriptor on the host (-1 once closed).
pub struct Socket {
    pub fd: Cell<Fd>,
    pub kind: SocketKind,
    timeout: Cell<Option<f64>>,
    /// Where a socket freed while open leaves its descriptor for the program to close.
    dropped: Rc<RefCell<Vec<Fd>>>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        if self.fd.get() >= 0 {
            self.dropped.borrow_mut().push(self.fd.get());
        }
    }
}

impl Socket {
    pub fn repr(&self) -> String {
        let kind = match self.kind {
            SocketKind::Tcp => SOCK_STREAM,
            SocketKind::Udp => SOCK_DGRAM,
        };
        format!("<socket.socket fd={}, family={AF_INET}, type={kind}, proto=0>", self.fd.get())
    }
}

/// A socket object for descriptor `fd`, which the program now holds.
fn wrap(rt: &mut Runtime, fd: Fd, kind: SocketKind) -> Value {
    rt.open.push(fd);
    Value::Socket(Rc::new(Socket { fd: Cell::new(fd), kind, timeout: Cell::new(None), dropped: rt.dropped.clone() }))
}

/// `socket(family=AF_INET, type=SOCK_STREAM, proto=0)`.
pub fn new(vm: &mut Vm, args: &[Value]) -> Res<Value> {
    let family = args.first().map_or(Ok(AF_INET), |v| int_arg(v, "socket()"))?;
    let kind = args.get(1).map_or(Ok(SOCK_STREAM), |v| int_arg(v, "socket()"))?;
    if family != AF_INET {
        return Err(raise(Kind::NotImplementedError, "socksim simulates IPv4 sockets (AF_INET) only"));
    }
    let kind = match kind & 0xf {
        SOCK_STREAM => SocketKind::Tcp,
        SOCK_DGRAM => SocketKind::Udp,
        _ => return Err(raise(Kind::NotImplementedError, "socksim simulates SOCK_STREAM and SOCK_DGRAM only")),
    };
    match vm.net.call(Call::Socket { kind }) {
        CallStatus::Done(Ok(crate::sim::Value::Fd { fd })) => Ok(wrap(vm.rt, fd, kind)),
        CallStatus::Done(Err(error)) => Err(exception(error)),
        _ => Err(raise(Kind::OSError, "socket() failed")),
    }
}

/// The Python exception for a socket error.
pub fn exception(error: SocketError) -> Exc {
    let kind = Kind::named(error.exception).unwrap_or(Kind::OSError);
    match error.errno {
        Some(errno) => Box::new(Thrown::Os(kind, errno, error.message)),
        None => raise(kind, error.message),
    }
}

/// What a finished call returns to the program.
pub fn result(rt: &mut Runtime, result: CallResult) -> Res<Value> {
    use crate::sim::Value as Sim;
    let address = |peer: std::net::SocketAddrV4| {
        Value::tuple(vec![Value::str(&peer.ip().to_string()), Value::Int(peer.port().into())])
    };
    Ok(match result.map_err(exception)? {
        Sim::None => Value::None,
        Sim::Int { value } => Value::Int(value),
        Sim::Fd { fd } => wrap(rt, fd, SocketKind::Tcp),
        Sim::Bytes { data } => data_value(rt, data),
        Sim::Accepted { fd, peer } => Value::tuple(vec![wrap(rt, fd, SocketKind::Tcp), address(peer)]),
        Sim::Datagram { data, peer } => Value::tuple(vec![data_value(rt, data), peer.map_or(Value::None, address)]),
    })
}

/// Received bytes: `bytes`, or `str` in a Python 2 program (one character per byte).
fn data_value(rt: &Runtime, data: Vec<u8>) -> Value {
    if rt.python2 {
        return Value::str(&data.iter().map(|&b| b as char).collect::<String>());
    }
    Value::Bytes(data.into())
}

/// Bytes to send: `bytes`, or `str` in a Python 2 program.
fn data_arg(vm: &Vm, value: &Value) -> Res<Vec<u8>> {
    match value {
        Value::Bytes(data) => Ok(data.to_vec()),
        Value::Str(text) if vm.rt.python2 => Ok(if text.chars().all(|c| (c as u32) < 256) {
            text.chars().map(|c| c as u32 as u8).collect()
        } else {
            text.as_bytes().to_vec()
        }),
        other => Err(type_error(format!("a bytes-like object is required, not '{}'", other.type_name()))),
    }
}

/// An `(host, port)` address.
fn address_arg(value: &Value, call: &str) -> Res<(String, i64)> {
    let Value::Tuple(items) = value else {
        return Err(type_error(format!("{call}(): AF_INET address must be tuple, not {}", value.type_name())));
    };
    let [host, port] = &items.0[..] else {
        return Err(type_error("AF_INET address must be a pair (host, port)"));
    };
    let host = match host {
        Value::Str(host) => host.to_string(),
        Value::Bytes(host) => lossy(host),
        other => return Err(type_error(format!("str, bytes or bytearray expected, not {}", other.type_name()))),
    };
    let port = port
        .as_int()
        .ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", port.type_name())))?;
    Ok((host, port))
}

/// Makes a call; a blocking one suspends the thread (`errno` turns a failure into its number,
/// for `connect_ex`).
fn make(vm: &mut Vm, call: Call, errno: bool) -> Res<Value> {
    match vm.net.call(call) {
        CallStatus::Done(Err(error)) if errno => Ok(Value::Int(error.errno.unwrap_or(0).into())),
        CallStatus::Done(Ok(_)) if errno => Ok(Value::Int(0)),
        CallStatus::Done(done) => result(vm.rt, done),
        CallStatus::Blocked(id) => Err(waiting(Wait::Call(id, errno))),
    }
}

/// Attributes of a socket: its methods, `family`, `type`.
pub fn attribute(socket: &Socket, value: &Value, name: &str) -> Res<Option<Value>> {
    const METHODS: &[&str] = &[
        "bind",
        "listen",
        "accept",
        "connect",
        "connect_ex",
        "send",
        "sendall",
        "recv",
        "sendto",
        "recvfrom",
        "close",
        "shutdown",
        "setsockopt",
        "settimeout",
        "gettimeout",
        "setblocking",
        "fileno",
        "getsockname",
        "getpeername",
        "__enter__",
        "__exit__",
    ];
    Ok(match name {
        "family" => Some(Value::Int(AF_INET)),
        "type" => Some(Value::Int(if socket.kind == SocketKind::Tcp { SOCK_STREAM } else { SOCK_DGRAM })),
        "proto" => Some(Value::Int(0)),
        _ if METHODS.contains(&name) => Some(Value::NativeMethod(Rc::new((value.clone(), name.into())))),
        _ => None,
    })
}

pub fn call(
    vm: &mut Vm,
    socket: &Rc<Socket>,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(Rc<str>, Value)>,
) -> Res<Value> {
    let fd = socket.fd.get();
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::None);
    let int = |i: usize, what: &str| int_arg(&arg(i), what);
    let needs = |n: usize| -> Res<()> {
        if args.len() < n {
            return Err(type_error(format!(
                "{name}() takes at least {n} argument{} (0 given)",
                if n == 1 { "" } else { "s" }
            )));
        }
        Ok(())
    };
    super::super::builtins::no_keywords(name, &kwargs)?;
    match name {
        "bind" | "connect" | "connect_ex" => {
            needs(1)?;
            let (address, port) = address_arg(&arg(0), if name == "bind" { "bind" } else { "connect" })?;
            if name == "bind" {
                return make(vm, Call::Bind { fd, address, port }, false);
            }
            make(vm, Call::Connect { fd, address, port }, name == "connect_ex")
        }
        "listen" => {
            let backlog = if args.is_empty() { 128 } else { int(0, "listen()")? };
            make(vm, Call::Listen { fd, backlog }, false)
        }
        "accept" => make(vm, Call::Accept { fd }, false),
        "send" | "sendall" => {
            needs(1)?;
            let data = data_arg(vm, &arg(0))?;
            vm.burn(data.len());
            make(vm, if name == "send" { Call::Send { fd, data } } else { Call::Sendall { fd, data } }, false)
        }
        "recv" | "recvfrom" => {
            needs(1)?;
            let bufsize = int(0, name)?;
            make(vm, if name == "recv" { Call::Recv { fd, bufsize } } else { Call::Recvfrom { fd, bufsize } }, false)
        }
        "sendto" => {
            needs(2)?;
            let data = data_arg(vm, &arg(0))?;
            let (address, port) = address_arg(&arg(args.len() - 1), "sendto")?;
            make(vm, Call::Sendto { fd, data, address, port }, false)
        }
        "close" => {
            if fd < 0 {
                return Ok(Value::None);
            }
            socket.fd.set(-1);
            vm.rt.open.retain(|&open| open != fd);
            make(vm, Call::Close { fd }, false)
        }
        "__exit__" => {
            if fd >= 0 {
                socket.fd.set(-1);
                vm.rt.open.retain(|&open| open != fd);
                make(vm, Call::Close { fd }, false)?;
            }
            Ok(Value::None)
        }
        "__enter__" => Ok(Value::Socket(socket.clone())),
        "shutdown" => {
            needs(1)?;
            let how = match int(0, "shutdown()")? {
                0 => ShutdownHow::ShutRd,
                1 => ShutdownHow::ShutWr,
                2 => ShutdownHow::ShutRdwr,
                _ => return Err(exception(SocketError::invalid_argument())),
            };
            make(vm, Call::Shutdown { fd, how }, false)
        }
        "setsockopt" => {
            needs(3)?;
            let option = match (int(0, "setsockopt()")?, int(1, "setsockopt()")?) {
                (1, 2) => SocketOption::SoReuseaddr,
                (6, 1) => SocketOption::TcpNodelay,
                _ => {
                    return Err(raise(
                        Kind::NotImplementedError,
                        "socksim simulates the options SO_REUSEADDR and TCP_NODELAY only",
                    ))
                }
            };
            let value = match arg(2) {
                Value::Bool(b) => i64::from(b),
                other => int_arg(&other, "setsockopt()")?,
            };
            make(vm, Call::Setsockopt { fd, option, value }, false)
        }
        "settimeout" | "setblocking" => {
            needs(1)?;
            let seconds = match (name, arg(0)) {
                ("setblocking", flag) => (!flag.truthy()).then_some(0.0),
                (_, Value::None) => None,
                (_, value) => {
                    Some(value.as_float().ok_or_else(|| type_error("Timeout value must be int, float or None"))?)
                }
            };
            if seconds.is_some_and(|s| s < 0.0) {
                return Err(value_error("Timeout value out of range"));
            }
            socket.timeout.set(seconds);
            make(vm, Call::Settimeout { fd, seconds }, false)
        }
        "gettimeout" => Ok(socket.timeout.get().map_or(Value::None, Value::Float)),
        "fileno" => Ok(Value::Int(fd.into())),
        "getsockname" | "getpeername" => {
            let view = vm.net.socket_view(fd).ok_or_else(|| exception(SocketError::bad_file_descriptor()))?;
            let endpoint = if name == "getsockname" {
                view.local.or(Some(std::net::SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 0)))
            } else {
                view.remote
            };
            let endpoint = endpoint.ok_or_else(|| exception(SocketError::not_connected()))?;
            Ok(Value::tuple(vec![Value::str(&endpoint.ip().to_string()), Value::Int(endpoint.port().into())]))
        }
        _ => Err(raise(Kind::AttributeError, format!("'socket' object has no attribute '{name}'"))),
    }
}
