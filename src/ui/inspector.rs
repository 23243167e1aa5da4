//! The inspector: the selected packet's IP, TCP/UDP/ICMP header fields and its bytes, as a
//! packet analyser shows them. Hovering a field lights its bytes.

use yew::prelude::*;

use super::model::{Model, Msg};
use super::toolbar::time_label;
use super::topology::kind_class;
use crate::sim::{dissect, hex_rows, Fate};

#[derive(Properties, PartialEq)]
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

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let lit = use_state(|| None::<core::ops::Range<usize>>);
    let (Some(id), Some(bytes)) = (props.packet, &props.bytes) else {
        return html! {
            <p class="empty">{ "Select a packet (an arrow of the ladder, a row of the list) to see its headers and bytes." }</p>
        };
    };
    let layers = dissect(bytes);
    let rows = hex_rows(bytes);
    let light = |range: core::ops::Range<usize>| {
        let lit = lit.clone();
        Callback::from(move |_: MouseEvent| lit.set(Some(range.clone())))
    };
    let unlight = {
        let lit = lit.clone();
        Callback::from(move |_: MouseEvent| lit.set(None))
    };
    let drop = props.send.reform(move |_: MouseEvent| Msg::DropPacket(id));
    let is_lit = |offset: usize| lit.as_ref().is_some_and(|range| range.contains(&offset));
    html! {
        <div id="inspector" class="inspector">
            <p class="headline">
                <span class={classes!("chip", kind_class(props.kind))}>{ props.kind }</span>{ " " }{ &props.headline }
                if props.in_flight {
                    <button class="drop" onclick={drop}>{ "Drop it" }</button>
                }
            </p>
            { for layers.iter().map(|layer| html! {
                <details class="layer" open=true data-layer={layer.name}>
                    <summary onmouseenter={light(layer.range.clone())} onmouseleave={unlight.clone()}>
                        <strong>{ layer.name }</strong>{ " " }{ &layer.summary }
                    </summary>
                    <dl>
                        { for layer.fields.iter().map(|field| html! {
                            <div class="field" onmouseenter={light(field.range.clone())} onmouseleave={unlight.clone()}>
                                <dt>{ field.name }</dt><dd>{ &field.value }</dd>
                            </div>
                        }) }
                    </dl>
                </details>
            }) }
            <table class="hex" aria-label="Packet bytes">
                <tbody>
                    { for rows.iter().map(|row| html! {
                        <tr>
                            <th>{ &row.offset }</th>
                            <td class="bytes">
                                { for row.hex.iter().enumerate().map(|(index, pair)| html! {
                                    <span class={classes!(is_lit(row.range.start + index).then_some("lit"))}>{ pair }</span>
                                }) }
                            </td>
                            <td class="ascii">{ &row.ascii }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
