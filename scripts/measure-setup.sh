#!/usr/bin/env bash
# Measures the README's two commands from nothing installed, on this machine: removes what
# scripts/install.sh installs (the Rust tools, the wasm32 target, Debian's browsers and
# drivers, npm folders, build output), then times `scripts/demo.sh` until the demo answers,
# removes it all again, and times `scripts/test.sh`. Crate and npm downloads stay cached
# (~/.cargo/registry, ~/.npm), which a fresh machine would fetch from the registries.
# Destructive for this machine's tools: asks for --yes.
# Usage: scripts/measure-setup.sh --yes [demo|test|both]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = --yes ] || { echo "usage: $0 --yes [demo|test|both]  (uninstalls the tools first)" >&2; exit 2; }
what="${2:-both}"
export PATH="$HOME/.cargo/bin:$PATH"

wipe() {
  rm -f ~/.cargo/bin/{wasm-pack,wasm-bindgen,wasm-bindgen-test-runner,wasm2es6js,geckodriver}
  rm -rf ~/.cache/epay-tools-target target pkg tools/node_modules e2e/node_modules \
    www/example-vite/node_modules www/example-webpack/node_modules www/example-vite/dist www/example-webpack/dist
  rustup target remove wasm32-unknown-unknown >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq chromium chromium-driver chromium-common firefox-esr >/dev/null 2>&1 || true
  apt-get autoremove -y -qq >/dev/null 2>&1 || true
}

if [ "$what" = demo ] || [ "$what" = both ]; then
  wipe
  port=8791; t0=$(date +%s)
  bash scripts/demo.sh --port "$port" > /tmp/measure-demo.log 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "demo.sh failed, see /tmp/measure-demo.log" >&2; exit 1; }
    sleep 2
  done
  echo "scripts/demo.sh from nothing: $(( $(date +%s) - t0 )) s until the demo answered"
  kill "$pid" 2>/dev/null || true; pkill -f "epay sandbox --port $port" || true
fi
if [ "$what" = test ] || [ "$what" = both ]; then
  wipe
  t0=$(date +%s)
  bash scripts/test.sh > /tmp/measure-test.log 2>&1 || { echo "test.sh failed after $(( $(date +%s) - t0 )) s, see /tmp/measure-test.log" >&2; exit 1; }
  echo "scripts/test.sh from nothing: $(( $(date +%s) - t0 )) s"
fi
