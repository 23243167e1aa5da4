//! The Berkeley socket API of a host, with Python's semantics and errors.
//!
//! A host's programs see file descriptors; behind each one is an entry of the [`SocketTable`] and,
//! once it needs one, a smoltcp socket. This module owns that table and every call on it: the
//! [`Call`]s a program makes, the [`Value`]s they return, which calls block (a [`Blocking`] call is
//! resumed by the network until it can finish), address and port rules (`bind` conflicts,
//! `SO_REUSEADDR`, ephemeral ports, 127.0.0.1 versus 0.0.0.0), and the listen backlog that smoltcp
//! lacks: `listen(n)` keeps `n` listening smoltcp sockets on the port, `accept()` hands out one whose
//! handshake is done and opens a fresh listener in its place.

use std::collections::{BTreeMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};

use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use smoltcp::iface::{SocketHandle, SocketSet};
use smoltcp::socket::{tcp, udp};
use smoltcp::storage::PacketMetadata;
use smoltcp::time::Duration;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint, Ipv4Address};

use super::error::SocketError;
use super::host::{Host, LOOPBACK, MTU};

/// A file descriptor, as `s.fileno()` shows it.
pub type Fd = i32;

/// The first descriptor a host hands out (0, 1 and 2 are stdin, stdout and stderr).
pub const FIRST_FD: Fd = 3;

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
/// The range of ephemeral ports, as Linux's `ip_local_port_range` would have it per IANA.
pub const EPHEMERAL_PORTS: core::ops::RangeInclusive<u16> = 49152..=65535;
/// How long `connect` waits for an answer before giving up: Linux's 6 SYN retries. Only while
/// connecting: smoltcp's timer would also abort an established connection whose peer keeps a zero
/// window, which Linux never does.
const GIVE_UP_AFTER: Duration = Duration::from_secs(127);

/// `SOCK_STREAM` (TCP) or `SOCK_DGRAM` (UDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SocketKind {
    Tcp,
    Udp,
}

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
            Call::Socket { .. } | Call::Bind { .. } | Call::Listen { .. } | Call::Accept { .. } | Call::Settimeout { .. }
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
    Fd { fd: Fd },
    Int { value: i64 },
    Bytes { data: Vec<u8> },
    Accepted { fd: Fd, peer: SocketAddrV4 },
    /// What `recvfrom` returns; the address is `None` on a TCP socket, as in Python.
    Datagram { data: Vec<u8>, peer: Option<SocketAddrV4> },
}

/// What a call ends with: a value, or the exception Python would raise.
pub type CallResult = Result<Value, SocketError>;

/// A call that cannot finish yet, with what it has done so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocking {
    Accept,
    Connect,
    Recv { bufsize: usize },
    Recvfrom { bufsize: usize },
    /// `send` and `sendall`: waits for `all` bytes to be queued (`sendall`, and a blocking `send`,
    /// which Linux returns from only when it has queued everything) or for some (a `send` with a
    /// timeout). `send` returns the `count`, `sendall` None.
    Send { data: Vec<u8>, queued: usize, all: bool, count: bool },
    /// `sendto` waits for room in the socket's buffer.
    Sendto { data: Vec<u8>, to: IpEndpoint },
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

/// The socket state a program (and the page) sees for one descriptor or lingering connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SocketView {
    /// `None` for a connection the program has closed that the stack is still finishing (TIME-WAIT).
    pub fd: Option<Fd>,
    pub kind: SocketKind,
    pub local: Option<SocketAddrV4>,
    pub remote: Option<SocketAddrV4>,
    /// TCP state in the RFC's words (`LISTEN`, `ESTABLISHED`, `TIME-WAIT`…), `UNBOUND`/`BOUND` before
    /// that, or `UDP` for a datagram socket.
    pub state: String,
    /// Connections done with the handshake and waiting for `accept`, and how many may wait
    /// (Linux's backlog + 1).
    pub accept_queue: Option<(usize, usize)>,
    /// Bytes waiting to be read, and to be sent (or acknowledged).
    pub receive_buffered: usize,
    pub send_buffered: usize,
    /// For a connection the kernel holds for a listening socket until `accept()`: that socket's fd.
    pub awaiting_accept_on: Option<Fd>,
}

/// A TCP socket's lifecycle as the program sees it.
#[derive(Debug)]
enum TcpState {
    /// Made by `socket()`, perhaps bound.
    Idle { bound: Option<IpListenEndpoint> },
    Listening(Listener),
    Stream(Stream),
}

#[derive(Debug)]
struct Listener {
    endpoint: IpListenEndpoint,
    backlog: usize,
    /// The listening smoltcp sockets of the port: each either waits for a SYN or holds a
    /// connection not yet accepted.
    spares: Vec<SocketHandle>,
    /// Spares whose handshake is done, in the order they finished: the accept queue. Linux queues
    /// one more connection than the backlog asks, and so does this.
    ready: VecDeque<SocketHandle>,
}

#[derive(Debug)]
struct Stream {
    handle: SocketHandle,
    /// The address the program bound before connecting, kept if the connection fails.
    bound: Option<IpListenEndpoint>,
    reset_received: bool,
    reset_reported: bool,
    read_shut: bool,
    write_shut: bool,
    /// Its SYN found no route: `connect` fails with `No route to host`.
    unreachable: bool,
}

#[derive(Debug)]
struct Datagram {
    /// Made when the socket is bound, explicitly or by its first `sendto`.
    handle: Option<SocketHandle>,
    /// The peer `connect` chose, for `send` and `recv`.
    peer: Option<IpEndpoint>,
    /// The peer answered with ICMP port unreachable: the next `recv` or `send` is refused.
    refused: bool,
}

#[derive(Debug)]
enum EntryState {
    Tcp(TcpState),
    Udp(Datagram),
}

#[derive(Debug)]
struct Entry {
    state: EntryState,
    reuse_address: bool,
    no_delay: bool,
    /// `settimeout`: `None` blocks forever, zero never blocks.
    timeout: Option<Duration>,
}

/// A host's file descriptors and the connections its programs have closed but the stack has not
/// finished.
#[derive(Debug, Default)]
pub struct SocketTable {
    entries: BTreeMap<Fd, Entry>,
    /// Connections the program closed that are still finishing (FIN-WAIT, LAST-ACK…).
    lingering: Vec<SocketHandle>,
    /// Closed connections in TIME-WAIT, oldest first. They all wait 10 s, so they end nearly in
    /// order and only the front is checked; one that ends early (a RST) or late (a repeated FIN
    /// restarts its timer) just leaves the set when it reaches the front. Until then it is closed,
    /// holds no port and is not shown.
    time_wait: VecDeque<SocketHandle>,
    /// TCP sockets whose FIN is sent but not acknowledged, with no data left to send.
    awaiting_fin_ack: Vec<SocketHandle>,
}

/// What a call needs from the network around its host.
pub struct CallContext<'a> {
    pub rng: &'a mut ChaCha8Rng,
    /// Turns a host's name into its address.
    pub resolve: &'a dyn Fn(&str) -> Option<Ipv4Address>,
}

fn tcp_socket(no_delay: bool) -> tcp::Socket<'static> {
    let mut socket = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
        tcp::SocketBuffer::new(vec![0; TCP_BUFFER]),
    );
    socket.set_nagle_enabled(!no_delay);
    socket
}

fn udp_socket() -> udp::Socket<'static> {
    udp::Socket::new(
        udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; UDP_DATAGRAMS], vec![0; UDP_BUFFER]),
        udp::PacketBuffer::new(vec![PacketMetadata::EMPTY; UDP_DATAGRAMS], vec![0; UDP_BUFFER]),
    )
}

fn to_v4(endpoint: IpEndpoint) -> SocketAddrV4 {
    let IpAddress::Ipv4(addr) = endpoint.addr;
    SocketAddrV4::new(addr, endpoint.port)
}

fn listen_to_v4(endpoint: IpListenEndpoint) -> SocketAddrV4 {
    let addr = match endpoint.addr {
        Some(IpAddress::Ipv4(addr)) => addr,
        None => Ipv4Address::UNSPECIFIED,
    };
    SocketAddrV4::new(addr, endpoint.port)
}

fn is_loopback(addr: IpAddress) -> bool {
    let IpAddress::Ipv4(addr) = addr;
    addr.is_loopback()
}

/// Whether two bound addresses overlap (`None` is 0.0.0.0, which overlaps every address).
fn overlaps(a: Option<IpAddress>, b: Option<IpAddress>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn check_port(port: i64, call: &str) -> Result<u16, SocketError> {
    u16::try_from(port).map_err(|_| SocketError::port_out_of_range(call))
}

fn check_bufsize(bufsize: i64, call: &str) -> Result<usize, SocketError> {
    usize::try_from(bufsize).map_err(|_| SocketError::value_error(format!("negative buffersize in {call}")))
}

/// Every state a socket view can be in: before a TCP socket has a connection, a UDP socket, and
/// the TCP states as the RFC names them.
pub const SOCKET_STATES: [&str; 14] = [
    "UNBOUND",
    "BOUND",
    "UDP",
    "CLOSED",
    "LISTEN",
    "SYN-SENT",
    "SYN-RECEIVED",
    "ESTABLISHED",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "CLOSE-WAIT",
    "CLOSING",
    "LAST-ACK",
    "TIME-WAIT",
];

/// The RFC's name of a smoltcp TCP state (`TIME-WAIT`, not smoltcp's `TIME_WAIT`).
pub fn tcp_state_name(state: tcp::State) -> &'static str {
    match state {
        tcp::State::Closed => "CLOSED",
        tcp::State::Listen => "LISTEN",
        tcp::State::SynSent => "SYN-SENT",
        tcp::State::SynReceived => "SYN-RECEIVED",
        tcp::State::Established => "ESTABLISHED",
        tcp::State::FinWait1 => "FIN-WAIT-1",
        tcp::State::FinWait2 => "FIN-WAIT-2",
        tcp::State::CloseWait => "CLOSE-WAIT",
        tcp::State::Closing => "CLOSING",
        tcp::State::LastAck => "LAST-ACK",
        tcp::State::TimeWait => "TIME-WAIT",
    }
}

impl SocketTable {
    fn entry_mut(&mut self, fd: Fd) -> Result<&mut Entry, SocketError> {
        self.entries.get_mut(&fd).ok_or_else(SocketError::bad_file_descriptor)
    }

    /// The lowest free descriptor, as POSIX hands them out.
    fn free_fd(&self) -> Fd {
        let mut fd = FIRST_FD;
        while self.entries.contains_key(&fd) {
            fd += 1;
        }
        fd
    }

    /// The `settimeout` of a descriptor; `None` when the descriptor is gone.
    pub fn timeout(&self, fd: Fd) -> Option<Option<Duration>> {
        self.entries.get(&fd).map(|entry| entry.timeout)
    }

    pub fn is_open(&self, fd: Fd) -> bool {
        self.entries.contains_key(&fd)
    }

    /// Notes an ICMP port unreachable for a datagram `local` sent to `remote`: a UDP socket
    /// connected to `remote` is refused at its next call, as on Linux.
    pub(crate) fn note_port_unreachable(&mut self, sockets: &SocketSet<'static>, local: IpEndpoint, remote: IpEndpoint) {
        for entry in self.entries.values_mut() {
            if let EntryState::Udp(datagram @ Datagram { handle: Some(_), peer: Some(_), .. }) = &mut entry.state {
                let bound = sockets.get::<udp::Socket>(datagram.handle.expect("matched")).endpoint();
                if datagram.peer == Some(remote) && bound.port == local.port {
                    datagram.refused = true;
                }
            }
        }
    }

    /// Notes that a SYN from `local` to `remote` found no route.
    pub(crate) fn note_unreachable(&mut self, sockets: &SocketSet<'static>, local: IpEndpoint, remote: IpEndpoint) {
        for entry in self.entries.values_mut() {
            if let EntryState::Tcp(TcpState::Stream(stream)) = &mut entry.state {
                let socket = sockets.get::<tcp::Socket>(stream.handle);
                if socket.local_endpoint() == Some(local) && socket.remote_endpoint() == Some(remote) {
                    stream.unreachable = true;
                }
            }
        }
    }

    /// Notes that a RST arrived for the connection `local` ↔ `remote`, before the stack sees it,
    /// so that a failed connect can say "refused" rather than "timed out".
    pub(crate) fn note_reset(&mut self, sockets: &SocketSet<'static>, local: IpEndpoint, remote: IpEndpoint) {
        for entry in self.entries.values_mut() {
            if let EntryState::Tcp(TcpState::Stream(stream)) = &mut entry.state {
                let socket = sockets.get::<tcp::Socket>(stream.handle);
                if socket.local_endpoint() == Some(local) && socket.remote_endpoint() == Some(remote) {
                    stream.reset_received = true;
                }
            }
        }
    }
}

impl SocketTable {
    /// Whether a SYN for `local` would find a listening port with no free listener: Linux drops such
    /// a SYN, and the client retransmits it.
    pub(crate) fn accept_queue_full(&self, sockets: &SocketSet<'static>, local: IpEndpoint) -> bool {
        self.entries.values().any(|entry| match &entry.state {
            EntryState::Tcp(TcpState::Listening(listener)) => {
                listener.endpoint.port == local.port
                    && listener.endpoint.addr.is_none_or(|addr| addr == local.addr)
                    && listener
                        .spares
                        .iter()
                        .all(|&handle| sockets.get::<tcp::Socket>(handle).state() != tcp::State::Listen)
            }
            _ => false,
        })
    }

    /// Sockets whose FIN is out and unacknowledged, with nothing else to send.
    pub(crate) fn awaiting_fin_ack(&self) -> &[SocketHandle] {
        &self.awaiting_fin_ack
    }

    /// Bookkeeping after the stack ran: finished handshakes join their accept queue, closed
    /// connections the stack is done with leave the socket set, and sockets waiting for the ACK of
    /// their FIN are noted.
    pub(crate) fn tidy(&mut self, sockets: &mut SocketSet<'static>) {
        for entry in self.entries.values_mut() {
            if let EntryState::Tcp(TcpState::Listening(listener)) = &mut entry.state {
                for &handle in &listener.spares {
                    let state = sockets.get::<tcp::Socket>(handle).state();
                    let handshake_done = !matches!(state, tcp::State::Listen | tcp::State::SynReceived);
                    if handshake_done && !listener.ready.contains(&handle) {
                        listener.ready.push_back(handle);
                    }
                }
            }
        }
        let time_wait = &mut self.time_wait;
        self.lingering.retain(|&handle| {
            let socket = sockets.get_mut::<tcp::Socket>(handle);
            if socket.state() == tcp::State::Closed && socket.remote_endpoint().is_none() {
                sockets.remove(handle);
                return false;
            }
            if socket.state() == tcp::State::TimeWait {
                time_wait.push_back(handle);
                return false;
            }
            // Data for a socket its program has closed: Linux answers with RST.
            if socket.recv_queue() > 0 && socket.state() != tcp::State::Closed {
                socket.abort();
            }
            true
        });
        while let Some(&oldest) = self.time_wait.front() {
            let socket = sockets.get::<tcp::Socket>(oldest);
            if socket.state() == tcp::State::TimeWait || socket.remote_endpoint().is_some() {
                break;
            }
            sockets.remove(oldest);
            self.time_wait.pop_front();
        }
        let half_closed = self.entries.values().filter_map(|entry| match &entry.state {
            EntryState::Tcp(TcpState::Stream(stream)) if stream.write_shut => Some(stream.handle),
            _ => None,
        });
        self.awaiting_fin_ack = self
            .lingering
            .iter()
            .copied()
            .chain(half_closed)
            .filter(|&handle| {
                let socket = sockets.get::<tcp::Socket>(handle);
                let fin_out = matches!(socket.state(), tcp::State::FinWait1 | tcp::State::Closing | tcp::State::LastAck);
                fin_out && socket.send_queue() == 0
            })
            .collect();
    }

    /// Whether `port` on `addr` is taken for a new socket of `kind` that has (or not) `SO_REUSEADDR`.
    fn port_taken(
        &self,
        sockets: &SocketSet<'static>,
        kind: SocketKind,
        addr: Option<IpAddress>,
        port: u16,
        reuse: bool,
    ) -> bool {
        let taken_by_entries = self.entries.values().any(|entry| {
            let shared = reuse && entry.reuse_address;
            match (&entry.state, kind) {
                (EntryState::Tcp(TcpState::Idle { bound: Some(bound) }), SocketKind::Tcp) => {
                    bound.port == port && overlaps(bound.addr, addr) && !shared
                }
                (EntryState::Tcp(TcpState::Listening(listener)), SocketKind::Tcp) => {
                    listener.endpoint.port == port && overlaps(listener.endpoint.addr, addr)
                }
                (EntryState::Tcp(TcpState::Stream(stream)), SocketKind::Tcp) => {
                    let local = sockets.get::<tcp::Socket>(stream.handle).local_endpoint();
                    local.is_some_and(|local| local.port == port && overlaps(Some(local.addr), addr)) && !reuse
                }
                (EntryState::Udp(Datagram { handle: Some(handle), .. }), SocketKind::Udp) => {
                    let bound = sockets.get::<udp::Socket>(*handle).endpoint();
                    bound.port == port && overlaps(bound.addr, addr) && !shared
                }
                _ => false,
            }
        });
        // Connections in TIME-WAIT and the like hold their port until they are gone, unless the
        // new socket says SO_REUSEADDR.
        let taken_by_lingering = kind == SocketKind::Tcp
            && !reuse
            && self.lingering.iter().chain(&self.time_wait).any(|&handle| {
                let local = sockets.get::<tcp::Socket>(handle).local_endpoint();
                local.is_some_and(|local| local.port == port && overlaps(Some(local.addr), addr))
            });
        taken_by_entries || taken_by_lingering
    }

    /// A free port from the ephemeral range, drawn from the network's random numbers.
    fn ephemeral_port(
        &self,
        sockets: &SocketSet<'static>,
        kind: SocketKind,
        rng: &mut ChaCha8Rng,
    ) -> Result<u16, SocketError> {
        let first = *EPHEMERAL_PORTS.start();
        let count = u32::from(*EPHEMERAL_PORTS.end() - first) + 1;
        let start = rng.next_u32() % count;
        (0..count)
            .map(|offset| first + ((start + offset) % count) as u16)
            .find(|&port| !self.port_taken(sockets, kind, None, port, false))
            .ok_or_else(SocketError::cannot_assign_address)
    }

    /// The sockets of the host, for the page: descriptors in order, then lingering connections.
    pub fn views(&self, sockets: &SocketSet<'static>) -> Vec<SocketView> {
        let mut views = Vec::new();
        for (&fd, entry) in &self.entries {
            views.push(entry.view(fd, sockets));
            // Connections in the handshake or the accept queue exist in the kernel already.
            if let EntryState::Tcp(TcpState::Listening(listener)) = &entry.state {
                for &handle in &listener.spares {
                    let socket = sockets.get::<tcp::Socket>(handle);
                    if socket.state() != tcp::State::Listen {
                        views.push(SocketView {
                            awaiting_accept_on: Some(fd),
                            ..stream_view(socket)
                        });
                    }
                }
            }
        }
        // A lingering socket smoltcp has closed is gone for the program; only the next tidy
        // removes it from the set.
        views.extend(
            self.lingering
                .iter()
                .chain(&self.time_wait)
                .map(|&handle| sockets.get::<tcp::Socket>(handle))
                .filter(|socket| socket.state() != tcp::State::Closed || socket.remote_endpoint().is_some())
                .map(stream_view),
        );
        views
    }
}

fn stream_view(socket: &tcp::Socket) -> SocketView {
    SocketView {
        fd: None,
        kind: SocketKind::Tcp,
        local: socket.local_endpoint().map(to_v4),
        remote: socket.remote_endpoint().map(to_v4),
        state: tcp_state_name(socket.state()).into(),
        accept_queue: None,
        receive_buffered: socket.recv_queue(),
        send_buffered: socket.send_queue(),
        awaiting_accept_on: None,
    }
}

impl Entry {
    fn new(kind: SocketKind) -> Self {
        Entry {
            state: match kind {
                SocketKind::Tcp => EntryState::Tcp(TcpState::Idle { bound: None }),
                SocketKind::Udp => EntryState::Udp(Datagram { handle: None, peer: None, refused: false }),
            },
            reuse_address: false,
            no_delay: false,
            timeout: None,
        }
    }

    fn view(&self, fd: Fd, sockets: &SocketSet<'static>) -> SocketView {
        let mut view = match &self.state {
            EntryState::Tcp(TcpState::Idle { bound }) => SocketView {
                fd: None,
                kind: SocketKind::Tcp,
                local: bound.map(listen_to_v4),
                remote: None,
                state: if bound.is_some() { "BOUND" } else { "UNBOUND" }.into(),
                accept_queue: None,
                receive_buffered: 0,
                send_buffered: 0,
                awaiting_accept_on: None,
            },
            EntryState::Tcp(TcpState::Listening(listener)) => SocketView {
                fd: None,
                kind: SocketKind::Tcp,
                local: Some(listen_to_v4(listener.endpoint)),
                remote: None,
                state: "LISTEN".into(),
                accept_queue: Some((listener.ready.len(), listener.backlog + 1)),
                receive_buffered: 0,
                send_buffered: 0,
                awaiting_accept_on: None,
            },
            EntryState::Tcp(TcpState::Stream(stream)) => stream_view(sockets.get::<tcp::Socket>(stream.handle)),
            EntryState::Udp(datagram) => {
                let socket = datagram.handle.map(|handle| sockets.get::<udp::Socket>(handle));
                SocketView {
                    fd: None,
                    kind: SocketKind::Udp,
                    local: socket.map(|socket| listen_to_v4(socket.endpoint())),
                    remote: datagram.peer.map(to_v4),
                    state: "UDP".into(),
                    accept_queue: None,
                    receive_buffered: socket.map_or(0, |socket| socket.recv_queue()),
                    send_buffered: socket.map_or(0, |socket| socket.send_queue()),
                    awaiting_accept_on: None,
                }
            }
        };
        view.fd = Some(fd);
        view
    }
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
            _ => address
                .parse::<Ipv4Address>()
                .ok()
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
                    listener.spares.extend(added);
                    listener.backlog = listener.backlog.max(backlog);
                }
                return Ok(());
            }
            EntryState::Tcp(TcpState::Stream(_)) => return Err(SocketError::invalid_argument()),
            EntryState::Udp(_) => return Err(SocketError::operation_not_supported()),
        };
        let spares = self.open_listeners(endpoint, capacity, no_delay);
        self.table.entry_mut(fd)?.state = EntryState::Tcp(TcpState::Listening(Listener {
            endpoint,
            backlog,
            spares,
            ready: VecDeque::new(),
        }));
        Ok(())
    }

    fn open_listeners(&mut self, endpoint: IpListenEndpoint, count: usize, no_delay: bool) -> Vec<SocketHandle> {
        (0..count)
            .map(|_| {
                let mut socket = tcp_socket(no_delay);
                socket.listen(endpoint).expect("a fresh socket listens on a bound port");
                self.sockets.add(socket)
            })
            .collect()
    }

    fn try_accept(&mut self, fd: Fd) -> Result<Option<Value>, SocketError> {
        let entry = self.table.entry_mut(fd)?;
        let no_delay = entry.no_delay;
        let listener = match &mut entry.state {
            EntryState::Tcp(TcpState::Listening(listener)) => listener,
            EntryState::Tcp(_) => return Err(SocketError::invalid_argument()),
            EntryState::Udp(_) => return Err(SocketError::operation_not_supported()),
        };
        let Some(handle) = listener.ready.pop_front() else {
            return Ok(None);
        };
        listener.spares.retain(|&spare| spare != handle);
        let endpoint = listener.endpoint;
        let replacement = self.open_listeners(endpoint, 1, no_delay);
        if let EntryState::Tcp(TcpState::Listening(listener)) = &mut self.table.entry_mut(fd)?.state {
            listener.spares.extend(replacement);
        }

        let socket = self.sockets.get_mut::<tcp::Socket>(handle);
        socket.set_nagle_enabled(!no_delay);
        let peer = socket.remote_endpoint().map_or(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0), to_v4);
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
        let local_addr = bound
            .and_then(|bound| bound.addr)
            .unwrap_or(IpAddress::Ipv4(self.source_for(remote_addr)));
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
                Err(if refused {
                    SocketError::connection_refused()
                } else {
                    SocketError::connection_timed_out()
                })
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

    fn sendto(&mut self, fd: Fd, data: Vec<u8>, address: &str, port: i64, cx: &mut CallContext) -> Result<Start, SocketError> {
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
