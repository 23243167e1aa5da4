//! The corpus: course-style socket programs in `tests/python/`, each run headless on a simulated
//! network with the console transcript it must print (`tests/python/*.expected`).
//!
//! Hosts are `client` 10.0.0.1, `server` 10.0.0.2, then `client2`, `client3`… each linked to the
//! server by 10 ms. `SOCKSIM_BLESS=1 cargo test --test python_programs` rewrites the transcripts;
//! read the diff before committing one.

mod common;

use common::trace_text;
use socksim::python::{HostSockets, Process, Runner, Status};
use socksim::sim::{Duration, HostId, Impairments, Instant, Network};

/// A program to run: its host, file, arguments and the lines typed at its console.
struct Program {
    host: &'static str,
    file: &'static str,
    argv: &'static [&'static str],
    typed: &'static [&'static str],
}

const fn program(host: &'static str, file: &'static str) -> Program {
    Program { host, file, argv: &[], typed: &[] }
}

struct Scenario<'a> {
    /// The expected transcript's file name, without `.expected`.
    name: &'static str,
    hosts: &'static [&'static str],
    programs: &'a [Program],
    loss_percent: u8,
    seconds: u64,
}

fn address(host: &str) -> &'static str {
    match host {
        "client" => "10.0.0.1",
        "server" => "10.0.0.2",
        "client2" => "10.0.0.3",
        "client3" => "10.0.0.4",
        other => panic!("no address for {other}"),
    }
}

fn source(file: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/python/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The network of a scenario: every host linked to the server by 10 ms, with the loss asked for.
fn network(scenario: &Scenario, seed: u64) -> (Network, Vec<HostId>) {
    let mut net = Network::new(seed);
    let ids: Vec<HostId> =
        scenario.hosts.iter().map(|&name| net.add_host(name, address(name).parse().unwrap()).unwrap()).collect();
    let server = scenario.hosts.iter().position(|&h| h == "server").expect("a server");
    let impairments = Impairments {
        loss_percent: scenario.loss_percent.into(),
        ..Impairments::with_delay(Duration::from_millis(10))
    };
    for (i, &id) in ids.iter().enumerate() {
        if i != server {
            net.add_link(id, ids[server], impairments).unwrap();
        }
    }
    (net, ids)
}

/// Runs a scenario; returns the merged transcript and the network.
fn play(scenario: &Scenario, seed: u64) -> (String, Network) {
    let (mut net, ids) = network(scenario, seed);
    let mut runner = Runner::new();
    for program in scenario.programs {
        let mut process = Process::new(program.file, &source(program.file), program.argv)
            .unwrap_or_else(|traceback| panic!("{} does not compile:\n{}", program.file, traceback.text));
        for line in program.typed {
            process.type_line(line);
        }
        let host = scenario.hosts.iter().position(|&h| h == program.host).unwrap();
        runner.add(ids[host], process);
    }
    runner.run_until(&mut net, Instant::from_secs(scenario.seconds as i64));
    let mut lines = Vec::new();
    for (p, program) in runner.programs.iter().enumerate() {
        let host = net.host(program.host).unwrap().name().to_string();
        for (n, line) in program.process.console().lines().iter().enumerate() {
            lines.push((line.at, p, n, format!("{host:<7} {:<3}| {}", line.stream.name(), line.text)));
        }
    }
    lines.sort_by_key(|(at, p, n, _)| (*at, *p, *n));
    let mut transcript = String::new();
    for (at, _, _, text) in lines {
        transcript.push_str(&format!("{:>8.3} {text}\n", at.total_micros() as f64 / 1e6));
    }
    for program in &runner.programs {
        let host = net.host(program.host).unwrap().name().to_string();
        let end = match program.process.status() {
            Status::Finished { exit_code } => format!("exit {exit_code}"),
            Status::Runnable => "still running (busy)".into(),
            Status::Waiting { calls, input, .. } if *input => format!("waiting for input ({} calls)", calls.len()),
            Status::Waiting { calls, wake_at, .. } => {
                format!(
                    "still running: {} blocked call(s){}",
                    calls.len(),
                    if wake_at.is_some() { ", asleep" } else { "" }
                )
            }
        };
        transcript.push_str(&format!("{host} {}: {end}\n", program.process.file()));
    }
    (transcript, net)
}

fn check(scenario: &Scenario) {
    let (transcript, _) = play(scenario, 7);
    let path = format!("{}/tests/python/{}.expected", env!("CARGO_MANIFEST_DIR"), scenario.name);
    if std::env::var("SOCKSIM_BLESS").is_ok() {
        std::fs::write(&path, &transcript).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        transcript == expected,
        "{}: the transcript differs from {path}\n--- got ---\n{transcript}--- expected ---\n{expected}",
        scenario.name
    );
}

const CLIENT_SERVER: &[&str] = &["client", "server"];
const THREE_CLIENTS: &[&str] = &["client", "server", "client2", "client3"];

#[test]
fn tcp_echo() {
    check(&Scenario {
        name: "tcp_echo",
        hosts: CLIENT_SERVER,
        programs: &[program("server", "echo_server.py"), program("client", "echo_client.py")],
        loss_percent: 0,
        seconds: 30,
    });
}

#[test]
fn hello_server_and_telnet_client() {
    check(&Scenario {
        name: "hello_telnet",
        hosts: &["client", "server", "client2"],
        programs: &[
            program("server", "hello_server.py"),
            program("client", "telnet_client.py"),
            Program { argv: &["10.0.0.2"], ..program("client2", "telnet_client.py") },
        ],
        loss_percent: 0,
        seconds: 30,
    });
}

#[test]
fn uppercase_over_tcp() {
    check(&Scenario {
        name: "tcp_upper",
        hosts: CLIENT_SERVER,
        programs: &[
            program("server", "tcp_upper_server.py"),
            Program { typed: &["hello sockets"], ..program("client", "tcp_upper_client.py") },
        ],
        loss_percent: 0,
        seconds: 30,
    });
}

#[test]
fn uppercase_over_udp_with_loss() {
    check(&Scenario {
        name: "udp_upper_loss",
        hosts: CLIENT_SERVER,
        programs: &[program("server", "udp_upper_server.py"), program("client", "udp_upper_client.py")],
        loss_percent: 30,
        seconds: 60,
    });
}

#[test]
fn logging_server() {
    check(&Scenario {
        name: "logging",
        hosts: CLIENT_SERVER,
        programs: &[program("server", "logging_server.py"), program("client", "logging_client.py")],
        loss_percent: 0,
        seconds: 30,
    });
}

/// A server and three clients running one program, each with its own argument.
fn server_with_three_clients(
    name: &'static str,
    server: &'static str,
    client: &'static str,
    argv: &'static [&'static str; 3],
) {
    let [first, second, third] = [0, 1, 2].map(|index| std::slice::from_ref(&argv[index]));
    check(&Scenario {
        name,
        hosts: THREE_CLIENTS,
        programs: &[
            program("server", server),
            Program { argv: first, ..program("client", client) },
            Program { argv: second, ..program("client2", client) },
            Program { argv: third, ..program("client3", client) },
        ],
        loss_percent: 0,
        seconds: 30,
    });
}

#[test]
fn thread_per_client_server_with_three_clients() {
    server_with_three_clients("threaded", "threaded_server.py", "chat_client.py", &["0.5", "0.2", "0.3"]);
}

#[test]
fn iterative_server_with_three_clients() {
    server_with_three_clients("iterative", "iterative_server.py", "iterative_client.py", &["one", "two", "three"]);
}

#[test]
fn connecting_to_a_closed_port() {
    check(&Scenario {
        name: "refused",
        hosts: CLIENT_SERVER,
        programs: &[program("client", "refused_client.py")],
        loss_percent: 0,
        seconds: 10,
    });
}

#[test]
fn a_python2_client() {
    check(&Scenario {
        name: "python2",
        hosts: CLIENT_SERVER,
        programs: &[
            program("server", "tcp_upper_server.py"),
            Program { typed: &["old style"], ..program("client", "py2_client.py") },
        ],
        loss_percent: 0,
        seconds: 30,
    });
}

#[test]
fn sockets_freed_without_close_and_other_corners() {
    check(&Scenario {
        name: "corners",
        hosts: CLIENT_SERVER,
        programs: &[
            Program { typed: &["a typed line"], ..program("server", "misc_server.py") },
            program("client", "misc_client.py"),
        ],
        loss_percent: 0,
        seconds: 10,
    });
}

#[test]
fn the_same_programs_and_seed_send_the_same_packets() {
    let scenario = Scenario {
        name: "determinism",
        hosts: THREE_CLIENTS,
        programs: &[
            program("server", "threaded_server.py"),
            Program { argv: &["0.5"], ..program("client", "chat_client.py") },
            Program { argv: &["0.2"], ..program("client2", "chat_client.py") },
            Program { argv: &["0.3"], ..program("client3", "chat_client.py") },
        ],
        loss_percent: 20,
        seconds: 60,
    };
    let (first_transcript, first) = play(&scenario, 11);
    let (second_transcript, second) = play(&scenario, 11);
    assert!(first.trace().len() > 20, "too few packets to compare");
    assert_eq!(first_transcript, second_transcript);
    assert!(trace_text(&first) == trace_text(&second), "two runs sent different packets");
}

#[test]
fn a_loop_that_never_blocks_is_busy_and_can_be_stopped() {
    let mut net = Network::new(1);
    let host = net.add_host("client", "10.0.0.1".parse().unwrap()).unwrap();
    let mut process = Process::new("spin.py", "print('spinning')\nwhile True:\n    pass\n", &[]).unwrap();
    let mut sockets = HostSockets { network: &mut net, host };
    for _ in 0..5 {
        assert_eq!(process.run(10_000, &mut sockets), Status::Runnable);
    }
    assert!(process.steps() >= 50_000);
    assert_eq!(process.current_lines()[0].line, 3);
    process.stop(&mut sockets);
    assert_eq!(process.status(), &Status::Finished { exit_code: 130 });
    let console: Vec<String> = process.console().lines().iter().map(|line| line.text.clone()).collect();
    assert_eq!(console.first().map(String::as_str), Some("spinning"));
    assert_eq!(console.last().map(String::as_str), Some("KeyboardInterrupt"));
}

#[test]
fn a_busy_program_does_not_hold_the_network_still() {
    let scenario = Scenario {
        name: "busy",
        hosts: CLIENT_SERVER,
        programs: &[program("server", "echo_server.py"), program("client", "echo_client.py")],
        loss_percent: 0,
        seconds: 2,
    };
    let (mut net, ids) = network(&scenario, 3);
    let mut runner = Runner::new();
    runner.add(ids[1], Process::new("echo_server.py", &source("echo_server.py"), &[]).unwrap());
    runner.add(ids[1], Process::new("spin.py", "while True:\n    pass\n", &[]).unwrap());
    runner.add(ids[0], Process::new("echo_client.py", &source("echo_client.py"), &[]).unwrap());
    runner.run_until(&mut net, Instant::from_secs(2));
    let client = &runner.programs[2].process;
    assert_eq!(client.status(), &Status::Finished { exit_code: 0 });
    assert_eq!(runner.programs[1].process.status(), &Status::Runnable);
}

#[test]
fn a_syntax_error_names_its_line() {
    let error = Process::new("bad.py", "import socket\ns = socket.socket(\nif x:\n", &[]).err().unwrap();
    assert_eq!(error.error.line, 2);
    assert!(error.text.starts_with("  File \"bad.py\", line 2\n"), "{}", error.text);
    assert!(error.text.ends_with("SyntaxError: '(' was never closed\n"), "{}", error.text);
}

#[test]
fn uncaught_errors_print_tracebacks() {
    let run = |text: &str| {
        let mut net = Network::new(1);
        let host = net.add_host("client", "10.0.0.1".parse().unwrap()).unwrap();
        let mut runner = Runner::new();
        runner.add(host, Process::new("prog.py", text, &[]).unwrap());
        runner.run_until(&mut net, Instant::from_secs(5));
        let process = &runner.programs[0].process;
        let console: String = process.console().lines().iter().map(|line| line.text.clone() + "\n").collect();
        (console, process.status().clone())
    };
    let (console, status) = run("def greet():\n    print(greeting)\n\ngreet()\n");
    assert_eq!(
        console,
        "Traceback (most recent call last):\n  File \"prog.py\", line 4, in <module>\n    greet()\n  File \"prog.py\", \
         line 2, in greet\n    print(greeting)\nNameError: name 'greeting' is not defined\n"
    );
    assert_eq!(status, Status::Finished { exit_code: 1 });

    let (console, status) = run(
        "import threading\n\ndef work(n):\n    print('working', n)\n    return 10 / n\n\nt = threading.Thread(target=work, \
         args=(0,))\nt.start()\nt.join()\nprint('main goes on')\n",
    );
    assert_eq!(
        console,
        "working 0\nException in thread Thread-1 (work):\nTraceback (most recent call last):\n  File \"prog.py\", line 5, \
         in work\n    return 10 / n\nZeroDivisionError: division by zero\nmain goes on\n"
    );
    assert_eq!(status, Status::Finished { exit_code: 0 });
}
