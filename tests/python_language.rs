//! The language: snippets run by socksim's interpreter print what CPython prints.

use socksim::python::{Process, Runner};
use socksim::sim::{Instant, Network};

/// Runs `source` alone on a host and returns its console (every stream) and exit code.
fn run(source: &str) -> (String, i32) {
    let mut net = Network::new(1);
    let host = net.add_host("alone", "10.0.0.9".parse().unwrap()).unwrap();
    let process = match Process::new("t.py", source, &[]) {
        Ok(process) => process,
        Err(traceback) => return (traceback.text, 1),
    };
    let mut runner = Runner::new();
    runner.add(host, process);
    runner.run_until(&mut net, Instant::from_secs(60));
    let process = &runner.programs[0].process;
    let text: String = process.console().lines().iter().map(|line| line.text.clone() + "\n").collect();
    let code = match process.status() {
        socksim::python::Status::Finished { exit_code } => *exit_code,
        _ => -1,
    };
    (text, code)
}

fn output(source: &str) -> String {
    run(source).0
}

#[test]
fn scratch() {
    let Ok(path) = std::env::var("PY") else { return };
    let source = std::fs::read_to_string(path).unwrap();
    let (text, code) = run(&source);
    print!("{text}");
    println!("[exit {code}]");
}
