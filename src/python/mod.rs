//! A Python-subset interpreter that runs a course's socket programs, unchanged, on simulated hosts.
//!
//! A program is compiled ([`token`] → [`parser`] → [`compiler`]) to bytecode ([`code`]) that a
//! resumable machine ([`machine`]) runs: a blocking socket call, a `sleep`, an `input()` or a
//! `join()` suspends the thread mid-expression, and the driver resumes it when the engine or the
//! person answers. A [`Process`] is one program on one host, with its threads and console; a
//! [`Runner`] drives several on a [`Network`](crate::sim::Network).
//!
//! - [`value`]: Python's values and exceptions; [`operators`], [`builtins`], [`methods`] and
//!   [`format`]: what they do and how they print.
//! - [`modules`]: `socket`, `threading`, `logging`, `time`, `sys`, `errno`.
//! - [`sockets`]: what a program needs from the network.
//! - [`traceback`]: errors as Python shows them.
//! - [`syntax`]: colouring a program's text, for the page's editor.

pub mod ast;
pub mod builtins;
pub mod code;
pub mod compiler;
pub mod format;
pub mod machine;
pub mod methods;
pub mod modules;
pub mod operators;
pub mod parser;
pub mod process;
pub mod runner;
pub mod sockets;
pub mod syntax;
pub mod token;
pub mod traceback;
pub mod value;

pub use process::{Console, Line, Process, Status, Stream, ThreadLine};
pub use runner::{Program, Runner};
pub use sockets::{HostSockets, Sockets};
pub use traceback::{CompileError, Traceback};
