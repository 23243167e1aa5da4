//! Runs programs on a network: processes, packets and the clock, in turn, until a time.
//!
//! The loop: every process that can run does, for a budget of steps (in a fixed order); calls
//! the engine completed go back to the threads waiting on them; then the clock moves to the
//! next thing due — a packet, a timer, a sleeper waking — and again. A busy program (a loop that
//! never blocks) is charged [`BUSY_SLICE`] of virtual time per budget, so it cannot hold the
//! clock still: the rest of the network goes on while it spins.

use crate::sim::{Duration, HostId, Instant, Network};

use super::process::{Process, Status};
use super::sockets::HostSockets;

/// Steps a process runs before the others get their turn.
pub const BUDGET: u32 = 10_000;

/// The virtual time a budget of steps of a busy program stands for.
pub const BUSY_SLICE: Duration = Duration::from_millis(1);

/// A process and the host it runs on.
pub struct Program {
    pub host: HostId,
    pub process: Process,
}

/// Programs running on one network.
#[derive(Default)]
pub struct Runner {
    pub programs: Vec<Program>,
}

impl Runner {
    pub fn new() -> Runner {
        Runner::default()
    }

    pub fn add(&mut self, host: HostId, process: Process) {
        self.programs.push(Program { host, process });
    }

    /// Every program has ended.
    pub fn finished(&self) -> bool {
        self.programs.iter().all(|program| matches!(program.process.status(), Status::Finished { .. }))
    }

    /// Runs the programs and the network until `until`, or until nothing is left to happen.
    pub fn run_until(&mut self, network: &mut Network, until: Instant) {
        loop {
            self.deliver(network);
            let busy = self.run_programs(network);
            if self.deliver(network) {
                continue;
            }
            if self.finished() {
                return;
            }
            let now = network.now();
            let wakes = self.programs.iter().filter_map(|program| match program.process.status() {
                Status::Waiting { wake_at, .. } => *wake_at,
                _ => None,
            });
            let busy = busy.then(|| now + BUSY_SLICE);
            let next = [network.next_event_at(), busy].into_iter().flatten().chain(wakes).min();
            match next {
                Some(at) if at <= until => {
                    if network.next_event_at() == Some(at) {
                        network.step();
                    } else {
                        network.run_until(at);
                    }
                }
                _ => {
                    network.run_until(until);
                    self.deliver(network);
                    self.run_programs(network);
                    return;
                }
            }
        }
    }

    /// Runs each process that is not finished for a budget. Returns whether one is busy.
    fn run_programs(&mut self, network: &mut Network) -> bool {
        let mut busy = false;
        for program in &mut self.programs {
            if matches!(program.process.status(), Status::Finished { .. }) {
                continue;
            }
            let status = program.process.run(BUDGET, &mut HostSockets { network, host: program.host });
            busy |= status == Status::Runnable;
        }
        busy
    }

    /// Hands the calls the network completed to the threads waiting on them. Returns whether any.
    fn deliver(&mut self, network: &mut Network) -> bool {
        let completions = network.take_completions();
        for completion in &completions {
            for program in self.programs.iter_mut().filter(|program| program.host == completion.host) {
                if program.process.complete(completion.call, completion.result.clone()) {
                    break;
                }
            }
        }
        !completions.is_empty()
    }
}
