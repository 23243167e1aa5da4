#!/usr/bin/env bash
# The whole socksim test suite, as CI runs it (bash .ci/run):
#   0. formatting and clippy lints (the engine may not read the wall clock: clippy.toml)
#   1. native `cargo test` (unit, integration and doc tests) + benches compile
#   2. wasm tests (tests/browser.rs) in headless Chromium (wasm-bindgen-test-runner + chromedriver)
#   3. `trunk build --release`: the static site in dist/ builds; print the .wasm gzip size
#   4. optional: Playwright e2e tests, only if tests/e2e/run.mjs exists
# Exits non-zero on the first failure. Ends with a "summary: N passed, N failed" line.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SOCKSIM_ROOT"

log="$(mktemp -t socksim-test.XXXXXX)"
start=$SECONDS
step() { printf '\n=== %s\n' "$*"; }

summary() {
  local rc=$?
  local passed failed ignored
  # Add up every libtest / wasm-bindgen-test "test result:" line of this run.
  read -r passed failed ignored < <(awk '
    /test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i) ~ /^passed;?$/)  p += $(i-1)
        if ($(i) ~ /^failed;?$/)  f += $(i-1)
        if ($(i) ~ /^ignored;?$/) s += $(i-1)
      }
    }
    END { printf "%d %d %d\n", p, f, s }' "$log")
  printf '\n=== test results (%ss)\n' "$((SECONDS - start))"
  grep -h 'test result:' "$log" || true
  if ((rc != 0)); then
    echo "test.sh: FAILED (exit $rc)"
  fi
  echo "summary: $passed passed, $failed failed, $ignored skipped"
  rm -f "$log"
}
trap summary EXIT

step "setup"
bash scripts/setup.sh

step "lint: cargo fmt --check, cargo clippy -D warnings"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --lib --bins -- -D warnings

step "native: cargo test (unit, integration, doc)"
cargo test --no-fail-fast 2>&1 | tee -a "$log"

step "native: benches compile (cargo test --benches --no-run)"
cargo test --benches --no-run

# Only tests/browser.rs: the native integration tests use native-only dev-dependencies
# (proptest) and so do not build for wasm32. If every native-only test file gets
# `#![cfg(not(target_arch = "wasm32"))]`, `--test browser` can become `--tests`.
step "wasm: cargo test --target wasm32-unknown-unknown --test browser (headless Chromium)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --no-fail-fast --target wasm32-unknown-unknown --test browser 2>&1 | tee -a "$log"

step "trunk build --release"
rm -rf dist
trunk build --release
shopt -s nullglob
wasm_files=(dist/*.wasm)
((${#wasm_files[@]} > 0)) || { echo "test.sh: no .wasm in dist/" >&2; exit 1; }
for w in "${wasm_files[@]}"; do
  raw=$(wc -c <"$w")
  gz=$(gzip -9 -c "$w" | wc -c)
  awk -v w="$w" -v raw="$raw" -v gz="$gz" \
    'BEGIN { printf "dist wasm: %s  %d bytes, gzip -9: %d bytes (%.1f KB, goal 250 KB)\n", w, raw, gz, gz / 1000 }'
done

if [[ -f tests/e2e/run.mjs ]]; then
  # OPTIONAL e2e step: runs only once an issue adds tests/e2e/run.mjs (Playwright via
  # playwright-core driving Debian's chromium at $CHROMIUM_PATH; never download browsers).
  step "e2e: node tests/e2e/run.mjs (optional, present)"
  SOCKSIM_DIST="$SOCKSIM_ROOT/dist" node tests/e2e/run.mjs 2>&1 | tee -a "$log"
else
  step "e2e: skipped (no tests/e2e/run.mjs)"
fi
