//! The page in an iframe, for slide decks: the URL parameters that choose what the page shows and
//! how it starts (`?embed&panels=topology,ladder&lesson=04-uppercase-udp&autoplay&speed=2`), the
//! compact control strip that stands in for the toolbar, and the postMessage protocol by which the
//! embedding page drives the simulator and hears what happens in it (README, "Embedding in
//! slides", is the protocol's reference).
//!
//! What comes in (the address, the messages) is untrusted: a value the page does not know is
//! ignored with a console warning, a malformed command is answered with an `error` event, and
//! nothing panics. Events go to `window.parent` with the target origin `"*"`: the page holds
//! nothing secret, and a deck on any origin may embed it.

use std::cell::{Cell, RefCell};
use std::fmt::Write;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, UrlSearchParams, Window};
use yew::prelude::*;

use super::fetch;
use super::markup::{attribute_at, escape, fixed, index, into_html};
use super::model::{Model, Msg, SPEEDS};
use super::toolbar::{play_button, time_label};
use crate::scenario::lesson::Quoted;
use crate::scenario::{library, Lesson};
use crate::sim::{Fate, Instant, PacketId, PacketKind, PacketRecord};

/// The protocol's version: every command and event carries `"socksim": 1`.
const PROTOCOL: f64 = 1.0;

/// How often a `state` event is sent while the clock runs, at most (wall milliseconds apart).
const STATE_EVERY_MS: f64 = 250.0;

/// The furthest a `seek` may go in free play (a lesson stops at its duration), in seconds.
const FREE_PLAY_SEEK_LIMIT_S: f64 = 600.0;

/// The panels an embedded page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panels {
    pub topology: bool,
    pub ladder: bool,
    pub hosts: bool,
    pub side: bool,
}

impl Panels {
    /// Without `panels=`: the network and its ladder, or in a frame too small for two drawings to
    /// be read (narrower than [`TWO_DRAWINGS_PX`]), the ladder alone.
    const DEFAULT: Panels = Panels { topology: true, ladder: true, hosts: false, side: false };
    const SMALL_DEFAULT: Panels = Panels { topology: false, ladder: true, hosts: false, side: false };
    const NONE: Panels = Panels { topology: false, ladder: false, hosts: false, side: false };

    pub fn count(self) -> usize {
        [self.topology, self.ladder, self.hosts, self.side].into_iter().filter(|&shown| shown).count()
    }

    /// `topology,ladder,hosts,side` (any of them, in any order); unknown names are warned about.
    fn parse(list: &str) -> Panels {
        let mut panels = Panels::NONE;
        for name in list.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            match name {
                "topology" => panels.topology = true,
                "ladder" => panels.ladder = true,
                "hosts" => panels.hosts = true,
                "side" => panels.side = true,
                _ => warn(&format!("panels: {} is not a panel (topology, ladder, hosts, side); ignored", Quoted(name))),
            }
        }
        if panels.count() == 0 {
            warn("panels: no panel named, so the topology and the ladder are shown");
            return Panels::DEFAULT;
        }
        panels
    }
}

/// What the page's address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `embed`: the control strip instead of the toolbar and menus, and only [`Settings::panels`].
    pub embed: bool,
    pub panels: Panels,
    /// `autoplay`: play from the start (a lesson opens paused otherwise).
    pub autoplay: bool,
    /// `speed=0..4`: an index into [`SPEEDS`].
    pub speed: Option<usize>,
    /// `lesson=ID`: a built-in lesson to open.
    pub lesson: Option<&'static str>,
}

impl Settings {
    /// Reads the page's address. What is not understood is ignored with a console warning.
    pub fn from_address() -> Settings {
        let search = web_sys::window().and_then(|window| window.location().search().ok()).unwrap_or_default();
        let params = UrlSearchParams::new_with_str(&search).ok();
        let get = |name: &str| params.as_ref().and_then(|params| params.get(name));
        let embed = switch("embed", get("embed"));
        let panels = match get("panels") {
            Some(list) if embed => Panels::parse(&list),
            Some(_) => {
                warn("panels: only an embedded page (?embed) chooses its panels; ignored");
                Panels { topology: true, ladder: true, hosts: true, side: true }
            }
            None if embed && frame_width() < TWO_DRAWINGS_PX => Panels::SMALL_DEFAULT,
            None if embed => Panels::DEFAULT,
            None => Panels { topology: true, ladder: true, hosts: true, side: true },
        };
        let speed = get("speed").and_then(|value| {
            let speed = index(&value).filter(|&speed| speed < SPEEDS.len());
            if speed.is_none() {
                warn(&format!("speed: {} is not a speed (0 to {}); ignored", Quoted(&value), SPEEDS.len() - 1));
            }
            speed
        });
        let lesson = get("lesson").and_then(|id| {
            let found = library::find(&id).map(|lesson| lesson.id);
            if found.is_none() {
                warn(&format!("lesson: there is no built-in lesson {}; ignored", Quoted(&id)));
            }
            found
        });
        Settings { embed, panels, autoplay: switch("autoplay", get("autoplay")), speed, lesson }
    }
}

/// The narrowest frame whose two drawings side by side still read: below it, each would be
/// scaled to less than about half its size.
const TWO_DRAWINGS_PX: f64 = 720.0;

fn frame_width() -> f64 {
    web_sys::window().and_then(|window| window.inner_width().ok()).and_then(|width| width.as_f64()).unwrap_or(f64::MAX)
}

/// A parameter that is on when present (`?autoplay`, `?autoplay=1`), off when absent or `=0`.
fn switch(name: &str, value: Option<String>) -> bool {
    match value.as_deref() {
        None | Some("0" | "false" | "no" | "off") => false,
        Some("" | "1" | "true" | "yes" | "on") => true,
        Some(other) => {
            warn(&format!("{name}: {} is neither on nor off; ignored", Quoted(other)));
            false
        }
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&format!("socksim: {message}").into());
}

/// The control strip of an embedded page: back, play/pause, step, the clock and the lesson's title
/// (or a notice), and a link that opens the full page.
pub fn controls(model: &Model, send: &Callback<Msg>) -> Html {
    // One listener for the buttons, which say what they do in `data-action`.
    let onclick = {
        let send = send.clone();
        Callback::from(move |event: MouseEvent| match attribute_at(&event, "data-action").as_deref() {
            Some("step-back") => send.emit(Msg::StepBack),
            Some("play") => send.emit(Msg::TogglePlay),
            Some("step") => send.emit(Msg::Step),
            _ => {}
        })
    };
    // The notice or the title, then the link to the full page.
    let mut rest = match &model.notice {
        Some(notice) => format!(r#"<span class="notice" role="status">{}</span>"#, escape(notice)),
        None => format!(r#"<span class="title">{}</span>"#, escape(&model.session.lesson().title)),
    };
    let _ = write!(
        rest,
        r#"<a class="full-page" href="?{}{}" target="_blank" rel="noopener" title="Open the full simulator">socksim ↗</a>"#,
        if model.lesson_id.is_some() { "lesson=" } else { "" },
        model.lesson_id.unwrap_or_default()
    );
    html! {
        <header class="embed-bar" {onclick}>
            <div class="transport" role="group" aria-label="Time">
                { fixed(r#"<button data-action="step-back" title="Back to the previous packet event (←)" aria-label="Step back">◂</button>"#) }
                { play_button(model.playing) }
                { fixed(r#"<button data-action="step" title="On to the next packet event (→)" aria-label="Step">▸</button>"#) }
            </div>
            <output id="clock" class="clock">{ time_label(model.session.now().total_micros()) }</output>
            { into_html(rest) }
        </header>
    }
}

/// A command an embedding page sent, checked.
#[derive(Debug)]
enum Command {
    Play,
    Pause,
    Step,
    StepBack,
    /// A time in microseconds.
    Seek(i64),
    Reset,
    Speed(usize),
    LoadLesson(&'static str),
    LoadScenario(Box<Lesson>),
    DropNext {
        link: usize,
        from: Option<usize>,
        kind: Option<PacketKind>,
    },
}

/// The embedding page's side of the page: where events go, and what it has been told so far.
pub struct Embedding {
    /// The embedding page (`window.parent`), or `None` when the page is not in a frame.
    parent: Option<Window>,
    /// A lesson is being fetched (asked for by the address or by `load`): `ready` waits for it.
    loading: Cell<bool>,
    told: RefCell<Told>,
}

/// What the embedding page has been told.
#[derive(Default)]
struct Told {
    /// The session (how many the page opened before it, and its rebuilds) the rest is about.
    session: Option<(u64, u64)>,
    /// The first packet whose sending has not been told.
    next_packet: PacketId,
    /// Packets told as sent whose fate has not been told.
    in_flight: Vec<PacketId>,
    /// Which checkpoints' verdicts have been told.
    checkpoints: Vec<bool>,
    /// The last `state` told (time in µs, playing, speed) and when (wall ms).
    state: Option<(i64, bool, usize)>,
    state_told_at: f64,
}

impl Told {
    /// Takes what has happened so far as told, without telling it: after a rewind it was told
    /// already, the first time it happened.
    fn catch_up(&mut self, model: &Model) {
        let trace = model.session.network().trace();
        self.next_packet = trace.records().next_back().map_or(0, |record| record.id + 1);
        self.in_flight =
            trace.records().filter(|record| record.fate == Fate::InFlight).map(|record| record.id).collect();
        self.checkpoints = model.session.player().results().iter().map(Option::is_some).collect();
    }
}

impl Embedding {
    pub fn new(settings: &Settings) -> Embedding {
        let window = web_sys::window();
        let parent = window.as_ref().and_then(|window| {
            let parent = window.parent().ok().flatten()?;
            (!Object::is(&parent, window)).then_some(parent)
        });
        Embedding { parent, loading: Cell::new(settings.lesson.is_some()), told: RefCell::default() }
    }

    /// Starts the page as its address asks: opens the lesson (then plays, with `autoplay`), and
    /// listens for commands. The listener lives as long as what is returned.
    pub fn start(
        self: &Rc<Self>,
        settings: &Settings,
        model: &Rc<RefCell<Model>>,
        send: &Callback<Msg>,
        redraw: &Callback<()>,
    ) -> Option<EventListener> {
        let autoplay = settings.autoplay;
        match settings.lesson {
            Some(id) => self.load(id, send, autoplay),
            None if autoplay && !model.borrow().playing => send.emit(Msg::TogglePlay),
            None => {}
        }
        let window = web_sys::window()?;
        let (this, model, send, redraw) = (Rc::clone(self), Rc::clone(model), send.clone(), redraw.clone());
        Some(EventListener::new(&window, "message", move |event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else { return };
            this.receive(event, &model, &send, &redraw);
        }))
    }

    fn receive(
        self: &Rc<Self>,
        event: &MessageEvent,
        model: &Rc<RefCell<Model>>,
        send: &Callback<Msg>,
        redraw: &Callback<()>,
    ) {
        // The sender's window is another realm's (`instanceof Window` is false there), so it is
        // not checked: a port or a worker that sent the message is answered in vain.
        let source = event.source().map(JsCast::unchecked_into::<Window>);
        // What the page posts to itself when it is not in a frame is not for it.
        if let (Some(source), Some(window)) = (&source, web_sys::window()) {
            if Object::is(source, &window) {
                return;
            }
        }
        let command = decode(&event.data(), &model.borrow());
        match command {
            Ok(Some(command)) => self.carry_out(command, model, send, redraw),
            // An event (another embedded socksim's, say) is not a command, and is never answered.
            Ok(None) => {}
            Err(why) => {
                warn(&format!("a message was ignored: {why}"));
                if let Some(source) = source {
                    let _ = source.post_message(&event_object("error", &[("message", why.into())]), "*");
                }
            }
        }
    }

    fn carry_out(
        self: &Rc<Self>,
        command: Command,
        model: &Rc<RefCell<Model>>,
        send: &Callback<Msg>,
        redraw: &Callback<()>,
    ) {
        let playing = model.borrow().playing;
        match command {
            Command::Play if !playing => send.emit(Msg::TogglePlay),
            Command::Pause if playing => send.emit(Msg::TogglePlay),
            // Already so: the embedding page still hears the state it asked for.
            Command::Play | Command::Pause => self.tell_state(&model.borrow()),
            Command::Step => send.emit(Msg::Step),
            Command::StepBack => send.emit(Msg::StepBack),
            Command::Seek(micros) => send.emit(Msg::Seek(micros)),
            Command::Reset => send.emit(Msg::Reset),
            Command::Speed(speed) => send.emit(Msg::Speed(speed)),
            Command::LoadLesson(id) => self.load(id, send, false),
            Command::LoadScenario(lesson) => {
                let opened = model.borrow_mut().open_file(*lesson);
                match opened {
                    Ok(()) => redraw.emit(()),
                    Err(why) => self.tell("error", &[("message", format!("load: {why}").into())]),
                }
            }
            Command::DropNext { link, from, kind } => send.emit(Msg::DropNext { link, from, kind }),
        }
    }

    /// Fetches and opens a built-in lesson; `ready` is told once it is open.
    fn load(self: &Rc<Self>, id: &'static str, send: &Callback<Msg>, then_play: bool) {
        self.loading.set(true);
        let (this, send) = (Rc::clone(self), send.clone());
        fetch::lesson(id, move |text| {
            this.loading.set(false);
            match text {
                Ok(text) => {
                    send.emit(Msg::Open(Some((id.to_string(), text))));
                    if then_play {
                        send.emit(Msg::TogglePlay);
                    }
                }
                Err(why) => {
                    let why = format!("The lesson {id} could not be opened: {why}.");
                    this.tell("error", &[("message", why.as_str().into())]);
                    send.emit(Msg::Notice(why));
                }
            }
        });
    }

    /// Tells the embedding page what happened since it was last told: `ready` for a new lesson,
    /// each packet sent and each trip ended, each checkpoint decided, and the clock. Called after
    /// every drawn frame.
    pub fn report(&self, model: &Model) {
        if self.parent.is_none() || self.loading.get() {
            return;
        }
        let session = (model.shown().scene.0, model.session.rebuilds());
        {
            let mut told = self.told.borrow_mut();
            if told.session.map(|(opened, _)| opened) != Some(session.0) {
                self.tell_ready(model);
                told.catch_up(model);
                told.state = None;
            } else if told.session != Some(session) {
                told.catch_up(model);
            }
            told.session = Some(session);
        }
        self.tell_packets(model);
        self.tell_checkpoints(model);
        let now = model.session.now().total_micros();
        let state = (now, model.playing, model.speed);
        let wall = web_sys::window().and_then(|window| window.performance()).map_or(0.0, |clock| clock.now());
        let (changed, due) = {
            let told = self.told.borrow();
            let clock_only = told.state.is_some_and(|(_, playing, speed)| (playing, speed) == (state.1, state.2));
            (told.state != Some(state), !(clock_only && state.1) || wall - told.state_told_at >= STATE_EVERY_MS)
        };
        if changed && due {
            self.tell_state(model);
            let mut told = self.told.borrow_mut();
            told.state = Some(state);
            told.state_told_at = wall;
        }
    }

    fn tell_ready(&self, model: &Model) {
        let lesson = model.session.lesson();
        let hosts: Array = lesson.hosts.iter().map(|host| JsValue::from_str(&host.name)).collect();
        let duration = model.lesson_end().map_or(JsValue::NULL, |end| seconds(end).into());
        self.tell(
            "ready",
            &[
                ("lesson", model.lesson_id.map_or(JsValue::NULL, JsValue::from_str)),
                ("title", lesson.title.as_str().into()),
                ("hosts", hosts.into()),
                ("duration", duration),
            ],
        );
    }

    fn tell_state(&self, model: &Model) {
        self.tell(
            "state",
            &[
                ("time", seconds(model.session.now()).into()),
                ("playing", model.playing.into()),
                ("speed", (model.speed as f64).into()),
            ],
        );
    }

    /// Each packet sent, and each trip ended, since the last report, in time order.
    fn tell_packets(&self, model: &Model) {
        let trace = model.session.network().trace();
        let mut news: Vec<(Instant, JsValue)> = Vec::new();
        let mut told = self.told.borrow_mut();
        told.in_flight.retain(|&id| match trace.get(id) {
            Some(record) if record.fate == Fate::InFlight => true,
            Some(record) => {
                news.push(packet_event(model, record, record.fate));
                false
            }
            None => false,
        });
        let first_new = told.next_packet;
        for record in trace.records().filter(|record| record.id >= first_new) {
            news.push(packet_event(model, record, Fate::InFlight));
            if record.fate == Fate::InFlight {
                told.in_flight.push(record.id);
            } else {
                news.push(packet_event(model, record, record.fate));
            }
            told.next_packet = record.id + 1;
        }
        drop(told);
        // An insertion sort, stable, as the news is nearly in order already (and a `sort_by_key`
        // would bring its own copy of the standard library's sort).
        for sorted in 1..news.len() {
            let mut at = sorted;
            while at > 0 && news[at - 1].0 > news[at].0 {
                news.swap(at - 1, at);
                at -= 1;
            }
        }
        for (_, event) in news {
            self.post(&event);
        }
    }

    fn tell_checkpoints(&self, model: &Model) {
        let results = model.session.player().results();
        let mut told = self.told.borrow_mut();
        told.checkpoints.resize(results.len(), false);
        for (result, told) in results.iter().zip(told.checkpoints.iter_mut()) {
            let Some(result) = result.as_ref().filter(|_| !*told) else { continue };
            *told = true;
            self.tell(
                "checkpoint",
                &[
                    ("index", (result.index as f64).into()),
                    ("passed", result.passed.into()),
                    ("observed", result.observed.as_str().into()),
                ],
            );
        }
    }

    fn tell(&self, event: &str, fields: &[(&str, JsValue)]) {
        self.post(&event_object(event, fields));
    }

    fn post(&self, message: &JsValue) {
        if let Some(parent) = &self.parent {
            let _ = parent.post_message(message, "*");
        }
    }
}

/// A `packet` event: the packet leaving (`fate` in flight, told as `"sent"`) or its trip's end.
fn packet_event(model: &Model, record: &PacketRecord, fate: Fate) -> (Instant, JsValue) {
    let hosts = &model.session.lesson().hosts;
    let name = |host: usize| hosts.get(host).map_or(JsValue::NULL, |host| host.name.as_str().into());
    let (at, fate_name) = match fate.at() {
        Some(at) => (at, fate.name()),
        None => (record.sent_at, "sent"),
    };
    let event = event_object(
        "packet",
        &[
            ("id", (record.id as f64).into()),
            ("kind", record.summary.kind.label().into()),
            ("from", name(record.from)),
            ("to", record.to.map_or(JsValue::NULL, name)),
            ("time", seconds(at).into()),
            ("fate", fate_name.into()),
        ],
    );
    (at, event)
}

fn seconds(at: Instant) -> f64 {
    at.total_micros() as f64 / 1e6
}

fn event_object(event: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"socksim".into(), &PROTOCOL.into());
    let _ = Reflect::set(&object, &"event".into(), &event.into());
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

/// Reads a message as a command: `Ok(None)` for an event (which is not answered), `Err` with why
/// for anything malformed. A message is an object, or its JSON text.
fn decode(data: &JsValue, model: &Model) -> Result<Option<Command>, String> {
    let data = match data.as_string() {
        Some(text) => JSON::parse(&text).map_err(|_| "a message in text must be JSON".to_string())?,
        None => data.clone(),
    };
    if !data.is_object() || Array::is_array(&data) {
        return Err("a message must be an object { \"socksim\": 1, \"command\": … }".into());
    }
    let field = |name: &str| Reflect::get(&data, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if field("socksim").as_f64() != Some(PROTOCOL) {
        return Err("a message must say \"socksim\": 1".into());
    }
    if !field("event").is_undefined() {
        return Ok(None);
    }
    let Some(name) = field("command").as_string() else {
        return Err("a message must name its \"command\"".into());
    };
    let command = match name.as_str() {
        "play" => Command::Play,
        "pause" => Command::Pause,
        "step" => Command::Step,
        "stepBack" => Command::StepBack,
        "reset" => Command::Reset,
        "seek" => {
            let limit = model.lesson_end().map_or(FREE_PLAY_SEEK_LIMIT_S, seconds);
            let time = field("time").as_f64().filter(|time| (0.0..=limit).contains(time));
            let time = time.ok_or_else(|| {
                format!("seek: \"time\" must be a number of seconds from 0 to {}", crate::decimal::plain(limit))
            })?;
            Command::Seek((time * 1e6).round() as i64)
        }
        "speed" => {
            let speed = field("speed")
                .as_f64()
                .filter(|speed| speed.fract() == 0.0 && (0.0..SPEEDS.len() as f64).contains(speed));
            let speed = speed
                .ok_or_else(|| format!("speed: \"speed\" must be a whole number from 0 to {}", SPEEDS.len() - 1))?;
            Command::Speed(speed as usize)
        }
        "load" => decode_load(&field("lesson"), &field("scenario"))?,
        "dropNext" => decode_drop_next(&field("link"), &field("from"), &field("kind"), model)?,
        other => {
            return Err(format!(
                "{} is not a command (play, pause, step, stepBack, seek, reset, speed, load, dropNext)",
                Quoted(other)
            ))
        }
    };
    Ok(Some(command))
}

/// `load` with `"lesson"`: a built-in lesson's id, or `"scenario"`: a lesson file (its JSON text,
/// or the object itself).
fn decode_load(lesson: &JsValue, scenario: &JsValue) -> Result<Command, String> {
    match (lesson.as_string(), scenario.is_undefined()) {
        (Some(id), true) => library::find(&id)
            .map(|lesson| Command::LoadLesson(lesson.id))
            .ok_or_else(|| format!("load: there is no built-in lesson {}", Quoted(&id))),
        (None, false) if lesson.is_undefined() => {
            let text = match scenario.as_string() {
                Some(text) => text,
                None => JSON::stringify(scenario).ok().and_then(|text| text.as_string()).unwrap_or_default(),
            };
            let lesson =
                Lesson::parse(&text).map_err(|error| format!("load: the scenario is not a lesson: {error}"))?;
            Ok(Command::LoadScenario(Box::new(lesson)))
        }
        _ => Err("load: give either \"lesson\" (a built-in lesson's id) or \"scenario\" (a lesson file)".into()),
    }
}

/// `dropNext` with `"link": [a, b]` (two hosts' names), and optionally `"from"` (one of them) and
/// `"kind"` (a packet kind as lesson files write it: syn, syn-ack, ack, data, fin, rst, udp, icmp).
fn decode_drop_next(link: &JsValue, from: &JsValue, kind: &JsValue, model: &Model) -> Result<Command, String> {
    let lesson = model.session.lesson();
    let host = |name: &JsValue| {
        let name = name.as_string()?;
        lesson.hosts.iter().position(|host| host.name == name)
    };
    let ends = Array::is_array(link).then(|| Array::from(link)).filter(|ends| ends.length() == 2);
    let ends = ends.and_then(|ends| Some([host(&ends.get(0))?, host(&ends.get(1))?]));
    let ends = ends.ok_or("dropNext: \"link\" must name two hosts of the network, [\"a\", \"b\"]")?;
    let index = lesson.links.iter().position(|spec| spec.ends == ends || spec.ends == [ends[1], ends[0]]);
    let link = index.ok_or("dropNext: no link joins those two hosts")?;
    let from = match from.is_undefined() {
        true => None,
        false => Some(
            host(from).filter(|host| ends.contains(host)).ok_or("dropNext: \"from\" must be one end of the link")?,
        ),
    };
    let kind = match kind.as_string() {
        None if kind.is_undefined() => None,
        name => Some(
            name.as_deref()
                .and_then(PacketKind::from_label)
                .ok_or("dropNext: \"kind\" must be a packet kind: syn, syn-ack, ack, data, fin, rst, udp or icmp")?,
        ),
    };
    Ok(Command::DropNext { link, from, kind })
}
