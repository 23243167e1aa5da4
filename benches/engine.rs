//! The engine against bare smoltcp: 10,000 TCP connections, each a handshake, a 1 KB echo and a
//! close, one after another over a 10 ms link.
//!
//! `cargo bench --bench engine` prints the wall time and packets per second of both, and their
//! ratio. The bare run is the same workload on two smoltcp interfaces wired back to back by a
//! minimal event loop: no routing, no trace, no socket table, no pending calls. The difference is
//! what socksim's engine costs.

#![allow(clippy::disallowed_methods)] // a benchmark measures wall time

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant as WallClock;

use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, IpEndpoint, Ipv4Address};
use socksim::sim::{Call, CallStatus, Fd, HostId, Impairments, Network, SocketKind, Value, TCP_BUFFER};

const CONNECTIONS: usize = 10_000;
const PAYLOAD: usize = 1024;
const DELAY: Duration = Duration::from_millis(10);
const RUNS: usize = 7;

fn main() {
    let payload: Vec<u8> = (0..PAYLOAD).map(|i| (i % 251) as u8).collect();
    println!(
        "{CONNECTIONS} TCP connections: handshake + {PAYLOAD} B echo + close, {} ms link, best of {RUNS}",
        DELAY.total_millis()
    );
    // Interleaved, so that both see the same machine; the best run of each counts.
    let runs: Vec<(Measure, Measure)> = (0..RUNS).map(|_| (engine(&payload), bare(&payload))).collect();
    let engine = best(runs.iter().map(|(engine, _)| engine));
    let bare = best(runs.iter().map(|(_, bare)| bare));
    assert_eq!(engine.packets, bare.packets, "both runs send the same packets");
    println!(
        "{:<14} {:>9.3} s {:>12.0} packets/s  ({} packets, {:.1} s virtual)",
        "socksim engine",
        engine.seconds,
        engine.packets as f64 / engine.seconds,
        engine.packets,
        engine.virtual_seconds
    );
    println!(
        "{:<14} {:>9.3} s {:>12.0} packets/s  ({} packets, {:.1} s virtual)",
        "bare smoltcp",
        bare.seconds,
        bare.packets as f64 / bare.seconds,
        bare.packets,
        bare.virtual_seconds
    );
    println!(
        "ratio engine / bare: {:.2} (goal ≤ 1.25); 10,000 connections in {:.2} s (goal ≤ 2 s)",
        engine.seconds / bare.seconds,
        engine.seconds
    );
}

struct Measure {
    seconds: f64,
    packets: u64,
    virtual_seconds: f64,
}

fn best<'a>(runs: impl Iterator<Item = &'a Measure>) -> &'a Measure {
    runs.min_by(|a, b| a.seconds.total_cmp(&b.seconds)).expect("at least one run")
}

// ---- Through the engine -------------------------------------------------------------------

/// Makes a call and runs the network until it completes.
fn finish(net: &mut Network, host: HostId, call: Call) -> Value {
    let id = match net.call(host, call) {
        CallStatus::Done(result) => return result.expect("the call succeeds"),
        CallStatus::Blocked(id) => id,
    };
    loop {
        if let Some(done) = net.take_completions().into_iter().find(|c| c.call == id) {
            return done.result.expect("the call succeeds");
        }
        net.step().expect("the network has work to do");
    }
}

fn receive_exactly(net: &mut Network, host: HostId, fd: Fd, len: usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(len);
    while data.len() < len {
        let Value::Bytes { data: chunk } = finish(net, host, Call::Recv { fd, bufsize: (len - data.len()) as i64 })
        else {
            panic!("recv returns bytes")
        };
        data.extend(chunk);
    }
    data
}

fn engine(payload: &[u8]) -> Measure {
    let started = WallClock::now();
    let mut net = Network::with_trace_capacity(1, 4096);
    let client = net.add_host("client", Ipv4Address::new(10, 0, 0, 1)).unwrap();
    let server = net.add_host("server", Ipv4Address::new(10, 0, 0, 2)).unwrap();
    net.add_link(client, server, Impairments::with_delay(DELAY)).unwrap();
    let Value::Fd { fd: listener } = finish(&mut net, server, Call::Socket { kind: SocketKind::Tcp }) else { panic!() };
    finish(&mut net, server, Call::Bind { fd: listener, address: "".into(), port: 7 });
    // listen(0) queues one connection (Linux's backlog + 1), like the single listener of the bare run.
    finish(&mut net, server, Call::Listen { fd: listener, backlog: 0 });
    for _ in 0..CONNECTIONS {
        let Value::Fd { fd: c } = finish(&mut net, client, Call::Socket { kind: SocketKind::Tcp }) else { panic!() };
        finish(&mut net, client, Call::Connect { fd: c, address: "10.0.0.2".into(), port: 7 });
        let Value::Accepted { fd: s, .. } = finish(&mut net, server, Call::Accept { fd: listener }) else { panic!() };
        finish(&mut net, client, Call::Sendall { fd: c, data: payload.to_vec() });
        let request = receive_exactly(&mut net, server, s, payload.len());
        finish(&mut net, server, Call::Sendall { fd: s, data: request });
        let reply = receive_exactly(&mut net, client, c, payload.len());
        assert_eq!(reply, payload);
        finish(&mut net, client, Call::Close { fd: c });
        assert_eq!(finish(&mut net, server, Call::Recv { fd: s, bufsize: 1 }), Value::Bytes { data: Vec::new() });
        finish(&mut net, server, Call::Close { fd: s });
    }
    while net.step().is_some() {}
    let packets = net.trace().records().last().map_or(0, |record| record.id + 1);
    Measure {
        seconds: started.elapsed().as_secs_f64(),
        packets,
        virtual_seconds: net.now().total_micros() as f64 / 1e6,
    }
}

// ---- Bare smoltcp, back to back ---------------------------------------------------------

#[derive(Default)]
struct Queues {
    rx: Vec<Vec<u8>>,
    tx: Vec<Vec<u8>>,
}

struct Rx(Vec<u8>);
struct Tx<'a>(&'a mut Vec<Vec<u8>>);

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut packet = vec![0; len];
        let result = f(&mut packet);
        self.0.push(packet);
        result
    }
}

impl Device for Queues {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;
    fn receive(&mut self, _: Instant) -> Option<(Rx, Tx<'_>)> {
        let packet = self.rx.pop()?;
        Some((Rx(packet), Tx(&mut self.tx)))
    }
    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.tx))
    }
    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = 1500;
        caps
    }
}

struct Side {
    iface: Interface,
    device: Queues,
    sockets: SocketSet<'static>,
    closing: Vec<SocketHandle>,
}

impl Side {
    fn new(address: Ipv4Address, seed: u64) -> Side {
        let mut device = Queues::default();
        let mut config = Config::new(HardwareAddress::Ip);
        config.random_seed = seed;
        let mut iface = Interface::new(config, &mut device, Instant::ZERO);
        iface.update_ip_addrs(|addrs| addrs.push(IpCidr::new(IpAddress::Ipv4(address), 24)).unwrap());
        Side { iface, device, sockets: SocketSet::new(Vec::new()), closing: Vec::new() }
    }

    fn socket() -> tcp::Socket<'static> {
        tcp::Socket::new(tcp::SocketBuffer::new(vec![0; TCP_BUFFER]), tcp::SocketBuffer::new(vec![0; TCP_BUFFER]))
    }

    fn tcp(&mut self, handle: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(handle)
    }

    fn forget_closed(&mut self) {
        let sockets = &mut self.sockets;
        self.closing.retain(|&handle| {
            let closed = sockets.get::<tcp::Socket>(handle).state() == tcp::State::Closed;
            if closed {
                sockets.remove(handle);
            }
            !closed
        });
    }
}

/// A packet on the wire: (arrival, send order, receiving side, bytes).
type Arrival = Reverse<(Instant, u64, usize, Vec<u8>)>;

/// Two interfaces and the wire between them.
struct BackToBack {
    now: Instant,
    sides: [Side; 2],
    wire: BinaryHeap<Arrival>,
    sent: u64,
}

impl BackToBack {
    fn poll(&mut self, index: usize) {
        let side = &mut self.sides[index];
        side.iface.poll(self.now, &mut side.device, &mut side.sockets);
        side.forget_closed();
        for packet in side.device.tx.drain(..) {
            self.wire.push(Reverse((self.now + DELAY, self.sent, 1 - index, packet)));
            self.sent += 1;
        }
    }

    /// Runs until `len` bytes have arrived on `handle` of `side`, and returns them.
    fn receive(&mut self, side: usize, handle: SocketHandle, len: usize) -> Vec<u8> {
        let mut data = Vec::with_capacity(len);
        self.run_until(|net| {
            let socket = net.sides[side].tcp(handle);
            if socket.can_recv() {
                socket
                    .recv(|chunk| {
                        data.extend_from_slice(chunk);
                        (chunk.len(), ())
                    })
                    .unwrap();
            }
            data.len() == len
        });
        data
    }

    /// Runs until `done` holds, polling only the side a packet reached and the sides whose timers
    /// are due: the least work the workload needs.
    fn run_until(&mut self, mut done: impl FnMut(&mut Self) -> bool) {
        self.poll(0);
        self.poll(1);
        while !done(self) {
            let now = self.now;
            let due = [0, 1].map(|index| {
                let side = &mut self.sides[index];
                side.iface.poll_at(now, &side.sockets)
            });
            let arrival = self.wire.peek().map(|Reverse((at, ..))| *at);
            let next = due.into_iter().chain([arrival]).flatten().min().expect("something to do");
            self.now = self.now.max(next);
            while self.wire.peek().is_some_and(|Reverse((at, ..))| *at <= self.now) {
                let Reverse((_, _, to, packet)) = self.wire.pop().expect("peeked");
                self.sides[to].device.rx.push(packet);
                self.poll(to);
            }
            for (index, at) in due.into_iter().enumerate() {
                if at.is_some_and(|at| at <= self.now) {
                    self.poll(index);
                }
            }
        }
    }
}

fn bare(payload: &[u8]) -> Measure {
    let started = WallClock::now();
    let server_address = IpAddress::v4(10, 0, 0, 2);
    let mut net = BackToBack {
        now: Instant::ZERO,
        sides: [Side::new(Ipv4Address::new(10, 0, 0, 1), 1), Side::new(Ipv4Address::new(10, 0, 0, 2), 2)],
        wire: BinaryHeap::new(),
        sent: 0,
    };
    let (client, server) = (0, 1);
    let mut listener = {
        let mut socket = Side::socket();
        socket.listen(7).unwrap();
        net.sides[server].sockets.add(socket)
    };
    for connection in 0..CONNECTIONS {
        let c = net.sides[client].sockets.add(Side::socket());
        let local_port = 49152 + (connection % 16000) as u16;
        let cx = net.sides[client].iface.context();
        net.sides[client]
            .sockets
            .get_mut::<tcp::Socket>(c)
            .connect(cx, IpEndpoint::new(server_address, 7), local_port)
            .unwrap();
        net.run_until(|net| net.sides[client].tcp(c).may_send());
        net.run_until(|net| net.sides[server].tcp(listener).may_send());
        let s = listener;
        listener = {
            let mut socket = Side::socket();
            socket.listen(7).unwrap();
            net.sides[server].sockets.add(socket)
        };
        net.sides[client].tcp(c).send_slice(payload).unwrap();
        let request = net.receive(server, s, payload.len());
        net.sides[server].tcp(s).send_slice(&request).unwrap();
        let reply = net.receive(client, c, payload.len());
        assert_eq!(reply, payload);
        net.sides[client].tcp(c).close();
        net.sides[client].closing.push(c);
        net.run_until(|net| !net.sides[server].tcp(s).may_recv());
        net.sides[server].tcp(s).close();
        net.sides[server].closing.push(s);
    }
    net.run_until(|net| net.wire.is_empty() && net.sides.iter().all(|side| side.closing.is_empty()));
    Measure {
        seconds: started.elapsed().as_secs_f64(),
        packets: net.sent,
        virtual_seconds: net.now.total_micros() as f64 / 1e6,
    }
}
