#!/usr/bin/env bash
# Builds the merchant's server library for Node into pkg/server/ (the npm package's
# `epay-widget/server` entry): node/ (epay-core's merchant side) compiled to wasm, wasm-bindgen's
# Node glue (CommonJS, pkg/server/epay_node.cjs + epay_node_bg.wasm), and the hand-written ESM
# entry and types (node/js/). Called by scripts/build-widget.sh.
# Usage: scripts/build-server-lib.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Cargo's output folder: CARGO_TARGET_DIR when set (relative to the repository), else target/.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")

case "${1:-}" in
  --dev) cargo build --quiet --lib --target wasm32-unknown-unknown -p epay-node
    wasm=$target_dir/wasm32-unknown-unknown/debug/epay_node.wasm; flags=(--debug --keep-debug) ;;
  "") cargo build --quiet --lib --release --target wasm32-unknown-unknown -p epay-node
    wasm=$target_dir/wasm32-unknown-unknown/release/epay_node.wasm; flags=() ;;
  *) echo "usage: $0 [--dev]" >&2; exit 2 ;;
esac
out=pkg/server
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target nodejs --no-typescript --out-dir "$out" --out-name epay_node "${flags[@]}" "$wasm"
# The package is "type": "module": the CommonJS glue keeps working under a .cjs name.
mv "$out/epay_node.js" "$out/epay_node.cjs"
cp node/js/server.mjs "$out/index.mjs"
cp node/js/server.d.ts "$out/index.d.ts"
cp node/js/browser.js "$out/browser.js"
# Loads and signs once, or the build fails here rather than at a merchant's.
node --input-type=module -e '
  const m = await import(process.argv[1]);
  const s = m.sign({ project_id: 250, payment_id: "build-check" }, "k");
  if (!/^[A-Za-z0-9+/]{86}==$/.test(s)) { console.error("build-server-lib: sign gave " + s); process.exit(1); }
' "$PWD/$out/index.mjs"
echo "build-server-lib: $out ready ($(wc -c < "$out/epay_node_bg.wasm") bytes of wasm)"
