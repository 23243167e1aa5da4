//! Lessons whose hosts run Python programs: the player starts them at their times, types their
//! console lines, checks their checkpoints; a session runs, stops and types into programs as a
//! person does, and replays all of it when rewound.

use socksim::python::Status;
use socksim::scenario::program::HostProgram;
use socksim::scenario::{Intent, Lesson, Player, Session};
use socksim::sim::Instant;

fn corpus(file: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/python/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A JSON string literal.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A client and a server on one 10 ms link, each with the given `"program"` (or none) and these
/// checkpoints.
fn lesson(client: Option<&str>, server: Option<&str>, checkpoints: &str) -> String {
    let program = |program: Option<&str>| program.map(|p| format!(", \"program\": {p}")).unwrap_or_default();
    format!(
        r#"{{ "socksim": 1, "title": "Programs", "duration": 30, "seed": 7,
             "hosts": [ {{ "name": "client", "address": "10.0.0.1"{} }},
                        {{ "name": "server", "address": "10.0.0.2"{} }} ],
             "links": [ {{ "between": ["client", "server"], "delay_ms": 10 }} ],
             "checkpoints": [ {checkpoints} ] }}"#,
        program(client),
        program(server)
    )
}

fn play(text: &str) -> Player {
    let mut player = Player::new(Lesson::parse(text).unwrap_or_else(|e| panic!("{e}"))).unwrap();
    player.run_to_end();
    player
}

fn console(program: &HostProgram) -> String {
    let lines = program.console().map(|console| console.lines().iter().collect::<Vec<_>>()).unwrap_or_default();
    lines
        .iter()
        .map(|line| format!("{:.3} {} {}\n", line.at.total_micros() as f64 / 1e6, line.stream.name(), line.text))
        .collect()
}

fn assert_all_passed(player: &Player) {
    for (checkpoint, result) in player.lesson().checkpoints.iter().zip(player.results()) {
        let result = result.as_ref().expect("every checkpoint is reached");
        assert!(result.passed, "{}: {}", player.lesson().describe(&checkpoint.expect), result.observed);
    }
}

fn echo_lesson() -> String {
    lesson(
        Some(&format!(
            r#"{{ "file": "echo_client.py", "start": 0.5, "source": {} }}"#,
            quoted(&corpus("echo_client.py"))
        )),
        Some(&format!(r#"{{ "file": "echo_server.py", "source": {} }}"#, quoted(&corpus("echo_server.py")))),
        r#"{ "at": 0.2, "expect": { "blocked": { "host": "server" } } },
           { "at": 0.2, "expect": { "printed": { "host": "server", "text": "Listening on port 50007" } } },
           { "at": 5, "expect": { "received": { "host": "client", "text": "Hello, world" } } },
           { "at": 5, "expect": { "received": { "host": "server", "text": "Hello, world" } } },
           { "at": 5, "expect": { "peer_closed": { "host": "server" } } },
           { "at": 5, "expect": { "printed": { "host": "client", "text": "Received b'Hello, world'" } } },
           { "at": 5, "expect": { "finished": { "host": "client" } } },
           { "at": 5, "expect": { "finished": { "host": "server" } } },
           { "at": 5, "expect": { "packets": { "kind": "syn", "at_least": 1, "at_most": 1 } } }"#,
    )
}

#[test]
fn a_lesson_runs_its_hosts_programs_and_checks_them() {
    let player = play(&echo_lesson());
    assert_all_passed(&player);
    let server = player.program(1).unwrap();
    assert_eq!(
        console(server),
        "0.000 out Listening on port 50007\n0.530 out Connected by ('10.0.0.1', 57828)\n0.550 out Connection closed\n"
    );
    assert_eq!(console(player.program(0).unwrap()), "0.540 out Received b'Hello, world'\n");
    assert!(player.program(0).unwrap().exit_code() == Some(0));
}

#[test]
fn a_checkpoint_on_a_program_fails_with_what_it_saw() {
    let text = lesson(
        Some(&format!(r#"{{ "source": {} }}"#, quoted(&corpus("echo_client.py")))),
        None,
        r#"{ "at": 5, "expect": { "raised": { "host": "client", "exception": "TimeoutError" } } },
           { "at": 5, "expect": { "printed": { "host": "client", "text": "Received" } } }"#,
    );
    let player = play(&text);
    let results: Vec<_> = player.results().iter().map(|r| r.clone().unwrap()).collect();
    assert!(!results[0].passed);
    assert_eq!(results[0].observed, "client's program ended on ConnectionRefusedError");
    assert!(!results[1].passed);
    let program = player.program(0).unwrap();
    assert_eq!(program.file(), "client.py", "the file is named after the host by default");
    assert!(
        console(program).contains("ConnectionRefusedError: [Errno 111] Connection refused"),
        "{}",
        console(program)
    );
}

#[test]
fn lines_typed_at_their_times_reach_input() {
    let source = r#"["name = input('Your name? ')", "print('Hello,', name.upper())", "print(input())"]"#;
    let text = lesson(
        Some(&format!(
            r#"{{ "source": {source}, "input": [ {{ "at": 2, "text": "ada" }}, {{ "at": 3, "text": "bye" }} ] }}"#
        )),
        None,
        r#"{ "at": 2.5, "expect": { "printed": { "host": "client", "text": "Hello, ADA" } } },
           { "at": 2.5, "expect": { "finished": { "host": "client" } } }"#,
    );
    let player = play(&text);
    let results: Vec<_> = player.results().iter().map(|r| r.clone().unwrap()).collect();
    assert!(results[0].passed, "{}", results[0].observed);
    assert!(!results[1].passed, "it still waits for the second line at 2.5 s");
    assert_eq!(player.program(0).unwrap().exit_code(), Some(0));
    let console = console(player.program(0).unwrap());
    assert!(console.starts_with("0.000 out Your name? ada\n2.000 out Hello, ADA\n"), "{console}");
    assert!(console.ends_with("3.000 out bye\n"), "{console}");
}

#[test]
fn a_program_that_does_not_compile_shows_its_syntax_error() {
    let text = lesson(
        Some(r#"{ "file": "broken.py", "source": ["print('one')", "if True", "    print('two')"] }"#),
        None,
        r#"{ "at": 1, "expect": { "raised": { "host": "client", "exception": "SyntaxError" } } }"#,
    );
    let player = play(&text);
    assert_all_passed(&player);
    let console = console(player.program(0).unwrap());
    assert!(console.contains("File \"broken.py\", line 2"), "{console}");
    assert!(console.trim_end().ends_with("SyntaxError: expected ':'"), "{console}");
}

#[test]
fn a_busy_program_does_not_hold_the_clock() {
    let text = lesson(Some(r#"{ "source": "while True:\n    pass\n" }"#), None, "");
    let mut player = Player::new(Lesson::parse(&text).unwrap()).unwrap();
    player.run_until(Instant::from_millis(50));
    assert_eq!(player.network().now(), Instant::from_millis(50));
    let process = player.program(0).unwrap().process().unwrap();
    assert_eq!(process.status(), &Status::Runnable);
    assert!(process.steps() > 10_000);
    player.stop_program(0);
    assert!(console(player.program(0).unwrap()).contains("KeyboardInterrupt"));
    assert_eq!(player.program(0).unwrap().exit_code(), Some(130));
    player.run_until(Instant::from_secs(1));
}

/// The consoles of every host, and the packets.
fn what_happened(session: &Session) -> String {
    let mut text = String::new();
    for host in 0..2 {
        if let Some(program) = session.player().program(host) {
            text += &console(program);
        }
    }
    for record in session.network().trace().records() {
        text += &format!("{} {:?} {:?}\n", record.sent_at.total_micros(), record.summary.kind, record.fate);
    }
    text
}

#[test]
fn a_session_runs_types_and_stops_programs_and_replays_them_when_rewound() {
    let mut session = Session::new(Lesson::parse(&lesson(None, None, "")).unwrap()).unwrap();
    let server = corpus("tcp_upper_server.py");
    session.act(Intent::Run { host: 1, file: "server.py".into(), source: server });
    session.advance_to(Instant::from_millis(300));
    session.act(Intent::Run { host: 0, file: "client.py".into(), source: corpus("tcp_upper_client.py") });
    session.advance_to(Instant::from_secs(1));
    let before_typing = what_happened(&session);
    session.advance_to(Instant::from_millis(1500));
    session.act(Intent::Type { host: 0, text: "hello sockets".into() });
    session.advance_to(Instant::from_secs(2));
    let client = console(session.player().program(0).unwrap());
    assert!(client.contains("HELLO SOCKETS"), "{client}");
    session.act(Intent::Stop { host: 1 });
    session.advance_to(Instant::from_secs(3));
    assert!(console(session.player().program(1).unwrap()).contains("KeyboardInterrupt"));
    let end = what_happened(&session);

    session.seek(Instant::from_secs(1));
    assert_eq!(what_happened(&session), before_typing, "rewinding replays the programs as they ran");
    session.seek(Instant::from_secs(3));
    assert_eq!(what_happened(&session), end, "playing on replays the typing and the stop");
}

#[test]
fn a_program_changes_the_revision_a_page_redraws_on() {
    let mut session = Session::new(Lesson::parse(&lesson(None, None, "")).unwrap()).unwrap();
    let before = session.revision();
    session.act(Intent::Run {
        host: 0,
        file: "a.py".into(),
        source: "import time\ntime.sleep(1)\nprint('late')\n".into(),
    });
    let started = session.revision();
    assert_ne!(before, started);
    session.advance_to(Instant::from_millis(500));
    assert_eq!(session.revision(), started, "a sleeping program changes nothing");
    session.advance_to(Instant::from_millis(1500));
    assert_ne!(session.revision(), started, "its print does");
}

#[test]
fn bad_programs_in_lesson_files_are_refused_with_the_field() {
    let cases = [
        (r#"{ "source": 5 }"#, "hosts[0].program.source: expected a string or a list of lines, found 5"),
        (r#"{ "file": "../x.py", "source": "" }"#, "hosts[0].program.file: \"../x.py\" is not a file name"),
        (
            r#"{ "source": "", "input": [ { "at": 1, "text": "a\nb" } ] }"#,
            "hosts[0].program.input[0].text: is one line",
        ),
        (
            r#"{ "source": "", "input": [ { "at": 2, "text": "a" }, { "at": 1, "text": "b" } ] }"#,
            "hosts[0].program.input[1].at: typed lines are listed in time order",
        ),
        (r#"{ "source": "", "start": -1 }"#, "hosts[0].program.start: -1 is not a time"),
        (r#"{ "source": "", "colour": "red" }"#, "hosts[0].program: unknown field `colour`"),
        (r#"{ }"#, "hosts[0].program.source: missing"),
    ];
    for (program, message) in cases {
        let error = Lesson::parse(&lesson(Some(program), None, "")).unwrap_err().to_string();
        assert!(error.starts_with(message), "{program}: {error}");
    }
    let printed_without_program =
        lesson(None, None, r#"{ "at": 1, "expect": { "printed": { "host": "server", "text": "x" } } }"#);
    let error = Lesson::parse(&printed_without_program).unwrap_err().to_string();
    assert_eq!(error, "checkpoints[0].expect.printed.host: server runs no program");
}

#[test]
fn stepping_past_a_busy_program_with_nothing_on_the_wires_gives_up_soon() {
    let mut session = Session::new(Lesson::parse(&lesson(None, None, "")).unwrap()).unwrap();
    session.act(Intent::Run { host: 0, file: "busy.py".into(), source: "while True:\n    pass\n".into() });
    assert!(!session.step(), "no packet event comes");
    let steps = session.player().program(0).unwrap().process().unwrap().steps();
    assert!(steps <= 10_000_000, "stepping gave up after {steps} steps");
}

#[test]
fn a_programs_sockets_are_named_by_its_variables() {
    let mut player = Player::new(Lesson::parse(&echo_lesson()).unwrap()).unwrap();
    player.run_until(Instant::from_millis(200));
    let names = |player: &Player| {
        let process = player.program(1).unwrap().process().unwrap();
        process.socket_names().into_iter().map(|(fd, name)| format!("{name}={fd}")).collect::<Vec<_>>()
    };
    assert_eq!(names(&player), ["s=3"]);
    player.run_until(Instant::from_millis(535));
    assert_eq!(names(&player), ["s=3", "conn=4"]);
}

#[test]
fn a_lesson_with_programs_written_back_reads_back_the_same() {
    let typed = r#"{ "source": "print(input())", "argv": ["a b", "\"q\""], "start": 0.25,
                     "input": [ { "at": 1, "text": "tab\there" } ] }"#;
    for text in [echo_lesson(), lesson(Some(typed), None, "")] {
        let lesson = Lesson::parse(&text).unwrap();
        assert_eq!(Lesson::parse(&lesson.to_json()).unwrap(), lesson, "{}", lesson.to_json());
    }
}

#[test]
fn a_shared_session_replays_the_same_packets_and_consoles() {
    use socksim::scenario::lesson::recording;
    use socksim::sim::{Impairments, PacketKind};
    let mut session = Session::new(Lesson::parse(&lesson(None, None, "")).unwrap()).unwrap();
    session.act(Intent::Run { host: 1, file: "server.py".into(), source: corpus("tcp_upper_server.py") });
    session.advance_to(Instant::from_millis(300));
    session.act(Intent::Run { host: 0, file: "client.py".into(), source: corpus("tcp_upper_client.py") });
    session.act(Intent::Call {
        host: 1,
        action: socksim::scenario::lesson::Action::Socket { kind: socksim::sim::SocketKind::Udp, binds: "u".into() }
            .into(),
    });
    session.act(Intent::DropNext { link: 0, from: Some(1), kind: Some(PacketKind::SynAck) });
    session.advance_to(Instant::from_millis(1500));
    session.act(Intent::SetLink {
        link: 0,
        from: 0,
        impairments: Impairments { loss_percent: 12.5, ..Impairments::default() },
    });
    session.act(Intent::Type { host: 0, text: "hello \"quoted\" sockets".into() });
    session.advance_to(Instant::from_millis(4000));
    let text = recording::write(session.lesson(), session.actions(), session.now());
    let shared = recording::read(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    assert_eq!(shared.actions, session.actions());
    let replayed = Session::replaying(shared.lesson, shared.actions, shared.at).unwrap();
    assert_eq!(replayed.now(), session.now());
    assert_eq!(what_happened(&replayed), what_happened(&session));
    assert!(what_happened(&session).contains("HELLO \"QUOTED\" SOCKETS"), "{}", what_happened(&session));
}

#[test]
fn a_hostile_shared_session_is_refused_with_the_field() {
    use socksim::scenario::lesson::recording;
    let lesson = lesson(None, None, "");
    let shared = |actions: &str| format!(r#"{{ "lesson": {lesson}, "at": 1, "actions": {actions} }}"#);
    let error = |actions: &str| recording::read(&shared(actions)).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(recording::read(&shared("[]")).is_ok());
    assert_eq!(
        error(r#"[ { "us": 5, "host": "nobody", "call": { "call": "socket", "as": "s" } } ]"#),
        "actions[0].host: there is no host named \"nobody\""
    );
    assert_eq!(
        error(r#"[ { "us": 5, "host": "client", "call": { "call": "recv", "socket": "s" } } ]"#),
        "actions[0].call.socket: \"s\" is not a socket made by an earlier step of this host"
    );
    assert!(error(r#"[ { "us": 9, "drop": 1 }, { "us": 5, "drop": 2 } ]"#)
        .starts_with("actions[1].us: actions are listed in time order"));
    assert!(error(r#"[ { "us": 5, "explode": true } ]"#).starts_with("actions[0]: an action is one of"));
    assert!(error(r#"[ { "us": 5, "host": "<img src=x>", "call": {} } ]"#).contains("there is no host named"));
    assert!(recording::read("{ \"lesson\": 5 }").err().unwrap().to_string().starts_with("lesson"));
    assert!(recording::read("[1, 2").is_err());
}
