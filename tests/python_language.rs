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

/// Each snippet in `tests/python/language/` prints what CPython 3.11 printed for it (`.out`).
#[test]
fn snippets_print_what_cpython_prints() {
    let folder = format!("{}/tests/python/language", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".py"))
        .collect();
    names.sort();
    assert!(names.len() >= 6);
    let mut failures = Vec::new();
    for name in names {
        let source = std::fs::read_to_string(format!("{folder}/{name}")).unwrap();
        let expected = std::fs::read_to_string(format!("{folder}/{}", name.replace(".py", ".out"))).unwrap();
        let (got, code) = run(&source);
        if got != expected || code != 0 {
            let first = got.lines().zip(expected.lines()).position(|(a, b)| a != b);
            failures.push(format!(
                "{name} (exit {code}), first difference at line {first:?}:\n--- got ---\n{got}--- CPython ---\n{expected}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn runaway_recursion_is_a_recursion_error() {
    let (text, code) = run("def down(n):\n    return down(n + 1)\n\ndown(0)\n");
    assert_eq!(code, 1);
    assert!(text.starts_with("Traceback (most recent call last):\n  File \"t.py\", line 4, in <module>\n"), "{text}");
    assert!(text.contains("  [Previous line repeated 996 more times]\n"), "{text}");
    assert!(text.ends_with("RecursionError: maximum recursion depth exceeded\n"), "{text}");
}

#[test]
fn huge_values_raise_instead_of_aborting() {
    assert!(
        output("try:\n    s = 'a' * 10**12\nexcept MemoryError:\n    print('no memory')\n").starts_with("no memory")
    );
    assert_eq!(
        output("try:\n    print(2 ** 64)\nexcept OverflowError as e:\n    print(e)\n"),
        "integer too large (socksim's ints are 64-bit)\n"
    );
    assert_eq!(output("x = []\nfor i in range(100000):\n    x = [x]\nprint(len(x))\ntry:\n    print(x)\nexcept RecursionError:\n    print('too deep')\n"), "1\ntoo deep\n");
    assert_eq!(
        output(
            "print(len(list(range(10**6))))\ntry:\n    list(range(10**9))\nexcept MemoryError:\n    print('refused')\n"
        ),
        "1000000\nrefused\n"
    );
}

#[test]
fn unsupported_features_say_so_with_their_line() {
    let (text, code) = run("x = 1\ndef gen():\n    yield x\n");
    assert_eq!(code, 1);
    assert!(text.ends_with("NotImplementedError: generators (yield) are not supported by socksim\n"), "{text}");
    assert!(text.starts_with("  File \"t.py\", line 3\n"), "{text}");
    let (text, _) = run("import select\n");
    assert!(text.contains("line 1, in <module>"), "{text}");
    assert!(text.contains("ModuleNotFoundError: No module named 'select'"), "{text}");
}
