//! The interpreter's speed: steps (bytecode instructions) per second on CPU-bound programs, and
//! how long reading and compiling a course program takes.
//!
//! `cargo bench --bench python` prints, for each program, its steps, the wall time of the best of
//! five runs, and steps per second.

#![allow(clippy::disallowed_methods)] // a benchmark measures wall time

use std::time::Instant as WallClock;

use socksim::python::{HostSockets, Process, Status};
use socksim::sim::Network;

const RUNS: usize = 5;

const LOOP: &str = "
total = 0
i = 0
while i < 2000000:
    total += i * 3 % 7
    i += 1
print(total)
";

const CALLS: &str = "
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
print(fib(24))
";

const OBJECTS: &str = "
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def moved(self, dx):
        return Point(self.x + dx, self.y)
p = Point(0, 0)
words = []
for i in range(100000):
    p = p.moved(1)
    if i % 1000 == 0:
        words.append('%d:%s' % (i, str(p.x).upper()))
print(len(' '.join(words)), p.x)
";

/// Runs `source` to its end; returns (steps, seconds).
fn run(source: &str) -> (u64, f64) {
    let mut net = Network::new(1);
    let host = net.add_host("bench", "10.0.0.1".parse().unwrap()).unwrap();
    let started = WallClock::now();
    let mut process = Process::new("bench.py", source, &[]).expect("the benchmark compiles");
    loop {
        match process.run(100_000, &mut HostSockets { network: &mut net, host }) {
            Status::Finished { exit_code } => {
                assert_eq!(exit_code, 0, "{:?}", process.console().lines());
                break;
            }
            Status::Runnable => {}
            other => panic!("the benchmark waits: {other:?}"),
        }
    }
    (process.steps(), started.elapsed().as_secs_f64())
}

fn main() {
    println!("Python interpreter: steps per second, best of {RUNS}");
    for (name, source) in
        [("while loop, arithmetic", LOOP), ("recursive calls (fib 24)", CALLS), ("objects and strings", OBJECTS)]
    {
        let runs: Vec<(u64, f64)> = (0..RUNS).map(|_| run(source)).collect();
        let (steps, seconds) = runs.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).expect("runs");
        println!("{name:<28} {steps:>10} steps {:>8.3} s {:>12.0} steps/s", seconds, steps as f64 / seconds);
    }
    let server = include_str!("../tests/python/threaded_server.py");
    let started = WallClock::now();
    let compiles = 200;
    for _ in 0..compiles {
        Process::new("threaded_server.py", server, &[]).expect("the corpus compiles");
    }
    println!(
        "reading and compiling threaded_server.py ({} lines): {:.1} µs",
        server.lines().count(),
        started.elapsed().as_secs_f64() * 1e6 / compiles as f64
    );
}
