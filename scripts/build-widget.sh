#!/usr/bin/env bash
# Builds the browser widget into pkg/: the wasm module (cargo + wasm-bindgen --target web) and the
# loaders from js/ (pkg/epay-widget.js classic script, pkg/epay-widget.mjs; one source, js/loader.js).
# Usage: scripts/build-widget.sh [--dev | --names-into DIR]
#   --dev               debug build with the `dev` feature (readable panics in the console)
#   --names-into DIR    only the release wasm of both modules, optimized as below but keeping their
#                       function names, into DIR/epay_widget_bg.wasm and DIR/epay_flows_bg.wasm
#                       (pkg/ untouched): scripts/panic-report.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Cargo's output folder: CARGO_TARGET_DIR when set (relative to the repository), else target/.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")

profile=--release
features=()
names_into=
case "${1:-}" in
  --dev) profile=--dev; features=(--features dev) ;;
  --names-into) names_into=${2:?--names-into DIR} ;;
  "") ;;
  *) echo "usage: $0 [--dev]" >&2; exit 2 ;;
esac

# What `wasm-pack build --target web` does, without needing wasm-pack (the demo installs only
# the wasm-bindgen CLI, pinned in scripts/install.sh; the tests still run under `wasm-pack test`).
# The drawings module (QR and barcode drawings, crate drawings/, built as epay_drawings.wasm) is a second, plain wasm file that the
# loader fetches when a code screen is near: pkg/epay_codes.wasm, no glue.
# No build-machine path in the files that ship: the panic locations and debug strings of the
# widget and the drawings module name the sources as /epay-widget/... and /cargo/registry/...
cargo_home=${CARGO_HOME:-$HOME/.cargo}
# Only for the wasm target (host tools keep their cache); rustc applies the last prefix that
# matches, so the most specific comes last.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$HOME=~ --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$PWD=/epay-widget"
# Two builds of the widget crate (issue 26, decision 4): the first module (feature `picker`:
# the loading, error and picker screens; pkg/epay_widget*) and the flows module (the whole
# widget; pkg/epay_flows*), which the loader fetches once the picker is on screen. Cargo keeps
# each build's artifact apart (per feature set), so neither rebuilds the other.
if [ "$profile" = --release ]; then out=$target_dir/wasm32-unknown-unknown/release; bindgen_flags=(); build=(--release)
else out=$target_dir/wasm32-unknown-unknown/debug; bindgen_flags=(--debug --keep-debug); build=(); fi
cargo build --quiet --lib "${build[@]}" --target wasm32-unknown-unknown -p epay-widget -p epay-drawings "${features[@]}"
flows_src=$(mktemp -d)/epay_flows.wasm
cp "$out/epay_widget.wasm" "$flows_src"
cargo build --quiet --lib "${build[@]}" --target wasm32-unknown-unknown -p epay-widget --features "picker${features[1]:+,${features[1]}}"
wasm=$out/epay_widget.wasm
codes=$out/epay_drawings.wasm
tools=tools/node_modules/.bin
if [ ! -x "$tools/esbuild" ] || { [ "$profile" = --release ] && [ ! -x "$tools/wasm-opt" ]; }; then
  echo "build-widget: $tools/wasm-opt or esbuild missing: run scripts/install.sh --demo" >&2; exit 1
fi
# optimize FILE ONE_CALLER_MAX: the release wasm-opt run (see below), in place.
optimize() {
  # --converge: -Oz again until it stops gaining; the memory flags hold for a Rust module
  # (nothing lives below address 1024; the memory is its own, zeroed at start): -0.4 KB.
  "$tools/wasm-opt" -Oz --one-caller-inline-max-function-size="$2" --converge --low-memory-unused --zero-filled-memory ${EPAY_WASM_OPT_EXTRA:-} ${keep_names:+-g} --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue "$1" -o "$1"
}
keep_names=${EPAY_KEEP_NAMES:-}
bindgen() { # OUT_DIR NAME WASM
  wasm-bindgen --target web --no-typescript --encode-into always --omit-default-module-path --out-dir "$1" --out-name "$2" "${bindgen_flags[@]}" "$3"
}
if [ -n "$names_into" ]; then
  mkdir -p "$names_into"
  bindgen "$names_into" epay_widget "$wasm"
  bindgen "$names_into" epay_flows "$flows_src"
  for name in epay_widget epay_flows; do
    node scripts/snip-panics.mjs "$names_into/${name}_bg.wasm" >/dev/null
    keep_names=1 optimize "$names_into/${name}_bg.wasm" 20
  done
  exit 0
fi
mkdir -p pkg
cp "$codes" pkg/epay_codes.wasm
# The language packs (every language but English, which is in the wasm): pkg/lang/<code>.json.
cargo run --quiet -p epay-core --example lang_packs -- pkg/lang
bindgen pkg epay_widget "$wasm"
bindgen pkg epay_flows "$flows_src"
rm -rf "$(dirname "$flows_src")"
# Release: the panic entry points trap at once (scripts/snip-panics.mjs; needs the names,
# dropped below), so that wasm-opt drops the formatting code only the panic handler used.
if [ "$profile" = --release ]; then for f in pkg/epay_widget_bg.wasm pkg/epay_flows_bg.wasm; do node scripts/snip-panics.mjs "$f" >/dev/null; done; fi
# Drop the wasm's custom sections (function names, producers, target_features): ~30% of
# the file, not needed at run time. (wasm-opt runs below: binaryen from npm, see tools/.)
# EPAY_KEEP_NAMES=1 keeps the function names (a profiling build: bench.sh with BENCH_TRACE).
if [ "$profile" = --release ] && [ -z "$keep_names" ] && command -v node >/dev/null; then
  for f in pkg/epay_widget_bg.wasm pkg/epay_flows_bg.wasm pkg/epay_codes.wasm; do node --input-type=module -e '
    import { readFileSync, writeFileSync } from "node:fs";
    const f = process.argv[1], b = readFileSync(f), out = [b.subarray(0, 8)];
    const leb = (i) => { let v = 0, s = 0, c; do { c = b[i++]; v |= (c & 0x7f) << s; s += 7; } while (c & 0x80); return [v, i]; };
    for (let i = 8; i < b.length;) {
      const start = i, id = b[i++]; const [size, body] = leb(i); i = body + size;
      if (id !== 0) out.push(b.subarray(start, i));
    }
    writeFileSync(f, Buffer.concat(out));
    WebAssembly.validate(readFileSync(f)) || (console.error(f + ": stripped wasm is invalid"), process.exit(1));
  ' "$f"; done
fi
# A current wasm-opt (binaryen from npm, tools/): Debian's binaryen 108 rewrites the
# externref table export wrongly. esbuild (tools/) builds both loaders from their one
# source (js/loader.js) and minifies the glue.
if [ "$profile" = --release ]; then
  node scripts/shorten-imports.mjs pkg/epay_widget_bg.wasm pkg/epay_widget.js >/dev/null
  node scripts/shorten-imports.mjs pkg/epay_flows_bg.wasm pkg/epay_flows.js >/dev/null
  # Binaryen inlines every function that has one caller, whatever its size: limited here
  # to small ones, the widget's wasm is 4.1 KB smaller gzipped (84,399 -> 80,298 B; 20 is the
  # best of 0-1000 measured, 100 for the drawings module) and each screen's code stays in its
  # own function, which V8 compiles only when that screen is first drawn.
  for f in pkg/epay_widget_bg.wasm pkg/epay_flows_bg.wasm pkg/epay_codes.wasm; do
    one_caller=20; [ "$f" = pkg/epay_codes.wasm ] && one_caller=100
    optimize "$f" $one_caller
  done
  for g in pkg/epay_widget.js pkg/epay_flows.js; do
    "$tools/esbuild" --minify --format=esm --log-level=warning "$g" --outfile="$g" --allow-overwrite
  done
fi
# Every file pinned (docs/embedding.md "Content-Security-Policy"): the SHA-384 (SRI form) of the codes
# module and each language pack go into the glue (its export `__sri`), those of the glue and
# the wasm into the loaders; the loaders use only bytes with these hashes, and the page pins
# the loader with the printed <script integrity>. Each file is hashed in its final form.
sri() { printf 'sha384-%s' "$(openssl dgst -sha384 -binary "$1" | openssl base64 -A)"; }
later="\"epay_codes.wasm\":\"$(sri pkg/epay_codes.wasm)\""
for f in pkg/lang/*.json; do later="$later,\"lang/$(basename "$f")\":\"$(sri "$f")\""; done
for g in pkg/epay_widget.js pkg/epay_flows.js; do printf '\nexport const __sri={%s};\n' "$later" >> "$g"; done
pinned="{\"glue\":\"$(sri pkg/epay_widget.js)\",\"wasm\":\"$(sri pkg/epay_widget_bg.wasm)\",\"flowsGlue\":\"$(sri pkg/epay_flows.js)\",\"flowsWasm\":\"$(sri pkg/epay_flows_bg.wasm)\"}"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)   # the npm package's
minify=(); [ "$profile" = --release ] && minify=(--minify)
# The module keeps `import('./epay_widget.js')` literal (external) so bundlers see the glue.
"$tools/esbuild" js/epay-widget.mjs --bundle --format=esm --target=es2020 --external:./epay_widget.js --external:./epay_flows.js \
  --define:__EPAY_SRI__="$pinned" "${minify[@]}" --log-level=warning --outfile=pkg/epay-widget.mjs
"$tools/esbuild" js/epay-widget.js --bundle --format=iife --target=es2020 --legal-comments=inline \
  --banner:js="/*! epay-widget $version | MIT OR Apache-2.0 */" \
  --define:__EPAY_SRI__="$pinned" "${minify[@]}" --log-level=warning --outfile=pkg/epay-widget.js
[ -f js/epay-widget.d.ts ] && cp js/epay-widget.d.ts pkg/
# The npm package's own README (not the repository's: no sandbox keys), licenses, changelog.
cp js/README.md pkg/README.md
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md pkg/
# The npm package: js/package.json (exports, types, files) with the crate's version and
# description (Cargo.toml's, which lists the methods), replacing wasm-pack's (which points
# at the raw glue, not the loader).
if [ -f js/package.json ]; then
  description=$(sed -n 's/^description = "\(.*\)"/\1/p' Cargo.toml | head -1)
  sed -e "s/\"0\.0\.0-set-by-build-widget\"/\"$version\"/" \
    -e "s|\"set-by-build-widget: the crate's description\"|\"$description\"|" js/package.json > pkg/package.json
  rm -f pkg/.gitignore pkg/epay_widget.d.ts pkg/epay_widget_bg.wasm.d.ts pkg/epay_flows.d.ts pkg/epay_flows_bg.wasm.d.ts
fi
# Versioned, immutable URLs: every file the loaders fetch, under pkg/<version>/ (served with
# `Cache-Control: immutable`); pkg/ itself stays "latest". Not in the npm package.
rm -rf "pkg/$version"
mkdir -p "pkg/$version/lang"
cp pkg/epay-widget.js pkg/epay-widget.mjs pkg/epay_widget.js pkg/epay_widget_bg.wasm pkg/epay_flows.js pkg/epay_flows_bg.wasm pkg/epay_codes.wasm pkg/epay-widget.d.ts "pkg/$version/"
cp pkg/lang/*.json "pkg/$version/lang/"
tag="<script src=\"https://platform.example/pkg/$version/epay-widget.js\" integrity=\"$(sri pkg/epay-widget.js)\" crossorigin=\"anonymous\"></script>"
node scripts/pin-readme.mjs pkg/README.md "$version" epay-widget.js="$(sri pkg/epay-widget.js)" >/dev/null
if [ "$profile" = --release ]; then
  # The README and docs/embedding.md show this release's pinned tags and preload hints: kept in step here.
  for doc in README.md docs/embedding.md; do
    node scripts/pin-readme.mjs "$doc" "$version" epay-widget.js="$(sri pkg/epay-widget.js)" \
      epay_widget.js="$(sri pkg/epay_widget.js)" epay_widget_bg.wasm="$(sri pkg/epay_widget_bg.wasm)"
  done
fi
echo "build-widget: the pinned loader of $version: $tag"
# Precompressed, as a CDN serves them: <file>.br (brotli 11) and <file>.gz (gzip 9) beside
# every file a browser fetches (pkg/*.js|mjs|wasm, lang/*.json, the versioned folder), each
# made after its file is final (the sandbox's /pkg sends them; one older than its file is
# stale and not sent). Not in the npm package (js/package.json "files").
node --input-type=module -e '
  import { readFileSync, writeFileSync, readdirSync, rmSync, statSync } from "node:fs";
  import { brotliCompressSync, gzipSync, constants } from "node:zlib";
  const walk = (d) => readdirSync(d).flatMap((n) => statSync(`${d}/${n}`).isDirectory() ? (n === "server" ? [] : walk(`${d}/${n}`)) : [`${d}/${n}`]);
  for (const f of walk("pkg")) if (/\.(br|gz)$/.test(f)) rmSync(f);  // those of the last build, all first
  const done = new Map();
  for (const f of walk("pkg")) {
    if (!/\.(js|mjs|wasm)$|\/lang\/[^/]+\.json$/.test(f)) continue;
    const b = readFileSync(f), key = b.toString("base64");
    if (!done.has(key)) done.set(key, [brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }), gzipSync(b, { level: 9 })]);
    const [br, gz] = done.get(key);
    writeFileSync(`${f}.br`, br); writeFileSync(`${f}.gz`, gz);
  }'
# The merchant's server library (epay-widget/server): pkg/server/.
if [ "$profile" = --release ]; then bash scripts/build-server-lib.sh; else bash scripts/build-server-lib.sh --dev; fi
echo "build-widget: pkg/ ready ($(gzip -9c pkg/epay_widget_bg.wasm | wc -c) bytes of first module wasm, $(gzip -9c pkg/epay_flows_bg.wasm | wc -c) of the flows module, $(gzip -9c pkg/epay_codes.wasm | wc -c) of the drawings module, gzip -9)"
