//! Property tests of the interpreter, with fixed proptest seeds (no persistence files): whatever
//! text a person pastes — random characters, random Python tokens, or a course program with
//! random damage — compiling it never panics, and running it never panics and always returns
//! from every budget of steps.

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, RngSeed};
use socksim::python::{HostSockets, Process, Status};
use socksim::sim::{Duration, Impairments, Network};

const SOUP_SEED: u64 = 0x0050_C50E;
const TEXT_SEED: u64 = 0x7E47;
const DAMAGE_SEED: u64 = 0x00DA_3A6E;

fn fixed(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Compiles `text` and, when it compiles, runs it on a small network for a few budgets of steps,
/// stepping the network between them. Every call must return.
fn compile_and_run(text: &str) {
    let Ok(mut process) = Process::new("fuzz.py", text, &["arg"]) else { return };
    process.type_line("typed line");
    let mut net = Network::new(5);
    let host = net.add_host("client", "10.0.0.1".parse().unwrap()).unwrap();
    let server = net.add_host("server", "10.0.0.2".parse().unwrap()).unwrap();
    net.add_link(host, server, Impairments::with_delay(Duration::from_millis(10))).unwrap();
    for _ in 0..30 {
        for completion in net.take_completions() {
            process.complete(completion.call, completion.result);
        }
        let status = process.run(2_000, &mut HostSockets { network: &mut net, host });
        if matches!(status, Status::Finished { .. }) {
            return;
        }
        let next = net.next_event_at().unwrap_or(net.now() + Duration::from_millis(100));
        net.run_until(next.min(net.now() + Duration::from_millis(200)));
    }
    process.stop(&mut HostSockets { network: &mut net, host });
    assert!(matches!(process.status(), Status::Finished { .. }));
    let _ = process.current_lines();
}

const TOKENS: &[&str] = &[
    "x",
    "y",
    "s",
    "conn",
    "data",
    "print",
    "len",
    "range",
    "socket",
    "threading",
    "time",
    "sys",
    "str",
    "int",
    "list",
    "dict",
    "self",
    "f",
    "A",
    "=",
    "==",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "<",
    ">",
    "!=",
    "+=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    ";",
    "@",
    "0",
    "1",
    "-1",
    "2.5",
    "10**9",
    "'a'",
    "b'xy'",
    "f'{x}'",
    "'%s'",
    "\"\"\"",
    "None",
    "True",
    "False",
    "if",
    "elif",
    "else",
    "while",
    "for",
    "in",
    "not",
    "and",
    "or",
    "is",
    "def",
    "return",
    "class",
    "try",
    "except",
    "finally",
    "with",
    "as",
    "raise",
    "import",
    "from",
    "pass",
    "break",
    "continue",
    "lambda",
    "global",
    "nonlocal",
    "del",
    "assert",
    "yield",
    "*",
    "**",
    "\n",
    "\n",
    "\n    ",
    "\n        ",
    "    ",
    " ",
    "#",
    "\\\n",
    "sleep(0)",
    ".recv(10)",
    ".accept()",
    ".connect(('server', 80))",
    "socket(AF_INET, SOCK_DGRAM)",
    "input()",
    "Thread(target=f).start()",
];

fn token_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(TOKENS), 0..80).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #![proptest_config(fixed(400, SOUP_SEED))]
    #[test]
    fn random_token_soup_never_panics_and_always_returns(text in token_soup()) {
        compile_and_run(&text);
    }
}

proptest! {
    #![proptest_config(fixed(300, TEXT_SEED))]
    #[test]
    fn random_text_never_panics(text in "(?s).{0,200}") {
        compile_and_run(&text);
    }
}

const PROGRAMS: &[&str] = &[
    include_str!("python/echo_server.py"),
    include_str!("python/echo_client.py"),
    include_str!("python/threaded_server.py"),
    include_str!("python/udp_upper_client.py"),
    include_str!("python/logging_server.py"),
    include_str!("python/py2_client.py"),
    include_str!("python/language/control.py"),
    include_str!("python/language/classes.py"),
    include_str!("python/language/strings.py"),
];

/// A course program with random damage: characters deleted, replaced or duplicated.
fn damaged_program() -> impl Strategy<Value = String> {
    (0..PROGRAMS.len(), proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..6))
        .prop_map(|(which, edits)| {
            let mut chars: Vec<char> = PROGRAMS[which].chars().collect();
            for (at, kind, c) in edits {
                if chars.is_empty() {
                    break;
                }
                let at = at.index(chars.len());
                match kind {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars[at] = c,
                    2 => chars.insert(at, chars[at]),
                    _ => chars.insert(at, "()[]:'\"\n ,.=0".chars().nth(c as usize % 14).unwrap_or(' ')),
                }
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(fixed(300, DAMAGE_SEED))]
    #[test]
    fn damaged_programs_never_panic_and_always_return(text in damaged_program()) {
        compile_and_run(&text);
    }
}

#[test]
fn hostile_programs_end_with_python_errors() {
    for text in [
        "x = []\nwhile True:\n    x.append(x)\n",
        "s = 'ab'\nwhile True:\n    s = s + s\n",
        "def f():\n    return f()\nf()\n",
        "class A:\n    def __repr__(self):\n        return repr(self)\nprint(A())\n",
        "class A:\n    def __str__(self):\n        while True:\n            pass\nprint(A())\n",
        "import socket\nwhile True:\n    socket.socket()\n",
        "d = {}\ni = 0\nwhile True:\n    d[i] = i\n    i += 1\n",
        "print(sorted(range(10**6), key=lambda v: -v)[:3])\n",
        &format!("x = {}1{}\n", "(".repeat(300), ")".repeat(300)),
        &format!("x = 1{}\n", " + 1".repeat(3000)),
    ] {
        compile_and_run(text);
    }
}
