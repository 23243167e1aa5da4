//! Browser tests: the engine and the page, inside wasm in headless Chromium.
#![cfg(target_arch = "wasm32")]

use socksim::sim::{Call, CallStatus, Impairments, Network, PacketKind, SocketKind, Value};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The same handshake a native test makes, byte for byte: the engine is deterministic in wasm too.
#[wasm_bindgen_test]
fn a_handshake_runs_inside_wasm() {
    let mut net = Network::new(1);
    let client = net.add_host("client", "10.0.0.1".parse().unwrap()).unwrap();
    let server = net.add_host("server", "10.0.0.2".parse().unwrap()).unwrap();
    net.add_link(client, server, Impairments::default()).unwrap();
    let done = |status: CallStatus| match status {
        CallStatus::Done(Ok(value)) => value,
        other => panic!("expected a finished call, got {other:?}"),
    };
    let Value::Fd { fd: listener } = done(net.call(server, Call::Socket { kind: SocketKind::Tcp })) else { panic!() };
    done(net.call(server, Call::Bind { fd: listener, address: "".into(), port: 80 }));
    done(net.call(server, Call::Listen { fd: listener, backlog: 1 }));
    let Value::Fd { fd } = done(net.call(client, Call::Socket { kind: SocketKind::Tcp })) else { panic!() };
    let CallStatus::Blocked(connecting) = net.call(client, Call::Connect { fd, address: "server".into(), port: 80 })
    else {
        panic!("connect blocks")
    };
    while net.take_completions().iter().all(|c| c.call != connecting) {
        net.step().expect("the handshake goes on");
    }
    let kinds: Vec<PacketKind> = net.trace().records().map(|r| r.summary.kind).collect();
    // connect() returns at the instant the SYN-ACK arrives, and the ACK leaves then too.
    assert_eq!(kinds, [PacketKind::Syn, PacketKind::SynAck, PacketKind::Ack]);
    // Seed 1 gives the client the same ephemeral port natively and in wasm.
    assert_eq!(net.trace().records().next().unwrap().summary.src.port(), 52657);
}

#[wasm_bindgen_test]
async fn the_page_shows_the_lesson_packets() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<socksim::ui::App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    let text = root.text_content().unwrap();
    assert!(text.contains("Hello, server"), "{text}");
    assert!(text.contains("SYN-ACK"));
    assert!(text.contains("conn, addr = s.accept()"));
    assert_eq!(root.query_selector_all("tr.packet").unwrap().length(), 7);
    assert_eq!(root.query_selector_all("li.failed").unwrap().length(), 0);
    assert_eq!(root.query_selector_all("li.passed").unwrap().length(), 6);
}
