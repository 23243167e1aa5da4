//! Python's spelling of socket calls and their results.
//!
//! Every call a script or a person makes is shown as the Python line it stands for
//! (`conn, addr = s.accept()`), and every result as Python's `repr` would print it
//! (`b'Hello\r\n'`, `(<socket fd=4>, ('10.0.0.1', 49152))`).

use std::net::SocketAddrV4;

use super::lesson::{Action, Destination, Payload, Transform};
use crate::sim::{ShutdownHow, SocketKind, SocketOption, Value};

/// `bytes.__repr__`: single quotes unless the bytes hold a `'` and no `"`.
pub fn bytes_literal(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') { '"' } else { '\'' };
    let mut out = String::with_capacity(data.len() + 3);
    out.push('b');
    out.push(quote);
    for &byte in data {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ if byte as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            b' '..=b'~' => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push(quote);
    out
}

/// `str.__repr__` for the plain strings lessons use (addresses, names).
pub fn str_literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// An address tuple: `('10.0.0.1', 49152)`.
pub fn address_tuple(address: SocketAddrV4) -> String {
    format!("('{}', {})", address.ip(), address.port())
}

fn payload(payload: &Payload) -> String {
    match payload {
        Payload::Text(text) => bytes_literal(text.as_bytes()),
        Payload::Echo { variable, transform } => match transform {
            Transform::None => variable.clone(),
            Transform::Upper => format!("{variable}.upper()"),
            Transform::Lower => format!("{variable}.lower()"),
        },
    }
}

/// An address and port as a call's argument: `('10.0.0.2', 80)`.
fn address_argument(address: &str, port: i64) -> String {
    format!("({}, {port})", str_literal(address))
}

/// The Python line a script step stands for.
pub fn call_line(action: &Action) -> String {
    // What the call binds (`conn, addr = `), then the method's name and arguments, put together
    // once at the end.
    let mut binds = String::new();
    let (method, arguments) = match action {
        Action::Socket { kind, binds } => {
            let kind = match kind {
                SocketKind::Tcp => "SOCK_STREAM",
                SocketKind::Udp => "SOCK_DGRAM",
            };
            return format!("{binds} = socket(AF_INET, {kind})");
        }
        Action::Bind { address, port, .. } => ("bind", address_argument(address, *port)),
        Action::Listen { backlog, .. } => ("listen", backlog.to_string()),
        Action::Accept { binds: socket, binds_address, .. } => {
            binds = format!("{socket}, {} = ", binds_address.as_deref().unwrap_or("_"));
            ("accept", String::new())
        }
        Action::Connect { address, port, .. } => ("connect", address_argument(address, *port)),
        Action::Send { payload: data, all, .. } => (if *all { "sendall" } else { "send" }, payload(data)),
        Action::Recv { bufsize, binds: data, .. } => {
            if let Some(data) = data {
                binds = format!("{data} = ");
            }
            ("recv", bufsize.to_string())
        }
        Action::Sendto { payload: data, to, .. } => {
            let to = match to {
                Destination::Address { address, port } => address_argument(address, *port),
                Destination::Variable(variable) => variable.clone(),
            };
            ("sendto", format!("{}, {to}", payload(data)))
        }
        Action::Recvfrom { bufsize, binds: data, binds_address, .. } => {
            if data.is_some() || binds_address.is_some() {
                binds = format!("{}, {} = ", data.as_deref().unwrap_or("_"), binds_address.as_deref().unwrap_or("_"));
            }
            ("recvfrom", bufsize.to_string())
        }
        Action::Shutdown { how, .. } => {
            let how = match how {
                ShutdownHow::ShutRd => "SHUT_RD",
                ShutdownHow::ShutWr => "SHUT_WR",
                ShutdownHow::ShutRdwr => "SHUT_RDWR",
            };
            ("shutdown", how.into())
        }
        Action::Close { .. } => ("close", String::new()),
        Action::Setsockopt { option, value, .. } => {
            let option = match option {
                SocketOption::SoReuseaddr => "SOL_SOCKET, SO_REUSEADDR",
                SocketOption::TcpNodelay => "IPPROTO_TCP, TCP_NODELAY",
            };
            ("setsockopt", format!("{option}, {value}"))
        }
        Action::Settimeout { seconds, .. } => {
            ("settimeout", seconds.map_or_else(|| "None".into(), crate::python::format::float_repr))
        }
    };
    let socket = action.socket().unwrap_or_default();
    format!("{binds}{socket}.{method}({arguments})")
}

/// A call's return value, as Python's `repr` prints it.
pub fn value_repr(value: &Value) -> String {
    match value {
        Value::None => "None".into(),
        Value::Fd { fd } => format!("<socket fd={fd}>"),
        Value::Int { value } => value.to_string(),
        Value::Bytes { data } => bytes_literal(data),
        Value::Accepted { fd, peer } => format!("(<socket fd={fd}>, {})", address_tuple(*peer)),
        Value::Datagram { data, peer } => {
            let peer = peer.map_or_else(|| "None".to_string(), address_tuple);
            format!("({}, {peer})", bytes_literal(data))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_python_prints_them() {
        assert_eq!(bytes_literal(b"Hello from server\r\n"), r"b'Hello from server\r\n'");
        assert_eq!(bytes_literal(b"it's"), r#"b"it's""#);
        assert_eq!(bytes_literal(b"'\""), r#"b'\'"'"#);
        assert_eq!(bytes_literal(&[0, 255]), r"b'\x00\xff'");
        assert_eq!(bytes_literal(b""), "b''");
    }
}
