//! The headless runner: `socksim run LESSON.json [--pcap FILE] [--trace FILE] [--until SECONDS]`.
//!
//! Runs a lesson without a browser, prints a ladder of what happened (socket calls and packets in
//! virtual time, with each packet's fate) and the checkpoint verdicts, and exits 0 when every
//! checkpoint reached passed, 1 when one failed, 2 when the file or the command line is wrong.
//! Teachers use it to prepare material; the test suite uses it too.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use crate::python::Status;
use crate::scenario::lesson::Lesson;
use crate::scenario::library;
use crate::scenario::player::{instant, CheckpointResult, Outcome, Player, TranscriptLine};
use crate::scenario::program::HostProgram;
use crate::sim::{pcap, Fate, Instant, PacketRecord, Snapshot};

const USAGE: &str = "\
usage: socksim run LESSON [--pcap FILE] [--trace FILE] [--until SECONDS]
       socksim lessons

LESSON is a lesson file (JSON) or the id of a built-in lesson (see `socksim lessons`).
  --pcap FILE      write every packet to FILE as a pcap capture (Wireshark, tshark)
  --trace FILE     write calls, packets, checkpoints and the final state to FILE as JSON
  --until SECONDS  stop at this virtual time instead of the lesson's duration";

/// What the command line asked for.
#[derive(Debug, PartialEq)]
struct RunOptions {
    lesson: String,
    pcap: Option<String>,
    trace: Option<String>,
    until: Option<f64>,
}

fn parse_run(args: &[String]) -> Result<RunOptions, String> {
    let mut options = RunOptions { lesson: String::new(), pcap: None, trace: None, until: None };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = |flag: &str| iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--pcap" => options.pcap = Some(value("--pcap")?),
            "--trace" => options.trace = Some(value("--trace")?),
            "--until" => {
                let text = value("--until")?;
                let seconds: f64 = text.parse().map_err(|_| format!("--until takes seconds, not {text:?}"))?;
                if !(seconds.is_finite() && seconds >= 0.0) {
                    return Err(format!("--until takes a time of 0 seconds or more, not {text}"));
                }
                options.until = Some(seconds);
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            lesson if options.lesson.is_empty() => options.lesson = lesson.into(),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    if options.lesson.is_empty() {
        return Err("which lesson? give a file or a built-in lesson id".into());
    }
    Ok(options)
}

/// Runs the command line; returns the process's exit code.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => match parse_run(&args[1..]) {
            Ok(options) => run(&options),
            Err(message) => usage_error(&message),
        },
        Some("lessons") => {
            for lesson in library::BUILT_IN {
                let title = Lesson::parse(lesson.text).map(|lesson| lesson.title).unwrap_or_default();
                println!("{:<26} {title}", lesson.id);
            }
            ExitCode::SUCCESS
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error("expected a command"),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("socksim: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn run(options: &RunOptions) -> ExitCode {
    let text = match std::fs::read_to_string(&options.lesson) {
        Ok(text) => text,
        Err(error) => match library::find(&options.lesson) {
            Some(built_in) => built_in.text.to_string(),
            None => {
                eprintln!("socksim: cannot read {}: {error}", options.lesson);
                return ExitCode::from(2);
            }
        },
    };
    let lesson = match Lesson::parse(&text) {
        Ok(lesson) => lesson,
        Err(error) => {
            eprintln!("socksim: {} is not a valid lesson: {error}", options.lesson);
            return ExitCode::from(2);
        }
    };
    let until = options.until.unwrap_or(lesson.duration);
    let mut player = match Player::new(lesson) {
        Ok(player) => player,
        Err(error) => {
            eprintln!("socksim: {} is not a valid lesson: {error}", options.lesson);
            return ExitCode::from(2);
        }
    };
    player.run_until(instant(until));
    print!("{}", report(&player, until));

    if let Some(path) = &options.pcap {
        if let Err(error) = std::fs::write(path, pcap::write(player.network().trace())) {
            eprintln!("socksim: cannot write {path}: {error}");
            return ExitCode::from(2);
        }
    }
    if let Some(path) = &options.trace {
        let json = serde_json::to_string_pretty(&TraceFile::of(&player)).expect("the trace serializes");
        if let Err(error) = std::fs::write(path, json) {
            eprintln!("socksim: cannot write {path}: {error}");
            return ExitCode::from(2);
        }
    }
    let failed = player.results().iter().flatten().any(|result| !result.passed);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Everything `--trace` writes.
#[derive(Serialize)]
struct TraceFile<'a> {
    title: &'a str,
    seed: u64,
    transcript: &'a [TranscriptLine],
    packets: Vec<&'a PacketRecord>,
    checkpoints: Vec<&'a Option<CheckpointResult>>,
    consoles: Vec<ConsoleTrace<'a>>,
    final_state: Snapshot,
}

/// A program's console in `--trace`.
#[derive(Serialize)]
struct ConsoleTrace<'a> {
    host: usize,
    file: &'a str,
    exit_code: Option<i32>,
    /// (microseconds, stream, text)
    lines: Vec<(i64, &'static str, &'a str)>,
}

impl<'a> TraceFile<'a> {
    fn of(player: &'a Player) -> Self {
        TraceFile {
            title: &player.lesson().title,
            seed: player.lesson().seed,
            transcript: player.transcript(),
            packets: player.network().trace().records().collect(),
            checkpoints: player.results().iter().collect(),
            consoles: (0..player.lesson().hosts.len())
                .filter_map(|host| {
                    let program = player.program(host)?;
                    let lines = program.console().map(|console| {
                        console
                            .lines()
                            .iter()
                            .map(|l| (l.at.total_micros(), l.stream.name(), l.text.as_str()))
                            .collect()
                    });
                    Some(ConsoleTrace {
                        host,
                        file: program.file(),
                        exit_code: program.exit_code(),
                        lines: lines.unwrap_or_default(),
                    })
                })
                .collect(),
            final_state: player.network().snapshot(),
        }
    }
}

/// Where a program got to: its exit status, or what it is doing.
fn program_state(program: &HostProgram) -> String {
    if let Some(code) = program.exit_code() {
        return format!("exited with status {code}");
    }
    let Some(process) = program.process() else { return "not started".into() };
    let line = |waiting: bool| {
        let thread = process.current_lines().into_iter().find(|thread| thread.waiting == waiting)?;
        let code = program.source().lines().nth(thread.line as usize - 1)?.trim().to_string();
        Some(format!(" on line {}: {code}", thread.line))
    };
    match process.status() {
        Status::Runnable => format!("busy{}", line(false).unwrap_or_default()),
        Status::Waiting { input: true, .. } => "waiting for a line typed at its console".into(),
        Status::Waiting { calls, .. } if !calls.is_empty() => format!("blocked{}", line(true).unwrap_or_default()),
        Status::Waiting { .. } => format!("waiting{}", line(true).unwrap_or_default()),
        Status::Finished { exit_code } => format!("exited with status {exit_code}"),
    }
}

fn seconds(time: Instant) -> String {
    format!("{:8.3}", time.total_micros() as f64 / 1e6)
}

/// The ladder and the verdicts, as the runner prints them.
pub fn report(player: &Player, until: f64) -> String {
    let lesson = player.lesson();
    let network = player.network();
    let host_name = |id: usize| network.host(id).map_or("?", |host| host.name());
    let width = lesson.hosts.iter().map(|host| host.name.len()).max().unwrap_or(4).max(4);

    // Calls and packets in time order; at one instant, calls first (they cause the packets).
    let mut lines: Vec<(Instant, u8, usize, String)> = Vec::new();
    for (index, call) in player.transcript().iter().enumerate() {
        let host = format!("{:>width$}", host_name(call.host));
        let result = match &call.outcome {
            Outcome::Returned(value) => format!("→ {value}"),
            Outcome::Raised(error) => format!("✗ {error}"),
            Outcome::Blocked => "… still blocked".into(),
        };
        match call.finished_at {
            Some(finished) => {
                lines.push((call.started_at, 0, index, format!("{host}  {}  … blocks", call.code)));
                lines.push((finished, 0, index, format!("{host}  {}  {result}", call.code)));
            }
            None => lines.push((call.started_at, 0, index, format!("{host}  {}  {result}", call.code))),
        }
    }
    for record in network.trace().records() {
        let to = record.to.map_or("(nobody)", host_name);
        let fate = match record.fate.at() {
            Some(at) if matches!(record.fate, Fate::Delivered { .. }) => format!("delivered at {}", seconds(at).trim()),
            Some(at) => format!("{} at {}", record.fate.label(), seconds(at).trim()),
            None => record.fate.label().into(),
        };
        let duplicate = record.duplicate_of.map(|of| format!(" (duplicate of #{of})")).unwrap_or_default();
        lines.push((
            record.sent_at,
            1,
            record.id as usize,
            format!(
                "{:>width$} → {:<width$}  #{} {}  — {fate}{duplicate}",
                host_name(record.from),
                to,
                record.id,
                record.summary.describe()
            ),
        ));
    }
    for host in 0..lesson.hosts.len() {
        let Some(console) = player.program(host).and_then(HostProgram::console) else { continue };
        let name = format!("{:>width$}", host_name(host));
        for (index, line) in console.lines().iter().enumerate() {
            lines.push((line.at, 0, host << 32 | index, format!("{name} {:>3}| {}", line.stream.name(), line.text)));
        }
    }
    for (index, step) in lesson.guide.iter().enumerate() {
        lines.push((instant(step.at), 0, index, format!("{:>width$}  ▸ {}", "guide", step.text)));
    }
    lines.sort_by_key(|(time, class, order, _)| (*time, *class, *order));

    let mut out = String::new();
    let _ = writeln!(out, "{} (seed {}, run to {until} s)", lesson.title, lesson.seed);
    if !lesson.intro.is_empty() {
        let _ = writeln!(out, "{}", lesson.intro);
    }
    let _ = writeln!(out, "\n    time  what");
    for (time, _, _, text) in &lines {
        let _ = writeln!(out, "{}  {text}", seconds(*time));
    }

    let programs: Vec<_> = (0..lesson.hosts.len()).filter_map(|host| Some((host, player.program(host)?))).collect();
    if !programs.is_empty() {
        let _ = writeln!(out, "\nPrograms");
        for (host, program) in programs {
            let _ = writeln!(out, "  {:>width$}  {}: {}", host_name(host), program.file(), program_state(program));
        }
    }

    let _ = writeln!(out, "\nCheckpoints");
    let (mut passed, mut failed, mut not_reached) = (0, 0, 0);
    for (checkpoint, result) in lesson.checkpoints.iter().zip(player.results()) {
        let title = checkpoint.question.clone().unwrap_or_else(|| lesson.describe(&checkpoint.expect));
        match result {
            Some(result) => {
                let mark = if result.passed { "✔" } else { "✘" };
                if result.passed {
                    passed += 1
                } else {
                    failed += 1
                }
                let _ = writeln!(out, "  {mark} {:>7.3} s  {title}", checkpoint.at);
                if let Some(answer) = checkpoint.answer.and_then(|answer| checkpoint.choices.get(answer)) {
                    let _ = writeln!(out, "              answer: {answer}");
                }
                let _ = writeln!(out, "              expected: {}", lesson.describe(&checkpoint.expect));
                let _ = writeln!(out, "              observed: {}", result.observed);
            }
            None => {
                not_reached += 1;
                let _ = writeln!(out, "  - {:>7.3} s  {title} (not reached)", checkpoint.at);
            }
        }
    }
    let skipped = if not_reached > 0 { format!(", {not_reached} skipped") } else { String::new() };
    let _ = writeln!(out, "\ncheckpoints: {passed} passed, {failed} failed{skipped}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn reads_the_run_options() {
        let options = parse_run(&args(&["l.json", "--pcap", "o.pcap", "--until", "2.5"])).unwrap();
        assert_eq!(options.lesson, "l.json");
        assert_eq!(options.pcap.as_deref(), Some("o.pcap"));
        assert_eq!(options.until, Some(2.5));
    }

    #[test]
    fn refuses_bad_command_lines() {
        assert!(parse_run(&args(&[])).unwrap_err().contains("which lesson"));
        assert!(parse_run(&args(&["l.json", "--until", "soon"])).unwrap_err().contains("seconds"));
        assert!(parse_run(&args(&["l.json", "--until", "-1"])).is_err());
        assert!(parse_run(&args(&["l.json", "--pcap"])).unwrap_err().contains("needs a value"));
        assert!(parse_run(&args(&["l.json", "--colour"])).unwrap_err().contains("unknown option"));
        assert!(parse_run(&args(&["a.json", "b.json"])).unwrap_err().contains("unexpected"));
    }
}
