#!/usr/bin/env bash
# A longer fuzz-style run of the core's parsers and signer (issue 13): proptest's runner
# (cargo-fuzz needs a nightly toolchain), in release mode, FUZZ_CASES inputs per target
# (default 100000). Prints how many inputs each target tried. Usage:
#   scripts/fuzz.sh            # 3 targets x 100 000 inputs
#   FUZZ_CASES=1000000 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
FUZZ_CASES="${FUZZ_CASES:-100000}" cargo test -p epay-core --release --test properties -- --ignored --nocapture fuzz_long
