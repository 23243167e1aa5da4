//! The life of every packet: what it is, where it went, and how its trip ended.
//!
//! The network records each IP packet a host transmits as a [`PacketRecord`]: its bytes, a
//! [`PacketSummary`] decoded with `smoltcp::wire` (endpoints, flags, absolute and relative sequence
//! numbers, payload preview) and its [`Fate`]. The [`Trace`] keeps the newest records, so an hour
//! of traffic keeps memory flat.

use std::fmt;
use std::net::SocketAddrV4;
use std::rc::Rc;

use serde::Serialize;
use smoltcp::time::Instant;
use smoltcp::wire::{Icmpv4Message, Icmpv4Packet, IpProtocol, Ipv4Packet, TcpPacket, UdpPacket};

use super::host::HostId;
use super::link::LinkId;
use super::sorted_map::SortedMap;

/// A packet's number in its network, from 0, in the order packets are sent.
pub type PacketId = u64;

/// A packet's bytes, shared by the trace, the wire and the receiving card without copies.
pub type PacketBytes = Rc<Vec<u8>>;

/// How many packets a trace keeps by default before it forgets the oldest.
pub const DEFAULT_TRACE_CAPACITY: usize = 20_000;

/// How many payload bytes a summary shows.
const PREVIEW_LEN: usize = 24;

/// What a packet is, as the page colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PacketKind {
    Syn,
    SynAck,
    Ack,
    Data,
    Fin,
    Rst,
    Udp,
    Icmp,
    Other,
}

impl PacketKind {
    pub fn label(self) -> &'static str {
        match self {
            PacketKind::Syn => "SYN",
            PacketKind::SynAck => "SYN-ACK",
            PacketKind::Ack => "ACK",
            PacketKind::Data => "DATA",
            PacketKind::Fin => "FIN",
            PacketKind::Rst => "RST",
            PacketKind::Udp => "UDP",
            PacketKind::Icmp => "ICMP",
            PacketKind::Other => "IP",
        }
    }

    /// Every kind a lesson can name.
    pub const ALL: [PacketKind; 8] = [
        PacketKind::Syn,
        PacketKind::SynAck,
        PacketKind::Ack,
        PacketKind::Data,
        PacketKind::Fin,
        PacketKind::Rst,
        PacketKind::Udp,
        PacketKind::Icmp,
    ];

    /// Parses a label as lesson files write it (`"syn-ack"`, `"data"`, …), ignoring case.
    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.label().eq_ignore_ascii_case(label))
    }
}

/// The TCP flags of a segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TcpFlags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
    pub psh: bool,
}

impl fmt::Display for TcpFlags {
    /// Wireshark's order and spelling: `SYN, ACK`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [(self.fin, "FIN"), (self.syn, "SYN"), (self.rst, "RST"), (self.psh, "PSH"), (self.ack, "ACK")];
        let mut first = true;
        for (_, name) in names.iter().filter(|(set, _)| *set) {
            if !first {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
            first = false;
        }
        Ok(())
    }
}

/// The transport-layer facts of a packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "protocol", rename_all = "lowercase")]
pub enum Transport {
    Tcp {
        flags: TcpFlags,
        seq: u32,
        ack: u32,
        /// Sequence number relative to the sender's initial one, as Wireshark shows it.
        relative_seq: Option<u32>,
        /// Acknowledgement number relative to the receiver's initial sequence number.
        relative_ack: Option<u32>,
        window: u16,
    },
    Udp,
    Icmp {
        description: String,
    },
    Other {
        number: u8,
    },
}

/// A packet decoded for people: who talks to whom, with what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PacketSummary {
    pub kind: PacketKind,
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub transport: Transport,
    /// Transport payload length in bytes.
    pub payload_len: usize,
    /// The first payload bytes, printable ASCII kept and the rest shown as `.`.
    pub preview: String,
}

impl PacketSummary {
    /// Decodes a raw IPv4 packet; `None` when it is not one.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let ip = Ipv4Packet::new_checked(bytes).ok()?;
        let (src_ip, dst_ip) = (ip.src_addr(), ip.dst_addr());
        let (src_port, dst_port, transport, kind, payload) = match ip.next_header() {
            IpProtocol::Tcp => {
                let tcp = TcpPacket::new_checked(ip.payload()).ok()?;
                let flags = TcpFlags { syn: tcp.syn(), ack: tcp.ack(), fin: tcp.fin(), rst: tcp.rst(), psh: tcp.psh() };
                let kind = match flags {
                    TcpFlags { rst: true, .. } => PacketKind::Rst,
                    TcpFlags { syn: true, ack: true, .. } => PacketKind::SynAck,
                    TcpFlags { syn: true, .. } => PacketKind::Syn,
                    // A segment that carries bytes is data, even when it also says FIN.
                    _ if !tcp.payload().is_empty() => PacketKind::Data,
                    TcpFlags { fin: true, .. } => PacketKind::Fin,
                    _ => PacketKind::Ack,
                };
                let transport = Transport::Tcp {
                    flags,
                    seq: tcp.seq_number().0 as u32,
                    ack: if flags.ack { tcp.ack_number().0 as u32 } else { 0 },
                    relative_seq: None,
                    relative_ack: None,
                    window: tcp.window_len(),
                };
                (tcp.src_port(), tcp.dst_port(), transport, kind, tcp.payload())
            }
            IpProtocol::Udp => {
                let udp = UdpPacket::new_checked(ip.payload()).ok()?;
                (udp.src_port(), udp.dst_port(), Transport::Udp, PacketKind::Udp, udp.payload())
            }
            IpProtocol::Icmp => {
                let icmp = Icmpv4Packet::new_checked(ip.payload()).ok()?;
                let description = match icmp.msg_type() {
                    Icmpv4Message::DstUnreachable => "destination unreachable".into(),
                    Icmpv4Message::EchoRequest => "echo request".into(),
                    Icmpv4Message::EchoReply => "echo reply".into(),
                    other => other.to_string(),
                };
                (0, 0, Transport::Icmp { description }, PacketKind::Icmp, &[][..])
            }
            other => (0, 0, Transport::Other { number: other.into() }, PacketKind::Other, ip.payload()),
        };
        Some(PacketSummary {
            kind,
            src: SocketAddrV4::new(src_ip, src_port),
            dst: SocketAddrV4::new(dst_ip, dst_port),
            transport,
            payload_len: payload.len(),
            preview: super::dissect::preview(payload, PREVIEW_LEN),
        })
    }

    pub fn tcp_flags(&self) -> Option<TcpFlags> {
        match self.transport {
            Transport::Tcp { flags, .. } => Some(flags),
            _ => None,
        }
    }

    /// One line, as the ladder and the headless runner print it:
    /// `10.0.0.1:49152 → 10.0.0.2:80 [SYN] seq=0 len=0`.
    pub fn describe(&self) -> String {
        let mut line = format!("{} → {} ", self.src, self.dst);
        match &self.transport {
            Transport::Tcp { flags, seq, ack, relative_seq, relative_ack, .. } => {
                line += &format!("[{flags}] seq={}", relative_seq.unwrap_or(*seq));
                if flags.ack {
                    line += &format!(" ack={}", relative_ack.unwrap_or(*ack));
                }
                line += &format!(" len={}", self.payload_len);
            }
            Transport::Udp => line += &format!("UDP len={}", self.payload_len),
            Transport::Icmp { description } => line += &format!("ICMP {description}"),
            Transport::Other { number } => line += &format!("IP proto={number}"),
        }
        if !self.preview.is_empty() {
            line += &format!(" \"{}\"", self.preview);
        }
        line
    }
}

/// Writes a virtual time as whole microseconds.
fn micros<S: serde::Serializer>(time: &Instant, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(time.total_micros())
}

/// How a packet's trip ended, or that it has not yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "fate", rename_all = "kebab-case")]
pub enum Fate {
    InFlight,
    Delivered {
        #[serde(rename = "at_us", serialize_with = "micros")]
        at: Instant,
    },
    Lost {
        #[serde(rename = "at_us", serialize_with = "micros")]
        at: Instant,
    },
    DroppedByHand {
        #[serde(rename = "at_us", serialize_with = "micros")]
        at: Instant,
    },
    /// A SYN that reached a listening port whose accept queue was full, dropped as Linux does.
    AcceptQueueFull {
        #[serde(rename = "at_us", serialize_with = "micros")]
        at: Instant,
    },
    /// A packet to an address no host has, or no link reaches.
    NoRoute {
        #[serde(rename = "at_us", serialize_with = "micros")]
        at: Instant,
    },
}

impl Fate {
    /// The fates' names, as lesson files and `--trace` JSON write them.
    pub const NAMES: [&'static str; 6] =
        ["in-flight", "delivered", "lost", "dropped-by-hand", "accept-queue-full", "no-route"];

    /// The fate's name, as lesson files and `--trace` JSON write it (`dropped-by-hand`).
    pub fn name(&self) -> &'static str {
        let index = match self {
            Fate::InFlight => 0,
            Fate::Delivered { .. } => 1,
            Fate::Lost { .. } => 2,
            Fate::DroppedByHand { .. } => 3,
            Fate::AcceptQueueFull { .. } => 4,
            Fate::NoRoute { .. } => 5,
        };
        Self::NAMES[index]
    }

    /// The fate in words, for the ladder (`dropped by hand`).
    pub fn label(&self) -> &'static str {
        match self {
            Fate::InFlight => "in flight",
            Fate::Delivered { .. } => "delivered",
            Fate::Lost { .. } => "lost",
            Fate::DroppedByHand { .. } => "dropped by hand",
            Fate::AcceptQueueFull { .. } => "accept queue full",
            Fate::NoRoute { .. } => "no route to host",
        }
    }

    /// When the trip ended.
    pub fn at(&self) -> Option<Instant> {
        match *self {
            Fate::InFlight => None,
            Fate::Delivered { at }
            | Fate::Lost { at }
            | Fate::DroppedByHand { at }
            | Fate::AcceptQueueFull { at }
            | Fate::NoRoute { at } => Some(at),
        }
    }
}

/// One packet's life.
#[derive(Debug, Clone, Serialize)]
pub struct PacketRecord {
    pub id: PacketId,
    #[serde(rename = "sent_at_us", serialize_with = "micros")]
    pub sent_at: Instant,
    /// The link it travels; `None` when it had no route.
    pub link: Option<LinkId>,
    pub from: HostId,
    /// The host it is bound for; `None` when no host has the destination address.
    pub to: Option<HostId>,
    pub summary: PacketSummary,
    /// Set on the second copy a duplicating link makes: the id of the original.
    pub duplicate_of: Option<PacketId>,
    pub fate: Fate,
    #[serde(skip)]
    pub bytes: PacketBytes,
}

/// The newest packets of a network, oldest first.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The records from `first` on are kept; those before it are forgotten, and dropped a batch
    /// at a time. A list and an offset rather than a ring buffer (`VecDeque`), whose code for
    /// records would weigh more in the page.
    records: Vec<PacketRecord>,
    first: usize,
    capacity: usize,
    /// The initial sequence number of each TCP direction (src, dst) seen, for relative numbers.
    /// A sorted list rather than a hash map: the hashing code would weigh more in the page.
    initial_seq: SortedMap<(SocketAddrV4, SocketAddrV4), u32>,
    /// Flow keys in the order they were added, so the oldest are forgotten first.
    flow_order: Vec<(SocketAddrV4, SocketAddrV4)>,
    /// How many packets have been sent or have ended their trip, ever.
    events: u64,
}

impl Trace {
    pub fn new(capacity: usize) -> Self {
        Trace {
            records: Vec::new(),
            first: 0,
            capacity: capacity.max(1),
            initial_seq: SortedMap::new(),
            flow_order: Vec::new(),
            events: 0,
        }
    }

    /// How many packet events there have been: each packet sent, and each trip that ended. A step
    /// of the clock that changes it is one a person would want to watch.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Records a packet, filling in its relative sequence numbers. Returns its summary.
    pub fn record(&mut self, mut record: PacketRecord) -> &PacketRecord {
        self.relate(&mut record.summary);
        self.events += 1;
        if self.len() == self.capacity {
            self.first += 1;
            // Forgotten records take at most a quarter more room than those kept.
            if self.first > self.capacity / 4 {
                self.records.drain(..self.first);
                self.first = 0;
            }
        }
        self.records.push(record);
        self.records.last().expect("just pushed")
    }

    /// The records kept, oldest first.
    fn kept(&self) -> &[PacketRecord] {
        &self.records[self.first..]
    }

    fn relate(&mut self, summary: &mut PacketSummary) {
        let Transport::Tcp { flags, seq, ack, relative_seq, relative_ack, .. } = &mut summary.transport else {
            return;
        };
        let flow = (summary.src, summary.dst);
        // A SYN sets the flow's initial sequence number; a new connection on the same four
        // addresses and ports replaces the old one's.
        if flags.syn && self.initial_seq.insert(flow, *seq).is_none() {
            if self.flow_order.len() == self.capacity {
                let oldest = self.flow_order.remove(0);
                self.initial_seq.remove(&oldest);
            }
            self.flow_order.push(flow);
        }
        *relative_seq = self.initial_seq.get(&flow).map(|isn| seq.wrapping_sub(*isn));
        if flags.ack {
            let reverse = (summary.dst, summary.src);
            *relative_ack = self.initial_seq.get(&reverse).map(|isn| ack.wrapping_sub(*isn));
        }
    }

    pub fn get(&self, id: PacketId) -> Option<&PacketRecord> {
        let kept = self.kept();
        let index = usize::try_from(id.checked_sub(kept.first()?.id)?).ok()?;
        kept.get(index)
    }

    pub fn set_fate(&mut self, id: PacketId, fate: Fate) {
        self.events += 1;
        let kept = &mut self.records[self.first..];
        let Some(first) = kept.first().map(|record| record.id) else { return };
        if let Some(index) = id.checked_sub(first).and_then(|i| usize::try_from(i).ok()) {
            if let Some(record) = kept.get_mut(index) {
                record.fate = fate;
            }
        }
    }

    /// The packets kept, oldest first.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &PacketRecord> + ExactSizeIterator {
        self.kept().iter()
    }

    pub fn len(&self) -> usize {
        self.records.len() - self.first
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fate_names_are_the_json_tags() {
        let at = Instant::from_millis(1);
        let fates = [
            Fate::InFlight,
            Fate::Delivered { at },
            Fate::Lost { at },
            Fate::DroppedByHand { at },
            Fate::AcceptQueueFull { at },
            Fate::NoRoute { at },
        ];
        for fate in fates {
            let json = serde_json::to_value(fate).unwrap();
            assert_eq!(json["fate"], fate.name());
        }
    }

    #[test]
    fn kinds_parse_from_their_labels() {
        for kind in PacketKind::ALL {
            assert_eq!(PacketKind::from_label(&kind.label().to_ascii_lowercase()), Some(kind));
        }
        assert_eq!(PacketKind::from_label("nonsense"), None);
    }
}
