//! The Berkeley socket API of a host, with Python's semantics and errors.
//!
//! This module owns every call a program makes on a host's descriptors: the [`Call`]s, the
//! [`Value`]s they return or the Python exception they raise, which calls block (a [`Blocking`]
//! call is resumed by the network until it can finish), and the rules each call follows as Linux
//! does: addresses (127.0.0.1 versus 0.0.0.0, names), `accept()` handing out a finished handshake
//! and opening a fresh listener in its place, what `send`, `recv`, `shutdown` and `close` do in
//! each state. What the descriptors are is in [`socket_table`](super::socket_table).

use std::net::SocketAddrV4;

use serde::{Deserialize, Serialize};
use smoltcp::iface::SocketHandle;
use smoltcp::socket::{tcp, udp};
use smoltcp::storage::PacketMetadata;
use smoltcp::time::Duration;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint, Ipv4Address};

use super::error::SocketError;
use super::host::{Host, LOOPBACK, MTU};
use super::random::Random;
use super::socket_table::{
    is_loopback, overlaps, to_v4, Datagram, Entry, EntryState, Fd, Listener, SocketKind, Stream, TcpState,
};

/// Send and receive buffer of every TCP socket, in bytes.
pub const TCP_BUFFER: usize = 16 * 1024;
/// Payload buffer of every UDP socket, in bytes.
const UDP_BUFFER: usize = 16 * 1024;
/// Datagrams a UDP socket buffers each way.
const UDP_DATAGRAMS: usize = 32;
/// The largest UDP payload that fits one IP packet: the simulator does not fragment.
pub const MAX_DATAGRAM: usize = MTU - 20 - 8;
/// The largest backlog `listen` grants (Linux's `somaxconn`, scaled to a classroom).
pub const MAX_BACKLOG: usize = 64;
/// How long `connect` waits for an answer before giving up: Linux's 6 SYN retries. Only while
/// connecting: smoltcp's timer would also abort an established connection whose peer keeps a zero
/// window, which Linux never does.
const GIVE_UP_AFTER: Duration = Duration::from_secs(127);

/// Which half of a connection `shutdown` closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShutdownHow {
    ShutRd,
    ShutWr,
    ShutRdwr,
}

/// The socket options `setsockopt` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SocketOption {
    SoReuseaddr,
    TcpNodelay,
}

/// A socket call, as a program makes it. Addresses are strings as Python takes them: a dotted
/// IPv4 address, `''` (any), `'localhost'` or a host's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Call {
    Socket { kind: SocketKind },
    Bind { fd: Fd, address: String, port: i64 },
    Listen { fd: Fd, backlog: i64 },
    Accept { fd: Fd },
    Connect { fd: Fd, address: String, port: i64 },
    Send { fd: Fd, data: Vec<u8> },
    Sendall { fd: Fd, data: Vec<u8> },
    Recv { fd: Fd, bufsize: i64 },
    Sendto { fd: Fd, data: Vec<u8>, address: String, port: i64 },
    Recvfrom { fd: Fd, bufsize: i64 },
    Shutdown { fd: Fd, how: ShutdownHow },
    Close { fd: Fd },
    Setsockopt { fd: Fd, option: SocketOption, value: i64 },
    Settimeout { fd: Fd, seconds: Option<f64> },
}

impl Call {
    /// Whether the call can make the stack send a packet at once (a SYN, data, a FIN, a window
    /// update); the others only change the socket table.
    pub fn may_transmit(&self) -> bool {
        !matches!(
            self,
            Call::Socket { .. }
                | Call::Bind { .. }
                | Call::Listen { .. }
                | Call::Accept { .. }
                | Call::Settimeout { .. }
        )
    }

    /// The descriptor the call is made on (`None` for `socket()`).
    pub fn fd(&self) -> Option<Fd> {
        match *self {
            Call::Socket { .. } => None,
            Call::Bind { fd, .. }
            | Call::Listen { fd, .. }
            | Call::Accept { fd }
            | Call::Connect { fd, .. }
            | Call::Send { fd, .. }
            | Call::Sendall { fd, .. }
            | Call::Recv { fd, .. }
            | Call::Sendto { fd, .. }
            | Call::Recvfrom { fd, .. }
            | Call::Shutdown { fd, .. }
            | Call::Close { fd }
            | Call::Setsockopt { fd, .. }
            | Call::Settimeout { fd, .. } => Some(fd),
        }
    }
}

/// What a successful call returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    None,
    Fd {
        fd: Fd,
    },
    Int {
        value: i64,
    },
    Bytes {
        data: Vec<u8>,
    },
    Accepted {
        fd: Fd,
        peer: SocketAddrV4,
    },
    /// What `recvfrom` returns; the address is `None` on a TCP socket, as in Python.
    Datagram {
        data: Vec<u8>,
        peer: Option<SocketAddrV4>,
    },
}

/// What a call ends with: a value, or the exception Python would raise.
pub type CallResult = Result<Value, SocketError>;

/// A call that cannot finish yet, with what it has done so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocking {
    Accept,
    Connect,
    Recv {
        bufsize: usize,
    },
    Recvfrom {
        bufsize: usize,
    },
    /// `send` and `sendall`: waits for `all` bytes to be queued (`sendall`, and a blocking `send`,
    /// which Linux returns from only when it has queued everything) or for some (a `send` with a
    /// timeout). `send` returns the `count`, `sendall` None.
    Send {
        data: Vec<u8>,
        queued: usize,
        all: bool,
        count: bool,
    },
    /// `sendto` waits for room in the socket's buffer.
    Sendto {
        data: Vec<u8>,
        to: IpEndpoint,
    },
}

impl Blocking {
    /// How many bytes a blocked `send` has queued so far (0 for other calls).
    pub fn queued(&self) -> usize {
        match self {
            Blocking::Send { queued, .. } => *queued,
            _ => 0,
        }
    }

    /// What the call waits for, in words for the socket panel.
    pub fn waits_for(&self) -> &'static str {
        match self {
            Blocking::Accept => "accept: waiting for a connection",
            Blocking::Connect => "connect: waiting for the handshake",
            Blocking::Recv { .. } => "recv: waiting for data",
            Blocking::Recvfrom { .. } => "recvfrom: waiting for a datagram",
            Blocking::Send { .. } => "send: waiting for buffer space",
            Blocking::Sendto { .. } => "sendto: waiting for buffer space",
        }
    }
}

/// How a call started: finished at once, or blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Done(CallResult),
    Blocked(Blocking),
}

/// What a call needs from the network around its host.
pub struct CallContext<'a> {
    pub rng: &'a mut Random,
    /// Turns a host's name into its address.
    pub resolve: &'a dyn Fn(&str) -> Option<Ipv4Address>,
}

fn tcp_socket(no_delay: bool) -> tcp::Socket<'static> {
    let mut socket =
        tcp::Socket::new(tcp::SocketBuffer::new(vec![0; TCP_BUFFER]), tcp::SocketBuffer::new(vec![0; TCP_BUFFER]));
    socket.set_nagle_enabled(!no_delay);
    socket
}

fn udp_socket() -> udp::Socket<'static> {
    udp::Socket::new(
        udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; UDP_DATAGRAMS], vec![0; UDP_BUFFER]),
        udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; UDP_DATAGRAMS], vec![0; UDP_BUFFER]),
    )
}

fn check_port(port: i64, call: &str) -> Result<u16, SocketError> {
    u16::try_from(port).map_err(|_| SocketError::port_out_of_range(call))
}

fn check_bufsize(bufsize: i64, call: &str) -> Result<usize, SocketError> {
    usize::try_from(bufsize).map_err(|_| SocketError::value_error(format!("negative buffersize in {call}")))
}

/// The socket calls of a host.
impl Host {
    /// Makes a call. It finishes at once, or blocks until [`Host::resume`] finishes it.
    pub fn start(&mut self, call: Call, cx: &mut CallContext) -> Start {
        self.dispatch(call, cx).unwrap_or_else(|error| Start::Done(Err(error)))
    }

    fn dispatch(&mut self, call: Call, cx: &mut CallContext) -> Result<Start, SocketError> {
        let done = |value: Value| Ok(Start::Done(Ok(value)));
        match call {
            Call::Socket { kind } => {
                let fd = self.table.free_fd();
                self.table.entries.insert(fd, Entry::new(kind));
                done(Value::Fd { fd })
            }
            Call::Bind { fd, address, port } => {
                self.bind(fd, &address, port, cx)?;
                done(Value::None)
            }
            Call::Listen { fd, backlog } => {
                self.listen(fd, backlog, cx)?;
                done(Value::None)
            }
            Call::Accept { fd } => self.begin(fd, Blocking::Accept),
            Call::Connect { fd, address, port } => self.connect(fd, &address, port, cx),
            Call::Send { fd, data } => {
                let blocks_until_done = self.table.timeout(fd) == Some(None);
                self.begin(fd, Blocking::Send { data, queued: 0, all: blocks_until_done, count: true })
            }
            Call::Sendall { fd, data } => self.begin(fd, Blocking::Send { data, queued: 0, all: true, count: false }),
            Call::Recv { fd, bufsize } => {
                let bufsize = check_bufsize(bufsize, "recv")?;
                self.begin(fd, Blocking::Recv { bufsize })
            }
            Call::Recvfrom { fd, bufsize } => {
                let bufsize = check_bufsize(bufsize, "recvfrom")?;
                self.begin(fd, Blocking::Recvfrom { bufsize })
            }
            Call::Sendto { fd, data, address, port } => self.sendto(fd, data, &address, port, cx),
            Call::Shutdown { fd, how } => {
                self.shutdown(fd, how)?;
                done(Value::None)
            }
            Call::Close { fd } => {
                self.close(fd)?;
                done(Value::None)
            }
            Call::Setsockopt { fd, option, value } => {
                self.setsockopt(fd, option, value)?;
                done(Value::None)
            }
            Call::Settimeout { fd, seconds } => {
                let timeout = match seconds {
                    None => None,
                    Some(seconds) if seconds.is_nan() => {
                        return Err(SocketError::value_error("Invalid value NaN (not a number)"))
                    }
                    Some(seconds) if !(0.0..=1e9).contains(&seconds) => {
                        return Err(SocketError::value_error("Timeout value out of range"))
                    }
                    Some(seconds) => Some(Duration::from_micros((seconds * 1e6).round() as u64)),
                };
                self.table.entry_mut(fd)?.timeout = timeout;
                done(Value::None)
            }
        }
    }

    /// Tries a blocking call at once; it blocks only when it cannot finish and the socket may block.
    fn begin(&mut self, fd: Fd, mut blocking: Blocking) -> Result<Start, SocketError> {
        if let Some(result) = self.resume(fd, &mut blocking) {
            return Ok(Start::Done(result));
        }
        match self.table.timeout(fd) {
            Some(Some(Duration::ZERO)) if blocking == Blocking::Connect => Err(SocketError::operation_in_progress()),
            Some(Some(Duration::ZERO)) => Err(SocketError::would_block()),
            _ => Ok(Start::Blocked(blocking)),
        }
    }

    /// Tries to finish a blocked call: `None` while it must still wait.
    pub fn resume(&mut self, fd: Fd, blocking: &mut Blocking) -> Option<CallResult> {
        let attempt = match blocking {
            Blocking::Accept => self.try_accept(fd),
            Blocking::Connect => self.try_finish_connect(fd),
            Blocking::Recv { bufsize } => self.try_recv(fd, *bufsize),
            Blocking::Recvfrom { bufsize } => self.try_recvfrom(fd, *bufsize),
            Blocking::Send { data, queued, all, count } => self.try_send(fd, data, queued, *all, *count),
            Blocking::Sendto { data, to } => self.try_sendto(fd, data, *to),
        };
        attempt.transpose()
    }

    /// Parses an address a program gives, as Python and Linux read it.
    fn resolve(&self, address: &str, cx: &CallContext) -> Result<Ipv4Address, SocketError> {
        match address {
            "" => Ok(Ipv4Address::UNSPECIFIED),
            "localhost" => Ok(LOOPBACK),
            _ => super::host::parse_address(address)
                .or_else(|| (cx.resolve)(address))
                .ok_or_else(SocketError::unknown_name),
        }
    }

    /// The address a packet to `remote` leaves from: loopback stays on loopback.
    fn source_for(&self, remote: Ipv4Address) -> Ipv4Address {
        if remote.octets()[0] == 127 {
            LOOPBACK
        } else {
            self.address()
        }
    }

    fn bind(&mut self, fd: Fd, address: &str, port: i64, cx: &mut CallContext) -> Result<(), SocketError> {
        let port = check_port(port, "bind")?;
        let resolved = self.resolve(address, cx)?;
        let addr = match resolved {
            Ipv4Address::UNSPECIFIED => None,
            addr if addr == LOOPBACK || addr == self.address() => Some(IpAddress::Ipv4(addr)),
            _ => return Err(SocketError::cannot_assign_address()),
        };
        let entry = self.table.entries.get(&fd).ok_or_else(SocketError::bad_file_descriptor)?;
        let kind = match &entry.state {
            EntryState::Tcp(TcpState::Idle { bound: None }) => SocketKind::Tcp,
            EntryState::Udp(Datagram { handle: None, .. }) => SocketKind::Udp,
            _ => return Err(SocketError::invalid_argument()),
        };
        let reuse = entry.reuse_address;
        let port = match port {
            0 => self.table.ephemeral_port(&self.sockets, kind, cx.rng)?,
            port if self.table.port_taken(&self.sockets, kind, addr, port, reuse) => {
                return Err(SocketError::address_in_use())
            }
            port => port,
        };
        let endpoint = IpListenEndpoint { addr, port };
        match kind {
            SocketKind::Tcp => {
                self.table.entry_mut(fd)?.state = EntryState::Tcp(TcpState::Idle { bound: Some(endpoint) });
            }
            SocketKind::Udp => {
                let handle = self.bind_udp(endpoint)?;
                if let EntryState::Udp(datagram) = &mut self.table.entry_mut(fd)?.state {
                    datagram.handle = Some(handle);
                }
            }
        }
        Ok(())
    }

    fn bind_udp(&mut self, endpoint: IpListenEndpoint) -> Result<SocketHandle, SocketError> {
        let mut socket = udp_socket();
        socket.bind(endpoint).map_err(|_| SocketError::invalid_argument())?;
        Ok(self.sockets.add(socket))
    }

    /// Binds an unbound UDP socket to an ephemeral port, as its first `sendto` does.
    fn autobind_udp(&mut self, fd: Fd, cx: &mut CallContext) -> Result<(), SocketError> {
        if let Some(Entry { state: EntryState::Udp(Datagram { handle: None, .. }), .. }) = self.table.entries.get(&fd) {
            let port = self.table.ephemeral_port(&self.sockets, SocketKind::Udp, cx.rng)?;
            let handle = self.bind_udp(IpListenEndpoint { addr: None, port })?;
            if let EntryState::Udp(datagram) = &mut self.table.entry_mut(fd)?.state {
                datagram.handle = Some(handle);
            }
        }
        Ok(())
    }

    fn listen(&mut self, fd: Fd, backlog: i64, cx: &mut CallContext) -> Result<(), SocketError> {
        let backlog = usize::try_from(backlog).unwrap_or(0).min(MAX_BACKLOG);
        let capacity = backlog + 1;
        let entry = self.table.entries.get(&fd).ok_or_else(SocketError::bad_file_descriptor)?;
        let no_delay = entry.no_delay;
        let endpoint = match &entry.state {
            EntryState::Tcp(TcpState::Idle { bound: Some(bound) }) => {
                let other_listener = self.table.entries.iter().any(|(&other, entry)| {
                    other != fd
                        && matches!(&entry.state, EntryState::Tcp(TcpState::Listening(listener))
                            if listener.endpoint.port == bound.port && overlaps(listener.endpoint.addr, bound.addr))
                });
                if other_listener {
                    return Err(SocketError::address_in_use());
                }
                *bound
            }
            // Linux binds a socket that listens unbound to an ephemeral port.
            EntryState::Tcp(TcpState::Idle { bound: None }) => IpListenEndpoint {
                addr: None,
                port: self.table.ephemeral_port(&self.sockets, SocketKind::Tcp, cx.rng)?,
            },
            EntryState::Tcp(TcpState::Listening(listener)) => {
                // A second listen() only changes the backlog; it can grow.
                let (endpoint, have) = (listener.endpoint, listener.spares.len());
                let added = self.open_listeners(endpoint, capacity.saturating_sub(have), no_delay);
                if let EntryState::Tcp(TcpState::Listening(listener)) = &mut self.table.entry_mut(fd)?.state {
                    listener.spares.extend_from_slice(&added);
                    listener.backlog = listener.backlog.max(backlog);
                }
                return Ok(());
            }
            EntryState::Tcp(TcpState::Stream(_)) => return Err(SocketError::invalid_argument()),
            EntryState::Udp(_) => return Err(SocketError::operation_not_supported()),
        };
        let spares = self.open_listeners(endpoint, capacity, no_delay);
        self.table.entry_mut(fd)?.state =
            EntryState::Tcp(TcpState::Listening(Listener { endpoint, backlog, spares, ready: Vec::new() }));
        Ok(())
    }

    fn open_listeners(&mut self, endpoint: IpListenEndpoint, count: usize, no_delay: bool) -> Vec<SocketHandle> {
        let mut handles = Vec::new();
        for _ in 0..count {
            let mut socket = tcp_socket(no_delay);
            socket.listen(endpoint).expect("a fresh socket listens on a bound port");
            handles.push(self.sockets.add(socket));
        }
        handles
    }

    fn try_accept(&mut self, fd: Fd) -> Result<Option<Value>, SocketError> {
        let entry = self.table.entry_mut(fd)?;
        let no_delay = entry.no_delay;
        let listener = match &mut entry.state {
            EntryState::Tcp(TcpState::Listening(listener)) => listener,
            EntryState::Tcp(_) => return Err(SocketError::invalid_argument()),
            EntryState::Udp(_) => return Err(SocketError::operation_not_supported()),
        };
        if listener.ready.is_empty() {
            return Ok(None);
        }
        let (handle, peer) = listener.ready.remove(0);
        listener.spares.retain(|&spare| spare != handle);
        let endpoint = listener.endpoint;
        let replacement = self.open_listeners(endpoint, 1, no_delay);
        if let EntryState::Tcp(TcpState::Listening(listener)) = &mut self.table.entry_mut(fd)?.state {
            listener.spares.extend_from_slice(&replacement);
        }

        let socket = self.sockets.get_mut::<tcp::Socket>(handle);
        socket.set_nagle_enabled(!no_delay);
        // A connection reset before it was accepted is still handed out; its first recv says so.
        let reset_received = socket.state() == tcp::State::Closed;
        let new_fd = self.table.free_fd();
        let mut entry = Entry::new(SocketKind::Tcp);
        entry.no_delay = no_delay;
        entry.state = EntryState::Tcp(TcpState::Stream(Stream {
            handle,
            bound: None,
            reset_received,
            reset_reported: false,
            read_shut: false,
            write_shut: false,
            unreachable: false,
        }));
        self.table.entries.insert(new_fd, entry);
        Ok(Some(Value::Accepted { fd: new_fd, peer }))
    }

    fn connect(&mut self, fd: Fd, address: &str, port: i64, cx: &mut CallContext) -> Result<Start, SocketError> {
        let port = check_port(port, "connect")?;
        let mut remote_addr = self.resolve(address, cx)?;
        if remote_addr == Ipv4Address::UNSPECIFIED {
            // Connecting to 0.0.0.0 reaches this host, as on Linux.
            remote_addr = LOOPBACK;
        }
        let remote = IpEndpoint::new(IpAddress::Ipv4(remote_addr), port);
        let entry = self.table.entries.get(&fd).ok_or_else(SocketError::bad_file_descriptor)?;
        let (bound, no_delay) = match &entry.state {
            EntryState::Tcp(TcpState::Idle { bound }) => (*bound, entry.no_delay),
            EntryState::Tcp(TcpState::Stream(stream)) => {
                let state = self.sockets.get::<tcp::Socket>(stream.handle).state();
                return Err(if matches!(state, tcp::State::SynSent | tcp::State::SynReceived) {
                    SocketError::already_in_progress()
                } else {
                    SocketError::already_connected()
                });
            }
            EntryState::Tcp(TcpState::Listening(_)) => return Err(SocketError::already_connected()),
            EntryState::Udp(_) => {
                self.autobind_udp(fd, cx)?;
                if let EntryState::Udp(datagram) = &mut self.table.entry_mut(fd)?.state {
                    datagram.peer = Some(remote);
                }
                return Ok(Start::Done(Ok(Value::None)));
            }
        };
        if port == 0 {
            return Err(SocketError::connection_refused());
        }
        let local_port = match bound {
            Some(bound) => bound.port,
            None => self.table.ephemeral_port(&self.sockets, SocketKind::Tcp, cx.rng)?,
        };
        let local_addr = bound.and_then(|bound| bound.addr).unwrap_or(IpAddress::Ipv4(self.source_for(remote_addr)));
        if is_loopback(local_addr) && !remote_addr.is_loopback() {
            // Linux will not send from 127.0.0.1 to another host.
            return Err(SocketError::invalid_argument());
        }
        let mut socket = tcp_socket(no_delay);
        socket.set_timeout(Some(GIVE_UP_AFTER));
        socket
            .connect(self.iface.context(), remote, IpEndpoint::new(local_addr, local_port))
            .map_err(|_| SocketError::invalid_argument())?;
        let handle = self.sockets.add(socket);
        self.table.entry_mut(fd)?.state = EntryState::Tcp(TcpState::Stream(Stream {
            handle,
            bound,
            reset_received: false,
            reset_reported: false,
            read_shut: false,
            write_shut: false,
            unreachable: false,
        }));
        self.begin(fd, Blocking::Connect)
    }

    fn try_finish_connect(&mut self, fd: Fd) -> Result<Option<Value>, SocketError> {
        let EntryState::Tcp(TcpState::Stream(stream)) = &self.table.entry_mut(fd)?.state else {
            return Err(SocketError::bad_file_descriptor());
        };
        let (refused, unreachable) = (stream.reset_received, stream.unreachable);
        let socket = self.sockets.get_mut::<tcp::Socket>(stream.handle);
        match socket.state() {
            // Linux gives up on a host that does not answer ARP; no host has this address.
            tcp::State::SynSent if unreachable => {
                self.fail_connect(fd);
                Err(SocketError::no_route_to_host())
            }
            tcp::State::SynSent | tcp::State::SynReceived => Ok(None),
            tcp::State::Closed => {
                self.fail_connect(fd);
                Err(if refused { SocketError::connection_refused() } else { SocketError::connection_timed_out() })
            }
            _ => {
                socket.set_timeout(None);
                Ok(Some(Value::None))
            }
        }
    }

    /// Undoes a connect that failed: the socket is as it was before, bound if it was.
    fn fail_connect(&mut self, fd: Fd) {
        let Some(entry) = self.table.entries.get_mut(&fd) else { return };
        if let EntryState::Tcp(TcpState::Stream(stream)) = &entry.state {
            // Refused, unreachable or given up: nothing is left to say to the peer (an abort
            // would send a RST, which Linux does not).
            let (handle, bound) = (stream.handle, stream.bound);
            self.sockets.remove(handle);
            entry.state = EntryState::Tcp(TcpState::Idle { bound });
        }
    }

    fn try_recv(&mut self, fd: Fd, bufsize: usize) -> Result<Option<Value>, SocketError> {
        let entry = self.table.entry_mut(fd)?;
        let stream = match &mut entry.state {
            EntryState::Tcp(TcpState::Stream(stream)) => stream,
            EntryState::Tcp(_) => return Err(SocketError::not_connected()),
            EntryState::Udp(_) => {
                return self.try_recvfrom(fd, bufsize).map(|value| {
                    value.map(|value| match value {
                        Value::Datagram { data, .. } => Value::Bytes { data },
                        other => other,
                    })
                })
            }
        };
        let empty = Ok(Some(Value::Bytes { data: Vec::new() }));
        if stream.read_shut || bufsize == 0 {
            return empty;
        }
        let socket = self.sockets.get_mut::<tcp::Socket>(stream.handle);
        if socket.can_recv() {
            let mut data = vec![0; bufsize.min(socket.recv_queue())];
            let read = socket.recv_slice(&mut data).unwrap_or(0);
            data.truncate(read);
            return Ok(Some(Value::Bytes { data }));
        }
        match socket.state() {
            tcp::State::SynSent | tcp::State::SynReceived => Ok(None),
            _ if socket.may_recv() => Ok(None),
            tcp::State::Closed if stream.reset_received && !stream.reset_reported => {
                stream.reset_reported = true;
                Err(SocketError::connection_reset())
            }
            _ => empty,
        }
    }

    fn try_recvfrom(&mut self, fd: Fd, bufsize: usize) -> Result<Option<Value>, SocketError> {
        let entry = self.table.entry_mut(fd)?;
        let datagram = match &mut entry.state {
            EntryState::Udp(datagram) => datagram,
            EntryState::Tcp(TcpState::Stream(_)) => {
                return self.try_recv(fd, bufsize).map(|value| {
                    value.map(|value| match value {
                        Value::Bytes { data } => Value::Datagram { data, peer: None },
                        other => other,
                    })
                });
            }
            EntryState::Tcp(_) => return Err(SocketError::not_connected()),
        };
        // An unbound UDP socket has no port for datagrams to reach: it waits for ever, as on Linux.
        let Some(handle) = datagram.handle else { return Ok(None) };
        if datagram.refused {
            datagram.refused = false;
            return Err(SocketError::connection_refused());
        }
        let peer = datagram.peer;
        let socket = self.sockets.get_mut::<udp::Socket>(handle);
        while let Ok((payload, meta)) = socket.recv() {
            // A connected UDP socket hears only its peer; Linux never delivers the others to it.
            if peer.is_some_and(|peer| peer != meta.endpoint) {
                continue;
            }
            return Ok(Some(Value::Datagram {
                data: payload[..payload.len().min(bufsize)].to_vec(),
                peer: Some(to_v4(meta.endpoint)),
            }));
        }
        Ok(None)
    }

    fn try_send(
        &mut self,
        fd: Fd,
        data: &[u8],
        queued: &mut usize,
        all: bool,
        count: bool,
    ) -> Result<Option<Value>, SocketError> {
        let entry = self.table.entry_mut(fd)?;
        let stream = match &mut entry.state {
            EntryState::Tcp(TcpState::Stream(stream)) => stream,
            EntryState::Tcp(_) => return Err(SocketError::broken_pipe()),
            EntryState::Udp(datagram) => {
                // A connected UDP socket sends one datagram per call.
                let to = datagram.peer.ok_or_else(SocketError::destination_required)?;
                if datagram.refused {
                    datagram.refused = false;
                    return Err(SocketError::connection_refused());
                }
                let sent = self.try_sendto(fd, data, to)?;
                return Ok(sent.map(|sent| if count { sent } else { Value::None }));
            }
        };
        if stream.write_shut {
            return Err(SocketError::broken_pipe());
        }
        let socket = self.sockets.get_mut::<tcp::Socket>(stream.handle);
        match socket.state() {
            tcp::State::SynSent | tcp::State::SynReceived => return Ok(None),
            _ if !socket.may_send() => {
                if stream.reset_received && !stream.reset_reported {
                    stream.reset_reported = true;
                    return Err(SocketError::connection_reset());
                }
                return Err(SocketError::broken_pipe());
            }
            _ => {}
        }
        *queued += socket.send_slice(&data[*queued..]).unwrap_or(0);
        let finished = if all { *queued == data.len() } else { *queued > 0 || data.is_empty() };
        Ok(finished.then_some(if count { Value::Int { value: *queued as i64 } } else { Value::None }))
    }

    fn sendto(
        &mut self,
        fd: Fd,
        data: Vec<u8>,
        address: &str,
        port: i64,
        cx: &mut CallContext,
    ) -> Result<Start, SocketError> {
        let port = check_port(port, "sendto")?;
        let mut addr = self.resolve(address, cx)?;
        if addr == Ipv4Address::UNSPECIFIED {
            addr = LOOPBACK;
        }
        match &self.table.entries.get(&fd).ok_or_else(SocketError::bad_file_descriptor)?.state {
            EntryState::Tcp(_) => return self.dispatch(Call::Send { fd, data }, cx),
            EntryState::Udp(_) => {}
        }
        if port == 0 {
            return Err(SocketError::invalid_argument());
        }
        self.autobind_udp(fd, cx)?;
        let to = IpEndpoint::new(IpAddress::Ipv4(addr), port);
        self.begin(fd, Blocking::Sendto { data, to })
    }

    fn try_sendto(&mut self, fd: Fd, data: &[u8], to: IpEndpoint) -> Result<Option<Value>, SocketError> {
        if data.len() > MAX_DATAGRAM {
            return Err(SocketError::message_too_long());
        }
        let EntryState::Udp(Datagram { handle: Some(handle), .. }) = self.table.entry_mut(fd)?.state else {
            return Err(SocketError::bad_file_descriptor());
        };
        let socket = self.sockets.get_mut::<udp::Socket>(handle);
        if socket.endpoint().addr.is_some_and(is_loopback) && !is_loopback(to.addr) {
            // Linux will not send from 127.0.0.1 to another host.
            return Err(SocketError::invalid_argument());
        }
        match socket.send_slice(data, to) {
            Ok(()) => Ok(Some(Value::Int { value: data.len() as i64 })),
            Err(udp::SendError::BufferFull) => Ok(None),
            Err(udp::SendError::Unaddressable) => Err(SocketError::invalid_argument()),
        }
    }

    fn shutdown(&mut self, fd: Fd, how: ShutdownHow) -> Result<(), SocketError> {
        let entry = self.table.entry_mut(fd)?;
        let stops_reading = matches!(how, ShutdownHow::ShutRd | ShutdownHow::ShutRdwr);
        let stream = match &mut entry.state {
            EntryState::Tcp(TcpState::Stream(stream)) => stream,
            // Linux accepts shutdown on a listener; stopping reads stops listening.
            EntryState::Tcp(TcpState::Listening(listener)) => {
                if stops_reading {
                    let endpoint = listener.endpoint;
                    for handle in core::mem::take(&mut listener.spares) {
                        self.sockets.get_mut::<tcp::Socket>(handle).abort();
                        self.table.lingering.push(handle);
                    }
                    self.table.entry_mut(fd)?.state = EntryState::Tcp(TcpState::Idle { bound: Some(endpoint) });
                }
                return Ok(());
            }
            EntryState::Udp(Datagram { peer: Some(_), .. }) => return Ok(()),
            _ => return Err(SocketError::not_connected()),
        };
        let socket = self.sockets.get_mut::<tcp::Socket>(stream.handle);
        if matches!(socket.state(), tcp::State::Closed | tcp::State::SynSent) {
            return Err(SocketError::not_connected());
        }
        if stops_reading {
            stream.read_shut = true;
        }
        if matches!(how, ShutdownHow::ShutWr | ShutdownHow::ShutRdwr) {
            stream.write_shut = true;
            socket.close();
        }
        Ok(())
    }

    fn close(&mut self, fd: Fd) -> Result<(), SocketError> {
        let entry = self.table.entries.remove(&fd).ok_or_else(SocketError::bad_file_descriptor)?;
        match entry.state {
            EntryState::Tcp(TcpState::Idle { .. }) => {}
            EntryState::Tcp(TcpState::Listening(listener)) => {
                // Connections nobody accepted are reset; bare listeners just go.
                for handle in listener.spares {
                    self.sockets.get_mut::<tcp::Socket>(handle).abort();
                    self.table.lingering.push(handle);
                }
            }
            EntryState::Tcp(TcpState::Stream(stream)) => {
                let socket = self.sockets.get_mut::<tcp::Socket>(stream.handle);
                // Closing with unread data resets the connection, as Linux does.
                if socket.recv_queue() > 0 {
                    socket.abort();
                } else {
                    socket.close();
                }
                self.table.lingering.push(stream.handle);
            }
            EntryState::Udp(datagram) => {
                if let Some(handle) = datagram.handle {
                    self.sockets.remove(handle);
                }
            }
        }
        Ok(())
    }

    fn setsockopt(&mut self, fd: Fd, option: SocketOption, value: i64) -> Result<(), SocketError> {
        let entry = self.table.entry_mut(fd)?;
        match option {
            SocketOption::SoReuseaddr => entry.reuse_address = value != 0,
            SocketOption::TcpNodelay => {
                let EntryState::Tcp(state) = &entry.state else {
                    return Err(SocketError::protocol_not_available());
                };
                entry.no_delay = value != 0;
                if let TcpState::Stream(stream) = state {
                    self.sockets.get_mut::<tcp::Socket>(stream.handle).set_nagle_enabled(value == 0);
                }
            }
        }
        Ok(())
    }
}
