//! The network: hosts, links, the virtual clock and the events that move it.
//!
//! Nothing here reads a wall clock. Time is one [`Instant`] for the whole network, and it moves
//! only by [`Network::step`], to the earliest of: a packet's trip ending on a link, a host's stack
//! asking to be polled (a retransmission or delayed-ACK timer), or a blocked call's timeout. Every
//! IP packet a host transmits is routed here by its destination address (to the host itself over
//! its loopback link, to another host over the link between them, or nowhere: "no route to host"),
//! recorded in the [`Trace`], and put on the wire. One seeded RNG decides every loss, jitter and
//! ephemeral port, so the same seed and the same calls give the same packets, byte for byte.

use std::fmt;
use std::rc::Rc;

use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{Ipv4Address, Ipv4Packet};

use super::host::{Host, HostId, Reception};
use super::link::{Ending, Impairments, InFlight, Link, LinkId};
use super::random::Random;
use super::socket_api::{Blocking, Call, CallContext, CallResult, Start};
use super::socket_table::{Fd, SocketView};
use super::trace::{Fate, PacketId, PacketKind, PacketRecord, PacketSummary, Trace, DEFAULT_TRACE_CAPACITY};

/// The number a blocked call is known by until it completes.
pub type CallId = u64;

/// The one-way delay of every loopback link: short, but long enough to see.
pub const LOOPBACK_DELAY: Duration = Duration::from_micros(500);

/// How many steps may happen at one instant before the network suspects a stack that keeps asking
/// to be polled "now" and moves its clock on by a microsecond.
const STEPS_PER_INSTANT: u32 = 10_000;

/// What a call did when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallStatus {
    Done(CallResult),
    /// The call blocks; its result comes later as a [`Completion`] with this id.
    Blocked(CallId),
}

/// A blocked call that has finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub call: CallId,
    pub host: HostId,
    pub fd: Fd,
    pub at: Instant,
    pub result: CallResult,
}

/// A call waiting in a host's socket for the network.
#[derive(Debug, Clone)]
pub struct PendingCall {
    pub id: CallId,
    pub host: HostId,
    pub fd: Fd,
    pub blocking: Blocking,
    /// When `settimeout` makes it give up.
    pub deadline: Option<Instant>,
}

/// A one-shot order to drop the next matching packet sent on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropRule {
    pub link: LinkId,
    /// Only packets sent by this host (either direction when `None`).
    pub from: Option<HostId>,
    /// Only packets of this kind (any when `None`).
    pub kind: Option<PacketKind>,
}

/// Why a topology change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopologyError {
    DuplicateName(String),
    DuplicateAddress(Ipv4Address),
    /// 0.0.0.0, 127.x.x.x, multicast and broadcast addresses belong to no single host.
    ReservedAddress(Ipv4Address),
    UnknownHost(HostId),
    LinkExists(HostId, HostId),
    /// A host reaches itself over its loopback link, which every host already has.
    LinkToItself(HostId),
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopologyError::DuplicateName(name) => write!(f, "a host named \"{name}\" already exists"),
            TopologyError::DuplicateAddress(addr) => write!(f, "another host already has address {addr}"),
            TopologyError::ReservedAddress(addr) => {
                write!(f, "{addr} cannot be a host's address (it is reserved)")
            }
            TopologyError::UnknownHost(id) => write!(f, "there is no host number {id}"),
            TopologyError::LinkExists(a, b) => write!(f, "hosts {a} and {b} are already linked"),
            TopologyError::LinkToItself(id) => write!(f, "host {id} cannot be linked to itself"),
        }
    }
}

impl std::error::Error for TopologyError {}

/// A simulated network.
pub struct Network {
    seed: u64,
    now: Instant,
    rng: Random,
    hosts: Vec<Host>,
    /// Each host's loopback link, by host id.
    loopbacks: Vec<LinkId>,
    links: Vec<Link>,
    /// Host names to addresses: the network's DNS. A list, looked through: a lesson has at most
    /// 32 hosts, and a map's code would weigh more in the page.
    names: Vec<(String, Ipv4Address)>,
    trace: Trace,
    next_packet: PacketId,
    pending: Vec<PendingCall>,
    next_call: CallId,
    completions: Vec<Completion>,
    drop_rules: Vec<DropRule>,
    steps_at_this_instant: u32,
    /// The packets whose trips end at this step, kept to reuse its allocation.
    ended: Vec<InFlight>,
    /// Counts the changes: events handled, calls made, hosts, links and rules added or changed.
    revision: u64,
}

impl Network {
    pub fn new(seed: u64) -> Self {
        Self::with_trace_capacity(seed, DEFAULT_TRACE_CAPACITY)
    }

    /// A network whose trace keeps the newest `capacity` packets.
    pub fn with_trace_capacity(seed: u64, capacity: usize) -> Self {
        Network {
            seed,
            now: Instant::ZERO,
            rng: Random::new(seed),
            hosts: Vec::new(),
            loopbacks: Vec::new(),
            links: Vec::new(),
            names: Vec::new(),
            trace: Trace::new(capacity),
            next_packet: 0,
            pending: Vec::new(),
            next_call: 0,
            completions: Vec::new(),
            drop_rules: Vec::new(),
            steps_at_this_instant: 0,
            ended: Vec::new(),
            revision: 0,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> Instant {
        self.now
    }

    /// A number that changes whenever the network may have changed other than by the clock
    /// moving on: so a page redraws its hosts and packet list only when it must.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    pub fn host(&self, id: HostId) -> Option<&Host> {
        self.hosts.get(id)
    }

    pub fn host_id(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().position(|host| host.name() == name)
    }

    pub fn host_with_address(&self, address: Ipv4Address) -> Option<HostId> {
        self.hosts.iter().position(|host| host.address() == address)
    }

    /// The address a host's name stands for: the network's DNS, as `gethostbyname` reads it.
    pub fn resolve(&self, name: &str) -> Option<Ipv4Address> {
        lookup(&self.names, name)
    }

    /// What a host's descriptor is now, as `getsockname` and `getpeername` read it.
    pub fn socket_view(&self, host: HostId, fd: Fd) -> Option<SocketView> {
        let host = self.hosts.get(host)?;
        host.table.entries.get(&fd).map(|entry| entry.view(fd, &host.sockets))
    }

    pub fn links(&self) -> &[Link] {
        &self.links
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Adds a host with `address` (and 127.0.0.1, over a loopback link of its own).
    pub fn add_host(&mut self, name: &str, address: Ipv4Address) -> Result<HostId, TopologyError> {
        self.revision += 1;
        let [first, ..] = address.octets();
        if address.is_unspecified() || first == 127 || address.is_multicast() || address.is_broadcast() {
            return Err(TopologyError::ReservedAddress(address));
        }
        if self.host_id(name).is_some() {
            return Err(TopologyError::DuplicateName(name.into()));
        }
        if self.host_with_address(address).is_some() {
            return Err(TopologyError::DuplicateAddress(address));
        }
        let id = self.hosts.len();
        // Each host's stack gets its own seed, derived from the network's, for ISNs and IP ids.
        let host_seed = Random::new(self.seed ^ ((id as u64 + 1) << 32)).next_u64();
        self.hosts.push(Host::new(name.into(), address, host_seed, self.now));
        self.names.push((name.into(), address));
        self.links.push(Link::new(id, id, Impairments::with_delay(LOOPBACK_DELAY)));
        self.loopbacks.push(self.links.len() - 1);
        Ok(id)
    }

    /// Joins two hosts with a link whose two directions start with the same impairments.
    pub fn add_link(&mut self, a: HostId, b: HostId, impairments: Impairments) -> Result<LinkId, TopologyError> {
        self.revision += 1;
        for host in [a, b] {
            if host >= self.hosts.len() {
                return Err(TopologyError::UnknownHost(host));
            }
        }
        if a == b {
            return Err(TopologyError::LinkToItself(a));
        }
        if self.link_between(a, b).is_some() {
            return Err(TopologyError::LinkExists(a, b));
        }
        self.links.push(Link::new(a, b, impairments));
        Ok(self.links.len() - 1)
    }

    /// The link between two hosts, or a host's loopback link when `a == b`.
    pub fn link_between(&self, a: HostId, b: HostId) -> Option<LinkId> {
        if a == b {
            return self.loopbacks.get(a).copied();
        }
        // A look through the links (a lesson has at most a hundred or so) rather than an index:
        // smaller in the page.
        self.links.iter().position(|link| link.ends() == [a, b] || link.ends() == [b, a])
    }

    /// Changes what one direction of a link (the packets `from` sends) does.
    pub fn set_impairments(&mut self, link: LinkId, from: HostId, impairments: Impairments) {
        self.revision += 1;
        if let Some(link) = self.links.get_mut(link) {
            link.set_impairments(from, impairments);
        }
    }

    /// Makes a socket call on a host. The host's stack runs at once, so a `connect` sends its SYN now.
    pub fn call(&mut self, host: HostId, call: Call) -> CallStatus {
        self.revision += 1;
        let Some(target) = self.hosts.get_mut(host) else {
            return CallStatus::Done(Err(super::SocketError::bad_file_descriptor()));
        };
        let fd = call.fd();
        let may_transmit = call.may_transmit();
        let names = &self.names;
        let resolve = |name: &str| lookup(names, name);
        let mut cx = CallContext { rng: &mut self.rng, resolve: &resolve };
        let started = target.start(call, &mut cx);
        target.table_changed = true;
        target.touched |= may_transmit;
        let status = match started {
            Start::Done(result) => CallStatus::Done(result),
            Start::Blocked(blocking) => {
                let fd = fd.expect("only calls on a socket block");
                let timeout = target.table.timeout(fd).flatten();
                let id = self.next_call;
                self.next_call += 1;
                self.pending.push(PendingCall {
                    id,
                    host,
                    fd,
                    blocking,
                    deadline: timeout.map(|timeout| self.now + timeout),
                });
                CallStatus::Blocked(id)
            }
        };
        self.settle();
        status
    }

    /// Blocked calls that finished since the last time this was asked, in the order they finished.
    pub fn take_completions(&mut self) -> Vec<Completion> {
        core::mem::take(&mut self.completions)
    }

    /// The calls still blocked.
    pub fn pending(&self) -> &[PendingCall] {
        &self.pending
    }

    /// When the next event is due, if anything is left to happen.
    pub fn next_event_at(&mut self) -> Option<Instant> {
        let now = self.now;
        let stalled = self.steps_at_this_instant >= STEPS_PER_INSTANT;
        let mut next: Option<Instant> = None;
        let mut consider = |at: Option<Instant>| {
            if let Some(at) = at {
                next = Some(next.map_or(at, |next| next.min(at)));
            }
        };
        for link in &mut self.links {
            consider(link.next_ending());
        }
        for host in &mut self.hosts {
            consider(host.poll_at(now).map(|at| if stalled { at.max(now + Duration::from_micros(1)) } else { at }));
        }
        for call in &self.pending {
            consider(call.deadline);
        }
        next
    }

    /// Moves the clock to the next event and handles everything due then. Returns the new time,
    /// or `None` when nothing is left to happen.
    pub fn step(&mut self) -> Option<Instant> {
        let at = self.next_event_at()?;
        self.handle_events_at(at);
        Some(at)
    }

    /// Handles every event up to and including `time`, then sets the clock to `time`.
    pub fn run_until(&mut self, time: Instant) {
        while let Some(at) = self.next_event_at().filter(|&at| at <= time) {
            self.handle_events_at(at);
        }
        self.now = self.now.max(time);
    }

    /// Moves the clock to `at`, the next event's time, and handles everything due then.
    fn handle_events_at(&mut self, at: Instant) {
        self.revision += 1;
        let at = at.max(self.now);
        if at == self.now {
            self.steps_at_this_instant += 1;
        } else {
            self.steps_at_this_instant = 0;
        }
        self.now = at;
        self.end_trips();
        self.settle();
    }

    /// Ends the trips of the packets due now, in time order then send order.
    fn end_trips(&mut self) {
        let now = self.now;
        let mut ended = core::mem::take(&mut self.ended);
        for link in &mut self.links {
            while let Some(packet) = link.pop_ended(now) {
                ended.push(packet);
            }
        }
        super::order::sort(&mut ended, |packet| (super::order::signed(packet.ends_at.total_micros()), packet.packet));
        for packet in ended.drain(..) {
            let fate = match packet.ending {
                Ending::Lost => Fate::Lost { at: now },
                Ending::DroppedByHand => Fate::DroppedByHand { at: now },
                Ending::Arrives => match self.hosts[packet.to].deliver(packet.bytes, now) {
                    Reception::Accepted => Fate::Delivered { at: now },
                    Reception::AcceptQueueFull => Fate::AcceptQueueFull { at: now },
                },
            };
            self.trace.set_fate(packet.packet, fate);
        }
        self.ended = ended;
    }

    /// Runs every stack at the current time, puts what they send on the wire, and finishes the
    /// blocked calls that can finish, until nothing more changes.
    fn settle(&mut self) {
        loop {
            for host in 0..self.hosts.len() {
                if !self.hosts[host].wants_poll(self.now) {
                    continue;
                }
                let sent = self.hosts[host].poll(self.now);
                for packet in sent {
                    self.transmit(host, packet);
                }
            }
            if !self.resume_pending() {
                break;
            }
        }
    }

    /// Tries every blocked call once; returns whether any finished or made progress (a `sendall`
    /// that queued more bytes), marking its host for another poll.
    fn resume_pending(&mut self) -> bool {
        let now = self.now;
        let mut progressed = false;
        let mut index = 0;
        while index < self.pending.len() {
            let call = &mut self.pending[index];
            let host = &mut self.hosts[call.host];
            let queued_before = call.blocking.queued();
            let result = if !host.table.is_open(call.fd) {
                Some(Err(super::SocketError::bad_file_descriptor()))
            } else if let Some(result) = host.resume(call.fd, &mut call.blocking) {
                Some(result)
            } else if call.deadline.is_some_and(|deadline| deadline <= now) {
                // Python raises; the kernel goes on (a connect keeps trying, as on Linux).
                Some(Err(super::SocketError::timed_out()))
            } else {
                None
            };
            if result.is_some() || call.blocking.queued() != queued_before {
                host.touched = true;
                progressed = true;
            }
            match result {
                Some(result) => {
                    let call = self.pending.remove(index);
                    self.completions.push(Completion { call: call.id, host: call.host, fd: call.fd, at: now, result });
                }
                None => index += 1,
            }
        }
        progressed
    }

    /// Routes a packet a host sent, records it, and puts it on its link.
    fn transmit(&mut self, from: HostId, bytes: Vec<u8>) {
        let Some(summary) = PacketSummary::decode(&bytes) else {
            return;
        };
        let destination = Ipv4Packet::new_unchecked(&bytes[..]).dst_addr();
        let bytes = Rc::new(bytes);
        let to = if self.hosts[from].owns(destination) { Some(from) } else { self.host_with_address(destination) };
        let link = to.and_then(|to| self.link_between(from, to));
        let id = self.next_packet;
        self.next_packet += 1;
        let mut record = PacketRecord {
            id,
            sent_at: self.now,
            link,
            from,
            to,
            summary,
            duplicate_of: None,
            fate: Fate::InFlight,
            bytes,
        };
        let (Some(link_id), Some(to)) = (link, to) else {
            if record.summary.kind == PacketKind::Syn {
                let (local, remote) = (record.summary.src, record.summary.dst);
                let host = &mut self.hosts[from];
                host.table.note_unreachable(&host.sockets, local.into(), remote.into());
            }
            record.fate = Fate::NoRoute { at: self.now };
            self.trace.record(record);
            return;
        };

        let dropped_by_rule = self.take_drop_rule(link_id, from, record.summary.kind);
        let link = &mut self.links[link_id];
        let transit = link.schedule(from, self.now, record.bytes.len(), &mut self.rng);
        let ending = if dropped_by_rule {
            Ending::DroppedByHand
        } else if transit.lost {
            Ending::Lost
        } else {
            Ending::Arrives
        };
        let halfway = self.now + Duration::from_micros((transit.arrives_at - self.now).total_micros() / 2);
        let in_flight = InFlight {
            packet: id,
            from,
            to,
            sent_at: self.now,
            arrives_at: transit.arrives_at,
            ends_at: if ending == Ending::Arrives { transit.arrives_at } else { halfway },
            ending,
            bytes: Rc::clone(&record.bytes),
        };
        link.launch(in_flight.clone());
        let copy = transit.duplicate_arrives_at.map(|arrives_at| {
            let mut copy_record = record.clone();
            copy_record.id = id + 1;
            copy_record.duplicate_of = Some(id);
            // The copy is a packet of its own: a drop rule or a loss took only the original.
            let copy =
                InFlight { packet: id + 1, arrives_at, ends_at: arrives_at, ending: Ending::Arrives, ..in_flight };
            (copy_record, copy)
        });
        self.trace.record(record);
        if let Some((copy_record, copy)) = copy {
            self.next_packet += 1;
            self.links[link_id].launch(copy);
            self.trace.record(copy_record);
        }
    }

    /// Consumes the first drop rule that matches a packet, if any.
    fn take_drop_rule(&mut self, link: LinkId, from: HostId, kind: PacketKind) -> bool {
        let position = self.drop_rules.iter().position(|rule| {
            rule.link == link && rule.from.is_none_or(|host| host == from) && rule.kind.is_none_or(|k| k == kind)
        });
        position.map(|index| self.drop_rules.remove(index)).is_some()
    }

    /// Drops the next packet that matches `rule`, halfway along its link.
    pub fn drop_next(&mut self, rule: DropRule) {
        self.revision += 1;
        self.drop_rules.push(rule);
    }

    /// Takes a packet off its link now, as a person clicking it does. Returns whether it was in flight.
    pub fn drop_packet(&mut self, id: PacketId) -> bool {
        self.revision += 1;
        let Some(link) = self.trace.get(id).and_then(|record| record.link) else {
            return false;
        };
        if self.links[link].remove(id).is_none() {
            return false;
        }
        self.trace.set_fate(id, Fate::DroppedByHand { at: self.now });
        true
    }
}

/// The address `name` stands for in the network's DNS.
fn lookup(names: &[(String, Ipv4Address)], name: &str) -> Option<Ipv4Address> {
    names.iter().find(|(known, _)| known == name).map(|&(_, address)| address)
}
