//! The page, drawn with Yew. It only draws what the engine reports and never reaches into smoltcp.
//!
//! - [`model`]: the page's state and every action a person can take, free of browser types.
//! - [`app`]: the page's root: the animation loop, the keys, the layout.
//! - [`toolbar`], [`topology`], [`ladder`], [`host_panel`] (with [`program_panel`]), [`side`] (with [`packets`],
//!   [`inspector`] and [`network_editor`]): the panels.
//! - [`scene`]: what the drawings show at one revision of the session; [`memo`]: the page's one
//!   component, in which each part (the page, a panel, a host's panel…) is drawn again only when
//!   what it is drawn from changed, with its state in a [`kept`] slot; [`envelopes`]: the packets
//!   on the wires, moved every frame.
//! - [`markup`]: SVG and rows written as text, for what redraws every frame.
//! - [`share`]: links that carry a whole session.
//! - [`download`]: files the page offers (the capture); [`fetch`]: files it fetches (a lesson);
//!   [`bench`]: the frame-time benchmark mode.
//! - [`embed`]: the page in an iframe (a slide deck's): URL parameters and the postMessage protocol.

mod app;
mod bench;
mod download;
mod embed;
mod envelopes;
mod fetch;
mod host_panel;
mod inspector;
mod kept;
mod ladder;
pub mod markup;
mod memo;
pub mod model;
mod network_editor;
mod packets;
mod program_panel;
mod scene;
mod share;
mod side;
mod toolbar;
mod topology;

pub use app::App;

/// The page's allocator: talc is smaller in the wasm file than the standard dlmalloc, and faster.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Mounts the page on the document's body. A panic aborts at once (the page's wasm is built with
/// -Cpanic=immediate-abort): index.html shows the banner for it.
pub fn mount() {
    yew::Renderer::<App>::new().render();
}
