//! The page, drawn with Yew. It only draws what the engine reports and never reaches into smoltcp.
//!
//! - [`model`]: the page's state and every action a person can take, free of browser types.
//! - [`app`]: the root component: the animation loop, the keys, the layout.
//! - [`toolbar`], [`topology`], [`ladder`], [`host_panel`] (with [`program_panel`]), [`side`] (with [`packets`],
//!   [`inspector`] and [`network_editor`]): the panels.
//! - [`scene`]: what the drawings show at one revision of the session; [`memo`]: panels drawn
//!   again only when that changed; [`envelopes`]: the packets on the wires, moved every frame.
//! - [`markup`]: SVG and rows written as text, for what redraws every frame.
//! - [`download`]: files the page offers (the capture); [`fetch`]: files it fetches (a lesson);
//!   [`bench`]: the frame-time benchmark mode.

mod app;
mod bench;
mod download;
mod envelopes;
mod fetch;
mod host_panel;
mod inspector;
mod ladder;
pub mod markup;
mod memo;
pub mod model;
mod network_editor;
mod packets;
mod program_panel;
mod scene;
mod side;
mod toolbar;
mod topology;

pub use app::App;

/// The page's allocator: talc is smaller in the wasm file than the standard dlmalloc, and faster.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use wasm_bindgen::JsCast;

/// Mounts the page on the document's body, with a banner for the case the page breaks.
pub fn mount() {
    std::panic::set_hook(Box::new(|info| show_panic_banner(&info.to_string())));
    yew::Renderer::<App>::new().render();
}

/// A Rust panic stops the page's code for good: say so plainly, with the message and a reload
/// button, instead of leaving a frozen page.
fn show_panic_banner(message: &str) {
    web_sys::console::error_1(&message.into());
    let Some(document) = web_sys::window().and_then(|window| window.document()) else { return };
    let Some(body) = document.body() else { return };
    if document.query_selector(".panic-banner").ok().flatten().is_some() {
        return;
    }
    let Ok(banner) = document.create_element("div") else { return };
    banner.set_class_name("panic-banner");
    let _ = banner.set_attribute("role", "alert");
    let text = document.create_element("p").ok();
    if let Some(text) = &text {
        text.set_text_content(Some(&format!(
            "socksim stopped because of a bug: {message}. Reload the page to start again \
             (your network and calls are lost). Please report what you did."
        )));
        let _ = banner.append_child(text);
    }
    if let Ok(button) = document.create_element("button") {
        button.set_text_content(Some("Reload"));
        let _ = button.set_attribute("onclick", "location.reload()");
        let _ = banner.append_child(&button);
    }
    if let Some(banner) = banner.dyn_ref::<web_sys::HtmlElement>() {
        let _ = body.prepend_with_node_1(banner);
    }
}
