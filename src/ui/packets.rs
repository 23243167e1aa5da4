//! The packet list: the newest packets, one row each, with their fate; click a row to inspect it.

use std::fmt::Write;

use yew::prelude::*;

use super::markup::{class_list, escape, hovering, into_html, selecting};

use super::model::{Model, Msg};
use super::toolbar::time_label;
use super::topology::kind_class;
use crate::sim::Fate;

/// The newest rows listed; the capture holds every packet.
const MAX_ROWS: usize = 200;

pub fn view(model: &Model, send: &Callback<Msg>) -> Html {
    let network = model.session.network();
    let name = |host: usize| network.host(host).map_or("?", |host| host.name());
    let trace = network.trace();
    if trace.is_empty() {
        return html! { <p class="empty">{ "No packets yet. Make a call: a connect() or a sendto() sends the first." }</p> };
    }
    let mut rows = String::with_capacity(MAX_ROWS * 300);
    for record in trace.records().rev().take(MAX_ROWS) {
        let id = record.id;
        let kind = record.summary.kind.label();
        let fate = match record.fate {
            Fate::Delivered { at } => {
                format!("delivered +{}", time_label(at.total_micros() - record.sent_at.total_micros()))
            }
            fate => fate.label().to_string(),
        };
        let class = class_list(
            "packet-row".into(),
            &[
                (model.selected == Some(id), "selected"),
                (model.hovered == Some(id), "hover"),
                (!matches!(record.fate, Fate::Delivered { .. } | Fate::InFlight), "died"),
            ],
        );
        let hosts = format!("{} → {}", name(record.from), record.to.map_or("nobody", name));
        let _ = write!(
            rows,
            r#"<tr class="{class}" data-packet="{id}"><td class="num">{id}</td><td class="num">{}</td><td>{}</td><td><span class="chip {}">{kind}</span></td><td class="info"><code>{}</code></td><td class="fate">{}</td></tr>"#,
            time_label(record.sent_at.total_micros()),
            escape(&hosts),
            kind_class(kind),
            escape(&segment(record)),
            escape(&fate)
        );
    }
    let table = format!(
        r#"<table id="packets" class="packet-list"><thead><tr><th>#</th><th>sent</th><th>hosts</th><th>kind</th><th>segment</th><th>fate</th></tr></thead><tbody>{rows}</tbody></table>"#
    );
    let (onmousedown, onmouseover) = (selecting(send), hovering(send));
    html! { <div {onmousedown} {onmouseover}>{ into_html(table) }</div> }
}

/// The segment in a few words, without the addresses the hosts column already gives:
/// `:49152 → :80 [SYN] seq=0 len=0`.
fn segment(record: &crate::sim::PacketRecord) -> String {
    let described = record.summary.describe();
    let ports = format!(":{} → :{}", record.summary.src.port(), record.summary.dst.port());
    // `describe` starts with "source → destination ".
    match described.splitn(4, ' ').nth(3) {
        Some(rest) if record.summary.src.port() != 0 => format!("{ports} {rest}"),
        Some(rest) => rest.to_string(),
        None => described,
    }
}
