//! Property tests of the engine. Every property runs with a fixed proptest seed, so a failure
//! replays the same way on every machine and every run (no failure-persistence files either).
//! `SOCKSIM_PROPTEST_SCALE=N` multiplies every case count, for a longer soak with the same seeds.
//!
//! - Random socket calls — valid or not — on random small networks with random impairments never
//!   panic, and the data that comes out is data that went in: UDP never invents a datagram, a TCP
//!   reader gets a prefix of what its peer wrote (each byte once, in order), and a call on a closed
//!   descriptor always fails.
//! - TCP is byte-exact through 30 % loss, 0–50 ms of jitter and 10 % duplication.
//!
//! The random plans are programs of a sort: besides single calls (on a host's newest descriptor,
//! any open one, or a raw number) they start echo servers and clients that dial them, so that
//! connections form and data flows. `random_calls_reach_connections_data_and_errors` checks they
//! do, so the invariants are not checked on nothing. `SOCKSIM_DEBUG_CALLS=1` prints every call
//! and its result, to follow a failing case.
//!
//! The engine bugs these tests found are pinned by the regression tests at the end of the file.

mod common;

use common::{pseudo_random_bytes, state_of};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, RngSeed, TestRunner};
use smoltcp::wire::{IpAddress, IpProtocol, Ipv4Packet, TcpPacket, UdpPacket};
use socksim::sim::*;

// ---- Configuration ------------------------------------------------------------------------

/// The proptest seed of the random-calls property (and of its coverage check).
const CALLS_SEED: u64 = 0x50C5_1A11;
/// The proptest seed of the byte-exact transfer property.
const TRANSFER_SEED: u64 = 0xB17E_E7AC;

/// Virtual time the random ops of one case may use, then the time left to settle.
const OPS_TIME: Duration = Duration::from_secs(40);
const CASE_TIME: Duration = Duration::from_secs(60);
/// Network steps one random case may take: far above what any case needs, so a stack that keeps
/// asking to be polled fails the case instead of hanging the suite.
const STEP_BUDGET: u64 = 1_000_000;

/// Virtual time the byte-exact transfer may take.
const TRANSFER_TIME: Duration = Duration::from_secs(600);

/// A fixed-seed configuration: `cases` cases (times `SOCKSIM_PROPTEST_SCALE`), no persistence.
fn fixed(cases: u32, seed: u64) -> ProptestConfig {
    let scale =
        std::env::var("SOCKSIM_PROPTEST_SCALE").ok().and_then(|scale| scale.parse::<u32>().ok()).unwrap_or(1).max(1);
    ProptestConfig {
        cases: cases * scale,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        // Shrinking a long op list can take a while; two minutes finds a small case.
        max_shrink_time: 120_000,
        ..ProptestConfig::default()
    }
}

// ---- Inputs -------------------------------------------------------------------------------

/// Which descriptor a call is made on: one the host has open (the n-th, modulo how many), or a
/// raw number that may name nothing.
#[derive(Debug, Clone, Copy)]
enum FdSel {
    /// The descriptor the host opened last (and has not closed).
    Newest,
    Open(u8),
    Raw(i32),
    /// A descriptor the harness names itself (for the echo servers' calls).
    Exact(Fd),
}

/// Bytes to send: `len` bytes, starting with a tag unique in the case, the rest pseudo-random.
#[derive(Debug, Clone, Copy)]
struct DataSpec {
    len: u16,
    seed: u8,
}

/// What a send sends: bytes made from a spec, or bytes an echo server read.
#[derive(Debug, Clone)]
enum Data {
    Spec(DataSpec),
    Exact(Vec<u8>),
}

/// An address as a program writes it: another host's name or address (host number modulo how
/// many there are), or a literal string, which may name nothing.
#[derive(Debug, Clone, Copy)]
enum Addr {
    Name(u8),
    Ip(u8),
    Literal(&'static str),
    Exact(std::net::Ipv4Addr),
}

#[derive(Debug, Clone)]
enum CallPlan {
    Socket(SocketKind),
    Bind(FdSel, Addr, i64),
    Listen(FdSel, i64),
    Accept(FdSel),
    Connect(FdSel, Addr, i64),
    Send(FdSel, Data),
    Sendall(FdSel, Data),
    Recv(FdSel, i64),
    Sendto(FdSel, Data, Addr, i64),
    Recvfrom(FdSel, i64),
    Shutdown(FdSel, ShutdownHow),
    Close(FdSel),
    Setsockopt(FdSel, SocketOption, i64),
    Settimeout(FdSel, Option<f64>),
}

impl CallPlan {
    fn fd(&self) -> Option<FdSel> {
        match *self {
            CallPlan::Socket(_) => None,
            CallPlan::Bind(fd, ..)
            | CallPlan::Listen(fd, _)
            | CallPlan::Accept(fd)
            | CallPlan::Connect(fd, ..)
            | CallPlan::Send(fd, _)
            | CallPlan::Sendall(fd, _)
            | CallPlan::Recv(fd, _)
            | CallPlan::Sendto(fd, ..)
            | CallPlan::Recvfrom(fd, _)
            | CallPlan::Shutdown(fd, _)
            | CallPlan::Close(fd)
            | CallPlan::Setsockopt(fd, ..)
            | CallPlan::Settimeout(fd, _) => Some(fd),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Let the network run this many milliseconds.
    Wait(u32),
    /// A socket call on host `host % hosts` (or on a host that does not exist, for 15 mod 16).
    Call(u8, CallPlan),
    /// New impairments for one direction of a link (loopbacks included; a link that does not
    /// exist for the last selector).
    Impair(u8, bool, Impairments),
    /// Drop the next matching packet on a link.
    DropNext(u8, Option<bool>, Option<PacketKind>),
    /// Take a packet in flight off its wire (or try a packet id that does not exist).
    DropInFlight(u16),
    /// A server's usual opening, as separate calls: socket, bind, and for TCP listen and accept.
    Serve(u8, SocketKind, i64),
    /// Write, then read, on the descriptor the host opened last.
    Exchange(u8, Data, i64),
    /// A client's usual opening: socket, then connect.
    Dial(u8, SocketKind, Addr, i64),
    /// Socket and connect to one of the echo servers (the n-th, modulo how many), by name, by
    /// address, or by 127.0.0.1 when it is on the same host.
    DialServer(u8, u8, u8),
}

#[derive(Debug, Clone)]
struct Plan {
    seed: u64,
    hosts: usize,
    /// Links as (a, b, impairments of packets a sends, of packets b sends).
    links: Vec<(usize, usize, Impairments, Impairments)>,
    ops: Vec<Op>,
}

const GOOD_ADDRESSES: &[&str] = &[
    "h0",
    "h1",
    "h2",
    "h3",
    "h4",
    "10.0.0.1",
    "10.0.0.2",
    "10.0.0.3",
    "10.0.0.4",
    "10.0.0.5",
    "localhost",
    "127.0.0.1",
    "",
    "0.0.0.0",
];
const ODD_ADDRESSES: &[&str] = &[
    "nosuchhost",
    "10.0.0.99",
    "192.0.2.1",
    "127.0.0.53",
    "255.255.255.255",
    "224.0.0.1",
    "10.0.0",
    "300.1.2.3",
    " h0",
    "H0",
    "h0.local",
];
const ODD_PORTS: &[i64] = &[0, 1, 49152, 65535, -1, 65536, i64::MAX, i64::MIN];
const RAW_FDS: &[i32] = &[-1, 0, 1, 2, 3, 4, 9, 64, 1000, i32::MAX, i32::MIN];
const BACKLOGS: &[i64] = &[-5, 0, 1, 2, 5, 64, 65, i64::MAX, i64::MIN];
const BUFSIZES: &[i64] = &[1, 7, 100, 1500, 4096, 65536];
const ODD_BUFSIZES: &[i64] = &[0, -1, i64::MIN, i64::MAX];
const TIMEOUTS: &[Option<f64>] =
    &[None, Some(0.0), Some(0.05), Some(1.0), Some(5.0), Some(-1.0), Some(f64::NAN), Some(f64::INFINITY), Some(2e9)];
/// The kinds a drop rule can target (ICMP never crosses these networks).
const KINDS: &[PacketKind] = PacketKind::ALL.split_last().expect("kinds").1;

fn fd_sel() -> impl Strategy<Value = FdSel> {
    prop_oneof![
        5 => Just(FdSel::Newest),
        4 => any::<u8>().prop_map(FdSel::Open),
        1 => prop::sample::select(RAW_FDS).prop_map(FdSel::Raw),
    ]
}

fn address() -> impl Strategy<Value = Addr> {
    prop_oneof![
        3 => any::<u8>().prop_map(Addr::Name),
        2 => any::<u8>().prop_map(Addr::Ip),
        2 => prop::sample::select(GOOD_ADDRESSES).prop_map(Addr::Literal),
        1 => prop::sample::select(ODD_ADDRESSES).prop_map(Addr::Literal),
    ]
}

fn port() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => prop::sample::select(&[80i64, 8080][..]),
        1 => prop::sample::select(ODD_PORTS),
    ]
}

fn bufsize() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => prop::sample::select(BUFSIZES),
        1 => prop::sample::select(ODD_BUFSIZES),
    ]
}

fn data() -> impl Strategy<Value = Data> {
    let len = prop_oneof![
        1 => Just(0u16),
        6 => 1u16..200,
        3 => 200u16..2_000,
        1 => 2_000u16..20_000,
    ];
    (len, any::<u8>()).prop_map(|(len, seed)| Data::Spec(DataSpec { len, seed }))
}

fn kind() -> impl Strategy<Value = SocketKind> {
    prop_oneof![Just(SocketKind::Tcp), Just(SocketKind::Udp)]
}

fn call_plan() -> impl Strategy<Value = CallPlan> {
    prop_oneof![
        4 => kind().prop_map(CallPlan::Socket),
        3 => (fd_sel(), address(), port()).prop_map(|(fd, a, p)| CallPlan::Bind(fd, a, p)),
        2 => (fd_sel(), prop::sample::select(BACKLOGS)).prop_map(|(fd, b)| CallPlan::Listen(fd, b)),
        3 => fd_sel().prop_map(CallPlan::Accept),
        3 => (fd_sel(), address(), port()).prop_map(|(fd, a, p)| CallPlan::Connect(fd, a, p)),
        2 => (fd_sel(), data()).prop_map(|(fd, d)| CallPlan::Send(fd, d)),
        2 => (fd_sel(), data()).prop_map(|(fd, d)| CallPlan::Sendall(fd, d)),
        3 => (fd_sel(), bufsize()).prop_map(|(fd, b)| CallPlan::Recv(fd, b)),
        3 => (fd_sel(), data(), address(), port()).prop_map(|(fd, d, a, p)| CallPlan::Sendto(fd, d, a, p)),
        2 => (fd_sel(), bufsize()).prop_map(|(fd, b)| CallPlan::Recvfrom(fd, b)),
        1 => (fd_sel(), prop_oneof![
            Just(ShutdownHow::ShutRd),
            Just(ShutdownHow::ShutWr),
            Just(ShutdownHow::ShutRdwr)
        ])
            .prop_map(|(fd, how)| CallPlan::Shutdown(fd, how)),
        2 => fd_sel().prop_map(CallPlan::Close),
        1 => (
            fd_sel(),
            prop_oneof![Just(SocketOption::SoReuseaddr), Just(SocketOption::TcpNodelay)],
            prop::sample::select(&[0i64, 1, -1, 2][..])
        )
            .prop_map(|(fd, o, v)| CallPlan::Setsockopt(fd, o, v)),
        1 => (fd_sel(), prop::sample::select(TIMEOUTS)).prop_map(|(fd, t)| CallPlan::Settimeout(fd, t)),
    ]
}

fn impairments() -> impl Strategy<Value = Impairments> {
    (
        0u64..=50_000,
        prop_oneof![Just(0u64), 0u64..=50_000],
        prop_oneof![2 => Just(0.0f64), 1 => 0.0f64..50.0],
        prop_oneof![2 => Just(0.0f64), 1 => 0.0f64..20.0],
        prop_oneof![3 => Just(0u64), 1 => 56_000u64..=10_000_000],
    )
        .prop_map(|(delay_us, jitter_us, loss_percent, duplicate_percent, bandwidth_bps)| Impairments {
            delay_us,
            jitter_us,
            loss_percent,
            duplicate_percent,
            bandwidth_bps,
        })
}

fn op() -> impl Strategy<Value = Op> {
    let wait = prop_oneof![3 => 0u32..50, 3 => 50u32..1_500, 1 => 1_500u32..8_000];
    prop_oneof![
        3 => wait.prop_map(Op::Wait),
        10 => (any::<u8>(), call_plan()).prop_map(|(host, call)| Op::Call(host, call)),
        1 => (any::<u8>(), any::<bool>(), impairments()).prop_map(|(l, d, i)| Op::Impair(l, d, i)),
        1 => (any::<u8>(), prop::option::of(any::<bool>()), prop::option::of(prop::sample::select(KINDS)))
            .prop_map(|(l, from, kind)| Op::DropNext(l, from, kind)),
        1 => any::<u16>().prop_map(Op::DropInFlight),
        2 => (any::<u8>(), kind(), port()).prop_map(|(h, k, p)| Op::Serve(h, k, p)),
        1 => (any::<u8>(), kind(), address(), port()).prop_map(|(h, k, a, p)| Op::Dial(h, k, a, p)),
        3 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(h, n, form)| Op::DialServer(h, n, form)),
        2 => (any::<u8>(), data(), bufsize()).prop_map(|(h, d, b)| Op::Exchange(h, d, b)),
    ]
}

fn plan() -> impl Strategy<Value = Plan> {
    (any::<u64>(), 2usize..=5)
        .prop_flat_map(|(seed, hosts)| {
            let pairs: Vec<(usize, usize)> = (0..hosts).flat_map(|a| (a + 1..hosts).map(move |b| (a, b))).collect();
            let count = pairs.len();
            (
                Just(seed),
                Just(hosts),
                Just(pairs),
                prop::collection::vec((prop::bool::weighted(0.7), impairments(), impairments()), count),
                prop::collection::vec(op(), 30..150),
            )
        })
        .prop_map(|(seed, hosts, pairs, choices, ops)| Plan {
            seed,
            hosts,
            links: pairs
                .into_iter()
                .zip(choices)
                .filter(|(_, (linked, ..))| *linked)
                .map(|((a, b), (_, there, back))| (a, b, there, back))
                .collect(),
            ops,
        })
}

/// Where two byte strings first differ, for failure messages that do not print 50 KB.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y).or((a.len() != b.len()).then(|| a.len().min(b.len())))
}

// ---- The random-calls harness ----------------------------------------------------------------

/// One end of a TCP connection as the harness saw it: what its program wrote and read.
#[derive(Debug)]
struct End {
    host: HostId,
    local: Option<SocketAddrV4>,
    remote: Option<SocketAddrV4>,
    /// Bytes known to be queued, in stream order.
    sent: Vec<u8>,
    /// Set once the stream order is no longer known (concurrent sends, a `sendall` that failed
    /// part way): `sent` then stays a true prefix of the stream, and nothing more is claimed.
    frozen: bool,
    /// The one send in progress: its call and data.
    sending: Option<(CallId, Vec<u8>)>,
    received: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
struct OpenFd {
    kind: SocketKind,
    /// The connection the descriptor holds now, if it holds one.
    end: Option<usize>,
}

/// What the harness must do with a call's result.
#[derive(Debug)]
enum Expect {
    Socket { kind: SocketKind, lowest_free: Fd },
    Accept,
    Connect { end: Option<usize> },
    TcpSend { end: Option<usize>, data: Vec<u8>, all: bool },
    Recv { kind: Option<SocketKind>, end: Option<usize>, bufsize: i64 },
    Close,
    Other,
}

#[derive(Debug, Default, Clone)]
struct Stats {
    cases: usize,
    calls: usize,
    returned: usize,
    raised: BTreeMap<String, usize>,
    blocked: usize,
    accepted: usize,
    connected: usize,
    tcp_streams_checked: usize,
    tcp_bytes_checked: usize,
    tcp_streams_unpaired: usize,
    udp_datagrams_checked: usize,
    packets: usize,
    lost: usize,
    duplicated: usize,
    dropped_by_hand: usize,
    steps: u64,
}

impl Stats {
    fn merge(&mut self, other: Stats) {
        self.cases += other.cases;
        self.calls += other.calls;
        self.returned += other.returned;
        for (name, count) in other.raised {
            *self.raised.entry(name).or_default() += count;
        }
        self.blocked += other.blocked;
        self.accepted += other.accepted;
        self.connected += other.connected;
        self.tcp_streams_checked += other.tcp_streams_checked;
        self.tcp_bytes_checked += other.tcp_bytes_checked;
        self.tcp_streams_unpaired += other.tcp_streams_unpaired;
        self.udp_datagrams_checked += other.udp_datagrams_checked;
        self.packets += other.packets;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.dropped_by_hand += other.dropped_by_hand;
        self.steps = self.steps.max(other.steps);
    }
}

struct Harness {
    net: Network,
    hosts: usize,
    open: BTreeMap<(HostId, Fd), OpenFd>,
    /// Descriptors in the order they were opened.
    opened: Vec<(HostId, Fd)>,
    ends: Vec<End>,
    pending: BTreeMap<CallId, (HostId, Option<Fd>, Expect)>,
    /// Every payload a UDP socket was asked to send, and the host that asked.
    udp_sent: Vec<(HostId, Vec<u8>)>,
    /// How often each of those was received, when a datagram matched exactly one.
    udp_received: BTreeMap<usize, usize>,
    /// Whether any link ever duplicated packets (then UDP may deliver a datagram twice).
    duplicating: bool,
    next_tag: u64,
    steps: u64,
    stats: Stats,
    /// Descriptors of the echo servers `Op::Serve` starts: listening TCP sockets and bound UDP
    /// sockets. An echo server accepts every connection, and sends back what it reads.
    servers: std::collections::BTreeMap<(HostId, Fd), (SocketKind, i64)>,
    /// Connections the echo servers accepted.
    echoers: std::collections::BTreeSet<(HostId, Fd)>,
    /// Calls the echo servers make next.
    reactions: std::collections::VecDeque<(HostId, CallPlan)>,
    reacting: bool,
    udp_echoes: usize,
}

impl Harness {
    fn new(plan: &Plan) -> Result<Self, TestCaseError> {
        let mut net = Network::new(plan.seed);
        for host in 0..plan.hosts {
            let address = format!("10.0.0.{}", host + 1).parse().unwrap();
            prop_assert_eq!(net.add_host(&format!("h{host}"), address), Ok(host));
        }
        let mut duplicating = false;
        for &(a, b, there, back) in &plan.links {
            let link = net.add_link(a, b, there);
            prop_assert!(link.is_ok(), "add_link({a}, {b}) failed: {link:?}");
            net.set_impairments(link.unwrap(), b, back);
            duplicating |= there.duplicate_percent > 0.0 || back.duplicate_percent > 0.0;
        }
        // Topology mistakes are refused, not panics.
        prop_assert!(net.add_link(0, 0, Impairments::default()).is_err());
        prop_assert!(net.add_link(0, 99, Impairments::default()).is_err());
        prop_assert!(net.add_host("h0", "10.0.9.9".parse().unwrap()).is_err());
        prop_assert!(net.add_host("other", "10.0.0.1".parse().unwrap()).is_err());
        prop_assert!(net.add_host("lo", "127.0.0.2".parse().unwrap()).is_err());
        Ok(Harness {
            net,
            hosts: plan.hosts,
            open: BTreeMap::new(),
            opened: Vec::new(),
            ends: Vec::new(),
            pending: BTreeMap::new(),
            udp_sent: Vec::new(),
            udp_received: BTreeMap::new(),
            duplicating,
            next_tag: 0,
            steps: 0,
            stats: Stats { cases: 1, ..Stats::default() },
            servers: Default::default(),
            echoers: Default::default(),
            reactions: Default::default(),
            reacting: false,
            udp_echoes: 0,
        })
    }

    fn open_fds(&self, host: HostId) -> Vec<Fd> {
        self.open.range((host, Fd::MIN)..=(host, Fd::MAX)).map(|(&(_, fd), _)| fd).collect()
    }

    fn resolve_fd(&self, host: HostId, sel: FdSel) -> Fd {
        match sel {
            FdSel::Raw(fd) | FdSel::Exact(fd) => fd,
            FdSel::Newest => self
                .opened
                .iter()
                .rev()
                .find(|&&(h, fd)| h == host && self.open.contains_key(&(h, fd)))
                .map_or(FIRST_FD, |&(_, fd)| fd),
            FdSel::Open(n) => {
                let fds = self.open_fds(host);
                if fds.is_empty() {
                    FIRST_FD
                } else {
                    fds[n as usize % fds.len()]
                }
            }
        }
    }

    fn address(&self, addr: Addr) -> String {
        match addr {
            Addr::Name(n) => format!("h{}", n as usize % self.hosts),
            Addr::Ip(n) => format!("10.0.0.{}", n as usize % self.hosts + 1),
            Addr::Literal(text) => text.into(),
            Addr::Exact(address) => address.to_string(),
        }
    }

    fn lowest_free(&self, host: HostId) -> Fd {
        let mut fd = FIRST_FD;
        while self.open.contains_key(&(host, fd)) {
            fd += 1;
        }
        fd
    }

    fn payload(&mut self, data: &Data) -> Vec<u8> {
        let spec = match data {
            Data::Exact(bytes) => return bytes.clone(),
            Data::Spec(spec) => *spec,
        };
        if spec.len == 0 {
            return Vec::new();
        }
        let mut data = format!("<{}>", self.next_tag).into_bytes();
        self.next_tag += 1;
        let len = usize::from(spec.len).max(data.len());
        let seed = u64::from(spec.seed) << 32 | self.next_tag;
        data.extend(pseudo_random_bytes(seed, len - data.len()));
        data
    }

    /// The local and remote address of a descriptor's connection, as the host shows it.
    fn endpoints(&self, host: HostId, fd: Fd) -> (Option<SocketAddrV4>, Option<SocketAddrV4>) {
        let snapshot = self.net.snapshot();
        snapshot.hosts[host]
            .sockets
            .iter()
            .find(|view| view.fd == Some(fd))
            .map_or((None, None), |view| (view.local, view.remote))
    }

    fn new_end(&mut self, host: HostId, fd: Fd) -> usize {
        let (local, remote) = self.endpoints(host, fd);
        self.ends.push(End {
            host,
            local,
            remote,
            sent: Vec::new(),
            frozen: false,
            sending: None,
            received: Vec::new(),
        });
        self.ends.len() - 1
    }

    fn run_op(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match op {
            Op::Wait(ms) => {
                let limit = Instant::ZERO + OPS_TIME;
                if self.net.now() < limit {
                    let until = (self.net.now() + Duration::from_millis(u64::from(*ms))).min(limit);
                    self.advance(until)?;
                }
            }
            Op::Call(host, plan) => self.make_call(*host, plan)?,
            Op::Serve(host, kind, port) => {
                if *host % 16 != 15 {
                    let host = *host as usize % self.hosts;
                    let fd = self.lowest_free(host);
                    self.servers.insert((host, fd), (*kind, *port));
                }
                self.make_call(*host, &CallPlan::Socket(*kind))?;
                self.make_call(*host, &CallPlan::Bind(FdSel::Newest, Addr::Literal(""), *port))?;
                if *kind == SocketKind::Tcp {
                    self.make_call(*host, &CallPlan::Listen(FdSel::Newest, 5))?;
                    self.make_call(*host, &CallPlan::Accept(FdSel::Newest))?;
                } else {
                    self.make_call(*host, &CallPlan::Recvfrom(FdSel::Newest, 2048))?;
                }
            }
            Op::Exchange(host, data, bufsize) => {
                self.make_call(*host, &CallPlan::Sendall(FdSel::Newest, data.clone()))?;
                self.make_call(*host, &CallPlan::Recv(FdSel::Newest, *bufsize))?;
            }
            Op::DialServer(host, n, form) => {
                let servers: Vec<_> = self.servers.iter().map(|(&(h, _), &(k, p))| (h, k, p)).collect();
                if let Some(&(server, kind, port)) = servers.get(*n as usize % servers.len().max(1)) {
                    let address = match form % 3 {
                        0 => Addr::Name(server as u8),
                        1 => Addr::Ip(server as u8),
                        _ if server == *host as usize % self.hosts => Addr::Literal("127.0.0.1"),
                        _ => Addr::Name(server as u8),
                    };
                    self.make_call(*host, &CallPlan::Socket(kind))?;
                    self.make_call(*host, &CallPlan::Connect(FdSel::Newest, address, port))?;
                }
            }
            Op::Dial(host, kind, address, port) => {
                self.make_call(*host, &CallPlan::Socket(*kind))?;
                self.make_call(*host, &CallPlan::Connect(FdSel::Newest, *address, *port))?;
            }
            Op::Impair(link, forward, impairments) => {
                let links = self.net.links().len();
                let link = *link as usize % (links + 1);
                let from = match self.net.links().get(link) {
                    Some(l) => l.ends()[usize::from(*forward)],
                    None => 0,
                };
                self.duplicating |= impairments.duplicate_percent > 0.0 && link < links;
                self.net.set_impairments(if link < links { link } else { 10_000 }, from, *impairments);
            }
            Op::DropNext(link, from, kind) => {
                let links = self.net.links().len();
                let link = *link as usize % (links + 1);
                let from = match (self.net.links().get(link), from) {
                    (Some(l), Some(first)) => Some(l.ends()[usize::from(!*first)]),
                    _ => None,
                };
                self.net.drop_next(DropRule { link: if link < links { link } else { 10_000 }, from, kind: *kind });
            }
            Op::DropInFlight(pick) => {
                let in_flight: Vec<PacketId> = self
                    .net
                    .trace()
                    .records()
                    .filter(|record| record.fate == Fate::InFlight)
                    .map(|record| record.id)
                    .collect();
                let index = *pick as usize % (in_flight.len() + 1);
                match in_flight.get(index) {
                    Some(&id) => {
                        prop_assert!(self.net.drop_packet(id), "packet {id} is in flight but could not be dropped");
                        let fate = self.net.trace().get(id).map(|record| record.fate);
                        prop_assert!(
                            matches!(fate, Some(Fate::DroppedByHand { .. })),
                            "packet {id} dropped by hand has fate {fate:?}"
                        );
                        self.absorb()?;
                    }
                    None => prop_assert!(!self.net.drop_packet(u64::MAX - 1), "dropped a packet that does not exist"),
                }
            }
        }
        Ok(())
    }

    fn make_call(&mut self, host_sel: u8, plan: &CallPlan) -> Result<(), TestCaseError> {
        let host = if host_sel % 16 == 15 { 1_000 } else { host_sel as usize % self.hosts };
        self.call_on(host, plan)?;
        self.react()
    }

    /// Makes the calls the echo servers have queued, and those these lead to.
    fn react(&mut self) -> Result<(), TestCaseError> {
        if self.reacting {
            return Ok(());
        }
        self.reacting = true;
        while let Some((host, plan)) = self.reactions.pop_front() {
            if let Err(error) = self.call_on(host, &plan) {
                self.reacting = false;
                return Err(error);
            }
        }
        self.reacting = false;
        Ok(())
    }

    fn call_on(&mut self, host: HostId, plan: &CallPlan) -> Result<(), TestCaseError> {
        let fd = plan.fd().map(|sel| self.resolve_fd(host, sel));
        let open_before = fd.and_then(|fd| self.open.get(&(host, fd)).copied());
        let kind = open_before.map(|open| open.kind);
        let end = open_before.and_then(|open| open.end);
        let (call, expect) = match *plan {
            CallPlan::Socket(kind) => (
                Call::Socket { kind },
                Expect::Socket { kind, lowest_free: if host < self.hosts { self.lowest_free(host) } else { FIRST_FD } },
            ),
            CallPlan::Bind(_, address, port) => {
                (Call::Bind { fd: fd.unwrap(), address: self.address(address), port }, Expect::Other)
            }
            CallPlan::Listen(_, backlog) => (Call::Listen { fd: fd.unwrap(), backlog }, Expect::Other),
            CallPlan::Accept(_) => (Call::Accept { fd: fd.unwrap() }, Expect::Accept),
            CallPlan::Connect(_, address, port) => {
                (Call::Connect { fd: fd.unwrap(), address: self.address(address), port }, Expect::Connect { end: None })
            }
            CallPlan::Send(_, ref spec) | CallPlan::Sendall(_, ref spec) => {
                let all = matches!(plan, CallPlan::Sendall(..));
                let data = self.payload(spec);
                let call = if all {
                    Call::Sendall { fd: fd.unwrap(), data: data.clone() }
                } else {
                    Call::Send { fd: fd.unwrap(), data: data.clone() }
                };
                match kind {
                    Some(SocketKind::Tcp) => (call, Expect::TcpSend { end, data, all }),
                    Some(SocketKind::Udp) => {
                        self.udp_sent.push((host, data));
                        (call, Expect::Other)
                    }
                    None => (call, Expect::Other),
                }
            }
            CallPlan::Sendto(_, ref spec, address, port) => {
                let data = self.payload(spec);
                let call = Call::Sendto { fd: fd.unwrap(), data: data.clone(), address: self.address(address), port };
                match kind {
                    // sendto on a stream socket ignores the address, as send() does.
                    Some(SocketKind::Tcp) => (call, Expect::TcpSend { end, data, all: false }),
                    Some(SocketKind::Udp) => {
                        self.udp_sent.push((host, data));
                        (call, Expect::Other)
                    }
                    None => (call, Expect::Other),
                }
            }
            CallPlan::Recv(_, bufsize) => {
                (Call::Recv { fd: fd.unwrap(), bufsize }, Expect::Recv { kind, end, bufsize })
            }
            CallPlan::Recvfrom(_, bufsize) => {
                (Call::Recvfrom { fd: fd.unwrap(), bufsize }, Expect::Recv { kind, end, bufsize })
            }
            CallPlan::Shutdown(_, how) => (Call::Shutdown { fd: fd.unwrap(), how }, Expect::Other),
            CallPlan::Close(_) => (Call::Close { fd: fd.unwrap() }, Expect::Close),
            CallPlan::Setsockopt(_, option, value) => {
                (Call::Setsockopt { fd: fd.unwrap(), option, value }, Expect::Other)
            }
            CallPlan::Settimeout(_, seconds) => (Call::Settimeout { fd: fd.unwrap(), seconds }, Expect::Other),
        };

        // A second send while one is in progress on the same connection: their order is unknown.
        if let Expect::TcpSend { end: Some(end), .. } = expect {
            if self.ends[end].sending.is_some() {
                self.ends[end].frozen = true;
            }
        }

        let description = format!("{call:?} on host {host}");
        let debug = std::env::var_os("SOCKSIM_DEBUG_CALLS").is_some();
        let status = self.net.call(host, call);
        self.stats.calls += 1;

        // A connect on a TCP socket that starts a connection: note its ends now, while they exist.
        let mut expect = expect;
        if let (Expect::Connect { end: new_end }, Some(SocketKind::Tcp)) = (&mut expect, kind) {
            let started = match &status {
                CallStatus::Blocked(_) | CallStatus::Done(Ok(_)) => true,
                CallStatus::Done(Err(error)) => error.errno == Some(115),
            };
            if started {
                let fd = fd.unwrap();
                let end = self.new_end(host, fd);
                self.open.get_mut(&(host, fd)).unwrap().end = Some(end);
                *new_end = Some(end);
            }
        }

        if debug {
            let shown = format!("{status:?}");
            eprintln!(
                "{:>12} {} -> {}",
                self.net.now().to_string(),
                &description[..description.len().min(90)],
                &shown[..shown.len().min(90)]
            );
        }
        match status {
            CallStatus::Done(result) => {
                if fd.is_some() && open_before.is_none() {
                    prop_assert!(
                        result.is_err(),
                        "{description}: a call on a descriptor that is not open returned {result:?}"
                    );
                }
                self.finish(host, fd, expect, result)?;
            }
            CallStatus::Blocked(id) => {
                prop_assert!(
                    fd.is_some() && open_before.is_some(),
                    "{description}: a call on a descriptor that is not open blocked"
                );
                self.stats.blocked += 1;
                if let Expect::TcpSend { end: Some(end), data, .. } = &expect {
                    if !self.ends[*end].frozen {
                        self.ends[*end].sending = Some((id, data.clone()));
                    }
                }
                self.pending.insert(id, (host, fd, expect));
            }
        }
        self.absorb()
    }

    /// Handles the completions of blocked calls, in the order they finished.
    fn absorb(&mut self) -> Result<(), TestCaseError> {
        for completion in self.net.take_completions() {
            let pending = self.pending.remove(&completion.call);
            prop_assert!(pending.is_some(), "a completion for call {} nobody made", completion.call);
            let (host, fd, expect) = pending.unwrap();
            prop_assert_eq!(completion.host, host);
            prop_assert_eq!(Some(completion.fd), fd);
            if let Expect::TcpSend { end: Some(end), .. } = &expect {
                let end = &mut self.ends[*end];
                if end.sending.as_ref().is_some_and(|(id, _)| *id == completion.call) {
                    end.sending = None;
                }
            }
            self.finish(host, fd, expect, completion.result)?;
        }
        Ok(())
    }

    fn finish(
        &mut self,
        host: HostId,
        fd: Option<Fd>,
        expect: Expect,
        result: CallResult,
    ) -> Result<(), TestCaseError> {
        match &result {
            Ok(_) => self.stats.returned += 1,
            Err(error) => *self.stats.raised.entry(error.to_string()).or_default() += 1,
        }
        match expect {
            Expect::Socket { kind, lowest_free } => {
                if let Ok(value) = result {
                    prop_assert_eq!(
                        &value,
                        &Value::Fd { fd: lowest_free },
                        "socket() returns the lowest free descriptor"
                    );
                    self.open.insert((host, lowest_free), OpenFd { kind, end: None });
                    self.opened.push((host, lowest_free));
                }
            }
            Expect::Accept => {
                if let Ok(value) = result {
                    let Value::Accepted { fd: new, peer } = value else {
                        return Err(TestCaseError::fail(format!("accept returned {value:?}")));
                    };
                    prop_assert!(!self.open.contains_key(&(host, new)), "accept returned open descriptor {new}");
                    self.open.insert((host, new), OpenFd { kind: SocketKind::Tcp, end: None });
                    self.opened.push((host, new));
                    let end = self.new_end(host, new);
                    if let Some(remote) = self.ends[end].remote {
                        prop_assert_eq!(remote, peer, "accept's peer is the connection's remote end");
                    }
                    self.open.get_mut(&(host, new)).unwrap().end = Some(end);
                    self.stats.accepted += 1;
                    let listener = fd.unwrap();
                    if self.servers.contains_key(&(host, listener)) {
                        self.echoers.insert((host, new));
                        self.reactions.push_back((host, CallPlan::Recv(FdSel::Exact(new), 4096)));
                        self.reactions.push_back((host, CallPlan::Accept(FdSel::Exact(listener))));
                    }
                }
            }
            Expect::Connect { end } => match &result {
                Ok(_) => self.stats.connected += usize::from(end.is_some()),
                Err(error) if error.errno != Some(115) => {
                    // The attempt failed: the descriptor holds no connection any more.
                    if let Some(open) = fd.and_then(|fd| self.open.get_mut(&(host, fd))) {
                        if end.is_some() && open.end == end {
                            open.end = None;
                        }
                    }
                }
                Err(_) => {}
            },
            Expect::TcpSend { end, data, all } => match end {
                Some(end) => {
                    let end = &mut self.ends[end];
                    match result {
                        Ok(Value::Int { value }) => {
                            prop_assert!(
                                (0..=data.len() as i64).contains(&value),
                                "send of {} bytes returned {value}",
                                data.len()
                            );
                            if !end.frozen {
                                end.sent.extend_from_slice(&data[..value as usize]);
                            }
                        }
                        Ok(Value::None) if all => {
                            if !end.frozen {
                                end.sent.extend_from_slice(&data);
                            }
                        }
                        Ok(other) => return Err(TestCaseError::fail(format!("a TCP send returned {other:?}"))),
                        // A sendall, or a blocking send, that failed may have queued part of its data.
                        Err(_) => end.frozen = true,
                    }
                }
                None => prop_assert!(
                    !(matches!(result, Ok(Value::Int { value }) if value > 0)
                        || (all && result.is_ok() && !data.is_empty())),
                    "bytes were queued on a TCP socket that holds no connection: {:?}",
                    result
                ),
            },
            Expect::Recv { kind, end, bufsize } => {
                let (data, peer) = match result {
                    Ok(Value::Bytes { data }) => (data, None),
                    Ok(Value::Datagram { data, peer }) => {
                        prop_assert!(
                            peer.is_some() == (kind == Some(SocketKind::Udp)),
                            "recvfrom gives an address on UDP and None on TCP, got {peer:?}"
                        );
                        (data, peer)
                    }
                    Ok(other) => return Err(TestCaseError::fail(format!("a recv returned {other:?}"))),
                    Err(_) => return Ok(()),
                };
                let limit = usize::try_from(bufsize).unwrap_or(0);
                prop_assert!(data.len() <= limit, "recv({bufsize}) returned {} bytes", data.len());
                match kind {
                    Some(SocketKind::Tcp) => match end {
                        Some(end) => self.ends[end].received.extend_from_slice(&data),
                        None => prop_assert!(data.is_empty(), "a TCP socket with no connection read {data:?}"),
                    },
                    Some(SocketKind::Udp) => self.check_datagram(host, &data, peer, limit)?,
                    None => return Err(TestCaseError::fail("a recv on a descriptor that is not open returned data")),
                }
                let fd = fd.unwrap();
                if kind == Some(SocketKind::Tcp) && self.echoers.contains(&(host, fd)) {
                    if data.is_empty() {
                        self.reactions.push_back((host, CallPlan::Close(FdSel::Exact(fd))));
                    } else {
                        self.reactions.push_back((host, CallPlan::Sendall(FdSel::Exact(fd), Data::Exact(data))));
                        self.reactions.push_back((host, CallPlan::Recv(FdSel::Exact(fd), 4096)));
                    }
                } else if kind == Some(SocketKind::Udp)
                    && self.servers.contains_key(&(host, fd))
                    && self.udp_echoes < 64
                {
                    if let Some(peer) = peer {
                        self.udp_echoes += 1;
                        let to = Addr::Exact(*peer.ip());
                        let port = i64::from(peer.port());
                        self.reactions
                            .push_back((host, CallPlan::Sendto(FdSel::Exact(fd), Data::Exact(data), to, port)));
                        self.reactions.push_back((host, CallPlan::Recvfrom(FdSel::Exact(fd), 2048)));
                    }
                }
            }
            Expect::Close => {
                if result.is_ok() {
                    prop_assert!(self.open.remove(&(host, fd.unwrap())).is_some(), "closed a descriptor not open");
                    self.servers.remove(&(host, fd.unwrap()));
                    self.echoers.remove(&(host, fd.unwrap()));
                }
            }
            Expect::Other => {}
        }
        Ok(())
    }

    /// UDP never invents a datagram: what a host reads is (a prefix of, if `bufsize` cut it) a
    /// payload some host asked to send, from that host's address.
    fn check_datagram(
        &mut self,
        host: HostId,
        data: &[u8],
        peer: Option<SocketAddrV4>,
        limit: usize,
    ) -> Result<(), TestCaseError> {
        let matches: Vec<usize> = self
            .udp_sent
            .iter()
            .enumerate()
            .filter(|(_, (_, payload))| payload[..payload.len().min(limit)] == *data)
            .map(|(index, _)| index)
            .collect();
        prop_assert!(
            !matches.is_empty(),
            "host {host} received a datagram no one sent: {:?}",
            String::from_utf8_lossy(&data[..data.len().min(40)])
        );
        if let Some(peer) = peer {
            let from_sender = matches.iter().any(|&index| {
                let sender = self.udp_sent[index].0;
                *peer.ip() == self.net.hosts()[sender].address() || (peer.ip().is_loopback() && sender == host)
            });
            prop_assert!(from_sender, "host {host} got a datagram from {peer}, which did not send it");
        }
        if let [only] = matches[..] {
            let times = self.udp_received.entry(only).or_default();
            *times += 1;
            prop_assert!(
                *times == 1 || self.duplicating,
                "a datagram was received {} times on a network that never duplicates",
                *times
            );
        }
        self.stats.udp_datagrams_checked += 1;
        Ok(())
    }

    /// Runs the network to `until`, handling completions as they happen.
    fn advance(&mut self, until: Instant) -> Result<(), TestCaseError> {
        while self.net.next_event_at().is_some_and(|at| at <= until) {
            self.net.step();
            self.steps += 1;
            prop_assert!(
                self.steps <= STEP_BUDGET,
                "{} network steps by {}: something keeps the network busy",
                self.steps,
                self.net.now()
            );
            self.absorb()?;
            self.react()?;
        }
        self.net.run_until(until);
        self.absorb()?;
        self.react()
    }

    /// TCP delivers each byte once and in order: what each end read is a prefix of what its peer
    /// wrote.
    fn check_streams(&mut self) -> Result<(), TestCaseError> {
        for (index, reader) in self.ends.iter().enumerate() {
            if reader.received.is_empty() {
                continue;
            }
            let (Some(local), Some(remote)) = (reader.local, reader.remote) else {
                self.stats.tcp_streams_unpaired += 1;
                continue;
            };
            let peer_host =
                if remote.ip().is_loopback() { Some(reader.host) } else { self.net.host_with_address(*remote.ip()) };
            let same_tuple = self
                .ends
                .iter()
                .filter(|other| {
                    other.host == reader.host && other.local == reader.local && other.remote == reader.remote
                })
                .count();
            let writers: Vec<&End> = self
                .ends
                .iter()
                .filter(|end| Some(end.host) == peer_host && end.local == Some(remote) && end.remote == Some(local))
                .collect();
            // The same four-tuple used twice (SO_REUSEADDR and a fixed port): no telling which is which.
            let [writer] = writers[..] else {
                prop_assert!(
                    !writers.is_empty() || peer_host.is_none(),
                    "end {index} ({local} ↔ {remote}) read {} bytes but no socket wrote to it",
                    reader.received.len()
                );
                self.stats.tcp_streams_unpaired += 1;
                continue;
            };
            if same_tuple != 1 {
                self.stats.tcp_streams_unpaired += 1;
                continue;
            }
            let got = &reader.received;
            if writer.frozen {
                let n = got.len().min(writer.sent.len());
                prop_assert!(
                    got[..n] == writer.sent[..n],
                    "{local} ← {remote}: read differs from what was written at byte {:?}",
                    first_difference(&got[..n], &writer.sent[..n])
                );
            } else {
                let mut written = writer.sent.clone();
                if let Some((_, data)) = &writer.sending {
                    written.extend_from_slice(data);
                }
                prop_assert!(
                    got.len() <= written.len() && got[..] == written[..got.len()],
                    "{local} ← {remote}: read {} bytes, wrote {} (+ {} in progress); first difference at {:?}",
                    got.len(),
                    writer.sent.len(),
                    written.len() - writer.sent.len(),
                    first_difference(got, &written[..got.len().min(written.len())])
                );
            }
            self.stats.tcp_streams_checked += 1;
            self.stats.tcp_bytes_checked += got.len();
        }
        Ok(())
    }

    /// Every packet on the wire is well formed, and every UDP payload on it was asked for.
    fn check_trace(&mut self) -> Result<(), TestCaseError> {
        let mut previous: Option<&PacketRecord> = None;
        for record in self.net.trace().records() {
            if let Some(previous) = previous {
                prop_assert_eq!(record.id, previous.id + 1, "packet ids are consecutive");
                prop_assert!(record.sent_at >= previous.sent_at, "packets are recorded in time order");
            }
            previous = Some(record);
            if let Some(at) = record.fate.at() {
                prop_assert!(at >= record.sent_at, "packet {} ended before it was sent", record.id);
            }
            if let Some(original) = record.duplicate_of {
                let original = self.net.trace().get(original);
                prop_assert!(
                    original.is_some_and(|o| o.bytes == record.bytes),
                    "a duplicate differs from its original"
                );
            }
            let ip = Ipv4Packet::new_checked(&record.bytes[..]);
            prop_assert!(ip.is_ok(), "packet {} is not IPv4", record.id);
            let ip = ip.unwrap();
            prop_assert!(ip.verify_checksum(), "packet {}: bad IP checksum", record.id);
            let (src, dst) = (IpAddress::Ipv4(ip.src_addr()), IpAddress::Ipv4(ip.dst_addr()));
            match ip.next_header() {
                IpProtocol::Tcp => {
                    let tcp = TcpPacket::new_checked(ip.payload());
                    prop_assert!(
                        tcp.as_ref().is_ok_and(|tcp| tcp.verify_checksum(&src, &dst)),
                        "packet {}: bad TCP",
                        record.id
                    );
                }
                IpProtocol::Udp => {
                    let udp = UdpPacket::new_checked(ip.payload());
                    prop_assert!(
                        udp.as_ref().is_ok_and(|udp| udp.verify_checksum(&src, &dst)),
                        "packet {}: bad UDP",
                        record.id
                    );
                    let payload = udp.unwrap().payload().to_vec();
                    prop_assert!(
                        self.udp_sent.iter().any(|(host, sent)| *host == record.from && *sent == payload),
                        "packet {}: a UDP payload host {} never sent",
                        record.id,
                        record.from
                    );
                }
                _ => {}
            }
            self.stats.packets += 1;
            self.stats.duplicated += usize::from(record.duplicate_of.is_some());
            match record.fate {
                Fate::Lost { .. } => self.stats.lost += 1,
                Fate::DroppedByHand { .. } => self.stats.dropped_by_hand += 1,
                _ => {}
            }
        }
        Ok(())
    }
}

/// Plays one random plan and checks every invariant; returns what it exercised.
fn run_plan(plan: &Plan) -> Result<Stats, TestCaseError> {
    let mut harness = Harness::new(plan)?;
    for op in &plan.ops {
        harness.run_op(op)?;
    }
    harness.advance(Instant::ZERO + CASE_TIME)?;
    harness.check_streams()?;
    harness.check_trace()?;
    harness.stats.steps = harness.steps;
    Ok(harness.stats)
}

proptest! {
    #![proptest_config(fixed(2048, CALLS_SEED))]

    #[test]
    fn random_calls_never_panic_and_never_invent_data(plan in plan()) {
        run_plan(&plan)?;
    }
}

/// The random plans must reach the states the invariants talk about, or the property above would
/// pass by checking nothing: connections made, bytes and datagrams checked, packets lost.
#[test]
fn random_calls_reach_connections_data_and_errors() {
    let mut runner = TestRunner::new(fixed(256, CALLS_SEED));
    let total = RefCell::new(Stats::default());
    runner
        .run(&plan(), |plan| {
            total.borrow_mut().merge(run_plan(&plan)?);
            Ok(())
        })
        .unwrap();
    let total = total.into_inner();
    eprintln!("{total:#?}");
    // About a third of what the fixed seed reaches, so a change that starves the plans shows.
    assert!(total.accepted >= 300, "accepted connections: {}", total.accepted);
    assert!(total.connected >= 300, "completed connects: {}", total.connected);
    assert!(total.tcp_streams_checked >= 100, "TCP streams checked: {}", total.tcp_streams_checked);
    assert!(total.tcp_bytes_checked >= 100_000, "TCP bytes checked: {}", total.tcp_bytes_checked);
    assert!(total.udp_datagrams_checked >= 200, "UDP datagrams checked: {}", total.udp_datagrams_checked);
    assert!(total.lost >= 150 && total.duplicated >= 50 && total.dropped_by_hand >= 100, "{total:?}");
    assert!(total.raised.len() >= 18, "distinct exceptions raised: {:?}", total.raised.keys());
}

// ---- Byte-exact TCP through a bad network -----------------------------------------------------

/// 10 ms of delay plus 0–50 ms of jitter, 30 % loss, 10 % duplication, both ways.
fn awful() -> Impairments {
    Impairments { delay_us: 10_000, jitter_us: 50_000, loss_percent: 30.0, duplicate_percent: 10.0, bandwidth_bps: 0 }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pending {
    Send,
    Recv,
}

/// One side of a full-duplex transfer.
struct Side {
    host: HostId,
    fd: Fd,
    to_send: Vec<u8>,
    sent: bool,
    got: Vec<u8>,
    eof: bool,
}

/// Both sides `sendall` their bytes and `shutdown(SHUT_WR)` at once while reading to EOF.
/// Returns what each side read, or why the transfer failed.
fn duplex(seed: u64, up: &[u8], down: &[u8]) -> Result<(Vec<u8>, Vec<u8>, Network), TestCaseError> {
    let mut net = Network::new(seed);
    let client = net.add_host("client", "10.0.0.1".parse().unwrap()).unwrap();
    let server = net.add_host("server", "10.0.0.2".parse().unwrap()).unwrap();
    net.add_link(client, server, awful()).unwrap();
    let limit = Instant::ZERO + TRANSFER_TIME;

    let listener = common::socket(&mut net, server, SocketKind::Tcp);
    prop_assert_eq!(common::call(&mut net, server, common::bind(listener, "", 8080)), Ok(Value::None));
    prop_assert_eq!(common::call(&mut net, server, Call::Listen { fd: listener, backlog: 1 }), Ok(Value::None));
    let cfd = common::socket(&mut net, client, SocketKind::Tcp);

    // connect() and accept() wait on each other: make both, then run the network.
    let mut waiting: BTreeMap<CallId, usize> = BTreeMap::new();
    let mut results: Vec<Option<CallResult>> = vec![None, None];
    for (index, (host, call)) in
        [(client, common::connect(cfd, "server", 8080)), (server, Call::Accept { fd: listener })]
            .into_iter()
            .enumerate()
    {
        match net.call(host, call) {
            CallStatus::Done(result) => results[index] = Some(result),
            CallStatus::Blocked(id) => {
                waiting.insert(id, index);
            }
        }
    }
    while results.iter().any(Option::is_none) {
        prop_assert!(net.now() <= limit && net.step().is_some(), "the handshake never finished (seed {seed})");
        for completion in net.take_completions() {
            if let Some(index) = waiting.remove(&completion.call) {
                results[index] = Some(completion.result);
            }
        }
    }
    prop_assert_eq!(results[0].clone().unwrap(), Ok(Value::None), "connect (seed {})", seed);
    let sfd = common::fd_of(results[1].clone().unwrap());

    let mut sides = [
        Side { host: client, fd: cfd, to_send: up.to_vec(), sent: false, got: Vec::new(), eof: false },
        Side { host: server, fd: sfd, to_send: down.to_vec(), sent: false, got: Vec::new(), eof: false },
    ];
    let mut waiting: BTreeMap<CallId, (usize, Pending)> = BTreeMap::new();
    let mut ready: Vec<(usize, Pending, CallResult)> = Vec::new();
    let start = |net: &mut Network,
                 sides: &[Side; 2],
                 index: usize,
                 what: Pending,
                 waiting: &mut BTreeMap<CallId, (usize, Pending)>,
                 ready: &mut Vec<(usize, Pending, CallResult)>| {
        let side = &sides[index];
        let call = match what {
            Pending::Send => Call::Sendall { fd: side.fd, data: side.to_send.clone() },
            Pending::Recv => Call::Recv { fd: side.fd, bufsize: 4096 },
        };
        match net.call(side.host, call) {
            CallStatus::Done(result) => ready.push((index, what, result)),
            CallStatus::Blocked(id) => {
                waiting.insert(id, (index, what));
            }
        }
    };
    for index in 0..2 {
        start(&mut net, &sides, index, Pending::Recv, &mut waiting, &mut ready);
        start(&mut net, &sides, index, Pending::Send, &mut waiting, &mut ready);
    }
    loop {
        for completion in net.take_completions() {
            if let Some((index, what)) = waiting.remove(&completion.call) {
                ready.push((index, what, completion.result));
            }
        }
        while !ready.is_empty() {
            let (index, what, result) = ready.remove(0);
            let side = &mut sides[index];
            match (what, result) {
                (Pending::Send, Ok(Value::None)) => {
                    side.sent = true;
                    let shut = net.call(side.host, Call::Shutdown { fd: side.fd, how: ShutdownHow::ShutWr });
                    prop_assert_eq!(shut, CallStatus::Done(Ok(Value::None)), "shutdown (seed {})", seed);
                }
                (Pending::Recv, Ok(Value::Bytes { data })) if data.is_empty() => side.eof = true,
                (Pending::Recv, Ok(Value::Bytes { data })) => {
                    side.got.extend(data);
                    start(&mut net, &sides, index, Pending::Recv, &mut waiting, &mut ready);
                }
                (what, result) => {
                    return Err(TestCaseError::fail(format!(
                        "seed {seed}: side {index} {what:?} ended with {result:?} at {} after reading {} bytes",
                        net.now(),
                        side.got.len()
                    )))
                }
            }
            for completion in net.take_completions() {
                if let Some((index, what)) = waiting.remove(&completion.call) {
                    ready.push((index, what, completion.result));
                }
            }
        }
        if sides.iter().all(|side| side.sent && side.eof) {
            break;
        }
        let stuck = format!(
            "seed {seed}: at {} client sent={} read {}/{} eof={}, server sent={} read {}/{} eof={}",
            net.now(),
            sides[0].sent,
            sides[0].got.len(),
            down.len(),
            sides[0].eof,
            sides[1].sent,
            sides[1].got.len(),
            up.len(),
            sides[1].eof
        );
        prop_assert!(net.now() <= limit, "out of time: {}", stuck);
        if net.step().is_none() {
            return Err(TestCaseError::fail(format!("nothing left to happen: {stuck}")));
        }
    }
    for side in &sides {
        prop_assert_eq!(net.call(side.host, Call::Close { fd: side.fd }), CallStatus::Done(Ok(Value::None)));
    }
    let [client_side, server_side] = sides;
    Ok((server_side.got, client_side.got, net))
}

proptest! {
    #![proptest_config(fixed(256, TRANSFER_SEED))]

    #[test]
    fn tcp_is_byte_exact_under_loss_jitter_and_duplication(
        seed in any::<u64>(),
        up_len in 20_000usize..=50_000,
        down_len in prop_oneof![1 => Just(0usize), 3 => 20_000usize..=50_000],
        content in any::<u64>(),
    ) {
        let up = pseudo_random_bytes(content, up_len);
        let down = pseudo_random_bytes(content.rotate_left(17) ^ 0xD0D0, down_len);
        let (server_got, client_got, net) = duplex(seed, &up, &down)?;
        prop_assert!(
            server_got == up,
            "seed {}: server read {} of {} bytes; first difference at {:?}",
            seed, server_got.len(), up.len(), first_difference(&server_got, &up)
        );
        prop_assert!(
            client_got == down,
            "seed {}: client read {} of {} bytes; first difference at {:?}",
            seed, client_got.len(), down.len(), first_difference(&client_got, &down)
        );
        // The network really was that bad.
        let lost = net.trace().records().filter(|r| matches!(r.fate, Fate::Lost { .. })).count();
        let duplicated = net.trace().records().filter(|r| r.duplicate_of.is_some()).count();
        prop_assert!(lost > 0 && duplicated > 0, "seed {}: {} lost, {} duplicated", seed, lost, duplicated);
    }
}

/// Regression (found by the transfer property): when the peer acknowledges all the data but not the
/// FIN riding on it (the FIN arrived behind a hole and was discarded), three duplicate ACKs start
/// smoltcp 0.14's fast retransmit; with an empty send buffer it sends nothing and stops its
/// retransmission timer, so without the host's correction the FIN is never sent again, the writer
/// sits in FIN-WAIT-1 for ever and the reader's `recv()` never returns `b''`. No loss, jitter or
/// seed is involved: one dropped data segment, a link that duplicates, and the retransmitted FIN
/// taken off the wire by hand.
#[test]
fn a_fin_lost_after_the_data_is_acknowledged_is_sent_again() {
    let (mut net, client, server) = common::client_server(1);
    let link = net.link_between(client, server).unwrap();
    let listener = common::listen(&mut net, server, "", 80, 1);
    let fd = common::socket(&mut net, client, SocketKind::Tcp);
    common::call(&mut net, client, common::connect(fd, "server", 80)).unwrap();
    let conn = common::fd_of(common::call(&mut net, server, Call::Accept { fd: listener }));

    // The first of three data segments is lost, so the FIN riding on the third arrives behind a
    // hole and the server discards it.
    net.drop_next(DropRule { link, from: Some(client), kind: Some(PacketKind::Data) });
    common::call(&mut net, client, common::send(fd, &[b'x'; 3000])).unwrap();
    common::call(&mut net, client, Call::Shutdown { fd, how: ShutdownHow::ShutWr }).unwrap();
    // From now on every packet the client sends arrives twice, so the server answers the
    // retransmission with one ACK of all the data and three duplicates of it...
    net.set_impairments(link, client, Impairments { duplicate_percent: 100.0, ..Impairments::default() });
    let before = net.trace().len();
    let is_fin = |record: &PacketRecord| record.from == client && record.summary.tcp_flags().is_some_and(|f| f.fin);
    while !net.trace().records().skip(before).any(is_fin) {
        net.step().expect("the client retransmits after its RTO");
    }
    // ... and the retransmitted FIN (both copies) is lost.
    let fins: Vec<PacketId> =
        net.trace().records().filter(|r| r.fate == Fate::InFlight && is_fin(r)).map(|r| r.id).collect();
    assert_eq!(fins.len(), 2);
    for id in fins {
        assert!(net.drop_packet(id));
    }

    // The server reads the 3000 bytes, then the end of the stream: TCP must send the FIN again.
    let mut got = Vec::new();
    loop {
        let chunk = match net.call(server, common::recv(conn, 65536)) {
            CallStatus::Done(result) => common::bytes_of(result),
            CallStatus::Blocked(id) => match common::wait_for(&mut net, id, Duration::from_secs(120)) {
                Some(result) => common::bytes_of(result),
                None => panic!(
                    "recv() never returns b'' after {} bytes: client {}, server {}, next event {:?}",
                    got.len(),
                    state_of(&net, client, fd),
                    state_of(&net, server, conn),
                    net.next_event_at()
                ),
            },
        };
        if chunk.is_empty() {
            break;
        }
        got.extend(chunk);
    }
    assert_eq!(got, vec![b'x'; 3000]);
}

/// Regression: a socket bound to 127.0.0.1 must not talk to other hosts. Linux refuses a route from
/// a loopback source to a non-loopback destination: `sendto` and `connect` raise
/// `OSError: [Errno 22] Invalid argument`, and no packet leaves (the engine once sent them with
/// source 127.0.0.1, so the replies went to the receiver's own loopback and `connect` hung).
#[test]
fn a_socket_bound_to_loopback_cannot_send_to_another_host() {
    let (mut net, client, server) = common::client_server(1);
    let udp = common::socket(&mut net, client, SocketKind::Udp);
    common::call(&mut net, client, common::bind(udp, "127.0.0.1", 5000)).unwrap();
    let sent = common::call(
        &mut net,
        client,
        Call::Sendto { fd: udp, data: b"hello".to_vec(), address: "server".into(), port: 9000 },
    );
    let tcp = common::socket(&mut net, client, SocketKind::Tcp);
    common::call(&mut net, client, common::bind(tcp, "127.0.0.1", 0)).unwrap();
    let connected = net.call(client, common::connect(tcp, "server", 80));
    net.run_until(net.now() + Duration::from_secs(1));

    let crossed: Vec<String> = net
        .trace()
        .records()
        .filter(|r| r.from == client && r.to == Some(server) && r.summary.src.ip().is_loopback())
        .map(|r| r.summary.describe())
        .collect();
    assert!(crossed.is_empty(), "packets from 127.0.0.1 crossed to another host: {crossed:?}");
    assert_eq!(sent.map_err(|e| e.to_string()), Err("OSError: [Errno 22] Invalid argument".into()), "sendto");
    match connected {
        CallStatus::Done(Err(error)) => assert_eq!(error.errno, Some(22), "connect: {error}"),
        other => panic!("connect from 127.0.0.1 to another host: {other:?}, expected EINVAL"),
    }
}

/// Regression: `connect()` on a UDP socket sets its default peer and filters what it receives. On
/// Linux a connected UDP socket only receives datagrams from its peer; those from anyone else are
/// dropped.
#[test]
fn a_connected_udp_socket_only_receives_from_its_peer() {
    let mut net = Network::new(1);
    let a = net.add_host("a", "10.0.0.1".parse().unwrap()).unwrap();
    let b = net.add_host("b", "10.0.0.2".parse().unwrap()).unwrap();
    let c = net.add_host("c", "10.0.0.3".parse().unwrap()).unwrap();
    net.add_link(a, b, Impairments::default()).unwrap();
    net.add_link(c, b, Impairments::default()).unwrap();

    let fb = common::socket(&mut net, b, SocketKind::Udp);
    common::call(&mut net, b, common::bind(fb, "", 9000)).unwrap();
    common::call(&mut net, b, common::connect(fb, "a", 7000)).unwrap();
    let fc = common::socket(&mut net, c, SocketKind::Udp);
    let stranger = Call::Sendto { fd: fc, data: b"from c".to_vec(), address: "b".into(), port: 9000 };
    common::call(&mut net, c, stranger).unwrap();
    let fa = common::socket(&mut net, a, SocketKind::Udp);
    common::call(&mut net, a, common::bind(fa, "", 7000)).unwrap();
    net.run_until(net.now() + Duration::from_millis(100));
    let peer = Call::Sendto { fd: fa, data: b"from a".to_vec(), address: "b".into(), port: 9000 };
    common::call(&mut net, a, peer).unwrap();
    net.run_until(net.now() + Duration::from_millis(100));

    let got = common::call(&mut net, b, Call::Recvfrom { fd: fb, bufsize: 100 }).unwrap();
    assert_eq!(
        got,
        Value::Datagram { data: b"from a".to_vec(), peer: Some("10.0.0.1:7000".parse().unwrap()) },
        "the first datagram a socket connected to a:7000 reads must come from a:7000"
    );
}
