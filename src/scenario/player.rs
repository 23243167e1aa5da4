//! Plays a lesson on the engine: builds its network, runs each host's script, fires its events and
//! checks its checkpoints.
//!
//! Each host's script runs like a one-thread program: a step starts when the step before it has
//! finished and its `at` time has come; a blocking call holds the script until the network
//! completes it. Every call goes into a transcript, as the Python line it stands for and what it
//! returned or raised.

use std::net::SocketAddrV4;
use std::rc::Rc;

use serde::Serialize;

use super::lesson::{Action, Checkpoint, Destination, EventKind, Expectation, Lesson, LessonError, Payload, Transform};
use super::program::HostProgram;
use super::pyrepr::{self, bytes_literal};
use crate::python::traceback::nth_line;
use crate::python::Status;
use crate::sim::{
    Call, CallId, CallResult, CallStatus, DropRule, Fd, HostId, Impairments, Instant, Network, PacketId, PacketKind,
    SocketError, SortedMap, TopologyError, Value,
};

/// Seconds of lesson time as an engine instant.
pub fn instant(seconds: f64) -> Instant {
    Instant::from_micros((seconds * 1e6).round() as i64)
}

/// The earlier of two times, either of which may be missing.
pub fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

/// What became of one call in the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "text", rename_all = "snake_case")]
pub enum Outcome {
    Blocked,
    Returned(String),
    Raised(String),
}

/// One call a script made.
#[derive(Debug, Clone, Serialize)]
pub struct TranscriptLine {
    pub host: HostId,
    #[serde(serialize_with = "micros")]
    pub started_at: Instant,
    /// When a blocked call finished.
    #[serde(serialize_with = "optional_micros")]
    pub finished_at: Option<Instant>,
    pub code: String,
    pub outcome: Outcome,
}

impl TranscriptLine {
    /// A call starting now, as blocked until it finishes.
    fn started(host: HostId, now: Instant, action: &Action) -> TranscriptLine {
        TranscriptLine {
            host,
            started_at: now,
            finished_at: None,
            code: pyrepr::call_line(action),
            outcome: Outcome::Blocked,
        }
    }
}

fn micros<S: serde::Serializer>(time: &Instant, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(time.total_micros())
}

fn optional_micros<S: serde::Serializer>(time: &Option<Instant>, serializer: S) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serializer.serialize_some(&time.total_micros()),
        None => serializer.serialize_none(),
    }
}

/// A checkpoint's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointResult {
    pub index: usize,
    pub passed: bool,
    /// What the run actually showed, in words.
    pub observed: String,
}

/// A script's progress and the variables its steps bound.
#[derive(Debug, Default)]
struct Script {
    cursor: usize,
    /// The blocked call holding the script: its id, its step and its transcript line.
    waiting: Option<(CallId, usize, usize)>,
    /// An uncaught exception ended the script.
    stopped: bool,
    sockets: SortedMap<String, Fd>,
    data: Bindings<Vec<u8>>,
    addresses: Bindings<SocketAddrV4>,
    /// Every byte `recv`/`recvfrom` returned, in order.
    received: Vec<u8>,
    raised: Vec<&'static str>,
    peer_closed: bool,
}

/// A script's variables of one kind, by name: a list of names and one of values, as a script
/// binds a handful (a map's code for each kind would weigh more in the page), the names looked up
/// by code that every kind shares.
#[derive(Debug)]
struct Bindings<T> {
    names: Vec<String>,
    values: Vec<T>,
}

impl<T> Default for Bindings<T> {
    fn default() -> Self {
        Bindings { names: Vec::new(), values: Vec::new() }
    }
}

/// Where `name` is in `names`.
#[inline(never)]
fn position(names: &[String], name: &str) -> Option<usize> {
    names.iter().position(|bound| bound == name)
}

impl<T> Bindings<T> {
    fn get(&self, name: &str) -> Option<&T> {
        Some(&self.values[position(&self.names, name)?])
    }

    /// Binds `name` to `value`, in place of what it was bound to.
    fn insert(&mut self, name: &str, value: T) {
        match position(&self.names, name) {
            Some(index) => self.values[index] = value,
            None => {
                self.names.push(name.into());
                self.values.push(value);
            }
        }
    }
}

impl Script {
    /// Turns a step into an engine call, looking its variables up.
    fn build_call(&self, action: &Action) -> Result<Call, SocketError> {
        let fd = || -> Result<Fd, SocketError> {
            let name = action.socket().expect("calls on a socket name one");
            self.sockets.get(name).copied().ok_or_else(|| name_error(name))
        };
        let bytes = |payload: &Payload| -> Result<Vec<u8>, SocketError> {
            match payload {
                Payload::Text(text) => Ok(text.as_bytes().to_vec()),
                Payload::Echo { variable, transform } => {
                    let data = self.data.get(variable).ok_or_else(|| name_error(variable))?;
                    Ok(match transform {
                        Transform::None => data.clone(),
                        Transform::Upper => data.to_ascii_uppercase(),
                        Transform::Lower => data.to_ascii_lowercase(),
                    })
                }
            }
        };
        Ok(match action {
            Action::Socket { kind, .. } => Call::Socket { kind: *kind },
            Action::Bind { address, port, .. } => Call::Bind { fd: fd()?, address: address.clone(), port: *port },
            Action::Listen { backlog, .. } => Call::Listen { fd: fd()?, backlog: *backlog },
            Action::Accept { .. } => Call::Accept { fd: fd()? },
            Action::Connect { address, port, .. } => Call::Connect { fd: fd()?, address: address.clone(), port: *port },
            Action::Send { payload, all: true, .. } => Call::Sendall { fd: fd()?, data: bytes(payload)? },
            Action::Send { payload, all: false, .. } => Call::Send { fd: fd()?, data: bytes(payload)? },
            Action::Recv { bufsize, .. } => Call::Recv { fd: fd()?, bufsize: *bufsize },
            Action::Sendto { payload, to, .. } => {
                let (address, port) = match to {
                    Destination::Address { address, port } => (address.clone(), *port),
                    Destination::Variable(variable) => {
                        let address = self.addresses.get(variable).ok_or_else(|| name_error(variable))?;
                        (address.ip().to_string(), i64::from(address.port()))
                    }
                };
                Call::Sendto { fd: fd()?, data: bytes(payload)?, address, port }
            }
            Action::Recvfrom { bufsize, .. } => Call::Recvfrom { fd: fd()?, bufsize: *bufsize },
            Action::Shutdown { how, .. } => Call::Shutdown { fd: fd()?, how: *how },
            Action::Close { .. } => Call::Close { fd: fd()? },
            Action::Setsockopt { option, value, .. } => Call::Setsockopt { fd: fd()?, option: *option, value: *value },
            Action::Settimeout { seconds, .. } => Call::Settimeout { fd: fd()?, seconds: *seconds },
        })
    }

    /// Records a call's result in its transcript line and binds the variables its step names.
    fn finish(&mut self, line: &mut TranscriptLine, action: &Action, continue_on_error: bool, result: CallResult) {
        let value = match result {
            Ok(value) => value,
            Err(error) => {
                self.raised.push(error.exception);
                self.stopped |= !continue_on_error;
                line.outcome = Outcome::Raised(error.to_string());
                return;
            }
        };
        line.outcome = Outcome::Returned(pyrepr::value_repr(&value));
        match (action, value) {
            (Action::Socket { binds, .. }, Value::Fd { fd }) => {
                self.sockets.insert(binds.clone(), fd);
            }
            (Action::Accept { binds, binds_address, .. }, Value::Accepted { fd, peer }) => {
                self.sockets.insert(binds.clone(), fd);
                if let Some(address) = binds_address {
                    self.addresses.insert(address, peer);
                }
            }
            (Action::Recv { binds, .. }, Value::Bytes { data }) => {
                self.peer_closed |= data.is_empty();
                self.received.extend_from_slice(&data);
                if let Some(binds) = binds {
                    self.data.insert(binds, data);
                }
            }
            (Action::Recvfrom { binds, binds_address, .. }, Value::Datagram { data, peer }) => {
                self.received.extend_from_slice(&data);
                if let Some(binds) = binds {
                    self.data.insert(binds, data);
                }
                if let (Some(address), Some(peer)) = (binds_address, peer) {
                    self.addresses.insert(address, peer);
                }
            }
            (Action::Close { socket }, _) => {
                self.sockets.insert(socket.clone(), CLOSED_FD);
            }
            _ => {}
        }
    }
}

/// A lesson being played.
pub struct Player {
    lesson: Lesson,
    network: Network,
    scripts: Vec<Script>,
    /// Event indexes in time order, and how many have fired.
    event_order: Vec<usize>,
    events_fired: usize,
    results: Vec<Option<CheckpointResult>>,
    transcript: Vec<TranscriptLine>,
    /// Calls a person made by hand that are still blocked.
    by_hand: Vec<WaitingByHand>,
    /// Each host's Python program, if it runs one.
    programs: Vec<Option<HostProgram>>,
    /// Counts what the programs did that a person would see (steps, console lines, starts).
    program_changes: u64,
}

/// A blocked call a person made by hand, outside the host's script.
#[derive(Debug)]
struct WaitingByHand {
    call: CallId,
    host: HostId,
    action: Rc<Action>,
    line: usize,
}

/// A descriptor that no longer names a socket: what a closed Python socket reports.
const CLOSED_FD: Fd = -1;

impl Player {
    /// Builds the lesson's network, ready to run from time 0.
    pub fn new(lesson: Lesson) -> Result<Player, LessonError> {
        let mut network = Network::new(lesson.seed);
        for (index, host) in lesson.hosts.iter().enumerate() {
            network.add_host(&host.name, host.address).map_err(|error| topology_error("hosts", index, error))?;
        }
        for (index, link) in lesson.links.iter().enumerate() {
            let [a, b] = link.ends;
            let id =
                network.add_link(a, b, link.impairments[0]).map_err(|error| topology_error("links", index, error))?;
            network.set_impairments(id, b, link.impairments[1]);
        }
        // Each event goes after those not later than it: in time order, and in file order at one time.
        let mut event_order: Vec<usize> = Vec::new();
        for (index, event) in lesson.events.iter().enumerate() {
            let position = event_order.partition_point(|&other| lesson.events[other].at.total_cmp(&event.at).is_le());
            event_order.insert(position, index);
        }
        let programs = lesson.hosts.iter().map(|host| host.program.as_ref().map(HostProgram::of)).collect();
        Ok(Player {
            programs,
            scripts: lesson.hosts.iter().map(|_| Script::default()).collect(),
            results: vec![None; lesson.checkpoints.len()],
            lesson,
            network,
            event_order,
            events_fired: 0,
            transcript: Vec::new(),
            by_hand: Vec::new(),
            program_changes: 0,
        })
    }

    /// Builds the network again, to play the lesson from time 0 with `seed` for the network's
    /// randomness.
    pub fn restart(&mut self, seed: u64) {
        let mut lesson = std::mem::take(&mut self.lesson);
        lesson.seed = seed;
        *self = Player::new(lesson).expect("the lesson built a player before");
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn transcript(&self) -> &[TranscriptLine] {
        &self.transcript
    }

    /// The verdict of each checkpoint, once its time has come.
    pub fn results(&self) -> &[Option<CheckpointResult>] {
        &self.results
    }

    /// The host's socket variables and the descriptors they hold (a closed socket holds -1).
    pub fn sockets(&self, host: HostId) -> Option<&SortedMap<String, Fd>> {
        self.scripts.get(host).map(|script| &script.sockets)
    }

    /// The host's program, if it runs one.
    pub fn program(&self, host: HostId) -> Option<&HostProgram> {
        self.programs.get(host)?.as_ref()
    }

    /// Changes whenever a program did something a person would see.
    pub fn program_changes(&self) -> u64 {
        self.program_changes
    }

    /// Runs a program on a host from now, in place of the one it ran (which is stopped).
    pub fn run_program(&mut self, host: HostId, file: &str, source: &str) {
        if host >= self.programs.len() {
            return;
        }
        self.stop_program(host);
        let now = self.network.now();
        self.programs[host] = Some(HostProgram::new(file, source, Vec::new(), now, Vec::new()));
        self.program_changes += 1;
        self.advance_programs();
    }

    /// Stops the host's program as Ctrl-C would.
    pub fn stop_program(&mut self, host: HostId) {
        if let Some(Some(program)) = self.programs.get_mut(host) {
            program.stop(&mut self.network, host);
            self.program_changes += 1;
        }
    }

    /// Types a line at the host's console, for its program's `input()`.
    pub fn type_line(&mut self, host: HostId, text: &str) {
        if let Some(Some(program)) = self.programs.get_mut(host) {
            program.type_line(text);
            self.program_changes += 1;
            self.advance_programs();
        }
    }

    /// The host's script is held by a blocking call, or a call made by hand is blocked on it.
    pub fn is_blocked(&self, host: HostId) -> bool {
        self.scripts.get(host).is_some_and(|script| script.waiting.is_some())
            || self.by_hand.iter().any(|waiting| waiting.host == host)
    }

    /// Makes a call on a host now, as a person at its console would: it goes into the transcript
    /// like a script's, its variables join the script's, and an exception does not stop the script.
    pub fn call(&mut self, host: HostId, action: &Rc<Action>) {
        if host >= self.scripts.len() {
            return;
        }
        let script = &mut self.scripts[host];
        if let Some((call, line)) = make_call(script, &mut self.transcript, &mut self.network, host, action, true) {
            self.by_hand.push(WaitingByHand { call, host, action: Rc::clone(action), line });
        }
        self.advance_scripts();
    }

    /// Drops a packet in flight, as a person clicking it does. Returns whether it was in flight.
    pub fn drop_packet(&mut self, packet: PacketId) -> bool {
        self.network.drop_packet(packet)
    }

    /// Drops the next packet on a lesson's link (sent by `from`, of `kind`, when given), as a
    /// lesson's `drop_next` event does.
    pub fn drop_next(&mut self, link: usize, from: Option<HostId>, kind: Option<PacketKind>) {
        let Some(spec) = self.lesson.links.get(link) else { return };
        let [a, b] = spec.ends;
        if let Some(link) = self.network.link_between(a, b) {
            self.network.drop_next(DropRule { link, from, kind });
        }
    }

    /// Changes what one direction of a lesson's link does to packets.
    pub fn set_link(&mut self, link: usize, from: HostId, impairments: Impairments) {
        let Some(spec) = self.lesson.links.get(link) else { return };
        let [a, b] = spec.ends;
        if let Some(link) = self.network.link_between(a, b) {
            self.network.set_impairments(link, from, impairments);
        }
    }

    /// When the next thing is due: a packet, a timer, a script step, a program or a lesson event.
    pub fn next_event_at(&mut self) -> Option<Instant> {
        [self.next_script_time(), self.next_event_time(), self.next_program_time()]
            .into_iter()
            .fold(self.network.next_event_at(), earliest)
    }

    /// Runs the whole lesson.
    pub fn run_to_end(&mut self) {
        self.run_until(instant(self.lesson.duration));
    }

    /// Runs the lesson up to `time`: scripts, events, packets, checkpoints.
    pub fn run_until(&mut self, time: Instant) {
        loop {
            self.absorb_completions();
            self.advance_scripts();
            self.fire_events();
            self.advance_programs();
            if self.absorb_completions() {
                continue;
            }
            match self.next_event_at() {
                Some(next) if next <= time => {
                    // Those due before `next`: times are whole microseconds.
                    self.check_checkpoints_through(Instant::from_micros(next.total_micros() - 1));
                    if self.network.next_event_at() == Some(next) {
                        self.network.step();
                    } else {
                        self.network.run_until(next);
                    }
                }
                _ => {
                    self.network.run_until(time);
                    self.absorb_completions();
                    self.advance_scripts();
                    self.fire_events();
                    self.advance_programs();
                    self.check_checkpoints_through(time);
                    return;
                }
            }
        }
    }

    fn next_script_time(&self) -> Option<Instant> {
        let now = self.network.now();
        self.scripts
            .iter()
            .zip(&self.lesson.hosts)
            .filter(|(script, _)| !script.stopped && script.waiting.is_none())
            .filter_map(|(script, host)| host.script.get(script.cursor)?.at.map(instant))
            .filter(|&at| at > now)
            .fold(None, |next, at| earliest(next, Some(at)))
    }

    fn next_program_time(&self) -> Option<Instant> {
        let now = self.network.now();
        self.programs.iter().flatten().fold(None, |next, program| earliest(next, program.due_at(now)))
    }

    /// Runs every program that can go on for a budget of steps.
    fn advance_programs(&mut self) {
        for (host, program) in self.programs.iter_mut().enumerate() {
            let Some(program) = program else { continue };
            if program.advance(&mut self.network, host) {
                self.program_changes += 1;
            }
        }
    }

    fn next_event_time(&self) -> Option<Instant> {
        let index = *self.event_order.get(self.events_fired)?;
        Some(instant(self.lesson.events[index].at).max(self.network.now()))
    }

    fn fire_events(&mut self) {
        while let Some(&index) = self.event_order.get(self.events_fired) {
            let event = &self.lesson.events[index];
            if instant(event.at) > self.network.now() {
                return;
            }
            match event.kind {
                EventKind::DropNext { link, from, packet } => self.drop_next(link, from, packet),
                EventKind::SetLink { link, from, impairments } => {
                    for end in self.lesson.links[link].ends {
                        if from.is_none_or(|from| from == end) {
                            self.set_link(link, end, impairments);
                        }
                    }
                }
            }
            self.events_fired += 1;
        }
    }

    /// Starts every step that is ready, on every host, until none is.
    fn advance_scripts(&mut self) {
        loop {
            let mut progressed = false;
            for host in 0..self.scripts.len() {
                while self.start_step(host) {
                    progressed = true;
                }
            }
            progressed |= self.absorb_completions();
            if !progressed {
                return;
            }
        }
    }

    /// Starts the host's next step if it is ready. Returns whether it did.
    fn start_step(&mut self, host: HostId) -> bool {
        let script = &self.scripts[host];
        if script.stopped || script.waiting.is_some() {
            return false;
        }
        let Some(step) = self.lesson.hosts[host].script.get(script.cursor) else {
            return false;
        };
        if step.at.is_some_and(|at| instant(at) > self.network.now()) {
            return false;
        }
        let step_index = script.cursor;
        let (action, continue_on_error) = (&step.action, step.continue_on_error);
        let script = &mut self.scripts[host];
        script.cursor += 1;
        let blocked = make_call(script, &mut self.transcript, &mut self.network, host, action, continue_on_error);
        if let Some((id, line)) = blocked {
            script.waiting = Some((id, step_index, line));
        }
        true
    }

    /// Hands finished blocking calls back to their scripts. Returns whether any finished.
    fn absorb_completions(&mut self) -> bool {
        let completions = self.network.take_completions();
        let any = !completions.is_empty();
        for completion in completions {
            let host = completion.host;
            if let Some(index) = self.by_hand.iter().position(|waiting| waiting.call == completion.call) {
                let WaitingByHand { action, line, .. } = self.by_hand.remove(index);
                self.transcript[line].finished_at = Some(completion.at);
                self.scripts[host].finish(&mut self.transcript[line], &action, true, completion.result);
                continue;
            }
            let Some((_, step, line)) = self.scripts[host].waiting.filter(|(id, ..)| *id == completion.call) else {
                if let Some(Some(program)) = self.programs.get_mut(host) {
                    program.complete(completion.call, &completion.result);
                }
                continue;
            };
            self.scripts[host].waiting = None;
            self.transcript[line].finished_at = Some(completion.at);
            let step = &self.lesson.hosts[host].script[step];
            self.scripts[host].finish(
                &mut self.transcript[line],
                &step.action,
                step.continue_on_error,
                completion.result,
            );
        }
        any
    }

    /// Decides the checkpoints due by `time`.
    fn check_checkpoints_through(&mut self, time: Instant) {
        for index in 0..self.lesson.checkpoints.len() {
            let checkpoint = &self.lesson.checkpoints[index];
            if self.results[index].is_none() && instant(checkpoint.at) <= time {
                self.results[index] = Some(self.evaluate(index, checkpoint));
            }
        }
    }

    fn evaluate(&self, index: usize, checkpoint: &Checkpoint) -> CheckpointResult {
        let host_name = |host: usize| self.lesson.hosts[host].name.as_str();
        let (passed, observed) = match &checkpoint.expect {
            Expectation::Received { host, text } => {
                let received = self.program(*host).map_or(&self.scripts[*host].received[..], HostProgram::received);
                let passed =
                    received.windows(text.len().max(1)).any(|window| window == text.as_bytes()) || text.is_empty();
                (passed, format!("{} received {}", host_name(*host), shorten(&bytes_literal(received))))
            }
            Expectation::Raised { host, exception } if self.program(*host).is_some() => {
                let uncaught = self.program(*host).map(HostProgram::uncaught).unwrap_or_default();
                let observed = if uncaught.is_empty() {
                    format!("{}'s program raised no uncaught exception", host_name(*host))
                } else {
                    // Joined by hand: `join` would bring a copy of its code for `Rc<str>`.
                    let mut names = String::new();
                    for name in &uncaught {
                        if !names.is_empty() {
                            names += ", ";
                        }
                        names += name;
                    }
                    format!("{}'s program ended on {names}", host_name(*host))
                };
                (uncaught.iter().any(|raised| **raised == **exception), observed)
            }
            Expectation::Raised { host, exception } => {
                let raised = &self.scripts[*host].raised;
                let observed = if raised.is_empty() {
                    format!("{} raised no exception", host_name(*host))
                } else {
                    format!("{} raised {}", host_name(*host), raised.join(", "))
                };
                (raised.iter().any(|raised| raised == exception), observed)
            }
            Expectation::PeerClosed { host } => {
                let closed = self.program(*host).map_or(self.scripts[*host].peer_closed, HostProgram::peer_closed);
                let observed = if closed { "a recv returned b'' (the peer closed)" } else { "no recv returned b''" };
                (closed, format!("on {}, {observed}", host_name(*host)))
            }
            Expectation::SocketState { host, state, count } => {
                let have =
                    self.network.snapshot().hosts[*host].sockets.iter().filter(|socket| &socket.state == state).count();
                (have >= *count, format!("{} has {have} socket(s) in {state}", host_name(*host)))
            }
            Expectation::Blocked { host } if self.program(*host).is_some() => {
                let program = self.program(*host).expect("checked");
                let blocked = program.process().and_then(|process| {
                    let Status::Waiting { calls, .. } = process.status() else { return None };
                    let line = process.current_lines().into_iter().find(|thread| thread.waiting)?;
                    (!calls.is_empty()).then_some(line.line)
                });
                match blocked {
                    Some(line) => {
                        let code = nth_line(program.source(), line as usize - 1).trim();
                        (true, format!("{} is blocked on line {line}: {code}", host_name(*host)))
                    }
                    None => (false, format!("{}'s program is not blocked in a socket call", host_name(*host))),
                }
            }
            Expectation::Blocked { host } => match self.scripts[*host].waiting {
                Some((_, _, line)) => {
                    (true, format!("{} is blocked in {}", host_name(*host), self.transcript[line].code))
                }
                None => (false, format!("{} is not blocked", host_name(*host))),
            },
            Expectation::Finished { host } if self.program(*host).is_some() => {
                let exit_code = self.program(*host).and_then(HostProgram::exit_code);
                let observed = match exit_code {
                    Some(code) => format!("{}'s program exited with status {code}", host_name(*host)),
                    None => format!("{}'s program is still running", host_name(*host)),
                };
                (exit_code == Some(0), observed)
            }
            Expectation::Printed { host, text } => {
                let printed = self.program(*host).is_some_and(|program| program.printed(text));
                let observed = if printed { "printed it" } else { "has not printed it" };
                (printed, format!("{}'s program {observed}", host_name(*host)))
            }
            Expectation::Finished { host } => {
                let script = &self.scripts[*host];
                let finished = !script.stopped
                    && script.waiting.is_none()
                    && script.cursor == self.lesson.hosts[*host].script.len();
                let observed = if finished {
                    "has run every step".to_string()
                } else if script.stopped {
                    "stopped on an exception".to_string()
                } else {
                    format!("is at step {} of {}", script.cursor + 1, self.lesson.hosts[*host].script.len())
                };
                (finished, format!("{} {observed}", host_name(*host)))
            }
            Expectation::AcceptQueue { host, socket, length } => {
                let fd = self.scripts[*host].sockets.get(socket).copied();
                let queued = fd.and_then(|fd| {
                    self.network.snapshot().hosts[*host]
                        .sockets
                        .iter()
                        .find(|view| view.fd == Some(fd))
                        .and_then(|view| view.accept_queue)
                });
                match queued {
                    Some((queued, backlog)) => (
                        queued == *length,
                        format!(
                            "{socket} on {} has {queued} of {backlog} connection(s) waiting for accept",
                            host_name(*host)
                        ),
                    ),
                    None => (false, format!("{socket} on {} is not listening", host_name(*host))),
                }
            }
            Expectation::Packets { filter, at_least, at_most } => {
                let matching = self.network.trace().records().filter(|record| filter.matches(record)).count();
                let passed = matching >= *at_least && at_most.is_none_or(|at_most| matching <= at_most);
                (passed, format!("{matching} seen, for {}", self.lesson.describe(&checkpoint.expect)))
            }
        };
        CheckpointResult { index, passed, observed }
    }
}

/// Makes a call of a host's script, or one a person made for it: its transcript line, then the
/// engine's call. Answers the call and its line if it blocked.
fn make_call(
    script: &mut Script,
    transcript: &mut Vec<TranscriptLine>,
    network: &mut Network,
    host: HostId,
    action: &Action,
    continue_on_error: bool,
) -> Option<(CallId, usize)> {
    transcript.push(TranscriptLine::started(host, network.now(), action));
    let line = transcript.len() - 1;
    let result = match script.build_call(action) {
        Err(error) => Err(error),
        Ok(call) => match network.call(host, call) {
            CallStatus::Done(result) => result,
            CallStatus::Blocked(id) => return Some((id, line)),
        },
    };
    script.finish(&mut transcript[line], action, continue_on_error, result);
    None
}

/// A host or link the network would not take, as an error in the lesson's `list[index]`.
fn topology_error(list: &str, index: usize, error: TopologyError) -> LessonError {
    LessonError { field: format!("{list}[{index}]"), message: error.to_string() }
}

fn name_error(name: &str) -> SocketError {
    SocketError { exception: "NameError", errno: None, message: format!("name '{name}' is not defined") }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 96;
    if text.chars().count() <= MAX {
        return text.into();
    }
    let mut short: String = text.chars().take(MAX).collect();
    short.push('…');
    short
}
