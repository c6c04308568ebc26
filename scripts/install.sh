#!/usr/bin/env bash
# Installs what the build and the tests need, only what is missing. Idempotent.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=X"` pin in Cargo.toml
here="$(cd "$(dirname "$0")/.." && pwd)"

log() { printf '[install] %s\n' "$*" >&2; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v firefox-esr >/dev/null 2>&1 || need_apt+=(firefox-esr)
command -v wasm-opt >/dev/null 2>&1 || need_apt+=(binaryen)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown || { log "rustup target wasm32"; rustup target add wasm32-unknown-unknown; }

command -v wasm-pack >/dev/null 2>&1 || { log "cargo install wasm-pack"; cargo install --locked wasm-pack || cargo install wasm-pack; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Its lockfile can pin a yanked crate; fall back to fresh resolution then.
  cargo install --locked --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    || cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
command -v geckodriver >/dev/null 2>&1 || { log "cargo install geckodriver"; cargo install --locked geckodriver || cargo install geckodriver; }

# Build tools from npm (a current wasm-opt, esbuild), then the e2e packages.
if [ ! -d "$here/tools/node_modules" ] || [ "$here/tools/package-lock.json" -nt "$here/tools/node_modules/.package-lock.json" ]; then
  log "npm ci (tools)"
  (cd "$here/tools" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Node packages for the end-to-end tests and the bundler example (no browser downloads).
if [ -f "$here/e2e/package.json" ]; then
  if [ ! -d "$here/e2e/node_modules" ] || [ "$here/e2e/package-lock.json" -nt "$here/e2e/node_modules/.package-lock.json" ]; then
    log "npm ci (e2e)"
    (cd "$here/e2e" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# The bundler examples (Vite, webpack 5): they depend on the built widget as "file:../../pkg".
for ex in example-vite example-webpack; do
  d="$here/www/$ex"
  [ -f "$d/package-lock.json" ] || continue
  if [ ! -d "$d/node_modules" ] || [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
    log "npm ci (www/$ex)"
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
log "ok"
