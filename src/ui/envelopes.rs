//! The packets on the wires, drawn as envelopes over the topology, and the bursts where packets
//! die; both move with the clock, so every animation frame places them again.
//!
//! A thousand envelopes can be on the wires at once, so they are not part of the page's virtual
//! DOM: each envelope keeps one SVG element from the frame its packet is first seen on a wire to
//! the frame its trip has ended, and a frame touches only the elements whose place on screen
//! (rounded to half a unit of the drawing) or whose look (hovered, selected, labelled) changed.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::markup::escape;
use super::model::{Model, QUIET_FAST_FORWARD, SPEEDS};
use super::topology::{kind_class, Layout};
use crate::sim::{Fate, PacketId, PacketRecord};

const SVG: Option<&str> = Some("http://www.w3.org/2000/svg");
/// Above this many packets in flight, envelopes lose their labels: labels on hundreds of
/// overlapping envelopes cannot be read anyway.
const MAX_LABELLED: usize = 120;
/// How long, in wall seconds, a burst stays on screen.
const BURST_SECONDS: f64 = 0.9;
/// Envelopes are placed to a half unit of the drawing (about 0.7 px at 1280×720).
const STEPS_PER_UNIT: f64 = 2.0;

/// How an envelope looks, apart from where it is.
#[derive(Clone, Copy, PartialEq)]
struct Look {
    labelled: bool,
    hovered: bool,
    selected: bool,
}

struct Envelope {
    element: web_sys::Element,
    /// Where it is, in half units.
    at: (i32, i32),
    look: Look,
    /// The last frame that saw its packet on a wire.
    seen: u64,
}

/// The envelopes and bursts on screen, kept between frames.
#[derive(Default)]
pub struct Envelopes {
    /// The `<g>` the envelopes are in; a new one (the topology was drawn again from scratch)
    /// starts the pool afresh.
    layer: Option<web_sys::Element>,
    drawn: BTreeMap<PacketId, Envelope>,
    frame: u64,
    /// The bursts' markup on screen, so that a frame with the same bursts leaves them be.
    bursts: String,
}

impl Envelopes {
    /// Places every packet in flight on its wire in `layer`, and the recent deaths in `bursts`.
    pub fn draw(&mut self, model: &Model, layout: &Layout, layer: &web_sys::Element, bursts: &web_sys::Element) {
        let Some(document) = layer.owner_document() else { return };
        if self.layer.as_ref() != Some(layer) {
            self.layer = Some(layer.clone());
            self.drawn.clear();
        }
        self.frame += 1;
        let network = model.session.network();
        let now = network.now();
        let trace = network.trace();
        let in_flight: usize = network.links().iter().map(|link| link.in_flight().count()).sum();
        let labelled = in_flight <= MAX_LABELLED;
        for packet in network.links().iter().flat_map(|link| link.in_flight()) {
            let Some(point) = layout.along(packet.from, packet.to, packet.progress(now)) else { continue };
            let at = ((point.x * STEPS_PER_UNIT).round() as i32, (point.y * STEPS_PER_UNIT).round() as i32);
            let id = packet.packet;
            let look = Look { labelled, hovered: model.hovered == Some(id), selected: model.selected == Some(id) };
            let kind = trace.get(id).map_or("IP", |record| record.summary.kind.label());
            match self.drawn.get_mut(&id) {
                Some(envelope) => {
                    envelope.seen = self.frame;
                    if envelope.look != look {
                        dress(&envelope.element, id, kind, look);
                        envelope.look = look;
                    }
                    if envelope.at != at {
                        place(&envelope.element, at);
                        envelope.at = at;
                    }
                }
                None => {
                    let Ok(element) = document.create_element_ns(SVG, "g") else { continue };
                    let _ = element.set_attribute("data-packet", &id.to_string());
                    let _ = element.set_attribute("data-kind", kind);
                    dress(&element, id, kind, look);
                    place(&element, at);
                    let _ = layer.append_child(&element);
                    self.drawn.insert(id, Envelope { element, at, look, seen: self.frame });
                }
            }
        }
        let frame = self.frame;
        self.drawn.retain(|_, envelope| {
            let on_a_wire = envelope.seen == frame;
            if !on_a_wire {
                envelope.element.remove();
            }
            on_a_wire
        });
        let markup = burst_markup(model, layout);
        if markup != self.bursts {
            bursts.set_inner_html(&markup);
            self.bursts = markup;
        }
    }
}

fn place(element: &web_sys::Element, (x, y): (i32, i32)) {
    let transform = format!("translate({} {})", x as f64 / STEPS_PER_UNIT, y as f64 / STEPS_PER_UNIT);
    let _ = element.set_attribute("transform", &transform);
}

/// Gives an envelope its class and content: a labelled tag, or a bare coloured one in a crowd.
fn dress(element: &web_sys::Element, id: PacketId, kind: &str, look: Look) {
    let mut class = format!("packet {}", kind_class(kind));
    if look.hovered {
        class.push_str(" hover");
    }
    if look.selected {
        class.push_str(" selected");
    }
    if !look.labelled {
        class.push_str(" crowd");
    }
    let _ = element.set_attribute("class", &class);
    if look.labelled {
        element.set_inner_html(&format!(
            r#"<title>#{id} {kind}: click to drop it</title><rect x="-27" y="-11" width="54" height="22" rx="4"/><text y="5">{kind}</text>"#
        ));
    } else {
        element.set_inner_html(r#"<rect x="-9" y="-6" width="18" height="12" rx="3"/>"#);
    }
}

/// A burst for each packet that died in the last moment of wall time: lost on the wire, dropped by
/// hand, refused by a full accept queue, or with no route. It swells and fades as wall time passes
/// (it stays still for people who prefer reduced motion).
fn burst_markup(model: &Model, layout: &Layout) -> String {
    let mut svg = String::new();
    let now = model.session.now().total_micros();
    let rate = SPEEDS[model.speed].factor * if model.fast_forwarding { QUIET_FAST_FORWARD } else { 1.0 };
    let window = (BURST_SECONDS * 1e6 * rate) as i64;
    let trace = model.session.network().trace();
    let recent = trace.records().rev().take_while(|record| now - record.sent_at.total_micros() <= window + 60_000_000);
    for record in recent {
        let Some(at) = record.fate.at().map(|at| at.total_micros()) else { continue };
        if now - at > window || at > now {
            continue;
        }
        let Some((t, label)) = death(layout, record) else { continue };
        let Some(point) = layout.along(record.from, record.to.unwrap_or(record.from), t) else { continue };
        let age = if model.reduced_motion { 0.6 } else { (now - at) as f64 / window.max(1) as f64 };
        let scale = 0.4 + 0.9 * (age / 0.6).min(1.0);
        let opacity = 1.0 - 0.6 * ((age - 0.6) / 0.4).clamp(0.0, 1.0);
        let _ = write!(
            svg,
            r#"<g class="burst" data-packet="{}" opacity="{opacity:.2}" transform="translate({:.1} {:.1})"><path transform="scale({scale:.2})" d="M0 -18 L5 -6 L18 -8 L8 2 L14 15 L0 7 L-14 15 L-8 2 L-18 -8 L-5 -6 Z"/><text y="34">{}</text></g>"#,
            record.id,
            point.x,
            point.y,
            escape(label)
        );
    }
    svg
}

/// Where along its way a packet died (0 to 1), and why, in a word; `None` for one delivered.
fn death(layout: &Layout, record: &PacketRecord) -> Option<(f64, &'static str)> {
    match record.fate {
        Fate::Lost { .. } => Some((0.5, "lost")),
        Fate::DroppedByHand { at } => {
            let delay = layout.delay_us(record.link?, record.from)?.max(1) as f64;
            let t = ((at - record.sent_at).total_micros() as f64 / delay).clamp(0.0, 1.0);
            Some((t, "dropped"))
        }
        Fate::AcceptQueueFull { .. } => Some((1.0, "queue full")),
        Fate::NoRoute { .. } => Some((0.0, "no route")),
        Fate::InFlight | Fate::Delivered { .. } => None,
    }
}
