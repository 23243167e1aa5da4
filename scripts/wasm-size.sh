#!/usr/bin/env bash
# What each part of the page's wasm payload weighs, and so what the Python interpreter adds to it.
#
# Builds the page as trunk builds it (scripts/env.sh's SOCKSIM_PAGE_BUILD_ENV: std from source,
# panics that abort at once; then wasm-bindgen, and scripts/wasm-opt.mjs, which keeps a copy with
# the function names too), and hands both to scripts/wasm-size.mjs, which prints the
# file's size (raw and gzip -9) and each part's code: socksim's modules (python::*, ui::*, …) and
# the crates (yew, smoltcp, core, …). A part's share of the gzip size is estimated from its share
# of the code. Needs what scripts/setup.sh installs; takes a few minutes the first time.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SOCKSIM_ROOT"

out="$(mktemp -d -t socksim-wasm-size.XXXXXX)"
trap 'rm -rf "$out"' EXIT
export CARGO_TARGET_DIR="${SOCKSIM_SIZE_TARGET:-$SOCKSIM_ROOT/target/wasm-size}"

env "${SOCKSIM_PAGE_BUILD_ENV[@]}" cargo build --quiet --offline --release --target wasm32-unknown-unknown --bin socksim
wasm-bindgen --target web --out-dir "$out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/socksim.wasm"
node scripts/wasm-opt.mjs "$out/socksim_bg.wasm" "$out/stripped.wasm" "$out/named.wasm"
node scripts/wasm-size.mjs "$out/stripped.wasm" "$out/named.wasm"
