#!/usr/bin/env bash
# Installs what is missing and runs every test: native (core, CLI, sandbox),
# the widget in headless Chrome and Firefox, end to end in both browsers, and the size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
export PATH="$HOME/.cargo/bin:$PATH"
# Cargo's output folder: CARGO_TARGET_DIR when set (relative to the repository), else target/.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")
step() { printf '\n=== %s\n' "$*"; }

step "install (only what is missing)"
bash scripts/install.sh

step "native tests: core, CLI, sandbox"
cargo fmt --all --check
cargo test --workspace
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p epay-core --no-default-features --features merchant --all-targets --quiet -- -D warnings # no built-in languages, as in the widget
cargo test -p epay-core --no-default-features --features merchant,first-texts --quiet --lib i18n # the first module's texts (issue 26)
# The widget and its browser tests as the browser gets them (wasm32), linted too: as
# shipped (drawings module, language packs) and standalone (as the browser tests run).
# (`--lib` alone: the tests switch `standalone` on through the crate's dev-dependency on itself.)
cargo clippy -p epay-widget --target wasm32-unknown-unknown --lib --quiet -- -D warnings
cargo clippy -p epay-widget --target wasm32-unknown-unknown --lib --features picker --quiet -- -D warnings # the first module (issue 26)
cargo clippy -p epay-drawings --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
cargo clippy -p epay-widget --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings

step "widget in headless Chrome and Firefox (wasm-bindgen-test)"
# The plain command every wasm-pack user types: the crate switches `standalone` on for its own
# tests (a dev-dependency on itself), since there is no loader here, so the widget draws QR
# codes and barcodes itself and has every language built in; the drawings module
# (pkg/epay_codes.wasm) and the language packs (pkg/lang/) as shipped are what e2e uses.
wasm-pack test --headless --chrome --firefox --mode no-install

step "build: release widget and sandbox"
bash scripts/build-widget.sh
cargo build -p epay-cli --quiet

step "bundler examples: the npm package (pkg/) in Vite (with tsc) and webpack 5"
(cd www/example-vite && npm run --silent build)
(cd www/example-webpack && npm run --silent build)

step "end to end: Chromium and Firefox against the sandbox"
(cd e2e && EPAY_BIN="$target_dir/debug/epay" npm test)

step "size report"
bash scripts/size-report.sh --no-build
echo
echo "scripts/test.sh: everything passed in $(( $(date +%s) - start )) s"
