# shellcheck shell=bash
# Environment shared by scripts/setup.sh, serve.sh and test.sh.
# Source it (`source scripts/env.sh`) to use trunk / wasm-opt / the wasm test
# runner by hand from the repo root after scripts/setup.sh has run.

SOCKSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SOCKSIM_ROOT

# cargo-installed tools (trunk, wasm-bindgen, wasm-bindgen-test-runner) and
# npm-installed ones (wasm-opt from binaryen) must be found on PATH by Trunk.
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac
case ":$PATH:" in *":$SOCKSIM_ROOT/node_modules/.bin:"*) ;; *) PATH="$SOCKSIM_ROOT/node_modules/.bin:$PATH" ;; esac
export PATH

# Trunk: no update check against the network (the build itself is offline via Trunk.toml).
export TRUNK_SKIP_VERSION_CHECK=true

# The page's wasm (trunk build, trunk serve, scripts/wasm-size.sh) is built with the standard
# library compiled from source (rust-src, installed by scripts/setup.sh) with
# -Cpanic=immediate-abort: a panic is a bare wasm trap, so no panic messages, formatting or
# location strings are linked in (28 KB gzip less, see README); and with std's
# optimize_for_size feature, its smaller versions of sorting and number formatting and parsing
# (3.4 KB less). index.html shows the banner a Rust panic hook showed before, on that trap.
# Those are nightly options, allowed on stable by RUSTC_BOOTSTRAP=1. Only trunk gets them (through the function below): cargo run by
# hand, native tests, clippy and the browser tests (which need panic messages) do not.
# Tried, no gain: -Zinline-mir=yes (8 KB more gzipped), -Cllvm-args=-inline-threshold=0
# (0.7 KB more), -Zmerge-functions=disabled (larger raw, the same gzipped).
SOCKSIM_PAGE_BUILD_ENV=(
  RUSTC_BOOTSTRAP=1
  CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS=-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
)
trunk() { env "${SOCKSIM_PAGE_BUILD_ENV[@]}" trunk "$@"; }

# Browser (wasm-bindgen-test) tests: Debian's chromium + chromium-driver,
# headless flags come from ./webdriver.json (read from the current directory).
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
# For Playwright e2e tests (playwright-core never downloads a browser here).
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

# The wasm-bindgen version pinned in Cargo.lock (wasm-bindgen-cli must match it exactly).
socksim_wasm_bindgen_version() {
  awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = / { gsub(/"/, "", $3); name = $3 }
    /^version = / && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3; exit }
  ' "$SOCKSIM_ROOT/Cargo.lock"
}

# A [tools] value from Trunk.toml, e.g. socksim_trunk_tool wasm_opt -> version_132.
socksim_trunk_tool() {
  awk -v key="$1" '
    /^\[/ { in_tools = ($0 ~ /^\[tools\]/) }
    in_tools && $1 == key { gsub(/"/, "", $3); print $3; exit }
  ' "$SOCKSIM_ROOT/Trunk.toml"
}
