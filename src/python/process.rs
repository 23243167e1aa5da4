//! A program running on a host: its threads, its console, and what it waits for.
//!
//! A [`Process`] is driven from outside. [`Process::run`] runs its threads, one at a time in a
//! fixed round-robin order, for a budget of steps, and says what the process needs next: more
//! steps (a loop that never blocks), the completion of socket calls (one per blocked thread), a
//! time to wake a sleeper, a line typed at the console — or nothing more, with its exit code.
//! [`Process::complete`] hands a finished socket call back to the thread waiting on it. Nothing
//! here reads a clock or iterates a hash map: the same program, network and typed lines run the
//! same way every time.

use std::cell::Cell;
use std::rc::Rc;

use super::builtins::{take_input, thread_done};
use super::code::Source;
use super::machine::{Frame, OnReturn, Outcome, Runtime, Task, TaskState};
use super::sockets::Sockets;
use super::traceback::{self, CompileError, Entry, Traceback};
use super::value::{get_attr, Instance, Kind, Module, Value};
use crate::sim::{Call, CallId, CallResult, Fd, Instant};

/// The console keeps this many lines; older ones are dropped.
const MAX_LINES: usize = 5_000;

/// Where a console line came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stream {
    Stdout,
    Stderr,
    /// The `logging` module.
    Log,
    /// A line the person typed, echoed.
    Input,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "out",
            Stream::Stderr => "err",
            Stream::Log => "log",
            Stream::Input => "in",
        }
    }
}

/// One line of a console, stamped with the virtual time it was started.
#[derive(Clone, Debug)]
pub struct Line {
    pub at: Instant,
    pub stream: Stream,
    pub text: String,
}

/// A host's console: the program's output and the lines typed, newest last.
///
/// The lines from `first` on are kept; older ones are forgotten, and dropped a batch at a time. A
/// list and an offset rather than a ring buffer (`VecDeque`), whose code would weigh more in the
/// page.
#[derive(Default)]
pub struct Console {
    lines: Vec<Line>,
    first: usize,
    /// The last line has no newline yet (a prompt, `print(…, end='')`).
    open: bool,
    dropped: usize,
}

impl Console {
    pub fn write(&mut self, stream: Stream, text: &str, at: Instant) {
        let mut pieces = text.split('\n').peekable();
        let mut first = true;
        while let Some(piece) = pieces.next() {
            let last = pieces.peek().is_none();
            let open_line = self.lines.last_mut().filter(|line| line.stream == stream || stream == Stream::Input);
            match open_line {
                Some(line) if first && self.open => line.text.push_str(piece),
                _ if last && piece.is_empty() => {}
                _ => {
                    self.lines.push(Line { at, stream, text: piece.to_string() });
                    if self.lines.len() - self.first > MAX_LINES {
                        self.first += 1;
                        self.dropped += 1;
                        // Forgotten lines take at most a quarter more room than those kept.
                        if self.first > MAX_LINES / 4 {
                            self.lines.drain(..self.first);
                            self.first = 0;
                        }
                    }
                }
            }
            first = false;
        }
        self.open = if text.is_empty() { self.open } else { !text.ends_with('\n') };
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines[self.first..]
    }

    /// How many old lines were dropped to keep the console bounded.
    pub fn dropped(&self) -> usize {
        self.dropped
    }
}

/// What a waiting thread waits for.
#[derive(Clone)]
pub enum Wait {
    /// Out of steps (never reported as a wait).
    Busy,
    /// A socket call; `true` when the program wants its errno rather than an exception
    /// (`connect_ex`).
    Call(CallId, bool),
    Sleep(Instant),
    /// A line typed at the console (`input`, or `sys.stdin.readline` with its newline).
    Input,
    Readline,
    /// Another thread finishing, until an optional deadline.
    Join(usize, Option<Instant>),
    Lock(Rc<Cell<bool>>),
    /// Not a wait: a thread was started and runs first (its number is the call's result).
    Switch(usize),
}

/// What a process needs next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// It used its whole budget and can go on at once: it is busy.
    Runnable,
    /// Every thread waits: for these socket calls to complete, for the clock to reach
    /// `wake_at` (a `sleep`, a `join` with a timeout), or for a line typed at the console.
    Waiting {
        calls: Vec<CallId>,
        wake_at: Option<Instant>,
        input: bool,
    },
    Finished {
        exit_code: i32,
    },
}

/// A thread and the line it is on, for the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadLine {
    pub thread: Rc<str>,
    pub line: u32,
    /// It waits (a blocking call, a sleep, input, a join or a lock) rather than runs.
    pub waiting: bool,
}

/// One program on one host.
pub struct Process {
    rt: Runtime,
    source: Rc<Source>,
    /// The exit code once the main thread has ended (the process ends when the other
    /// non-daemon threads have, too).
    main_exit: Option<i32>,
    finished: Option<i32>,
    /// The thread that runs first next time, for round-robin fairness.
    next: usize,
    last: Status,
    /// The classes of the exceptions that ended threads, in order.
    uncaught: Vec<Rc<str>>,
    /// The program's module (`__main__`), whose globals outlive the main thread.
    main: Rc<Module>,
}

impl Process {
    /// Reads and compiles a program. `file` names it in tracebacks; `argv` follows it in `sys.argv`.
    pub fn new(file: &str, text: &str, argv: &[&str]) -> Result<Process, Traceback> {
        let failed = |error: Box<CompileError>| Traceback { text: error.render(file, text), error: *error };
        let program = super::parser::parse(text).map_err(failed)?;
        let source = Rc::new(Source { name: file.into(), text: text.into(), hidden: false });
        let (code, globals) = super::compiler::compile(&program, source.clone()).map_err(failed)?;
        let mut arguments: Vec<Rc<str>> = vec![file.into()];
        arguments.extend(argv.iter().map(|&arg| arg.into()));
        let mut rt = Runtime::new(program.python2, arguments);
        let main = Rc::new(Module {
            name: "__main__".into(),
            globals: std::cell::RefCell::new(globals.into_iter().map(|name| (name, Value::Unbound)).collect()),
        });
        main.set("__name__", Value::str("__main__"));
        main.set("__file__", Value::str(file));
        let mut task = Task::new("MainThread".into(), Value::None, false);
        task.frames.push(Frame::new(code, main.clone(), None, OnReturn::Value));
        rt.tasks.push(task);
        Ok(Process {
            rt,
            source,
            main_exit: None,
            finished: None,
            next: 0,
            last: Status::Runnable,
            uncaught: Vec::new(),
            main,
        })
    }

    /// The program is written in Python 2 (a `print` statement, `raw_input`…).
    pub fn is_python2(&self) -> bool {
        self.rt.python2
    }

    pub fn console(&self) -> &Console {
        &self.rt.console
    }

    /// Steps run so far.
    pub fn steps(&self) -> u64 {
        self.rt.steps
    }

    /// What [`Process::run`] last said.
    pub fn status(&self) -> &Status {
        &self.last
    }

    /// Types a line at the console (without its newline).
    pub fn type_line(&mut self, text: &str) {
        self.rt.input.push(text.to_string());
    }

    /// Each live thread and the line it is on (the innermost line of the program's own code).
    pub fn current_lines(&self) -> Vec<ThreadLine> {
        let mut lines = Vec::new();
        for task in &self.rt.tasks {
            if let (false, Some(line)) = (task.state == TaskState::Done, task.current_line()) {
                lines.push(ThreadLine { thread: task.name.clone(), line, waiting: task.state == TaskState::Waiting });
            }
        }
        lines
    }

    /// Hands a completed socket call to the thread waiting on it. Returns whether one was.
    pub fn complete(&mut self, call: CallId, result: CallResult) -> bool {
        let Some(index) =
            self.rt.tasks.iter().position(|task| matches!(task.wait, Some(Wait::Call(id, _)) if id == call))
        else {
            return false;
        };
        let Some(Wait::Call(_, errno)) = self.rt.tasks[index].wait.take() else { return false };
        let resume = match result {
            Err(error) if errno => Ok(Value::Int(error.errno.unwrap_or(0).into())),
            Ok(_) if errno => Ok(Value::Int(0)),
            result => super::modules::socket::result(&mut self.rt, result),
        };
        let task = &mut self.rt.tasks[index];
        task.state = TaskState::Ready;
        task.resume = Some(resume);
        true
    }

    /// Runs the program for at most `budget` steps, thread after thread, and says what it needs next.
    pub fn run(&mut self, budget: u32, net: &mut dyn Sockets) -> Status {
        if let Some(exit_code) = self.finished {
            return Status::Finished { exit_code };
        }
        let mut fuel = i64::from(budget.max(1));
        let count = self.rt.tasks.len();
        let mut idle = 0;
        while fuel > 0 && idle < self.rt.tasks.len().max(count) {
            self.close_dropped(net);
            self.wake(net);
            let task = self.next % self.rt.tasks.len();
            if self.rt.tasks[task].state != TaskState::Ready {
                self.next = task + 1;
                idle += 1;
                continue;
            }
            idle = 0;
            let before = self.rt.steps;
            let outcome = self.rt.run_task(task, net, fuel);
            fuel -= (self.rt.steps - before).max(1) as i64;
            match outcome {
                Outcome::Busy => {
                    self.next = task + 1;
                    break;
                }
                Outcome::Waiting(Wait::Switch(started)) => {
                    // A thread was started: it runs now, as CPython's start() waits for it to begin.
                    self.rt.tasks[task].resume = Some(Ok(Value::Int(started as i64)));
                    self.next = started;
                }
                Outcome::Waiting(wait) => {
                    let waiting = &mut self.rt.tasks[task];
                    waiting.state = TaskState::Waiting;
                    waiting.wait = Some(wait);
                    self.next = task + 1;
                }
                Outcome::Finished(result) => {
                    self.rt.tasks[task].state = TaskState::Done;
                    self.rt.tasks[task].frames.clear();
                    self.ended(task, result, net);
                    self.next = task + 1;
                }
            }
        }
        self.close_dropped(net);
        self.wake(net);
        self.last = self.settle(net);
        self.last.clone()
    }

    /// Wakes the threads whose wait is over: a sleep past, a line typed, a thread ended, a lock free.
    fn wake(&mut self, net: &mut dyn Sockets) {
        let now = net.now();
        for index in 0..self.rt.tasks.len() {
            let resume = match &self.rt.tasks[index].wait {
                Some(Wait::Sleep(until)) if *until <= now => Value::None,
                Some(Wait::Join(other, deadline))
                    if thread_done(&self.rt, *other) || deadline.is_some_and(|d| d <= now) =>
                {
                    Value::None
                }
                Some(Wait::Lock(held)) if !held.get() => {
                    held.set(true);
                    Value::Bool(true)
                }
                Some(wait @ (Wait::Input | Wait::Readline)) if !self.rt.input.is_empty() => {
                    let newline = matches!(wait, Wait::Readline);
                    let line = take_input(&mut self.rt, net).unwrap_or_default();
                    Value::str(&if newline { line + "\n" } else { line })
                }
                _ => continue,
            };
            let task = &mut self.rt.tasks[index];
            task.wait = None;
            task.state = TaskState::Ready;
            task.resume = Some(Ok(resume));
        }
    }

    /// Closes the sockets the program freed without closing them.
    fn close_dropped(&mut self, net: &mut dyn Sockets) {
        let dropped: Vec<_> = self.rt.dropped.borrow_mut().drain(..).collect();
        for fd in dropped {
            if self.rt.open.contains(&fd) {
                self.rt.open.retain(|&open| open != fd);
                net.call(Call::Close { fd });
            }
        }
    }

    /// A thread ended, returning or raising.
    fn ended(&mut self, task: usize, result: Result<Value, Rc<Instance>>, net: &mut dyn Sockets) {
        let main = task == 0;
        let code = match result {
            Ok(_) => 0,
            Err(exception) if exception.class.exception_kind() == Some(Kind::SystemExit) => {
                let code = get_attr(&exception.attrs, "code").unwrap_or(Value::None);
                match code {
                    Value::None => 0,
                    Value::Int(code) => code as i32,
                    Value::Bool(b) => i32::from(b),
                    _ if !main => 1,
                    other => {
                        let text = self.describe(&other, net);
                        self.rt.write(Stream::Stderr, &(text + "\n"), net);
                        1
                    }
                }
            }
            Err(exception) => {
                self.uncaught.push(exception.class.name.clone());
                let mut text = String::new();
                if !main {
                    text.push_str("Exception in thread ");
                    text.push_str(&self.rt.tasks[task].name);
                    text.push_str(":\n");
                }
                text.push_str(&self.traceback(&exception, net));
                self.rt.write(Stream::Stderr, &text, net);
                1
            }
        };
        if main {
            self.main_exit = Some(code);
        }
    }

    /// `str()` of a value, for an exit message.
    fn describe(&mut self, value: &Value, net: &mut dyn Sockets) -> String {
        self.rt.describe(value, net)
    }

    /// The traceback Python prints for an uncaught exception.
    fn traceback(&mut self, exception: &Rc<Instance>, net: &mut dyn Sockets) -> String {
        let mut entries: Vec<Entry> = exception.traceback.borrow().clone();
        entries.reverse();
        let message = self.describe(&Value::Instance(exception.clone()), net);
        let name = exception.class.name.to_string();
        let last = if message.is_empty() { name } else { name + ": " + &message };
        traceback::render(&entries, &last)
    }

    /// What the process needs now; ends it when its last non-daemon thread has ended.
    fn settle(&mut self, net: &mut dyn Sockets) -> Status {
        let alive = |task: &Task| task.state != TaskState::Done && !task.daemon;
        if let Some(code) = self.main_exit {
            if !self.rt.tasks.iter().any(alive) {
                self.finish(code, net);
                return Status::Finished { exit_code: code };
            }
        }
        if self.rt.tasks.iter().any(|task| task.state == TaskState::Ready) {
            return Status::Runnable;
        }
        let mut calls = Vec::new();
        let mut wake_at: Option<Instant> = None;
        let mut input = false;
        for task in &self.rt.tasks {
            match &task.wait {
                Some(Wait::Call(id, _)) => calls.push(*id),
                Some(Wait::Sleep(at) | Wait::Join(_, Some(at))) => {
                    wake_at = Some(wake_at.map_or(*at, |w| w.min(*at)));
                }
                Some(Wait::Input | Wait::Readline) => input = true,
                _ => {}
            }
        }
        Status::Waiting { calls, wake_at, input }
    }

    /// Ends the process: its sockets are closed, as the kernel closes them when a program exits.
    fn finish(&mut self, code: i32, net: &mut dyn Sockets) {
        for fd in core::mem::take(&mut self.rt.open) {
            net.call(Call::Close { fd });
        }
        for task in &mut self.rt.tasks {
            task.state = TaskState::Done;
            task.wait = None;
            task.frames.clear();
            task.start = None;
        }
        self.rt.dropped.borrow_mut().clear();
        self.finished = Some(code);
        self.last = Status::Finished { exit_code: code };
    }

    /// Stops the program as Ctrl-C would one that does not catch it: the main thread's
    /// traceback ends in `KeyboardInterrupt`, every thread ends, the sockets close, exit code 130.
    pub fn stop(&mut self, net: &mut dyn Sockets) {
        if self.finished.is_some() {
            return;
        }
        let main = &self.rt.tasks[0];
        if main.state != TaskState::Done {
            let text = traceback::render(&main.lines(), "KeyboardInterrupt");
            self.rt.write(Stream::Stderr, &text, net);
        }
        self.finish(130, net);
    }

    /// The classes of the exceptions no thread caught (`ConnectionRefusedError`), in order.
    pub fn uncaught(&self) -> &[Rc<str>] {
        &self.uncaught
    }

    /// The variables that hold the program's open sockets, by descriptor: a thread's own first
    /// (`conn` in a handler), innermost call first, then the program's globals (`s`). For the
    /// host panel's socket table.
    pub fn socket_names(&self) -> Vec<(Fd, Rc<str>)> {
        let mut names: Vec<(Fd, Rc<str>)> = Vec::new();
        let mut note = |name: &Rc<str>, value: &Value| {
            let fd = match value {
                Value::Socket(socket) => socket.fd.get(),
                Value::Cell(cell) => match &*cell.borrow() {
                    Value::Socket(socket) => socket.fd.get(),
                    _ => return,
                },
                _ => return,
            };
            if fd >= 0 && !names.iter().any(|(known, _)| *known == fd) {
                names.push((fd, name.clone()));
            }
        };
        for task in &self.rt.tasks {
            for frame in task.frames.iter().rev() {
                frame.code.locals.iter().zip(&frame.locals).for_each(|(name, value)| note(name, value));
            }
        }
        self.main.globals.borrow().iter().for_each(|(name, value)| note(name, value));
        names
    }

    /// The program's file name.
    pub fn file(&self) -> &str {
        &self.source.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_keeps_its_newest_lines() {
        let mut console = Console::default();
        for n in 0..12_000 {
            console.write(Stream::Stdout, &format!("{n}\n"), Instant::ZERO);
        }
        assert_eq!(console.lines().len(), MAX_LINES);
        assert_eq!(console.dropped(), 12_000 - MAX_LINES);
        assert_eq!(console.lines()[0].text, (12_000 - MAX_LINES).to_string());
        assert_eq!(console.lines().last().map(|line| line.text.as_str()), Some("11999"));
    }
}
