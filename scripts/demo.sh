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
bash scripts/install.sh
bash scripts/build-widget.sh
cargo build --release -p epay --quiet
echo
echo "Open the demo shop: http://127.0.0.1:$port/   (Ctrl-C stops the sandbox)"
echo
exec target/release/epay sandbox --port "$port" --db epay-sandbox.sqlite --www www --pkg pkg
