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

/// The Python line a script step stands for.
pub fn call_line(action: &Action) -> String {
    match action {
        Action::Socket { kind, binds } => {
            let kind = match kind {
                SocketKind::Tcp => "SOCK_STREAM",
                SocketKind::Udp => "SOCK_DGRAM",
            };
            format!("{binds} = socket(AF_INET, {kind})")
        }
        Action::Bind { socket, address, port } => format!("{socket}.bind(({}, {port}))", str_literal(address)),
        Action::Listen { socket, backlog } => format!("{socket}.listen({backlog})"),
        Action::Accept { socket, binds, binds_address } => {
            format!("{binds}, {} = {socket}.accept()", binds_address.as_deref().unwrap_or("_"))
        }
        Action::Connect { socket, address, port } => format!("{socket}.connect(({}, {port}))", str_literal(address)),
        Action::Send { socket, payload: data, all } => {
            format!("{socket}.{}({})", if *all { "sendall" } else { "send" }, payload(data))
        }
        Action::Recv { socket, bufsize, binds } => match binds {
            Some(binds) => format!("{binds} = {socket}.recv({bufsize})"),
            None => format!("{socket}.recv({bufsize})"),
        },
        Action::Sendto { socket, payload: data, to } => {
            let to = match to {
                Destination::Address { address, port } => format!("({}, {port})", str_literal(address)),
                Destination::Variable(variable) => variable.clone(),
            };
            format!("{socket}.sendto({}, {to})", payload(data))
        }
        Action::Recvfrom { socket, bufsize, binds, binds_address } => match (binds, binds_address) {
            (None, None) => format!("{socket}.recvfrom({bufsize})"),
            (data, address) => format!(
                "{}, {} = {socket}.recvfrom({bufsize})",
                data.as_deref().unwrap_or("_"),
                address.as_deref().unwrap_or("_")
            ),
        },
        Action::Shutdown { socket, how } => {
            let how = match how {
                ShutdownHow::ShutRd => "SHUT_RD",
                ShutdownHow::ShutWr => "SHUT_WR",
                ShutdownHow::ShutRdwr => "SHUT_RDWR",
            };
            format!("{socket}.shutdown({how})")
        }
        Action::Close { socket } => format!("{socket}.close()"),
        Action::Setsockopt { socket, option, value } => {
            let option = match option {
                SocketOption::SoReuseaddr => "SOL_SOCKET, SO_REUSEADDR",
                SocketOption::TcpNodelay => "IPPROTO_TCP, TCP_NODELAY",
            };
            format!("{socket}.setsockopt({option}, {value})")
        }
        Action::Settimeout { socket, seconds } => {
            let seconds = seconds.map_or_else(|| "None".into(), crate::python::format::float_repr);
            format!("{socket}.settimeout({seconds})")
        }
    }
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
