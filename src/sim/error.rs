//! Socket errors as Python raises them.
//!
//! Every failing socket call answers with a [`SocketError`]: the Python exception class, the Linux
//! errno when there is one, and the message, so that `to_string()` reads exactly like the last line of
//! a Python traceback (`ConnectionRefusedError: [Errno 111] Connection refused`).

use core::fmt;

use serde::Serialize;

/// A Python exception raised by a socket call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketError {
    /// The exception class, e.g. `ConnectionRefusedError`.
    pub exception: &'static str,
    /// The Linux errno, when the exception carries one.
    pub errno: Option<i32>,
    /// The message after the errno.
    pub message: String,
}

impl SocketError {
    fn os(exception: &'static str, errno: i32, message: &str) -> Self {
        SocketError { exception, errno: Some(errno), message: message.into() }
    }

    fn plain(exception: &'static str, message: impl Into<String>) -> Self {
        SocketError { exception, errno: None, message: message.into() }
    }

    pub fn bad_file_descriptor() -> Self {
        Self::os("OSError", 9, "Bad file descriptor")
    }
    pub fn would_block() -> Self {
        Self::os("BlockingIOError", 11, "Resource temporarily unavailable")
    }
    pub fn invalid_argument() -> Self {
        Self::os("OSError", 22, "Invalid argument")
    }
    pub fn broken_pipe() -> Self {
        Self::os("BrokenPipeError", 32, "Broken pipe")
    }
    pub fn destination_required() -> Self {
        Self::os("OSError", 89, "Destination address required")
    }
    pub fn message_too_long() -> Self {
        Self::os("OSError", 90, "Message too long")
    }
    pub fn protocol_not_available() -> Self {
        Self::os("OSError", 92, "Protocol not available")
    }
    pub fn operation_not_supported() -> Self {
        Self::os("OSError", 95, "Operation not supported")
    }
    pub fn address_in_use() -> Self {
        Self::os("OSError", 98, "Address already in use")
    }
    pub fn cannot_assign_address() -> Self {
        Self::os("OSError", 99, "Cannot assign requested address")
    }
    pub fn already_in_progress() -> Self {
        Self::os("BlockingIOError", 114, "Operation already in progress")
    }
    pub fn connection_reset() -> Self {
        Self::os("ConnectionResetError", 104, "Connection reset by peer")
    }
    pub fn already_connected() -> Self {
        Self::os("OSError", 106, "Transport endpoint is already connected")
    }
    pub fn not_connected() -> Self {
        Self::os("OSError", 107, "Transport endpoint is not connected")
    }
    pub fn connection_timed_out() -> Self {
        Self::os("TimeoutError", 110, "Connection timed out")
    }
    pub fn connection_refused() -> Self {
        Self::os("ConnectionRefusedError", 111, "Connection refused")
    }
    pub fn no_route_to_host() -> Self {
        Self::os("OSError", 113, "No route to host")
    }
    pub fn operation_in_progress() -> Self {
        Self::os("BlockingIOError", 115, "Operation now in progress")
    }
    /// A blocking call that ran past the socket's `settimeout`.
    pub fn timed_out() -> Self {
        Self::plain("TimeoutError", "timed out")
    }
    /// A name that is neither an IPv4 address nor a host of the network.
    pub fn unknown_name() -> Self {
        SocketError { exception: "socket.gaierror", errno: Some(-2), message: "Name or service not known".into() }
    }
    /// A port outside 0–65535, as `bind`, `connect` and `sendto` report it.
    pub fn port_out_of_range(call: &str) -> Self {
        Self::plain("OverflowError", format!("{call}(): port must be 0-65535."))
    }
    pub fn value_error(message: impl Into<String>) -> Self {
        Self::plain("ValueError", message)
    }
}

impl fmt::Display for SocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errno {
            Some(errno) => write!(f, "{}: [Errno {}] {}", self.exception, errno, self.message),
            None => write!(f, "{}: {}", self.exception, self.message),
        }
    }
}

impl std::error::Error for SocketError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_python_traceback() {
        assert_eq!(
            SocketError::connection_refused().to_string(),
            "ConnectionRefusedError: [Errno 111] Connection refused"
        );
        assert_eq!(SocketError::address_in_use().to_string(), "OSError: [Errno 98] Address already in use");
        assert_eq!(SocketError::timed_out().to_string(), "TimeoutError: timed out");
        assert_eq!(SocketError::unknown_name().to_string(), "socket.gaierror: [Errno -2] Name or service not known");
    }
}
