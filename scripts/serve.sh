#!/usr/bin/env bash
# Install what is missing, then serve socksim with live reload:
#   scripts/serve.sh                 # http://127.0.0.1:8080/
#   scripts/serve.sh --port 9000     # extra args go to `trunk serve`
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SOCKSIM_ROOT"

bash scripts/setup.sh
# trunk with the page build's environment (scripts/env.sh): `exec` would skip the function.
exec env "${SOCKSIM_PAGE_BUILD_ENV[@]}" trunk serve "$@"
