#!/usr/bin/env bash
# Benchmark (issue 11): epay-widget against an Adyen Web Drop-in reference built from npm,
# in headless Chromium, offline. Prints bytes (gzip/brotli, first download and per method),
# time to interactive (median, min-max) at 1x and 4x CPU and with added latency, screen
# change times, every ratio and each target's PASS/MISS. A benchmark, not a test: exits 0
# whatever the figures (non-zero only when it could not measure).
# Usage: scripts/bench.sh        env: BENCH_ROUNDS=9 BENCH_LATENCY_MS=100 EPAY_BIN=... BENCH_JSON=out.json
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
