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
# Drop the wasm's custom sections (function names, producers, target_features): ~30% of
# the file, not needed at run time. wasm-opt is off (see Cargo.toml).
if [ "$profile" = --release ] && command -v node >/dev/null; then
  node --input-type=module -e '
    import { readFileSync, writeFileSync } from "node:fs";
    const f = "pkg/epay_widget_bg.wasm", b = readFileSync(f), out = [b.subarray(0, 8)];
    const leb = (i) => { let v = 0, s = 0, c; do { c = b[i++]; v |= (c & 0x7f) << s; s += 7; } while (c & 0x80); return [v, i]; };
    for (let i = 8; i < b.length;) {
      const start = i, id = b[i++]; const [size, body] = leb(i); i = body + size;
      if (id !== 0) out.push(b.subarray(start, i));
    }
    writeFileSync(f, Buffer.concat(out));
    WebAssembly.validate(readFileSync(f)) || (console.error("stripped wasm is invalid"), process.exit(1));
  '
fi
# A current wasm-opt (binaryen from npm, tools/): Debian's binaryen 108 rewrites the
# externref table export wrongly. Then minify the JS glue and loaders (esbuild).
tools=tools/node_modules/.bin
cp js/epay-widget.js js/epay-widget.mjs pkg/
if [ "$profile" = --release ]; then
  if [ ! -x "$tools/wasm-opt" ] || [ ! -x "$tools/esbuild" ]; then
    echo "build-widget: $tools/wasm-opt or esbuild missing: run scripts/install.sh" >&2; exit 1
  fi
  "$tools/wasm-opt" -Oz --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue pkg/epay_widget_bg.wasm -o pkg/epay_widget_bg.wasm
  for f in pkg/epay_widget.js pkg/epay-widget.mjs; do
    "$tools/esbuild" --minify --format=esm --log-level=warning "$f" --outfile="$f" --allow-overwrite
  done
  "$tools/esbuild" --minify --log-level=warning pkg/epay-widget.js --outfile=pkg/epay-widget.js --allow-overwrite
fi
[ -f js/epay-widget.d.ts ] && cp js/epay-widget.d.ts pkg/
cp LICENSE-MIT LICENSE-APACHE pkg/
# The npm package: js/package.json (exports, types, files) with the crate's version,
# replacing wasm-pack's (which points at the raw glue, not the loader).
if [ -f js/package.json ]; then
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
  sed "s/\"0\.0\.0-set-by-build-widget\"/\"$version\"/" js/package.json > pkg/package.json
  rm -f pkg/.gitignore pkg/epay_widget.d.ts pkg/epay_widget_bg.wasm.d.ts
fi
echo "build-widget: pkg/ ready ($(gzip -9c pkg/epay_widget_bg.wasm | wc -c) bytes of wasm, gzip -9)"
