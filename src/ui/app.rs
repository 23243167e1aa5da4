//! The page's root component: owns the [`Model`], runs the animation frame loop that moves the
//! virtual clock, listens to the presenter's keys, and lays out the panels. Each panel is drawn
//! again only when what it shows changed ([`Memo`]); after each render, what moves with the clock
//! (envelopes, bursts, the ladder's "now") is placed directly.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::embed::{self, Embedding, Settings};
use super::envelopes::{Envelopes, Layers};
use super::memo::Memo;
use super::model::{Model, ModelHandle, Msg};
use super::scene::Scene;
use super::toolbar::Files;
use super::topology::LayerRefs;
use super::{bench, download, host_panel, ladder, share, side, toolbar, topology};
use crate::sim::pcap;

/// The animation loop's state, shared by the frame callbacks.
struct FrameLoop {
    model: Rc<RefCell<Model>>,
    redraw: Callback<()>,
    last_frame: Cell<Option<f64>>,
    /// When the current frame began (its `requestAnimationFrame` timestamp), for the frame-time
    /// benchmark.
    frame_started: Rc<Cell<Option<f64>>>,
    /// Measured at the start of each frame, while the layout is still clean.
    envelopes: Rc<RefCell<Envelopes>>,
    layers: Rc<LayerRefs>,
    handle: RefCell<Option<AnimationFrame>>,
}

impl FrameLoop {
    fn schedule(self: &Rc<Self>) {
        let this = Rc::clone(self);
        *self.handle.borrow_mut() = Some(request_animation_frame(move |timestamp| this.frame(timestamp)));
    }

    fn frame(self: &Rc<Self>, timestamp: f64) {
        let elapsed = self.last_frame.replace(Some(timestamp)).map_or(0.0, |last| timestamp - last);
        if let Some(canvas) = self.layers.crowd.cast() {
            self.envelopes.borrow_mut().measure(&canvas);
        }
        let playing = {
            let mut model = self.model.borrow_mut();
            let playing = model.playing;
            if playing {
                self.frame_started.set(Some(timestamp));
                model.tick(elapsed);
                bench::keep_busy(&mut model);
            }
            playing
        };
        if playing {
            self.redraw.emit(());
        }
        self.schedule();
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

#[component]
pub fn App() -> Html {
    let settings = use_memo((), |()| Settings::from_address());
    let model = use_mut_ref(|| {
        let mut model = bench::requested().unwrap_or_default();
        model.reduced_motion = prefers_reduced_motion();
        model.speed = settings.speed.unwrap_or(model.speed);
        // Nobody could answer a question without the Lesson tab.
        model.asks_predictions = settings.panels.side;
        model
    });
    let embedding = use_memo((), |()| Rc::new(Embedding::new(&settings)));
    let redraw = use_force_update();
    let frame_started = use_mut_ref(|| Rc::new(Cell::new(None::<f64>)));
    let scene = use_mut_ref(|| Rc::new(Scene::of(&model.borrow())));
    let envelopes = use_mut_ref(Envelopes::default);
    let layers = use_memo((), |()| LayerRefs::default());
    let ladder_scroll = use_node_ref();

    // Made once: a part given the same callback as last frame is not drawn again for it.
    let send = (*use_memo((), {
        let model = Rc::clone(&model);
        let redraw = redraw.clone();
        move |()| {
            Callback::from(move |msg: Msg| {
                model.borrow_mut().update(msg);
                redraw.force_update();
            })
        }
    }))
    .clone();
    let save_pcap = (*use_memo((), {
        let model = Rc::clone(&model);
        move |()| {
            Callback::from(move |_: ()| {
                let bytes = pcap::write(model.borrow().session.network().trace());
                download::save("socksim.pcap", "application/vnd.tcpdump.pcap", &bytes);
            })
        }
    }))
    .clone();
    let save_ladder = (*use_memo((), {
        let (model, ladder_scroll) = (Rc::clone(&model), ladder_scroll.clone());
        move |()| {
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
        }
    }))
    .clone();
    let copy_link = (*use_memo((), {
        let (model, send) = (Rc::clone(&model), send.clone());
        move |()| Callback::from(move |_: ()| share::copy(&model.borrow(), send.clone()))
    }))
    .clone();
    {
        // A page opened from a shared link opens its session.
        let send = send.clone();
        use_effect_with((), move |_| share::open_from_address(send));
    }

    {
        let model = Rc::clone(&model);
        let redraw = redraw.clone();
        let frame_started = Rc::clone(&frame_started.borrow());
        let (envelopes, layers) = (Rc::clone(&envelopes), Rc::clone(&layers));
        use_effect_with((), move |_| {
            let frame_loop = Rc::new(FrameLoop {
                model,
                redraw: Callback::from(move |()| redraw.force_update()),
                last_frame: Cell::new(None),
                frame_started,
                envelopes,
                layers,
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
        let (settings, embedding, model, send) =
            (Rc::clone(&settings), Rc::clone(&embedding), Rc::clone(&model), send.clone());
        let redraw = redraw.clone();
        use_effect_with((), move |_| {
            let listener = embedding.start(&settings, &model, &send, &Callback::from(move |()| redraw.force_update()));
            move || drop(listener)
        });
    }
    {
        // After each drawn frame: move what moves with the clock, and time the frame; tell an
        // embedding page what happened.
        let embedding = Rc::clone(&embedding);
        let (model, scene, envelopes) = (Rc::clone(&model), Rc::clone(&scene), Rc::clone(&envelopes));
        let (layers, ladder_scroll) = (Rc::clone(&layers), ladder_scroll.clone());
        let frame_started = Rc::clone(&frame_started.borrow());
        use_effect(move || {
            let (model, scene) = (model.borrow(), scene.borrow());
            let drawn_on = (layers.labelled.cast(), layers.crowd.cast(), layers.bursts.cast());
            if let (Some(labelled), Some(crowd), Some(bursts)) = drawn_on {
                envelopes.borrow_mut().draw(&model, &scene.layout, &Layers { labelled, crowd, bursts });
            }
            if let Some(scroll) = ladder_scroll.cast::<web_sys::Element>() {
                ladder::follow(&scene.ladder, model.session.now().total_micros(), &scroll);
            }
            if let Some(started) = frame_started.take() {
                bench::record_frame(started);
            }
            embedding.report(&model);
        });
    }

    {
        // A question the run stopped for is scrolled into view in the Lesson tab.
        let asking = model.borrow().asking;
        use_effect_with(asking, move |asking| {
            let question = asking.and_then(|_| gloo_utils_document()?.query_selector("li.asking").ok().flatten());
            if let Some(question) = question {
                question.scroll_into_view_with_bool(false);
            }
        });
    }

    let model_ref = model.borrow();
    let shown = model_ref.shown();
    if scene.borrow().made_at != shown.scene {
        *scene.borrow_mut() = Rc::new(Scene::of(&model_ref));
    }
    let in_flight: usize = model_ref.session.network().links().iter().map(|link| link.in_flight().count()).sum();
    // Each panel below is drawn again only when `shown` changes, not on every frame.
    let panel = |draw: Rc<dyn Fn() -> Html>| html! { <Memo {shown} {draw} /> };
    let scene = Rc::clone(&scene.borrow());
    let topology = {
        let (scene, send, envelopes) = (Rc::clone(&scene), send.clone(), Rc::clone(&envelopes));
        panel(Rc::new(move || topology::view(&scene, &send, &layers, &envelopes)))
    };
    let ladder = {
        let (model, scene, send) = (Rc::clone(&model), Rc::clone(&scene), send.clone());
        panel(Rc::new(move || ladder::view(&model.borrow(), &scene.ladder, &send, &ladder_scroll)))
    };
    let hosts = {
        let (model, scene, send) = (Rc::clone(&model), Rc::clone(&scene), send.clone());
        panel(Rc::new(move || {
            let views = host_panel::views(&model.borrow(), &scene.snapshot);
            views
                .into_iter()
                .map(|view| {
                    let key = format!("{}-{}", view.caller.id, view.caller.name);
                    html! { <host_panel::HostPanel {key} {view} send={send.clone()} /> }
                })
                .collect::<Html>()
        }))
    };
    let side = {
        let (model, send) = (Rc::clone(&model), send.clone());
        let model = ModelHandle(model);
        panel(Rc::new(move || side::view(&model, &send)))
    };
    let panels = settings.panels;
    let workspace = html! {
        <main class={classes!("workspace", format!("panels-{}", panels.count()))}>
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
        </main>
    };
    html! {
        <div id="app" class={classes!("app", settings.embed.then_some("embed"))} data-ready="true"
            data-in-flight={in_flight.to_string()} data-playing={model_ref.playing.to_string()}>
            if settings.embed {
                { embed::controls(&model_ref, &send) }
            } else {
                { toolbar::view(&model_ref, &send, &Files { pcap: save_pcap.clone(), ladder: save_ladder.clone(), link: copy_link.clone() }) }
                { toolbar::hint(&model_ref, &send) }
            }
            { workspace }
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
