//! Lesson files: every shipped lesson passes its checkpoints, through the library and through the
//! `socksim` binary; every kind of bad file is refused with a message naming the field.

use std::process::Command;

use socksim::scenario::lesson::limits;
use socksim::scenario::library::{self, BUILT_IN};
use socksim::scenario::{Lesson, Player};

fn run(text: &str) -> Player {
    let mut player = Player::new(Lesson::parse(text).expect("the lesson is valid")).expect("the network builds");
    player.run_to_end();
    player
}

#[test]
fn every_shipped_lesson_passes_all_its_checkpoints() {
    assert_eq!(BUILT_IN.len(), 12);
    for lesson in BUILT_IN {
        let player = run(lesson.text);
        assert!(!player.lesson().checkpoints.is_empty(), "{} has checkpoints", lesson.id);
        for (checkpoint, result) in player.lesson().checkpoints.iter().zip(player.results()) {
            let result = result.as_ref().unwrap_or_else(|| panic!("{}: a checkpoint was not reached", lesson.id));
            assert!(result.passed, "{}: checkpoint at {} s failed: {}", lesson.id, checkpoint.at, result.observed);
        }
    }
}

#[test]
fn every_menu_title_is_its_files_title() {
    for lesson in BUILT_IN {
        assert_eq!(Lesson::parse(lesson.text).unwrap().title, lesson.title, "{}", lesson.id);
    }
}

#[test]
fn every_question_has_choices_and_an_answer() {
    for lesson in BUILT_IN {
        let lesson = Lesson::parse(lesson.text).unwrap();
        assert!(lesson.intro.len() > 80, "{} has an intro", lesson.title);
        for checkpoint in lesson.checkpoints.iter().filter(|c| c.question.is_some()) {
            assert!(checkpoint.choices.len() >= 2 && checkpoint.answer.is_some(), "{}", lesson.title);
        }
    }
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_socksim"))
}

#[test]
fn the_runner_runs_every_lesson_file_and_exits_zero() {
    for lesson in BUILT_IN {
        let path = format!("{}/src/scenario/lessons/{}.json", env!("CARGO_MANIFEST_DIR"), lesson.id);
        let output = binary().args(["run", &path]).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}: {stdout}{}", lesson.id, String::from_utf8_lossy(&output.stderr));
        assert!(stdout.contains(" failed"), "{stdout}");
        assert!(stdout.contains("checkpoints: "), "{stdout}");
        assert!(!stdout.contains("✘"));
    }
}

#[test]
fn the_runner_prints_a_ladder_and_writes_pcap_and_trace() {
    let dir = std::env::temp_dir().join(format!("socksim-runner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pcap, trace) = (dir.join("hello.pcap"), dir.join("hello.json"));
    let output =
        binary().args(["run", "01-hello-server", "--pcap"]).arg(&pcap).arg("--trace").arg(&trace).output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("client → server  #0 10.0.0.1:"), "{stdout}");
    assert!(stdout.contains("[SYN] seq=0 len=0  — delivered at 0.540"), "{stdout}");
    assert!(stdout.contains("conn, addr = s.accept()  → (<socket fd=4>, ('10.0.0.1', "), "{stdout}");
    assert!(stdout.contains("checkpoints: 6 passed, 0 failed"), "{stdout}");
    let pcap = std::fs::read(pcap).unwrap();
    assert_eq!(&pcap[..4], &0xa1b2_c3d4u32.to_le_bytes());
    let trace: serde_json::Value = serde_json::from_slice(&std::fs::read(trace).unwrap()).unwrap();
    assert_eq!(trace["packets"].as_array().unwrap().len(), 7);
    assert_eq!(trace["packets"][0]["summary"]["kind"], "syn");
    assert_eq!(trace["final_state"]["hosts"][1]["name"], "server");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_runner_exits_one_when_a_checkpoint_fails_and_two_on_a_bad_file() {
    let dir = std::env::temp_dir().join(format!("socksim-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let failing = dir.join("failing.json");
    let text = BUILT_IN[0].text.replace("\"text\": \"Hello from server\\r\\n\" } }", "\"text\": \"Goodbye\" } }");
    assert_ne!(text, BUILT_IN[0].text);
    std::fs::write(&failing, text).unwrap();
    let output = binary().arg("run").arg(&failing).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("✘"));

    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{ not json").unwrap();
    let output = binary().arg("run").arg(&broken).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid JSON"));

    assert_eq!(binary().args(["run", "no-such-lesson"]).output().unwrap().status.code(), Some(2));
    assert_eq!(binary().args(["dance"]).output().unwrap().status.code(), Some(2));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn until_stops_early_and_leaves_later_checkpoints_unreached() {
    let output = binary().args(["run", "09-full-accept-queue", "--until", "1"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("(not reached)"));
    assert!(stdout.contains("0 passed, 0 failed, 6 skipped"), "{stdout}");
}

#[test]
fn the_iterative_server_makes_client_2_wait_and_the_threaded_one_does_not() {
    let output = binary().args(["run", "08-three-clients"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    // Client 2 typed at 1.5 s; the iterative server reaches it only when client 1 quits at 3 s.
    assert!(stdout.contains("   1.500    client2  in| Good morning\n"), "{stdout}");
    assert!(stdout.contains("   3.010  iterative out| Serving 10.0.0.2:"), "{stdout}");
    assert!(stdout.contains("   3.020    client2 out| Good morning Ali\n"), "{stdout}");
    // The threaded server answers client 2 while client 1 is still connected (it quits at 8 s).
    assert!(stdout.contains("   6.520    client2 out| Good morning again Ali\n"), "{stdout}");
    assert!(stdout.contains("   8.010   threaded out| Done with 10.0.0.1:"), "{stdout}");
}

// ---- Bad files -------------------------------------------------------------------------------

/// A minimal valid lesson, to break one field at a time.
fn minimal() -> serde_json::Value {
    serde_json::json!({
        "socksim": 1,
        "title": "t",
        "duration": 1,
        "hosts": [
            { "name": "a", "address": "10.0.0.1", "script": [
                { "call": "socket", "type": "tcp", "as": "s" },
                { "call": "connect", "socket": "s", "address": "b", "port": 80 }
            ] },
            { "name": "b", "address": "10.0.0.2" }
        ],
        "links": [ { "between": ["a", "b"] } ],
        "checkpoints": [ { "at": 1, "expect": { "finished": { "host": "a" } } } ]
    })
}

fn error_for(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut lesson = minimal();
    edit(&mut lesson);
    Lesson::parse(&lesson.to_string()).expect_err("the file is refused").to_string()
}

#[test]
fn the_minimal_lesson_is_valid() {
    Lesson::parse(&minimal().to_string()).unwrap();
}

#[test]
fn bad_files_are_refused_with_the_field_named() {
    let cases: Vec<(String, &str)> = vec![
        (error_for(|l| l["links"][0]["between"][1] = "c".into()), "links[0].between: there is no host named \"c\""),
        (
            error_for(|l| l["hosts"][1]["address"] = "10.0.0.1".into()),
            "hosts[1].address: 10.0.0.1 is the address of two hosts",
        ),
        (
            error_for(|l| l["hosts"][1]["address"] = "10.0.0.300".into()),
            "hosts[1].address: \"10.0.0.300\" is not an IPv4 address",
        ),
        (error_for(|l| l["hosts"][1]["address"] = "127.0.0.1".into()), "hosts[1].address: 127.0.0.1 is reserved"),
        (error_for(|l| l["hosts"][1]["name"] = "a".into()), "hosts[1].name: \"a\" names two hosts"),
        (
            error_for(|l| l["hosts"][0]["script"][1]["port"] = 70000.into()),
            "hosts[0].script[1].port: 70000 is not a port (0–65535)",
        ),
        (
            error_for(|l| l["hosts"][0]["script"][1]["call"] = "conect".into()),
            "hosts[0].script[1].call: \"conect\" is not a socket call",
        ),
        (
            error_for(|l| l["hosts"][0]["script"][1]["socket"] = "t".into()),
            "hosts[0].script[1].socket: \"t\" is not a socket made by an earlier step",
        ),
        (
            error_for(|l| l["hosts"][0]["name"] = "<script>alert(1)</script>".into()),
            "hosts[0].name: \"<script>alert(1)</script>\" is not a valid name",
        ),
        (
            error_for(|l| l["links"][0]["loss_percent"] = 120.into()),
            "links[0].loss_percent: 120 is not a percentage from 0 to 100",
        ),
        (error_for(|l| l["checkpoints"][0]["at"] = 5.into()), "checkpoints[0].at: 5 s is after the lesson ends (1 s)"),
        (
            error_for(|l| l["checkpoints"][0]["expect"] = serde_json::json!({})),
            "checkpoints[0].expect: expects nothing",
        ),
        (error_for(|l| l["socksim"] = 2.into()), "socksim: format version 2 is not supported"),
        (
            error_for(|l| {
                l.as_object_mut().unwrap().remove("socksim");
            }),
            "socksim: missing",
        ),
        (error_for(|l| l["colour"] = "red".into()), "unknown field `colour`"),
        (
            error_for(|l| l["hosts"][0]["script"][1]["colour"] = "red".into()),
            "hosts[0].script[1]: unknown field `colour` (the fields here are at, call, as,",
        ),
        (
            error_for(|l| l["hosts"][0]["script"][1]["port"] = "80".into()),
            "hosts[0].script[1].port: expected a whole number, found \"80\"",
        ),
        (
            error_for(|l| l["links"][0]["between"] = serde_json::json!(["a"])),
            "links[0].between: expected a pair of host names, found a list of 1",
        ),
        (
            error_for(|l| {
                l["checkpoints"][0]["expect"]["finished"] = serde_json::json!({ "hots": "a" });
            }),
            "checkpoints[0].expect.finished: unknown field `hots` (the fields here are host)",
        ),
        (
            error_for(|l| {
                l.as_object_mut().unwrap().remove("title");
            }),
            "title: missing",
        ),
        (error_for(|l| l["hosts"] = serde_json::json!([])), "hosts: a lesson needs at least one host"),
    ];
    for (message, expected) in &cases {
        assert!(message.contains(expected), "expected {expected:?} in {message:?}");
    }
}

#[test]
fn a_field_given_twice_is_refused() {
    let text = minimal().to_string().replacen(r#""title":"t""#, r#""title":"t","title":"u""#, 1);
    assert_eq!(Lesson::parse(&text).unwrap_err().to_string(), "title: given more than once");
}

#[test]
fn files_that_are_not_json_or_too_large_are_refused() {
    assert!(Lesson::parse("hello").unwrap_err().to_string().contains("not valid JSON"));
    assert!(Lesson::parse("").unwrap_err().to_string().contains("not valid JSON"));
    assert!(Lesson::parse("[1, 2]").unwrap_err().to_string().contains("a lesson file is a JSON object"));
    let version = Lesson::parse(r#"{"socksim": "one"}"#).unwrap_err();
    assert_eq!(version.to_string(), r#"socksim: the format version is a number: "socksim": 1"#);
    let huge = format!("{{\"socksim\": 1, \"title\": \"{}\"}}", "x".repeat(limits::FILE_BYTES));
    assert!(Lesson::parse(&huge).unwrap_err().to_string().contains("at most 256 KiB"));
}

#[test]
fn counts_are_capped() {
    let message = error_for(|l| {
        let hosts: Vec<serde_json::Value> = (0..=limits::HOSTS)
            .map(|i| serde_json::json!({ "name": format!("h{i}"), "address": format!("10.0.1.{}", i + 1) }))
            .collect();
        l["hosts"] = hosts.into();
    });
    assert!(message.contains("hosts: 33 entries; at most 32 are allowed"), "{message}");
}

#[test]
fn a_script_that_uses_a_socket_whose_accept_failed_gets_a_name_error() {
    let mut lesson = minimal();
    lesson["hosts"][1]["script"] = serde_json::json!([
        { "call": "socket", "type": "tcp", "as": "s" },
        { "call": "settimeout", "socket": "s", "seconds": 0.1 },
        { "call": "bind", "socket": "s", "address": "", "port": 80 },
        { "call": "listen", "socket": "s" },
        { "at": 0.5, "call": "accept", "socket": "s", "as": "conn", "continue_on_error": true },
        { "call": "accept", "socket": "s", "as": "late", "continue_on_error": true },
        { "call": "recv", "socket": "late" }
    ]);
    lesson["hosts"][0]["script"][0]["at"] = 0.7.into();
    let player = run(&lesson.to_string());
    let lines: Vec<_> = player.transcript().iter().filter(|line| line.host == 1).collect();
    assert_eq!(lines.len(), 7);
    assert!(format!("{:?}", lines[5].outcome).contains("TimeoutError"));
    assert!(format!("{:?}", lines[6].outcome).contains("NameError: name 'late' is not defined"));
}

#[test]
fn the_runner_prints_each_programs_console_and_where_it_ended() {
    let output = binary().args(["run", "02-echo-and-log"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("   0.000   server log| 1970-01-01 00:00:00,000 Listening on port 80\n"), "{stdout}");
    assert!(stdout.contains("   0.530   server log| 1970-01-01 00:00:00,530 Connection Closed\n"), "{stdout}");
    assert!(stdout.contains("\nPrograms\n   server  server.py: blocked on line 13: conn, addr = server.accept()\n"));
    assert!(stdout.contains("  client3  client.py: exited with status 0\n"), "{stdout}");
}

#[test]
fn a_lessons_guide_says_what_to_do_next_from_each_steps_time() {
    let lesson = Lesson::parse(library::find("01-hello-server").unwrap().text).unwrap();
    assert_eq!(lesson.guide.len(), 4);
    let step = |seconds: f64| lesson.guide_at(seconds).map(|(number, step)| (number, step.text.clone()));
    assert!(step(0.0).unwrap().1.starts_with("Press play"));
    assert_eq!(step(0.549).unwrap().0, 0);
    assert_eq!(step(0.55).unwrap().0, 1);
    assert_eq!(step(99.0).unwrap().0, 3);

    let with_guide = |guide: &str| {
        format!(
            r#"{{ "socksim": 1, "title": "t", "duration": 5,
                 "hosts": [ {{ "name": "a", "address": "10.0.0.1" }} ], "guide": {guide} }}"#
        )
    };
    assert_eq!(Lesson::parse(&with_guide("[]")).unwrap().guide_at(0.0), None);
    let error = |guide: &str| Lesson::parse(&with_guide(guide)).unwrap_err().to_string();
    assert_eq!(
        error(r#"[ { "at": 2, "text": "b" }, { "at": 1, "text": "a" } ]"#),
        "guide[1].at: the guide's steps are listed in time order"
    );
    assert!(error(r#"[ { "at": 1, "text": " " } ]"#).starts_with("guide[0].text: a step says something"));
    assert_eq!(error(r#"[ { "at": 9, "text": "late" } ]"#), "guide[0].at: 9 s is after the lesson ends (5 s)");
    assert_eq!(error(r#"[ { "text": "when?" } ]"#), "guide[0].at: missing: this field is required");
}

#[test]
fn every_lesson_written_back_as_a_file_reads_back_the_same() {
    for built_in in BUILT_IN {
        let lesson = Lesson::parse(built_in.text).unwrap();
        let text = lesson.to_json();
        let again = Lesson::parse(&text).unwrap_or_else(|error| panic!("{}: {error}\n{text}", built_in.id));
        assert_eq!(again, lesson, "{}", built_in.id);
        assert_eq!(again.to_json(), text);
    }
}

#[test]
fn a_lesson_file_as_written_reads_well() {
    let text = Lesson::parse(library::find("05-nobody-home").unwrap().text).unwrap().to_json();
    assert!(text.starts_with("{\n  \"socksim\": 1,\n  \"title\": \"Nobody's home\",\n"), "{text}");
    assert!(
        text.contains("\n        { \"at\": 0.2, \"call\": \"socket\", \"type\": \"tcp\", \"as\": \"s\" },\n"),
        "{text}"
    );
}
