//! The page's root: owns the [`Model`], runs the animation frame loop that moves the
//! virtual clock, listens to the presenter's keys, and lays out the panels. Each panel is drawn
//! again only when what it shows changed ([`Panel`]); after each render, what moves with the clock
//! (envelopes, bursts, the ladder's "now") is placed directly.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::embed::{self, Embedding, Settings};
use super::envelopes::{Envelopes, Layers};
use super::kept::Slot;
use super::markup::element;
use super::memo::{memo, Memo, MemoProps, Panel, Part};
use super::model::{Model, ModelHandle, Msg};
use super::scene::Scene;
use super::toolbar::Files;
use super::topology::{LayerRefs, Shape};
use super::{bench, download, host_panel, ladder, share, side, toolbar, topology};
use crate::sim::pcap;

/// What the page keeps from one drawing to the next, made once: its settings, its model, the
/// parts drawn outside Yew, and the callbacks its parts are given (a part given the same callback
/// as last frame is not drawn again for it).
struct Page {
    settings: Settings,
    model: Rc<RefCell<Model>>,
    embedding: Rc<Embedding>,
    /// When the current frame began (its `requestAnimationFrame` timestamp), for the frame-time
    /// benchmark.
    frame_started: Cell<Option<f64>>,
    scene: RefCell<Rc<Scene>>,
    /// Measured at the start of each frame, while the layout is still clean.
    envelopes: Rc<RefCell<Envelopes>>,
    layers: LayerRefs,
    ladder_scroll: NodeRef,
    /// The ladder's panel, measured at the start of each frame, and where [`ladder::follow`] last
    /// scrolled it.
    ladder_viewport: Cell<ladder::Viewport>,
    ladder_followed: Cell<Option<i32>>,
    /// The question the run stopped for when the page was last drawn.
    asked: Cell<Option<usize>>,
    /// Whether what runs as long as the page has been started (see [`start`]).
    started: Cell<bool>,
    redraw: Callback<()>,
    send: Callback<Msg>,
    files: Files,
}

impl Page {
    fn new(redraw: Callback<()>) -> Page {
        let settings = Settings::from_address();
        let mut model = bench::requested().unwrap_or_default();
        model.reduced_motion = prefers_reduced_motion();
        model.speed = settings.speed.unwrap_or(model.speed);
        // Nobody could answer a question without the Lesson tab.
        model.asks_predictions = settings.panels.side;
        let model = Rc::new(RefCell::new(model));
        let send = {
            let (model, redraw) = (Rc::clone(&model), redraw.clone());
            Callback::from(move |msg: Msg| {
                model.borrow_mut().update(msg);
                redraw.emit(());
            })
        };
        let ladder_scroll = NodeRef::default();
        let pcap = {
            let model = Rc::clone(&model);
            Callback::from(move |_: ()| {
                let bytes = pcap::write(model.borrow().session.network().trace());
                download::save("socksim.pcap", "application/vnd.tcpdump.pcap", &bytes);
            })
        };
        let ladder = {
            let (model, ladder_scroll) = (Rc::clone(&model), ladder_scroll.clone());
            Callback::from(move |_: ()| {
                let model = model.borrow();
                let names: Vec<String> =
                    model.session.network().hosts().iter().map(|host| host.name().to_string()).collect();
                if let Some(svg) =
                    ladder_scroll.cast::<web_sys::Element>().and_then(|drawn| ladder::standalone(&drawn, &names))
                {
                    download::save("ladder.svg", "image/svg+xml", svg.as_bytes());
                }
            })
        };
        let link = {
            let (model, send) = (Rc::clone(&model), send.clone());
            Callback::from(move |_: ()| share::copy(&model.borrow(), send.clone()))
        };
        let scene = RefCell::new(Rc::new(Scene::of(&model.borrow())));
        Page {
            embedding: Rc::new(Embedding::new(&settings)),
            settings,
            frame_started: Cell::new(None),
            scene,
            model,
            envelopes: Rc::default(),
            layers: LayerRefs::default(),
            ladder_scroll,
            ladder_viewport: Cell::default(),
            ladder_followed: Cell::new(None),
            asked: Cell::new(None),
            started: Cell::new(false),
            redraw,
            send,
            files: Files { pcap, ladder, link },
        }
    }
}

/// The animation loop's state, shared by the frame callbacks.
struct FrameLoop {
    page: Rc<Page>,
    last_frame: Cell<Option<f64>>,
    handle: RefCell<Option<AnimationFrame>>,
}

impl FrameLoop {
    fn schedule(self: &Rc<Self>) {
        let this = Rc::clone(self);
        *self.handle.borrow_mut() = Some(request_animation_frame(move |timestamp| this.frame(timestamp)));
    }

    fn frame(self: &Rc<Self>, timestamp: f64) {
        let page = &self.page;
        let elapsed = self.last_frame.replace(Some(timestamp)).map_or(0.0, |last| timestamp - last);
        let size = page.layers.crowd.cast().map(|canvas| page.envelopes.borrow_mut().measure(&canvas));
        let ladder_width = page.ladder_scroll.cast::<web_sys::Element>().map(|scroll| {
            let viewport = ladder::Viewport::of(&scroll);
            page.ladder_viewport.set(viewport);
            ladder::width_for(viewport.width, page.settings.embed)
        });
        let redraw = {
            let mut model = page.model.borrow_mut();
            // The panels changed shape enough to lay the topology out again, or the ladder.
            let reshaped = size.map(Shape::of_panel).filter(|&shape| shape != model.shape);
            if let Some(shape) = reshaped {
                model.shape = shape;
            }
            let widened = ladder_width.filter(|&width| width != model.ladder_width);
            if let Some(width) = widened {
                model.ladder_width = width;
            }
            // A frame that stops the run (at a question, or the lesson's end) draws that too.
            let playing = model.playing;
            if playing {
                page.frame_started.set(Some(timestamp));
                model.tick(elapsed);
                bench::keep_busy(&mut model);
            }
            playing || reshaped.is_some() || widened.is_some()
        };
        if redraw {
            page.redraw.emit(());
        }
        self.schedule();
    }
}

/// Starts what runs as long as the page: opens a shared link's session, the animation loop, the
/// presenter's keys and the embedding page's commands.
fn start(page: &Rc<Page>) {
    // A page opened from a shared link opens its session.
    share::open_from_address(page.send.clone());
    let frame_loop =
        Rc::new(FrameLoop { page: Rc::clone(page), last_frame: Cell::new(None), handle: RefCell::new(None) });
    frame_loop.schedule();
    // The listeners are never removed: the page is never taken down.
    let send = page.send.clone();
    if let Some(document) = gloo_utils_document() {
        let options = EventListenerOptions::enable_prevent_default();
        EventListener::new_with_options(&document, "keydown", options, move |event| {
            let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            if let Some(msg) = key_message(event) {
                event.prevent_default();
                send.emit(msg);
            }
        })
        .forget();
    }
    if let Some(commands) = page.embedding.start(&page.settings, &page.model, &page.send, &page.redraw) {
        commands.forget();
    }
}

/// After each drawn frame: moves what moves with the clock, and times the frame; tells an
/// embedding page what happened.
fn after_frame(page: &Page) {
    let (model, scene) = (page.model.borrow(), page.scene.borrow());
    let layers = &page.layers;
    let drawn_on = (layers.labelled.cast(), layers.crowd.cast(), layers.bursts.cast());
    if let (Some(labelled), Some(crowd), Some(bursts)) = drawn_on {
        page.envelopes.borrow_mut().draw(&model, &scene.layout, &Layers { labelled, crowd, bursts });
    }
    if let Some(scroll) = page.ladder_scroll.cast::<web_sys::Element>() {
        let now = model.session.now().total_micros();
        let viewport = page.ladder_viewport.get();
        ladder::follow(&scene.ladder, now, &scroll, viewport, model.ladder_width, &page.ladder_followed);
    }
    if let Some(started) = page.frame_started.take() {
        bench::record_frame(started);
    }
    page.embedding.report(&model);
    // A question the run stopped for is scrolled into view in the Lesson tab.
    if page.asked.replace(model.asking) != model.asking && model.asking.is_some() {
        if let Some(question) = gloo_utils_document().and_then(|document| document.query_selector("li.asking").ok()?) {
            question.scroll_into_view_with_bool(false);
        }
    }
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

/// The page: a [`Memo`] whose part is the [`Root`], which is what its properties are by default.
pub type App = Memo;

impl Default for MemoProps {
    fn default() -> MemoProps {
        MemoProps::new(Rc::new(Root))
    }
}

/// The whole page, the part of the root [`Memo`].
struct Root;

impl Root {
    /// The page's state, made when it is first drawn.
    fn page(slot: &Slot) -> Rc<Page> {
        let page = slot.kept(|| Rc::new(Page::new(slot.redraw())));
        let page = Rc::clone(&page.get());
        page
    }
}

impl Part for Root {
    fn draw(&self, slot: &Slot) -> Html {
        view(&Root::page(slot))
    }

    /// The root is given no properties: only its own state draws it again.
    fn same(&self, _: &dyn Part) -> bool {
        true
    }

    fn drawn(&self, slot: &Slot) {
        let page = Root::page(slot);
        if !page.started.replace(true) {
            start(&page);
        }
        after_frame(&page);
    }
}

fn view(page: &Rc<Page>) -> Html {
    let model_ref = page.model.borrow();
    let shown = model_ref.shown();
    if page.scene.borrow().made_at != shown.scene {
        *page.scene.borrow_mut() = Rc::new(Scene::of(&model_ref));
    }
    let in_flight: usize = model_ref.session.network().links().iter().map(|link| link.in_flight().count()).sum();
    // Each panel below is drawn again only when `shown` changes, not on every frame.
    let panel = |draw: Box<dyn Fn() -> Html>| memo(None, Rc::new(Panel { shown, draw }));
    let scene = Rc::clone(&page.scene.borrow());
    let topology = {
        let (page, scene) = (Rc::clone(page), Rc::clone(&scene));
        panel(Box::new(move || topology::view(&scene, &page.send, &page.layers, &page.envelopes)))
    };
    let ladder = {
        let (page, scene) = (Rc::clone(page), Rc::clone(&scene));
        panel(Box::new(move || ladder::view(&page.model.borrow(), &scene.ladder, &page.send, &page.ladder_scroll)))
    };
    let hosts = {
        let (page, scene) = (Rc::clone(page), Rc::clone(&scene));
        panel(Box::new(move || {
            let views = host_panel::views(&page.model.borrow(), &scene.snapshot);
            views
                .into_iter()
                .map(|view| {
                    let key = format!("{}-{}", view.caller.id, view.caller.name);
                    memo(Some(key.into()), Rc::new(host_panel::HostPanel { view, send: page.send.clone() }))
                })
                .collect::<Html>()
        }))
    };
    let side = {
        let page = Rc::clone(page);
        let model = ModelHandle(Rc::clone(&page.model));
        panel(Box::new(move || side::view(&model, &page.send)))
    };
    let settings = &page.settings;
    let panels = settings.panels;
    let workspace = element(
        "main",
        &["class"],
        vec![Some(format!("workspace panels-{}", panels.count()))],
        html! {
            <>
                if panels.topology {
                    <section class="stage" aria-label="Network">{ topology }</section>
                }
                if panels.ladder {
                    <section class="ladder-panel" aria-label="Ladder diagram">{ ladder }</section>
                }
                if panels.hosts {
                    <section class="hosts" aria-label="Hosts">{ hosts }</section>
                }
                if panels.side {
                    { side }
                }
            </>
        },
    );
    element(
        "div",
        &["id", "class", "data-ready", "data-in-flight", "data-playing"],
        vec![
            Some("app".into()),
            Some(if settings.embed { "app embed" } else { "app" }.into()),
            Some("true".into()),
            Some(in_flight.to_string()),
            Some(model_ref.playing.to_string()),
        ],
        html! {
            <>
                if settings.embed {
                    { embed::controls(&model_ref, &page.send) }
                } else {
                    { toolbar::view(&model_ref, &page.send, &page.files) }
                    { toolbar::hint(&model_ref, &page.send) }
                }
                { workspace }
            </>
        },
    )
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|window| window.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|query| query.matches())
}

fn gloo_utils_document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}
