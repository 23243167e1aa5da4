//! One simulated host: a smoltcp [`Interface`], its [`SocketSet`], the queues of its network card,
//! and the Berkeley socket table its programs use.
//!
//! The network hands a host the packets that arrive for it ([`Host::deliver`]) and collects what it
//! transmits ([`Host::poll`]). The host owns three corrections to smoltcp 0.14's behaviour that the
//! lessons depend on. Two act when a SYN arrives: a full accept queue drops the SYN (Linux does;
//! smoltcp would answer RST), and a retransmitted SYN always reaches the connection it belongs to,
//! never a spare listener of the same port. The third keeps a FIN alive: smoltcp's fast
//! retransmit, triggered while only a FIN is unacknowledged, sends nothing and disarms the
//! retransmission timer, so the FIN would never be sent again (see [`Host::poll`]).

use smoltcp::iface::{Config, Interface, PollIngressSingleResult, PollResult, SocketHandle, SocketSet};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{
    HardwareAddress, Icmpv4DstUnreachable, Icmpv4Message, Icmpv4Packet, IpAddress, IpCidr, IpEndpoint, IpProtocol,
    Ipv4Address, Ipv4Packet, TcpPacket,
};

use super::socket_table::SocketTable;
use super::trace::PacketBytes;

/// Index of a host in its network.
pub type HostId = usize;

/// The MTU of every simulated card: Ethernet's.
pub const MTU: usize = 1500;

/// How soon a socket whose fast retransmit disarmed its timer sends the probe that re-arms it.
const FIN_REARM_DELAY: smoltcp::time::Duration = smoltcp::time::Duration::from_micros(1);

/// The loopback address every host has.
pub const LOOPBACK: Ipv4Address = Ipv4Address::new(127, 0, 0, 1);

/// Reads a dotted quad (`10.0.0.1`) as the standard library's `Ipv4Addr::from_str` does: four
/// numbers of one to three digits, none above 255, no leading zeros; a reader of its own so that
/// the page carries no copy of the standard library's.
pub fn parse_address(text: &str) -> Option<Ipv4Address> {
    let mut octets = [0; 4];
    let mut bytes = text.bytes();
    for (index, octet) in octets.iter_mut().enumerate() {
        let (mut value, mut digits) = (0u32, 0);
        loop {
            match bytes.next() {
                Some(digit @ b'0'..=b'9') if digits < 3 && !(digits == 1 && value == 0) => {
                    value = value * 10 + u32::from(digit - b'0');
                    digits += 1;
                }
                Some(b'.') if index < 3 && digits > 0 => break,
                None if index == 3 && digits > 0 => break,
                _ => return None,
            }
        }
        *octet = u8::try_from(value).ok()?;
    }
    Some(Ipv4Address::from(octets))
}

/// A network card as two queues: what arrived and is not yet read, what the stack sent. Plain
/// lists, as they hold a packet or two between polls: a `VecDeque` of each kind would bring its
/// own code to the page.
#[derive(Debug, Default)]
pub struct QueueDevice {
    rx: Vec<PacketBytes>,
    tx: Vec<Vec<u8>>,
}

pub struct QueueRxToken(PacketBytes);
pub struct QueueTxToken<'a>(&'a mut Vec<Vec<u8>>);

impl phy::RxToken for QueueRxToken {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for QueueTxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut packet = vec![0; len];
        let result = f(&mut packet);
        self.0.push(packet);
        result
    }
}

impl Device for QueueDevice {
    type RxToken<'a> = QueueRxToken;
    type TxToken<'a> = QueueTxToken<'a>;

    fn receive(&mut self, _: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let packet = (!self.rx.is_empty()).then(|| self.rx.remove(0))?;
        Some((QueueRxToken(packet), QueueTxToken(&mut self.tx)))
    }

    fn transmit(&mut self, _: Instant) -> Option<Self::TxToken<'_>> {
        Some(QueueTxToken(&mut self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = MTU;
        caps
    }
}

/// What became of a packet handed to a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reception {
    /// The stack took it.
    Accepted,
    /// A SYN for a listening port whose accept queue is full: dropped before the stack saw it.
    AcceptQueueFull,
}

/// A simulated machine.
pub struct Host {
    name: String,
    address: Ipv4Address,
    pub(crate) iface: Interface,
    pub(crate) device: QueueDevice,
    pub(crate) sockets: SocketSet<'static>,
    pub(crate) table: SocketTable,
    /// A socket call changed the table since the last tidy.
    pub(crate) table_changed: bool,
    /// Something reached the stack (a packet, a call) since the last poll.
    pub(crate) touched: bool,
    /// When the stack asked to be polled, as of the last [`Host::poll_at`].
    next_poll: Option<Instant>,
}

impl Host {
    /// A host with `address` and 127.0.0.1, whose stack draws its randomness from `seed`.
    pub fn new(name: String, address: Ipv4Address, seed: u64, now: Instant) -> Self {
        let mut device = QueueDevice::default();
        let mut config = Config::new(HardwareAddress::Ip);
        config.random_seed = seed;
        let mut iface = Interface::new(config, &mut device, now);
        iface.update_ip_addrs(|addrs| {
            // The host's own address first: smoltcp falls back to the first one as a source.
            addrs.push(IpCidr::new(IpAddress::Ipv4(address), 24)).expect("room for two addresses");
            addrs.push(IpCidr::new(IpAddress::Ipv4(LOOPBACK), 8)).expect("room for two addresses");
        });
        // Every destination is "on the wire": the network does the routing, so the stack only
        // needs a route to exist. The gateway is never used on an IP-medium interface.
        iface.routes_mut().add_default_ipv4_route(address).expect("room for a default route");
        Host {
            name,
            address,
            iface,
            device,
            sockets: SocketSet::new(Vec::new()),
            table: SocketTable::default(),
            table_changed: false,
            touched: false,
            next_poll: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn address(&self) -> Ipv4Address {
        self.address
    }

    /// Whether a packet to `address` is for this host.
    pub fn owns(&self, address: Ipv4Address) -> bool {
        address == self.address || address.octets()[0] == 127
    }

    /// When the stack next wants to be polled; never earlier than `now`.
    pub fn poll_at(&mut self, now: Instant) -> Option<Instant> {
        self.next_poll = self.iface.poll_at(now, &self.sockets).map(|at| at.max(now));
        self.next_poll
    }

    /// Whether polling at `now` has anything to do: something reached the stack, or a timer is due.
    /// Skipping the hosts an event did not touch saves most of the network's polling.
    pub fn wants_poll(&self, now: Instant) -> bool {
        self.touched || self.next_poll.is_some_and(|at| at <= now)
    }

    /// Runs the stack at `now` and returns the packets it transmitted.
    ///
    /// Around the poll, every socket whose FIN is unacknowledged with nothing else left to send gets
    /// a keep-alive. On a healthy socket the retransmission timer runs and the keep-alive does
    /// nothing; on one whose fast retransmit disarmed that timer, it sends one keep-alive probe,
    /// which arms the timer again, so the FIN is retransmitted after the RTO, as Linux would.
    pub fn poll(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let awaiting_fin_ack = self.table.awaiting_fin_ack();
        for &handle in awaiting_fin_ack {
            self.sockets.get_mut::<tcp::Socket>(handle).set_keep_alive(Some(FIN_REARM_DELAY));
        }
        self.touched = false;
        self.next_poll = None;
        let changed = self.iface.poll(now, &mut self.device, &mut self.sockets) == PollResult::SocketStateChanged;
        for &handle in self.table.awaiting_fin_ack() {
            self.sockets.get_mut::<tcp::Socket>(handle).set_keep_alive(None);
        }
        // The table's bookkeeping only has work when a socket or a call changed something.
        if changed || self.table_changed {
            self.table.tidy(&mut self.sockets);
            self.table_changed = false;
        }
        core::mem::take(&mut self.device.tx)
    }

    /// Hands the stack a packet that arrived at `now`; what it transmits in answer is collected by
    /// the next [`Host::poll`], which the network makes at the same instant.
    pub fn deliver(&mut self, packet: PacketBytes, now: Instant) -> Reception {
        let mut masked_listeners = Vec::new();
        if let Some((local, remote)) = port_unreachable(&packet) {
            self.table.note_port_unreachable(&self.sockets, local, remote);
        }
        if let Some(segment) = SegmentFacts::parse(&packet) {
            if segment.rst {
                self.table.note_reset(&self.sockets, segment.local, segment.remote);
            }
            if segment.is_connection_request() {
                if self.connection_exists(&segment) {
                    masked_listeners = self.mask_listeners(segment.local.port);
                } else if self.table.accept_queue_full(&self.sockets, segment.local) {
                    return Reception::AcceptQueueFull;
                }
            }
        }
        self.device.rx.push(packet);
        self.touched = true;
        // Ingress only: what the stack sends in answer goes out with the next `poll`.
        let processed = self.iface.poll_ingress_single(now, &mut self.device, &mut self.sockets);
        for (handle, endpoint) in masked_listeners {
            let socket = self.sockets.get_mut::<tcp::Socket>(handle);
            // A closed socket can always listen again on the endpoint it had.
            let _ = socket.listen(endpoint);
        }
        if processed != PollIngressSingleResult::None {
            self.table.tidy(&mut self.sockets);
        }
        Reception::Accepted
    }

    /// Whether a socket already holds the connection a SYN asks for (a retransmitted or duplicated SYN).
    fn connection_exists(&self, segment: &SegmentFacts) -> bool {
        self.sockets.iter().any(|(_, socket)| match socket {
            smoltcp::socket::Socket::Tcp(tcp) => {
                tcp.local_endpoint() == Some(segment.local) && tcp.remote_endpoint() == Some(segment.remote)
            }
            _ => false,
        })
    }

    /// smoltcp gives a segment to the first socket that accepts it, and a spare listener accepts any
    /// SYN of its port. Closing the spare listeners of `port` for one delivery lets a repeated SYN
    /// reach its own connection; the caller reopens them. Returns what to reopen.
    fn mask_listeners(&mut self, port: u16) -> Vec<(SocketHandle, smoltcp::wire::IpListenEndpoint)> {
        let mut masked = Vec::new();
        for (handle, socket) in self.sockets.iter_mut() {
            if let smoltcp::socket::Socket::Tcp(tcp) = socket {
                if tcp.state() == tcp::State::Listen && tcp.listen_endpoint().port == port {
                    masked.push((handle, tcp.listen_endpoint()));
                    tcp.abort();
                }
            }
        }
        masked
    }
}

/// For an ICMP "port unreachable", the datagram it answers: (its source, its destination).
fn port_unreachable(packet: &[u8]) -> Option<(IpEndpoint, IpEndpoint)> {
    let ip = Ipv4Packet::new_checked(packet).ok()?;
    if ip.next_header() != IpProtocol::Icmp {
        return None;
    }
    let icmp = Icmpv4Packet::new_checked(ip.payload()).ok()?;
    if icmp.msg_type() != Icmpv4Message::DstUnreachable
        || icmp.msg_code() != u8::from(Icmpv4DstUnreachable::PortUnreachable)
    {
        return None;
    }
    // The ICMP body quotes the datagram's IP header and the first 8 bytes of its UDP header.
    let quoted = icmp.data();
    let original = Ipv4Packet::new_unchecked(quoted);
    let header_len = usize::from(*quoted.first()? & 0x0f) * 4;
    let udp = quoted.get(header_len..header_len + 4)?;
    if quoted.len() < 20 || original.next_header() != IpProtocol::Udp {
        return None;
    }
    let source_port = u16::from_be_bytes([udp[0], udp[1]]);
    let destination_port = u16::from_be_bytes([udp[2], udp[3]]);
    Some((
        IpEndpoint::new(IpAddress::Ipv4(original.src_addr()), source_port),
        IpEndpoint::new(IpAddress::Ipv4(original.dst_addr()), destination_port),
    ))
}

/// The few facts of an arriving TCP segment the host acts on.
struct SegmentFacts {
    /// This host's end (the segment's destination).
    local: IpEndpoint,
    /// The sender's end.
    remote: IpEndpoint,
    syn: bool,
    ack: bool,
    rst: bool,
}

impl SegmentFacts {
    fn parse(packet: &[u8]) -> Option<Self> {
        let ip = Ipv4Packet::new_checked(packet).ok()?;
        if ip.next_header() != IpProtocol::Tcp {
            return None;
        }
        let tcp = TcpPacket::new_checked(ip.payload()).ok()?;
        Some(SegmentFacts {
            local: IpEndpoint::new(IpAddress::Ipv4(ip.dst_addr()), tcp.dst_port()),
            remote: IpEndpoint::new(IpAddress::Ipv4(ip.src_addr()), tcp.src_port()),
            syn: tcp.syn(),
            ack: tcp.ack(),
            rst: tcp.rst(),
        })
    }

    fn is_connection_request(&self) -> bool {
        self.syn && !self.ack && !self.rst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_as_the_standard_library_reads_them() {
        let texts = [
            "10.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.2.3.00",
            "1.2.3.0",
            "1..3.4",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4 ",
            " 1.2.3.4",
            "+1.2.3.4",
            "1.2.3.-4",
            "1000.2.3.4",
            "0001.2.3.4",
            "1.2.3.a",
            "",
            "localhost",
            "192.168.100.200",
            "1.2.3.4\n",
            "99.99.99.999",
        ];
        for text in texts {
            assert_eq!(parse_address(text), text.parse::<Ipv4Address>().ok(), "{text:?}");
        }
    }
}
