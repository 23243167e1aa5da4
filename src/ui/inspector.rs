//! The inspector: the selected packet's IP, TCP/UDP/ICMP header fields and its bytes, as a
//! packet analyser shows them. Hovering a field lights its bytes. The fields and the bytes are
//! written as markup (see [`markup`](super::markup)): a full-size packet has 1,500 bytes to show,
//! and one listener on the fields finds the field under the pointer.

use std::fmt::Write;
use std::ops::Range;

use yew::prelude::*;

use super::kept::Slot;
use super::markup::{attribute_at, escape, index, into_html, within};
use super::memo::{same, Part};
use super::model::{Model, Msg};
use super::toolbar::time_label;
use super::topology::kind_class;
use crate::sim::{dissect, hex_rows, Fate, Layer};

/// The selected packet, as the inspector shows it.
#[derive(PartialEq)]
pub struct InspectorProps {
    pub packet: Option<crate::sim::PacketId>,
    /// The packet's bytes and headline, `None` when it has left the trace.
    pub bytes: Option<crate::sim::PacketBytes>,
    pub headline: String,
    pub kind: &'static str,
    pub in_flight: bool,
    pub send: Callback<Msg>,
}

/// The inspector's properties for the model's selected packet.
pub fn props(model: &Model, send: &Callback<Msg>) -> InspectorProps {
    let network = model.session.network();
    let record = model.selected.and_then(|id| network.trace().get(id));
    let name = |host: usize| network.host(host).map_or("?", |host| host.name());
    let headline = record.map_or_else(String::new, |record| {
        let fate = match record.fate {
            Fate::InFlight => "in flight".to_string(),
            fate => format!("{} at {}", fate.label(), time_label(fate.at().map_or(0, |at| at.total_micros()))),
        };
        format!(
            "#{} · {} → {} · sent at {} · {fate}",
            record.id,
            name(record.from),
            record.to.map_or("nobody", name),
            time_label(record.sent_at.total_micros())
        )
    });
    InspectorProps {
        packet: model.selected,
        bytes: record.map(|record| record.bytes.clone()),
        headline,
        kind: record.map_or("", |record| record.summary.kind.label()),
        in_flight: record.is_some_and(|record| record.fate == Fate::InFlight),
        send: send.clone(),
    }
}

impl Part for InspectorProps {
    fn draw(&self, slot: &Slot) -> Html {
        inspector(self, slot)
    }

    fn same(&self, other: &dyn Part) -> bool {
        same(self, other)
    }
}

fn inspector(props: &InspectorProps, slot: &Slot) -> Html {
    let lit = slot.kept(|| None::<Range<usize>>);
    let (Some(id), Some(bytes)) = (props.packet, &props.bytes) else {
        return html! {
            <p class="empty">{ "Select a packet (an arrow of the ladder, a row of the list) to see its headers and bytes." }</p>
        };
    };
    let hover = {
        let lit = lit.clone();
        Callback::from(move |event: MouseEvent| {
            let bytes = bytes_at(&event);
            if *lit.get() != bytes {
                lit.change(|lit| *lit = bytes);
            }
        })
    };
    let leave = {
        let lit = lit.clone();
        Callback::from(move |_: MouseEvent| {
            if lit.get().is_some() {
                lit.change(|lit| *lit = None);
            }
        })
    };
    let drop = {
        let send = props.send.clone();
        Callback::from(move |event: MouseEvent| {
            if within(&event, "button.drop") {
                send.emit(Msg::DropPacket(id));
            }
        })
    };
    let mut headline = format!(
        r#"<span class="chip {}">{}</span> {}"#,
        escape(&kind_class(props.kind)),
        escape(props.kind),
        escape(&props.headline)
    );
    if props.in_flight {
        headline.push_str(r#"<button class="drop">Drop it</button>"#);
    }
    html! {
        <div id="inspector" class="inspector">
            <p class="headline" onclick={drop}>{ into_html(headline) }</p>
            <div class="layers" onmouseover={hover} onmouseleave={leave}>{ into_html(layers(&dissect(bytes))) }</div>
            { into_html(hex(bytes, lit.get().as_ref())) }
        </div>
    }
}

/// The layers and their fields, each with the bytes it occupies in `data-bytes` (`14-34`).
fn layers(layers: &[Layer]) -> String {
    let mut out = String::new();
    for layer in layers {
        let Range { start, end } = layer.range;
        let _ = write!(
            out,
            r#"<details class="layer" open data-layer="{0}"><summary data-bytes="{start}-{end}"><strong>{0}</strong> {1}</summary><dl>"#,
            layer.name,
            escape(&layer.summary)
        );
        for field in &layer.fields {
            let Range { start, end } = field.range;
            let _ = write!(
                out,
                r#"<div class="field" data-bytes="{start}-{end}"><dt>{}</dt><dd>{}</dd></div>"#,
                field.name,
                escape(&field.value)
            );
        }
        out.push_str("</dl></details>");
    }
    out
}

/// The bytes the layer or field under the pointer occupies.
fn bytes_at(event: &MouseEvent) -> Option<Range<usize>> {
    let bytes = attribute_at(event, "data-bytes")?;
    let (start, end) = bytes.split_once('-')?;
    Some(index(start)?..index(end)?)
}

/// The hex dump, the `lit` bytes marked.
fn hex(bytes: &[u8], lit: Option<&Range<usize>>) -> String {
    let mut out = String::from(r#"<table class="hex" aria-label="Packet bytes"><tbody>"#);
    for row in hex_rows(bytes) {
        let _ = write!(out, r#"<tr><th>{}</th><td class="bytes">"#, row.offset);
        for (offset, pair) in row.range.zip(&row.hex) {
            let class = if lit.is_some_and(|lit| lit.contains(&offset)) { r#" class="lit""# } else { "" };
            let _ = write!(out, "<span{class}>{pair}</span>");
        }
        let _ = write!(out, r#"</td><td class="ascii">{}</td></tr>"#, escape(&row.ascii));
    }
    out.push_str("</tbody></table>");
    out
}
