//! The machine: runs bytecode, one thread at a time, and can stop a thread anywhere.
//!
//! This module owns execution: frames with explicit value stacks (never the Rust stack, so a
//! blocking call suspends a thread mid-expression and a later [`Runtime::run_task`] resumes it),
//! calls and argument binding, attribute lookup on every kind of value, classes and instances,
//! exceptions (handlers, unwinding, tracebacks) and imports. A thread runs until it finishes,
//! raises, waits (a socket call, `sleep`, `input`, `join`, a lock) or uses up its fuel.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::{BinOp, CmpOp, UnOp};
use super::builtins::{self, Native};
use super::code::{Code, Op};
use super::modules;
use super::operators;
use super::process::{Console, Stream, Wait};
use super::sockets::Sockets;
use super::traceback::Entry;
use super::value::*;
use crate::sim::Fd;

/// How deep calls may nest in one thread before `RecursionError` (CPython's default).
pub const MAX_FRAMES: usize = 1000;
/// How deep Python code called from built-ins (`__str__`, sort keys…) may nest.
const MAX_NESTED: u32 = 16;
/// Steps a call from a built-in may take: it cannot pause, so it must end.
const NESTED_FUEL: i64 = 5_000_000;

/// What a returning frame gives its caller.
pub enum OnReturn {
    /// Its value.
    Value,
    /// `__init__` returned: the new instance.
    Instance(Value),
    /// A class body returned: the class built from its names, on this base.
    Class(Option<Rc<Class>>),
    /// A module body returned: the module.
    Module(Rc<Module>),
}

pub struct Frame {
    pub code: Rc<Code>,
    pub pc: usize,
    pub stack: Vec<Value>,
    pub locals: Vec<Value>,
    /// Active `try` handlers: where to jump and the stack depth to cut back to.
    pub handlers: Vec<(u32, u32)>,
    pub globals: Rc<Module>,
    pub function: Option<Rc<Function>>,
    /// A class body's names.
    pub namespace: Vec<(Rc<str>, Value)>,
    pub on_return: OnReturn,
}

impl Frame {
    pub fn new(code: Rc<Code>, globals: Rc<Module>, function: Option<Rc<Function>>, on_return: OnReturn) -> Frame {
        Frame {
            locals: vec![Value::Unbound; code.locals.len()],
            code,
            pc: 0,
            stack: Vec::new(),
            handlers: Vec::new(),
            globals,
            function,
            namespace: Vec::new(),
            on_return,
        }
    }

    /// The line of the instruction running or last run.
    pub fn line(&self) -> u32 {
        self.code.line_at(self.pc)
    }

    /// The line of the instruction that runs next.
    fn next_line(&self) -> u32 {
        self.code.lines.get(self.pc).copied().unwrap_or_else(|| self.line())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Ready,
    Waiting,
    Done,
}

/// A thread of the program.
pub struct Task {
    pub frames: Vec<Frame>,
    pub state: TaskState,
    pub wait: Option<Wait>,
    /// What to hand the thread when it resumes: the result of the call it waited on.
    pub resume: Option<Result<Value, Exc>>,
    /// A thread not started yet: what to call first.
    pub start: Option<(Value, Vec<Value>)>,
    pub name: Rc<str>,
    /// Its `threading.Thread` object (`None` for the main thread).
    pub thread: Value,
    pub daemon: bool,
}

impl Task {
    pub fn new(name: Rc<str>, thread: Value, daemon: bool) -> Task {
        Task {
            frames: Vec::new(),
            state: TaskState::Ready,
            wait: None,
            resume: None,
            start: None,
            name,
            thread,
            daemon,
        }
    }

    /// The line each frame is on, outermost first: a thread paused between instructions (out of
    /// steps) is on the next one; a thread in a call, on the call.
    pub fn lines(&self) -> Vec<Entry> {
        let paused = self.state == TaskState::Ready && self.resume.is_none();
        let top = self.frames.len().saturating_sub(1);
        let mut lines = Vec::new();
        for (i, frame) in self.frames.iter().enumerate() {
            let line = if i == top && paused { frame.next_line() } else { frame.line() };
            lines.push(Entry { code: frame.code.clone(), line });
        }
        lines
    }

    /// The line of the innermost frame of the program's own code.
    pub fn current_line(&self) -> Option<u32> {
        let mut line = None;
        for entry in self.lines() {
            if !entry.code.source.hidden {
                line = Some(entry.line);
            }
        }
        line
    }
}

/// How a run of one thread ended.
pub enum Outcome {
    /// The thread's first call returned, or raised (an exception object).
    Finished(Result<Value, Rc<Instance>>),
    Waiting(Wait),
    /// Out of fuel: still runnable.
    Busy,
}

/// Everything a program's threads share.
pub struct Runtime {
    /// The built-in exception classes, by [`Kind`].
    pub classes: Vec<Rc<Class>>,
    pub modules: Vec<Rc<Module>>,
    pub tasks: Vec<Task>,
    pub console: Console,
    /// Lines typed and not yet read, oldest first.
    pub input: Vec<String>,
    pub python2: bool,
    pub argv: Vec<Rc<str>>,
    /// Sockets freed without `close()`: closed at the next chance, as CPython does.
    pub dropped: Rc<RefCell<Vec<Fd>>>,
    /// Descriptors the program holds, closed when it ends.
    pub open: Vec<Fd>,
    /// Steps run so far.
    pub steps: u64,
    pub threads_made: u32,
}

impl Runtime {
    pub fn new(python2: bool, argv: Vec<Rc<str>>) -> Runtime {
        let mut classes: Vec<Rc<Class>> = Vec::new();
        for (i, (name, parent)) in KINDS.iter().enumerate() {
            let base = if i == 0 { None } else { Some(classes[*parent as usize].clone()) };
            let kind = Kind::named(name).expect("every kind has its name");
            classes.push(Rc::new(Class {
                name: (*name).into(),
                base,
                attrs: RefCell::new(Vec::new()),
                builtin: Some(kind),
            }));
        }
        Runtime {
            classes,
            modules: Vec::new(),
            tasks: Vec::new(),
            console: Console::default(),
            input: Vec::new(),
            python2,
            argv,
            dropped: Rc::new(RefCell::new(Vec::new())),
            open: Vec::new(),
            steps: 0,
            threads_made: 0,
        }
    }

    /// Runs thread `task` until it finishes, waits, or has run `fuel` steps.
    pub fn run_task(&mut self, task: usize, net: &mut dyn Sockets, fuel: i64) -> Outcome {
        let frames = core::mem::take(&mut self.tasks[task].frames);
        let start = self.tasks[task].start.take();
        let resume = self.tasks[task].resume.take();
        let mut vm = Vm { rt: self, net, frames, task, fuel, nested: 0 };
        let result = vm.resume_and_run(start, resume);
        let fuel_left = vm.fuel;
        let frames = core::mem::take(&mut vm.frames);
        self.steps += (fuel - fuel_left).max(0) as u64;
        self.tasks[task].frames = frames;
        match result.map_err(|error| *error) {
            Ok(value) => Outcome::Finished(Ok(value)),
            Err(Thrown::Wait(Wait::Busy)) => Outcome::Busy,
            Err(Thrown::Wait(wait)) => Outcome::Waiting(wait),
            Err(Thrown::Object(exception)) => Outcome::Finished(Err(exception)),
            Err(other) => Outcome::Finished(Err(self.exception(Box::new(other)))),
        }
    }

    /// An exception object for an exception (new ones become instances of their class).
    #[allow(clippy::boxed_local)] // every error travels boxed
    pub fn exception(&self, exc: Exc) -> Rc<Instance> {
        match *exc {
            Thrown::Object(object) => object,
            Thrown::New(kind, message) => {
                let args = if message.is_empty() { Vec::new() } else { vec![Value::str(&message)] };
                self.new_exception(&self.classes[kind as usize], args)
            }
            Thrown::Os(kind, errno, message) => {
                self.new_exception(&self.classes[kind as usize], vec![Value::Int(errno.into()), Value::str(&message)])
            }
            Thrown::Wait(_) => self.new_exception(
                &self.classes[Kind::RuntimeError as usize],
                vec![Value::str("a blocking call cannot run here (inside __str__, a sort key…)")],
            ),
        }
    }

    /// An instance of exception class `class` with `args` (and `errno`/`strerror` for `OSError`s).
    pub fn new_exception(&self, class: &Rc<Class>, args: Vec<Value>) -> Rc<Instance> {
        let mut attrs = Vec::new();
        if class.is_subclass_of(&self.classes[Kind::OSError as usize]) {
            let (errno, strerror) = match args.as_slice() {
                [errno @ Value::Int(_), strerror, ..] => (errno.clone(), strerror.clone()),
                _ => (Value::None, Value::None),
            };
            attrs.push(("errno".into(), errno));
            attrs.push(("strerror".into(), strerror));
        }
        if class.exception_kind() == Some(Kind::SystemExit) {
            attrs.push(("code".into(), args.first().cloned().unwrap_or(Value::None)));
        }
        attrs.insert(0, ("args".into(), Value::tuple(args)));
        Rc::new(Instance { class: class.clone(), attrs: RefCell::new(attrs), traceback: RefCell::new(Vec::new()) })
    }

    pub fn class(&self, kind: Kind) -> Value {
        Value::Class(self.classes[kind as usize].clone())
    }

    /// `str(value)` outside any thread (an exit message, an uncaught exception's message).
    pub fn describe(&mut self, value: &Value, net: &mut dyn Sockets) -> String {
        let mut vm = Vm { rt: self, net, frames: Vec::new(), task: 0, fuel: NESTED_FUEL, nested: 0 };
        vm.str(value).unwrap_or_else(|_| "<exception str() failed>".into())
    }

    /// Writes program output to the console.
    pub fn write(&mut self, stream: Stream, text: &str, net: &dyn Sockets) {
        self.console.write(stream, text, net.now());
    }
}

/// A thread running: the runtime, the network, and the thread's frames.
pub struct Vm<'a> {
    pub rt: &'a mut Runtime,
    pub net: &'a mut dyn Sockets,
    pub frames: Vec<Frame>,
    pub task: usize,
    /// Steps left before the thread pauses; built-ins that do much work burn more.
    pub fuel: i64,
    /// How many built-ins up the Rust stack are running Python code.
    pub nested: u32,
}

/// `AttributeError` for a value that has no attribute `name`.
pub fn attribute_error(value: &Value, name: &str) -> Exc {
    let message = match value {
        Value::Module(module) => format!("module '{}' has no attribute '{name}'", module.name),
        Value::Class(class) => format!("type object '{}' has no attribute '{name}'", class.name),
        _ => format!("'{}' object has no attribute '{name}'", value.type_name()),
    };
    raise(Kind::AttributeError, message)
}

impl Vm<'_> {
    /// The running frame. Not inlined: the machine reaches it from some sixty places.
    #[inline(never)]
    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a frame is running")
    }

    /// The running frame's value stack: found inline, as push and pop run at almost every step.
    fn stack(&mut self) -> &mut Vec<Value> {
        &mut self.frames.last_mut().expect("a frame is running").stack
    }

    fn push(&mut self, value: Value) {
        self.stack().push(value);
    }

    fn pop(&mut self) -> Value {
        self.stack().pop().unwrap_or(Value::None)
    }

    fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let stack = self.stack();
        let at = stack.len().saturating_sub(n);
        stack.split_off(at)
    }

    /// Uses up fuel for work proportional to `units` (bytes copied, items visited).
    pub fn burn(&mut self, units: usize) {
        self.fuel -= (units / 32) as i64;
    }

    /// The line the thread is on, for built-ins that report it (logging).
    pub fn caller(&self) -> Option<(Rc<Code>, u32)> {
        self.frames.iter().rev().find(|frame| !frame.code.source.hidden).map(|frame| (frame.code.clone(), frame.line()))
    }

    fn resume_and_run(&mut self, start: Option<(Value, Vec<Value>)>, resume: Option<Res<Value>>) -> Res<Value> {
        if let Some((callee, args)) = start {
            if let Some(value) = self.call(callee, args, Vec::new())? {
                return Ok(value);
            }
        }
        match resume {
            Some(Ok(value)) => self.push(value),
            Some(Err(exc)) => {
                let exception = self.rt.exception(exc);
                self.throw(exception, 0, true)?;
            }
            None => {}
        }
        if self.frames.is_empty() {
            return Ok(Value::None);
        }
        self.execute(0)
    }

    /// Calls Python code from a built-in and waits for its result. The call cannot pause: a
    /// blocking call inside it raises `RuntimeError`, and it has a step limit of its own.
    pub fn call_value(&mut self, callee: Value, args: Vec<Value>, kwargs: Vec<(Rc<str>, Value)>) -> Res<Value> {
        if self.nested >= MAX_NESTED {
            return Err(raise(Kind::RecursionError, "maximum recursion depth exceeded"));
        }
        let base = self.frames.len();
        if let Some(value) = self.call(callee, args, kwargs)? {
            return Ok(value);
        }
        self.finish_nested(base)
    }

    /// Runs the frames pushed above `base` to their end, for a built-in waiting on them.
    pub fn finish_nested(&mut self, base: usize) -> Res<Value> {
        // One built-in may run at most NESTED_FUEL steps of Python code in all (a sort key
        // over a million items stops there), so that no single step freezes the page.
        let budget = (self.fuel + NESTED_FUEL).min(NESTED_FUEL);
        if budget <= 0 {
            self.frames.truncate(base);
            return Err(raise(Kind::RuntimeError, "code called from a built-in ran too long"));
        }
        self.nested += 1;
        let fuel = core::mem::replace(&mut self.fuel, budget);
        let result = self.execute(base);
        let used = budget - self.fuel;
        self.fuel = fuel - used.max(0);
        self.nested -= 1;
        match result {
            Err(error) if matches!(*error, Thrown::Wait(_)) => {
                self.frames.truncate(base);
                let message = if matches!(*error, Thrown::Wait(Wait::Busy)) {
                    "code called from a built-in ran too long"
                } else {
                    "a blocking call cannot run here (inside __str__, a sort key…)"
                };
                Err(raise(Kind::RuntimeError, message))
            }
            other => other,
        }
    }

    /// Runs until the frame at index `base` returns; its result is returned.
    fn execute(&mut self, base: usize) -> Res<Value> {
        loop {
            if self.fuel <= 0 {
                return Err(waiting(Wait::Busy));
            }
            self.fuel -= 1;
            let frame = self.frames.last_mut().expect("a frame is running");
            let Some(&op) = frame.code.ops.get(frame.pc) else {
                return Err(raise(Kind::RuntimeError, "ran past the end of the code"));
            };
            frame.pc += 1;
            let result = match op {
                Op::Return => {
                    let value = self.pop();
                    let frame = self.frames.pop().expect("a frame is running");
                    let value = match self.returned(frame, value) {
                        Ok(value) => value,
                        Err(exc) if self.frames.len() > base => {
                            let exception = self.rt.exception(exc);
                            self.throw(exception, base, true)?;
                            continue;
                        }
                        Err(exc) => return Err(exc),
                    };
                    if self.frames.len() == base {
                        return Ok(value);
                    }
                    self.push(value);
                    Ok(())
                }
                op => self.step(op),
            };
            if let Err(exc) = result {
                if let Thrown::Wait(_) = *exc {
                    return Err(exc);
                }
                let here = !matches!(op, Op::Reraise);
                let exception = self.rt.exception(exc);
                self.throw(exception, base, here)?;
            }
        }
    }

    /// What a returning frame hands its caller.
    fn returned(&mut self, frame: Frame, value: Value) -> Res<Value> {
        match frame.on_return {
            OnReturn::Value => Ok(value),
            OnReturn::Instance(instance) => {
                if !matches!(value, Value::None) {
                    return Err(type_error_of("__init__() should return None, not '", &value, "'"));
                }
                Ok(instance)
            }
            OnReturn::Module(module) => Ok(Value::Module(module)),
            OnReturn::Class(base) => {
                let class = Rc::new(Class {
                    name: frame.code.name.clone(),
                    base,
                    attrs: RefCell::new(frame.namespace),
                    builtin: None,
                });
                for (_, value) in class.attrs.borrow().iter() {
                    if let Value::Function(function) = value {
                        *function.owner.borrow_mut() = Rc::downgrade(&class);
                    }
                }
                Ok(Value::Class(class))
            }
        }
    }

    /// Unwinds the stack to the innermost handler, adding traceback entries; `here` adds one for
    /// the frame raising (a bare `raise` does not). Past frame `base`, the exception is returned.
    fn throw(&mut self, exception: Rc<Instance>, base: usize, here: bool) -> Res<()> {
        let mut add = here;
        loop {
            let Some(frame) = self.frames.last_mut() else {
                return Err(thrown(exception));
            };
            if add {
                exception.traceback.borrow_mut().push(Entry { code: frame.code.clone(), line: frame.line() });
            }
            add = true;
            if let Some((target, depth)) = frame.handlers.pop() {
                frame.stack.truncate(depth as usize);
                frame.stack.push(Value::Instance(exception));
                frame.pc = target as usize;
                return Ok(());
            }
            self.frames.pop();
            if self.frames.len() <= base {
                return Err(thrown(exception));
            }
        }
    }

    fn step(&mut self, op: Op) -> Res<()> {
        match op {
            Op::Const(index) => {
                let frame = self.frame();
                let value = frame.code.consts[index as usize].clone();
                frame.stack.push(value);
            }
            Op::LoadLocal(slot) => {
                let frame = self.frame();
                let value = frame.locals[slot as usize].clone();
                if let Value::Unbound = value {
                    return Err(unbound_local(&frame.code.locals[slot as usize]));
                }
                frame.stack.push(value);
            }
            Op::StoreLocal(slot) => {
                let value = self.pop();
                self.frame().locals[slot as usize] = value;
            }
            Op::DeleteLocal(slot) => {
                let frame = self.frame();
                if let Value::Unbound = core::mem::replace(&mut frame.locals[slot as usize], Value::Unbound) {
                    let name = frame.code.locals[slot as usize].clone();
                    return Err(raise(Kind::UnboundLocalError, format!("cannot access local variable '{name}'")));
                }
            }
            Op::LoadCell(slot) => {
                let frame = self.frame();
                let value = match &frame.locals[slot as usize] {
                    Value::Cell(cell) => cell.borrow().clone(),
                    _ => Value::Unbound,
                };
                if let Value::Unbound = value {
                    return Err(unbound_local(&frame.code.locals[slot as usize]));
                }
                frame.stack.push(value);
            }
            Op::StoreCell(slot) => {
                let value = self.pop();
                if let Value::Cell(cell) = &self.frame().locals[slot as usize] {
                    *cell.borrow_mut() = value;
                }
            }
            Op::LoadFree(index) => {
                let frame = self.frame();
                let value = frame
                    .function
                    .as_ref()
                    .and_then(|f| f.closure.get(index as usize))
                    .map_or(Value::Unbound, |cell| cell.borrow().clone());
                if let Value::Unbound = value {
                    let name = frame.code.free[index as usize].clone();
                    return Err(raise(
                        Kind::NameError,
                        format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
                    ));
                }
                frame.stack.push(value);
            }
            Op::StoreFree(index) => {
                let value = self.pop();
                if let Some(cell) = self.frame().function.as_ref().and_then(|f| f.closure.get(index as usize)) {
                    *cell.borrow_mut() = value;
                }
            }
            Op::CellOfLocal(slot) => {
                let cell = self.frame().locals[slot as usize].clone();
                self.push(cell);
            }
            Op::CellOfFree(index) => {
                let cell = self.frame().function.as_ref().and_then(|f| f.closure.get(index as usize).cloned());
                self.push(cell.map_or(Value::None, Value::Cell));
            }
            Op::LoadGlobal(slot) => {
                let frame = self.frame();
                let (name, value) = frame.globals.globals.borrow()[slot as usize].clone();
                let value = match value {
                    Value::Unbound => self.builtin(&name)?,
                    value => value,
                };
                self.push(value);
            }
            Op::StoreGlobal(slot) => {
                let value = self.pop();
                self.frame().globals.globals.borrow_mut()[slot as usize].1 = value;
            }
            Op::DeleteGlobal(slot) => {
                let frame = self.frame();
                let mut globals = frame.globals.globals.borrow_mut();
                let (name, value) = &mut globals[slot as usize];
                if let Value::Unbound = core::mem::replace(value, Value::Unbound) {
                    return Err(raise(Kind::NameError, format!("name '{name}' is not defined")));
                }
            }
            Op::LoadName(index) => {
                let frame = self.frame();
                let name = frame.code.names[index as usize].clone();
                let value = match frame.namespace.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => value.clone(),
                    None => match frame.globals.get(&name) {
                        Some(value) => value,
                        None => self.builtin(&name)?,
                    },
                };
                self.push(value);
            }
            Op::StoreName(index) => {
                let value = self.pop();
                let frame = self.frame();
                let name = frame.code.names[index as usize].clone();
                match frame.namespace.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = value,
                    None => frame.namespace.push((name, value)),
                }
            }
            Op::LoadAttr(index) => {
                let object = self.pop();
                let name = self.frame().code.names[index as usize].clone();
                let value = self.get_attr(&object, &name)?;
                self.push(value);
            }
            Op::StoreAttr(index) => {
                let object = self.pop();
                let value = self.pop();
                let name = self.frame().code.names[index as usize].clone();
                self.set_attr(&object, &name, value)?;
            }
            Op::DeleteAttr(index) => {
                let object = self.pop();
                let name = self.frame().code.names[index as usize].clone();
                let attrs = match &object {
                    Value::Instance(instance) => &instance.attrs,
                    Value::Class(class) => &class.attrs,
                    _ => return Err(attribute_error(&object, &name)),
                };
                let mut attrs = attrs.borrow_mut();
                let Some(at) = attrs.iter().position(|(n, _)| *n == name) else {
                    drop(attrs);
                    return Err(attribute_error(&object, &name));
                };
                attrs.remove(at);
            }
            Op::LoadIndex => {
                let index = self.pop();
                let value = self.pop();
                let item = operators::index(self, &value, &index)?;
                self.push(item);
            }
            Op::StoreIndex => {
                let index = self.pop();
                let target = self.pop();
                let value = self.pop();
                operators::store_index(&target, index, value)?;
            }
            Op::DeleteIndex => {
                let index = self.pop();
                let target = self.pop();
                operators::delete_index(&target, &index)?;
            }
            Op::LoadSlice => {
                let parts = self.pop_n(3);
                let value = self.pop();
                let slice = operators::slice(self, &value, &parts)?;
                self.push(slice);
            }
            Op::Binary(op) => {
                let right = self.pop();
                let left = self.pop();
                let value = match (op, &left, &right) {
                    (BinOp::Add, Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(*b).ok_or_else(overflow)?),
                    (BinOp::Sub, Value::Int(a), Value::Int(b)) => Value::Int(a.checked_sub(*b).ok_or_else(overflow)?),
                    _ => operators::binary(self, op, left, right)?,
                };
                self.push(value);
            }
            Op::InPlace(op) => {
                let right = self.pop();
                let left = self.pop();
                let value = match (op, &left) {
                    (BinOp::Add, Value::List(list)) => {
                        let items = builtins::collect(self, &right)?;
                        operators::check_len(list.0.borrow().len() + items.len())?;
                        list.0.borrow_mut().extend(items);
                        left
                    }
                    (BinOp::Add, Value::Int(a)) if matches!(right, Value::Int(_)) => {
                        let Value::Int(b) = right else { unreachable!() };
                        Value::Int(a.checked_add(b).ok_or_else(overflow)?)
                    }
                    _ => operators::binary(self, op, left, right)?,
                };
                self.push(value);
            }
            Op::Unary(op) => {
                let value = self.pop();
                let result = match (op, &value) {
                    (UnOp::Not, _) => Value::Bool(!self.truthy(&value)?),
                    (UnOp::Neg, Value::Int(i)) => Value::Int(i.checked_neg().ok_or_else(overflow)?),
                    (UnOp::Neg, Value::Bool(b)) => Value::Int(-i64::from(*b)),
                    (UnOp::Neg, Value::Float(f)) => Value::Float(-f),
                    (UnOp::Pos, Value::Int(_) | Value::Float(_)) => value.clone(),
                    (UnOp::Pos, Value::Bool(b)) => Value::Int(i64::from(*b)),
                    (UnOp::Invert, Value::Int(_) | Value::Bool(_)) => Value::Int(!value.as_int().unwrap_or(0)),
                    _ => {
                        let symbol = match op {
                            UnOp::Neg => "-",
                            UnOp::Pos => "+",
                            _ => "~",
                        };
                        return Err(type_error(format!(
                            "bad operand type for unary {symbol}: '{}'",
                            value.type_name()
                        )));
                    }
                };
                self.push(result);
            }
            Op::Compare(op) => {
                let right = self.pop();
                let left = self.pop();
                let result = match (op, &left, &right) {
                    (CmpOp::Lt, Value::Int(a), Value::Int(b)) => a < b,
                    (CmpOp::Gt, Value::Int(a), Value::Int(b)) => a > b,
                    (CmpOp::Eq, Value::Int(a), Value::Int(b)) => a == b,
                    _ => operators::compare(self, op, &left, &right)?,
                };
                self.push(Value::Bool(result));
            }
            Op::Jump(target) => self.frame().pc = target as usize,
            Op::JumpIfFalse(target) | Op::JumpIfTrue(target) => {
                let value = self.pop();
                let truth = match value {
                    Value::Bool(b) => b,
                    ref other => self.truthy(other)?,
                };
                if truth == matches!(op, Op::JumpIfTrue(_)) {
                    self.frame().pc = target as usize;
                }
            }
            Op::JumpIfFalseElsePop(target) | Op::JumpIfTrueElsePop(target) => {
                let value = self.frame().stack.last().cloned().unwrap_or(Value::None);
                if self.truthy(&value)? == matches!(op, Op::JumpIfTrueElsePop(_)) {
                    self.frame().pc = target as usize;
                } else {
                    self.pop();
                }
            }
            Op::GetIter => {
                let value = self.pop();
                let iter = builtins::iterate(self, value)?;
                self.push(iter);
            }
            Op::ForIter(target) => {
                let Some(Value::Iter(iter)) = self.frame().stack.last().cloned() else {
                    return Err(type_error("for loop over a non-iterator"));
                };
                let next = iter.borrow_mut().advance();
                match next {
                    Some(item) => self.push(item),
                    None => {
                        self.pop();
                        self.frame().pc = target as usize;
                    }
                }
            }
            Op::BuildTuple(n) => {
                let items = self.pop_n(n as usize);
                self.push(Value::tuple(items));
            }
            Op::BuildList(n) => {
                let items = self.pop_n(n as usize);
                self.push(Value::list(items));
            }
            Op::BuildSet(n) => {
                let items = self.pop_n(n as usize);
                let mut set = Dict::default();
                for item in items {
                    set.insert(item, Value::None)?;
                }
                self.push(Value::Set(Rc::new(RefCell::new(set))));
            }
            Op::BuildDict(n) => {
                let items = self.pop_n(2 * n as usize);
                let mut dict = Dict::default();
                let mut items = items.into_iter();
                while let (Some(key), Some(value)) = (items.next(), items.next()) {
                    dict.insert(key, value)?;
                }
                self.push(Value::Dict(Rc::new(RefCell::new(dict))));
            }
            Op::BuildString(n) => {
                let parts = self.pop_n(n as usize);
                let mut text = String::new();
                for part in &parts {
                    if let Value::Str(s) = part {
                        text.push_str(s);
                    }
                }
                self.burn(text.len());
                self.push(Value::str(&text));
            }
            Op::ListAppend(depth) => {
                let value = self.pop();
                let frame = self.frame();
                let at = frame.stack.len() - 1 - depth as usize;
                match &frame.stack[at] {
                    Value::List(list) => {
                        operators::check_len(list.0.borrow().len() + 1)?;
                        list.0.borrow_mut().push(value);
                    }
                    Value::Set(set) => set.borrow_mut().insert(value, Value::None)?,
                    _ => {}
                }
            }
            Op::DictSet(depth) => {
                let value = self.pop();
                let key = self.pop();
                let frame = self.frame();
                let at = frame.stack.len() - 1 - depth as usize;
                if let Value::Dict(dict) = &frame.stack[at] {
                    dict.borrow_mut().insert(key, value)?;
                }
            }
            Op::ListExtend => {
                let iterable = self.pop();
                let items = builtins::collect(self, &iterable)?;
                if let Some(Value::List(list)) = self.frame().stack.last() {
                    operators::check_len(list.0.borrow().len() + items.len())?;
                    list.0.borrow_mut().extend(items);
                }
            }
            Op::DictUpdate => {
                let mapping = self.pop();
                let Value::Dict(source) = mapping else {
                    return Err(type_error_of("argument after ** must be a mapping, not ", &mapping, ""));
                };
                let entries = source.borrow().entries.clone();
                if let Some(Value::Dict(dict)) = self.frame().stack.last().cloned() {
                    for (key, value) in entries {
                        dict.borrow_mut().insert(key, value)?;
                    }
                }
            }
            Op::Format(conversion, has_spec) => {
                let spec = if has_spec { self.pop() } else { Value::None };
                let value = self.pop();
                let value = match conversion {
                    b'r' | b'a' => Value::str(&self.repr(&value)?),
                    b's' => Value::str(&self.str(&value)?),
                    _ => value,
                };
                let spec = match &spec {
                    Value::Str(spec) => spec.clone(),
                    _ => "".into(),
                };
                let text = super::format::format_value(self, &value, &spec)?;
                self.push(Value::str(&text));
            }
            Op::Unpack(n) => {
                let value = self.pop();
                let items = builtins::collect(self, &value)?;
                if items.len() != n as usize {
                    return Err(value_error(if items.len() > n as usize {
                        format!("too many values to unpack (expected {n})")
                    } else {
                        format!("not enough values to unpack (expected {n}, got {})", items.len())
                    }));
                }
                let mut items = items;
                items.reverse();
                self.frame().stack.extend(items);
            }
            Op::UnpackStar(before, after) => {
                let value = self.pop();
                let mut items = builtins::collect(self, &value)?;
                let (before, after) = (before as usize, after as usize);
                if items.len() < before + after {
                    return Err(value_error(format!(
                        "not enough values to unpack (expected at least {}, got {})",
                        before + after,
                        items.len()
                    )));
                }
                // On the stack in reverse: the items after the starred one, its list, the ones before.
                let mut tail = items.split_off(items.len() - after);
                let middle = items.split_off(before);
                items.push(Value::list(middle));
                items.append(&mut tail);
                items.reverse();
                self.frame().stack.extend(items);
            }
            Op::Call(n) => {
                let args = self.pop_n(n as usize);
                let callee = self.pop();
                if let Some(value) = self.call(callee, args, Vec::new())? {
                    self.push(value);
                }
            }
            Op::CallKw(n, names) => {
                let Value::Tuple(names) = self.frame().code.consts[names as usize].clone() else {
                    return Err(type_error("bad call"));
                };
                let mut args = self.pop_n(n as usize);
                let callee = self.pop();
                let values = args.split_off(args.len() - names.0.len());
                let mut kwargs = Vec::new();
                for (i, value) in values.into_iter().enumerate() {
                    let name = match &names.0[i] {
                        Value::Str(name) => name.clone(),
                        _ => "".into(),
                    };
                    kwargs.push((name, value));
                }
                if let Some(value) = self.call(callee, args, kwargs)? {
                    self.push(value);
                }
            }
            Op::CallStar => {
                let kwargs = self.pop();
                let args = self.pop();
                let callee = self.pop();
                let args = builtins::collect(self, &args)?;
                let mut keywords = Vec::new();
                if let Value::Dict(dict) = kwargs {
                    for (key, value) in dict.borrow().entries.iter() {
                        let Value::Str(key) = key else {
                            return Err(type_error("keywords must be strings"));
                        };
                        keywords.push((key.clone(), value.clone()));
                    }
                }
                if let Some(value) = self.call(callee, args, keywords)? {
                    self.push(value);
                }
            }
            Op::CallMethod(name, n) => {
                let args = self.pop_n(n as usize);
                let receiver = self.pop();
                let name = self.frame().code.names[name as usize].clone();
                if let Some(value) = self.call_method(receiver, &name, args)? {
                    self.push(value);
                }
            }
            Op::MakeFunction(index, flags) => {
                let closure = if flags & 4 != 0 {
                    let cells = self.pop();
                    builtins::collect(self, &cells)?
                } else {
                    Vec::new()
                };
                let mut keyword_defaults = Vec::new();
                if flags & 2 != 0 {
                    if let Value::Dict(dict) = self.pop() {
                        for (key, value) in &dict.borrow().entries {
                            let name = if let Value::Str(key) = key { key.clone() } else { "".into() };
                            keyword_defaults.push((name, value.clone()));
                        }
                    }
                }
                let defaults = if flags & 1 != 0 {
                    let defaults = self.pop();
                    builtins::collect(self, &defaults)?
                } else {
                    Vec::new()
                };
                let mut cells = Vec::new();
                for cell in closure {
                    cells.push(match cell {
                        Value::Cell(cell) => cell,
                        _ => Rc::new(RefCell::new(Value::Unbound)),
                    });
                }
                let frame = self.frame();
                let function = Function {
                    code: frame.code.codes[index as usize].clone(),
                    globals: frame.globals.clone(),
                    defaults,
                    keyword_defaults,
                    closure: cells,
                    owner: RefCell::new(std::rc::Weak::new()),
                };
                self.push(Value::Function(Rc::new(function)));
            }
            Op::MakeClass(index) => {
                let base = match self.pop() {
                    Value::None | Value::Native(Native::Object) => None,
                    Value::Class(class) => Some(class),
                    other => {
                        return Err(raise(
                            Kind::NotImplementedError,
                            format!("socksim classes cannot derive from '{}'", builtins::type_display(&other)),
                        ))
                    }
                };
                let frame = self.frame();
                let code = frame.code.codes[index as usize].clone();
                let globals = frame.globals.clone();
                let frame = Frame::new(code, globals, None, OnReturn::Class(base));
                self.push_frame(frame)?;
            }
            Op::Return => unreachable!("handled by execute"),
            Op::Pop => {
                self.pop();
            }
            Op::Copy(n) => {
                let stack = &mut self.frame().stack;
                let value = stack[stack.len() - 1 - n as usize].clone();
                stack.push(value);
            }
            Op::Swap => {
                let stack = &mut self.frame().stack;
                let n = stack.len();
                stack.swap(n - 1, n - 2);
            }
            Op::RotThree => {
                let stack = &mut self.frame().stack;
                let top = stack.pop().unwrap_or(Value::None);
                let n = stack.len();
                stack.insert(n - 2, top);
            }
            Op::SetupExcept(target) => {
                let frame = self.frame();
                let depth = frame.stack.len() as u32;
                frame.handlers.push((target, depth));
            }
            Op::PopBlock => {
                self.frame().handlers.pop();
            }
            Op::Raise(form) => {
                if form == 0 {
                    return Err(raise(Kind::RuntimeError, "No active exception to reraise"));
                }
                if form == 2 {
                    self.pop(); // the cause is not shown
                }
                let value = self.pop();
                return Err(thrown(self.exception_of(value)?));
            }
            Op::Reraise => {
                let value = self.pop();
                return Err(thrown(self.exception_of(value)?));
            }
            Op::ExceptionMatches => {
                let class = self.pop();
                let exception = self.pop();
                let matches = self.exception_matches(&exception, &class)?;
                self.push(Value::Bool(matches));
            }
            Op::ExitArguments => {
                let exception = self.pop();
                let class = match &exception {
                    Value::Instance(instance) => Value::Class(instance.class.clone()),
                    _ => Value::None,
                };
                self.push(class);
                self.push(exception);
                self.push(Value::None);
            }
            Op::Import(index, leaf) => {
                let name = self.frame().code.names[index as usize].clone();
                let name = if leaf { &name[..] } else { name.split('.').next().unwrap_or(&name) };
                // A module not loaded yet runs its body first, which pushes the module when done.
                if let Some(module) = modules::import(self, name)? {
                    self.push(Value::Module(module));
                }
            }
            Op::ImportFrom(index) => {
                let module = self.pop();
                let name = self.frame().code.names[index as usize].clone();
                let value = match &module {
                    Value::Module(m) => m.get(&name),
                    _ => None,
                };
                let Some(value) = value else {
                    let module_name = if let Value::Module(m) = &module { m.name.clone() } else { "?".into() };
                    return Err(raise(Kind::ImportError, format!("cannot import name '{name}' from '{module_name}'")));
                };
                self.push(value);
            }
            Op::ImportStar => {
                let Value::Module(module) = self.pop() else { return Ok(()) };
                let globals = self.frame().globals.clone();
                let mut names = Vec::new();
                for (name, value) in module.globals.borrow().iter() {
                    if !name.starts_with('_') && !matches!(value, Value::Unbound) {
                        names.push((name.clone(), value.clone()));
                    }
                }
                for (name, value) in names {
                    globals.set(&name, value);
                }
            }
        }
        Ok(())
    }

    pub fn truthy(&mut self, value: &Value) -> Res<bool> {
        if let Value::Instance(instance) = value {
            if let Some(method) = instance.class.lookup("__bool__").or_else(|| instance.class.lookup("__len__")) {
                let result = self.call_value(method, vec![value.clone()], Vec::new())?;
                return Ok(result.truthy());
            }
        }
        Ok(value.truthy())
    }

    /// A builtin by name, or `NameError`.
    fn builtin(&mut self, name: &str) -> Res<Value> {
        builtins::lookup(self, name)?.ok_or_else(|| raise(Kind::NameError, format!("name '{name}' is not defined")))
    }

    /// The exception object a `raise` raises: an instance, or a class to instantiate.
    fn exception_of(&mut self, value: Value) -> Res<Rc<Instance>> {
        match value {
            Value::Instance(instance) if instance.class.exception_kind().is_some() => Ok(instance),
            Value::Class(class) if class.exception_kind().is_some() => {
                match self.call_value(Value::Class(class), Vec::new(), Vec::new())? {
                    Value::Instance(instance) => Ok(instance),
                    _ => Err(type_error("exceptions must derive from BaseException")),
                }
            }
            _ => Err(type_error("exceptions must derive from BaseException")),
        }
    }

    fn exception_matches(&self, exception: &Value, class: &Value) -> Res<bool> {
        let Value::Instance(instance) = exception else { return Ok(false) };
        match class {
            Value::Class(class) if class.exception_kind().is_some() => Ok(instance.class.is_subclass_of(class)),
            Value::Tuple(classes) => {
                for class in classes.0.iter() {
                    if self.exception_matches(exception, class)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(type_error("catching classes that do not inherit from BaseException is not allowed")),
        }
    }

    pub fn push_frame(&mut self, frame: Frame) -> Res<()> {
        if self.frames.len() >= MAX_FRAMES {
            return Err(raise(Kind::RecursionError, "maximum recursion depth exceeded"));
        }
        self.frames.push(frame);
        Ok(())
    }

    /// Calls `callee`. Returns the result, or `None` when a Python frame was pushed (its result
    /// arrives on the caller's stack when it returns).
    pub fn call(&mut self, callee: Value, mut args: Vec<Value>, kwargs: Vec<(Rc<str>, Value)>) -> Res<Option<Value>> {
        match callee {
            Value::Function(function) => {
                let frame = self.bind(function, args, kwargs, OnReturn::Value)?;
                self.push_frame(frame)?;
                Ok(None)
            }
            Value::Method(method) => {
                args.insert(0, method.0.clone());
                self.call(method.1.clone(), args, kwargs)
            }
            Value::NativeMethod(method) => super::methods::call(self, &method.0, &method.1, args, kwargs).map(Some),
            Value::Native(native) => builtins::call(self, native, args, kwargs).map(Some),
            Value::Class(class) => self.instantiate(class, args, kwargs),
            other => Err(type_error_of("'", &other, "' object is not callable")),
        }
    }

    /// `receiver.name(args)`.
    fn call_method(&mut self, receiver: Value, name: &str, mut args: Vec<Value>) -> Res<Option<Value>> {
        let method = match &receiver {
            Value::Instance(instance) => match super::value::get_attr(&instance.attrs, name) {
                Some(value) => value,
                None => match instance.class.lookup(name) {
                    Some(Value::Function(function)) => {
                        args.insert(0, receiver.clone());
                        return self.call(Value::Function(function), args, Vec::new());
                    }
                    Some(value) => value,
                    None => return self.instance_method(&receiver, name, args),
                },
            },
            Value::Module(_) | Value::Class(_) | Value::Super(_) | Value::Function(_) => {
                self.get_attr(&receiver, name)?
            }
            _ => return super::methods::call(self, &receiver, name, args, Vec::new()).map(Some),
        };
        self.call(method, args, Vec::new())
    }

    /// Methods every instance has without defining them.
    fn instance_method(&mut self, receiver: &Value, name: &str, args: Vec<Value>) -> Res<Option<Value>> {
        match name {
            "__init__" => Ok(Some(Value::None)),
            "__str__" => Ok(Some(Value::str(&self.str(receiver)?))),
            "__repr__" => Ok(Some(Value::str(&self.repr(receiver)?))),
            "__enter__" | "__exit__" if args.len() <= 3 => Err(raise(
                Kind::AttributeError,
                format!("'{}' object does not support the context manager protocol", receiver.type_name()),
            )),
            _ => Err(attribute_error(receiver, name)),
        }
    }

    fn instantiate(&mut self, class: Rc<Class>, args: Vec<Value>, kwargs: Vec<(Rc<str>, Value)>) -> Res<Option<Value>> {
        let init = class.lookup("__init__");
        let instance = if class.exception_kind().is_some() {
            self.rt.new_exception(&class, args.clone())
        } else {
            Rc::new(Instance {
                class: class.clone(),
                attrs: RefCell::new(Vec::new()),
                traceback: RefCell::new(Vec::new()),
            })
        };
        let instance = Value::Instance(instance);
        match init {
            Some(Value::Function(function)) => {
                let mut args = args;
                args.insert(0, instance.clone());
                let frame = self.bind(function, args, kwargs, OnReturn::Instance(instance))?;
                self.push_frame(frame)?;
                Ok(None)
            }
            Some(other) => {
                let mut args = args;
                args.insert(0, instance.clone());
                self.call_value(other, args, kwargs)?;
                Ok(Some(instance))
            }
            None if class.exception_kind().is_none() && (!args.is_empty() || !kwargs.is_empty()) => {
                Err(type_error(format!("{}() takes no arguments", class.name)))
            }
            None => Ok(Some(instance)),
        }
    }

    /// A frame for calling `function` with these arguments, bound to its parameters.
    fn bind(
        &mut self,
        function: Rc<Function>,
        args: Vec<Value>,
        kwargs: Vec<(Rc<str>, Value)>,
        on_return: OnReturn,
    ) -> Res<Frame> {
        let code = function.code.clone();
        let mut frame = Frame::new(code.clone(), function.globals.clone(), Some(function.clone()), on_return);
        let positional = code.positional as usize;
        let named = positional + code.keyword_only as usize;
        let name = &code.qualname;
        let given = args.len();
        let mut extra = Vec::new();
        for (i, arg) in args.into_iter().enumerate() {
            if i < positional {
                frame.locals[i] = arg;
            } else {
                extra.push(arg);
            }
        }
        let mut slot = named;
        if code.star {
            frame.locals[slot] = Value::tuple(extra);
            slot += 1;
        } else if !extra.is_empty() {
            let least = positional - function.defaults.len().min(positional);
            let takes =
                if least == positional { positional.to_string() } else { format!("from {least} to {positional}") };
            return Err(type_error(format!(
                "{name}() takes {takes} positional argument{} but {given} {} given",
                if positional == 1 { "" } else { "s" },
                if given == 1 { "was" } else { "were" }
            )));
        }
        let mut rest = Dict::default();
        for (key, value) in kwargs {
            match code.locals[..named].iter().position(|n| *n == key) {
                Some(i) => {
                    if !matches!(frame.locals[i], Value::Unbound) {
                        return Err(type_error(format!("{name}() got multiple values for argument '{key}'")));
                    }
                    frame.locals[i] = value;
                }
                None if code.star_star => rest.insert(Value::Str(key), value)?,
                None => return Err(type_error(format!("{name}() got an unexpected keyword argument '{key}'"))),
            }
        }
        if code.star_star {
            frame.locals[slot] = Value::Dict(Rc::new(RefCell::new(rest)));
        }
        let first_default = positional.saturating_sub(function.defaults.len());
        for i in 0..named {
            if !matches!(frame.locals[i], Value::Unbound) {
                continue;
            }
            let default = if i < positional {
                (i >= first_default).then(|| function.defaults[i - first_default].clone())
            } else {
                function.keyword_defaults.iter().find(|(n, _)| *n == code.locals[i]).map(|(_, v)| v.clone())
            };
            match default {
                Some(value) => frame.locals[i] = value,
                None => {
                    let defaulted = |j: usize| {
                        if j < positional {
                            j >= first_default
                        } else {
                            function.keyword_defaults.iter().any(|(n, _)| *n == code.locals[j])
                        }
                    };
                    // The names missing, quoted, joined by " and ".
                    let (mut missing, mut count) = (String::new(), 0);
                    for j in i..if i < positional { positional } else { named } {
                        if matches!(frame.locals[j], Value::Unbound) && !defaulted(j) {
                            if count > 0 {
                                missing.push_str(" and ");
                            }
                            missing.push('\'');
                            missing.push_str(&code.locals[j]);
                            missing.push('\'');
                            count += 1;
                        }
                    }
                    let kind = if i < positional { "positional" } else { "keyword-only" };
                    return Err(type_error(format!(
                        "{name}() missing {count} required {kind} argument{}: {missing}",
                        if count == 1 { "" } else { "s" },
                    )));
                }
            }
        }
        for &cell in &code.cells {
            let slot = &mut frame.locals[cell as usize];
            let value = core::mem::replace(slot, Value::Unbound);
            *slot = Value::Cell(Rc::new(RefCell::new(value)));
        }
        Ok(frame)
    }

    /// `value.name`.
    pub fn get_attr(&mut self, value: &Value, name: &str) -> Res<Value> {
        let found = match value {
            Value::Instance(instance) => match super::value::get_attr(&instance.attrs, name) {
                Some(found) => Some(found),
                None => match instance.class.lookup(name) {
                    Some(Value::Function(function)) => {
                        return Ok(Value::Method(Rc::new((value.clone(), Value::Function(function)))))
                    }
                    Some(found) => Some(found),
                    None if name == "__class__" => Some(Value::Class(instance.class.clone())),
                    None if instance.class.exception_kind().is_some() && name == "__traceback__" => Some(Value::None),
                    None => None,
                },
            },
            Value::Class(class) => match name {
                "__name__" => Some(Value::str(class.short_name())),
                "__init__" if class.exception_kind().is_some() && class.lookup(name).is_none() => {
                    Some(Value::Native(Native::ExceptionInit))
                }
                _ => class.lookup(name),
            },
            Value::Module(module) => match name {
                "__name__" => Some(Value::Str(module.name.clone())),
                _ => module.get(name),
            },
            Value::Super(pair) => {
                let found = pair.0.base.as_ref().and_then(|base| base.lookup(name));
                match found {
                    Some(Value::Function(function)) => {
                        return Ok(Value::Method(Rc::new((pair.1.clone(), Value::Function(function)))))
                    }
                    Some(found) => Some(found),
                    None if name == "__init__" => {
                        Some(Value::NativeMethod(Rc::new((pair.1.clone(), "__init__".into()))))
                    }
                    None => None,
                }
            }
            Value::Function(function) => match name {
                "__name__" => Some(Value::Str(function.code.name.clone())),
                _ => None,
            },
            Value::Native(native) => match name {
                "__name__" => Some(Value::str(native.name())),
                _ => builtins::type_attribute(*native, name),
            },
            Value::Method(method) => match name {
                "__name__" => return self.get_attr(&method.1, name),
                "__self__" => Some(method.0.clone()),
                _ => None,
            },
            _ => super::methods::attribute(self, value, name)?,
        };
        found.ok_or_else(|| attribute_error(value, name))
    }

    /// `value.name = new`.
    pub fn set_attr(&mut self, value: &Value, name: &str, new: Value) -> Res<()> {
        match value {
            Value::Instance(instance) => super::value::set_attr(&instance.attrs, name, new),
            Value::Class(class) => super::value::set_attr(&class.attrs, name, new),
            Value::Module(module) => module.set(name, new),
            _ => {
                return Err(raise(
                    Kind::AttributeError,
                    format!("'{}' object attribute '{name}' is read-only", value.type_name()),
                ))
            }
        }
        Ok(())
    }
}

/// The error for reading a local variable before it is given a value.
fn unbound_local(name: &str) -> Exc {
    raise(
        Kind::UnboundLocalError,
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}
