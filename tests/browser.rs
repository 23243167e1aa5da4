//! Browser tests: the engine and the page, inside wasm in headless Chromium.
#![cfg(target_arch = "wasm32")]

use socksim::sim::{Call, CallStatus, Impairments, Network, PacketKind, SocketKind, Value};
use wasm_bindgen::JsCast;
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
    assert_eq!(net.trace().records().next().unwrap().summary.src.port(), 60908);
}

/// Mounts the page in a fresh element and waits for it to draw.
async fn mount_page() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<socksim::ui::App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

fn click(root: &web_sys::Element, selector: &str) {
    let element = root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("nothing matches {selector}"));
    element.dyn_into::<web_sys::HtmlElement>().unwrap().click();
}

#[wasm_bindgen_test]
async fn the_page_opens_on_a_client_and_a_server() {
    let root = mount_page().await;
    assert!(root.query_selector("#app[data-ready='true']").unwrap().is_some());
    for host in ["client", "server"] {
        assert!(root.query_selector(&format!("#topology g.host[data-host='{host}']")).unwrap().is_some());
        assert!(root.query_selector(&format!("section.host-panel[data-host='{host}']")).unwrap().is_some());
    }
    let preview = root.query_selector("section.host-panel[data-host='server'] code.preview").unwrap().unwrap();
    assert_eq!(preview.text_content().unwrap(), ">>> s = socket(AF_INET, SOCK_STREAM)");
}

#[wasm_bindgen_test]
async fn a_server_made_by_clicking_listens_and_waits_in_accept() {
    let root = mount_page().await;
    let server = "section.host-panel[data-host='server']";
    // The form offers socket, then bind, listen and accept, one after the other.
    for _ in 0..4 {
        click(&root, &format!("{server} button.run-call"));
        yew::scheduler::flush().await;
    }
    let transcript = root.query_selector(&format!("{server} ol.transcript")).unwrap().unwrap().text_content().unwrap();
    for line in
        ["s = socket(AF_INET, SOCK_STREAM)", "s.bind(('0.0.0.0', 80))", "s.listen(5)", "conn, addr = s.accept()"]
    {
        assert!(transcript.contains(line), "{line} missing from {transcript}");
    }
    assert_eq!(root.query_selector_all(&format!("{server} ol.transcript li.blocked")).unwrap().length(), 1);
    let listening = root.query_selector(&format!("{server} tr.socket[data-state='LISTEN']")).unwrap().unwrap();
    assert!(listening.text_content().unwrap().contains("waiting for a connection"));
    let card = root.query_selector("#topology g.host[data-host='server']").unwrap().unwrap().text_content().unwrap();
    assert!(card.contains("LISTEN") && card.contains(":80"), "{card}");
}
