//! A Python program on a host of a lesson: when it starts, the lines typed at its console, its
//! process, and what its socket calls received (for the checkpoints).
//!
//! The [`Player`](super::player::Player) owns one per host that runs a program. It starts the
//! program at its time, types the lesson's lines at theirs, runs the process for a budget of steps
//! whenever it can go on, and hands it the socket calls the network completes. A program that
//! does not compile leaves its traceback on the console, as Python does.

use std::rc::Rc;

use super::lesson::{ProgramSpec, TypedLine};
use super::player::{earliest, instant};
use crate::python::methods::find;
use crate::python::runner::{BUDGET, BUSY_SLICE};
use crate::python::{Console, HostSockets, Process, Sockets, Status, Stream};
use crate::sim::{Call, CallId, CallResult, CallStatus, Fd, HostId, Instant, Ipv4Address, Network, SocketView, Value};

/// Where a host's program is.
pub enum Run {
    /// Its start time has not come.
    NotStarted,
    Started(Box<Process>),
    /// It did not compile: the console holds the traceback.
    Refused(Console),
}

/// A host's program.
pub struct HostProgram {
    file: String,
    source: String,
    argv: Vec<String>,
    start: Instant,
    /// Lines to type at the console, each at its time, and how many have been typed.
    input: Vec<(Instant, String)>,
    typed: usize,
    run: Run,
    /// The last run used its whole budget: it can go on at once.
    busy: bool,
    /// Every byte its `recv` / `recvfrom` calls returned, in order.
    received: Vec<u8>,
    peer_closed: bool,
}

impl HostProgram {
    /// A lesson's program, to start at its time.
    pub fn of(spec: &ProgramSpec) -> HostProgram {
        let input = spec.input.iter().map(|TypedLine { at, text }| (instant(*at), text.clone())).collect();
        HostProgram::new(&spec.file, &spec.source, spec.argv.clone(), instant(spec.start), input)
    }

    /// A program to start at `start`.
    pub fn new(file: &str, source: &str, argv: Vec<String>, start: Instant, input: Vec<(Instant, String)>) -> Self {
        HostProgram {
            file: file.into(),
            source: source.into(),
            argv,
            start,
            input,
            typed: 0,
            run: Run::NotStarted,
            busy: false,
            received: Vec::new(),
            peer_closed: false,
        }
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// When it starts (or started).
    pub fn start(&self) -> Instant {
        self.start
    }

    pub fn run(&self) -> &Run {
        &self.run
    }

    /// The process, once started.
    pub fn process(&self) -> Option<&Process> {
        match &self.run {
            Run::Started(process) => Some(process),
            _ => None,
        }
    }

    /// The console: the program's output, or its traceback if it did not compile.
    pub fn console(&self) -> Option<&Console> {
        match &self.run {
            Run::NotStarted => None,
            Run::Started(process) => Some(process.console()),
            Run::Refused(console) => Some(console),
        }
    }

    /// It has started and not ended.
    pub fn is_running(&self) -> bool {
        self.process().is_some_and(|process| !matches!(process.status(), Status::Finished { .. }))
    }

    /// Its exit status, once it has ended (1 for a program that did not compile).
    pub fn exit_code(&self) -> Option<i32> {
        match &self.run {
            Run::NotStarted => None,
            Run::Started(process) => match process.status() {
                Status::Finished { exit_code } => Some(*exit_code),
                _ => None,
            },
            Run::Refused(_) => Some(1),
        }
    }

    /// The exception classes that went uncaught (`SyntaxError` for a program that did not compile).
    pub fn uncaught(&self) -> Vec<Rc<str>> {
        match &self.run {
            Run::NotStarted => Vec::new(),
            Run::Started(process) => process.uncaught().to_vec(),
            Run::Refused(console) => {
                let last = console.lines().last().map_or("", |line| line.text.as_str());
                vec![last.split(':').next().unwrap_or_default().into()]
            }
        }
    }

    pub fn received(&self) -> &[u8] {
        &self.received
    }

    /// A `recv` returned `b''`: the peer closed.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// Its console has a line containing `text`.
    pub fn printed(&self, text: &str) -> bool {
        self.console().is_some_and(|console| {
            console.lines().iter().any(|line| find(line.text.as_bytes(), text.as_bytes(), false).is_some())
        })
    }

    /// When it next needs to run without a call completing: its start, a line to type, a
    /// sleeper's wake-up, or at once (plus the slice of time a busy loop stands for).
    pub fn due_at(&self, now: Instant) -> Option<Instant> {
        let typed = self.input.get(self.typed).map(|(at, _)| (*at).max(self.start));
        let own = match &self.run {
            Run::NotStarted => Some(self.start),
            Run::Refused(_) => None,
            Run::Started(process) => match process.status() {
                Status::Finished { .. } => None,
                _ if self.busy => Some(now + BUSY_SLICE),
                Status::Waiting { wake_at, .. } => *wake_at,
                Status::Runnable => Some(now),
            },
        };
        let typed = typed.filter(|_| !matches!(self.run, Run::Refused(_)) && self.exit_code().is_none());
        earliest(own, typed)
    }

    /// Starts the program if its time has come, types the lines due, and runs it for a budget
    /// of steps. Returns whether anything changed that a person would see.
    pub fn advance(&mut self, network: &mut Network, host: HostId) -> bool {
        let now = network.now();
        let mut changed = false;
        if matches!(self.run, Run::NotStarted) && self.start <= now {
            let argv: Vec<&str> = self.argv.iter().map(String::as_str).collect();
            self.run = match Process::new(&self.file, &self.source, &argv) {
                Ok(process) => Run::Started(Box::new(process)),
                Err(traceback) => {
                    let mut console = Console::default();
                    console.write(Stream::Stderr, &traceback.text, now);
                    Run::Refused(console)
                }
            };
            changed = true;
        }
        let Run::Started(process) = &mut self.run else { return changed };
        while let Some((_, text)) = self.input.get(self.typed).filter(|(at, _)| *at <= now) {
            process.type_line(text);
            self.typed += 1;
            changed = true;
        }
        if matches!(process.status(), Status::Finished { .. }) {
            return changed;
        }
        let steps = process.steps();
        let before = process.console().lines().len();
        let mut sockets = WatchedSockets {
            sockets: HostSockets { network, host },
            received: &mut self.received,
            peer_closed: &mut self.peer_closed,
        };
        let status = process.run(BUDGET, &mut sockets);
        self.busy = status == Status::Runnable;
        changed || process.steps() != steps || process.console().lines().len() != before
    }

    /// Hands a completed socket call to the thread waiting on it. Returns whether one was.
    pub fn complete(&mut self, call: CallId, result: &CallResult) -> bool {
        let Run::Started(process) = &mut self.run else { return false };
        if !process.complete(call, result.clone()) {
            return false;
        }
        note_received(result, &mut self.received, &mut self.peer_closed);
        true
    }

    /// A line typed at the console now, by a person.
    pub fn type_line(&mut self, text: &str) {
        if let Run::Started(process) = &mut self.run {
            process.type_line(text);
        }
    }

    /// Stops it as Ctrl-C would (its sockets close); one not started yet never starts.
    pub fn stop(&mut self, network: &mut Network, host: HostId) {
        match &mut self.run {
            Run::Started(process) => {
                let mut sockets = WatchedSockets {
                    sockets: HostSockets { network, host },
                    received: &mut self.received,
                    peer_closed: &mut self.peer_closed,
                };
                process.stop(&mut sockets);
            }
            Run::NotStarted => {
                let mut console = Console::default();
                console.write(Stream::Stderr, "(stopped before it started)\n", network.now());
                self.run = Run::Refused(console);
            }
            Run::Refused(_) => {}
        }
        self.busy = false;
    }
}

/// What a `recv` or `recvfrom` returned, kept for the checkpoints.
fn note_received(result: &CallResult, received: &mut Vec<u8>, peer_closed: &mut bool) {
    match result {
        Ok(Value::Bytes { data }) => {
            *peer_closed |= data.is_empty();
            received.extend_from_slice(data);
        }
        Ok(Value::Datagram { data, .. }) => received.extend_from_slice(data),
        _ => {}
    }
}

/// A host's sockets, as its program calls them, noting what they receive.
struct WatchedSockets<'a> {
    sockets: HostSockets<'a>,
    received: &'a mut Vec<u8>,
    peer_closed: &'a mut bool,
}

impl Sockets for WatchedSockets<'_> {
    fn call(&mut self, call: Call) -> CallStatus {
        let status = self.sockets.call(call);
        if let CallStatus::Done(result) = &status {
            note_received(result, self.received, self.peer_closed);
        }
        status
    }

    fn now(&self) -> Instant {
        self.sockets.now()
    }

    fn resolve(&self, name: &str) -> Option<Ipv4Address> {
        self.sockets.resolve(name)
    }

    fn host_name(&self) -> String {
        self.sockets.host_name()
    }

    fn socket_view(&self, fd: Fd) -> Option<SocketView> {
        self.sockets.socket_view(fd)
    }
}
