#!/usr/bin/env bash
# Installs what is missing and runs every test: native (core, CLI, sandbox),
# the widget in headless Chrome and Firefox, end to end in both browsers, and the size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n=== %s\n' "$*"; }

step "install (only what is missing)"
bash scripts/install.sh

step "native tests: core, CLI, sandbox"
cargo test --workspace
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The widget and its browser tests as the browser gets them (wasm32), linted too.
cargo clippy -p epay-widget --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings

step "widget in headless Chrome and Firefox (wasm-bindgen-test)"
wasm-pack test --headless --chrome --firefox --mode no-install

step "build: release widget and sandbox"
bash scripts/build-widget.sh
cargo build -p epay-cli --quiet

step "bundler examples: the npm package (pkg/) in Vite (with tsc) and webpack 5"
(cd www/example-vite && npm run --silent build)
(cd www/example-webpack && npm run --silent build)

step "end to end: Chromium and Firefox against the sandbox"
(cd e2e && EPAY_BIN="$PWD/../target/debug/epay" npm test)

step "size report"
bash scripts/size-report.sh --no-build
echo
echo "scripts/test.sh: everything passed in $(( $(date +%s) - start )) s"
