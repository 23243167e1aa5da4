//! The packets on the wires, drawn as envelopes over the topology, and the bursts where packets
//! die; both move with the clock, so every animation frame places them again.
//!
//! Envelopes are drawn at two levels of detail:
//! - Up to [`MAX_LABELLED`] in flight (a lesson, a handshake), each is a labelled SVG tag with a
//!   tooltip, kept from the frame its packet is first seen on a wire to the frame its trip ends;
//!   a frame moves only those whose place on screen (rounded to half a unit of the drawing) or
//!   whose look (hovered, selected) changed.
//! - Above that (a crowd: hundreds of packets that cannot be told apart anyway), they are painted
//!   as bare coloured tags on a canvas: a thousand SVG elements moving every frame cost the
//!   browser far more to lay out, paint and composite than painting them on one canvas.
//!
//! Either way a press on an envelope drops its packet: the SVG tags say which packet they are
//! (`data-packet`), and the crowd remembers where it painted each tag ([`Envelopes::crowd_at`]).

use std::fmt::Write;

use wasm_bindgen::JsCast;

use super::markup::escape;
use super::model::{Model, QUIET_FAST_FORWARD, SPEEDS};
use super::topology::{kind_class, Layout};
use crate::decimal::Rounded;
use crate::sim::{order, Fate, PacketId, PacketKind, PacketRecord, SortedMap};

const SVG: Option<&str> = Some("http://www.w3.org/2000/svg");
/// Above this many packets in flight, envelopes are a crowd: bare tags painted on a canvas.
const MAX_LABELLED: usize = 120;
/// How long, in wall seconds, a burst stays on screen.
const BURST_SECONDS: f64 = 0.9;
/// Labelled envelopes are placed to a half unit of the drawing (about 0.7 px at 1280×720).
const STEPS_PER_UNIT: f64 = 2.0;
/// Half the size of a labelled envelope, and of a crowd's tag, in units of the drawing.
const LABELLED_HALF: (f64, f64) = (27.0, 11.0);
const CROWD_HALF: (f64, f64) = (9.0, 6.0);

/// How a labelled envelope looks, apart from where it is.
#[derive(Clone, Copy, PartialEq)]
struct Look {
    hovered: bool,
    selected: bool,
}

struct Labelled {
    element: web_sys::Element,
    /// Where it is, in half units.
    at: (i32, i32),
    look: Look,
    /// The last frame that saw its packet on a wire.
    seen: u64,
}

/// A crowd's tag as painted: which packet, and where (in units of the drawing).
struct Tag {
    packet: PacketId,
    x: f64,
    y: f64,
}

/// How the drawing's units map onto the canvas's CSS pixels: the same as an SVG `viewBox` with
/// the default `preserveAspectRatio` (scaled to fit, centred).
#[derive(Clone, Copy, Default)]
struct Fit {
    scale: f64,
    left: f64,
    top: f64,
}

impl Fit {
    /// How a drawing of `drawing` units fits a canvas of `width` × `height` CSS pixels.
    fn of(width: f64, height: f64, drawing: (f64, f64)) -> Fit {
        let (drawing_width, drawing_height) = drawing;
        let scale = (width / drawing_width).min(height / drawing_height).max(f64::MIN_POSITIVE);
        Fit { scale, left: (width - drawing_width * scale) / 2.0, top: (height - drawing_height * scale) / 2.0 }
    }
}

/// The envelopes and bursts on screen, kept between frames.
#[derive(Default)]
pub struct Envelopes {
    /// The `<g>` the labelled envelopes are in; a new one (the topology was drawn again from
    /// scratch) starts them afresh.
    layer: Option<web_sys::Element>,
    labelled: SortedMap<PacketId, Labelled>,
    frame: u64,
    /// The crowd's tags as last painted, bottom first.
    crowd: Vec<Tag>,
    fit: Fit,
    /// The canvas's size in CSS pixels, measured at the start of a frame ([`Envelopes::measure`]):
    /// read after the frame has changed the page, it would make the browser lay the page out twice.
    canvas_size: Option<(f64, f64)>,
    /// Each packet kind's colour, read once from the page's style sheet.
    colours: Vec<(&'static str, String)>,
    /// The bursts' markup on screen, so that a frame with the same bursts leaves them be.
    bursts: String,
}

/// Where the envelopes go: the SVG group for labelled ones, the canvas for a crowd, and the group
/// for bursts.
pub struct Layers {
    pub labelled: web_sys::Element,
    pub crowd: web_sys::HtmlCanvasElement,
    pub bursts: web_sys::Element,
}

impl Envelopes {
    /// Places every packet in flight on its wire, and the recent deaths.
    pub fn draw(&mut self, model: &Model, layout: &Layout, layers: &Layers) {
        self.frame += 1;
        let network = model.session.network();
        let in_flight: usize = network.links().iter().map(|link| link.in_flight().count()).sum();
        let crowd = in_flight > MAX_LABELLED;
        self.place_labelled(model, layout, &layers.labelled, !crowd);
        self.paint_crowd(model, layout, &layers.crowd, crowd);
        let markup = burst_markup(model, layout);
        if markup != self.bursts {
            layers.bursts.set_inner_html(&markup);
            self.bursts = markup;
        }
    }

    /// Notes the canvas's size in CSS pixels (the topology panel's), at the start of a frame,
    /// while the page's layout is up to date, and returns it.
    pub fn measure(&mut self, canvas: &web_sys::HtmlCanvasElement) -> (f64, f64) {
        let size = (canvas.client_width() as f64, canvas.client_height() as f64);
        self.canvas_size = Some(size);
        size
    }

    /// The packet whose crowd tag is under a point of the page (client coordinates), if any.
    pub fn crowd_at(&self, canvas: &web_sys::Element, client_x: f64, client_y: f64) -> Option<PacketId> {
        if self.crowd.is_empty() {
            return None;
        }
        let bounds = canvas.get_bounding_client_rect();
        let x = (client_x - bounds.left() - self.fit.left) / self.fit.scale;
        let y = (client_y - bounds.top() - self.fit.top) / self.fit.scale;
        let (half_width, half_height) = CROWD_HALF;
        let hit = |tag: &&Tag| (tag.x - x).abs() <= half_width && (tag.y - y).abs() <= half_height;
        self.crowd.iter().rev().find(hit).map(|tag| tag.packet)
    }

    /// Keeps a labelled SVG envelope for each packet in flight while they are `few`, and none for
    /// a crowd.
    fn place_labelled(&mut self, model: &Model, layout: &Layout, layer: &web_sys::Element, few: bool) {
        let Some(document) = layer.owner_document() else { return };
        if self.layer.as_ref() != Some(layer) {
            self.layer = Some(layer.clone());
            self.labelled.clear();
        }
        let network = model.session.network();
        let now = network.now();
        let trace = network.trace();
        for packet in network.links().iter().flat_map(|link| link.in_flight()).filter(|_| few) {
            let Some(point) = layout.along(packet.from, packet.to, packet.progress(now)) else { continue };
            let at = ((point.x * STEPS_PER_UNIT).round() as i32, (point.y * STEPS_PER_UNIT).round() as i32);
            let id = packet.packet;
            let look = Look { hovered: model.hovered == Some(id), selected: model.selected == Some(id) };
            let kind = trace.get(id).map_or(PacketKind::Other, |record| record.summary.kind).label();
            match self.labelled.get_mut(&id) {
                Some(envelope) => {
                    envelope.seen = self.frame;
                    if envelope.look != look {
                        let _ = envelope.element.set_attribute("class", &envelope_class(kind, look));
                        envelope.look = look;
                    }
                    if envelope.at != at {
                        place(&envelope.element, at);
                        envelope.at = at;
                    }
                }
                None => {
                    let Ok(element) = document.create_element_ns(SVG, "g") else { continue };
                    let _ = element.set_attribute("class", &envelope_class(kind, look));
                    let _ = element.set_attribute("data-packet", &id.to_string());
                    let _ = element.set_attribute("data-kind", kind);
                    element.set_inner_html(&format!(
                        r#"<title>#{id} {kind}: click to drop it</title><rect width="{}" height="{}" rx="4"/><text>{kind}</text>"#,
                        Rounded(LABELLED_HALF.0 * 2.0, 0),
                        Rounded(LABELLED_HALF.1 * 2.0, 0)
                    ));
                    place(&element, at);
                    let _ = layer.append_child(&element);
                    self.labelled.insert(id, Labelled { element, at, look, seen: self.frame });
                }
            }
        }
        let frame = self.frame;
        self.labelled.retain(|_, envelope| {
            let on_a_wire = envelope.seen == frame;
            if !on_a_wire {
                envelope.element.remove();
            }
            on_a_wire
        });
    }

    /// Paints the crowd's tags on the canvas, a colour at a time (or clears it when `crowd` is
    /// false and something was painted).
    fn paint_crowd(&mut self, model: &Model, layout: &Layout, canvas: &web_sys::HtmlCanvasElement, crowd: bool) {
        if !crowd && self.crowd.is_empty() {
            return;
        }
        let Some(context) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|context| context.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let ratio = web_sys::window().map_or(1.0, |window| window.device_pixel_ratio());
        // Drawn outside the animation loop (a click while paused), the size is measured now.
        let (width, height) =
            self.canvas_size.unwrap_or_else(|| (canvas.client_width() as f64, canvas.client_height() as f64));
        let (pixels_wide, pixels_high) = ((width * ratio).round() as u32, (height * ratio).round() as u32);
        if canvas.width() != pixels_wide || canvas.height() != pixels_high {
            canvas.set_width(pixels_wide);
            canvas.set_height(pixels_high);
        }
        let _ = context.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        context.clear_rect(0.0, 0.0, pixels_wide as f64, pixels_high as f64);
        self.crowd.clear();
        if !crowd {
            return;
        }
        self.fit = Fit::of(width, height, layout.size());
        let Fit { scale, left, top } = self.fit;
        let _ = context.set_transform(ratio * scale, 0.0, 0.0, ratio * scale, ratio * left, ratio * top);
        if self.colours.is_empty() {
            self.colours = kind_colours(canvas);
        }
        let network = model.session.network();
        let now = network.now();
        let trace = network.trace();
        let mut tags: Vec<(&'static str, Tag)> = network
            .links()
            .iter()
            .flat_map(|link| link.in_flight())
            .filter_map(|packet| {
                let point = layout.along(packet.from, packet.to, packet.progress(now))?;
                let kind = trace.get(packet.packet).map_or(PacketKind::Other, |record| record.summary.kind).label();
                Some((kind, Tag { packet: packet.packet, x: point.x, y: point.y }))
            })
            .collect();
        order::sort(&mut tags, |(kind, tag)| (order::text(kind), tag.packet));
        for run in tags.chunk_by(|a, b| a.0 == b.0) {
            let kind = run[0].0;
            let colour = self.colours.iter().find(|(label, _)| *label == kind).map_or("#555", |(_, colour)| colour);
            context.set_fill_style_str(colour);
            context.begin_path();
            for (_, tag) in run {
                outline(&context, tag);
            }
            context.fill();
        }
        let marked = |id: Option<PacketId>| tags.iter().find(|(_, tag)| Some(tag.packet) == id);
        if let Some((_, tag)) = marked(model.hovered).or(marked(model.selected)) {
            context.set_stroke_style_str("#ffb000");
            context.set_line_width(3.5);
            context.begin_path();
            outline(&context, tag);
            context.stroke();
        }
        self.crowd = tags.into_iter().map(|(_, tag)| tag).collect();
    }
}

/// Adds a crowd tag's rounded rectangle to the canvas's path.
fn outline(context: &web_sys::CanvasRenderingContext2d, tag: &Tag) {
    let (half_width, half_height) = CROWD_HALF;
    let _ =
        context.round_rect_with_f64(tag.x - half_width, tag.y - half_height, half_width * 2.0, half_height * 2.0, 3.0);
}

/// `packet kind-syn`, with `hover` and `selected` when they apply.
fn envelope_class(kind: &str, look: Look) -> String {
    let mut class = format!("packet {}", kind_class(kind));
    if look.hovered {
        class.push_str(" hover");
    }
    if look.selected {
        class.push_str(" selected");
    }
    class
}

/// Moves a labelled envelope's tag and label to `at`, through their `x` and `y`. A `transform`
/// would be simpler, but gives each envelope a paint property node of its own, which the browser
/// must sort into layers every frame.
fn place(element: &web_sys::Element, (x, y): (i32, i32)) {
    let (x, y) = (x as f64 / STEPS_PER_UNIT, y as f64 / STEPS_PER_UNIT);
    if let Ok(Some(rect)) = element.query_selector("rect") {
        let _ = rect.set_attribute("x", &Rounded(x - LABELLED_HALF.0, 1).to_string());
        let _ = rect.set_attribute("y", &Rounded(y - LABELLED_HALF.1, 1).to_string());
    }
    if let Ok(Some(text)) = element.query_selector("text") {
        let _ = text.set_attribute("x", &Rounded(x, 1).to_string());
        let _ = text.set_attribute("y", &Rounded(y + 5.0, 1).to_string());
    }
}

/// Each packet kind's colour: the `--syn`, `--udp`… custom properties of the page's style sheet,
/// which colour the SVG envelopes, arrows and chips too.
fn kind_colours(element: &web_sys::Element) -> Vec<(&'static str, String)> {
    let Some(style) = web_sys::window().and_then(|window| window.get_computed_style(element).ok().flatten()) else {
        return Vec::new();
    };
    PacketKind::ALL
        .iter()
        .map(|kind| {
            let label = kind.label();
            let property = format!("--{}", label.to_ascii_lowercase());
            (label, style.get_property_value(&property).unwrap_or_default().trim().to_string())
        })
        .collect()
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
            r#"<g class="burst" data-packet="{}" opacity="{opacity_2}" transform="translate({} {})"><path transform="scale({scale_2})" d="M0 -18 L5 -6 L18 -8 L8 2 L14 15 L0 7 L-14 15 L-8 2 L-18 -8 L-5 -6 Z"/><text y="34">{}</text></g>"#,
            record.id,
            Rounded(point.x, 1),
            Rounded(point.y, 1),
            escape(label),
            opacity_2 = Rounded(opacity, 2),
            scale_2 = Rounded(scale, 2)
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
