//! The modules a program can import: `socket`, `threading`, `logging`, `time`, `sys` and `errno`.
//!
//! Each is a short Python file (`*.py` beside this one) run when first imported, built on
//! `_socksim`, a module of built-in functions: the console, the virtual clock, threads, locks and
//! sockets. Writing the modules in Python keeps them small, lets programs subclass
//! `threading.Thread`, and gives them Python's own semantics for free; their frames are hidden
//! from tracebacks.

pub mod socket;

use std::cell::RefCell;
use std::rc::Rc;

use super::builtins::{self, int_arg, start_thread, thread_done, Native};
use super::code::Source;
use super::machine::{Frame, OnReturn, Vm};
use super::process::{Stream, Wait};
use super::value::*;

/// The text of module file `name`, as build.rs compacts it (no comments, one space a level).
macro_rules! module_source {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/", $name))
    };
}

const MODULES: &[(&str, &str)] = &[
    ("socket", module_source!("socket.py")),
    ("threading", module_source!("threading.py")),
    ("logging", module_source!("logging.py")),
    ("time", module_source!("time.py")),
    ("sys", module_source!("sys.py")),
    ("errno", module_source!("errno.py")),
];

const NATIVES: &[Native] = &[
    Native::Write,
    Native::Now,
    Native::Sleep,
    Native::StartThread,
    Native::JoinThread,
    Native::ThreadAlive,
    Native::CurrentThread,
    Native::Caller,
    Native::Socket,
    Native::Gethostbyname,
    Native::Gethostname,
    Native::Lock,
    Native::Readline,
];

/// Imports module `name`: returns it when it is loaded, or starts running its body (which
/// pushes the module when it returns) and returns `None`.
pub fn import(vm: &mut Vm, name: &str) -> Res<Option<Rc<Module>>> {
    if let Some(module) = vm.rt.modules.iter().find(|module| &*module.name == name) {
        return Ok(Some(module.clone()));
    }
    if name == "_socksim" {
        let module = Rc::new(Module { name: name.into(), globals: RefCell::new(Vec::new()) });
        for &native in NATIVES {
            module.set(native.name(), Value::Native(native));
        }
        module.set("gaierror", vm.rt.class(Kind::Gaierror));
        module.set("argv", Value::list(vm.rt.argv.iter().map(|arg| Value::Str(arg.clone())).collect()));
        vm.rt.modules.push(module.clone());
        return Ok(Some(module));
    }
    let Some((_, text)) = MODULES.iter().find(|(module, _)| *module == name) else {
        return Err(raise(
            Kind::ModuleNotFoundError,
            format!("No module named '{name}' (socksim has socket, threading, logging, time, sys and errno)"),
        ));
    };
    load(vm, name, text)?;
    Ok(None)
}

/// socksim's built-ins written in Python (`builtins.py`), run the first time one is needed.
pub fn python_builtins(vm: &mut Vm) -> Res<Rc<Module>> {
    const NAME: &str = "_builtins";
    if let Some(module) = vm.rt.modules.iter().find(|module| &*module.name == NAME) {
        return Ok(module.clone());
    }
    let base = vm.frames.len();
    let module = load(vm, NAME, module_source!("builtins.py"))?;
    vm.finish_nested(base)?;
    Ok(module)
}

/// Compiles a module of socksim's and starts running its body.
fn load(vm: &mut Vm, name: &str, text: &str) -> Res<Rc<Module>> {
    let source = Rc::new(Source { name: format!("{name}.py").into(), text: (*text).into(), hidden: true });
    let compiled = super::parser::parse(text).and_then(|program| super::compiler::compile(&program, source));
    let (code, globals) = compiled.map_err(|error| raise(Kind::SyntaxError, error.message))?;
    let module = Rc::new(Module {
        name: name.into(),
        globals: RefCell::new(globals.into_iter().map(|global| (global, Value::Unbound)).collect()),
    });
    module.set("__name__", Value::str(name));
    vm.rt.modules.push(module.clone());
    vm.push_frame(Frame::new(code, module.clone(), None, OnReturn::Module(module.clone())))?;
    Ok(module)
}

/// Calls a function of `_socksim`.
pub fn call(vm: &mut Vm, native: Native, args: &mut Vec<Value>, kwargs: &[(Rc<str>, Value)]) -> Res<Value> {
    builtins::no_keywords(native.name(), kwargs)?;
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::None);
    match native {
        Native::Write => {
            let stream = match arg(0).as_int() {
                Some(1) => Stream::Stderr,
                Some(2) => Stream::Log,
                _ => Stream::Stdout,
            };
            let text = vm.str(&arg(1))?;
            vm.rt.write(stream, &text, vm.net);
            Ok(Value::None)
        }
        Native::Now => Ok(Value::Int(vm.net.now().total_micros())),
        Native::Sleep => {
            let seconds = arg(0).as_float().ok_or_else(|| {
                type_error(format!("'{}' object cannot be interpreted as an integer", arg(0).type_name()))
            })?;
            if seconds < 0.0 || seconds.is_nan() {
                return Err(value_error("sleep length must be non-negative"));
            }
            let micros = (seconds.min(1e9) * 1e6).round() as i64;
            Err(waiting(Wait::Sleep(vm.net.now() + crate::sim::Duration::from_micros(micros as u64))))
        }
        Native::StartThread => start_thread(vm, arg(0)),
        Native::JoinThread => {
            let ident = int_arg(&arg(0), "join")? as usize;
            if ident == vm.task {
                return Err(raise(Kind::RuntimeError, "cannot join current thread"));
            }
            if thread_done(vm.rt, ident) {
                return Ok(Value::None);
            }
            let deadline = match arg(1) {
                Value::None => None,
                timeout => {
                    let seconds = timeout.as_float().unwrap_or(0.0).clamp(0.0, 1e9);
                    Some(vm.net.now() + crate::sim::Duration::from_micros((seconds * 1e6) as u64))
                }
            };
            Err(waiting(Wait::Join(ident, deadline)))
        }
        Native::ThreadAlive => Ok(Value::Bool(!thread_done(vm.rt, int_arg(&arg(0), "is_alive")? as usize))),
        Native::CurrentThread => {
            let task = &vm.rt.tasks[vm.task];
            Ok(Value::tuple(vec![task.thread.clone(), Value::Str(task.name.clone())]))
        }
        Native::Caller => Ok(match vm.caller() {
            Some((code, line)) => Value::tuple(vec![
                Value::Str(code.source.name.clone()),
                Value::Int(line.into()),
                Value::Str(code.name.clone()),
            ]),
            None => Value::tuple(vec![Value::str("?"), Value::Int(0), Value::str("?")]),
        }),
        Native::Socket => socket::new(vm, args),
        Native::Gethostbyname => {
            let name =
                builtins::str_arg(&args.first().cloned().unwrap_or(Value::None), "gethostbyname() argument 1")?.clone();
            let address = match &*name {
                "" => Some(crate::sim::Ipv4Address::UNSPECIFIED),
                "localhost" => Some(crate::sim::LOOPBACK),
                _ => crate::sim::parse_address(&name).or_else(|| vm.net.resolve(&name)),
            };
            let address =
                address.ok_or_else(|| Box::new(Thrown::Os(Kind::Gaierror, -2, "Name or service not known".into())))?;
            Ok(Value::str(&address.to_string()))
        }
        Native::Gethostname => Ok(Value::str(&vm.net.host_name())),
        Native::Lock => Ok(Value::Lock(Rc::new(core::cell::Cell::new(false)))),
        Native::ExceptionInit => {
            if args.is_empty() {
                return Ok(Value::None);
            }
            let receiver = args.remove(0);
            super::methods::call(vm, &receiver, "__init__", core::mem::take(args), Vec::new())
        }
        _ => Err(raise(Kind::NotImplementedError, native.name())),
    }
}
