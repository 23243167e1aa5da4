#!/usr/bin/env bash
# Install everything socksim needs to build, serve and test, on a Debian machine
# that has rustup, cargo and node/npm. Idempotent: fast when all is present.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SOCKSIM_ROOT"

TRUNK_VERSION="0.21.14"
WASM_TARGET="wasm32-unknown-unknown"
start=$SECONDS

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# --- Rust target -------------------------------------------------------------
if rustup target list --installed | grep -qx "$WASM_TARGET"; then
  say "rust target $WASM_TARGET: present"
else
  say "rust target $WASM_TARGET: installing"
  rustup target add "$WASM_TARGET"
fi

# --- the standard library's sources (the page's wasm builds std: see scripts/env.sh) -----
if rustup component list --installed | grep -q '^rust-src'; then
  say "rust component rust-src: present"
else
  say "rust component rust-src: installing"
  rustup component add rust-src
fi

# --- trunk ---------------------------------------------------------------------
if [[ "$(trunk --version 2>/dev/null || true)" == "trunk $TRUNK_VERSION" ]]; then
  say "trunk $TRUNK_VERSION: present"
else
  say "trunk $TRUNK_VERSION: installing with cargo (takes ~10 minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# --- wasm-bindgen-cli (must match Cargo.lock exactly) ------------------------------
[[ -f Cargo.lock ]] || cargo generate-lockfile
WB_VERSION="$(socksim_wasm_bindgen_version)"
[[ -n "$WB_VERSION" ]] || die "no wasm-bindgen package in Cargo.lock"
TRUNK_WB="$(socksim_trunk_tool wasm_bindgen)"
[[ "$TRUNK_WB" == "$WB_VERSION" ]] ||
  die "Trunk.toml [tools] wasm_bindgen = \"$TRUNK_WB\" but Cargo.lock has wasm-bindgen $WB_VERSION; make them equal"
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" == "wasm-bindgen $WB_VERSION" ]] &&
   [[ "$(wasm-bindgen-test-runner --version 2>/dev/null || true)" == *" $WB_VERSION" ]]; then
  say "wasm-bindgen-cli $WB_VERSION: present"
else
  say "wasm-bindgen-cli $WB_VERSION: installing with cargo (takes ~5 minutes)"
  # Without --locked: that is the install known to build on our Debian machines.
  cargo install --force wasm-bindgen-cli --version "$WB_VERSION"
fi

# --- Debian packages: chromium, chromedriver, tshark ---------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
if ((${#missing[@]} == 0)); then
  say "debian packages (chromium, chromium-driver, tshark): present"
else
  say "debian packages: installing ${missing[*]}"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${missing[*]}"
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

# --- npm: binaryen (wasm-opt) and playwright-core, pinned in package-lock.json -------
# npm ci only when node_modules was not installed from the current package-lock.json.
stamp="node_modules/.socksim-package-lock.sha256"
if [[ -f package-lock.json ]]; then
  want="$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x node_modules/.bin/wasm-opt ]]; then
    say "node_modules: up to date"
  else
    say "node_modules: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >"$stamp"
  fi
else
  say "node_modules: npm install (no package-lock.json yet)"
  npm install --no-audit --no-fund --loglevel=error
  sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1 >"$stamp"
fi
WASM_OPT_WANT="$(socksim_trunk_tool wasm_opt)"
wasm_opt_out="$(wasm-opt --version 2>/dev/null || true)"
[[ "$wasm_opt_out" == *"($WASM_OPT_WANT)"* ]] ||
  die "wasm-opt on PATH reports '$wasm_opt_out' but Trunk.toml [tools] wasm_opt = \"$WASM_OPT_WANT\""
say "wasm-opt: $wasm_opt_out"

# --- Rust dependencies (Trunk runs cargo --offline) --------------------------------------
say "cargo fetch (host and $WASM_TARGET)"
cargo fetch --quiet
cargo fetch --quiet --target "$WASM_TARGET"
# Building std needs the crates of its own workspace (Cargo.lock beside rust-src's library/);
# the manifest uses nightly cargo features, hence RUSTC_BOOTSTRAP.
say "cargo fetch (the standard library's dependencies, for building std)"
RUSTC_BOOTSTRAP=1 cargo fetch --quiet --locked \
  --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"

say "done in $((SECONDS - start))s"
