#!/usr/bin/env bash
# What each part of the page's wasm payload weighs, and so what the Python interpreter adds to it.
#
# Builds the page as trunk builds it (scripts/env.sh's SOCKSIM_PAGE_BUILD_ENV: std from source,
# panics that abort at once; then wasm-bindgen, and wasm-opt with index.html's settings) but with
# the function names kept (wasm-opt -g), and hands it to scripts/wasm-size.mjs, which prints the
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

# wasm-opt as trunk runs it: data-wasm-opt="s" is -Os, data-wasm-opt-params adds its flags.
level=$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' index.html | head -1)
read -r -a params <<<"$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' index.html | head -1)"

env "${SOCKSIM_PAGE_BUILD_ENV[@]}" cargo build --quiet --offline --release --target wasm32-unknown-unknown --bin socksim
wasm-bindgen --target web --out-dir "$out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/socksim.wasm"
wasm-opt "-O${level:-s}" "${params[@]}" "$out/socksim_bg.wasm" -o "$out/stripped.wasm"
wasm-opt "-O${level:-s}" -g "${params[@]}" "$out/socksim_bg.wasm" -o "$out/named.wasm"
node scripts/wasm-size.mjs "$out/stripped.wasm" "$out/named.wasm"
