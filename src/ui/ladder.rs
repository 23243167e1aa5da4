//! The ladder diagram: one lane per host, time running down, each packet an arrow sloped by its
//! flight time; lost packets end in ✕ and reordered ones cross. Socket calls are marked on their
//! host's lane. Quiet stretches (a retransmission timeout, TIME-WAIT) are folded to a short break so
//! the arrows keep a readable slope.

use std::cell::Cell;
use std::fmt::Write;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::markup::{class_list, escape, hovering, into_html, selecting, text};
use super::model::{Model, Msg};
use super::toolbar::time_label;
use super::topology::kind_class;
use crate::decimal::Rounded;
use crate::python::methods::find;
use crate::scenario::{Outcome, Session, TranscriptLine};
use crate::sim::{order, Fate, PacketRecord, Transport};

/// The ladder's widest drawing in an embed, in its units: a wider panel scales it up, for a
/// lecture hall.
const WIDEST_EMBEDDED: f64 = 440.0;
/// Its narrowest: a narrower panel shrinks it.
const NARROWEST: f64 = 260.0;
const MARGIN: f64 = 60.0;
const TOP: f64 = 16.0;
/// The newest packets drawn; older ones are in the packet list and the capture.
const MAX_ARROWS: usize = 120;
/// The newest socket calls marked on the lanes.
const MAX_CALL_MARKS: usize = 40;
/// The height a typical flight takes on screen.
const FLIGHT_PX: f64 = 46.0;
/// The height of a folded quiet stretch.
const BREAK_PX: f64 = 30.0;
/// The height of a socket call's row.
const ROW_PX: f64 = 15.0;
/// More lanes than this, and the names over them take turns on two rows.
const CROWDED_LANES: usize = 4;
/// The width a lane's name needs to itself on one row.
const LANE_ROOM: f64 = 80.0;
/// An arrow label's character width and height (11 px monospace, see `.arrow-label`).
const LABEL_CHAR_PX: f64 = 6.7;
const LABEL_HEIGHT_PX: f64 = 11.0;
/// How far "now" goes on down after the last busy stretch.
const QUIET_TAIL_PX: f64 = FLIGHT_PX;

/// A stretch of time drawn to scale, starting at `y`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: i64,
    end: i64,
    y: f64,
}

/// Maps virtual time to height, folding quiet stretches, and gives each socket call marked on
/// the lanes a row of its own: calls made at one instant (a person clicking while the clock is
/// paused) are stacked, not drawn over each other, and what happens at that instant comes after.
#[derive(Debug)]
pub struct TimeAxis {
    pieces: Vec<Piece>,
    px_per_us: f64,
    /// The times of the calls marked, in order.
    marks: Vec<i64>,
}

impl TimeAxis {
    /// An axis for these busy intervals (start, end in µs) and calls (in time order); a gap
    /// longer than three typical flights is folded.
    fn new(mut intervals: Vec<(i64, i64)>, marks: Vec<i64>, typical_flight: i64) -> TimeAxis {
        let typical_flight = typical_flight.max(100);
        let px_per_us = FLIGHT_PX / typical_flight as f64;
        let fold_after = typical_flight * 3;
        intervals.extend(marks.iter().map(|&at| (at, at)));
        order::sort(&mut intervals, |&(start, end)| (order::signed(start), order::signed(end)));
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
        TimeAxis { pieces, px_per_us, marks }
    }

    /// Where a packet event at `time` is drawn: after the calls made up to then.
    pub fn y(&self, time: i64) -> f64 {
        self.time_y(time) + self.rows_before(|&at| at <= time)
    }

    /// Where the `index`th call is marked.
    fn mark_y(&self, index: usize) -> f64 {
        let at = self.marks.get(index).copied().unwrap_or_default();
        self.time_y(at) + (index as f64 + 0.5) * ROW_PX
    }

    /// The height the calls that pass `made` take.
    fn rows_before(&self, made: impl FnMut(&i64) -> bool) -> f64 {
        self.marks.partition_point(made) as f64 * ROW_PX
    }

    /// Where `time` is on the folded time scale alone.
    fn time_y(&self, time: i64) -> f64 {
        let Some(index) = self.pieces.iter().rposition(|piece| piece.start <= time) else {
            return TOP;
        };
        let piece = self.pieces[index];
        piece.y + ((time.min(piece.end) - piece.start) as f64 * self.px_per_us)
    }

    /// Where the end of the last busy stretch is drawn.
    fn end_y(&self) -> f64 {
        let end = self.pieces.last().map_or(TOP, |piece| piece.y + (piece.end - piece.start) as f64 * self.px_per_us);
        end + self.marks.len() as f64 * ROW_PX
    }

    /// Where "now" is drawn: after the last busy stretch the line goes on down to scale for a
    /// while, then waits there (the next busy stretch folds the quiet one away).
    fn now_y(&self, now: i64) -> f64 {
        let Some(last) = self.pieces.last() else { return TOP };
        if now <= last.end {
            return self.y(now);
        }
        self.end_y() + ((now - last.end) as f64 * self.px_per_us).min(QUIET_TAIL_PX)
    }

    fn height(&self) -> f64 {
        self.end_y() + QUIET_TAIL_PX + TOP
    }

    /// The folded stretches: where each break is drawn and how long it was.
    fn breaks(&self) -> impl Iterator<Item = (f64, i64)> + '_ {
        self.pieces.windows(2).map(move |pair| {
            let y = pair[1].y + self.rows_before(|&at| at < pair[1].start) - BREAK_PX / 2.0;
            (y, pair[1].start - pair[0].end)
        })
    }
}

/// The boxes the arrows' labels were given, so that a label slides along its own arrow rather than
/// being drawn over another one: six letters and a FIN sent at one instant would otherwise share
/// one spot. Labels are placed oldest first, so a new arrow never moves an old label.
#[derive(Default)]
struct LabelPlaces(Vec<[f64; 4]>);

impl LabelPlaces {
    /// Where a label of `chars` characters goes on the arrow from `from` to `to`: its middle if
    /// nothing is there, else the free spot nearest the middle, else the middle.
    fn place(&mut self, from: (f64, f64), to: (f64, f64), chars: usize) -> (f64, f64) {
        const ALONG: [f64; 7] = [0.5, 0.38, 0.62, 0.26, 0.74, 0.14, 0.86];
        let half_width = chars as f64 * LABEL_CHAR_PX / 2.0 + 2.0;
        let spot = |t: f64| (from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t - 4.0);
        let bounds = |(x, y): (f64, f64)| [x - half_width, y - LABEL_HEIGHT_PX, x + half_width, y + 2.0];
        let free = |mine: &[f64; 4]| {
            !self
                .0
                .iter()
                .any(|other| mine[0] < other[2] && other[0] < mine[2] && mine[1] < other[3] && other[1] < mine[3])
        };
        let chosen = ALONG.iter().map(|&t| spot(t)).find(|&at| free(&bounds(at))).unwrap_or(spot(0.5));
        self.0.push(bounds(chosen));
        chosen
    }

    /// Keeps arrow labels off a text of `chars` characters written from `x` (leftwards when
    /// `leftwards`) on the baseline `y`: a socket call's mark.
    fn reserve(&mut self, x: f64, y: f64, chars: usize, leftwards: bool) {
        let width = chars as f64 * LABEL_CHAR_PX;
        let (left, right) = if leftwards { (x - width, x) } else { (x, x + width) };
        self.0.push([left, y - LABEL_HEIGHT_PX, right, y + 2.0]);
    }
}

/// The ladder's width in its units for a panel `panel_px` CSS pixels wide: the panel's own, so
/// that the text is drawn at its size (a slide's narrow column does not shrink it) and the host
/// names above the lanes line up with them; not narrower than [`NARROWEST`], and in an embed not
/// wider than [`WIDEST_EMBEDDED`]. A panel not laid out yet gets that width.
pub fn width_for(panel_px: i32, embedded: bool) -> u16 {
    let widest = if embedded { WIDEST_EMBEDDED } else { f64::from(u16::MAX) };
    let width = if panel_px > 0 { f64::from(panel_px).clamp(NARROWEST, widest) } else { WIDEST_EMBEDDED };
    width as u16
}

/// Where the hosts' lanes are, across a ladder `width` units wide.
#[derive(Clone, Copy)]
struct Lanes {
    hosts: usize,
    width: f64,
}

impl Lanes {
    fn x(self, host: usize) -> f64 {
        if self.hosts <= 1 {
            return self.width / 2.0;
        }
        MARGIN + host as f64 * (self.width - 2.0 * MARGIN) / (self.hosts - 1) as f64
    }

    /// Whether `host`'s lane is the rightmost of several, whose texts go to its left.
    fn is_last(self, host: usize) -> bool {
        host + 1 == self.hosts && self.hosts > 1
    }
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

/// The ladder's time axis and the arrows' planned ends, worked out once per
/// [`Scene`](super::scene::Scene): a packet's whole trip is known when it is sent, so the axis stays
/// put while packets fly and each frame only moves "now" ([`follow`]).
pub struct Plan {
    axis: TimeAxis,
    typical_flight: i64,
    /// Where the packets drawn (the newest [`MAX_ARROWS`]) start in the trace.
    first_record: usize,
    /// For each packet drawn that is still in flight: when its trip ends and how far along its
    /// link that is.
    planned: Vec<Option<(i64, f64)>>,
}

impl Plan {
    pub fn of(session: &Session) -> Plan {
        let network = session.network();
        let trace = network.trace();
        let first_record = trace.len().saturating_sub(MAX_ARROWS);
        let records = || trace.records().skip(first_record);
        let planned: Vec<Option<(i64, f64)>> = records()
            .map(|record| {
                let packet = network.links().get(record.link?)?.on_the_wire(record.id)?;
                let whole = (packet.arrives_at - packet.sent_at).total_micros().max(1) as f64;
                let flown = (packet.ends_at - packet.sent_at).total_micros() as f64;
                Some((packet.ends_at.total_micros(), (flown / whole).clamp(0.0, 1.0)))
            })
            .collect();
        let end_of = |(record, planned): (&PacketRecord, &Option<(i64, f64)>)| match (record.fate.at(), planned) {
            (Some(at), _) => at.total_micros(),
            (None, Some((end, _))) => *end,
            (None, None) => record.sent_at.total_micros(),
        };
        let trips = || records().zip(&planned);
        let mut flights: Vec<i64> =
            trips().map(|trip| end_of(trip) - trip.0.sent_at.total_micros()).filter(|&f| f > 0).collect();
        order::sort(&mut flights, |&flight| (order::signed(flight), 0));
        let typical_flight = flights.get(flights.len() / 2).copied().unwrap_or(10_000);
        let oldest = records().next().map_or(0, |record| record.sent_at.total_micros());
        let mut intervals: Vec<(i64, i64)> =
            trips().map(|trip| (trip.0.sent_at.total_micros(), end_of(trip))).collect();
        if intervals.is_empty() {
            intervals.push((0, 0));
        }
        let marks = marked_calls(session, oldest).map(|line| line.started_at.total_micros()).collect();
        Plan { axis: TimeAxis::new(intervals, marks, typical_flight), typical_flight, first_record, planned }
    }
}

/// The newest calls, those made since the oldest packet drawn, marked on their lanes.
fn marked_calls(session: &Session, oldest: i64) -> impl Iterator<Item = &TranscriptLine> + Clone {
    let transcript = session.player().transcript();
    transcript[transcript.len().saturating_sub(MAX_CALL_MARKS)..]
        .iter()
        .filter(move |line| line.started_at.total_micros() >= oldest)
}

pub fn view(model: &Model, plan: &Plan, send: &Callback<Msg>, scroll: &NodeRef) -> Html {
    let network = model.session.network();
    let now = network.now().total_micros();
    let hosts = network.hosts();
    let axis = &plan.axis;
    let height = axis.height();
    let width = f64::from(model.ladder_width);
    let lanes = Lanes { hosts: hosts.len(), width };
    // The names over the lanes take turns on two rows when there are many, or little room.
    let crowded = hosts.len() > CROWDED_LANES || (hosts.len() > 2 && width < hosts.len() as f64 * LANE_ROOM);

    let mut svg = String::with_capacity(8192 + MAX_ARROWS * 400);
    let _ = write!(
        svg,
        r#"<div class="ladder-sheet"><svg id="ladder" viewBox="0 0 {WIDTH} {height_1}" style="height: {height_0}px" role="img" aria-label="Ladder diagram of the packets"><defs><marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>"#,
        height_1 = Rounded(height, 1),
        height_0 = Rounded(height, 0),
        WIDTH = Rounded(width, 0)
    );
    for index in 0..hosts.len() {
        let x = lanes.x(index);
        let _ = write!(
            svg,
            r#"<line class="lane" x1="{x_1}" y1="0" x2="{x_1}" y2="{height_1}"/>"#,
            x_1 = Rounded(x, 1),
            height_1 = Rounded(height, 1)
        );
    }
    for (y, gap) in axis.breaks() {
        let _ = write!(
            svg,
            r#"<g class="fold"><line x1="0" y1="{y_1}" x2="{WIDTH}" y2="{y_1}"/>"#,
            y_1 = Rounded(y, 1),
            WIDTH = Rounded(width, 0)
        );
        text(&mut svg, "", width / 2.0, y + 4.0, &format!("… {} later …", time_label(gap)));
        svg.push_str("</g>");
    }
    let trace = network.trace();
    let oldest = trace.records().nth(plan.first_record).map_or(0, |record| record.sent_at.total_micros());
    let mut labels = LabelPlaces::default();
    // The calls' marks go over the arrows, their texts haloed, so that an arrow crossing one does
    // not strike it through; they are placed first, so that the arrows' labels keep clear of them.
    let mut marks = String::new();
    for (index, line) in marked_calls(&model.session, oldest).enumerate() {
        let x = lanes.x(line.host);
        let y = axis.mark_y(index);
        let raised = matches!(line.outcome, Outcome::Raised(_));
        let anchor_left = lanes.is_last(line.host);
        let (text_x, anchor) = if anchor_left { (x - 8.0, "end") } else { (x + 8.0, "start") };
        // What follows the last ` = ` (of those a split from the left finds).
        let mut code = &line.code[..];
        while let Some(at) = find(code.as_bytes(), b" = ", false) {
            code = &code[at + 3..];
        }
        labels.reserve(text_x, y + 4.0, code.chars().count(), anchor_left);
        let _ = write!(
            marks,
            r#"<g class="call-mark{}"><circle cx="{x_1}" cy="{y_1}" r="4"/><text x="{text_x_1}" y="{}" text-anchor="{anchor}">{}</text></g>"#,
            if raised { " raised" } else { "" },
            Rounded(y + 4.0, 1),
            escape(code),
            x_1 = Rounded(x, 1),
            y_1 = Rounded(y, 1),
            text_x_1 = Rounded(text_x, 1)
        );
    }
    // The arrows are drawn whole; the future is hidden under the curtain that hangs from "now", so
    // a packet in flight grows as the curtain goes down.
    svg.push_str(r#"<g class="arrows">"#);
    for (record, planned) in trace.records().skip(plan.first_record).zip(&plan.planned) {
        arrow(&mut svg, model, plan, record, *planned, lanes, &mut labels);
    }
    svg.push_str("</g>");
    svg.push_str(&marks);
    // The curtain is a drawing of its own over the ladder, so that moving it every frame repaints
    // neither the arrows nor their labels.
    let now_y = axis.now_y(now);
    let _ = write!(
        svg,
        r#"</svg><svg class="ladder-now" viewBox="0 0 {WIDTH} {height_1}" style="height: {height_0}px" aria-hidden="true"><g class="now" transform="translate(0 {now_y_1})"><rect class="curtain" x="-1000" y="0" width="3000" height="{height_1}"/><line x1="0" y1="0" x2="{WIDTH}" y2="0"/><text x="4" y="-4">{}</text></g></svg></div>"#,
        time_label(now),
        height_1 = Rounded(height, 1),
        height_0 = Rounded(height, 0),
        now_y_1 = Rounded(now_y, 1),
        WIDTH = Rounded(width, 0)
    );

    // Written as text: a class worked out at run time in `html!` would bring Yew's class sets.
    let mut heads =
        String::from(if crowded { r#"<div class="ladder-heads crowded">"# } else { r#"<div class="ladder-heads">"# });
    for (index, host) in hosts.iter().enumerate() {
        let _ = write!(
            heads,
            r#"<span style="left: {}%">{}</span>"#,
            Rounded(lanes.x(index) / width * 100.0, 2),
            escape(host.name())
        );
    }
    heads.push_str("</div>");

    let (onmousedown, onmouseover) = (selecting(send), hovering(send));
    html! {
        <>
            { into_html(heads) }
            <div class="ladder-scroll" ref={scroll.clone()} {onmousedown} {onmouseover}>
                { into_html(svg) }
            </div>
        </>
    }
}

/// Where the host names go above the lanes in a standalone ladder.
const HEADS_PX: f64 = 28.0;

/// The ladder drawn in `scroll` as a standalone SVG file, as it is now (the future still under the
/// curtain): the host names above their lanes, and the page's ladder styles inside it, so that it
/// looks the same pasted into slides.
pub fn standalone(scroll: &web_sys::Element, hosts: &[String]) -> Option<String> {
    let ladder = scroll.query_selector("#ladder").ok()??;
    let view_box = ladder.get_attribute("viewBox")?;
    // "0 0 WIDTH HEIGHT": the first two numbers are the origin.
    let mut numbers = view_box.split(' ').map(crate::decimal::parse);
    let (_, _, width, height) = (numbers.next()?, numbers.next()?, numbers.next()?, numbers.next()?);
    if !(width.is_finite() && height.is_finite()) {
        return None;
    }
    let now = scroll.query_selector(".ladder-now").ok()?.map(|now| now.inner_html()).unwrap_or_default();
    let total = height + HEADS_PX;
    let mut svg = String::with_capacity(16_384);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {top} {WIDTH} {total_1}" width="{WIDTH}" height="{total_0}"><style>svg {{ font-family: system-ui, sans-serif; }} .head {{ font-weight: 800; font-size: 14px; text-anchor: middle; }} {}</style><rect x="0" y="{top}" width="{WIDTH}" height="{total_1}" fill="#fff"/>"##,
        ladder_styles(),
        top = Rounded(-HEADS_PX, 0),
        total_1 = Rounded(total, 1),
        total_0 = Rounded(total, 0),
        WIDTH = Rounded(width, 0)
    );
    let lanes = Lanes { hosts: hosts.len(), width };
    for (index, name) in hosts.iter().enumerate() {
        let _ = write!(svg, r#"<text class="head" x="{}" y="-10">{}</text>"#, Rounded(lanes.x(index), 1), escape(name));
    }
    // The page's markup, as HTML writes it: the one entity it may use that XML lacks is &nbsp;.
    let _ = write!(svg, r#"<g id="ladder">{}</g><g class="ladder-now">{now}</g></svg>"#, ladder.inner_html());
    let mut xml = String::with_capacity(svg.len());
    let mut rest = &svg[..];
    while let Some(at) = find(rest.as_bytes(), b"&nbsp;", false) {
        xml.push_str(&rest[..at]);
        xml.push_str("&#160;");
        rest = &rest[at + 6..];
    }
    xml.push_str(rest);
    Some(xml)
}

/// The style sheet's rules for the ladder (and the colours they use).
fn ladder_styles() -> String {
    const SELECTORS: [&str; 7] = [":root", "#ladder", ".ladder-now", ".call-mark", ".arrow", "#arrowhead", ".kind-"];
    let mut styles = String::new();
    let Some(sheets) = web_sys::window().and_then(|window| window.document()).map(|document| document.style_sheets())
    else {
        return styles;
    };
    for sheet in (0..sheets.length()).filter_map(|index| sheets.item(index)) {
        let Ok(sheet) = sheet.dyn_into::<web_sys::CssStyleSheet>() else { continue };
        let Ok(rules) = sheet.css_rules() else { continue };
        for rule in (0..rules.length()).filter_map(|index| rules.item(index)) {
            let text = rule.css_text();
            if SELECTORS.iter().any(|selector| text.starts_with(selector)) {
                styles.push_str(&text);
                styles.push(' ');
            }
        }
    }
    styles
}

/// The ladder's panel as measured at the start of a frame, while the layout is clean: its size in
/// pixels and how far it is scrolled up from the end of the drawing (0 at the end, where the panel
/// stays by itself; negative above it, as a `column-reverse` box scrolls).
#[derive(Clone, Copy, Default)]
pub struct Viewport {
    pub width: i32,
    pub height: i32,
    pub scroll_top: i32,
}

impl Viewport {
    pub fn of(scroll: &web_sys::Element) -> Viewport {
        Viewport { width: scroll.client_width(), height: scroll.client_height(), scroll_top: scroll.scroll_top() }
    }
}

/// Moves "now" on the ladder drawn in `scroll` to the clock: the line with its time, and the
/// curtain under it that hides what has not happened yet.
///
/// The panel keeps the end of the drawing in view by itself, and "now" is at most a quiet stretch
/// above the end; but a panel shorter than that (four panels in a small embedded frame) would show
/// only the quiet stretch. Such a panel is scrolled up so that "now" and what led to it stay in
/// view, as long as the person has not scrolled it themselves: `followed` is where this last
/// scrolled it (`None` while the panel is at its end).
pub fn follow(
    plan: &Plan,
    now: i64,
    scroll: &web_sys::Element,
    viewport: Viewport,
    width: u16,
    followed: &Cell<Option<i32>>,
) {
    let now_y = plan.axis.now_y(now);
    if let Ok(Some(line)) = scroll.query_selector(".ladder-now .now") {
        let _ = line.set_attribute("transform", &format!("translate(0 {now_y_1})", now_y_1 = Rounded(now_y, 1)));
        if let Ok(Some(label)) = line.query_selector("text") {
            label.set_text_content(Some(&time_label(now)));
        }
    }
    let Viewport { width: panel_width, height: panel_height, scroll_top } = viewport;
    let untouched = scroll_top.abs() <= 1 || followed.get().is_some_and(|top| (top - scroll_top).abs() <= 1);
    if !untouched || panel_height <= 0 {
        return;
    }
    // The drawing fills the panel's width: a unit is this many pixels (see `.ladder-sheet`).
    let scale = f64::from(panel_width) / f64::from(width.max(1));
    let sheet = (plan.axis.height() * scale).max(f64::from(panel_height));
    // "Now" a little above the panel's bottom edge: what led to it fills the rest.
    let below_now = ((QUIET_TAIL_PX + TOP) * scale).min(f64::from(panel_height) / 4.0);
    let wanted = (now_y * scale + below_now - sheet).clamp(f64::from(panel_height) - sheet, 0.0).round() as i32;
    let mut top = scroll_top;
    if (wanted - scroll_top).abs() > 1 {
        scroll.set_scroll_top(wanted);
        // Where the browser put it (it keeps a scroll within the drawing drawn).
        top = scroll.scroll_top();
    }
    followed.set((top < 0).then_some(top));
}

/// One packet's arrow, from its sender's lane when it left to where it arrives or dies; one still
/// in flight is drawn to where its trip will end, and shown up to "now" by the curtain.
fn arrow(
    svg: &mut String,
    model: &Model,
    plan: &Plan,
    record: &PacketRecord,
    planned: Option<(i64, f64)>,
    lanes: Lanes,
    labels: &mut LabelPlaces,
) {
    let id = record.id;
    let x1 = lanes.x(record.from);
    let x2 = lanes.x(record.to.unwrap_or(record.from));
    let y1 = plan.axis.y(record.sent_at.total_micros());
    let (end, fraction, dies) = match record.fate {
        Fate::InFlight => {
            let (end, fraction) = planned.unwrap_or((record.sent_at.total_micros(), 0.0));
            (end, fraction, false)
        }
        Fate::Delivered { at } => (at.total_micros(), 1.0, false),
        Fate::Lost { at } => (at.total_micros(), 0.5, true),
        Fate::DroppedByHand { at } => {
            let flown = (at - record.sent_at).total_micros() as f64;
            (at.total_micros(), (flown / plan.typical_flight.max(1) as f64).clamp(0.05, 0.95), true)
        }
        Fate::AcceptQueueFull { at } => (at.total_micros(), 1.0, true),
        Fate::NoRoute { at } => (at.total_micros(), 0.1, true),
    };
    let y2 = plan.axis.y(end);
    let (x2, path) = if record.to == Some(record.from) {
        let bulge = x1 + if lanes.is_last(record.from) { -36.0 } else { 36.0 };
        (
            bulge,
            format!(
                "M{x1_1} {y1_1} Q{bulge_1} {} {x1_1} {y2_1}",
                Rounded((y1 + y2) / 2.0, 1),
                x1_1 = Rounded(x1, 1),
                y1_1 = Rounded(y1, 1),
                bulge_1 = Rounded(bulge, 1),
                y2_1 = Rounded(y2, 1)
            ),
        )
    } else {
        let x_end = x1 + (x2 - x1) * fraction;
        (
            x_end,
            format!(
                "M{x1_1} {y1_1} L{x_end_1} {y2_1}",
                x1_1 = Rounded(x1, 1),
                y1_1 = Rounded(y1, 1),
                x_end_1 = Rounded(x_end, 1),
                y2_1 = Rounded(y2, 1)
            ),
        )
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
    let label = arrow_label(record);
    let (label_x, label_y) = labels.place((x1, y1), (x2, y2), label.chars().count());
    text(svg, "arrow-label", label_x, label_y, &label);
    svg.push_str("</g>");
}
