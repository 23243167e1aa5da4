//! A person's session at the page: calls made by hand, packets dropped by hand, rewinding by replay.
#![cfg(not(target_arch = "wasm32"))]

use socksim::scenario::lesson::Action;
use socksim::scenario::library::default_network;
use socksim::scenario::player::instant;
use socksim::scenario::{Intent, Outcome, Session};
use socksim::sim::{Fate, Impairments, PacketKind, SocketKind};

const CLIENT: usize = 0;
const SERVER: usize = 1;

fn call(host: usize, action: Action) -> Intent {
    Intent::Call { host, action: action.into() }
}

/// The server listens on port 80 and blocks in accept; the client connects.
fn handshake(session: &mut Session) {
    session.act(call(SERVER, Action::Socket { kind: SocketKind::Tcp, binds: "s".into() }));
    session.act(call(SERVER, Action::Bind { socket: "s".into(), address: "0.0.0.0".into(), port: 80 }));
    session.act(call(SERVER, Action::Listen { socket: "s".into(), backlog: 5 }));
    session.act(call(
        SERVER,
        Action::Accept { socket: "s".into(), binds: "conn".into(), binds_address: Some("addr".into()) },
    ));
    session.advance_to(instant(0.1));
    session.act(call(CLIENT, Action::Socket { kind: SocketKind::Tcp, binds: "s".into() }));
    session.act(call(CLIENT, Action::Connect { socket: "s".into(), address: "10.0.0.2".into(), port: 80 }));
}

/// Every packet of the run: id, kind, times, fate.
fn packets(session: &Session) -> Vec<(u64, PacketKind, i64, Fate)> {
    session
        .network()
        .trace()
        .records()
        .map(|record| (record.id, record.summary.kind, record.sent_at.total_micros(), record.fate))
        .collect()
}

fn transcript(session: &Session) -> Vec<(usize, String, Outcome)> {
    session.player().transcript().iter().map(|line| (line.host, line.code.clone(), line.outcome.clone())).collect()
}

#[test]
fn calls_by_hand_make_a_handshake_with_python_lines() {
    let mut session = Session::new(default_network()).unwrap();
    handshake(&mut session);
    session.advance_to(instant(0.5));
    let lines = transcript(&session);
    assert_eq!(lines[0].1, "s = socket(AF_INET, SOCK_STREAM)");
    assert_eq!(lines[3].1, "conn, addr = s.accept()");
    assert!(matches!(&lines[3].2, Outcome::Returned(text) if text.contains("('10.0.0.1', ")), "{lines:?}");
    assert_eq!(lines[5], (CLIENT, "s.connect(('10.0.0.2', 80))".into(), Outcome::Returned("None".into())));
    let kinds: Vec<PacketKind> = packets(&session).iter().map(|packet| packet.1).collect();
    assert_eq!(kinds, [PacketKind::Syn, PacketKind::SynAck, PacketKind::Ack]);
    let conn = session.player().sockets(SERVER).unwrap()["conn"];
    assert!(conn > 3, "accept names a new descriptor, got {conn}");
}

#[test]
fn an_error_by_hand_is_shown_and_the_console_goes_on() {
    let mut session = Session::new(default_network()).unwrap();
    session.act(call(CLIENT, Action::Socket { kind: SocketKind::Tcp, binds: "s".into() }));
    session.act(call(CLIENT, Action::Connect { socket: "s".into(), address: "10.0.0.2".into(), port: 80 }));
    session.advance_to(instant(1.0));
    session.act(call(CLIENT, Action::Close { socket: "s".into() }));
    session.act(call(CLIENT, Action::Listen { socket: "nope".into(), backlog: 1 }));
    let lines = transcript(&session);
    assert!(matches!(&lines[1].2, Outcome::Raised(text) if text.starts_with("ConnectionRefusedError")), "{lines:?}");
    assert_eq!(lines[2].2, Outcome::Returned("None".into()));
    assert!(matches!(&lines[3].2, Outcome::Raised(text) if text.starts_with("NameError")), "{lines:?}");
}

#[test]
fn rewinding_replays_the_same_packets_and_calls() {
    let mut session = Session::new(default_network()).unwrap();
    handshake(&mut session);
    session.advance_to(instant(0.3));
    session.act(call(CLIENT, Action::Send { socket: "s".into(), payload: text("hello"), all: true }));
    session.advance_to(instant(2.0));
    let (first_packets, first_lines) = (packets(&session), transcript(&session));
    assert!(first_packets.len() >= 5, "{first_packets:?}");

    session.seek(instant(0.05));
    assert_eq!(session.now(), instant(0.05));
    assert!(packets(&session).is_empty(), "before the connect, no packet: {:?}", packets(&session));
    assert_eq!(session.horizon(), instant(2.0), "rewinding keeps the timeline");

    session.seek(instant(2.0));
    assert_eq!(packets(&session), first_packets);
    assert_eq!(transcript(&session), first_lines);
}

#[test]
fn acting_while_rewound_replaces_the_recorded_future() {
    let mut session = Session::new(default_network()).unwrap();
    handshake(&mut session);
    session.advance_to(instant(0.3));
    session.act(call(CLIENT, Action::Send { socket: "s".into(), payload: text("first"), all: true }));
    session.advance_to(instant(1.0));
    session.seek(instant(0.2));
    session.act(call(CLIENT, Action::Close { socket: "s".into() }));
    session.advance_to(instant(1.0));
    let codes: Vec<String> = transcript(&session).into_iter().map(|line| line.1).collect();
    assert!(codes.contains(&"s.close()".to_string()));
    assert!(!codes.iter().any(|code| code.contains("first")), "{codes:?}");
    assert_eq!(session.actions().len(), 7);
}

#[test]
fn a_packet_dropped_by_hand_is_sent_again_and_the_drop_replays() {
    let mut session = Session::new(default_network()).unwrap();
    handshake(&mut session);
    session.advance_to(instant(0.3));
    session.act(call(CLIENT, Action::Send { socket: "s".into(), payload: text("hello"), all: true }));
    session.advance_to(session.now() + socksim::sim::Duration::from_millis(5));
    let data = packets(&session).into_iter().find(|packet| packet.1 == PacketKind::Data).expect("a data segment");
    session.act(Intent::DropPacket { packet: data.0 });
    session.advance_to(instant(3.0));
    let all = packets(&session);
    assert!(matches!(all.iter().find(|packet| packet.0 == data.0).unwrap().3, Fate::DroppedByHand { .. }));
    let data_segments = all.iter().filter(|packet| packet.1 == PacketKind::Data).count();
    assert_eq!(data_segments, 2, "the segment is retransmitted once: {all:?}");

    session.seek(instant(0.0));
    session.seek(instant(3.0));
    assert_eq!(packets(&session), all, "the drop is part of the recording");
}

#[test]
fn a_drop_next_asked_for_by_hand_drops_only_the_next_matching_packet_and_replays() {
    let mut session = Session::new(default_network()).unwrap();
    // Before the handshake: drop the next SYN-ACK the server sends (the SYN goes through).
    session.act(Intent::DropNext { link: 0, from: Some(SERVER), kind: Some(PacketKind::SynAck) });
    handshake(&mut session);
    session.advance_to(instant(3.0));
    let all = packets(&session);
    let syn_acks: Vec<_> = all.iter().filter(|packet| packet.1 == PacketKind::SynAck).collect();
    assert!(syn_acks.len() >= 2, "the SYN-ACK is sent again: {all:?}");
    assert!(matches!(syn_acks[0].3, Fate::DroppedByHand { .. }), "{all:?}");
    assert!(syn_acks[1..].iter().all(|packet| matches!(packet.3, Fate::Delivered { .. })), "{all:?}");
    assert!(matches!(all[0].3, Fate::Delivered { .. }), "the SYN is not dropped: {all:?}");

    let rebuilds = session.rebuilds();
    session.seek(instant(0.0));
    assert_eq!(session.rebuilds(), rebuilds + 1);
    session.seek(instant(3.0));
    assert_eq!(packets(&session), all, "the drop is part of the recording");
}

#[test]
fn step_moves_packet_event_by_packet_event_and_back() {
    let mut session = Session::new(default_network()).unwrap();
    handshake(&mut session);
    // The SYN is sent at 0.1 s; it arrives 10 ms later and the SYN-ACK leaves at that instant.
    assert!(session.step());
    assert_eq!(session.now(), instant(0.11));
    assert_eq!(session.network().trace().len(), 2);
    assert!(session.step());
    assert_eq!(session.now(), instant(0.12), "the SYN-ACK arrives and the ACK leaves");
    assert_eq!(session.network().trace().len(), 3);
    assert!(session.step_back());
    assert_eq!(session.now(), instant(0.11));
    assert_eq!(session.network().trace().len(), 2);
    assert!(session.step_back());
    assert_eq!(session.now(), instant(0.1), "back to the SYN leaving");
    assert!(session.step());
    assert_eq!(session.now(), instant(0.11));
}

#[test]
fn step_gives_up_when_nothing_will_ever_happen() {
    let mut session = Session::new(default_network()).unwrap();
    assert!(!session.step());
    assert!(!session.step_back());
}

#[test]
fn a_link_slider_is_recorded_and_replayed() {
    let mut session = Session::new(default_network()).unwrap();
    let slow = Impairments { delay_us: 200_000, ..Impairments::default() };
    session.act(Intent::SetLink { link: 0, from: CLIENT, impairments: slow });
    handshake(&mut session);
    session.advance_to(instant(2.0));
    let syn_ack_at = |session: &Session| {
        session.network().trace().records().find(|record| record.summary.kind == PacketKind::SynAck).unwrap().sent_at
    };
    assert_eq!(syn_ack_at(&session), instant(0.3), "the SYN took 200 ms");
    session.seek(instant(0.0));
    session.seek(instant(2.0));
    assert_eq!(syn_ack_at(&session), instant(0.3));
}

#[test]
fn reset_forgets_the_recording_and_seed_replays_it() {
    let mut session = Session::new(default_network()).unwrap();
    handshake(&mut session);
    session.advance_to(instant(1.0));
    session.set_seed(99);
    assert_eq!(session.now(), instant(1.0));
    assert_eq!(session.lesson().seed, 99);
    assert_eq!(packets(&session).len(), 3, "the handshake replays with the new seed");
    session.reset();
    assert_eq!(session.now(), instant(0.0));
    assert!(session.actions().is_empty());
    session.advance_to(instant(1.0));
    assert!(packets(&session).is_empty());
}

#[test]
fn a_lesson_plays_in_a_session_like_in_the_runner() {
    let lesson =
        socksim::scenario::Lesson::parse(socksim::scenario::library::find("04-uppercase-udp").unwrap().text).unwrap();
    let end = instant(lesson.duration);
    let mut session = Session::new(lesson.clone()).unwrap();
    session.advance_to(instant(0.4));
    session.seek(instant(0.1));
    session.advance_to(end);
    let mut player = socksim::scenario::Player::new(lesson).unwrap();
    player.run_to_end();
    assert_eq!(session.player().results(), player.results());
    assert_eq!(session.network().trace().len(), player.network().trace().len());
}

fn text(text: &str) -> socksim::scenario::lesson::Payload {
    socksim::scenario::lesson::Payload::Text(text.into())
}

/// The page redraws its panels only when the revision changes, so it must change with every
/// call, packet and rewind, and stay put while only the clock moves.
#[test]
fn the_revision_changes_with_what_happens_not_with_the_clock() {
    let mut session = Session::new(default_network()).unwrap();
    let start = session.revision();
    session.advance_to(instant(0.05));
    assert_eq!(session.revision(), start, "nothing happened, only time passed");
    session.act(call(SERVER, Action::Socket { kind: SocketKind::Tcp, binds: "s".into() }));
    let after_call = session.revision();
    assert_ne!(after_call, start, "a call changes the revision");
    handshake(&mut session);
    let syn_sent = session.revision();
    // The SYN is on the wire for 10 ms: the revision stays while it flies, then changes.
    session.advance_to(session.now() + socksim::sim::Duration::from_micros(5_000));
    assert_eq!(session.revision(), syn_sent, "a packet half-way along its link changes nothing");
    session.advance_to(session.now() + socksim::sim::Duration::from_micros(10_000));
    assert_ne!(session.revision(), syn_sent, "the SYN's arrival changes the revision");
    let later = session.revision();
    session.seek(instant(0.0));
    assert_ne!(session.revision(), later, "rewinding rebuilds the network");
    assert_ne!(session.revision(), start, "a rebuilt network is told apart from the first one");
}
