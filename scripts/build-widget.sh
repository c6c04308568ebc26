#!/usr/bin/env bash
# Builds the browser widget into pkg/: the wasm module (wasm-pack, --target web) and the
# hand-written loaders from js/ (pkg/epay-widget.js classic script, pkg/epay-widget.mjs).
# Usage: scripts/build-widget.sh [--dev]
#   --dev   debug build with the `dev` feature (readable panics in the console)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

profile=--release
features=()
case "${1:-}" in
  --dev) profile=--dev; features=(--features dev) ;;
  "") ;;
  *) echo "usage: $0 [--dev]" >&2; exit 2 ;;
esac

# --mode no-install: use the wasm-bindgen CLI on PATH (pinned, see scripts/install.sh).
wasm-pack build "$profile" --target web --out-dir pkg --out-name epay_widget --mode no-install . -- "${features[@]}"
cp js/epay-widget.js js/epay-widget.mjs pkg/
[ -f js/epay-widget.d.ts ] && cp js/epay-widget.d.ts pkg/
echo "build-widget: pkg/ ready ($(gzip -9c pkg/epay_widget_bg.wasm | wc -c) bytes of wasm, gzip -9)"
