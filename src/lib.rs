//! socksim: a socket simulator for networking courses.
//!
//! - [`sim`]: the engine — smoltcp hosts on a virtual clock, links that lose, delay, duplicate and
//!   reorder, a Berkeley socket API with Python's errors, a packet trace and its pcap.
//! - [`scenario`]: lesson files — hosts, links, timelines of socket calls and checkpoints — and the
//!   player that runs them on the engine.
//! - [`decimal`]: floats as decimal text and back, without core's tables.
//! - [`python`]: a Python-subset interpreter that runs a course's socket programs on the hosts.
//! - [`cli`]: the headless runner (`socksim run LESSON.json`), native only.
//! - [`ui`]: the page, in the browser only.

pub mod decimal;
pub mod python;
pub mod scenario;
pub mod sim;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod ui;
