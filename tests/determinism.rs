//! Determinism: the same lesson (or the same calls on the same network) and the same seed give the
//! same packets, byte for byte, on every run; another seed gives other packets.

mod common;

use std::collections::BTreeMap;

use common::*;
use socksim::scenario::library::BUILT_IN;
use socksim::scenario::Player;
use socksim::sim::*;

fn pcap_of(player: &Player) -> Vec<u8> {
    pcap::write(player.network().trace())
}

/// Where two byte strings first differ.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y).or((a.len() != b.len()).then(|| a.len().min(b.len())))
}

/// Everything a played lesson shows: packets, transcript and checkpoint verdicts.
fn played(player: &Player) -> (Vec<u8>, String, String, String) {
    (
        pcap_of(player),
        trace_text(player.network()),
        serde_json::to_string(player.transcript()).unwrap(),
        serde_json::to_string(player.results()).unwrap(),
    )
}

fn assert_same_run(what: &str, first: &Player, second: &Player) {
    let (pcap_a, trace_a, transcript_a, results_a) = played(first);
    let (pcap_b, trace_b, transcript_b, results_b) = played(second);
    assert!(first.network().trace().len() > 2, "{what}: too few packets to compare");
    assert!(
        pcap_a == pcap_b,
        "{what}: two runs wrote different pcaps ({} and {} bytes, first difference at byte {:?})",
        pcap_a.len(),
        pcap_b.len(),
        first_difference(&pcap_a, &pcap_b)
    );
    assert!(trace_a == trace_b, "{what}: two runs traced different packets");
    assert_eq!(transcript_a, transcript_b, "{what}: two runs have different transcripts");
    assert_eq!(results_a, results_b, "{what}: two runs have different checkpoint verdicts");
}

#[test]
fn every_built_in_lesson_replays_byte_for_byte() {
    assert!(BUILT_IN.len() >= 7, "the built-in lessons are missing");
    for lesson in BUILT_IN {
        let first = play_lesson(lesson.id, None);
        let second = play_lesson(lesson.id, None);
        assert_same_run(lesson.id, &first, &second);
    }
}

#[test]
fn every_built_in_lesson_replays_with_another_seed_too() {
    for lesson in BUILT_IN {
        let first = play_lesson(lesson.id, Some(0xC0FFEE));
        let second = play_lesson(lesson.id, Some(0xC0FFEE));
        assert_same_run(&format!("{} with seed 0xC0FFEE", lesson.id), &first, &second);
    }
}

/// The kind and fate of each packet: what the seed's loss decides, beyond ports and sequence numbers.
fn fates(player: &Player) -> Vec<(PacketKind, &'static str)> {
    player.network().trace().records().map(|record| (record.summary.kind, record.fate.label())).collect()
}

#[test]
fn another_seed_changes_the_lossy_udp_lesson() {
    let base = play_lesson("04-uppercase-udp", None);
    let seed = base.lesson().seed;
    let lost = base.network().trace().records().filter(|r| matches!(r.fate, Fate::Lost { .. })).count();
    assert!(lost > 0, "lesson 04 loses packets with its own seed");

    let other = play_lesson("04-uppercase-udp", Some(seed + 1));
    assert_ne!(pcap_of(&base), pcap_of(&other), "seeds {seed} and {} wrote the same pcap", seed + 1);

    // Not just other ports and sequence numbers: other packets are lost.
    let base_fates = fates(&base);
    let differ = (1..=5).any(|delta| fates(&play_lesson("04-uppercase-udp", Some(seed + delta))) != base_fates);
    assert!(differ, "five other seeds lose exactly the same packets as seed {seed}");
}

// ---- The engine directly --------------------------------------------------------------------

/// What a busy network did: every call's outcome in order, the trace and the pcap.
#[derive(PartialEq)]
struct Run {
    log: Vec<String>,
    trace: String,
    pcap: Vec<u8>,
    accepted: usize,
    lost: usize,
    duplicated: usize,
    bytes_read: usize,
}

/// What to do when a call finishes.
#[derive(Clone, Copy, Debug)]
enum Then {
    Nothing,
    /// A server's accepted connection: read until EOF, then close.
    ServeReads,
    /// Read on this descriptor until EOF, then close.
    ReadOn(HostId, Fd),
}

/// Three clients open twelve TCP connections to one server over lossy, jittery, duplicating links
/// (one of them slow), each writes some kilobytes and hangs up, and they trade UDP datagrams.
/// `slice` is how far the clock moves between looks at the network: it must not matter.
fn busy_network(seed: u64, slice: Duration) -> Run {
    let mut net = Network::new(seed);
    let server = net.add_host("server", "10.0.0.100".parse().unwrap()).unwrap();
    let lossy = Impairments {
        delay_us: 5_000,
        jitter_us: 20_000,
        loss_percent: 10.0,
        duplicate_percent: 5.0,
        bandwidth_bps: 0,
    };
    let mut clients = Vec::new();
    for index in 0..3 {
        let host = net.add_host(&format!("c{index}"), format!("10.0.0.{}", index + 1).parse().unwrap()).unwrap();
        let impairments = if index == 2 { Impairments { bandwidth_bps: 2_000_000, ..lossy } } else { lossy };
        net.add_link(host, server, impairments).unwrap();
        clients.push(host);
    }

    let mut log = Vec::new();
    let mut waiting: BTreeMap<CallId, Then> = BTreeMap::new();
    let mut ready: Vec<(HostId, Fd, Then, CallResult)> = Vec::new();
    let make = |net: &mut Network,
                log: &mut Vec<String>,
                waiting: &mut BTreeMap<CallId, Then>,
                ready: &mut Vec<(HostId, Fd, Then, CallResult)>,
                host: HostId,
                call: Call,
                then: Then| {
        let fd = call.fd().unwrap_or(-1);
        let status = net.call(host, call);
        log.push(format!("{} host {host} fd {fd}: {status:?}", net.now()));
        match status {
            CallStatus::Done(result) => ready.push((host, fd, then, result)),
            CallStatus::Blocked(id) => {
                waiting.insert(id, then);
            }
        }
    };

    let listener = listen(&mut net, server, "", 80, 16);
    let udp_server = socket(&mut net, server, SocketKind::Udp);
    call(&mut net, server, bind(udp_server, "", 53)).unwrap();
    for _ in 0..12 {
        make(&mut net, &mut log, &mut waiting, &mut ready, server, Call::Accept { fd: listener }, Then::ServeReads);
    }
    for _ in 0..15 {
        let recvfrom = Call::Recvfrom { fd: udp_server, bufsize: 2048 };
        make(&mut net, &mut log, &mut waiting, &mut ready, server, recvfrom, Then::Nothing);
    }
    let mut streams = Vec::new();
    for (index, &client) in clients.iter().enumerate() {
        for _ in 0..4 {
            let fd = socket(&mut net, client, SocketKind::Tcp);
            make(&mut net, &mut log, &mut waiting, &mut ready, client, connect(fd, "server", 80), Then::Nothing);
            streams.push((client, fd));
        }
        let udp = socket(&mut net, client, SocketKind::Udp);
        for number in 0..5 {
            let data = format!("datagram {number} from c{index}").into_bytes();
            let sendto = Call::Sendto { fd: udp, data, address: "server".into(), port: 53 };
            make(&mut net, &mut log, &mut waiting, &mut ready, client, sendto, Then::Nothing);
        }
    }

    let mut accepted = 0;
    let mut bytes_read = 0;
    let mut run = |net: &mut Network,
                   log: &mut Vec<String>,
                   waiting: &mut BTreeMap<CallId, Then>,
                   ready: &mut Vec<(HostId, Fd, Then, CallResult)>,
                   until: Instant| {
        loop {
            for completion in net.take_completions() {
                let then = waiting.remove(&completion.call).expect("a completion for a call that was made");
                let shown = format!("{:?}", completion.result);
                log.push(format!(
                    "{} call {} done: {}",
                    completion.at,
                    completion.call,
                    &shown[..shown.len().min(200)]
                ));
                ready.push((completion.host, completion.fd, then, completion.result));
            }
            if let Some((host, _, then, result)) = (!ready.is_empty()).then(|| ready.remove(0)) {
                match (then, result) {
                    (Then::ServeReads, Ok(Value::Accepted { fd, .. })) => {
                        accepted += 1;
                        make(net, log, waiting, ready, host, recv(fd, 1000), Then::ReadOn(host, fd));
                    }
                    (Then::ReadOn(host, fd), Ok(Value::Bytes { data })) if data.is_empty() => {
                        make(net, log, waiting, ready, host, Call::Close { fd }, Then::Nothing);
                    }
                    (Then::ReadOn(host, fd), Ok(Value::Bytes { data })) => {
                        bytes_read += data.len();
                        make(net, log, waiting, ready, host, recv(fd, 1000), Then::ReadOn(host, fd));
                    }
                    _ => {}
                }
                continue;
            }
            if net.now() >= until {
                return;
            }
            // React to each event as it happens, and also stop the clock every `slice`, whether
            // or not anything happens then.
            let next = (net.now() + slice).min(until);
            match net.next_event_at() {
                Some(at) if at <= next => {
                    net.step();
                }
                _ => net.run_until(next),
            }
        }
    };

    run(&mut net, &mut log, &mut waiting, &mut ready, Instant::from_secs(10));
    for (index, &(client, fd)) in streams.iter().enumerate() {
        let data = pseudo_random_bytes(seed ^ index as u64, 1_000 * (index + 1));
        make(&mut net, &mut log, &mut waiting, &mut ready, client, Call::Sendall { fd, data }, Then::Nothing);
        let shutdown = Call::Shutdown { fd, how: ShutdownHow::ShutWr };
        make(&mut net, &mut log, &mut waiting, &mut ready, client, shutdown, Then::Nothing);
    }
    run(&mut net, &mut log, &mut waiting, &mut ready, Instant::from_secs(40));
    for &(client, fd) in &streams {
        make(&mut net, &mut log, &mut waiting, &mut ready, client, Call::Close { fd }, Then::Nothing);
    }
    run(&mut net, &mut log, &mut waiting, &mut ready, Instant::from_secs(60));

    Run {
        log,
        trace: trace_text(&net),
        pcap: pcap::write(net.trace()),
        accepted,
        lost: net.trace().records().filter(|r| matches!(r.fate, Fate::Lost { .. })).count(),
        duplicated: net.trace().records().filter(|r| r.duplicate_of.is_some()).count(),
        bytes_read,
    }
}

fn assert_same(what: &str, a: &Run, b: &Run) {
    if let Some(line) = a.log.iter().zip(&b.log).position(|(x, y)| x != y) {
        panic!("{what}: the calls went differently from line {line}:\n  {}\n  {}", a.log[line], b.log[line]);
    }
    assert_eq!(a.log.len(), b.log.len(), "{what}: one run made more calls");
    assert!(a.trace == b.trace, "{what}: the traces differ");
    assert!(a.pcap == b.pcap, "{what}: the pcaps differ at byte {:?}", first_difference(&a.pcap, &b.pcap));
}

#[test]
fn a_busy_lossy_network_replays_byte_for_byte() {
    let first = busy_network(7, Duration::from_millis(100));
    let second = busy_network(7, Duration::from_millis(100));
    // The workload really was busy and bad.
    assert_eq!(first.accepted, 12, "all twelve connections were accepted");
    assert!(first.bytes_read >= 50_000, "the server read {} bytes", first.bytes_read);
    assert!(first.lost >= 10 && first.duplicated >= 5, "{} lost, {} duplicated", first.lost, first.duplicated);
    assert_same("seed 7 twice", &first, &second);

    let other = busy_network(8, Duration::from_millis(100));
    assert!(first.pcap != other.pcap, "seeds 7 and 8 wrote the same pcap");
}

/// How often a caller stops the clock to look (the page every animation frame, the headless
/// runner only at script times) must not change what happens.
#[test]
fn how_often_the_clock_stops_does_not_change_the_packets() {
    let coarse = busy_network(11, Duration::from_secs(1));
    let fine = busy_network(11, Duration::from_millis(7));
    assert_same("1 s slices versus 7 ms slices", &coarse, &fine);
}
