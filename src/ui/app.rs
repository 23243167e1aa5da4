//! The page's root component: owns the [`Model`], runs the animation frame loop that moves the
//! virtual clock, listens to the presenter's keys, and lays out the panels.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::model::{Model, Msg};
use super::{bench, download, host_panel, ladder, side, toolbar, topology};
use crate::sim::pcap;

/// The animation loop's state, shared by the frame callbacks.
struct FrameLoop {
    model: Rc<RefCell<Model>>,
    redraw: Callback<()>,
    last_frame: Cell<Option<f64>>,
    /// When the current frame's work began (`performance.now()`), for the frame-time benchmark.
    frame_started: Rc<Cell<Option<f64>>>,
    handle: RefCell<Option<AnimationFrame>>,
}

impl FrameLoop {
    fn schedule(self: &Rc<Self>) {
        let this = Rc::clone(self);
        *self.handle.borrow_mut() = Some(request_animation_frame(move |timestamp| this.frame(timestamp)));
    }

    fn frame(self: &Rc<Self>, timestamp: f64) {
        let elapsed = self.last_frame.replace(Some(timestamp)).map_or(0.0, |last| timestamp - last);
        let playing = {
            let mut model = self.model.borrow_mut();
            let playing = model.playing;
            if playing {
                self.frame_started.set(now_ms());
                model.tick(elapsed);
            }
            playing
        };
        if playing {
            self.redraw.emit(());
        }
        self.schedule();
    }
}

fn now_ms() -> Option<f64> {
    Some(web_sys::window()?.performance()?.now())
}

/// Keys a presenter uses, unless they are typing in a field.
fn key_message(event: &web_sys::KeyboardEvent) -> Option<Msg> {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return None;
    }
    let target = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok());
    let tag = target.map(|element| element.tag_name()).unwrap_or_default();
    if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") {
        return None;
    }
    match event.key().as_str() {
        " " if tag != "BUTTON" => Some(Msg::TogglePlay),
        "ArrowRight" => Some(Msg::Step),
        "ArrowLeft" => Some(Msg::StepBack),
        "r" | "R" => Some(Msg::Reset),
        _ => None,
    }
}

#[component]
pub fn App() -> Html {
    let model = use_mut_ref(|| {
        let mut model = bench::requested().unwrap_or_default();
        model.reduced_motion = prefers_reduced_motion();
        model
    });
    let redraw = use_force_update();
    let frame_started = use_mut_ref(|| Rc::new(Cell::new(None::<f64>)));
    let ladder_scroll = use_node_ref();

    let send = {
        let model = Rc::clone(&model);
        let redraw = redraw.clone();
        Callback::from(move |msg: Msg| {
            model.borrow_mut().update(msg);
            redraw.force_update();
        })
    };
    let save_pcap = {
        let model = Rc::clone(&model);
        Callback::from(move |_: ()| {
            let bytes = pcap::write(model.borrow().session.network().trace());
            download::save("socksim.pcap", "application/vnd.tcpdump.pcap", &bytes);
        })
    };

    {
        let model = Rc::clone(&model);
        let redraw = redraw.clone();
        let frame_started = Rc::clone(&frame_started.borrow());
        use_effect_with((), move |_| {
            let frame_loop = Rc::new(FrameLoop {
                model,
                redraw: Callback::from(move |()| redraw.force_update()),
                last_frame: Cell::new(None),
                frame_started,
                handle: RefCell::new(None),
            });
            frame_loop.schedule();
            move || {
                frame_loop.handle.borrow_mut().take();
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with((), move |_| {
            let document = gloo_utils_document();
            let listener = document.map(|document| {
                EventListener::new_with_options(
                    &document,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                        if let Some(msg) = key_message(event) {
                            event.prevent_default();
                            send.emit(msg);
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }
    {
        // After each drawn frame: keep the ladder's newest arrows in view, and time the frame.
        let model = Rc::clone(&model);
        let ladder_scroll = ladder_scroll.clone();
        let frame_started = Rc::clone(&frame_started.borrow());
        use_effect(move || {
            if let Some(element) = ladder_scroll.cast::<web_sys::Element>() {
                if model.borrow().playing {
                    element.set_scroll_top(element.scroll_height());
                }
            }
            if let Some(started) = frame_started.take() {
                bench::record_frame(started);
            }
        });
    }

    let model = model.borrow();
    let in_flight: usize = model.session.network().links().iter().map(|link| link.in_flight().count()).sum();
    html! {
        <div id="app" class="app" data-ready="true" data-in-flight={in_flight.to_string()}
            data-playing={model.playing.to_string()}>
            { toolbar::view(&model, &send, &save_pcap) }
            { toolbar::hint(&model, &send) }
            <main class="workspace">
                <section class="stage" aria-label="Network">
                    { topology::view(&model, &send) }
                </section>
                <section class="ladder-panel" aria-label="Ladder diagram">
                    { ladder::view(&model, &send, &ladder_scroll) }
                </section>
                <section class="hosts" aria-label="Hosts">
                    { for host_panel::views(&model).into_iter().map(|view| {
                        let key = format!("{}-{}", view.id, view.name);
                        html! { <host_panel::HostPanel {key} {view} send={send.clone()} /> }
                    }) }
                </section>
                { side::view(&model, &send) }
            </main>
        </div>
    }
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|window| window.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|query| query.matches())
}

fn gloo_utils_document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}
