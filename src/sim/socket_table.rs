//! A host's file descriptors: what each one is, and what the kernel keeps for them.
//!
//! Behind each descriptor is an entry of the [`SocketTable`] and, once it needs one, a smoltcp
//! socket. The table owns the bookkeeping a kernel does between calls: the listen backlog that
//! smoltcp lacks (`listen(n)` keeps `n + 1` listening smoltcp sockets on the port, the accept queue
//! holds those whose handshake is done), the connections a program closed that are still finishing
//! (FIN-WAIT, TIME-WAIT), which ports are taken (`bind` conflicts, `SO_REUSEADDR`, ephemeral
//! ports), and the views of every socket the page draws. The calls themselves are in
//! [`socket_api`](super::socket_api).

use std::net::{Ipv4Addr, SocketAddrV4};

use serde::{Deserialize, Serialize};
use smoltcp::iface::{SocketHandle, SocketSet};
use smoltcp::socket::{tcp, udp};
use smoltcp::time::Duration;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint, Ipv4Address};

use super::error::SocketError;
use super::random::Random;
use super::sorted_map::SortedMap;

/// A file descriptor, as `s.fileno()` shows it.
pub type Fd = i32;

/// The first descriptor a host hands out (0, 1 and 2 are stdin, stdout and stderr).
pub const FIRST_FD: Fd = 3;

/// The range of ephemeral ports, as Linux's `ip_local_port_range` would have it per IANA.
pub const EPHEMERAL_PORTS: core::ops::RangeInclusive<u16> = 49152..=65535;

/// `SOCK_STREAM` (TCP) or `SOCK_DGRAM` (UDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SocketKind {
    Tcp,
    Udp,
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
pub(super) enum TcpState {
    /// Made by `socket()`, perhaps bound.
    Idle {
        bound: Option<IpListenEndpoint>,
    },
    Listening(Listener),
    Stream(Stream),
}

#[derive(Debug)]
pub(super) struct Listener {
    pub(super) endpoint: IpListenEndpoint,
    pub(super) backlog: usize,
    /// The listening smoltcp sockets of the port: each either waits for a SYN or holds a
    /// connection not yet accepted.
    pub(super) spares: Vec<SocketHandle>,
    /// Spares whose handshake is done, in the order they finished, with their peer (kept, so that
    /// `accept` names it even if the connection is reset before then): the accept queue. Linux
    /// queues one more connection than the backlog asks, and so does this.
    pub(super) ready: Vec<(SocketHandle, SocketAddrV4)>,
}

#[derive(Debug)]
pub(super) struct Stream {
    pub(super) handle: SocketHandle,
    /// The address the program bound before connecting, kept if the connection fails.
    pub(super) bound: Option<IpListenEndpoint>,
    pub(super) reset_received: bool,
    pub(super) reset_reported: bool,
    pub(super) read_shut: bool,
    pub(super) write_shut: bool,
    /// Its SYN found no route: `connect` fails with `No route to host`.
    pub(super) unreachable: bool,
}

#[derive(Debug)]
pub(super) struct Datagram {
    /// Made when the socket is bound, explicitly or by its first `sendto`.
    pub(super) handle: Option<SocketHandle>,
    /// The peer `connect` chose, for `send` and `recv`.
    pub(super) peer: Option<IpEndpoint>,
    /// The peer answered with ICMP port unreachable: the next `recv` or `send` is refused.
    pub(super) refused: bool,
}

#[derive(Debug)]
pub(super) enum EntryState {
    Tcp(TcpState),
    Udp(Datagram),
}

#[derive(Debug)]
pub(super) struct Entry {
    pub(super) state: EntryState,
    pub(super) reuse_address: bool,
    pub(super) no_delay: bool,
    /// `settimeout`: `None` blocks forever, zero never blocks.
    pub(super) timeout: Option<Duration>,
}

/// A host's file descriptors and the connections its programs have closed but the stack has not
/// finished.
#[derive(Debug, Default)]
pub struct SocketTable {
    pub(super) entries: SortedMap<Fd, Entry>,
    /// Connections the program closed that are still finishing (FIN-WAIT, LAST-ACK…).
    pub(super) lingering: Vec<SocketHandle>,
    /// Closed connections in TIME-WAIT, oldest first. They all wait 10 s, so they end nearly in
    /// order and only the front is checked; one that ends early (a RST) or late (a repeated FIN
    /// restarts its timer) just leaves the set when it reaches the front. Until then it is closed,
    /// holds no port and is not shown.
    pub(super) time_wait: Vec<SocketHandle>,
    /// TCP sockets whose FIN is sent but not acknowledged, with no data left to send.
    pub(super) awaiting_fin_ack: Vec<SocketHandle>,
}

pub(super) fn to_v4(endpoint: IpEndpoint) -> SocketAddrV4 {
    let IpAddress::Ipv4(addr) = endpoint.addr;
    SocketAddrV4::new(addr, endpoint.port)
}

pub(super) fn listen_to_v4(endpoint: IpListenEndpoint) -> SocketAddrV4 {
    let addr = match endpoint.addr {
        Some(IpAddress::Ipv4(addr)) => addr,
        None => Ipv4Address::UNSPECIFIED,
    };
    SocketAddrV4::new(addr, endpoint.port)
}

pub(super) fn is_loopback(addr: IpAddress) -> bool {
    let IpAddress::Ipv4(addr) = addr;
    addr.is_loopback()
}

/// Whether two bound addresses overlap (`None` is 0.0.0.0, which overlaps every address).
pub(super) fn overlaps(a: Option<IpAddress>, b: Option<IpAddress>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
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
    pub(super) fn entry_mut(&mut self, fd: Fd) -> Result<&mut Entry, SocketError> {
        self.entries.get_mut(&fd).ok_or_else(SocketError::bad_file_descriptor)
    }

    /// The lowest free descriptor, as POSIX hands them out.
    pub(super) fn free_fd(&self) -> Fd {
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
    pub(crate) fn note_port_unreachable(
        &mut self,
        sockets: &SocketSet<'static>,
        local: IpEndpoint,
        remote: IpEndpoint,
    ) {
        for entry in self.entries.values_mut() {
            if let EntryState::Udp(datagram @ Datagram { handle: Some(_), peer: Some(_), .. }) = &mut entry.state {
                let bound = sockets.get::<udp::Socket>(datagram.handle.expect("matched")).endpoint();
                if datagram.peer == Some(remote) && bound.port == local.port {
                    datagram.refused = true;
                }
            }
        }
    }

    /// The stream whose smoltcp socket holds the connection `local` ↔ `remote`.
    fn stream_with(
        &mut self,
        sockets: &SocketSet<'static>,
        local: IpEndpoint,
        remote: IpEndpoint,
    ) -> Option<&mut Stream> {
        self.entries.values_mut().find_map(|entry| match &mut entry.state {
            EntryState::Tcp(TcpState::Stream(stream)) => {
                let socket = sockets.get::<tcp::Socket>(stream.handle);
                let holds = socket.local_endpoint() == Some(local) && socket.remote_endpoint() == Some(remote);
                holds.then_some(stream)
            }
            _ => None,
        })
    }

    /// Notes that a SYN from `local` to `remote` found no route.
    pub(crate) fn note_unreachable(&mut self, sockets: &SocketSet<'static>, local: IpEndpoint, remote: IpEndpoint) {
        if let Some(stream) = self.stream_with(sockets, local, remote) {
            stream.unreachable = true;
        }
    }

    /// Notes that a RST arrived for the connection `local` ↔ `remote`, before the stack sees it,
    /// so that a failed connect can say "refused" rather than "timed out".
    pub(crate) fn note_reset(&mut self, sockets: &SocketSet<'static>, local: IpEndpoint, remote: IpEndpoint) {
        if let Some(stream) = self.stream_with(sockets, local, remote) {
            stream.reset_received = true;
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
                    let socket = sockets.get::<tcp::Socket>(handle);
                    let handshake_done = !matches!(socket.state(), tcp::State::Listen | tcp::State::SynReceived);
                    if handshake_done && !listener.ready.iter().any(|&(ready, _)| ready == handle) {
                        let peer = socket.remote_endpoint().map_or(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0), to_v4);
                        listener.ready.push((handle, peer));
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
                time_wait.push(handle);
                return false;
            }
            // Data for a socket its program has closed: Linux answers with RST.
            if socket.recv_queue() > 0 && socket.state() != tcp::State::Closed {
                socket.abort();
            }
            true
        });
        while let Some(&oldest) = self.time_wait.first() {
            let socket = sockets.get::<tcp::Socket>(oldest);
            if socket.state() == tcp::State::TimeWait || socket.remote_endpoint().is_some() {
                break;
            }
            sockets.remove(oldest);
            self.time_wait.remove(0);
        }
        // Lingering sockets, and the half-closed streams of programs, whose FIN is out and unacknowledged
        // with nothing else left to send.
        let fin_unacknowledged = |handle| {
            let socket = sockets.get::<tcp::Socket>(handle);
            let fin_out = matches!(socket.state(), tcp::State::FinWait1 | tcp::State::Closing | tcp::State::LastAck);
            fin_out && socket.send_queue() == 0
        };
        let mut awaiting = Vec::new();
        for &handle in &self.lingering {
            if fin_unacknowledged(handle) {
                awaiting.push(handle);
            }
        }
        for entry in self.entries.values() {
            if let EntryState::Tcp(TcpState::Stream(stream)) = &entry.state {
                if stream.write_shut && fin_unacknowledged(stream.handle) {
                    awaiting.push(stream.handle);
                }
            }
        }
        self.awaiting_fin_ack = awaiting;
    }

    /// Whether `port` on `addr` is taken for a new socket of `kind` that has (or not) `SO_REUSEADDR`.
    pub(super) fn port_taken(
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
            && [&self.lingering, &self.time_wait].iter().any(|handles| {
                handles.iter().any(|&handle| {
                    let local = sockets.get::<tcp::Socket>(handle).local_endpoint();
                    local.is_some_and(|local| local.port == port && overlaps(Some(local.addr), addr))
                })
            });
        taken_by_entries || taken_by_lingering
    }

    /// A free port from the ephemeral range, drawn from the network's random numbers.
    pub(super) fn ephemeral_port(
        &self,
        sockets: &SocketSet<'static>,
        kind: SocketKind,
        rng: &mut Random,
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
        for (&fd, entry) in self.entries.iter() {
            views.push(entry.view(fd, sockets));
            // Connections in the handshake or the accept queue exist in the kernel already.
            if let EntryState::Tcp(TcpState::Listening(listener)) = &entry.state {
                for &handle in &listener.spares {
                    let socket = sockets.get::<tcp::Socket>(handle);
                    if socket.state() != tcp::State::Listen {
                        views.push(SocketView { awaiting_accept_on: Some(fd), ..stream_view(socket) });
                    }
                }
            }
        }
        // A lingering socket smoltcp has closed is gone for the program; only the next tidy
        // removes it from the set.
        for &handle in [&self.lingering, &self.time_wait].into_iter().flatten() {
            let socket = sockets.get::<tcp::Socket>(handle);
            if socket.state() != tcp::State::Closed || socket.remote_endpoint().is_some() {
                views.push(stream_view(socket));
            }
        }
        views
    }
}

pub(super) fn stream_view(socket: &tcp::Socket) -> SocketView {
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
    pub(super) fn new(kind: SocketKind) -> Self {
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

    pub(super) fn view(&self, fd: Fd, sockets: &SocketSet<'static>) -> SocketView {
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
