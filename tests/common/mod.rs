//! Helpers the engine tests share: small networks and calls that wait for their result.
#![allow(dead_code)]

use socksim::sim::*;

/// A client (10.0.0.1) and a server (10.0.0.2) on one clean 10 ms link.
pub fn client_server(seed: u64) -> (Network, HostId, HostId) {
    let mut net = Network::new(seed);
    let client = net.add_host("client", "10.0.0.1".parse().unwrap()).unwrap();
    let server = net.add_host("server", "10.0.0.2".parse().unwrap()).unwrap();
    net.add_link(client, server, Impairments::default()).unwrap();
    (net, client, server)
}

/// Makes a call and, when it blocks, runs the network until it completes (at most `limit`).
pub fn call_within(net: &mut Network, host: HostId, call: Call, limit: Duration) -> CallResult {
    match net.call(host, call) {
        CallStatus::Done(result) => result,
        CallStatus::Blocked(id) => wait_for(net, id, limit).expect("the call completes in time"),
    }
}

pub fn call(net: &mut Network, host: HostId, call: Call) -> CallResult {
    call_within(net, host, call, Duration::from_secs(300))
}

std::thread_local! {
    /// Completions of other calls seen while waiting for one, kept for whoever waits for them.
    static SEEN: std::cell::RefCell<Vec<Completion>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs the network until blocked call `id` completes, or `limit` of virtual time passes.
pub fn wait_for(net: &mut Network, id: CallId, limit: Duration) -> Option<CallResult> {
    let end = net.now() + limit;
    loop {
        let found = SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            seen.extend(net.take_completions());
            let index = seen.iter().position(|completion| completion.call == id)?;
            Some(seen.remove(index).result)
        });
        if found.is_some() {
            return found;
        }
        match net.next_event_at() {
            Some(at) if at <= end => {
                net.step();
            }
            _ => return None,
        }
    }
}

pub fn fd_of(result: CallResult) -> Fd {
    match result.expect("the call succeeds") {
        Value::Fd { fd } | Value::Accepted { fd, .. } => fd,
        other => panic!("expected a descriptor, got {other:?}"),
    }
}

pub fn bytes_of(result: CallResult) -> Vec<u8> {
    match result.expect("the call succeeds") {
        Value::Bytes { data } | Value::Datagram { data, .. } => data,
        other => panic!("expected bytes, got {other:?}"),
    }
}

pub fn socket(net: &mut Network, host: HostId, kind: SocketKind) -> Fd {
    fd_of(call(net, host, Call::Socket { kind }))
}

/// A TCP server listening on `address:port` with `backlog`; returns the listening descriptor.
pub fn listen(net: &mut Network, host: HostId, address: &str, port: i64, backlog: i64) -> Fd {
    let fd = socket(net, host, SocketKind::Tcp);
    call(net, host, Call::Bind { fd, address: address.into(), port }).unwrap();
    call(net, host, Call::Listen { fd, backlog }).unwrap();
    fd
}

pub fn bind(fd: Fd, address: &str, port: i64) -> Call {
    Call::Bind { fd, address: address.into(), port }
}
pub fn connect(fd: Fd, address: &str, port: i64) -> Call {
    Call::Connect { fd, address: address.into(), port }
}
pub fn send(fd: Fd, data: &[u8]) -> Call {
    Call::Sendall { fd, data: data.to_vec() }
}
pub fn recv(fd: Fd, bufsize: i64) -> Call {
    Call::Recv { fd, bufsize }
}

/// The kinds of the packets in the trace, in send order.
pub fn kinds(net: &Network) -> Vec<PacketKind> {
    net.trace().records().map(|record| record.summary.kind).collect()
}

/// Reads from `fd` until the peer closes (`b''`), within `limit` of virtual time.
pub fn read_to_end(net: &mut Network, host: HostId, fd: Fd) -> Vec<u8> {
    let mut all = Vec::new();
    loop {
        let chunk = bytes_of(call(net, host, recv(fd, 65536)));
        if chunk.is_empty() {
            return all;
        }
        all.extend(chunk);
    }
}

/// Plays built-in lesson `id` to its end, with its own seed or `seed` instead.
pub fn play_lesson(id: &str, seed: Option<u64>) -> socksim::scenario::Player {
    let built_in = socksim::scenario::library::find(id).unwrap_or_else(|| panic!("no built-in lesson {id}"));
    let mut lesson = socksim::scenario::Lesson::parse(built_in.text)
        .unwrap_or_else(|error| panic!("built-in lesson {id} does not parse: {error}"));
    if let Some(seed) = seed {
        lesson.seed = seed;
    }
    let mut player = socksim::scenario::Player::new(lesson)
        .unwrap_or_else(|error| panic!("built-in lesson {id} does not build: {error}"));
    player.run_to_end();
    player
}

/// The state the page shows for a descriptor (`ESTABLISHED`, `LISTEN`…), or "" when it is gone.
pub fn state_of(net: &Network, host: HostId, fd: Fd) -> String {
    net.snapshot().hosts[host]
        .sockets
        .iter()
        .find(|view| view.fd == Some(fd))
        .map(|view| view.state.clone())
        .unwrap_or_default()
}

/// `len` pseudo-random bytes from `seed` (xorshift64*), for payloads that are not all alike.
pub fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// The trace as text: every record's summary, fate and times, and its bytes in hex; two runs are
/// the same run when their texts are equal.
pub fn trace_text(net: &Network) -> String {
    net.trace()
        .records()
        .map(|record| {
            let hex: String = record.bytes.iter().map(|byte| format!("{byte:02x}")).collect();
            format!("{} {hex}\n", serde_json::to_string(record).unwrap())
        })
        .collect()
}
