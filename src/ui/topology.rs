//! The topology: hosts as cards with their port strip, links as lines labelled with what they do,
//! packets as envelopes moving along them (click one to drop it), and a burst where one dies.

use yew::prelude::*;

use super::model::{Model, Msg, Tab, QUIET_FAST_FORWARD, SPEEDS};
use crate::sim::{Fate, HostSnapshot, Impairments, PacketRecord, Snapshot, SocketView};

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 330.0;
const CARD_WIDTH: f64 = 236.0;
const LINE_HEIGHT: f64 = 19.0;
/// Sockets listed on a card before "+N more".
const STRIP_LINES: usize = 4;
/// Distance between the two directions' lanes on a link.
const LANE_OFFSET: f64 = 11.0;
const LOOP_RADIUS: f64 = 26.0;
/// How long, in wall seconds, a burst stays on screen.
const BURST_SECONDS: f64 = 0.9;

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

/// Where each host's card is centred: side by side for two, around an ellipse for more.
pub fn host_positions(count: usize) -> Vec<Point> {
    let centre = Point { x: WIDTH / 2.0, y: HEIGHT / 2.0 + 14.0 };
    match count {
        0 => Vec::new(),
        1 => vec![centre],
        2 => vec![Point { x: 150.0, y: centre.y }, Point { x: WIDTH - 150.0, y: centre.y }],
        _ => (0..count)
            .map(|index| {
                let angle = core::f64::consts::PI + index as f64 * core::f64::consts::TAU / count as f64;
                Point { x: centre.x + 290.0 * angle.cos(), y: centre.y + 112.0 * angle.sin() }
            })
            .collect(),
    }
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

struct Layout<'a> {
    snapshot: &'a Snapshot,
    positions: Vec<Point>,
    heights: Vec<f64>,
    compact: bool,
}

impl Layout<'_> {
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

    /// A point on the host's loopback loop, drawn above its card; `t` from 0 to 1 goes round it.
    fn on_loop(&self, host: usize, t: f64) -> Option<Point> {
        let centre = self.loop_centre(host)?;
        let angle = core::f64::consts::FRAC_PI_2 - t * core::f64::consts::TAU;
        Some(Point { x: centre.x + LOOP_RADIUS * angle.cos(), y: centre.y + LOOP_RADIUS * angle.sin() })
    }

    fn loop_centre(&self, host: usize) -> Option<Point> {
        let position = self.positions.get(host)?;
        Some(Point { x: position.x, y: position.y - self.heights[host] / 2.0 - LOOP_RADIUS + 2.0 })
    }

    /// Where a packet from `from` to `to` is, a fraction `t` of the way.
    fn along(&self, from: usize, to: usize, t: f64) -> Option<Point> {
        if from == to {
            return self.on_loop(from, t);
        }
        let lane = self.lane(from, to)?;
        Some(lane.start.lerp(lane.end, t))
    }
}

pub fn view(model: &Model, send: &Callback<Msg>) -> Html {
    let snapshot = model.session.network().snapshot();
    let compact = snapshot.hosts.len() > 6;
    let positions = host_positions(snapshot.hosts.len());
    let heights = snapshot.hosts.iter().map(|host| card_height(host, compact)).collect();
    let layout = Layout { snapshot: &snapshot, positions, heights, compact };
    let links = snapshot.links.iter().filter(|link| !link.loopback).map(|link| link_view(&layout, link, send));
    let loops = snapshot.links.iter().filter(|link| link.loopback).filter_map(|link| {
        let centre = layout.loop_centre(link.ends[0])?;
        Some(html! {
            <circle class="loopback" cx={fmt(centre.x)} cy={fmt(centre.y)} r={fmt(LOOP_RADIUS)}>
                <title>{ format!("{}'s loopback (127.0.0.1)", layout.snapshot.hosts[link.ends[0]].name) }</title>
            </circle>
        })
    });
    let cards = snapshot.hosts.iter().map(|host| card_view(&layout, host));
    let envelopes = snapshot.in_flight.iter().filter_map(|packet| {
        let point = layout.along(packet.from, packet.to, packet.progress)?;
        let id = packet.id;
        let kind = packet.kind.label();
        let onclick = send.reform(move |_: MouseEvent| Msg::DropPacket(id));
        let onmouseenter = send.reform(move |_: MouseEvent| Msg::Hover(Some(id)));
        let onmouseleave = send.reform(|_: MouseEvent| Msg::Hover(None));
        let class = classes!(
            "packet",
            kind_class(kind),
            (model.hovered == Some(id)).then_some("hover"),
            (model.selected == Some(id)).then_some("selected")
        );
        Some(html! {
            <g key={id} {class} data-packet={id.to_string()} data-kind={kind}
                transform={format!("translate({:.1} {:.1})", point.x, point.y)}
                {onclick} {onmouseenter} {onmouseleave}>
                <title>{ format!("#{id} {kind}: click to drop it") }</title>
                <rect x="-27" y="-11" width="54" height="22" rx="4" />
                <text y="5">{ kind }</text>
            </g>
        })
    });
    let bursts = bursts(model, &layout);
    html! {
        <svg id="topology" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img"
            aria-label="Hosts, links and the packets travelling on them">
            <g class="links">{ for links }</g>
            <g class="loops">{ for loops }</g>
            <g class="cards">{ for cards }</g>
            <g class="bursts">{ for bursts }</g>
            <g class="packets">{ for envelopes }</g>
        </svg>
    }
}

fn fmt(value: f64) -> String {
    format!("{value:.1}")
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
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

fn link_view(layout: &Layout, link: &crate::sim::LinkSnapshot, send: &Callback<Msg>) -> Html {
    let [a, b] = link.ends;
    let (Some(&from), Some(&to)) = (layout.positions.get(a), layout.positions.get(b)) else {
        return Html::default();
    };
    let middle = from.lerp(to, 0.5);
    let [there, back] = &link.impairments;
    let label = if there == back {
        impairments_label(there)
    } else {
        format!("→ {} / ← {}", impairments_label(there), impairments_label(back))
    };
    let onclick = send.reform(|_: MouseEvent| Msg::Tab(Tab::Network));
    html! {
        <g class="link" data-link={link.id.to_string()} {onclick}>
            <line x1={fmt(from.x)} y1={fmt(from.y)} x2={fmt(to.x)} y2={fmt(to.y)} />
            <text class="link-label" x={fmt(middle.x)} y={fmt(middle.y - 22.0)}>{ label }</text>
            <title>{ "Click to change what this link does" }</title>
        </g>
    }
}

fn card_view(layout: &Layout, host: &HostSnapshot) -> Html {
    let centre = layout.positions[host.id];
    let height = layout.heights[host.id];
    let width = if layout.compact { 120.0 } else { CARD_WIDTH };
    let (left, top) = (centre.x - width / 2.0, centre.y - height / 2.0);
    let strip = (!layout.compact).then(|| {
        let shown = host.sockets.iter().take(STRIP_LINES).enumerate().map(|(index, socket)| {
            let y = top + 62.0 + index as f64 * LINE_HEIGHT;
            html! {
                <text class="port" x={fmt(left + 10.0)} y={fmt(y)}>
                    <tspan class={classes!("state", state_class(&socket.state))}>{ &socket.state }</tspan>
                    { " " }{ port_line(socket) }
                </text>
            }
        });
        let more = host.sockets.len().saturating_sub(STRIP_LINES);
        let empty = host.sockets.is_empty();
        html! {
            <>
                { for shown }
                if more > 0 {
                    <text class="port more" x={fmt(left + 10.0)} y={fmt(top + 62.0 + STRIP_LINES as f64 * LINE_HEIGHT)}>
                        { format!("+{more} more") }
                    </text>
                }
                if empty {
                    <text class="port none" x={fmt(left + 10.0)} y={fmt(top + 62.0)}>{ "no sockets" }</text>
                }
            </>
        }
    });
    let busy = !host.blocked.is_empty();
    html! {
        <g class={classes!("host", busy.then_some("blocked"))} data-host={host.name.clone()}>
            <rect x={fmt(left)} y={fmt(top)} width={fmt(width)} height={fmt(height)} rx="8" />
            <text class="host-name" x={fmt(left + 10.0)} y={fmt(top + 22.0)}>{ &host.name }</text>
            <text class="host-address" x={fmt(left + width - 10.0)} y={fmt(top + 22.0)}>{ host.address.to_string() }</text>
            if !layout.compact {
                <line class="divider" x1={fmt(left)} y1={fmt(top + 34.0)} x2={fmt(left + width)} y2={fmt(top + 34.0)} />
                <text class="strip-title" x={fmt(left + 10.0)} y={fmt(top + 48.0)}>
                    { if busy { "sockets · a call is waiting" } else { "sockets" } }
                </text>
            }
            { for strip }
        </g>
    }
}

/// A socket on the port strip: `:80 queue 1/6`, `:49152 ⇄ 10.0.0.2:80`.
fn port_line(socket: &SocketView) -> String {
    let local = socket.local.map_or_else(|| "*".to_string(), |local| format!(":{}", local.port()));
    let mut line = match socket.remote {
        Some(remote) => format!("{local} ⇄ {remote}"),
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

/// A burst for each packet that died in the last moment of wall time: lost on the wire, dropped by
/// hand, refused by a full accept queue, or with no route.
fn bursts(model: &Model, layout: &Layout) -> Vec<Html> {
    let now = model.session.now().total_micros();
    let rate = SPEEDS[model.speed].factor * if model.fast_forwarding { QUIET_FAST_FORWARD } else { 1.0 };
    let window = (BURST_SECONDS * 1e6 * rate) as i64;
    let trace = model.session.network().trace();
    trace
        .records()
        .rev()
        .take_while(|record| now - record.sent_at.total_micros() <= window + 60_000_000)
        .filter_map(|record| {
            let at = record.fate.at()?.total_micros();
            if now - at > window || at > now {
                return None;
            }
            let (t, label) = death(layout, record)?;
            let point = layout.along(record.from, record.to.unwrap_or(record.from), t)?;
            Some(html! {
                <g key={record.id} class="burst" data-packet={record.id.to_string()}
                    transform={format!("translate({:.1} {:.1})", point.x, point.y)}>
                    <path d="M0 -18 L5 -6 L18 -8 L8 2 L14 15 L0 7 L-14 15 L-8 2 L-18 -8 L-5 -6 Z" />
                    <text y="34">{ label }</text>
                </g>
            })
        })
        .collect()
}

/// Where along its way a packet died (0 to 1), and why, in a word; `None` for one delivered.
fn death(layout: &Layout, record: &PacketRecord) -> Option<(f64, &'static str)> {
    match record.fate {
        Fate::Lost { .. } => Some((0.5, "lost")),
        Fate::DroppedByHand { at } => {
            let link = layout.snapshot.links.get(record.link?)?;
            let direction = usize::from(link.ends[0] != record.from);
            let delay = link.impairments[direction].delay_us.max(1) as f64;
            let t = ((at - record.sent_at).total_micros() as f64 / delay).clamp(0.0, 1.0);
            Some((t, "dropped"))
        }
        Fate::AcceptQueueFull { .. } => Some((1.0, "queue full")),
        Fate::NoRoute { .. } => Some((0.0, "no route")),
        Fate::InFlight | Fate::Delivered { .. } => None,
    }
}
