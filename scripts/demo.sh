#!/usr/bin/env bash
# Installs what is missing, builds the widget and the sandbox, starts the demo.
# Usage: scripts/demo.sh [--port N] [SANDBOX FLAGS...]   (default port 8787)
#   Other flags go to `epay sandbox` as they are, e.g. --callback-url 250=http://127.0.0.1:3000/callbacks
#   (the demo's callbacks for project 250 to your own server; `epay sandbox --help` lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Cargo's output folder: CARGO_TARGET_DIR when set (relative to the repository), else target/.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")
port=8787
sandbox_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || { echo "usage: scripts/demo.sh [--port N] [SANDBOX FLAGS...]" >&2; exit 2; }; port="$2"; shift 2 ;;
    -h|--help) echo "usage: scripts/demo.sh [--port N] [SANDBOX FLAGS...] (e.g. --callback-url 250=http://127.0.0.1:3000/callbacks)"; exit 0 ;;
    *) sandbox_flags+=("$1"); shift ;;
  esac
done
t0=$(date +%s)
bash scripts/install.sh --demo   # no browsers or drivers: the demo needs none
bash scripts/build-widget.sh
# The sandbox in the dev profile: it serves a few local pages, and the tests reuse this build.
cargo build -p epay-cli --quiet
echo "demo: built in $(( $(date +%s) - t0 )) s"
echo
echo "Open the demo shop: http://127.0.0.1:$port/   (Ctrl-C stops the sandbox)"
echo
exec "$target_dir/debug/epay" sandbox --port "$port" --db epay-sandbox.sqlite --www www --pkg pkg ${sandbox_flags[@]+"${sandbox_flags[@]}"}
