//! The ladder diagram: one lane per host, time running down, each packet an arrow sloped by its
//! flight time; lost packets end in ✕ and reordered ones cross. Socket calls are marked on their
//! host's lane. Quiet stretches (a retransmission timeout, TIME-WAIT) are folded to a short break so
//! the arrows keep a readable slope.

use std::fmt::Write;

use yew::prelude::*;

use super::markup::{class_list, escape, hovering, into_html, selecting, text};
use super::model::{Model, Msg};
use super::toolbar::time_label;
use super::topology::kind_class;
use crate::scenario::Outcome;
use crate::sim::{Fate, PacketRecord, Transport};

const WIDTH: f64 = 440.0;
const MARGIN: f64 = 60.0;
const TOP: f64 = 16.0;
/// The newest packets drawn; older ones are in the packet list and the capture.
const MAX_ARROWS: usize = 120;
/// The newest socket calls marked on the lanes.
const MAX_CALL_MARKS: usize = 40;
/// The height a typical flight takes on screen.
const FLIGHT_PX: f64 = 54.0;
/// The height of a folded quiet stretch.
const BREAK_PX: f64 = 30.0;

/// A stretch of time drawn to scale, starting at `y`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: i64,
    end: i64,
    y: f64,
}

/// Maps virtual time to height, folding quiet stretches.
#[derive(Debug)]
pub struct TimeAxis {
    pieces: Vec<Piece>,
    px_per_us: f64,
}

impl TimeAxis {
    /// An axis for these busy intervals (start, end in µs); a gap longer than `fold_after` is
    /// folded.
    fn new(mut intervals: Vec<(i64, i64)>, typical_flight: i64) -> TimeAxis {
        let typical_flight = typical_flight.max(100);
        let px_per_us = FLIGHT_PX / typical_flight as f64;
        let fold_after = typical_flight * 3;
        intervals.sort_unstable();
        let mut pieces: Vec<Piece> = Vec::new();
        for (start, end) in intervals {
            match pieces.last_mut() {
                Some(last) if start <= last.end + fold_after => last.end = last.end.max(end),
                Some(last) => {
                    let y = last.y + (last.end - last.start) as f64 * px_per_us + BREAK_PX;
                    pieces.push(Piece { start, end, y });
                }
                None => pieces.push(Piece { start, end, y: TOP }),
            }
        }
        TimeAxis { pieces, px_per_us }
    }

    pub fn y(&self, time: i64) -> f64 {
        let Some(index) = self.pieces.iter().rposition(|piece| piece.start <= time) else {
            return TOP;
        };
        let piece = self.pieces[index];
        piece.y + ((time.min(piece.end) - piece.start) as f64 * self.px_per_us)
    }

    fn height(&self) -> f64 {
        self.pieces.last().map_or(TOP, |piece| piece.y + (piece.end - piece.start) as f64 * self.px_per_us) + TOP
    }

    /// The folded stretches: where each break is drawn and how long it was.
    fn breaks(&self) -> impl Iterator<Item = (f64, i64)> + '_ {
        self.pieces.windows(2).map(move |pair| (pair[1].y - BREAK_PX / 2.0, pair[1].start - pair[0].end))
    }
}

fn lane_x(host: usize, hosts: usize) -> f64 {
    if hosts <= 1 {
        return WIDTH / 2.0;
    }
    MARGIN + host as f64 * (WIDTH - 2.0 * MARGIN) / (hosts - 1) as f64
}

/// The arrow's label: `SYN`, `DATA 5 B`, `ACK 1`.
fn arrow_label(record: &PacketRecord) -> String {
    let kind = record.summary.kind.label();
    match &record.summary.transport {
        Transport::Tcp { .. } if record.summary.payload_len > 0 => format!("{kind} {} B", record.summary.payload_len),
        Transport::Udp => format!("UDP {} B", record.summary.payload_len),
        _ => kind.to_string(),
    }
}

pub fn view(model: &Model, send: &Callback<Msg>, scroll: &NodeRef) -> Html {
    let network = model.session.network();
    let now = network.now().total_micros();
    let hosts = network.hosts();
    let records: Vec<&PacketRecord> = {
        let trace = network.trace();
        trace.records().skip(trace.len().saturating_sub(MAX_ARROWS)).collect()
    };
    let end_of = |record: &PacketRecord| record.fate.at().map_or(now, |at| at.total_micros()).min(now);
    let mut flights: Vec<i64> =
        records.iter().map(|record| end_of(record) - record.sent_at.total_micros()).filter(|&f| f > 0).collect();
    flights.sort_unstable();
    let typical_flight = flights.get(flights.len() / 2).copied().unwrap_or(10_000);
    let oldest = records.first().map_or(0, |record| record.sent_at.total_micros());
    let transcript = model.session.player().transcript();
    let newest_calls = &transcript[transcript.len().saturating_sub(MAX_CALL_MARKS)..];
    let calls = newest_calls.iter().filter(|line| line.started_at.total_micros() >= oldest);
    let mut intervals: Vec<(i64, i64)> =
        records.iter().map(|record| (record.sent_at.total_micros(), end_of(record))).collect();
    intervals.extend(calls.clone().map(|line| (line.started_at.total_micros(), line.started_at.total_micros())));
    intervals.push((now, now));
    let axis = TimeAxis::new(intervals, typical_flight);
    let height = axis.height();

    let mut svg = String::with_capacity(8192 + records.len() * 400);
    let _ = write!(
        svg,
        r#"<svg id="ladder" viewBox="0 0 {WIDTH} {height:.1}" style="height: {height:.0}px" role="img" aria-label="Ladder diagram of the packets"><defs><marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>"#
    );
    for index in 0..hosts.len() {
        let x = lane_x(index, hosts.len());
        let _ = write!(svg, r#"<line class="lane" x1="{x:.1}" y1="0" x2="{x:.1}" y2="{height:.1}"/>"#);
    }
    for (y, gap) in axis.breaks() {
        let _ = write!(svg, r#"<g class="fold"><line x1="0" y1="{y:.1}" x2="{WIDTH}" y2="{y:.1}"/>"#);
        text(&mut svg, "", WIDTH / 2.0, y + 4.0, &format!("… {} later …", time_label(gap)));
        svg.push_str("</g>");
    }
    for line in calls {
        let x = lane_x(line.host, hosts.len());
        let y = axis.y(line.started_at.total_micros());
        let raised = matches!(line.outcome, Outcome::Raised(_));
        let anchor_left = line.host + 1 == hosts.len() && hosts.len() > 1;
        let (text_x, anchor) = if anchor_left { (x - 8.0, "end") } else { (x + 8.0, "start") };
        let code = line.code.split(" = ").last().unwrap_or(&line.code);
        let _ = write!(
            svg,
            r#"<g class="call-mark{}"><circle cx="{x:.1}" cy="{y:.1}" r="4"/><text x="{text_x:.1}" y="{:.1}" text-anchor="{anchor}">{}</text></g>"#,
            if raised { " raised" } else { "" },
            y + 4.0,
            escape(code)
        );
    }
    let in_flight = network.snapshot().in_flight;
    for record in &records {
        arrow(&mut svg, model, record, &axis, &in_flight, hosts.len(), typical_flight, end_of(record));
    }
    let now_y = axis.y(now);
    let _ = write!(svg, r#"<g class="now"><line x1="0" y1="{now_y:.1}" x2="{WIDTH}" y2="{now_y:.1}"/>"#);
    text(&mut svg, "", 4.0, now_y - 4.0, &time_label(now));
    svg.push_str("</g></svg>");

    let (onmousedown, onmouseover) = (selecting(send), hovering(send));
    html! {
        <>
            <div class="ladder-heads">
                { for hosts.iter().enumerate().map(|(index, host)| html! {
                    <span style={format!("left: {:.2}%", lane_x(index, hosts.len()) / WIDTH * 100.0)}>{ host.name() }</span>
                }) }
            </div>
            <div class="ladder-scroll" ref={scroll.clone()} {onmousedown} {onmouseover}>{ into_html(svg) }</div>
        </>
    }
}

/// One packet's arrow: from its sender's lane when it left to where it is now, arrived, or died.
#[allow(clippy::too_many_arguments)]
fn arrow(
    svg: &mut String,
    model: &Model,
    record: &PacketRecord,
    axis: &TimeAxis,
    in_flight: &[crate::sim::PacketInFlight],
    hosts: usize,
    typical_flight: i64,
    end: i64,
) {
    let id = record.id;
    let x1 = lane_x(record.from, hosts);
    let x2 = lane_x(record.to.unwrap_or(record.from), hosts);
    let y1 = axis.y(record.sent_at.total_micros());
    let (fraction, dies) = match record.fate {
        Fate::InFlight => (in_flight.iter().find(|packet| packet.id == id).map_or(0.0, |p| p.progress), false),
        Fate::Delivered { .. } => (1.0, false),
        Fate::Lost { .. } => (0.5, true),
        Fate::DroppedByHand { at } => {
            let flown = (at - record.sent_at).total_micros() as f64;
            ((flown / typical_flight.max(1) as f64).clamp(0.05, 0.95), true)
        }
        Fate::AcceptQueueFull { .. } => (1.0, true),
        Fate::NoRoute { .. } => (0.1, true),
    };
    let y2 = axis.y(end);
    let (x2, path) = if record.to == Some(record.from) {
        let bulge = x1 + if record.from + 1 == hosts && hosts > 1 { -36.0 } else { 36.0 };
        (bulge, format!("M{x1:.1} {y1:.1} Q{bulge:.1} {:.1} {x1:.1} {y2:.1}", (y1 + y2) / 2.0))
    } else {
        let x_end = x1 + (x2 - x1) * fraction;
        (x_end, format!("M{x1:.1} {y1:.1} L{x_end:.1} {y2:.1}"))
    };
    let kind = record.summary.kind.label();
    let class = class_list(
        format!("arrow {}", kind_class(kind)),
        &[
            (dies, "dies"),
            (record.fate == Fate::InFlight, "flying"),
            (record.duplicate_of.is_some(), "duplicate"),
            (model.hovered == Some(id), "hover"),
            (model.selected == Some(id), "selected"),
        ],
    );
    let title = format!("#{id} {} · {}", record.summary.describe(), record.fate.label());
    let _ = write!(
        svg,
        r#"<g class="{class}" data-packet="{id}" data-kind="{kind}" data-fate="{}"><title>{}</title><path class="hit" d="{path}"/><path class="shaft" d="{path}"{}/>"#,
        record.fate.name(),
        escape(&title),
        if dies { "" } else { r#" marker-end="url(#arrowhead)""# }
    );
    if dies {
        text(svg, "cross", x2, y2 + 6.0, "✕");
    }
    text(svg, "arrow-label", (x1 + x2) / 2.0, (y1 + y2) / 2.0 - 4.0, &arrow_label(record));
    svg.push_str("</g>");
}
