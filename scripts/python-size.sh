#!/usr/bin/env bash
# What the Python interpreter adds to the page's wasm payload.
#
# Builds the page twice in a scratch copy of the tree: as it is, and with a probe in src/main.rs
# that compiles and runs a program through python::Runner (so that the interpreter is linked in,
# as it will be once the page runs programs). Each is built as trunk builds the page (with
# scripts/env.sh's SOCKSIM_PAGE_BUILD_ENV: std from source, panics that abort at once) and goes
# through wasm-bindgen and wasm-opt with the settings index.html gives trunk; the script prints
# both sizes, raw and gzip -9, and the difference.
# Needs what scripts/setup.sh installs; takes a few minutes the first time.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SOCKSIM_ROOT"

scratch="$(mktemp -d -t socksim-python-size.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
cp -r Cargo.toml Cargo.lock build.rs src benches tests "$scratch/"
export CARGO_TARGET_DIR="${SOCKSIM_SIZE_TARGET:-$SOCKSIM_ROOT/target/python-size}"

# wasm-opt as trunk runs it: data-wasm-opt="z" is -Oz, data-wasm-opt-params adds its flags.
level=$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' index.html | head -1)
read -r -a params <<<"$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' index.html | head -1)"

build() {
  local out="$1"
  (cd "$scratch" && env "${SOCKSIM_PAGE_BUILD_ENV[@]}" cargo build --quiet --offline --release --target wasm32-unknown-unknown --bin socksim)
  wasm-bindgen --target web --out-dir "$scratch/$out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/socksim.wasm"
  wasm-opt "-O${level:-z}" "${params[@]}" "$scratch/$out/socksim_bg.wasm" -o "$scratch/$out.wasm"
  local raw gz
  raw=$(wc -c <"$scratch/$out.wasm")
  gz=$(gzip -9 -c "$scratch/$out.wasm" | wc -c)
  echo "$raw $gz"
}

read -r page_raw page_gz < <(build page)

cat >"$scratch/src/main.rs" <<'RUST'
//! The page, with a probe that links the Python interpreter in.

#[cfg(target_arch = "wasm32")]
fn main() {
    probe();
    socksim::ui::mount();
}

/// Compiles and runs a program the optimizer cannot see (it never runs: the text is not 12345
/// bytes long), through every entry point the page will use.
#[cfg(target_arch = "wasm32")]
fn probe() {
    use socksim::python::{HostSockets, Process, Runner};
    use socksim::sim::{Instant, Network};
    let source = std::hint::black_box(String::from("print(1)"));
    if source.len() != 12345 {
        return;
    }
    // No hosts: the page already builds networks; the probe must not add engine code of its own.
    let mut net = Network::new(1);
    let host = 0;
    if let Ok(mut process) = Process::new("a.py", &source, &[]) {
        process.type_line(&source);
        std::hint::black_box(process.current_lines());
        let mut runner = Runner::new();
        runner.add(host, process);
        runner.run_until(&mut net, Instant::from_secs(1));
        let process = &mut runner.programs[0].process;
        process.complete(3, Ok(socksim::sim::Value::None));
        process.stop(&mut HostSockets { network: &mut net, host });
        std::hint::black_box(process.console().lines().len());
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    socksim::cli::main()
}
RUST
read -r python_raw python_gz < <(build with-python)

awk -v pr="$page_raw" -v pg="$page_gz" -v yr="$python_raw" -v yg="$python_gz" 'BEGIN {
  printf "page without the interpreter: %7d bytes, gzip -9 %6d (%.1f KiB)\n", pr, pg, pg / 1024
  printf "page with the interpreter:    %7d bytes, gzip -9 %6d (%.1f KiB)\n", yr, yg, yg / 1024
  printf "the interpreter adds:         %7d bytes, gzip -9 %6d (%.1f KiB)\n", yr - pr, yg - pg, (yg - pg) / 1024
}'
