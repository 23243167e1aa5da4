//! A person's session at the page: a lesson (or the default network) being played, and everything
//! the person did to it, each at the virtual time they did it.
//!
//! Because the engine is deterministic, a [`Session`] never needs snapshots of smoltcp to go back in
//! time: [`Session::seek`] to an earlier time rebuilds the network from the lesson and replays the
//! recorded actions up to that time. Playing forward again replays the rest of the recording, as
//! a video would; acting while rewound replaces the recorded future with the new action.

use std::rc::Rc;

use super::lesson::{Action, Lesson, LessonError};
use super::player::{earliest, Player};
use crate::sim::{HostId, Impairments, Instant, Network, PacketId, PacketKind};

/// Something a person does to the running network.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// A socket call typed at a host's console.
    Call { host: HostId, action: Rc<Action> },
    /// A click on a packet in flight.
    DropPacket { packet: PacketId },
    /// Drop the next packet on a lesson's link: only one sent by `from`, and only one of `kind`,
    /// when given (a lesson's `drop_next` event, asked for by hand).
    DropNext { link: usize, from: Option<HostId>, kind: Option<PacketKind> },
    /// A slider of one direction of a lesson's link.
    SetLink { link: usize, from: HostId, impairments: Impairments },
    /// A program started on a host (stopping the one it ran).
    Run { host: HostId, file: String, source: String },
    /// A program stopped, as Ctrl-C stops it.
    Stop { host: HostId },
    /// A line typed at a host's console.
    Type { host: HostId, text: String },
}

/// An intent and the virtual time it was made at.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub at: Instant,
    pub intent: Intent,
}

/// How far [`Session::step`] looks for the next packet event before giving up: a minute of
/// virtual time, which is longer than any timer smoltcp sets except TIME-WAIT's ten seconds.
const STEP_HORIZON_US: i64 = 60_000_000;

/// How many things (timers, program slices) [`Session::step`] lets happen before giving up: a
/// busy program with nothing on the wires would otherwise run a minute of slices, 600 million
/// steps.
const STEP_TRIES: usize = 300;

/// A lesson being played, with the person's actions.
pub struct Session {
    player: Player,
    actions: Vec<Recorded>,
    /// How many recorded actions the player has had.
    applied: usize,
    /// The latest time the session has been played to: the end of the timeline.
    horizon: Instant,
    /// How many times the network has been built again (to rewind, reset or reseed).
    rebuilds: u64,
}

/// Tells apart the states a session goes through: it changes whenever something a person sees
/// of the network, the transcript or the checkpoints may have changed, and not when only the
/// clock moved on (a packet's way along its wire follows from the clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revision {
    rebuilds: u64,
    network: u64,
    programs: u64,
    checkpoints_decided: usize,
}

impl Session {
    /// A session on a checked lesson, at time 0.
    pub fn new(lesson: Lesson) -> Result<Session, LessonError> {
        let player = Player::new(lesson)?;
        Ok(Session { player, actions: Vec::new(), applied: 0, horizon: Instant::ZERO, rebuilds: 0 })
    }

    /// A session that plays a recording: the actions happen at their times, as a rewound
    /// session's recorded future does, and the clock is left at `at`.
    pub fn replaying(lesson: Lesson, actions: Vec<Recorded>, at: Instant) -> Result<Session, LessonError> {
        let mut session = Session::new(lesson)?;
        session.actions = actions;
        session.advance_to(at);
        Ok(session)
    }

    pub fn lesson(&self) -> &Lesson {
        self.player.lesson()
    }

    pub fn player(&self) -> &Player {
        &self.player
    }

    pub fn network(&self) -> &Network {
        self.player.network()
    }

    pub fn now(&self) -> Instant {
        self.player.network().now()
    }

    pub fn revision(&self) -> Revision {
        Revision {
            rebuilds: self.rebuilds,
            network: self.network().revision(),
            programs: self.player.program_changes(),
            checkpoints_decided: self.player.results().iter().flatten().count(),
        }
    }

    /// How many times the network has been built again (to rewind, reset or reseed): when it
    /// changes, what happened before now may have happened differently.
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds
    }

    /// The end of the timeline: the latest time played to so far.
    pub fn horizon(&self) -> Instant {
        self.horizon
    }

    /// Every action recorded, in time order, including those after a rewound clock.
    pub fn actions(&self) -> &[Recorded] {
        &self.actions
    }

    /// Does something to the network now. A recorded future beyond now is forgotten: this
    /// action starts a new one.
    pub fn act(&mut self, intent: Intent) {
        self.actions.truncate(self.applied);
        self.horizon = self.now();
        let at = self.now();
        apply(&mut self.player, &intent);
        self.actions.push(Recorded { at, intent });
        self.applied = self.actions.len();
    }

    /// Plays on to `time`, replaying the recorded actions due by then. Earlier times are ignored:
    /// use [`Session::seek`] to go back.
    pub fn advance_to(&mut self, time: Instant) {
        while let Some(recorded) = self.actions.get(self.applied).filter(|recorded| recorded.at <= time) {
            self.player.run_until(recorded.at);
            apply(&mut self.player, &recorded.intent);
            self.applied += 1;
        }
        self.player.run_until(time);
        self.horizon = self.horizon.max(self.now());
    }

    /// Moves the clock to any time: forward by playing on, backward by rebuilding the network and
    /// replaying the recorded actions up to it.
    pub fn seek(&mut self, time: Instant) {
        let time = time.max(Instant::ZERO);
        if time < self.now() {
            self.rebuild(self.lesson().seed);
        }
        self.advance_to(time);
    }

    /// Plays on to the next packet event (a packet sent, or a trip that ends) and returns whether
    /// there was one within a minute of virtual time.
    pub fn step(&mut self) -> bool {
        let before = self.network().trace().events();
        let give_up_at = self.now() + crate::sim::Duration::from_micros(STEP_HORIZON_US as u64);
        for _ in 0..STEP_TRIES {
            match self.next_event_at() {
                Some(next) if next <= give_up_at => self.advance_to(next.max(self.now())),
                _ => return false,
            }
            if self.network().trace().events() != before {
                return true;
            }
        }
        false
    }

    /// When the next thing is due: a packet, a timer, a script step, a lesson event or a
    /// recorded action.
    pub fn next_event_at(&mut self) -> Option<Instant> {
        let next_action = self.actions.get(self.applied).map(|recorded| recorded.at);
        earliest(self.player.next_event_at(), next_action)
    }

    /// Goes back to the latest packet event before now, and returns whether there was one.
    pub fn step_back(&mut self) -> bool {
        let now = self.now();
        let before_now = |at: Option<Instant>| at.filter(|&at| at < now);
        // A missing time is less than any time, so the latest is the maximum.
        let previous = self.network().trace().records().fold(None, |latest, record| {
            latest.max(before_now(Some(record.sent_at))).max(before_now(record.fate.at()))
        });
        match previous {
            Some(previous) => {
                self.seek(previous);
                true
            }
            None => false,
        }
    }

    /// Back to time 0 with nothing done: the recording is forgotten.
    pub fn reset(&mut self) {
        self.actions.clear();
        self.horizon = Instant::ZERO;
        self.rebuild(self.lesson().seed);
    }

    /// Plays the recording again with another seed for the network's randomness, back to now.
    pub fn set_seed(&mut self, seed: u64) {
        let now = self.now();
        self.rebuild(seed);
        self.advance_to(now);
    }

    /// Builds the network again, with `seed` for its randomness, back at time 0.
    fn rebuild(&mut self, seed: u64) {
        self.player.restart(seed);
        self.applied = 0;
        self.rebuilds += 1;
    }
}

/// Does what a person did to the player's network.
fn apply(player: &mut Player, intent: &Intent) {
    match intent {
        Intent::Call { host, action } => player.call(*host, action),
        Intent::DropPacket { packet } => {
            player.drop_packet(*packet);
        }
        Intent::DropNext { link, from, kind } => player.drop_next(*link, *from, *kind),
        Intent::SetLink { link, from, impairments } => player.set_link(*link, *from, impairments.clamped()),
        Intent::Run { host, file, source } => player.run_program(*host, file, source),
        Intent::Stop { host } => player.stop_program(*host),
        Intent::Type { host, text } => player.type_line(*host, text),
    }
}
