//! The topology: hosts as cards with their port strip, links as lines labelled with what they do,
//! and the [`Layout`] that places them. The envelopes moving along the links (click one to drop
//! it) and the bursts where packets die are drawn over it by [`super::envelopes`].

use std::cell::{Cell, RefCell};
use std::fmt::Write;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::envelopes::Envelopes;
use super::markup::{closest, escape, into_html, packet_at, text, within};
use super::model::{Msg, Tab};
use super::scene::Scene;
use crate::decimal::Rounded;
use crate::sim::{HostSnapshot, Impairments, Snapshot, SocketView};

/// The drawing's height in its own units (its `viewBox`) with the cards side by side, and its
/// narrowest and widest width: it is as wide as the panel's shape allows, so that a wide panel
/// spreads the hosts out rather than leaving its sides empty.
const LANDSCAPE_HEIGHT: f64 = 330.0;
const LANDSCAPE_WIDTHS: (f64, f64) = (800.0, 1600.0);
/// The drawing's size with two cards one above the other, for a panel taller than it is wide (a
/// slide's column), where the side-by-side drawing would be shrunk to half its size.
const PORTRAIT: (f64, f64) = (330.0, 520.0);
/// Narrow cards (name and address) side by side, round an ellipse, or two one above the other,
/// for a panel too small for full ones (two drawings side by side in a 480×270 frame)…
const SMALL_LANDSCAPE: (f64, f64) = (400.0, 172.0);
/// The middle of the cards in a small side-by-side drawing, whose last row is left for a legend.
const SMALL_MIDDLE: f64 = 75.0;
const SMALL_PORTRAIT: (f64, f64) = (170.0, 300.0);
/// …that is, where full cards would be drawn at less than half their size (their names under
/// 9 px tall, their sockets' lines under 7).
const SMALLEST_SCALE: f64 = 0.5;
const CARD_WIDTH: f64 = 252.0;
/// A monospace character of a port line (13 px), to squeeze a line that would overflow its card.
const PORT_CHAR_WIDTH: f64 = 7.9;
const LINE_HEIGHT: f64 = 19.0;
/// Sockets listed on a card before "+N more".
const STRIP_LINES: usize = 4;
/// Distance between the two directions' lanes on a link.
const LANE_OFFSET: f64 = 11.0;
const LOOP_RADIUS: f64 = 26.0;

/// A point of the drawing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    fn lerp(self, to: Point, t: f64) -> Point {
        Point { x: self.x + (to.x - self.x) * t, y: self.y + (to.y - self.y) * t }
    }
}

/// The shape of the drawing for the panel it is in: two hosts one above the other or not, on
/// narrow cards or not, and the width of a side-by-side drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub portrait: bool,
    pub small: bool,
    pub width: u16,
}

impl Default for Shape {
    fn default() -> Self {
        Shape { portrait: false, small: false, width: LANDSCAPE_WIDTHS.0 as u16 }
    }
}

impl Shape {
    /// The shape for a panel of `width` × `height` CSS pixels: one above the other when that
    /// draws two hosts larger than side by side; narrow cards when full ones would be too small
    /// to read; and a side-by-side drawing of the panel's proportions (in steps of 40 units, so
    /// that a few pixels do not lay it out again).
    pub fn of_panel((width, height): (f64, f64)) -> Shape {
        if width <= 0.0 || height <= 0.0 {
            return Shape::default();
        }
        let (narrowest, widest) = LANDSCAPE_WIDTHS;
        let scale = |(drawing_width, drawing_height): (f64, f64)| (width / drawing_width).min(height / drawing_height);
        let (landscape, portrait) = (scale((narrowest, LANDSCAPE_HEIGHT)), scale(PORTRAIT));
        let small = landscape.max(portrait) < SMALLEST_SCALE;
        let portrait = if small { scale(SMALL_PORTRAIT) > scale(SMALL_LANDSCAPE) } else { portrait > landscape };
        let wide = (LANDSCAPE_HEIGHT * width / height).clamp(narrowest, widest);
        Shape { portrait, small, width: ((wide / 40.0).round() * 40.0) as u16 }
    }
}

/// Where each host's card is centred: side by side for two (or one above the other in a
/// portrait drawing, leaving room on the right for the loopback loops), around an ellipse for more.
fn host_positions(count: usize, portrait: bool, width: f64) -> Vec<Point> {
    let centre = Point { x: width / 2.0, y: LANDSCAPE_HEIGHT / 2.0 + 14.0 };
    match count {
        2 if portrait => vec![Point { x: 140.0, y: 100.0 }, Point { x: 140.0, y: PORTRAIT.1 - 100.0 }],
        2 => vec![Point { x: 150.0, y: centre.y }, Point { x: width - 150.0, y: centre.y }],
        // The cards leave room at the sides for the loopback loops beside them.
        _ => around(count, centre, (width / 2.0 - CARD_WIDTH / 2.0 - 2.0 * LOOP_RADIUS - 4.0, 104.0)),
    }
}

/// Where narrow cards are centred in a small drawing (no loops: narrow cards have none).
fn small_positions(count: usize, portrait: bool) -> Vec<Point> {
    let width = SMALL_LANDSCAPE.0;
    match count {
        2 if portrait => vec![Point { x: 85.0, y: 50.0 }, Point { x: 85.0, y: SMALL_PORTRAIT.1 - 50.0 }],
        2 => vec![Point { x: 75.0, y: SMALL_MIDDLE + 10.0 }, Point { x: width - 75.0, y: SMALL_MIDDLE + 10.0 }],
        _ => around(count, Point { x: width / 2.0, y: SMALL_MIDDLE }, (width / 2.0 - 64.0, SMALL_MIDDLE - 23.0)),
    }
}

/// `count` points around an ellipse of `radius` about `centre`, the first on its left; one is
/// the centre.
fn around(count: usize, centre: Point, (radius_x, radius_y): (f64, f64)) -> Vec<Point> {
    if count == 1 {
        return vec![centre];
    }
    (0..count)
        .map(|index| {
            let angle = core::f64::consts::PI + index as f64 * core::f64::consts::TAU / count as f64;
            Point {
                x: centre.x + radius_x * js_sys::Math::cos(angle),
                y: centre.y + radius_y * js_sys::Math::sin(angle),
            }
        })
        .collect()
}

fn card_height(host: &HostSnapshot, compact: bool) -> f64 {
    if compact {
        return 44.0;
    }
    let lines = host.sockets.len().clamp(1, STRIP_LINES + 1);
    50.0 + lines as f64 * LINE_HEIGHT
}

/// The point where the segment from a card's centre towards `to` leaves the card.
fn card_edge(centre: Point, to: Point, half_width: f64, half_height: f64) -> Point {
    let (dx, dy) = (to.x - centre.x, to.y - centre.y);
    let tx = if dx == 0.0 { f64::INFINITY } else { half_width / dx.abs() };
    let ty = if dy == 0.0 { f64::INFINITY } else { half_height / dy.abs() };
    let t = tx.min(ty).min(1.0);
    Point { x: centre.x + dx * t, y: centre.y + dy * t }
}

/// The wire a packet from `from` to `to` travels, card edge to card edge, on its direction's lane.
struct Lane {
    start: Point,
    end: Point,
}

/// Where the topology draws everything: each card's centre and height, and so each lane and
/// loopback loop. It changes only when the hosts or their sockets do, so it is worked out once per
/// [`Scene`](super::scene::Scene) and used by every frame that moves envelopes along it.
pub struct Layout {
    positions: Vec<Point>,
    heights: Vec<f64>,
    compact: bool,
    /// Two hosts one above the other, their loopback loops on their right.
    portrait: bool,
    /// Narrow cards in a small drawing.
    small: bool,
    /// The drawing's width when it is not portrait.
    width: f64,
    /// Each link's delay in each direction (by `ends`), to place where a dropped packet died.
    delays: Vec<([usize; 2], [u64; 2])>,
}

impl Layout {
    /// The layout of `snapshot`'s hosts in a drawing of `shape` (one above the other only if
    /// there are two).
    pub fn of(snapshot: &Snapshot, shape: Shape) -> Layout {
        let count = snapshot.hosts.len();
        let portrait = shape.portrait && count == 2;
        let small = shape.small && count <= 6;
        let compact = count > 6 || small;
        let width = f64::from(shape.width);
        let positions = if small { small_positions(count, portrait) } else { host_positions(count, portrait, width) };
        Layout {
            positions,
            small,
            width,
            heights: snapshot.hosts.iter().map(|host| card_height(host, compact)).collect(),
            compact,
            portrait,
            delays: snapshot
                .links
                .iter()
                .map(|link| (link.ends, [link.impairments[0].delay_us, link.impairments[1].delay_us]))
                .collect(),
        }
    }

    /// The drawing's width and height in its units.
    pub fn size(&self) -> (f64, f64) {
        match (self.small, self.portrait) {
            (true, true) => SMALL_PORTRAIT,
            (true, false) => SMALL_LANDSCAPE,
            (false, true) => PORTRAIT,
            (false, false) => (self.width, LANDSCAPE_HEIGHT),
        }
    }

    fn view_box(&self) -> String {
        let (width, height) = self.size();
        format!("0 0 {} {}", Rounded(width, 0), Rounded(height, 0))
    }

    fn lane(&self, from: usize, to: usize) -> Option<Lane> {
        let (a, b) = (*self.positions.get(from)?, *self.positions.get(to)?);
        let half_width = if self.compact { 60.0 } else { CARD_WIDTH / 2.0 };
        let start = card_edge(a, b, half_width + 4.0, self.heights[from] / 2.0 + 4.0);
        let end = card_edge(b, a, half_width + 4.0, self.heights[to] / 2.0 + 4.0);
        let (dx, dy) = (end.x - start.x, end.y - start.y);
        let length = (dx * dx + dy * dy).sqrt().max(1.0);
        let side = if from < to { 1.0 } else { -1.0 };
        let (nx, ny) = (-dy / length * LANE_OFFSET * side, dx / length * LANE_OFFSET * side);
        Some(Lane { start: Point { x: start.x + nx, y: start.y + ny }, end: Point { x: end.x + nx, y: end.y + ny } })
    }

    /// A point on the host's loopback loop; `t` from 0 to 1 goes round it from where it touches
    /// the card.
    fn on_loop(&self, host: usize, t: f64) -> Option<Point> {
        let (centre, towards_card) = self.loop_place(host)?;
        let angle = towards_card - t * core::f64::consts::TAU;
        Some(Point {
            x: centre.x + LOOP_RADIUS * js_sys::Math::cos(angle),
            y: centre.y + LOOP_RADIUS * js_sys::Math::sin(angle),
        })
    }

    /// The centre of the host's loopback loop, and the angle from it to the card it touches. The
    /// loop sits above a card of one or two side by side; beside it, away from the others, when
    /// cards are one above the other (a portrait drawing, or round an ellipse), where above would
    /// cover the card or link over it.
    fn loop_place(&self, host: usize) -> Option<(Point, f64)> {
        let position = *self.positions.get(host)?;
        let beside = LOOP_RADIUS - 2.0 + if self.compact { 60.0 } else { CARD_WIDTH / 2.0 };
        if self.portrait || (self.positions.len() > 2 && position.x >= self.width / 2.0) {
            return Some((Point { x: position.x + beside, y: position.y }, core::f64::consts::PI));
        }
        if self.positions.len() > 2 {
            return Some((Point { x: position.x - beside, y: position.y }, 0.0));
        }
        let above = Point { x: position.x, y: position.y - self.heights[host] / 2.0 - LOOP_RADIUS + 2.0 };
        Some((above, core::f64::consts::FRAC_PI_2))
    }

    /// Where a packet from `from` to `to` is, a fraction `t` of the way.
    pub fn along(&self, from: usize, to: usize, t: f64) -> Option<Point> {
        if from == to {
            return self.on_loop(from, t);
        }
        let lane = self.lane(from, to)?;
        Some(lane.start.lerp(lane.end, t))
    }

    /// How long a packet `from` sends takes to cross `link`, in µs.
    pub fn delay_us(&self, link: usize, from: usize) -> Option<u64> {
        let (ends, delays) = self.delays.get(link)?;
        Some(delays[usize::from(ends[0] != from)])
    }
}

/// Where the animation frames draw over the topology (see [`super::envelopes`]).
#[derive(Clone, Default)]
pub struct LayerRefs {
    pub labelled: NodeRef,
    pub crowd: NodeRef,
    pub bursts: NodeRef,
}

/// The still part of the topology (links, loops, cards) with the layers the animation frames
/// fill in above it: the bursts where packets died and the envelopes on the wires.
pub fn view(scene: &Scene, send: &Callback<Msg>, layers: &LayerRefs, envelopes: &Rc<RefCell<Envelopes>>) -> Html {
    let snapshot = &scene.snapshot;
    let layout = &scene.layout;
    let mut svg = String::with_capacity(4096);
    svg.push_str(r#"<g class="links">"#);
    let wires = || snapshot.links.iter().filter(|link| !link.loopback);
    // Three hosts or more whose links all do the same: one legend says what, instead of a label
    // crowding every link near the host they share.
    let labels = wires().map(link_label).collect::<Vec<_>>();
    let shared = snapshot.hosts.len() > 2 && labels.windows(2).all(|pair| pair[0] == pair[1]);
    let legend = shared.then(|| labels.first()).flatten();
    for link in wires() {
        link_view(&mut svg, layout, link, legend.is_none());
    }
    if let Some(label) = legend {
        text(&mut svg, "link-label legend", 12.0, layout.size().1 - 6.0, &format!("every link: {label}"));
    }
    svg.push_str(r#"</g><g class="loops">"#);
    // A narrow card's loopback loop would cover its neighbours: only roomy layouts draw them.
    for link in snapshot.links.iter().filter(|link| link.loopback && !layout.compact) {
        if let Some((centre, _)) = layout.loop_place(link.ends[0]) {
            let name = escape(&snapshot.hosts[link.ends[0]].name);
            let _ = write!(
                svg,
                r#"<circle class="loopback" cx="{}" cy="{}" r="{LOOP_RADIUS}"><title>{name}'s loopback (127.0.0.1)</title></circle>"#,
                Rounded(centre.x, 1),
                Rounded(centre.y, 1),
                LOOP_RADIUS = Rounded(LOOP_RADIUS, 0)
            );
        }
    }
    svg.push_str(r#"</g><g class="cards">"#);
    for host in &snapshot.hosts {
        card_view(&mut svg, layout, host);
    }
    svg.push_str("</g>");
    let crowd_at = {
        let (envelopes, canvas) = (Rc::clone(envelopes), layers.crowd.clone());
        move |event: &MouseEvent| {
            let canvas = canvas.cast::<web_sys::Element>()?;
            envelopes.borrow().crowd_at(&canvas, event.client_x() as f64, event.client_y() as f64)
        }
    };
    let onmousedown = {
        let crowd_at = crowd_at.clone();
        send.reform(move |event: MouseEvent| match packet_at(&event) {
            Some((id, class)) if class.starts_with("packet") => Msg::DropPacket(id),
            _ => match crowd_at(&event) {
                Some(id) => Msg::DropPacket(id),
                None if within(&event, "g.link") => Msg::Tab(Tab::Network),
                None => {
                    if let Some(host) = closest(&event, "g.host").and_then(|card| card.get_attribute("data-host")) {
                        show_host_panel(&host);
                    }
                    Msg::Select(None)
                }
            },
        })
    };
    // The pointer lights the packet under it: an SVG envelope or burst, or a crowd's tag on the
    // canvas (which is found by where it was painted, so the pointer's moves are followed).
    let onmousemove = {
        let (crowd_at, hovered) = (crowd_at, Rc::new(Cell::new(None)));
        let send = send.clone();
        Callback::from(move |event: MouseEvent| {
            let packet = packet_at(&event).map(|(id, _)| id).or_else(|| crowd_at(&event));
            if hovered.replace(packet) != packet {
                send.emit(Msg::Hover(packet));
            }
        })
    };
    let onmouseleave = send.reform(|_: MouseEvent| Msg::Hover(None));
    let view_box = layout.view_box();
    let still = format!(
        r#"<svg class="still" viewBox="{view_box}" role="img" aria-label="Hosts and the links between them">{svg}</svg>"#
    );
    html! {
        <div class="drawing" id="topology" {onmousedown} {onmousemove} {onmouseleave}>
            { into_html(still) }
            <svg class="moving" viewBox={view_box} role="img" aria-label="Packets travelling on the links">
                <g class="bursts" ref={layers.bursts.clone()} />
                <g class="packets" ref={layers.labelled.clone()} />
            </svg>
            <canvas class="crowd" ref={layers.crowd.clone()} aria-hidden="true" />
        </div>
    }
}

/// The class that colours a packet kind: `syn`, `syn-ack`, `data`…
pub fn kind_class(label: &str) -> String {
    format!("kind-{}", label.to_ascii_lowercase())
}

/// What a link does, in a few words: `10 ms · 30% loss`.
pub fn impairments_label(impairments: &Impairments) -> String {
    let mut label = format!("{} ms", trim(impairments.delay_us as f64 / 1000.0));
    if impairments.jitter_us > 0 {
        label += &format!(" ± {} ms", trim(impairments.jitter_us as f64 / 1000.0));
    }
    if impairments.loss_percent > 0.0 {
        label += &format!(" · {}% loss", trim(impairments.loss_percent));
    }
    if impairments.duplicate_percent > 0.0 {
        label += &format!(" · {}% dup", trim(impairments.duplicate_percent));
    }
    label
}

fn trim(value: f64) -> String {
    let text = Rounded(value, 1).to_string();
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

/// What a link does, both ways: `20 ms`, or `→ 20 ms / ← 5 ms · 10% loss`.
fn link_label(link: &crate::sim::LinkSnapshot) -> String {
    let [there, back] = &link.impairments;
    if there == back {
        impairments_label(there)
    } else {
        format!("→ {} / ← {}", impairments_label(there), impairments_label(back))
    }
}

fn link_view(svg: &mut String, layout: &Layout, link: &crate::sim::LinkSnapshot, labelled: bool) {
    let [a, b] = link.ends;
    let (Some(&from), Some(&to)) = (layout.positions.get(a), layout.positions.get(b)) else { return };
    // The label goes over the middle of the stretch of line between the two cards, not between
    // their centres, which a third card may cover.
    let middle = match (layout.lane(a, b), layout.lane(b, a)) {
        (Some(there), Some(back)) => there.start.lerp(back.start, 0.5),
        _ => from.lerp(to, 0.5),
    };
    let _ = write!(
        svg,
        r#"<g class="link" data-link="{}"><title>Click to change what this link does</title><line x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        link.id,
        Rounded(from.x, 1),
        Rounded(from.y, 1),
        Rounded(to.x, 1),
        Rounded(to.y, 1)
    );
    if labelled && layout.portrait {
        // Beside an upright link, clear of the envelopes on its lanes (of a narrow card's, in a
        // small drawing: there is no more room).
        let beside = if layout.small { 22.0 } else { 44.0 };
        text(svg, "link-label beside", middle.x + beside, middle.y + 5.0, &link_label(link));
    } else if labelled {
        text(svg, "link-label", middle.x, middle.y - 18.0, &link_label(link));
    }
    svg.push_str("</g>");
}

/// Scrolls the page's panel of `host` into view (with four hosts or more, they do not all fit)
/// and lights it for a moment: a card of the drawing leads to its host's panel.
fn show_host_panel(host: &str) {
    let document = web_sys::window().and_then(|window| window.document());
    let Some(panels) = document.and_then(|document| document.query_selector_all(".host-panel").ok()) else {
        return;
    };
    for index in 0..panels.length() {
        let Some(panel) = panels.item(index).and_then(|node| node.dyn_into::<web_sys::Element>().ok()) else {
            continue;
        };
        if panel.get_attribute("data-host").as_deref() == Some(host) {
            panel.scroll_into_view_with_bool(false);
            // Lit again on a second click: the class goes, a layout is read, the class comes back.
            let _ = panel.set_attribute("class", "host-panel");
            let _ = panel.client_width();
            let _ = panel.set_attribute("class", "host-panel shown");
        }
    }
}

fn card_view(svg: &mut String, layout: &Layout, host: &HostSnapshot) {
    let centre = layout.positions[host.id];
    let height = layout.heights[host.id];
    let width = if layout.compact { 120.0 } else { CARD_WIDTH };
    let (left, top) = (centre.x - width / 2.0, centre.y - height / 2.0);
    let busy = !host.blocked.is_empty();
    let _ = write!(
        svg,
        r#"<g class="host{}" data-host="{}"><rect x="{left_1}" y="{top_1}" width="{width_1}" height="{height_1}" rx="8"/>"#,
        if busy { " blocked" } else { "" },
        escape(&host.name),
        left_1 = Rounded(left, 1),
        top_1 = Rounded(top, 1),
        width_1 = Rounded(width, 1),
        height_1 = Rounded(height, 1)
    );
    if layout.compact {
        // A narrow card: the name, and the address under it.
        text(svg, "host-name", left + 10.0, top + 19.0, &host.name);
        text(svg, "host-address", left + width - 8.0, top + 37.0, &host.address.to_string());
    } else {
        text(svg, "host-name", left + 10.0, top + 22.0, &host.name);
        text(svg, "host-address", left + width - 10.0, top + 22.0, &host.address.to_string());
    }
    if !layout.compact {
        let _ = write!(
            svg,
            r#"<line class="divider" x1="{left_1}" y1="{}" x2="{}" y2="{}"/>"#,
            Rounded(top + 34.0, 1),
            Rounded(left + width, 1),
            Rounded(top + 34.0, 1),
            left_1 = Rounded(left, 1)
        );
        let title = if busy { "sockets · a call is waiting" } else { "sockets" };
        text(svg, "strip-title", left + 10.0, top + 48.0, title);
        for (index, socket) in host.sockets.iter().take(STRIP_LINES).enumerate() {
            let y = top + 64.0 + index as f64 * LINE_HEIGHT;
            let line = port_line(socket);
            // A line longer than the card (`SYN-RECEIVED :8080 ⇄ 10.0.0.1:52657`) is squeezed
            // into it rather than run over its edge.
            let room = width - 20.0;
            let characters = (socket.state.chars().count() + 1 + line.chars().count()) as f64;
            let squeeze = if characters * PORT_CHAR_WIDTH > room {
                format!(r#" textLength="{}" lengthAdjust="spacingAndGlyphs""#, Rounded(room, 0))
            } else {
                String::new()
            };
            let _ = write!(
                svg,
                r#"<text class="port" x="{}" y="{y_1}"{squeeze}><tspan class="state {}">{}</tspan> {}</text>"#,
                Rounded(left + 10.0, 1),
                state_class(&socket.state),
                escape(&socket.state),
                escape(&line),
                y_1 = Rounded(y, 1)
            );
        }
        let more = host.sockets.len().saturating_sub(STRIP_LINES);
        if more > 0 {
            text(
                svg,
                "port more",
                left + 10.0,
                top + 64.0 + STRIP_LINES as f64 * LINE_HEIGHT,
                &format!("+{more} more"),
            );
        }
        if host.sockets.is_empty() {
            text(svg, "port none", left + 10.0, top + 64.0, "no sockets");
        }
    }
    svg.push_str("</g>");
}

/// A socket on the port strip: `:80 queue 1/6`, `:49152 ⇄ 10.0.0.2:80`.
fn port_line(socket: &SocketView) -> String {
    let local = socket.local.map_or_else(|| "*".to_string(), |local| format!(":{}", local.port()));
    let mut line = match socket.remote {
        Some(remote) => format!("{local} ⇄ {}:{}", remote.ip(), remote.port()),
        None => local,
    };
    if let Some((queued, capacity)) = socket.accept_queue {
        line += &format!(" queue {queued}/{capacity}");
    }
    if socket.receive_buffered > 0 {
        line += &format!(" · {} B unread", socket.receive_buffered);
    }
    line
}

/// The class colouring a socket state: `state-established`, `state-time-wait`…
pub fn state_class(state: &str) -> String {
    format!("state-{}", state.to_ascii_lowercase())
}
