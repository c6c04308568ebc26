#!/usr/bin/env bash
# Installs what is missing, builds the widget and the sandbox, starts the demo.
# Usage: scripts/demo.sh [--port N]   (default 8787)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
port=8787
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    *) echo "usage: scripts/demo.sh [--port N]" >&2; exit 2 ;;
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
exec target/debug/epay sandbox --port "$port" --db epay-sandbox.sqlite --www www --pkg pkg
