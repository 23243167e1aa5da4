//! The frame-time benchmark's side of the page: `?bench=20x1000` opens a network of 20 hosts with
//! about 1,000 datagrams in flight, playing, and the page records how long each animation frame
//! takes (from the frame's `requestAnimationFrame` timestamp to the DOM updated and laid out) in
//! `window.socksimFrameTimes`, for `scripts/bench-page.mjs` to read.

use std::cell::Cell;

use wasm_bindgen::{JsCast, JsValue};

use super::model::Model;
use crate::scenario::lesson::{Action, Destination, HostSpec, LinkSpec, Payload};
use crate::scenario::{Intent, Lesson, Session};
use crate::sim::{Impairments, Ipv4Address, SocketKind};

std::thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// The benchmark's network, if the page's address asks for one.
pub fn requested() -> Option<Model> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let spec = params.get("bench")?;
    let (hosts, packets) = spec.split_once('x')?;
    let hosts: usize = hosts.parse().ok().filter(|hosts| (2..=32).contains(hosts))?;
    let packets: usize = packets.parse().ok().filter(|packets| *packets <= 5_000)?;
    ACTIVE.with(|active| active.set(true));
    Some(Model::with_session(busy_ring(hosts, packets), None))
}

/// `hosts` hosts in a ring of slow, jittery links, each sending its share of `packets` datagrams
/// to the next at time 0, so that they are all on the wires for seconds of virtual time.
fn busy_ring(hosts: usize, packets: usize) -> Session {
    let slow = Impairments { delay_us: 2_000_000, jitter_us: 2_000_000, ..Impairments::default() };
    let lesson = Lesson {
        title: format!("Benchmark: {hosts} hosts, {packets} datagrams"),
        intro: "Every host sends datagrams to the next one around the ring.".into(),
        seed: 7,
        duration: 3_600.0,
        hosts: (0..hosts)
            .map(|index| HostSpec {
                name: format!("h{}", index + 1),
                address: Ipv4Address::new(10, 0, 0, index as u8 + 1),
                script: Vec::new(),
            })
            .collect(),
        links: (0..hosts)
            .map(|index| LinkSpec { ends: [index, (index + 1) % hosts], impairments: [slow; 2] })
            .collect(),
        events: Vec::new(),
        checkpoints: Vec::new(),
    };
    let mut session = Session::new(lesson).expect("the benchmark's network is valid");
    for host in 0..hosts {
        let call = |action| Intent::Call { host, action };
        session.act(call(Action::Socket { kind: SocketKind::Udp, binds: "s".into() }));
        session.act(call(Action::Bind { socket: "s".into(), address: "0.0.0.0".into(), port: 9000 }));
    }
    for packet in 0..packets {
        let host = packet % hosts;
        let next = Ipv4Address::new(10, 0, 0, ((host + 1) % hosts) as u8 + 1);
        session.act(Intent::Call {
            host,
            action: Action::Sendto {
                socket: "s".into(),
                payload: Payload::Text(format!("datagram {packet}")),
                to: Destination::Address { address: next.to_string(), port: 9000 },
            },
        });
    }
    session
}

/// Records the time of a frame that began at `started` (its rAF timestamp, ms), once the DOM is
/// updated: forces layout, so style and layout count too.
pub fn record_frame(started: f64) {
    if !ACTIVE.with(Cell::get) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    if let Some(body) = window.document().and_then(|document| document.body()) {
        let _ = body.offset_height();
    }
    let Some(now) = window.performance().map(|performance| performance.now()) else { return };
    let key = JsValue::from_str("socksimFrameTimes");
    let times = js_sys::Reflect::get(&window, &key).ok().filter(|value| value.is_object()).unwrap_or_else(|| {
        let array = js_sys::Array::new();
        let _ = js_sys::Reflect::set(&window, &key, &array);
        array.into()
    });
    if let Ok(times) = times.dyn_into::<js_sys::Array>() {
        times.push(&JsValue::from_f64(now - started));
    }
}
