//! The frame-time benchmark's side of the page: `?bench=20x1000` opens a network of 20 hosts with
//! about 1,000 datagrams in flight, playing, and the page records how long each animation frame
//! takes (from the frame's `requestAnimationFrame` timestamp to the DOM updated and laid out) in
//! `window.socksimFrameTimes`, for `scripts/bench-page.mjs` to read.
//!
//! Two loads: by default the datagrams take 0 to 4 s and the clock runs at the page's slow
//! motion, so envelopes creep and a frame seldom sees one arrive; with `&busy` the clock runs at
//! 1×, trips take 1 to 3 s, and every datagram that arrives is replaced by a new one, so every
//! frame moves every envelope and sees several datagrams arrive and leave.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};

use super::markup::index;
use super::model::{Model, SPEEDS};
use crate::scenario::lesson::{Action, Destination, HostSpec, LinkSpec, Payload};
use crate::scenario::{Intent, Lesson, Session};
use crate::sim::{Impairments, Ipv4Address, SocketKind};

std::thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// In the busy load: how many datagrams to keep in flight, and how many were sent so far.
    static KEEP_IN_FLIGHT: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// The benchmark's network, if the page's address asks for one.
pub fn requested() -> Option<Model> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let spec = params.get("bench")?;
    let (hosts, packets) = spec.split_once('x')?;
    let hosts = index(hosts).filter(|hosts| (2..=32).contains(hosts))?;
    let packets = index(packets).filter(|packets| *packets <= 5_000)?;
    let busy = params.has("busy");
    ACTIVE.with(|active| active.set(true));
    let delay = if busy { (2_000_000, 1_000_000) } else { (2_000_000, 2_000_000) };
    let mut model = Model::with_session(ring(hosts, packets, delay), None);
    if busy {
        KEEP_IN_FLIGHT.with(|keep| keep.set(Some((packets, packets))));
        model.speed = SPEEDS.len() - 1;
    }
    Some(model)
}

/// In the busy load, sends as many datagrams as have arrived since the last frame.
pub fn keep_busy(model: &mut Model) {
    let Some((target, sent)) = KEEP_IN_FLIGHT.with(Cell::get) else { return };
    let hosts = model.session.network().hosts().len();
    let in_flight: usize = model.session.network().links().iter().map(|link| link.in_flight().count()).sum();
    let missing = target.saturating_sub(in_flight);
    for packet in sent..sent + missing {
        model.session.act(sendto(packet, hosts));
    }
    KEEP_IN_FLIGHT.with(|keep| keep.set(Some((target, sent + missing))));
}

/// The `packet`th datagram: from host `packet % hosts` to the next one round the ring.
fn sendto(packet: usize, hosts: usize) -> Intent {
    let host = packet % hosts;
    let next = Ipv4Address::new(10, 0, 0, ((host + 1) % hosts) as u8 + 1);
    Intent::Call {
        host,
        action: Rc::new(Action::Sendto {
            socket: "s".into(),
            payload: Payload::Text(format!("datagram {packet}")),
            to: Destination::Address { address: next.to_string(), port: 9000 },
        }),
    }
}

/// `hosts` hosts in a ring of slow, jittery links (`delay` ± `jitter` µs), each sending its share
/// of `packets` datagrams to the next at time 0, so that they are all on the wires for seconds.
fn ring(hosts: usize, packets: usize, (delay_us, jitter_us): (u64, u64)) -> Session {
    let slow = Impairments { delay_us, jitter_us, ..Impairments::default() };
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
                program: None,
            })
            .collect(),
        links: (0..hosts)
            .map(|index| LinkSpec { ends: [index, (index + 1) % hosts], impairments: [slow; 2] })
            .collect(),
        events: Vec::new(),
        checkpoints: Vec::new(),
        guide: Vec::new(),
    };
    let mut session = Session::new(lesson).expect("the benchmark's network is valid");
    for host in 0..hosts {
        let call = |action| Intent::Call { host, action: Rc::new(action) };
        session.act(call(Action::Socket { kind: SocketKind::Udp, binds: "s".into() }));
        session.act(call(Action::Bind { socket: "s".into(), address: "0.0.0.0".into(), port: 9000 }));
    }
    for packet in 0..packets {
        session.act(sendto(packet, hosts));
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
