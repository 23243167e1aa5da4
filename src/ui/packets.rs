//! The packet list: every packet of the run, newest first, one row each with its fate; click a
//! row to inspect it.
//!
//! A run can hold thousands of packets, so the list draws only the rows in view (and a few
//! either side): two spacer rows stand in for the rest, and scrolling draws the rows it reaches.

use std::fmt::Write;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::kept::{Kept, Slot};
use super::markup::{class_list, escape, hovering, into_html, selecting};
use super::memo::{same, Part};
use super::model::{ModelHandle, Msg, Shown};
use super::toolbar::time_label;
use super::topology::kind_class;
use crate::sim::{Fate, PacketRecord};

/// A row's height in pixels; `.packet-list tr` in style.css gives every row this height.
const ROW_PX: i32 = 24;
/// Rows drawn beyond each edge of the view, so that a quick scroll does not show blank rows.
const OVERSCAN: usize = 10;

/// The part of the list in view, in pixels from its top.
#[derive(Clone, Copy, PartialEq)]
struct Viewport {
    top: i32,
    height: i32,
    /// Whether the list's scroll box has been measured (once, after the list is first drawn).
    measured: bool,
}

/// What the packet list is drawn from.
#[derive(PartialEq)]
pub struct PacketListProps {
    pub model: ModelHandle,
    /// What the page shows: the list is drawn again when the packets or the selection change.
    pub shown: Shown,
    pub send: Callback<Msg>,
}

impl Part for PacketListProps {
    fn draw(&self, slot: &Slot) -> Html {
        packet_list(self, slot)
    }

    fn same(&self, other: &dyn Part) -> bool {
        same(self, other)
    }

    fn drawn(&self, slot: &Slot) {
        let viewport = viewport(slot);
        if !viewport.get().measured {
            viewport.quietly(|viewport| viewport.measured = true);
            // The list's scroll box: the page has one.
            measure(
                &viewport,
                web_sys::window().and_then(|window| window.document()?.query_selector(".packet-scroll").ok()?),
            );
        }
    }
}

/// Until the list has been laid out, it is taken to be as tall as a projector's window.
fn viewport(slot: &Slot) -> Kept<Viewport> {
    slot.kept(|| Viewport { top: 0, height: 720, measured: false })
}

/// Reads the part of the list in view from its scroll box.
fn measure(viewport: &Kept<Viewport>, element: Option<web_sys::Element>) {
    if let Some(element) = element {
        let (top, height) = (element.scroll_top(), element.client_height());
        viewport.change(|viewport| (viewport.top, viewport.height) = (top, height));
    }
}

fn packet_list(props: &PacketListProps, slot: &Slot) -> Html {
    let viewport = viewport(slot);
    let model = props.model.0.borrow();
    let network = model.session.network();
    let trace = network.trace();
    if trace.is_empty() {
        return html! { <p class="empty">{ "No packets yet. Make a call: a connect() or a sendto() sends the first." }</p> };
    }
    let name = |host: usize| network.host(host).map_or("?", |host| host.name());
    let total = trace.len();
    let in_view = *viewport.get();
    let first = ((in_view.top / ROW_PX).max(0) as usize).saturating_sub(OVERSCAN).min(total);
    let shown_rows = ((in_view.height / ROW_PX).max(1) as usize + 2 * OVERSCAN).min(total - first);
    let mut rows = String::with_capacity(shown_rows * 300);
    spacer(&mut rows, first);
    for record in trace.records().rev().skip(first).take(shown_rows) {
        row(&mut rows, record, props.shown, &name);
    }
    spacer(&mut rows, total - first - shown_rows);
    let table = format!(
        r#"<table id="packets" class="packet-list"><thead><tr><th class="num">#</th><th>sent</th><th>hosts</th><th>kind</th><th>segment</th><th>fate</th></tr></thead><tbody>{rows}</tbody></table>"#
    );
    let (onmousedown, onmouseover) = (selecting(&props.send), hovering(&props.send));
    let onscroll = move |event: Event| measure(&viewport, event.target().and_then(|target| target.dyn_into().ok()));
    html! {
        <div class="packet-scroll" {onscroll} {onmousedown} {onmouseover}>{ into_html(table) }</div>
    }
}

/// A row standing in for `rows` rows not drawn.
fn spacer(out: &mut String, rows: usize) {
    if rows > 0 {
        let _ = write!(out, r#"<tr class="spacer" style="height: {}px"></tr>"#, rows as i64 * ROW_PX as i64);
    }
}

fn row<'a>(out: &mut String, record: &PacketRecord, shown: Shown, name: &impl Fn(usize) -> &'a str) {
    let id = record.id;
    let kind = record.summary.kind.label();
    // The column says what became of the packet; its tooltip says when, for one delivered.
    let fate = record.fate.label();
    let fate_title = match record.fate {
        Fate::Delivered { at } => {
            format!("delivered +{}", time_label(at.total_micros() - record.sent_at.total_micros()))
        }
        _ => fate.to_string(),
    };
    let class = class_list(
        "packet-row".into(),
        &[
            (shown.selected == Some(id), "selected"),
            (shown.hovered == Some(id), "hover"),
            (!matches!(record.fate, Fate::Delivered { .. } | Fate::InFlight), "died"),
        ],
    );
    let hosts = format!("{} → {}", name(record.from), record.to.map_or("nobody", name));
    let segment = segment(record);
    let _ = write!(
        out,
        r#"<tr class="{class}" data-packet="{id}"><td class="num">{id}</td><td class="num">{}</td><td>{}</td><td><span class="chip {}">{kind}</span></td><td class="info" title="{}"><code>{}</code></td><td class="fate" title="{}">{}</td></tr>"#,
        time_label(record.sent_at.total_micros()),
        escape(&hosts),
        kind_class(kind),
        escape(&segment),
        escape(&segment),
        escape(&fate_title),
        escape(fate)
    );
}

/// The segment in a few words, without the addresses the hosts column already gives:
/// `:49152 → :80 [SYN] seq=0 len=0`.
fn segment(record: &PacketRecord) -> String {
    let described = record.summary.describe();
    let ports = format!(":{} → :{}", record.summary.src.port(), record.summary.dst.port());
    // `describe` starts with "source → destination ".
    match described.splitn(4, ' ').nth(3) {
        Some(rest) if record.summary.src.port() != 0 => format!("{ports} {rest}"),
        Some(rest) => rest.to_string(),
        None => described,
    }
}
