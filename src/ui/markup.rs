//! Markup written as text, for the two drawings that change every animation frame (the topology
//! and the ladder) and the packet list. With hundreds of packets in flight, writing their SVG as one
//! string and letting the browser parse it is both faster and far less code than building a virtual
//! DOM node per envelope; clicks and hovers reach the page through one listener on the container
//! ([`packet_at`]). Every text and attribute value goes through [`escape`].

use std::borrow::Cow;
use std::fmt::Write;

use wasm_bindgen::JsCast;
use yew::virtual_dom::{AttributeOrProperty, Attributes, Listeners, VTag};
use yew::{AttrValue, Callback, Html, MouseEvent, NodeRef};

use super::model::Msg;
use crate::decimal::Rounded;
use crate::sim::PacketId;

/// Text made safe to put between tags or inside a quoted attribute.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['<', '>', '&', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A `<text>` element at a point, with a class and escaped content.
pub fn text(out: &mut String, class: &str, x: f64, y: f64, content: &str) {
    let _ = write!(
        out,
        r#"<text class="{class}" x="{x_1}" y="{y_1}">{}</text>"#,
        escape(content),
        x_1 = Rounded(x, 1),
        y_1 = Rounded(y, 1)
    );
}

/// An `<option>` of a `<select>`, its value and label escaped. A select's options are written as
/// markup: when they change they are made anew, the one `selected` chosen.
pub fn option(out: &mut String, value: &str, selected: bool, label: &str) {
    let selected = if selected { " selected" } else { "" };
    let _ = write!(out, r#"<option value="{}"{selected}>{}</option>"#, escape(value), escape(label));
}

/// Markup this module wrote, as a node of the page.
pub fn into_html(markup: String) -> Html {
    Html::from_html_unchecked(AttrValue::from(markup))
}

/// An element of the page whose attributes are worked out at run time (`None` leaves one out),
/// around children drawn by Yew. `html!` would make a `Classes` set of a class worked out at run
/// time, an ordered set with hashing: this spares the page that code.
///
/// The element is made as `html!` makes one (`VTag::__new_other`): `VTag::new` would first look
/// whether it is an `<input>` or a `<textarea>`, which it never is here.
pub fn element(name: &'static str, keys: &'static [&'static str], values: Vec<Option<String>>, children: Html) -> Html {
    let values = values.into_iter().map(|value| value.map(|value| AttributeOrProperty::Attribute(value.into())));
    let attributes = Attributes::Dynamic { keys, values: values.collect() };
    VTag::__new_other(name.into(), NodeRef::default(), None, attributes, Listeners::None, children).into()
}

/// Markup that never changes, as a node of the page: one string instead of the code that would
/// build its elements one by one. Its elements stay as they are from one drawing to the next.
///
/// Yew parses markup text inside a `<div>`: parts of a table (`<thead>`, `<tr>`, `<td>`…) that are
/// not in a whole `<table>` are dropped there, so they are never written this way (the same holds
/// for [`into_html`]).
pub fn fixed(markup: &'static str) -> Html {
    Html::from_html_unchecked(AttrValue::Static(markup))
}

/// The packet an event happened on (the nearest element with a `data-packet`), and that element's
/// `class`, which says which drawing it belongs to.
pub fn packet_at(event: &web_sys::Event) -> Option<(PacketId, String)> {
    let element = closest(event, "[data-packet]")?;
    let id = element.get_attribute("data-packet")?.parse().ok()?;
    Some((id, element.get_attribute("class").unwrap_or_default()))
}

/// The element an event happened on, or its nearest ancestor, that matches `selector`: one
/// listener on a panel stands for a listener on each of its buttons.
pub fn closest(event: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    event.target()?.dyn_into::<web_sys::Element>().ok()?.closest(selector).ok()?
}

/// The value of an attribute of the element an event happened on, or of its nearest ancestor
/// with that attribute (`data-action`, say).
pub fn attribute_at(event: &web_sys::Event, name: &str) -> Option<String> {
    closest(event, &format!("[{name}]"))?.get_attribute(name)
}

/// The value of the field (an `<input>` or a `<select>`) an event happened on, or `""`.
pub fn value_at(event: &web_sys::Event) -> String {
    let target = event.target();
    let input = target.clone().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok());
    let select = || target.and_then(|target| target.dyn_into::<web_sys::HtmlSelectElement>().ok());
    input.map(|input| input.value()).or_else(|| select().map(|select| select.value())).unwrap_or_default()
}

/// A whole number written in the page (an attribute, a field, the address): parsed as a `u64`,
/// which the lesson reader parses too, so that `usize` needs no parser of its own.
pub fn index(text: &str) -> Option<usize> {
    text.parse::<u64>().ok().and_then(|number| usize::try_from(number).ok())
}

/// Whether an event happened inside an element matching `selector`.
pub fn within(event: &web_sys::Event, selector: &str) -> bool {
    closest(event, selector).is_some()
}

/// A class attribute: `base`, then each name whose flag is on (`"arrow kind-syn hover"`).
pub fn class_list(base: String, flags: &[(bool, &str)]) -> String {
    flags.iter().filter(|(on, _)| *on).fold(base, |class, (_, name)| class + " " + name)
}

/// Pressing on a packet of a drawing selects it; pressing elsewhere clears the selection.
pub fn selecting(send: &Callback<Msg>) -> Callback<MouseEvent> {
    on_packet(send, Msg::Select)
}

/// The pointer over a packet of a drawing lights it in every panel.
pub fn hovering(send: &Callback<Msg>) -> Callback<MouseEvent> {
    on_packet(send, Msg::Hover)
}

/// Sends `msg` of the packet an event happened on, if any (one listener's code for both).
fn on_packet(send: &Callback<Msg>, msg: fn(Option<PacketId>) -> Msg) -> Callback<MouseEvent> {
    send.reform(move |event: MouseEvent| msg(packet_at(&event).map(|(id, _)| id)))
}
