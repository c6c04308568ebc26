#!/usr/bin/env bash
# Benchmark (issue 26, decision 6): epay-widget's fast page and the merchant's shape against
# an Adyen Web 6 Drop-in reference (Redirect + Econtext + DuitNow, JS and CSS) built from npm,
# all served by the same local static server, in headless Chromium, offline (*.adyen.com
# blocked). Interleaved rounds (9 by default) at 1x CPU, 4x CPU and 1x CPU +100 ms: bytes
# until the picker is interactive (brotli 11, gzip 9 beside, one implementation for both
# sides), one EPay/PayDala payment's bytes, time to interactive, screen change; each ratio's
# median and spread (min-max) and each target's PASS/MISS. A benchmark, not a test: exits 0
# whatever the figures (non-zero only when it could not measure). See bench/bench.mjs's header.
# Usage: scripts/bench.sh   env: BENCH_ROUNDS=9 BENCH_LATENCY_MS=100 BENCH_BYTE_ROUNDS=3 EPAY_BIN=... BENCH_JSON=out.json
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Cargo's output folder: CARGO_TARGET_DIR when set (relative to the repository), else target/.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")

# bench/node_modules: Adyen Web, esbuild, puppeteer-core (bench/package-lock.json).
if [ ! -d bench/node_modules/@adyen/adyen-web ] || [ ! -d bench/node_modules/puppeteer-core ]; then
  (cd bench && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
# The widget (release) and the sandbox only when missing: the bench measures what is built.
[ -f pkg/epay_widget_bg.wasm ] && [ -f pkg/epay-widget.js ] || bash scripts/build-widget.sh
if [ -z "${EPAY_BIN:-}" ] && [ ! -x "$target_dir/debug/epay" ]; then cargo build -p epay-cli --quiet; fi
bin="${EPAY_BIN:-$target_dir/debug/epay}"
if ! "$bin" sandbox --help >/dev/null 2>&1; then
  echo "bench: $bin does not run ('sandbox --help' failed); rebuild it (cargo build -p epay-cli) or set EPAY_BIN" >&2
  exit 1
fi
EPAY_BIN="$bin" exec node bench/bench.mjs
