#!/usr/bin/env bash
# Installs what is missing, and only that. Idempotent.
# Usage: scripts/install.sh [--demo]
#   (none)   everything the tests need: the demo's tools, plus wasm-pack, geckodriver,
#            Debian's Chromium, ChromeDriver and Firefox ESR, and the e2e/bundler npm packages
#   --demo   only what the demo needs: the wasm32 target, the wasm-bindgen CLI, esbuild and
#            wasm-opt from npm (no browsers, no drivers)
#
# Set-up time is a product feature (docs/performance.md "Set-up time"): the network-bound installs (apt,
# npm) run in the background while cargo compiles the Rust tools, and the tools that only
# orchestrate (wasm-pack, geckodriver) are built without optimisation, which compiles in a
# fraction of the time and runs as fast as anyone can tell.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=X"` pin in Cargo.toml
here="$(cd "$(dirname "$0")/.." && pwd)"
mode=full
case "${1:-}" in
  --demo) mode=demo ;;
  "") ;;
  *) echo "usage: scripts/install.sh [--demo]" >&2; exit 2 ;;
esac

log() { printf '[install] %s\n' "$*" >&2; }
t0=$(date +%s)
# One target dir for every tool we compile, so crates they share are built once.
export CARGO_TARGET_DIR="${EPAY_TOOLS_TARGET:-$HOME/.cache/epay-tools-target}"

pids=()
bg() { "$@" & pids+=($!); }

# --- network-bound, in the background --------------------------------------------------------
apt_install() {
  local need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
  # The official Python SDK's venv (py_sdk) needs ensurepip.
  python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
  [ ${#need[@]} -eq 0 ] && return 0
  log "apt: ${need[*]}"
  local SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  log "apt: done"
}
npm_ci() { # dir [extra env]
  local d="$1"
  [ -f "$d/package-lock.json" ] || return 0
  if [ ! -d "$d/node_modules" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
    log "npm ci (${d#"$here"/})"
    (cd "$d" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_all() {
  npm_ci "$here/tools"
  if [ "$mode" = full ]; then
    npm_ci "$here/e2e"
    # The official npm SDK (ecommpay), for the hosted Payment Page and signature tests.
    npm_ci "$here/tools/sdk"
    # The bundler examples depend on the built widget as "file:../../pkg"; npm ci only links it.
    npm_ci "$here/www/example-vite"
    npm_ci "$here/www/example-webpack"
  fi
}
# The official Python SDK (ecommpay-sdk) in its own venv, for the same tests (issue 23).
PY_SDK_VERSION=1.0.6
py_sdk() {
  local venv="${EPAY_PY_VENV:-$HOME/.cache/epay-py}"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('ecommpay-sdk') != '$PY_SDK_VERSION')" 2>/dev/null; then
    return 0
  fi
  log "python venv $venv: ecommpay-sdk $PY_SDK_VERSION"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ecommpay-sdk==$PY_SDK_VERSION"
}
apt_then_py_sdk() { apt_install; py_sdk; }
[ "$mode" = full ] && bg apt_then_py_sdk
bg npm_all

# --- CPU-bound: the Rust tools, one after another ----------------------------------------------
rustup target list --installed | grep -qx wasm32-unknown-unknown || { log "rustup target wasm32"; rustup target add wasm32-unknown-unknown; }
# The test run lints and checks formatting (a minimal rustup profile has neither).
for c in clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || { log "rustup component $c"; rustup component add "$c"; }
done

cargo_install_tool() { # crate version|"" --debug|--light
  local crate="$1" version=() kind="$3"
  [ -n "$2" ] && version=(--version "$2")
  if [ "$kind" = --debug ]; then
    log "cargo install $crate ${version[*]} (unoptimised: it only orchestrates)"
    cargo install --force --debug --locked --quiet "$crate" "${version[@]}" \
      || cargo install --force --debug --quiet "$crate" "${version[@]}"
  else
    log "cargo install $crate ${version[*]} (optimised, no LTO)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
      cargo install --force --locked --quiet "$crate" "${version[@]}" \
      || CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
      cargo install --force --quiet "$crate" "${version[@]}"
  fi
}

# wasm-bindgen processes every build's wasm and runs the browser tests: keep it optimised.
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  cargo_install_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" --light
fi
if [ "$mode" = full ]; then
  command -v wasm-pack >/dev/null 2>&1 || cargo_install_tool wasm-pack "" --debug
  command -v geckodriver >/dev/null 2>&1 || cargo_install_tool geckodriver "" --debug
fi

for p in "${pids[@]}"; do wait "$p"; done
log "ok ($mode, $(( $(date +%s) - t0 )) s)"
