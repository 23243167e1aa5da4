//! The packet list: the newest packets, one row each, with their fate; click a row to inspect it.

use yew::prelude::*;

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
    let rows = trace.records().rev().take(MAX_ROWS).map(|record| {
        let id = record.id;
        let kind = record.summary.kind.label();
        let fate = match record.fate {
            Fate::Delivered { at } => {
                format!("delivered +{}", time_label(at.total_micros() - record.sent_at.total_micros()))
            }
            fate => fate.label().to_string(),
        };
        let class = classes!(
            "packet-row",
            (model.selected == Some(id)).then_some("selected"),
            (model.hovered == Some(id)).then_some("hover"),
            (!matches!(record.fate, Fate::Delivered { .. } | Fate::InFlight)).then_some("died")
        );
        let onclick = send.reform(move |_: MouseEvent| Msg::Select(Some(id)));
        let onmouseenter = send.reform(move |_: MouseEvent| Msg::Hover(Some(id)));
        let onmouseleave = send.reform(|_: MouseEvent| Msg::Hover(None));
        let to = record.to.map_or("nobody", name);
        html! {
            <tr key={id} {class} data-packet={id.to_string()} {onclick} {onmouseenter} {onmouseleave}>
                <td class="num">{ id }</td>
                <td class="num">{ time_label(record.sent_at.total_micros()) }</td>
                <td>{ format!("{} → {to}", name(record.from)) }</td>
                <td><span class={classes!("chip", kind_class(kind))}>{ kind }</span></td>
                <td class="info"><code>{ record.summary.describe() }</code></td>
                <td class="fate">{ fate }</td>
            </tr>
        }
    });
    html! {
        <table id="packets" class="packet-list">
            <thead><tr><th>{ "#" }</th><th>{ "sent" }</th><th>{ "hosts" }</th><th>{ "kind" }</th><th>{ "segment" }</th><th>{ "fate" }</th></tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}
