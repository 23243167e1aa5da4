//! The page's state, and everything a person can do to it.
//!
//! A [`Model`] holds the [`Session`] being played, the play clock (which maps wall time to virtual
//! time at a chosen speed) and what the person has selected. Every button, slider and key sends a
//! [`Msg`]; [`Model::update`] carries it out. Nothing here touches the browser, so the page's
//! behaviour reads in one place and the views only draw.

use crate::scenario::lesson::Action;
use std::cell::RefCell;
use std::rc::Rc;

use super::topology::Shape;
use crate::scenario::lesson::{recording, Quoted};
use crate::scenario::session::Revision;
use crate::scenario::{library, Intent, Lesson, Session};
use crate::sim::{HostId, Impairments, Instant, PacketId, PacketKind};

/// A playback speed: virtual seconds per wall second.
pub struct Speed {
    pub label: &'static str,
    pub factor: f64,
}

/// The speeds offered. Slow motion is the default: at 1/30× a handshake over a 10 ms link takes
/// about a second to watch.
pub const SPEEDS: [Speed; 5] = [
    Speed { label: "1/100×", factor: 0.01 },
    Speed { label: "1/30×", factor: 1.0 / 30.0 },
    Speed { label: "1/10×", factor: 0.1 },
    Speed { label: "1/3×", factor: 1.0 / 3.0 },
    Speed { label: "1×", factor: 1.0 },
];
pub const DEFAULT_SPEED: usize = 1;

/// While no packet is on any wire, time runs this many times faster than the chosen speed, so
/// that a one-second retransmission timeout does not take half a minute to watch.
pub const QUIET_FAST_FORWARD: f64 = 50.0;

/// The longest wall-clock gap one animation frame accounts for: a tab coming back from the
/// background continues where it was rather than jumping ahead.
const MAX_FRAME_MS: f64 = 100.0;

/// The tabs of the side panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Packets,
    Inspector,
    Network,
    Lesson,
}

/// A student's answer to a checkpoint's question, made before the run reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prediction {
    /// Not asked yet.
    Pending,
    /// The index of the choice picked.
    Made(usize),
    /// The person played on without answering.
    Skipped,
}

/// Everything a person can do at the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    TogglePlay,
    Step,
    StepBack,
    Reset,
    /// Move the clock to a time, in microseconds.
    Seek(i64),
    Speed(usize),
    Seed(u64),
    Select(Option<PacketId>),
    Hover(Option<PacketId>),
    DropPacket(PacketId),
    /// Drop the next packet on a lesson's link (sent by `from`, of `kind`, when given).
    DropNext {
        link: usize,
        from: Option<HostId>,
        kind: Option<PacketKind>,
    },
    Call {
        host: HostId,
        action: Rc<Action>,
    },
    /// New impairments for both directions of a link.
    SetLink {
        link: usize,
        impairments: Impairments,
    },
    /// Open a built-in lesson, given its id and the text of its file (which the page fetches), or
    /// the default network (`None`).
    Open(Option<(String, String)>),
    /// Open a lesson file the person chose: its text.
    OpenFile(String),
    /// Open a shared session (a link's text): its lesson, replayed to the time it was shared at.
    OpenShared(String),
    /// The hosts and links were edited: the run starts again on the new network.
    Rebuild(Box<Lesson>),
    Tab(Tab),
    /// A prediction for a checkpoint's question: the index of the choice.
    Predict {
        checkpoint: usize,
        choice: usize,
    },
    /// Run a program on a host (stopping the one it runs).
    RunProgram {
        host: HostId,
        file: String,
        source: String,
    },
    StopProgram(HostId),
    /// A line typed at a host's console.
    TypeLine {
        host: HostId,
        text: String,
    },
    /// Tell the person something, e.g. that a lesson could not be fetched.
    Notice(String),
    Dismiss,
}

/// The model as the page's parts share it. Two handles are equal when they are the same model,
/// so a part given one is not drawn again for that.
#[derive(Clone)]
pub struct ModelHandle(pub Rc<RefCell<Model>>);

impl PartialEq for ModelHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What the panels show, apart from the clock: when it is the same, a panel is the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown {
    /// Which session (a new one for each lesson opened or network rebuilt), its revision, and
    /// the topology's shape.
    pub scene: (u64, Revision, Shape),
    pub hovered: Option<PacketId>,
    pub selected: Option<PacketId>,
    pub tab: Tab,
    /// The ladder's width: a panel that changed width draws it again.
    pub ladder_width: u16,
    /// Changes with every prediction made or asked for.
    pub predictions: usize,
}

/// The page's state.
pub struct Model {
    pub session: Session,
    /// The built-in lesson open, or `None` for the default network or a lesson file.
    pub lesson_id: Option<&'static str>,
    /// A lesson file an embedding page sent is open (not a built-in one): it plays as a built-in
    /// lesson does, paused at first and ending at its duration.
    pub opened_file: bool,
    /// The run stops before a question's checkpoint for a prediction. Not in an embedded page
    /// without the Lesson tab, where nobody could answer.
    pub asks_predictions: bool,
    pub playing: bool,
    pub speed: usize,
    /// Virtual time the clock has reached, with the fraction of a microsecond a frame left over.
    clock_us: f64,
    /// The last frame fast-forwarded through a time with nothing on the wires.
    pub fast_forwarding: bool,
    pub selected: Option<PacketId>,
    pub hovered: Option<PacketId>,
    /// A message for the person: why the run restarted, what a link could not do.
    pub notice: Option<String>,
    pub tab: Tab,
    /// The person prefers reduced motion: bursts stay still.
    pub reduced_motion: bool,
    /// The topology's drawing's shape, from its panel's.
    pub shape: Shape,
    /// The ladder's width in its units ([`super::ladder::width_for`] its panel).
    pub ladder_width: u16,
    /// How many sessions the page has opened before this one.
    sessions_before: u64,
    /// The student's prediction for each checkpoint of the lesson.
    pub predictions: Vec<Prediction>,
    /// The checkpoint whose question the run stopped for, before its time.
    pub asking: Option<usize>,
    /// Counts predictions made and asked for, so that what shows them is drawn again.
    prediction_changes: usize,
}

impl Model {
    /// The page as it opens: the default network, playing.
    pub fn new() -> Model {
        let session = Session::new(library::default_network()).expect("the default network is valid");
        Model::with_session(session, None)
    }

    pub fn with_session(session: Session, lesson_id: Option<&'static str>) -> Model {
        let session_checkpoints = session.lesson().checkpoints.len();
        Model {
            playing: lesson_id.is_none(),
            session,
            lesson_id,
            opened_file: false,
            asks_predictions: true,
            speed: DEFAULT_SPEED,
            clock_us: 0.0,
            fast_forwarding: false,
            selected: None,
            hovered: None,
            notice: None,
            tab: if lesson_id.is_some() { Tab::Lesson } else { Tab::Packets },
            reduced_motion: false,
            shape: Shape::default(),
            ladder_width: super::ladder::width_for(0, true),
            sessions_before: 0,
            predictions: vec![Prediction::Pending; session_checkpoints],
            asking: None,
            prediction_changes: 0,
        }
    }

    pub fn shown(&self) -> Shown {
        Shown {
            scene: (self.sessions_before, self.session.revision(), self.shape),
            hovered: self.hovered,
            selected: self.selected,
            tab: self.tab,
            ladder_width: self.ladder_width,
            predictions: self.prediction_changes,
        }
    }

    /// The next checkpoint with a question the student has not answered, and its time, if the run
    /// has not reached it.
    fn next_question(&self) -> Option<(usize, f64)> {
        if !self.asks_predictions {
            return None;
        }
        let lesson = self.session.lesson();
        let now = self.session.now().total_micros() as f64;
        lesson
            .checkpoints
            .iter()
            .enumerate()
            .filter(|(index, checkpoint)| {
                checkpoint.question.is_some()
                    && !checkpoint.choices.is_empty()
                    && self.predictions.get(*index) == Some(&Prediction::Pending)
                    && self.session.player().results().get(*index).is_some_and(Option::is_none)
            })
            .map(|(index, checkpoint)| (index, (checkpoint.at * 1e6).round() - 1.0))
            .filter(|&(_, at)| at >= now - 1.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Moves the clock on by the wall time since the last frame, if playing.
    pub fn tick(&mut self, elapsed_ms: f64) {
        if !self.playing {
            return;
        }
        let quiet = self.session.network().links().iter().all(|link| link.in_flight().next().is_none());
        let rate = SPEEDS[self.speed].factor * if quiet { QUIET_FAST_FORWARD } else { 1.0 };
        let mut target = self.clock_us + elapsed_ms.clamp(0.0, MAX_FRAME_MS) * 1000.0 * rate;
        if quiet {
            // Fast-forward no further than the next event, so a packet sent then is seen leaving.
            if let Some(next) = self.session.next_event_at() {
                target = target.min(next.total_micros() as f64);
            }
        }
        self.fast_forwarding = quiet;
        let end = self.lesson_end();
        if let Some(end) = end {
            target = target.min(end.total_micros() as f64);
        }
        // Predict, then run: the clock stops just before a question's checkpoint until the student
        // answers it (or plays on).
        if let Some((index, at)) = self.next_question().filter(|&(_, at)| target >= at) {
            target = at.max(self.clock_us);
            self.playing = false;
            self.fast_forwarding = false;
            self.asking = Some(index);
            self.tab = Tab::Lesson;
            self.prediction_changes += 1;
        }
        self.clock_us = target;
        self.session.advance_to(Instant::from_micros(target as i64));
        if end.is_some_and(|end| self.session.now() >= end) {
            self.playing = false;
            self.fast_forwarding = false;
        }
    }

    /// A lesson ends at its duration; the default network runs on.
    pub fn lesson_end(&self) -> Option<Instant> {
        let is_lesson = self.lesson_id.is_some() || self.opened_file;
        is_lesson.then(|| crate::scenario::player::instant(self.session.lesson().duration))
    }

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::TogglePlay => {
                self.playing = !self.playing;
                // Playing on past a question skips it.
                if let Some(index) = self.asking.take().filter(|_| self.playing) {
                    self.predictions[index] = Prediction::Skipped;
                    self.prediction_changes += 1;
                }
                if self.playing && self.lesson_end().is_some_and(|end| self.session.now() >= end) {
                    self.seek(Instant::ZERO);
                }
                self.fast_forwarding = false;
            }
            Msg::Step => {
                self.playing = false;
                if !self.session.step() {
                    self.notice = Some("Nothing more will happen on the network: make a call first.".into());
                }
            }
            Msg::StepBack => {
                self.playing = false;
                self.asking = None;
                self.session.step_back();
            }
            Msg::Reset => {
                self.session.reset();
                self.selected = None;
                self.playing = self.lesson_end().is_none();
            }
            Msg::Seek(micros) => {
                self.playing = false;
                self.asking = None;
                self.seek(Instant::from_micros(micros));
            }
            Msg::Speed(speed) => self.speed = speed.min(SPEEDS.len() - 1),
            Msg::Seed(seed) => self.session.set_seed(seed),
            Msg::Select(packet) => {
                self.selected = packet;
                if packet.is_some() {
                    self.tab = Tab::Inspector;
                }
            }
            Msg::Hover(packet) => self.hovered = packet,
            Msg::DropPacket(packet) => {
                self.selected = Some(packet);
                self.tab = Tab::Inspector;
                if self.session.network().links().iter().any(|link| link.in_flight().any(|p| p.packet == packet)) {
                    self.session.act(Intent::DropPacket { packet });
                }
            }
            Msg::DropNext { link, from, kind } => self.session.act(Intent::DropNext { link, from, kind }),
            Msg::Call { host, action } => self.session.act(Intent::Call { host, action }),
            Msg::RunProgram { host, file, source } => {
                self.session.act(Intent::Run { host, file, source });
                // A program is run to be watched: the clock goes on.
                if self.lesson_end().is_none_or(|end| self.session.now() < end) {
                    self.playing = true;
                }
            }
            Msg::StopProgram(host) => self.session.act(Intent::Stop { host }),
            Msg::TypeLine { host, text } => self.session.act(Intent::Type { host, text }),
            Msg::SetLink { link, impairments } => {
                if let Some(spec) = self.session.lesson().links.get(link) {
                    for from in spec.ends {
                        self.session.act(Intent::SetLink { link, from, impairments });
                    }
                }
            }
            Msg::Open(lesson) => self.open(lesson),
            Msg::OpenFile(text) => {
                if let Err(error) =
                    Lesson::parse(&text).map_err(|error| error.to_string()).and_then(|l| self.open_file(l))
                {
                    self.notice = Some(format!("That file is not a lesson socksim can open: {error}"));
                }
            }
            Msg::OpenShared(text) => {
                let opened = recording::read(&text).and_then(|shared| {
                    let guided = !shared.lesson.checkpoints.is_empty();
                    Ok((Session::replaying(shared.lesson, shared.actions, shared.at)?, guided))
                });
                match opened {
                    Ok((session, guided)) => {
                        let tab = if guided { Tab::Lesson } else { Tab::Packets };
                        *self = Model { opened_file: guided, playing: false, tab, ..self.reopened(session, None) };
                    }
                    Err(error) => {
                        self.notice =
                            Some(format!("This link could not be opened ({error}), so here is the default network."))
                    }
                }
            }
            Msg::Rebuild(lesson) => match Session::new(*lesson) {
                Ok(session) => {
                    let had_run = self.session.horizon() > Instant::ZERO;
                    *self = Model { notice: self.notice.take(), tab: Tab::Network, ..self.reopened(session, None) };
                    if had_run {
                        self.notice = Some("The network changed, so the run starts again from 0 s.".into());
                    }
                }
                Err(error) => self.notice = Some(format!("That network cannot be built: {error}")),
            },
            Msg::Tab(tab) => self.tab = tab,
            Msg::Predict { checkpoint, choice } => {
                if let Some(prediction) = self.predictions.get_mut(checkpoint) {
                    *prediction = Prediction::Made(choice);
                    self.prediction_changes += 1;
                    if self.asking == Some(checkpoint) {
                        self.asking = None;
                        self.playing = true;
                    }
                }
            }
            Msg::Notice(notice) => self.notice = Some(notice),
            Msg::Dismiss => self.notice = None,
        }
        self.clock_us = self.session.now().total_micros() as f64;
    }

    fn seek(&mut self, time: Instant) {
        self.session.seek(time);
        self.clock_us = self.session.now().total_micros() as f64;
    }

    /// A model on a new session that keeps the person's settings (speed, motion, predictions).
    fn reopened(&self, session: Session, lesson_id: Option<&'static str>) -> Model {
        Model {
            speed: self.speed,
            reduced_motion: self.reduced_motion,
            shape: self.shape,
            ladder_width: self.ladder_width,
            asks_predictions: self.asks_predictions,
            sessions_before: self.sessions_before + 1,
            ..Model::with_session(session, lesson_id)
        }
    }

    /// Opens a lesson file that is not a built-in one (an embedding page sent it), paused at 0 s,
    /// or says why its network cannot be built.
    pub fn open_file(&mut self, lesson: Lesson) -> Result<(), String> {
        let session = Session::new(lesson).map_err(|error| error.to_string())?;
        *self = Model { opened_file: true, playing: false, tab: Tab::Lesson, ..self.reopened(session, None) };
        Ok(())
    }

    fn open(&mut self, lesson: Option<(String, String)>) {
        let Some((id, text)) = lesson else {
            let session = Session::new(library::default_network()).expect("the default network is valid");
            *self = self.reopened(session, None);
            return;
        };
        let opened = library::find(&id).ok_or_else(|| format!("There is no lesson called {}.", Quoted(&id))).and_then(
            |built_in| {
                let lesson = Lesson::parse(&text).map_err(|error| error.to_string())?;
                let session = Session::new(lesson).map_err(|error| error.to_string())?;
                Ok((built_in.id, session))
            },
        );
        match opened {
            Ok((id, session)) => *self = self.reopened(session, Some(id)),
            Err(message) => self.notice = Some(message),
        }
    }
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}
