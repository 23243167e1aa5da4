//! The engine's behaviours, one test each: TCP's life cycle, binding rules, the accept queue,
//! impairments, and every Python error raised by the call that raises it.

mod common;

use common::*;
use socksim::sim::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn error_of(result: CallResult) -> String {
    result.expect_err("the call fails").to_string()
}

/// A connected pair: (client fd, server's accepted fd).
fn connected(net: &mut Network, client: HostId, server: HostId, port: i64) -> (Fd, Fd) {
    let listener = listen(net, server, "0.0.0.0", port, 5);
    let c = socket(net, client, SocketKind::Tcp);
    call(net, client, connect(c, "server", port)).unwrap();
    let s = fd_of(call(net, server, Call::Accept { fd: listener }));
    (c, s)
}

fn lingering_states(net: &Network, host: HostId) -> Vec<String> {
    net.snapshot().hosts[host]
        .sockets
        .iter()
        .filter(|socket| socket.fd.is_none() && socket.awaiting_accept_on.is_none())
        .map(|socket| socket.state.clone())
        .collect()
}

#[test]
fn three_way_handshake() {
    let (mut net, client, server) = client_server(1);
    let (c, s) = connected(&mut net, client, server, 80);
    assert_eq!(kinds(&net)[..3], [PacketKind::Syn, PacketKind::SynAck, PacketKind::Ack]);
    assert_eq!(state_of(&net, client, c), "ESTABLISHED");
    assert_eq!(state_of(&net, server, s), "ESTABLISHED");
    let syn = &net.trace().records().next().unwrap().summary;
    assert_eq!(syn.dst.to_string(), "10.0.0.2:80");
    assert!(EPHEMERAL_PORTS.contains(&syn.src.port()), "ephemeral port {}", syn.src.port());
    // Relative sequence numbers start at 0 on both sides, as Wireshark shows them.
    let synack = net.trace().records().nth(1).unwrap();
    match synack.summary.transport {
        Transport::Tcp { relative_seq, relative_ack, .. } => {
            assert_eq!((relative_seq, relative_ack), (Some(0), Some(1)));
        }
        _ => panic!("a SYN-ACK is TCP"),
    }
}

#[test]
fn accept_returns_a_new_socket_and_the_clients_address() {
    let (mut net, client, server) = client_server(2);
    let listener = listen(&mut net, server, "", 8080, 5);
    let c = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, connect(c, "10.0.0.2", 8080)).unwrap();
    let accepted = call(&mut net, server, Call::Accept { fd: listener }).unwrap();
    let Value::Accepted { fd, peer } = accepted else { panic!("accept returns a pair") };
    assert_ne!(fd, listener);
    assert_eq!(peer.ip().to_string(), "10.0.0.1");
    assert!(EPHEMERAL_PORTS.contains(&peer.port()));
    assert_eq!(state_of(&net, server, listener), "LISTEN");
}

#[test]
fn data_flows_both_ways_in_order() {
    let (mut net, client, server) = client_server(3);
    let (c, s) = connected(&mut net, client, server, 12000);
    // More than the buffers hold: sendall blocks until the server has read enough.
    let request: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
    let CallStatus::Blocked(sending) = net.call(client, send(c, &request)) else { panic!("sendall blocks") };
    let mut received = Vec::new();
    while received.len() < request.len() {
        received.extend(bytes_of(call(&mut net, server, recv(s, 4096))));
    }
    assert_eq!(wait_for(&mut net, sending, secs(1)), Some(Ok(Value::None)));
    call(&mut net, client, Call::Shutdown { fd: c, how: ShutdownHow::ShutWr }).unwrap();
    assert!(read_to_end(&mut net, server, s).is_empty());
    assert_eq!(received, request);
    call(&mut net, server, send(s, b"thanks")).unwrap();
    assert_eq!(bytes_of(call(&mut net, client, recv(c, 100))), b"thanks");
}

#[test]
fn a_connection_whose_peer_does_not_read_stays_open() {
    let (mut net, client, server) = client_server(18);
    let (c, s) = connected(&mut net, client, server, 80);
    let CallStatus::Blocked(_) = net.call(client, send(c, &[1; 4 * TCP_BUFFER])) else { panic!("sendall blocks") };
    net.run_until(net.now() + secs(600));
    assert_eq!(state_of(&net, client, c), "ESTABLISHED", "zero-window probes keep it alive");
    assert_eq!(bytes_of(call(&mut net, server, recv(s, 10))).len(), 10);
}

#[test]
fn a_blocking_send_returns_when_all_is_queued_and_one_with_a_timeout_when_some_is() {
    let (mut net, client, server) = client_server(4);
    let (c, s) = connected(&mut net, client, server, 80);
    let big = vec![b'x'; TCP_BUFFER * 3];
    let CallStatus::Blocked(sending) = net.call(client, Call::Send { fd: c, data: big.clone() }) else {
        panic!("send blocks while the buffer is full")
    };
    let mut received = 0;
    while received < big.len() {
        received += bytes_of(call(&mut net, server, recv(s, 65536))).len();
    }
    let sent = wait_for(&mut net, sending, secs(1));
    assert_eq!(sent, Some(Ok(Value::Int { value: big.len() as i64 })), "Linux queues all of it");

    call(&mut net, client, Call::Settimeout { fd: c, seconds: Some(5.0) }).unwrap();
    let Ok(Value::Int { value }) = call(&mut net, client, Call::Send { fd: c, data: big }) else {
        panic!("send returns a count")
    };
    assert!(value > 0 && value as usize <= TCP_BUFFER, "with a timeout, send queued {value} bytes");
}

#[test]
fn server_closes_first_client_reads_eof_then_server_sits_in_time_wait() {
    let (mut net, client, server) = client_server(5);
    let (c, s) = connected(&mut net, client, server, 8080);
    call(&mut net, server, send(s, b"Hello from server\r\n")).unwrap();
    call(&mut net, server, Call::Close { fd: s }).unwrap();
    assert_eq!(bytes_of(call(&mut net, client, recv(c, 1024))), b"Hello from server\r\n");
    assert_eq!(bytes_of(call(&mut net, client, recv(c, 1024))), b"", "recv gives b'' after the FIN");
    assert_eq!(state_of(&net, client, c), "CLOSE-WAIT");
    call(&mut net, client, Call::Close { fd: c }).unwrap();
    net.run_until(net.now() + Duration::from_millis(200));
    assert_eq!(lingering_states(&net, server), ["TIME-WAIT"]);
    assert!(lingering_states(&net, client).is_empty(), "the client's socket is gone after LAST-ACK");
    // TIME-WAIT ends after smoltcp's 10 s.
    net.run_until(net.now() + secs(11));
    assert!(lingering_states(&net, server).is_empty());
}

#[test]
fn client_closes_first_and_its_side_waits_in_time_wait() {
    let (mut net, client, server) = client_server(6);
    let (c, s) = connected(&mut net, client, server, 8080);
    call(&mut net, client, Call::Close { fd: c }).unwrap();
    assert_eq!(bytes_of(call(&mut net, server, recv(s, 1024))), b"");
    call(&mut net, server, Call::Close { fd: s }).unwrap();
    net.run_until(net.now() + Duration::from_millis(200));
    assert_eq!(lingering_states(&net, client), ["TIME-WAIT"]);
    assert!(lingering_states(&net, server).is_empty());
    let fins: Vec<_> = net.trace().records().filter(|r| r.summary.kind == PacketKind::Fin).collect();
    assert_eq!(fins.len(), 2);
    assert_eq!(fins[0].from, client);
}

#[test]
fn connecting_to_a_closed_port_gets_rst_and_connection_refused() {
    let (mut net, client, _) = client_server(7);
    let c = socket(&mut net, client, SocketKind::Tcp);
    let result = call(&mut net, client, connect(c, "server", 9999));
    assert_eq!(error_of(result), "ConnectionRefusedError: [Errno 111] Connection refused");
    assert_eq!(kinds(&net), [PacketKind::Syn, PacketKind::Rst]);
    // The socket can try again, as on Linux.
    listen(&mut net, 1, "0.0.0.0", 9999, 1);
    call(&mut net, client, connect(c, "server", 9999)).unwrap();
}

#[test]
fn loopback_bind_is_reachable_locally_but_refused_remotely() {
    let (mut net, client, server) = client_server(8);
    let listener = listen(&mut net, server, "127.0.0.1", 8000, 5);

    // The server host itself connects over its loopback link.
    let local = socket(&mut net, server, SocketKind::Tcp);
    call(&mut net, server, connect(local, "127.0.0.1", 8000)).unwrap();
    let loopback = net.link_between(server, server).unwrap();
    assert!(net.trace().records().all(|r| r.link == Some(loopback)));
    fd_of(call(&mut net, server, Call::Accept { fd: listener }));

    // Another host reaches the address 10.0.0.2:8000, where nothing listens.
    let remote = socket(&mut net, client, SocketKind::Tcp);
    let refused = call(&mut net, client, connect(remote, "server", 8000));
    assert_eq!(refused.unwrap_err().exception, "ConnectionRefusedError");

    // Bound to 0.0.0.0, both work.
    listen(&mut net, server, "0.0.0.0", 9000, 5);
    let remote = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, connect(remote, "server", 9000)).unwrap();
    let local = socket(&mut net, server, SocketKind::Tcp);
    call(&mut net, server, connect(local, "10.0.0.2", 9000)).unwrap();
}

#[test]
fn full_accept_queue_drops_syns_until_accept_drains_it() {
    let mut net = Network::new(9);
    let server = net.add_host("server", "10.0.0.100".parse().unwrap()).unwrap();
    // Linux queues backlog + 1 connections: three for listen(2).
    let listener = listen(&mut net, server, "0.0.0.0", 80, 2);
    let mut clients = Vec::new();
    for i in 1..=4 {
        let host = net.add_host(&format!("c{i}"), format!("10.0.0.{i}").parse().unwrap()).unwrap();
        net.add_link(host, server, Impairments::default()).unwrap();
        let fd = socket(&mut net, host, SocketKind::Tcp);
        let CallStatus::Blocked(id) = net.call(host, connect(fd, "server", 80)) else { panic!("connect blocks") };
        clients.push((host, fd, id));
    }
    net.run_until(net.now() + Duration::from_millis(500));
    let snapshot = net.snapshot();
    let view = snapshot.hosts[server].sockets.iter().find(|s| s.fd == Some(listener)).unwrap();
    assert_eq!(view.accept_queue, Some((3, 3)));
    let queue_full =
        |net: &Network| net.trace().records().filter(|r| matches!(r.fate, Fate::AcceptQueueFull { .. })).count();
    assert_eq!(queue_full(&net), 1, "the fourth SYN is dropped");
    assert!(net.trace().records().all(|r| r.summary.kind != PacketKind::Rst), "no RST, unlike smoltcp alone");
    // The fourth client's SYN comes again after its 1 s retransmission timeout, and is dropped again.
    net.run_until(net.now() + Duration::from_millis(1000));
    assert_eq!(queue_full(&net), 2);
    // accept() makes room; the next retransmission gets in.
    fd_of(call(&mut net, server, Call::Accept { fd: listener }));
    let (_, _, fourth) = clients[3];
    assert_eq!(wait_for(&mut net, fourth, secs(10)), Some(Ok(Value::None)));
}

#[test]
fn a_repeated_syn_reaches_its_own_connection_not_a_spare_listener() {
    let (mut net, client, server) = client_server(10);
    let link = net.link_between(client, server).unwrap();
    let listener = listen(&mut net, server, "0.0.0.0", 80, 4);
    // The first SYN-ACK is lost: the client sends its SYN again, which must not open a second
    // connection on another of the four listeners.
    net.drop_next(DropRule { link, from: Some(server), kind: Some(PacketKind::SynAck) });
    let c = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, connect(c, "server", 80)).unwrap();
    net.run_until(net.now() + secs(3));
    let snapshot = net.snapshot();
    let queued = snapshot.hosts[server].sockets.iter().find(|s| s.fd == Some(listener)).unwrap().accept_queue;
    assert_eq!(queued, Some((1, 5)));
    assert_eq!(net.trace().records().filter(|r| r.summary.kind == PacketKind::Syn).count(), 2);
}

#[test]
fn udp_datagrams_lost_are_never_sent_again() {
    let (mut net, client, server) = client_server(11);
    let link = net.link_between(client, server).unwrap();
    net.set_impairments(link, client, Impairments { loss_percent: 50.0, ..Impairments::default() });
    let s = socket(&mut net, server, SocketKind::Udp);
    call(&mut net, server, bind(s, "", 12000)).unwrap();
    let c = socket(&mut net, client, SocketKind::Udp);
    for i in 0..20 {
        let data = format!("datagram {i}").into_bytes();
        call(&mut net, client, Call::Sendto { fd: c, data, address: "server".into(), port: 12000 }).unwrap();
    }
    net.run_until(net.now() + secs(5));
    let sent = net.trace().records().filter(|r| r.summary.kind == PacketKind::Udp).count();
    let lost = net.trace().records().filter(|r| matches!(r.fate, Fate::Lost { .. })).count();
    assert_eq!(sent, 20, "UDP sends each datagram once");
    assert!(lost > 0 && lost < 20, "lost {lost}");
    let mut received = 0;
    call(&mut net, server, Call::Settimeout { fd: s, seconds: Some(0.0) }).unwrap();
    while let Ok(Value::Datagram { data, peer }) = call(&mut net, server, Call::Recvfrom { fd: s, bufsize: 100 }) {
        assert!(data.starts_with(b"datagram "));
        assert_eq!(peer.unwrap().ip().to_string(), "10.0.0.1");
        received += 1;
    }
    assert_eq!(received, 20 - lost);
}

#[test]
fn udp_reply_goes_back_to_the_senders_address() {
    let (mut net, client, server) = client_server(12);
    let s = socket(&mut net, server, SocketKind::Udp);
    call(&mut net, server, bind(s, "0.0.0.0", 12000)).unwrap();
    let c = socket(&mut net, client, SocketKind::Udp);
    call(&mut net, client, Call::Sendto { fd: c, data: b"hello".to_vec(), address: "10.0.0.2".into(), port: 12000 })
        .unwrap();
    let Ok(Value::Datagram { data, peer: Some(peer) }) =
        call(&mut net, server, Call::Recvfrom { fd: s, bufsize: 2048 })
    else {
        panic!("a datagram arrives, with its sender")
    };
    let reply = data.to_ascii_uppercase();
    call(
        &mut net,
        server,
        Call::Sendto { fd: s, data: reply, address: peer.ip().to_string(), port: peer.port().into() },
    )
    .unwrap();
    assert_eq!(bytes_of(call(&mut net, client, Call::Recvfrom { fd: c, bufsize: 2048 })), b"HELLO");
}

#[test]
fn a_segment_dropped_by_hand_is_retransmitted() {
    let (mut net, client, server) = client_server(13);
    let (c, s) = connected(&mut net, client, server, 80);
    let CallStatus::Done(Ok(_)) = net.call(client, send(c, b"precious")) else { panic!("send queues") };
    let data = net.trace().records().find(|r| r.summary.kind == PacketKind::Data).unwrap().id;
    assert!(net.drop_packet(data), "the segment is on the wire");
    assert!(!net.drop_packet(data), "and can be dropped once");
    assert_eq!(bytes_of(call(&mut net, server, recv(s, 100))), b"precious");
    let copies = net.trace().records().filter(|r| r.summary.preview == "precious").count();
    assert_eq!(copies, 2, "the original and its retransmission");
    assert!(matches!(net.trace().get(data).unwrap().fate, Fate::DroppedByHand { .. }));
}

#[test]
fn reordered_segments_are_read_in_order() {
    let (mut net, client, server) = client_server(19);
    let link = net.link_between(client, server).unwrap();
    net.set_impairments(link, server, Impairments { jitter_us: 80_000, ..Impairments::default() });
    let (c, s) = connected(&mut net, client, server, 80);
    call(&mut net, server, Call::Setsockopt { fd: s, option: SocketOption::TcpNodelay, value: 1 }).unwrap();
    let letters: Vec<String> = (0..10).map(|i| format!("<letter {i}>")).collect();
    for letter in &letters {
        call(&mut net, server, send(s, letter.as_bytes())).unwrap();
    }
    call(&mut net, server, Call::Close { fd: s }).unwrap();
    assert_eq!(read_to_end(&mut net, client, c), letters.concat().into_bytes());
    // The letters did overtake each other on the wire.
    let arrivals: Vec<(Instant, u64)> = net
        .trace()
        .records()
        .filter(|r| r.summary.kind == PacketKind::Data && r.from == server)
        .map(|r| (r.fate.at().unwrap(), r.id))
        .collect();
    let mut by_arrival = arrivals.clone();
    by_arrival.sort();
    assert_ne!(arrivals, by_arrival, "jitter reordered the segments");
}

#[test]
fn duplicated_packets_are_traced_and_harmless() {
    let (mut net, client, server) = client_server(15);
    let link = net.link_between(client, server).unwrap();
    for end in [client, server] {
        net.set_impairments(link, end, Impairments { duplicate_percent: 100.0, ..Impairments::default() });
    }
    let (c, s) = connected(&mut net, client, server, 80);
    call(&mut net, client, send(c, b"once")).unwrap();
    call(&mut net, client, Call::Close { fd: c }).unwrap();
    assert_eq!(read_to_end(&mut net, server, s), b"once");
    let duplicates = net.trace().records().filter(|r| r.duplicate_of.is_some()).count();
    assert!(duplicates >= 4, "{duplicates} duplicates");
}

#[test]
fn a_packet_to_an_unknown_address_has_no_route_and_connect_says_so() {
    let (mut net, client, _) = client_server(16);
    let c = socket(&mut net, client, SocketKind::Tcp);
    let result = call(&mut net, client, connect(c, "10.9.9.9", 80));
    assert_eq!(error_of(result), "OSError: [Errno 113] No route to host");
    let records: Vec<_> = net.trace().records().collect();
    assert_eq!(records.len(), 1);
    assert!(matches!(records[0].fate, Fate::NoRoute { .. }));
    assert_eq!(records[0].summary.kind, PacketKind::Syn);
}

#[test]
fn a_peer_that_does_not_answer_makes_connect_time_out() {
    let (mut net, client, server) = client_server(19);
    let link = net.link_between(client, server).unwrap();
    net.set_impairments(link, client, Impairments { loss_percent: 100.0, ..Impairments::default() });
    let c = socket(&mut net, client, SocketKind::Tcp);
    let result = call(&mut net, client, connect(c, "server", 80));
    assert_eq!(error_of(result), "TimeoutError: [Errno 110] Connection timed out");
    assert!(net.trace().len() >= 6, "the SYN was sent again and again");
    assert!(net.now() >= Instant::from_secs(127) && net.now() <= Instant::from_secs(200));
}

#[test]
fn a_connect_that_times_out_in_python_goes_on_in_the_kernel() {
    let (mut net, client, server) = client_server(36);
    let link = net.link_between(client, server).unwrap();
    net.drop_next(DropRule { link, from: Some(client), kind: Some(PacketKind::Syn) });
    listen(&mut net, server, "", 80, 1);
    let c = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, Call::Settimeout { fd: c, seconds: Some(0.5) }).unwrap();
    assert_eq!(error_of(call(&mut net, client, connect(c, "server", 80))), "TimeoutError: timed out");
    assert_eq!(
        error_of(call(&mut net, client, connect(c, "server", 80))),
        "BlockingIOError: [Errno 114] Operation already in progress"
    );
    net.run_until(net.now() + secs(2));
    assert_eq!(state_of(&net, client, c), "ESTABLISHED", "the retransmitted SYN got through");
    assert!(net.trace().records().all(|r| r.summary.kind != PacketKind::Rst));
}

#[test]
fn a_connected_udp_socket_hears_port_unreachable_as_connection_refused() {
    let (mut net, client, _) = client_server(37);
    let u = socket(&mut net, client, SocketKind::Udp);
    call(&mut net, client, connect(u, "server", 9999)).unwrap();
    call(&mut net, client, Call::Send { fd: u, data: b"anyone?".to_vec() }).unwrap();
    net.run_until(net.now() + Duration::from_millis(100));
    assert!(net.trace().records().any(|r| r.summary.kind == PacketKind::Icmp));
    assert_eq!(error_of(call(&mut net, client, recv(u, 10))), "ConnectionRefusedError: [Errno 111] Connection refused");
}

#[test]
fn recvfrom_on_tcp_gives_no_address_like_python() {
    let (mut net, client, server) = client_server(38);
    let (c, s) = connected(&mut net, client, server, 80);
    call(&mut net, server, send(s, b"hi")).unwrap();
    let got = call(&mut net, client, Call::Recvfrom { fd: c, bufsize: 10 }).unwrap();
    assert_eq!(got, Value::Datagram { data: b"hi".to_vec(), peer: None });
}

#[test]
fn shutdown_of_a_listener_stops_listening() {
    let (mut net, client, server) = client_server(39);
    let listener = listen(&mut net, server, "", 80, 1);
    let CallStatus::Blocked(accepting) = net.call(server, Call::Accept { fd: listener }) else {
        panic!("accept blocks")
    };
    call(&mut net, server, Call::Shutdown { fd: listener, how: ShutdownHow::ShutRdwr }).unwrap();
    assert_eq!(
        wait_for(&mut net, accepting, secs(1)).map(error_of),
        Some("OSError: [Errno 22] Invalid argument".to_string())
    );
    let c = socket(&mut net, client, SocketKind::Tcp);
    assert_eq!(call(&mut net, client, connect(c, "server", 80)).unwrap_err().exception, "ConnectionRefusedError");
}

#[test]
fn bandwidth_spaces_segments_out() {
    let (mut net, client, server) = client_server(17);
    let link = net.link_between(client, server).unwrap();
    net.set_impairments(link, server, Impairments { bandwidth_bps: 1_000_000, ..Impairments::default() });
    let (c, s) = connected(&mut net, client, server, 80);
    call(&mut net, server, send(s, &[7; 5000])).unwrap();
    assert!(!bytes_of(call(&mut net, client, recv(c, 10_000))).is_empty());
    let arrivals: Vec<Instant> =
        net.trace().records().filter(|r| r.summary.kind == PacketKind::Data).filter_map(|r| r.fate.at()).collect();
    // 1500 bytes at 1 Mbit/s take 12 ms on the wire.
    assert!(arrivals.windows(2).all(|pair| pair[1] - pair[0] >= Duration::from_millis(11)), "{arrivals:?}");
}

// ---- Errors, each from the call that raises it ----------------------------------------------

#[test]
fn binding_a_taken_port_is_address_already_in_use() {
    let (mut net, _, server) = client_server(20);
    listen(&mut net, server, "0.0.0.0", 80, 5);
    let second = socket(&mut net, server, SocketKind::Tcp);
    assert_eq!(
        error_of(call(&mut net, server, bind(second, "0.0.0.0", 80))),
        "OSError: [Errno 98] Address already in use"
    );
    assert_eq!(
        error_of(call(&mut net, server, bind(second, "127.0.0.1", 80))),
        "OSError: [Errno 98] Address already in use"
    );
    // Another protocol has its own ports.
    let udp = socket(&mut net, server, SocketKind::Udp);
    call(&mut net, server, bind(udp, "0.0.0.0", 80)).unwrap();
}

#[test]
fn time_wait_holds_the_port_unless_so_reuseaddr() {
    let (mut net, client, server) = client_server(21);
    let listener = listen(&mut net, server, "0.0.0.0", 8080, 5);
    let c = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, connect(c, "server", 8080)).unwrap();
    let s = fd_of(call(&mut net, server, Call::Accept { fd: listener }));
    call(&mut net, server, Call::Close { fd: s }).unwrap();
    call(&mut net, server, Call::Close { fd: listener }).unwrap();
    assert_eq!(bytes_of(call(&mut net, client, recv(c, 10))), b"");
    call(&mut net, client, Call::Close { fd: c }).unwrap();
    net.run_until(net.now() + Duration::from_millis(300));
    assert_eq!(lingering_states(&net, server), ["TIME-WAIT"]);

    // The restarted server cannot bind 8080 while the old connection is in TIME-WAIT…
    let restarted = socket(&mut net, server, SocketKind::Tcp);
    assert_eq!(
        error_of(call(&mut net, server, bind(restarted, "", 8080))),
        "OSError: [Errno 98] Address already in use"
    );
    // …unless it says SO_REUSEADDR first, as every course server does.
    call(&mut net, server, Call::Setsockopt { fd: restarted, option: SocketOption::SoReuseaddr, value: 1 }).unwrap();
    call(&mut net, server, bind(restarted, "", 8080)).unwrap();
}

#[test]
fn binding_an_address_the_host_does_not_have_cannot_assign() {
    let (mut net, _, server) = client_server(22);
    let s = socket(&mut net, server, SocketKind::Tcp);
    assert_eq!(
        error_of(call(&mut net, server, bind(s, "10.0.0.1", 80))),
        "OSError: [Errno 99] Cannot assign requested address"
    );
    call(&mut net, server, bind(s, "10.0.0.2", 80)).unwrap();
}

#[test]
fn ports_outside_the_range_are_overflow_errors() {
    let (mut net, client, _) = client_server(23);
    let s = socket(&mut net, client, SocketKind::Tcp);
    assert_eq!(error_of(call(&mut net, client, bind(s, "", 65536))), "OverflowError: bind(): port must be 0-65535.");
    assert_eq!(error_of(call(&mut net, client, bind(s, "", -1))), "OverflowError: bind(): port must be 0-65535.");
    assert_eq!(
        error_of(call(&mut net, client, connect(s, "server", 70000))),
        "OverflowError: connect(): port must be 0-65535."
    );
    let u = socket(&mut net, client, SocketKind::Udp);
    let sendto = Call::Sendto { fd: u, data: b"x".to_vec(), address: "server".into(), port: 1 << 20 };
    assert_eq!(error_of(call(&mut net, client, sendto)), "OverflowError: sendto(): port must be 0-65535.");
}

#[test]
fn bind_to_port_zero_picks_an_ephemeral_port() {
    let (mut net, client, _) = client_server(24);
    let s = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, bind(s, "", 0)).unwrap();
    let local = net.snapshot().hosts[client].sockets[0].local.unwrap();
    assert!(EPHEMERAL_PORTS.contains(&local.port()));
}

#[test]
fn recv_with_a_timeout_raises_timeout_error() {
    let (mut net, client, server) = client_server(25);
    let (c, _) = connected(&mut net, client, server, 80);
    call(&mut net, client, Call::Settimeout { fd: c, seconds: Some(1.5) }).unwrap();
    let before = net.now();
    assert_eq!(error_of(call(&mut net, client, recv(c, 10))), "TimeoutError: timed out");
    assert_eq!(net.now() - before, Duration::from_millis(1500));
    // A socket that never blocks says so at once.
    call(&mut net, client, Call::Settimeout { fd: c, seconds: Some(0.0) }).unwrap();
    assert_eq!(
        error_of(call(&mut net, client, recv(c, 10))),
        "BlockingIOError: [Errno 11] Resource temporarily unavailable"
    );
    let bad = Call::Settimeout { fd: c, seconds: Some(-1.0) };
    assert_eq!(error_of(call(&mut net, client, bad)), "ValueError: Timeout value out of range");
}

#[test]
fn udp_recvfrom_with_a_timeout_raises_timeout_error() {
    let (mut net, client, _) = client_server(26);
    let u = socket(&mut net, client, SocketKind::Udp);
    call(&mut net, client, bind(u, "", 5000)).unwrap();
    call(&mut net, client, Call::Settimeout { fd: u, seconds: Some(2.0) }).unwrap();
    assert_eq!(error_of(call(&mut net, client, Call::Recvfrom { fd: u, bufsize: 10 })), "TimeoutError: timed out");
}

#[test]
fn a_peer_that_closes_with_unread_data_resets_the_connection() {
    let (mut net, client, server) = client_server(27);
    let (c, s) = connected(&mut net, client, server, 80);
    call(&mut net, client, send(c, b"never read")).unwrap();
    net.run_until(net.now() + Duration::from_millis(100));
    call(&mut net, server, Call::Close { fd: s }).unwrap();
    net.run_until(net.now() + Duration::from_millis(100));
    assert!(kinds(&net).contains(&PacketKind::Rst), "Linux resets a connection closed with unread data");
    assert_eq!(
        error_of(call(&mut net, client, recv(c, 10))),
        "ConnectionResetError: [Errno 104] Connection reset by peer"
    );
    assert_eq!(bytes_of(call(&mut net, client, recv(c, 10))), b"", "the reset is reported once");
    assert_eq!(error_of(call(&mut net, client, send(c, b"more"))), "BrokenPipeError: [Errno 32] Broken pipe");
}

#[test]
fn sending_after_shutdown_is_a_broken_pipe() {
    let (mut net, client, server) = client_server(28);
    let (c, _) = connected(&mut net, client, server, 80);
    call(&mut net, client, Call::Shutdown { fd: c, how: ShutdownHow::ShutWr }).unwrap();
    assert_eq!(error_of(call(&mut net, client, send(c, b"late"))), "BrokenPipeError: [Errno 32] Broken pipe");
}

#[test]
fn calls_in_the_wrong_state_fail_like_linux() {
    let (mut net, client, server) = client_server(29);
    let fresh = socket(&mut net, client, SocketKind::Tcp);
    assert_eq!(error_of(call(&mut net, client, Call::Accept { fd: fresh })), "OSError: [Errno 22] Invalid argument");
    assert_eq!(
        error_of(call(&mut net, client, recv(fresh, 10))),
        "OSError: [Errno 107] Transport endpoint is not connected"
    );
    assert_eq!(error_of(call(&mut net, client, send(fresh, b"x"))), "BrokenPipeError: [Errno 32] Broken pipe");
    assert_eq!(
        error_of(call(&mut net, client, Call::Shutdown { fd: fresh, how: ShutdownHow::ShutRdwr })),
        "OSError: [Errno 107] Transport endpoint is not connected"
    );
    let (c, _) = connected(&mut net, client, server, 80);
    assert_eq!(
        error_of(call(&mut net, client, connect(c, "server", 80))),
        "OSError: [Errno 106] Transport endpoint is already connected"
    );
    assert_eq!(error_of(call(&mut net, client, bind(c, "", 1234))), "OSError: [Errno 22] Invalid argument");
    assert_eq!(
        error_of(call(&mut net, client, Call::Listen { fd: c, backlog: 1 })),
        "OSError: [Errno 22] Invalid argument"
    );
    let udp = socket(&mut net, client, SocketKind::Udp);
    assert_eq!(
        error_of(call(&mut net, client, Call::Listen { fd: udp, backlog: 1 })),
        "OSError: [Errno 95] Operation not supported"
    );
    assert_eq!(
        error_of(call(&mut net, client, Call::Accept { fd: udp })),
        "OSError: [Errno 95] Operation not supported"
    );
    assert_eq!(error_of(call(&mut net, client, send(udp, b"x"))), "OSError: [Errno 89] Destination address required");
    let too_big = Call::Sendto { fd: udp, data: vec![0; MAX_DATAGRAM + 1], address: "server".into(), port: 9 };
    assert_eq!(error_of(call(&mut net, client, too_big)), "OSError: [Errno 90] Message too long");
    assert_eq!(
        error_of(call(&mut net, client, Call::Setsockopt { fd: udp, option: SocketOption::TcpNodelay, value: 1 })),
        "OSError: [Errno 92] Protocol not available"
    );
    assert_eq!(error_of(call(&mut net, client, recv(c, -1))), "ValueError: negative buffersize in recv");
}

#[test]
fn a_closed_descriptor_is_a_bad_file_descriptor() {
    let (mut net, client, _) = client_server(30);
    let s = socket(&mut net, client, SocketKind::Tcp);
    call(&mut net, client, Call::Close { fd: s }).unwrap();
    for bad in [
        Call::Close { fd: s },
        recv(s, 1),
        bind(s, "", 80),
        Call::Accept { fd: 99 },
        Call::Listen { fd: -1, backlog: 1 },
    ] {
        assert_eq!(error_of(call(&mut net, client, bad)), "OSError: [Errno 9] Bad file descriptor");
    }
}

#[test]
fn closing_a_socket_under_a_blocked_call_ends_the_call() {
    let (mut net, client, server) = client_server(31);
    let (c, _) = connected(&mut net, client, server, 80);
    let CallStatus::Blocked(id) = net.call(client, recv(c, 10)) else { panic!("recv blocks") };
    call(&mut net, client, Call::Close { fd: c }).unwrap();
    net.run_until(net.now() + Duration::from_millis(1));
    let completions = net.take_completions();
    assert_eq!(completions[0].call, id);
    assert_eq!(error_of(completions[0].result.clone()), "OSError: [Errno 9] Bad file descriptor");
}

#[test]
fn unknown_names_are_gaierror_and_localhost_is_loopback() {
    let (mut net, client, _) = client_server(32);
    let s = socket(&mut net, client, SocketKind::Tcp);
    assert_eq!(
        error_of(call(&mut net, client, connect(s, "nowhere", 80))),
        "socket.gaierror: [Errno -2] Name or service not known"
    );
    let refused = call(&mut net, client, connect(s, "localhost", 80));
    assert_eq!(refused.unwrap_err().exception, "ConnectionRefusedError");
    let loopback = net.link_between(client, client).unwrap();
    assert!(net.trace().records().all(|r| r.link == Some(loopback)));
}

#[test]
fn descriptors_are_the_lowest_free_number_from_three() {
    let (mut net, client, _) = client_server(33);
    let a = socket(&mut net, client, SocketKind::Tcp);
    let b = socket(&mut net, client, SocketKind::Udp);
    assert_eq!((a, b), (FIRST_FD, FIRST_FD + 1));
    call(&mut net, client, Call::Close { fd: a }).unwrap();
    assert_eq!(socket(&mut net, client, SocketKind::Tcp), FIRST_FD);
}

#[test]
fn topology_mistakes_are_refused_with_reasons() {
    let mut net = Network::new(0);
    let a = net.add_host("a", "10.0.0.1".parse().unwrap()).unwrap();
    assert_eq!(net.add_host("a", "10.0.0.2".parse().unwrap()), Err(TopologyError::DuplicateName("a".into())));
    assert!(matches!(net.add_host("b", "10.0.0.1".parse().unwrap()), Err(TopologyError::DuplicateAddress(_))));
    for reserved in ["0.0.0.0", "127.0.0.5", "255.255.255.255", "224.0.0.1"] {
        assert!(matches!(net.add_host("r", reserved.parse().unwrap()), Err(TopologyError::ReservedAddress(_))));
    }
    let b = net.add_host("b", "10.0.0.2".parse().unwrap()).unwrap();
    net.add_link(a, b, Impairments::default()).unwrap();
    assert_eq!(net.add_link(b, a, Impairments::default()), Err(TopologyError::LinkExists(b, a)));
    assert_eq!(net.add_link(a, a, Impairments::default()), Err(TopologyError::LinkToItself(a)));
    assert_eq!(net.add_link(a, 7, Impairments::default()), Err(TopologyError::UnknownHost(7)));
}

#[test]
fn packets_in_flight_report_their_progress() {
    let (mut net, client, server) = client_server(34);
    listen(&mut net, server, "", 80, 1);
    let c = socket(&mut net, client, SocketKind::Tcp);
    let CallStatus::Blocked(_) = net.call(client, connect(c, "server", 80)) else { panic!("connect blocks") };
    net.run_until(net.now() + Duration::from_millis(5));
    let snapshot = net.snapshot();
    assert_eq!(snapshot.in_flight.len(), 1);
    let syn = &snapshot.in_flight[0];
    assert_eq!((syn.kind, syn.from, syn.to), (PacketKind::Syn, client, server));
    assert!((syn.progress - 0.5).abs() < 1e-9, "halfway after 5 of 10 ms: {}", syn.progress);
}

#[test]
fn the_trace_forgets_the_oldest_packets_beyond_its_capacity() {
    let mut net = Network::with_trace_capacity(35, 50);
    let client = net.add_host("client", "10.0.0.1".parse().unwrap()).unwrap();
    let server = net.add_host("server", "10.0.0.2".parse().unwrap()).unwrap();
    net.add_link(client, server, Impairments::default()).unwrap();
    let (c, s) = connected(&mut net, client, server, 80);
    for _ in 0..100 {
        call(&mut net, client, send(c, b"ping")).unwrap();
        bytes_of(call(&mut net, server, recv(s, 10)));
    }
    assert_eq!(net.trace().len(), 50);
    let first = net.trace().records().next().unwrap().id;
    assert!(first > 100);
    assert!(net.trace().get(0).is_none());
    assert_eq!(net.trace().get(first).unwrap().id, first);
}
